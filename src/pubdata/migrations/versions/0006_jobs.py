"""jobs

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 23:40:26.259077
"""

import sqlalchemy as sa
from alembic import op

import pubdata.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("submitter_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("started_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("finished_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("outcome_rule", sa.String(length=64), nullable=True),
        sa.Column("outcome_detail", sa.Text(), nullable=False),
        sa.Column("manifest", sa.Text(), nullable=False),
        sa.Column("operator_released_by", sa.Integer(), nullable=True),
        sa.Column("operator_released_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("bureau_released_by", sa.Integer(), nullable=True),
        sa.Column("bureau_released_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.Column("created_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bureau_released_by"], ["app_user.id"], name=op.f("fk_job_bureau_released_by_app_user")
        ),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_job_contract_id_contract")),
        sa.ForeignKeyConstraint(["operator_id"], ["organisation.id"], name=op.f("fk_job_operator_id_organisation")),
        sa.ForeignKeyConstraint(
            ["operator_released_by"], ["app_user.id"], name=op.f("fk_job_operator_released_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_job_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["reviewed_by"], ["app_user.id"], name=op.f("fk_job_reviewed_by_app_user")),
        sa.ForeignKeyConstraint(["submitter_id"], ["app_user.id"], name=op.f("fk_job_submitter_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_state"), ["state"], unique=False)

    # ### end Alembic commands ###


def downgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_state"))
        batch_op.drop_index(batch_op.f("ix_job_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_job_operator_id"))
        batch_op.drop_index(batch_op.f("ix_job_ledger_seq"))
        batch_op.drop_index(batch_op.f("ix_job_contract_id"))

    op.drop_table("job")
    # ### end Alembic commands ###
