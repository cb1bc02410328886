"""Scenario plans (场景建设方案) through the real services, on both databases: drafted inside the proposer's
scope, submitted, each providing department's opinion, the bureau's decision with its reasons, revision; and
the gate: a partner's real queries and jobs, and the operator's own jobs, need an approved plan covering them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.common.errors import Refused
from pubdata.ledger import service as ledger
from pubdata.scenarios import service as plans
from tests.scenarios import (
    LOW_RISK,
    MODEL_SCRIPT,
    approved_scenario,
    make_account,
    partner_deal,
    principal,
    read,
    run,
    submit_job,
)

PLAN = {
    "name": "小微企业信用画像",
    "field": "inclusive_finance",
    "users": "商业银行信贷人员",
    "purpose": "industry",
    "benefit": "缩短贷款审批时间",
    "risk": LOW_RISK,
}
COUNT = "SELECT count(*) AS n FROM cz_rk_0001"


@pytest.fixture
def deal(platform, city):
    """The partner's development contract over CZ-RK-0001, without any scenario plan yet."""
    return partner_deal(platform, city, scenario=False)


def draft(platform, login: str = "partner.admin", resources=("CZ-RK-0001",), **changes):
    return run(
        platform,
        plans.create_scenario,
        principal=principal(platform, login),
        **{**PLAN, "resources": list(resources), **changes},
    )


def submitted(platform, **changes):
    plan = draft(platform, **changes)
    run(platform, plans.submit_scenario, principal=principal(platform, "partner.admin"), scenario_id=plan.id)
    return plan


def refusal(platform, command, **kwargs) -> Refused:
    with pytest.raises(Refused) as refused:
        run(platform, command, **kwargs)
    return refused.value


def test_a_partner_plan_goes_through_the_departments_opinion_to_the_bureaus_approval(platform, deal):
    plan = submitted(platform)
    assert plan.code.startswith("CJ-") and plan.operator_id == deal["operator"].organisation_id
    bureau, police = principal(platform, "bureau.admin"), principal(platform, "police.admin")
    assert [s.id for s in read(platform, plans.awaiting_opinion, department_id=police.organisation_id)] == [plan.id]
    early = refusal(platform, plans.decide_scenario, principal=bureau, scenario_id=plan.id, approve=True)
    assert early.rule == "scenario.opinions-pending" and early.params["count"] == 1
    run(platform, plans.give_opinion, principal=police, scenario_id=plan.id, opinion="agree")
    assert read(platform, plans.awaiting_opinion, department_id=police.organisation_id) == []
    decided = run(platform, plans.decide_scenario, principal=bureau, scenario_id=plan.id, approve=True)
    assert decided.state == "approved" and decided.risk_level == "low"
    assert read(platform, plans.approved, scenario_id=plan.id).id == plan.id
    covering = read(
        platform,
        plans.covering,
        operator_id=deal["operator"].organisation_id,
        organisation_id=deal["partner"].organisation_id,
        codes=["CZ-RK-0001"],
    )
    assert covering is not None and plans.resources_of(covering) == ("CZ-RK-0001",)
    actions = [entry["action"] for entry in read(platform, ledger.entries_for_subject, subject=f"scenario:{plan.id}")]
    assert actions == ["scenario.create", "scenario.submit", "scenario.approve"]


def test_resources_outside_the_proposers_scope_are_refused_by_name(platform, deal):
    refused = refusal(
        platform,
        plans.create_scenario,
        principal=principal(platform, "partner.admin"),
        **{**PLAN, "resources": ["CZ-RK-0001", "CZ-CG-0001", "CZ-XX-9999"]},
    )
    assert refused.rule == "scenario.out-of-scope"
    assert refused.params["codes"] == "CZ-CG-0001, CZ-XX-9999"


def test_a_disagreement_needs_the_bureaus_reason_and_a_rejection_always_does(platform, deal):
    plan = submitted(platform)
    police, bureau = principal(platform, "police.admin"), principal(platform, "bureau.admin")
    bare = refusal(platform, plans.give_opinion, principal=police, scenario_id=plan.id, opinion="disagree")
    assert bare.rule == "scenario.opinion-reason"
    run(platform, plans.give_opinion, principal=police, scenario_id=plan.id, opinion="disagree", reason="范围过宽")
    over = refusal(platform, plans.decide_scenario, principal=bureau, scenario_id=plan.id, approve=True)
    assert over.rule == "scenario.override-reason"
    unreasoned = refusal(platform, plans.decide_scenario, principal=bureau, scenario_id=plan.id, approve=False)
    assert unreasoned.rule == "scenario.reason-required"
    rejected = run(
        platform, plans.decide_scenario, principal=bureau, scenario_id=plan.id, approve=False, reason="请缩小范围"
    )
    assert rejected.state == "rejected" and rejected.reason == "请缩小范围"
    partner = principal(platform, "partner.admin")
    run(platform, plans.revise_scenario, principal=partner, scenario_id=plan.id)
    run(platform, plans.submit_scenario, principal=partner, scenario_id=plan.id)
    # The department's earlier opinion lapsed with the revision: it is asked again.
    again = refusal(platform, plans.decide_scenario, principal=bureau, scenario_id=plan.id, approve=True)
    assert again.rule == "scenario.opinions-pending"
    run(platform, plans.give_opinion, principal=police, scenario_id=plan.id, opinion="agree")
    assert run(platform, plans.decide_scenario, principal=bureau, scenario_id=plan.id, approve=True).state == "approved"


