"""Migration 0011 on SQLite and PostgreSQL: a DP answer kept before it becomes an audited row with its own
ledger entry, so it is still served after the upgrade, and an edit of it afterwards is refused."""

from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import select, text

from pubdata.common import clock
from pubdata.common.actor import CLI
from pubdata.common.errors import Refused
from pubdata.db import make_engine, make_sessionmaker
from pubdata.ledger import service as ledger
from pubdata.ledger.models import LedgerEntry
from pubdata.platform import alembic_config
from pubdata.privacy import service as privacy
from pubdata.privacy.models import DpAnswer
from tests.system.test_migrations import fresh_url  # noqa: F401 - the fixture: a fresh database per test

ANSWER = json.dumps({"columns": ["n"], "rows": [[21.7]], "privacy": {"epsilon": 0.25}})


def _to(engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_answers_kept_before_the_upgrade_are_adopted_by_the_ledger(fresh_url):  # noqa: F811
    engine = make_engine(fresh_url)
    try:
        _to(engine, "0009")
        with make_sessionmaker(engine)() as session, session.begin():
            ledger.ensure_ledger(session, algorithm="sm3")
            ledger.record(session, actor=CLI, action="ledger.payload.read", subject="contract:1")
            now = {"at": clock.now()}
            session.execute(
                text(
                    "INSERT INTO organisation (kind, name, active, created_at) VALUES "
                    "('operator', '运营', true, :at), ('consumer', '银行', true, :at)"
                ),
                now,
            )
            session.execute(
                text(
                    "INSERT INTO contract (assigner_id, assignee_id, terms, terms_digest, state, valid_from, "
                    "valid_until, max_calls, max_rows, epsilon_budget_micro, calls_used, rows_used, "
                    "epsilon_spent_micro, created_at) VALUES (1, 2, '{}', :d, 'active', '2026-01-05', "
                    "'2026-12-31', 10, 10, 1000000, 1, 0, 250000, :at)"
                ),
                now | {"d": "0" * 64},
            )
            session.execute(
                text(
                    "INSERT INTO dp_answer (contract_id, query_digest, answer, released_at) "
                    "VALUES (1, :q, :answer, :at)"
                ),
                now | {"q": "a" * 64, "answer": ANSWER},
            )
        _to(engine, "head")
        with make_sessionmaker(engine)() as session, session.begin():
            kept = session.scalar(select(DpAnswer))
            entry = session.get(LedgerEntry, kept.ledger_seq)
            assert (entry.action, entry.subject) == ("privacy.answer-adopt", f"dp_answer:{kept.id}")
            answer = privacy.released_answer(session, contract_id=1, query_digest="a" * 64)
            assert answer is not None and answer.rows == [[21.7]]
            session.execute(text("UPDATE dp_answer SET answer = :a"), {"a": ANSWER.replace("21.7", "99")})
            session.expire_all()
            with pytest.raises(Refused) as refused:
                privacy.released_answer(session, contract_id=1, query_digest="a" * 64)
            assert refused.value.rule == "privacy.release-unverified"
    finally:
        engine.dispose()
