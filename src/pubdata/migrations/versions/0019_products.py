"""products: products and services, their security reviews and subscriptions

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

import pubdata.db

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("developer_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("delivery", sa.String(length=32), nullable=False),
        sa.Column("purposes", sa.Text(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("definition_digest", sa.String(length=64), nullable=False),
        sa.Column("reviewed_digest", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("listed_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("delisted_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("registration_number", sa.String(length=32), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_product_created_by_app_user")),
        sa.ForeignKeyConstraint(
            ["developer_id"], ["organisation.id"], name=op.f("fk_product_developer_id_organisation")
        ),
        sa.ForeignKeyConstraint(["operator_id"], ["organisation.id"], name=op.f("fk_product_operator_id_organisation")),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenario.id"], name=op.f("fk_product_scenario_id_scenario")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("code", name=op.f("uq_product_code")),
    )
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_product_developer_id"), ["developer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_product_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_product_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_product_scenario_id"), ["scenario_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_product_state"), ["state"], unique=False)

    op.create_table(
        "product_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("definition_digest", sa.String(length=64), nullable=False),
        sa.Column("checklist", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["organisation.id"], name=op.f("fk_product_review_operator_id_organisation")
        ),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], name=op.f("fk_product_review_product_id_product")),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["app_user.id"], name=op.f("fk_product_review_requested_by_app_user")
        ),
        sa.ForeignKeyConstraint(["reviewed_by"], ["app_user.id"], name=op.f("fk_product_review_reviewed_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_review")),
    )
    with op.batch_alter_table("product_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_product_review_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_product_review_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_product_review_product_id"), ["product_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_product_review_state"), ["state"], unique=False)

    op.create_table(
        "subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("applied_by", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("use", sa.Text(), nullable=False),
        sa.Column("max_calls", sa.BigInteger(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("applied_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("decided_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["applied_by"], ["app_user.id"], name=op.f("fk_subscription_applied_by_app_user")),
        sa.ForeignKeyConstraint(
            ["consumer_id"], ["organisation.id"], name=op.f("fk_subscription_consumer_id_organisation")
        ),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_subscription_contract_id_contract")),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"], name=op.f("fk_subscription_decided_by_app_user")),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["organisation.id"], name=op.f("fk_subscription_operator_id_organisation")
        ),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], name=op.f("fk_subscription_product_id_product")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription")),
    )
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscription_consumer_id"), ["consumer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subscription_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subscription_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_subscription_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subscription_product_id"), ["product_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subscription_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscription_state"))
        batch_op.drop_index(batch_op.f("ix_subscription_product_id"))
        batch_op.drop_index(batch_op.f("ix_subscription_operator_id"))
        batch_op.drop_index(batch_op.f("ix_subscription_ledger_seq"))
        batch_op.drop_index(batch_op.f("ix_subscription_contract_id"))
        batch_op.drop_index(batch_op.f("ix_subscription_consumer_id"))

    op.drop_table("subscription")
    with op.batch_alter_table("product_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_review_state"))
        batch_op.drop_index(batch_op.f("ix_product_review_product_id"))
        batch_op.drop_index(batch_op.f("ix_product_review_operator_id"))
        batch_op.drop_index(batch_op.f("ix_product_review_ledger_seq"))

    op.drop_table("product_review")
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_state"))
        batch_op.drop_index(batch_op.f("ix_product_scenario_id"))
        batch_op.drop_index(batch_op.f("ix_product_operator_id"))
        batch_op.drop_index(batch_op.f("ix_product_ledger_seq"))
        batch_op.drop_index(batch_op.f("ix_product_developer_id"))

    op.drop_table("product")
