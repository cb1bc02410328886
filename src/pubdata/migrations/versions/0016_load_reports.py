"""load reports: what each page load, and each load that keeps its good rows, found (counts, rows and rules)

Revision ID: 0016
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

import pubdata.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "load_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("keep_good_rows", sa.Boolean(), nullable=False),
        sa.Column("source_format", sa.String(length=16), nullable=False),
        sa.Column("source_encoding", sa.String(length=16), nullable=True),
        sa.Column("rows_read", sa.BigInteger(), nullable=False),
        sa.Column("rows_kept", sa.BigInteger(), nullable=False),
        sa.Column("rows_rejected", sa.BigInteger(), nullable=False),
        sa.Column("problem_count", sa.BigInteger(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("lookalikes", sa.Text(), nullable=False),
        sa.Column("loaded_by", sa.Integer(), nullable=False),
        sa.Column("loaded_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["resource_id"], ["resource.id"], name=op.f("fk_load_report_resource_id_resource")),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["organisation.id"], name=op.f("fk_load_report_provider_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["resource_version.id"], name=op.f("fk_load_report_version_id_resource_version")
        ),
        sa.ForeignKeyConstraint(["loaded_by"], ["app_user.id"], name=op.f("fk_load_report_loaded_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_load_report")),
        sa.UniqueConstraint("version_id", name=op.f("uq_load_report_version_id")),
    )
    with op.batch_alter_table("load_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_load_report_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_load_report_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_load_report_resource_id"), ["resource_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("load_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_load_report_resource_id"))
        batch_op.drop_index(batch_op.f("ix_load_report_provider_id"))
        batch_op.drop_index(batch_op.f("ix_load_report_ledger_seq"))
    op.drop_table("load_report")
