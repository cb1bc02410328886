"""Department contribution scores over the API and pages, on both databases: the police's score for 2026 from its
recorded facts (two registered monthly resources, one kept current by a load this year, a quality ticket
answered on time) under the default weights; the bureau's weights refused when they do not sum to their total
and taken as version 1 when they do; the ranking exported as CSV; a department sees its own score only."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from tests.data import person_rows
from tests.scenarios import at, ledger_size, loaded_version, make_account, page_client

TICKET = {"resource": "CZ-RK-0001", "kind": "error", "rows": "3", "description": "第 3 行出生日期错误。"}


@pytest.fixture
def scored(platform, city):
    at("2026-03-02")
    bank = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.clerk", days=366)
    bureau = make_account(platform, kind="bureau", name="池州市数据资源局", login="bureau.clerk2", days=366)
    police = make_account(platform, kind="provider", name="池州市公安局", login="police.clerk2", days=366)
    loaded_version(platform, "CZ-RK-0001", person_rows(20, seed=9))
    with TestClient(create_app(platform)) as client:
        ticket = client.post("/api/v1/quality/tickets", headers=bank.headers, json=TICKET).json()
        at("2026-03-04")
        client.post(f"/api/v1/quality/tickets/{ticket['id']}/answer", headers=police.headers, json={"answer": "已更正"})
        at("2026-03-20")
        yield {"client": client, "bureau": bureau, "police": police, "bank": bank, **city}


def test_the_polices_score_comes_from_its_facts_under_the_default_weights(platform, scored):
    found = scored["client"].get("/api/v1/quality/scores?year=2026", headers=scored["bureau"].headers)
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["weights"] == {"version": 0, "weights": body["weights"]["weights"], "total": 100}
    (police,) = body["ranking"]
    assert police["department"] == "池州市公安局" and police["rank"] == 1
    assert police["values"] == {
        "registered": 2,
        "current": 0.5,  # CZ-RK-0001 loaded this month; CZ-CG-0001 last in December
        "loads": 1,
        "on_time": 1.0,
        "products": 0,
        "calls": 0,
    }
    assert police["points"] == {"registered": 20, "current": 10, "loads": 10, "on_time": 20, "products": 0, "calls": 0}
    assert police["total"] == 60


def test_the_bureaus_weights_must_sum_to_their_total_and_are_versioned(platform, scored):
    client, bureau = scored["client"], scored["bureau"]
    weights = {"registered": 30, "current": 20, "loads": 10, "on_time": 20, "products": 10, "calls": 10}
    before = ledger_size(platform)
    wrong = client.put("/api/v1/quality/score-weights", headers=bureau.headers, json={"weights": weights, "total": 90})
    assert wrong.status_code == 422 and wrong.json()["rule"] == "quality.weights-total"
    assert "100" in wrong.json()["detail"] and "90" in wrong.json()["detail"]
    assert ledger_size(platform) == before
    assert (
        client.put(
            "/api/v1/quality/score-weights", headers=scored["police"].headers, json={"weights": weights, "total": 100}
        ).status_code
        == 403
    )
    taken = client.put("/api/v1/quality/score-weights", headers=bureau.headers, json={"weights": weights, "total": 100})
    assert taken.status_code == 201 and taken.json()["version"] == 1
    body = client.get("/api/v1/quality/scores?year=2026", headers=bureau.headers).json()
    assert body["weights"]["version"] == 1 and body["ranking"][0]["total"] == 70


def test_the_ranking_exports_as_csv_and_a_department_sees_only_its_own_score(platform, scored):
    bureau, _ = page_client(platform, "bureau.clerk2")
    page = bureau.get("/scores?year=2026")
    assert page.status_code == 200 and "池州市公安局" in page.text and 'data-testid="chart"' in page.text
    exported = bureau.get("/scores.csv?year=2026")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["排名", "部门", "登记资源数"] and rows[1][:2] == ["1", "池州市公安局"]
    assert rows[1][-2:] == ["60.0", "0"]
    police_id = scored["police"].organisation_id
    detail = bureau.get(f"/scores/{police_id}?year=2026").text
    assert 'data-testid="resource-CZ-RK-0001"' in detail and "/quality/" in detail
    police, _ = page_client(platform, "police.clerk2")
    own = police.get("/scores?year=2026", follow_redirects=False)
    assert own.status_code == 303 and own.headers["location"] == f"/scores/{police_id}?year=2026"
    assert police.get(own.headers["location"]).status_code == 200
    assert police.get("/scores.csv?year=2026").status_code == 403
    assert police.get(f"/scores/{scored['bank'].organisation_id}?year=2026").status_code in (403, 404)
