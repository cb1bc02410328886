"""Hand edits of the control database, as an attacker with the database's password would make them, on SQLite
and PostgreSQL: `pubdata ledger verify` names each edited row and the entry it contradicts, and the platform
does not act on the edit (a rolled-back contract is not charged again, an edited DP answer is not served)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from typer.testing import CliRunner

from pubdata.app import create_app
from pubdata.cli import app
from pubdata.common.actor import CLI
from pubdata.common.errors import Refused
from pubdata.identity import service as identity
from pubdata.identity.models import ApiToken
from pubdata.ledger import service as ledger
from pubdata.ledger.verify import verify
from pubdata.privacy.models import DpAnswer
from tests.scenarios import AS_CLI, BANK_DP_TERMS, BANK_TERMS, make_account, signed_agreement, signed_contract

TERMS = BANK_TERMS | {"max_calls": 2}
DP_TERMS = BANK_DP_TERMS
COUNT = "SELECT count(*) AS n FROM cz_rk_0001"


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("PUBDATA_DATABASE_URL", settings.database_url)
    return ["--data-dir", str(settings.data_dir)]


def ledger_verify(cli_env) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["ledger", "verify", *cli_env])
    return result.exit_code, " ".join(result.output.split())  # the console wraps long lines


def attack(platform, sql: str, **params) -> None:
    """A hand edit through SQL, behind the platform's back."""
    with platform.engine.begin() as connection:
        connection.execute(text(sql), params)


def row(platform, sql: str, **params) -> dict:
    with platform.engine.connect() as connection:
        return dict(connection.execute(text(sql), params).mappings().one())


def latest_about(platform, subject: str) -> int:
    """The latest entry recording the subject's state, read straight from the ledger table."""
    found = row(
        platform,
        "SELECT max(seq) AS seq FROM ledger_entry WHERE subject = :subject AND state_digest IS NOT NULL",
        subject=subject,
    )
    assert found["seq"] is not None
    return found["seq"]


@pytest.fixture
def bank(platform, city):
    signed_agreement(platform)
    return {
        "bank": make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=366),
        **city,
    }


def query(client, account, contract_id: int, sql: str = COUNT):
    return client.post("/api/v1/queries", headers=account.headers, json={"contract_id": contract_id, "sql": sql})


def test_a_deleted_contract_and_a_deleted_token_are_named(platform, bank, cli_env):
    contract = signed_contract(platform, bank["operator"], bank["bank"], TERMS)
    with platform.read() as session:
        token = session.scalar(select(ApiToken).where(ApiToken.user_id == bank["partner"].user_id))
    token_entry = latest_about(platform, f"api_token:{token.id}")
    contract_entry = latest_about(platform, f"contract:{contract['id']}")
    assert ledger_verify(cli_env)[0] == 0

    attack(platform, "DELETE FROM contract WHERE id = :id", id=contract["id"])
    attack(platform, "DELETE FROM api_token WHERE id = :id", id=token.id)

    code, output = ledger_verify(cli_env)
    assert code == 1
    assert (
        f"entry {contract_entry}: contract:{contract['id']} is missing: entry {contract_entry} recorded it, "
        "and no entry records its removal" in output
    )
    assert f"entry {token_entry}: api_token:{token.id} is missing: entry {token_entry} recorded it" in output


def test_a_deleted_row_stays_named_when_a_new_row_would_take_its_id(platform, cli_env):
    """SQLite gives the highest deleted id again: the platform refuses to create a row under it (the deletion
    would hide behind the new row's entries); PostgreSQL's sequence never does, and the new row is made."""
    with platform.command() as session:
        first = identity.create_organisation(session, principal=AS_CLI, kind="provider", name="池州市统计局")
        second = identity.create_organisation(session, principal=AS_CLI, kind="provider", name="池州市民政局")
    entry = second.ledger_seq
    attack(platform, "DELETE FROM organisation WHERE id = :id", id=second.id)

    if platform.engine.dialect.name == "sqlite":
        with pytest.raises(Refused) as refused, platform.command() as session:  # the command rolls back
            identity.create_organisation(session, principal=AS_CLI, kind="provider", name="池州市卫健委")
        assert refused.value.rule == "ledger.row-unverified"
    else:
        with platform.command() as session:
            assert (
                identity.create_organisation(session, principal=AS_CLI, kind="provider", name="池州市卫健委").id
                > second.id
            )
    code, output = ledger_verify(cli_env)
    assert code == 1 and f"entry {entry}: organisation:{second.id} is missing" in output
    assert f"organisation:{first.id}" not in output


def test_a_removal_the_ledger_records_is_no_problem(platform, bank):
    """The one deletion of an audited row verify accepts: ``ledger.record_removal``, whose entry says so."""
    with platform.command() as session:
        token = session.scalar(select(ApiToken).where(ApiToken.user_id == bank["partner"].user_id))
        ledger.record_removal(session, actor=CLI, action="identity.token.revoke", subject=token)
    with platform.command() as session:  # on SQLite the new token takes the removed one's id: allowed
        identity.issue_token(session, principal=AS_CLI, user_id=bank["partner"].user_id, name="新令牌", days=30)
    with platform.read() as session:
        report = verify(session, public_keys=platform.public_keys)
    assert report.ok, report.problems