def test_only_a_department_providing_its_resources_gives_an_opinion_and_only_the_bureau_decides(platform, deal):
    plan = submitted(platform)
    make_account(platform, kind="provider", name="池州市税务局", login="tax.admin")
    other = refusal(
        platform, plans.give_opinion, principal=principal(platform, "tax.admin"), scenario_id=plan.id, opinion="agree"
    )
    assert other.rule == "scenario.not-found"  # another department's plan: as if it did not exist
    operator = refusal(
        platform,
        plans.decide_scenario,
        principal=principal(platform, "operator.admin"),
        scenario_id=plan.id,
        approve=True,
    )
    assert operator.rule == "identity.permission"


def test_an_incomplete_checklist_is_refused_at_submission(platform, deal):
    plan = draft(platform, risk={"personal_information": "low"})
    refused = refusal(
        platform, plans.submit_scenario, principal=principal(platform, "partner.admin"), scenario_id=plan.id
    )
    assert refused.rule == "scenario.risk-incomplete"
    unknown = refusal(
        platform,
        plans.create_scenario,
        principal=principal(platform, "partner.admin"),
        **{**PLAN, "resources": ["CZ-RK-0001"], "risk": {**LOW_RISK, "minors": "maybe"}},
    )
    assert unknown.rule == "scenario.risk-unknown"


def test_a_partners_real_query_needs_an_approved_scenario_and_mock_development_does_not(platform, deal):
    body = {"contract_id": deal["contract_id"], "sql": COUNT}
    partner = deal["partner"]
    with TestClient(create_app(platform)) as client:
        refused = client.post("/api/v1/queries", headers=partner.headers, json=body)
        assert refused.status_code == 403 and refused.json()["rule"] == "scenario.not-covered"
        assert client.get("/api/v1/ledger/entries?limit=1").json()[0]["action"] == "scenario.use-refused"
        job = submit_job(client, partner, deal["contract_id"], MODEL_SCRIPT)
        assert job.status_code == 403 and job.json()["rule"] == "scenario.not-covered"
        assert client.post("/api/v1/dev/queries", headers=partner.headers, json=body).status_code == 200
        approved_scenario(
            platform, proposer_login="partner.admin", codes=("CZ-RK-0001",), purpose="industry", field="industry"
        )
        assert client.post("/api/v1/queries", headers=partner.headers, json=body).status_code == 200
        assert submit_job(client, partner, deal["contract_id"], MODEL_SCRIPT).status_code == 201


def test_the_api_drafts_submits_and_decides_a_plan_and_refuses_in_problem_json(platform, deal):
    partner, police, bureau = deal["partner"], deal["police"], deal["bureau"]
    body = {**PLAN, "resources": ["CZ-RK-0001"]}
    with TestClient(create_app(platform)) as client:
        outside = client.post("/api/v1/scenarios", headers=partner.headers, json={**body, "resources": ["CZ-CG-0001"]})
        assert outside.status_code == 403 and outside.headers["content-type"] == "application/problem+json"
        assert outside.json()["rule"] == "scenario.out-of-scope" and "CZ-CG-0001" in outside.json()["detail"]
        consumer = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin")
        assert client.post("/api/v1/scenarios", headers=consumer.headers, json=body).status_code == 403
        created = client.post("/api/v1/scenarios", headers=partner.headers, json=body)
        assert created.status_code == 201, created.text
        plan = created.json()
        assert plan["resources"] == ["CZ-RK-0001"] and plan["risk"] == LOW_RISK and plan["risk_level"] == "low"
        # A department sees no draft; once submitted it is asked for its opinion.
        assert client.get(f"/api/v1/scenarios/{plan['id']}", headers=police.headers).status_code == 404
        submitted = client.post(f"/api/v1/scenarios/{plan['id']}/submission", headers=partner.headers)
        assert submitted.json()["state"] == "submitted"
        assert [s["id"] for s in client.get("/api/v1/scenarios", headers=police.headers).json()] == [plan["id"]]
        opinion = client.post(
            f"/api/v1/scenarios/{plan['id']}/opinions", headers=police.headers, json={"opinion": "agree"}
        )
        assert opinion.status_code == 200 and opinion.json()["opinion"] == "agree"
        decided = client.post(
            f"/api/v1/scenarios/{plan['id']}/decision", headers=bureau.headers, json={"approve": True}
        )
        assert decided.json()["state"] == "approved"
        again = client.post(f"/api/v1/scenarios/{plan['id']}/decision", headers=bureau.headers, json={"approve": True})
        assert again.status_code == 409 and again.json()["rule"] == "scenario.transition"
        opinions = client.get(f"/api/v1/scenarios/{plan['id']}/opinions", headers=partner.headers).json()
        assert [o["department_id"] for o in opinions] == [police.organisation_id]
