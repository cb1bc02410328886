"""signing keys: organisations' registered public keys, signatures presented from off-platform; each sign-off
signature keeps its SM2 signature and key

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

import pubdata.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisation_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=65), nullable=False),
        sa.Column("custody", sa.String(length=16), nullable=False),
        sa.Column("registered_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("retired_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_organisation_key_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_key")),
        sa.UniqueConstraint("key_id", name=op.f("uq_organisation_key_key_id")),
    )
    with op.batch_alter_table("organisation_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_key_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_organisation_key_organisation_id"), ["organisation_id"], unique=False)
    op.create_table(
        "presented_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("side", sa.String(length=32), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("presented_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presented_signature")),
        sa.UniqueConstraint("organisation_id", "subject", "side", name=op.f("uq_presented_signature_organisation_id")),
    )
    with op.batch_alter_table("signature", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("signature", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signature", schema=None) as batch_op:
        batch_op.drop_column("signature")
        batch_op.drop_column("key_id")
    op.drop_table("presented_signature")
    with op.batch_alter_table("organisation_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_key_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_organisation_key_ledger_seq"))
    op.drop_table("organisation_key")
