"""consent: data subjects' consents, their uses, and the daily count of authorization-letter checks

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

import pubdata.db

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_credit_code", sa.String(length=18), nullable=False),
        sa.Column("subject_organisation_id", sa.Integer(), nullable=True),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("letter_sm3", sa.String(length=64), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("granted_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["consumer_id"], ["organisation.id"], name=op.f("fk_consent_consumer_id_organisation")),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], name=op.f("fk_consent_product_id_product")),
        sa.ForeignKeyConstraint(["recorded_by"], ["app_user.id"], name=op.f("fk_consent_recorded_by_app_user")),
        sa.ForeignKeyConstraint(
            ["subject_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_consent_subject_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_consumer_id"), ["consumer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(
            "ix_consent_lookup", ["consumer_id", "product_id", "purpose", "subject_credit_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_consent_product_id"), ["product_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_subject_credit_code"), ["subject_credit_code"], unique=False)

    op.create_table(
        "consent_use",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("used_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["consent_id"], ["consent.id"], name=op.f("fk_consent_use_consent_id_consent")),
        sa.ForeignKeyConstraint(
            ["consumer_id"], ["organisation.id"], name=op.f("fk_consent_use_consumer_id_organisation")
        ),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_consent_use_contract_id_contract")),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], name=op.f("fk_consent_use_product_id_product")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_use")),
    )
    with op.batch_alter_table("consent_use", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_use_consent_id"), ["consent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_use_consumer_id"), ["consumer_id"], unique=False)

    op.create_table(
        "consent_letter_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consumer_id"], ["organisation.id"], name=op.f("fk_consent_letter_checks_consumer_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_letter_checks")),
        sa.UniqueConstraint("consumer_id", "day", name=op.f("uq_consent_letter_checks_consumer_id")),
    )


def downgrade() -> None:
    op.drop_table("consent_letter_checks")
    with op.batch_alter_table("consent_use", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_use_consumer_id"))
        batch_op.drop_index(batch_op.f("ix_consent_use_consent_id"))

    op.drop_table("consent_use")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_subject_credit_code"))
        batch_op.drop_index(batch_op.f("ix_consent_state"))
        batch_op.drop_index(batch_op.f("ix_consent_product_id"))
        batch_op.drop_index(batch_op.f("ix_consent_ledger_seq"))
        batch_op.drop_index("ix_consent_lookup")
        batch_op.drop_index(batch_op.f("ix_consent_consumer_id"))

    op.drop_table("consent")
