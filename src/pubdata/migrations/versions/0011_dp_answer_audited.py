"""dp answers audited: each kept differentially private answer is an audited row with its ledger entry, and
the latest entry recording each audited row's state is one index lookup away

Answers kept before this revision get one entry each (``privacy.answer-adopt``, by the platform), recording
their state as it is now, so that from here on an edited answer is found and refused like any audited row.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

import pubdata.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The table as this revision knows it: its audited state is every column but ledger_seq.
DP_ANSWER = sa.table(
    "dp_answer",
    sa.column("id", sa.Integer()),
    sa.column("contract_id", sa.Integer()),
    sa.column("query_digest", sa.String()),
    sa.column("answer", sa.Text()),
    sa.column("released_at", pubdata.db.UTCDateTime()),
    sa.column("ledger_seq", sa.BigInteger()),
)


def upgrade() -> None:
    op.create_index(
        "ix_ledger_entry_state_subject",
        "ledger_entry",
        ["subject", "seq"],
        unique=False,
        postgresql_where=sa.text("state_digest IS NOT NULL"),
        sqlite_where=sa.text("state_digest IS NOT NULL"),
    )
    with op.batch_alter_table("dp_answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ledger_seq", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_dp_answer_ledger_seq"), ["ledger_seq"], unique=False)
    _adopt_kept_answers()


def _adopt_kept_answers() -> None:
    from pubdata.common import canonical
    from pubdata.common.actor import SYSTEM
    from pubdata.ledger import service as ledger
    from pubdata.privacy import messages  # noqa: F401 - declares the action

    session = Session(bind=op.get_bind())
    kept = session.execute(sa.select(DP_ANSWER).order_by(DP_ANSWER.c.id)).mappings().all()
    if not kept:
        return
    h = ledger.hasher(ledger.algorithm(session))
    drafts = []
    for row in kept:
        state = {key: row[key] for key in ("id", "contract_id", "query_digest", "answer", "released_at")}
        drafts.append(
            ledger.Draft(
                actor=SYSTEM,
                action="privacy.answer-adopt",
                subject=f"dp_answer:{row['id']}",
                payload={"contract": row["contract_id"], "query": row["query_digest"]},
                state_digest=h.digest(canonical.dumps(state)).hex(),
            )
        )
    for row, seq in zip(kept, ledger.append(session, drafts), strict=True):
        session.execute(sa.update(DP_ANSWER).where(DP_ANSWER.c.id == row["id"]).values(ledger_seq=seq))
    session.flush()


def downgrade() -> None:
    with op.batch_alter_table("dp_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dp_answer_ledger_seq"))
        batch_op.drop_column("ledger_seq")
    op.drop_index("ix_ledger_entry_state_subject", table_name="ledger_entry")
