"""Data demands (数据供需) over the API, on both databases: posted by a consumer or a department with its answer
day in working days, answered by the operator with a scenario plan or a reasoned refusal, closed by its poster,
listed publicly without any person's name, and counted for the annual report."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.scenarios import service as plans
from pubdata.workbench import service as workbench
from tests.scenarios import at, make_account, principal, read, signed_agreement

DEMAND = {
    "title": "小微企业纳税信用数据",
    "data_wanted": "企业纳税信用等级与欠税记录",
    "use": "小微企业信用贷款审批",
    "purpose": "industry",
}


@pytest.fixture
def market(platform, city):
    """The operator with its signed agreement, a bank, and the API."""
    signed_agreement(platform)
    bank = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.clerk", role="member", days=366)
    with TestClient(create_app(platform)) as client:
        yield {"client": client, "bank": bank, **city}


def post(market, account=None, **changes):
    return market["client"].post(
        "/api/v1/demands", headers=(account or market["bank"]).headers, json={**DEMAND, **changes}
    )


def test_a_bank_posts_a_demand_due_in_ten_working_days_and_the_public_sees_it_without_names(platform, market):
    at("2026-02-10")  # ten working days later, past the Spring Festival holiday (15–23 February)
    posted = post(market)
    assert posted.status_code == 201, posted.text
    demand = posted.json()
    assert demand["state"] == "posted" and demand["answer_due"] == "2026-03-02"
    listed = market["client"].get("/api/v1/public/demands").json()
    assert [item["id"] for item in listed] == [demand["id"]]
    assert listed[0]["poster_kind"] == "consumer" and listed[0]["poster_name"] == "池州农村商业银行"
    assert "bank.clerk" not in str(listed) and "posted_by" not in listed[0]
    # A department may post too; the operator, a partner and the public may not.
    assert post(market, market["police"]).status_code == 201
    for account in (market["operator"], market["partner"]):
        refused = post(market, account)
        assert refused.status_code == 403 and refused.json()["rule"] == "identity.permission"
    assert market["client"].post("/api/v1/demands", json=DEMAND).status_code == 401
    assert post(market, purpose="charity").json()["rule"] == "demand.purpose"


def test_the_operator_refuses_with_a_reason_or_answers_with_a_new_draft_and_the_poster_closes(platform, market):
    client, operator = market["client"], market["operator"]
    first, second = post(market).json(), post(market, title="城市治理数据").json()
    bare = client.post(f"/api/v1/demands/{first['id']}/answer", headers=operator.headers, json={"answer": "refused"})
    assert bare.status_code == 422 and bare.json()["rule"] == "demand.refusal-reason"
    refused = client.post(
        f"/api/v1/demands/{first['id']}/answer",
        headers=operator.headers,
        json={"answer": "refused", "reason": "所需数据不在授权范围内"},
    )
    assert refused.status_code == 200 and refused.json()["answer"] == "refused"
    drafted = client.post(
        f"/api/v1/demands/{second['id']}/answer",
        headers=operator.headers,
        json={"answer": "scenario", "field": "inclusive_finance"},
    ).json()
    scenario = client.get(f"/api/v1/scenarios/{drafted['scenario_id']}", headers=operator.headers).json()
    assert scenario["state"] == "draft" and scenario["name"] == "城市治理数据" and scenario["purpose"] == "industry"
    # The bank may not answer; the poster closes; a closed demand takes no answer.
    wrong = client.post(
        f"/api/v1/demands/{second['id']}/answer", headers=market["bank"].headers, json={"answer": "refused"}
    )
    assert wrong.status_code == 403
    third = post(market).json()
    closed = client.post(f"/api/v1/demands/{third['id']}/close", headers=market["bank"].headers)
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    late = client.post(
        f"/api/v1/demands/{third['id']}/answer", headers=operator.headers, json={"answer": "refused", "reason": "x"}
    )
    assert late.status_code == 409 and late.json()["rule"] == "demand.transition"
    assert third["id"] not in [item["id"] for item in client.get("/api/v1/public/demands").json()]
    # Another consumer sees neither the bank's demands through the API nor may close them.
    other = make_account(platform, kind="consumer", name="池州市某企业", login="firm.admin", days=366)
    assert client.get(f"/api/v1/demands/{first['id']}", headers=other.headers).status_code == 404
    assert client.post(f"/api/v1/demands/{first['id']}/close", headers=other.headers).status_code == 404


def test_an_operator_without_a_live_agreement_cannot_answer(platform, city):
    bank = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin")
    with TestClient(create_app(platform)) as client:
        demand = client.post("/api/v1/demands", headers=bank.headers, json=DEMAND).json()
        refused = client.post(
            f"/api/v1/demands/{demand['id']}/answer",
            headers=city["operator"].headers,
            json={"answer": "refused", "reason": "暂不承接"},
        )
    assert refused.status_code == 403 and refused.json()["rule"] == "demand.not-operating"


def test_the_annual_figures_count_demands_their_outcomes_and_lateness_by_purpose(platform, market):
    client, operator = market["client"], market["operator"]
    at("2026-03-02")
    answered, refused, ignored = (post(market).json() for _ in range(3))
    governance = post(market, purpose="public_governance").json()
    client.post(
        f"/api/v1/demands/{answered['id']}/answer", headers=operator.headers, json={"answer": "scenario"}
    ).raise_for_status()
    at("2026-03-30")  # past every answer day (2026-03-16)
    client.post(
        f"/api/v1/demands/{refused['id']}/answer",
        headers=operator.headers,
        json={"answer": "refused", "reason": "数据不足"},
    ).raise_for_status()
    assert [d.id for d in read(platform, plans.overdue_demands)] == [ignored["id"], governance["id"]]
    figures = read(platform, plans.demand_figures, year=2026)
    assert (figures["posted"], figures["answered"], figures["refused"], figures["overdue"]) == (4, 1, 1, 3)
    assert figures["by_purpose"]["industry"] == {"posted": 3, "answered": 1, "refused": 1, "overdue": 2}
    assert figures["by_purpose"]["public_governance"]["posted"] == 1
    assert read(platform, plans.demand_figures, year=2025)["posted"] == 0


def test_each_workbench_counts_what_waits_for_it(platform, market):
    def todo(login: str, key: str) -> int:
        bench = read(platform, workbench.bench, principal=principal(platform, login))
        return next(item.count for item in bench.todos if item.key == key)

    at("2026-03-02")
    first, second = post(market).json(), post(market).json()
    assert todo("operator.admin", "workbench.operator.demands_to_answer") == 2
    assert todo("operator.admin", "workbench.demands_overdue") == 0
    at("2026-03-17")  # the day after the answer day
    assert todo("operator.admin", "workbench.demands_overdue") == 2
    assert todo("bureau.admin", "workbench.demands_overdue") == 2
    market["client"].post(
        f"/api/v1/demands/{first['id']}/answer",
        headers=market["operator"].headers,
        json={"answer": "refused", "reason": "数据不足"},
    ).raise_for_status()
    assert todo("operator.admin", "workbench.demands_overdue") == 1
    assert todo("bank.clerk", "workbench.consumer.demands_answered") == 1
    assert second["id"] in [d.id for d in read(platform, plans.overdue_demands)]
