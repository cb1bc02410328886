"""data alerts: a version's file found damaged or missing, raised once per version

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

import pubdata.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("problem", sa.String(length=16), nullable=False),
        sa.Column("raised_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["resource_id"], ["resource.id"], name=op.f("fk_data_alert_resource_id_resource")),
        sa.ForeignKeyConstraint(
            ["version_id"], ["resource_version.id"], name=op.f("fk_data_alert_version_id_resource_version")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["organisation.id"], name=op.f("fk_data_alert_provider_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_alert")),
        sa.UniqueConstraint("version_id", name=op.f("uq_data_alert_version_id")),
    )
    with op.batch_alter_table("data_alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_alert_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_alert_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_alert_resource_id"), ["resource_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("data_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_alert_resource_id"))
        batch_op.drop_index(batch_op.f("ix_data_alert_provider_id"))
        batch_op.drop_index(batch_op.f("ix_data_alert_ledger_seq"))
    op.drop_table("data_alert")
