"""scenarios: data demands, scenario plans with their risk assessment, departments' opinions

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

import pubdata.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("proposer_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("users", sa.Text(), nullable=False),
        sa.Column("resources", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("benefit", sa.Text(), nullable=False),
        sa.Column("risk", sa.Text(), nullable=False),
        sa.Column("risk_level", sa.String(length=16), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("submitted_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("decided_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"], name=op.f("fk_scenario_decided_by_app_user")),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["organisation.id"], name=op.f("fk_scenario_operator_id_organisation")
        ),
        sa.ForeignKeyConstraint(["proposed_by"], ["app_user.id"], name=op.f("fk_scenario_proposed_by_app_user")),
        sa.ForeignKeyConstraint(
            ["proposer_id"], ["organisation.id"], name=op.f("fk_scenario_proposer_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario")),
        sa.UniqueConstraint("code", name=op.f("uq_scenario_code")),
    )
    with op.batch_alter_table("scenario", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scenario_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_scenario_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scenario_proposer_id"), ["proposer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scenario_state"), ["state"], unique=False)

    op.create_table(
        "data_demand",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poster_id", sa.Integer(), nullable=False),
        sa.Column("posted_by", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("data_wanted", sa.Text(), nullable=False),
        sa.Column("use", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("posted_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("answer_due", sa.Date(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("answer_reason", sa.Text(), nullable=True),
        sa.Column("scenario_id", sa.Integer(), nullable=True),
        sa.Column("answered_by_organisation", sa.Integer(), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("closed_at", pubdata.db.UTCDateTime(), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["answered_by"], ["app_user.id"], name=op.f("fk_data_demand_answered_by_app_user")),
        sa.ForeignKeyConstraint(
            ["answered_by_organisation"],
            ["organisation.id"],
            name=op.f("fk_data_demand_answered_by_organisation_organisation"),
        ),
        sa.ForeignKeyConstraint(["posted_by"], ["app_user.id"], name=op.f("fk_data_demand_posted_by_app_user")),
        sa.ForeignKeyConstraint(["poster_id"], ["organisation.id"], name=op.f("fk_data_demand_poster_id_organisation")),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenario.id"], name=op.f("fk_data_demand_scenario_id_scenario")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_demand")),
    )
    with op.batch_alter_table("data_demand", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_demand_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_demand_poster_id"), ["poster_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_demand_state"), ["state"], unique=False)

    op.create_table(
        "scenario_opinion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("opinion", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("given_by", sa.Integer(), nullable=False),
        sa.Column("given_at", pubdata.db.UTCDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"], ["organisation.id"], name=op.f("fk_scenario_opinion_department_id_organisation")
        ),
        sa.ForeignKeyConstraint(["given_by"], ["app_user.id"], name=op.f("fk_scenario_opinion_given_by_app_user")),
        sa.ForeignKeyConstraint(
            ["scenario_id"], ["scenario.id"], name=op.f("fk_scenario_opinion_scenario_id_scenario")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_opinion")),
        sa.UniqueConstraint("scenario_id", "department_id", name=op.f("uq_scenario_opinion_scenario_id")),
    )
    with op.batch_alter_table("scenario_opinion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scenario_opinion_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scenario_opinion_ledger_seq"), ["ledger_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_scenario_opinion_scenario_id"), ["scenario_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scenario_opinion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scenario_opinion_scenario_id"))
        batch_op.drop_index(batch_op.f("ix_scenario_opinion_ledger_seq"))
        batch_op.drop_index(batch_op.f("ix_scenario_opinion_department_id"))

    op.drop_table("scenario_opinion")
    with op.batch_alter_table("data_demand", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_demand_state"))
        batch_op.drop_index(batch_op.f("ix_data_demand_poster_id"))
        batch_op.drop_index(batch_op.f("ix_data_demand_ledger_seq"))

    op.drop_table("data_demand")
    with op.batch_alter_table("scenario", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scenario_state"))
        batch_op.drop_index(batch_op.f("ix_scenario_proposer_id"))
        batch_op.drop_index(batch_op.f("ix_scenario_operator_id"))
        batch_op.drop_index(batch_op.f("ix_scenario_ledger_seq"))

    op.drop_table("scenario")