def test_counters_rolled_back_to_an_older_entry_are_named_and_not_charged_again(platform, bank, cli_env):
    contract = signed_contract(platform, bank["operator"], bank["bank"], TERMS)
    with TestClient(create_app(platform)) as client:
        assert query(client, bank["bank"], contract["id"]).status_code == 200
        older = row(platform, "SELECT * FROM contract WHERE id = :id", id=contract["id"])
        assert query(client, bank["bank"], contract["id"]).status_code == 200
        latest = latest_about(platform, f"contract:{contract['id']}")
        assert query(client, bank["bank"], contract["id"]).json()["rule"] == "contract.exhausted"

        # Every column as it was after the first call, the row pointing at the entry that recorded that state:
        # the quota is refilled and the row matches an entry about it.
        attack(
            platform,
            "UPDATE contract SET calls_used = :calls_used, rows_used = :rows_used, state = :state, "
            "ledger_seq = :ledger_seq WHERE id = :id",
            **{key: older[key] for key in ("id", "calls_used", "rows_used", "state", "ledger_seq")},
        )

        named = (
            f"entry {latest}: contract:{contract['id']} points at entry {older['ledger_seq']}, but the latest "
            f"entry about it is {latest}: the row was rolled back to the state of an older entry"
        )
        code, output = ledger_verify(cli_env)
        assert code == 1 and named in output

        # The refilled quota cannot be used, so no new entry launders the rollback: verify still names it.
        refused = query(client, bank["bank"], contract["id"])
        assert refused.status_code == 503 and refused.json()["rule"] == "ledger.row-unverified"
    assert row(platform, "SELECT calls_used FROM contract WHERE id = :id", id=contract["id"])["calls_used"] == 1
    code, output = ledger_verify(cli_env)
    assert code == 1 and named in output


def test_an_edited_dp_answer_is_named_and_not_served(platform, bank, cli_env):
    contract = signed_contract(platform, bank["operator"], bank["bank"], DP_TERMS)
    with TestClient(create_app(platform)) as client:
        first = query(client, bank["bank"], contract["id"])
        assert first.status_code == 200, first.text
        with platform.read() as session:
            kept = session.scalar(select(DpAnswer).where(DpAnswer.contract_id == contract["id"]))
        assert ledger_verify(cli_env)[0] == 0

        forged = json.loads(kept.answer) | {"rows": [[999]]}
        attack(platform, "UPDATE dp_answer SET answer = :answer WHERE id = :id", answer=json.dumps(forged), id=kept.id)

        code, output = ledger_verify(cli_env)
        assert code == 1
        entry = latest_about(platform, f"dp_answer:{kept.id}")
        assert f"entry {entry}: dp_answer:{kept.id} was changed after entry {entry} recorded it" in output

        again = query(client, bank["bank"], contract["id"])
        assert again.status_code == 503 and again.json()["rule"] == "privacy.release-unverified"
        assert "999" not in again.text


def test_a_forged_dp_answer_for_a_new_question_is_named_and_not_served(platform, bank, cli_env):
    """An answer planted for a question not asked yet, pointing at the entry of another answer."""
    contract = signed_contract(platform, bank["operator"], bank["bank"], DP_TERMS)
    with TestClient(create_app(platform)) as client:
        assert query(client, bank["bank"], contract["id"]).status_code == 200
        with platform.read() as session:
            kept = session.scalar(select(DpAnswer).where(DpAnswer.contract_id == contract["id"]))
        attack(
            platform,
            "UPDATE dp_answer SET query_digest = :forged WHERE id = :id",
            forged="0" * 64,
            id=kept.id,
        )
        attack(
            platform,
            "INSERT INTO dp_answer (contract_id, query_digest, answer, released_at, ledger_seq) "
            "SELECT contract_id, :digest, :answer, released_at, ledger_seq FROM dp_answer WHERE id = :id",
            digest=kept.query_digest,
            answer=json.dumps({"columns": ["n"], "rows": [[999]], "privacy": {}}),
            id=kept.id,
        )
        code, output = ledger_verify(cli_env)
        assert code == 1 and f"dp_answer:{kept.id} was changed after entry" in output
        assert "which is not about it: no ledger entry records this row" in output
        again = query(client, bank["bank"], contract["id"])
        assert again.status_code == 503 and again.json()["rule"] == "privacy.release-unverified"


def test_verify_in_its_own_process_checks_every_domains_rows(platform, bank, settings):
    """`pubdata ledger verify` as an operator runs it: a process that has imported no domain's tables."""
    with platform.read() as session:
        token = session.scalar(select(ApiToken).where(ApiToken.user_id == bank["partner"].user_id))
    attack(platform, "DELETE FROM api_token WHERE id = :id", id=token.id)
    done = subprocess.run(
        [sys.executable, "-c", "from pubdata.cli import app; app()", "ledger", "verify"]
        + ["--data-dir", str(settings.data_dir)],
        env=os.environ | {"PUBDATA_DATABASE_URL": settings.database_url, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"api_token:{token.id} is missing" in " ".join(done.stdout.split())
