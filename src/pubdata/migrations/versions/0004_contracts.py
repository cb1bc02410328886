"""contracts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 22:43:59.205138
"""

import sqlalchemy as sa
from alembic import op

import pubdata.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assigner_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("terms_digest", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("max_calls", sa.BigInteger(), nullable=False),
        sa.Column("max_rows", sa.BigInteger(), nullable=False),
        sa.Column("epsilon_budget_micro", sa.BigInteger(), nullable=False),
        sa.Column("calls_used", sa.BigInteger(), nullable=False),
        sa.Column("rows_used", sa.BigInteger(), nullable=False),
        sa.Column("epsilon_spent_micro", sa.BigInteger(), nullable=False),
        sa.Column("assigner_signed_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("assignee_signed_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["organisation.id"], name=op.f("fk_contract_assignee_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["assigner_id"], ["organisation.id"], name=op.f("fk_contract_assigner_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract")),
    )
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contract_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contract_assigner_id"), ["assigner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contract_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_contract_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_state"))
        batch_op.drop_index(batch_op.f("ix_contract_ledger_seq"))
        batch_op.drop_index(batch_op.f("ix_contract_assigner_id"))
        batch_op.drop_index(batch_op.f("ix_contract_assignee_id"))

    op.drop_table("contract")
