"""registration objections: anyone's objection during a public notice, and the bureau's answer

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

import pubdata.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registration_objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("contact", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("filed_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("answer_reason", sa.String(length=1000), nullable=True),
        sa.Column("answered_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_registration_objection_registration_id_registration"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["app_user.id"], name=op.f("fk_registration_objection_answered_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_objection")),
    )
    with op.batch_alter_table("registration_objection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registration_objection_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_registration_objection_registration_id"), ["registration_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("registration_objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_objection_registration_id"))
        batch_op.drop_index(batch_op.f("ix_registration_objection_ledger_seq"))
    op.drop_table("registration_objection")
