"""signatures: one row per party's signature in a sign-off

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("side", sa.String(length=32), nullable=False),
        sa.Column("document_digest", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("signed_at", sa.String(length=32), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature")),
        sa.UniqueConstraint("subject", "side", name=op.f("uq_signature_subject")),
    )
    op.create_index(op.f("ix_signature_subject"), "signature", ["subject"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_signature_subject"), table_name="signature")
    op.drop_table("signature")
