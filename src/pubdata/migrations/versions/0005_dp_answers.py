"""dp answers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 22:56:38.265451
"""

import sqlalchemy as sa
from alembic import op

import pubdata.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dp_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("query_digest", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("released_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_dp_answer_contract_id_contract")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dp_answer")),
        sa.UniqueConstraint("contract_id", "query_digest", name=op.f("uq_dp_answer_contract_id")),
    )


def downgrade() -> None:
    op.drop_table("dp_answer")
