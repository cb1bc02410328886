"""source connections: the department databases the bureau approved as sources of loads

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

import pubdata.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_connection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("driver", sa.String(length=40), nullable=False),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("port", sa.Integer(), nullable=True),
        sa.Column("database", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=True),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("password_sealed", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("disabled_by", sa.Integer(), nullable=True),
        sa.Column("disabled_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["organisation.id"], name=op.f("fk_source_connection_provider_id_organisation")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_source_connection_created_by_app_user")),
        sa.ForeignKeyConstraint(
            ["disabled_by"], ["app_user.id"], name=op.f("fk_source_connection_disabled_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_connection")),
        sa.UniqueConstraint("name", name=op.f("uq_source_connection_name")),
    )
    with op.batch_alter_table("source_connection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_connection_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_source_connection_provider_id"), ["provider_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("source_connection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_connection_provider_id"))
        batch_op.drop_index(batch_op.f("ix_source_connection_ledger_seq"))
    op.drop_table("source_connection")
