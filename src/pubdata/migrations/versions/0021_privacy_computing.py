"""privacy computing: the server's protocol keys (sealed), set versions, runs, consumers' public CKKS contexts

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

import pubdata.db

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_consumer_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("registered_by", sa.Integer(), nullable=False),
        sa.Column("at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_privacy_consumer_key_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_privacy_consumer_key_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["registered_by"], ["app_user.id"], name=op.f("fk_privacy_consumer_key_registered_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_consumer_key")),
        sa.UniqueConstraint(
            "organisation_id", "product_id", "key_id", name=op.f("uq_privacy_consumer_key_organisation_id")
        ),
    )
    with op.batch_alter_table("privacy_consumer_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_consumer_key_ledger_seq"), ["ledger_seq"], unique=False)

    op.create_table(
        "privacy_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("protocol", sa.String(length=32), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("created_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], name=op.f("fk_privacy_key_product_id_product")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_key")),
        sa.UniqueConstraint("product_id", "protocol", name=op.f("uq_privacy_key_product_id")),
    )
    with op.batch_alter_table("privacy_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_key_ledger_seq"), ["ledger_seq"], unique=False)

    op.create_table(
        "privacy_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("protocol", sa.String(length=32), nullable=False),
        sa.Column("set_version", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", pubdata.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consumer_id"], ["organisation.id"], name=op.f("fk_privacy_run_consumer_id_organisation")
        ),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_privacy_run_contract_id_contract")),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], name=op.f("fk_privacy_run_product_id_product")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_privacy_run_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_run")),
        sa.UniqueConstraint("contract_id", "nonce", name=op.f("uq_privacy_run_contract_id")),
    )
    with op.batch_alter_table("privacy_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_run_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_privacy_run_consumer_id"), ["consumer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_privacy_run_product_id"), ["product_id"], unique=False)

    op.create_table(
        "privacy_set_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=True),
        sa.Column("protocol", sa.String(length=32), nullable=False),
        sa.Column("set_version", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("data_digest", sa.String(length=64), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("file_digest", sa.String(length=64), nullable=False),
        sa.Column("file_bytes", sa.Integer(), nullable=False),
        sa.Column("built_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consumer_id"], ["organisation.id"], name=op.f("fk_privacy_set_version_consumer_id_organisation")
        ),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], name=op.f("fk_privacy_set_version_product_id_product")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_set_version")),
        sa.UniqueConstraint("product_id", "set_version", name=op.f("uq_privacy_set_version_product_id")),
    )
    with op.batch_alter_table("privacy_set_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_set_version_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_privacy_set_version_product_id"), ["product_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("privacy_set_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_set_version_product_id"))
        batch_op.drop_index(batch_op.f("ix_privacy_set_version_ledger_seq"))

    op.drop_table("privacy_set_version")
    with op.batch_alter_table("privacy_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_run_product_id"))
        batch_op.drop_index(batch_op.f("ix_privacy_run_consumer_id"))
        batch_op.drop_index(batch_op.f("ix_privacy_run_at"))

    op.drop_table("privacy_run")
    with op.batch_alter_table("privacy_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_key_ledger_seq"))

    op.drop_table("privacy_key")
    with op.batch_alter_table("privacy_consumer_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_consumer_key_ledger_seq"))

    op.drop_table("privacy_consumer_key")
