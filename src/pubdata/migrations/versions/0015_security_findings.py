"""security findings: the security office's finding on each incident, drill and risk assessment

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

import pubdata.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "security_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("finding", sa.Text(), nullable=False),
        sa.Column("recorded_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_security_finding_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["security_activity.id"], name=op.f("fk_security_finding_activity_id_security_activity")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_security_finding_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["app_user.id"], name=op.f("fk_security_finding_recorded_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_finding")),
    )
    with op.batch_alter_table("security_finding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_security_finding_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_security_finding_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_security_finding_ledger_seq"), ["ledger_seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("security_finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_security_finding_ledger_seq"))
        batch_op.drop_index(batch_op.f("ix_security_finding_incident_id"))
        batch_op.drop_index(batch_op.f("ix_security_finding_activity_id"))
    op.drop_table("security_finding")
