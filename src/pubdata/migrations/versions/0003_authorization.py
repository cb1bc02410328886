"""authorization

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 22:22:15.738162
"""

import sqlalchemy as sa
from alembic import op

import pubdata.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("tender_reference", sa.String(length=100), nullable=False),
        sa.Column("selection", sa.Text(), nullable=False),
        sa.Column("mode", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("security_duties", sa.Text(), nullable=False),
        sa.Column("partner_conditions", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("bureau_signed_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("operator_signed_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("document_digest", sa.String(length=64), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("renewal_requested_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("exit_on", sa.Date(), nullable=True),
        sa.Column("exit_plan", sa.Text(), nullable=True),
        sa.Column("exit_reason", sa.String(length=32), nullable=True),
        sa.Column("exited_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("handover", sa.Text(), nullable=False),
        sa.Column("created_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["organisation.id"], name=op.f("fk_agreement_operator_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement")),
    )
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_state"), ["state"], unique=False)

    op.create_table(
        "evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("scores", sa.Text(), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("evaluated_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("rectification_due", sa.Date(), nullable=True),
        sa.Column("rectification_plan", sa.Text(), nullable=True),
        sa.Column("rectification_report", sa.Text(), nullable=True),
        sa.Column("rectified_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreement.id"], name=op.f("fk_evaluation_agreement_id_agreement")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation")),
    )
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_agreement_id"), ["agreement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_ledger_seq"), ["ledger_seq"], unique=False)

    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("reported_by", sa.Integer(), nullable=False),
        sa.Column("occurred_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("bad_impact", sa.Boolean(), nullable=True),
        sa.Column("decided_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreement.id"], name=op.f("fk_incident_agreement_id_agreement")),
        sa.ForeignKeyConstraint(
            ["reported_by"], ["organisation.id"], name=op.f("fk_incident_reported_by_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_agreement_id"), ["agreement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_ledger_seq"), ["ledger_seq"], unique=False)

    op.create_table(
        "partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("admitted_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("changed_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreement.id"], name=op.f("fk_partner_agreement_id_agreement")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_partner_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner")),
    )
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_agreement_id"), ["agreement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_partner_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_partner_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "security_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_security_activity_agreement_id_agreement")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_activity")),
    )
    with op.batch_alter_table("security_activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_security_activity_agreement_id"), ["agreement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_security_activity_ledger_seq"), ["ledger_seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("security_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_security_activity_ledger_seq"))
        batch_op.drop_index(batch_op.f("ix_security_activity_agreement_id"))

    op.drop_table("security_activity")
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_partner_ledger_seq"))
        batch_op.drop_index(batch_op.f("ix_partner_agreement_id"))

    op.drop_table("partner")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_ledger_seq"))
        batch_op.drop_index(batch_op.f("ix_incident_agreement_id"))

    op.drop_table("incident")
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_ledger_seq"))
        batch_op.drop_index(batch_op.f("ix_evaluation_agreement_id"))

    op.drop_table("evaluation")
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_state"))
        batch_op.drop_index(batch_op.f("ix_agreement_operator_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_ledger_seq"))

    op.drop_table("agreement")
