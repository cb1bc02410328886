"""Usage contracts and queries under them, on both databases: terms, signatures, the scope check first,
counters that never overspend under 20 concurrent calls, refusals recorded, small groups suppressed."""

from __future__ import annotations

import json
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pubdata.app import create_app
from pubdata.authorization import agreements
from pubdata.ledger.models import LedgerEntry
from pubdata.privacy import dp
from tests.scenarios import (
    BANK_DP_TERMS,
    BANK_TERMS,
    make_account,
    principal,
    run,
    signed_agreement,
    signed_contract,
    tick,
)

TERMS = BANK_TERMS


@pytest.fixture
def deal(platform, city):
    """An agreement covering CZ-RK-0001, and a bank that has signed a contract for it with the operator."""
    signed_agreement(platform)
    bank = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=366)
    return {"contract": signed_contract(platform, city["operator"], bank, TERMS), "bank": bank, **city}


def query(client, account, contract_id: int, sql: str):
    return client.post("/api/v1/queries", headers=account.headers, json={"contract_id": contract_id, "sql": sql})


def test_an_aggregate_query_is_answered_with_small_groups_suppressed(platform, deal):
    with TestClient(create_app(platform)) as client:
        answer = query(
            client,
            deal["bank"],
            deal["contract"]["id"],
            "SELECT district, count(*) AS n FROM cz_rk_0001 GROUP BY district",
        )
        assert answer.status_code == 200, answer.text
        # 20 synthetic persons over four districts: every group has fewer than 10 persons, so none is shown.
        assert answer.json() == {"columns": ["district", "n"], "rows": []}
        total = query(client, deal["bank"], deal["contract"]["id"], "SELECT count(*) AS n FROM cz_rk_0001").json()
        assert total == {"columns": ["n"], "rows": [[20]]}
        counters = client.get(f"/api/v1/contracts/{deal['contract']['id']}", headers=deal["bank"].headers).json()
        assert (counters["calls_used"], counters["rows_used"]) == (2, 1)
    with platform.read() as session:
        assert session.scalar(select(LedgerEntry.action).order_by(LedgerEntry.seq.desc()).limit(1)) == "contract.call"


def test_refusals_name_the_rule_and_are_recorded(platform, deal):
    with TestClient(create_app(platform)) as client:
        refused = query(client, deal["bank"], deal["contract"]["id"], "SELECT max(id_number) FROM cz_rk_0001")
        assert refused.status_code == 403 and refused.json()["rule"] == "sql.sensitive-column"
        assert client.get("/api/v1/ledger/entries?limit=1").json()[0]["action"] == "sandbox.query-refused"
        stranger = query(client, deal["partner"], deal["contract"]["id"], "SELECT count(*) FROM cz_rk_0001")
        assert stranger.status_code == 404
        counters = client.get(f"/api/v1/contracts/{deal['contract']['id']}", headers=deal["bank"].headers).json()
        assert counters["calls_used"] == 0
        assert (
            query(client, deal["bank"], deal["contract"]["id"], "SELECT count(*) AS n FROM cz_rk_0001").status_code
            == 200
        )
        record = client.get(f"/api/v1/contracts/{deal['contract']['id']}/record", headers=deal["bank"].headers).json()
        assert [entry["action"] for entry in record["ledger"]] == [
            "contract.propose",
            "contract.sign",
            "contract.sign",
            "sandbox.query-refused",
            "contract.call",
        ]
        assert record["counters"]["calls"] == 1


def test_twenty_concurrent_calls_never_overspend(platform, deal):
    contract_id = deal["contract"]["id"]
    outcomes: list[int] = []
    lock = threading.Lock()

    def call() -> None:
        with TestClient(create_app(platform)) as client:
            status = query(client, deal["bank"], contract_id, "SELECT count(*) AS n FROM cz_rk_0001").status_code
        with lock:
            outcomes.append(status)

    threads = [threading.Thread(target=call) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(200) == 10 and len(outcomes) == 20
    with TestClient(create_app(platform)) as client:
        contract = client.get(f"/api/v1/contracts/{contract_id}", headers=deal["bank"].headers).json()
        assert (contract["calls_used"], contract["state"]) == (10, "exhausted")
        again = query(client, deal["bank"], contract_id, "SELECT count(*) AS n FROM cz_rk_0001")
        assert again.status_code == 403 and again.json()["rule"] == "contract.exhausted"


def test_the_operators_scope_is_checked_first(platform, deal):
    with platform.read() as session:
        agreement_id = agreements.list_agreements(session, principal=principal(platform, "bureau.admin"))[0].id
    run(
        platform,
        agreements.terminate_for_violation,
        principal=principal(platform, "bureau.admin"),
        agreement_id=agreement_id,
        detail="超范围使用",
    )
    with TestClient(create_app(platform)) as client:
        refused = query(client, deal["bank"], deal["contract"]["id"], "SELECT count(*) AS n FROM cz_rk_0001")
        assert refused.status_code == 403 and refused.json()["rule"] == "authorization.out-of-scope"
        # The next tick makes the contract say so: revoked by the platform, with the reason, once.
        assert tick(platform) == [f"contract {deal['contract']['id']} revoked: the operator's authorization has ended"]
        assert tick(platform) == []
        contract = client.get(f"/api/v1/contracts/{deal['contract']['id']}", headers=deal["bank"].headers).json()
        assert contract["state"] == "revoked"
        assert (
            query(client, deal["bank"], deal["contract"]["id"], "SELECT count(*) AS n FROM cz_rk_0001").status_code
            == 403
        )


def test_terms_are_checked_and_exported_as_odrl(platform, deal):
    with TestClient(create_app(platform)) as client:
        bad = client.post(
            "/api/v1/contracts",
            headers=deal["operator"].headers,
            json={"assignee_id": deal["bank"].organisation_id, "terms": {**TERMS, "dimensions": ["full_name"]}},
        )
        assert bad.status_code == 422 and bad.json()["rule"] == "contract.dimensions"
        outside = client.post(
            "/api/v1/contracts",
            headers=deal["operator"].headers,
            json={"assignee_id": deal["bank"].organisation_id, "terms": {**TERMS, "resources": ["CZ-XX-9999"]}},
        )
        assert outside.status_code == 403 and outside.json()["rule"] == "authorization.out-of-scope"
        answer = client.get(f"/api/v1/contracts/{deal['contract']['id']}/odrl", headers=deal["bank"].headers)
        assert answer.headers["content-type"].startswith("application/ld+json")
        document = answer.json()
        assert document["profile"] == "https://pubdata.example/odrl/profile"
        assert document["assignee"]["uid"] == f"urn:pubdata:organisation:{deal['bank'].organisation_id}"
        assert document["assignee"]["name"] == "池州农村商业银行"
        constraints = {c["leftOperand"]: c["rightOperand"] for c in document["permission"][0]["constraint"]}
        assert constraints["purpose"] == {"@id": "pubdata:publicGovernance"} and constraints["calls"] == 10


DP_TERMS = BANK_DP_TERMS


@pytest.fixture
def dp_contract(platform, deal):
    with TestClient(create_app(platform)) as client:
        contract = client.post(
            "/api/v1/contracts",
            headers=deal["operator"].headers,
            json={"assignee_id": deal["bank"].organisation_id, "terms": DP_TERMS},
        ).json()
        client.post(f"/api/v1/contracts/{contract['id']}/signatures", headers=deal["operator"].headers)
        client.post(f"/api/v1/contracts/{contract['id']}/signatures", headers=deal["bank"].headers)
    return contract["id"]


def test_dp_answers_are_noisy_charged_once_and_repeated_from_the_cache(platform, deal, dp_contract):
    with TestClient(create_app(platform)) as client:
        first = query(
            client, deal["bank"], dp_contract, "SELECT count(*) AS n, avg(household_size) AS size FROM cz_rk_0001"
        )
        assert first.status_code == 200, first.text
        ((n, size),) = first.json()["rows"]
        assert abs(n - 20) < 60 and isinstance(size, float)
        again = query(
            client, deal["bank"], dp_contract, "SELECT count(*) AS n, avg(household_size) AS size FROM cz_rk_0001"
        )
        assert again.json() == first.json()
        contract = client.get(f"/api/v1/contracts/{dp_contract}", headers=deal["bank"].headers).json()
        assert contract["epsilon_spent_micro"] == 250_000 and contract["calls_used"] == 1
        refused = query(client, deal["bank"], dp_contract, "SELECT min(household_size) AS m FROM cz_rk_0001")
        assert refused.status_code == 403 and refused.json()["rule"] == "sql.dp-aggregate"
        unbounded = query(client, deal["bank"], dp_contract, "SELECT sum(birth_date) AS s FROM cz_rk_0001")
        assert unbounded.status_code == 403


def test_the_same_new_dp_question_asked_at_once_is_answered_once(platform, deal, dp_contract, monkeypatch):
    """Calls asking the same new question while the first is still being noised: the first answer is every
    call's answer, its ε is spent once, and the others are recorded as repeats — never a second noisy answer,
    never an error. (The noise step waits until all the calls have started.)"""
    calls, started = 4, threading.Barrier(4, timeout=30)
    noise = dp.release

    def release_slowly(*args, **kwargs):
        answer = noise(*args, **kwargs)
        time.sleep(0.5)  # the other calls arrive meanwhile
        return answer

    monkeypatch.setattr(dp, "release", release_slowly)
    answers: list = []
    lock = threading.Lock()

    def call() -> None:
        with TestClient(create_app(platform)) as client:
            started.wait()
            response = query(client, deal["bank"], dp_contract, "SELECT count(*) AS n FROM cz_rk_0001")
        with lock:
            answers.append((response.status_code, response.json()))

    threads = [threading.Thread(target=call) for _ in range(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in answers] == [200] * calls, answers
    assert all(body == answers[0][1] for _, body in answers)
    with platform.read() as session:
        actions = list(session.scalars(select(LedgerEntry.action).where(LedgerEntry.action.like("%dp-repeat"))))
    assert len(actions) == calls - 1
    with TestClient(create_app(platform)) as client:
        contract = client.get(f"/api/v1/contracts/{dp_contract}", headers=deal["bank"].headers).json()
    assert contract["epsilon_spent_micro"] == 250_000 and contract["calls_used"] == 1


def test_twenty_concurrent_dp_queries_never_overspend_the_budget(platform, deal, dp_contract):
    outcomes: list[int] = []
    lock = threading.Lock()

    def call(k: int) -> None:
        with TestClient(create_app(platform)) as client:
            status = query(
                client, deal["bank"], dp_contract, f"SELECT count(*) AS n FROM cz_rk_0001 WHERE district <> '{k}'"
            ).status_code
        with lock:
            outcomes.append(status)

    threads = [threading.Thread(target=call, args=(k,)) for k in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(200) == 4, outcomes
    with TestClient(create_app(platform)) as client:
        contract = client.get(f"/api/v1/contracts/{dp_contract}", headers=deal["bank"].headers).json()
        assert contract["epsilon_spent_micro"] == 1_000_000 == contract["epsilon_budget_micro"]


def _tampered(platform, code: str, column: str) -> None:
    """Fault injection: the stored data version's ``column`` no longer holds what the catalogue says (numbers
    where text is published), so a plan comparing it with text fails inside the engine, on the data. The
    version's recorded checksum is of this file: a version loaded this way, not a file damaged after its load
    (that is ``data.damaged``, tests/catalog/test_integrity.py)."""
    import duckdb

    from pubdata.catalog import service as catalog
    from pubdata.catalog.models import ResourceVersion
    from pubdata.engines import files

    with platform.read() as session:
        _, recorded = catalog.data_of(session, code=code)
    path = platform.settings.domain_dir / recorded.file
    path.chmod(0o644)
    scratch = path.with_suffix(".tampered")
    duckdb.execute(
        f"COPY (SELECT * REPLACE (length({column}) + 0.5 AS {column}) FROM read_parquet('{path}')) TO '{scratch}' "
        "(FORMAT parquet)"
    )
    scratch.replace(path)
    with platform.command() as session:
        version = session.get(ResourceVersion, recorded.version_id)
        version.checksum = files.digest_of(path, recorded.algorithm)
        version.size_bytes = path.stat().st_size


def test_an_engine_failure_is_generic_charged_and_recorded(platform, deal):
    """No oracle: what fails on the data fails the same way whatever the data — one refusal with no class,
    position or value — and the call is charged, because it reached the data."""
    _tampered(platform, "CZ-RK-0001", "district")
    with TestClient(create_app(platform)) as client:
        contract = deal["contract"]["id"]
        failed = query(client, deal["bank"], contract, "SELECT count(*) AS n FROM cz_rk_0001 WHERE district = '贵池区'")
        assert failed.status_code == 403, failed.text
        body = failed.json()
        assert body["rule"] == "sql.engine-failed"
        assert not any(word in failed.text for word in ("Conversion", "Error", "DOUBLE", "LINE", "^"))
        counters = client.get(f"/api/v1/contracts/{contract}", headers=deal["bank"].headers).json()
        assert counters["calls_used"] == 1
        with platform.read() as session:
            last = session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(1)).one()
        assert last.action == "contract.call" and json.loads(last.payload)["outcome"] == "engine-failed"
        refused = query(client, deal["bank"], contract, "SELECT count(*) AS n FROM cz_rk_0001 WHERE district = 1")
        assert refused.json()["rule"] == "sql.literal-type"  # a plan refusal: free, and named
        counters = client.get(f"/api/v1/contracts/{contract}", headers=deal["bank"].headers).json()
        assert counters["calls_used"] == 1


def test_under_dp_the_epsilon_is_spent_before_the_engine_runs_and_never_refunded(platform, deal, dp_contract):
    _tampered(platform, "CZ-RK-0001", "district")
    with TestClient(create_app(platform)) as client:
        failed = query(client, deal["bank"], dp_contract, "SELECT count(*) AS n FROM cz_rk_0001 WHERE district = 'a'")
        assert failed.status_code == 403 and failed.json()["rule"] == "sql.engine-failed"
        contract = client.get(f"/api/v1/contracts/{dp_contract}", headers=deal["bank"].headers).json()
        assert contract["epsilon_spent_micro"] == 250_000 and contract["calls_used"] == 1
        again = query(client, deal["bank"], dp_contract, "SELECT count(*) AS n FROM cz_rk_0001 WHERE district = 'a'")
        assert again.json()["rule"] == "sql.engine-failed"
        contract = client.get(f"/api/v1/contracts/{dp_contract}", headers=deal["bank"].headers).json()
        assert contract["epsilon_spent_micro"] == 500_000  # asking again after a failure is a new use of the data


def test_a_dp_answer_states_its_epsilon_and_noise(platform, deal, dp_contract):
    with TestClient(create_app(platform)) as client:
        answer = query(client, deal["bank"], dp_contract, "SELECT count(*) AS n FROM cz_rk_0001").json()
    assert answer["privacy"]["epsilon"] == 0.25
    assert answer["privacy"]["outputs"]["n"]["scale"] == pytest.approx(4.0)
    assert answer["privacy"]["outputs"]["n"]["ci95"] == pytest.approx(4.0 * 2.9957, rel=1e-3)


def test_the_same_dp_question_ordered_or_cut_another_way_reuses_its_release(platform, deal, dp_contract):
    """HAVING, ORDER BY and LIMIT are post-processing of the kept release: re-asking with another order or
    limit cannot draw fresh noise to average away, and costs no ε."""
    base = "SELECT district, count(*) AS n FROM cz_rk_0001 GROUP BY district"
    with TestClient(create_app(platform)) as client:
        first = query(client, deal["bank"], dp_contract, base)
        ordered = query(client, deal["bank"], dp_contract, base + " ORDER BY n DESC LIMIT 1")
        assert first.status_code == ordered.status_code == 200, ordered.text
        contract = client.get(f"/api/v1/contracts/{dp_contract}", headers=deal["bank"].headers).json()
    assert contract["epsilon_spent_micro"] == 250_000
    rows = first.json()["rows"]
    assert ordered.json()["rows"] == sorted(rows, key=lambda row: row[1], reverse=True)[:1]


def test_a_failed_self_check_runs_nothing_charges_nothing_and_names_nothing(platform, deal, monkeypatch):
    """Fault injection: the generated SQL fails its self-check. The call is refused, free and recorded, and
    the refusal says nothing of what the check found."""
    from pubdata.engines import plan as governed

    def failing(plan, sql, dialect, *, names=None):
        raise governed.PlanInconsistent("protected column t0.id_number")

    monkeypatch.setattr(governed, "self_check", failing)
    with TestClient(create_app(platform)) as client:
        sql = "SELECT district, count(*) AS self_checked FROM cz_rk_0001 GROUP BY district"
        refused = query(client, deal["bank"], deal["contract"]["id"], sql)
        assert refused.status_code == 403 and refused.json()["rule"] == "sql.plan-check"
        assert "id_number" not in refused.text and "t0" not in refused.text
        counters = client.get(f"/api/v1/contracts/{deal['contract']['id']}", headers=deal["bank"].headers).json()
        assert counters["calls_used"] == 0
        assert client.get("/api/v1/ledger/entries?limit=1").json()[0]["action"] == "sandbox.query-refused"
