"""Whole lives of an operator's licence, walked with the platform clock, on both databases (三(四))."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pubdata.app import create_app
from pubdata.authorization import agreements, deadlines, partners, scope
from pubdata.authorization import evaluation as evaluations
from pubdata.authorization.models import Agreement
from pubdata.authorization.schemas import Scope
from pubdata.common.errors import Refused
from pubdata.ledger.models import LedgerEntry
from pubdata.ledger.verify import verify
from tests.scenarios import SCORES, SCORES_FOR, SELECTION, at, make_account, principal, run, signed_agreement, tick


def checked(session, **kwargs) -> str | None:
    """The scope check's answer, as the ledger keeps a refusal's reason."""
    reasons = scope.check_use(session, **kwargs)
    return None if reasons is None else scope.explain(reasons)


def state(platform, agreement_id: int) -> str:
    with platform.read() as session:
        return session.get(Agreement, agreement_id).state


def evaluate(platform, agreement_id: int, result: str):
    return run(
        platform,
        evaluations.evaluate,
        principal=principal(platform, "bureau.admin"),
        agreement_id=agreement_id,
        period="2026",
        scores=SCORES_FOR[result],
        result=result,
    )


def test_sign_then_renew_on_time_then_pass(platform, city):
    agreement = signed_agreement(platform)
    assert (agreement.state, agreement.starts_on, agreement.expires_on) == (
        "active",
        date(2026, 1, 5),
        date(2029, 1, 4),
    )
    with platform.read() as session:
        signed = session.scalar(
            select(LedgerEntry).where(LedgerEntry.action == "authorization.agreement.sign-operator")
        )
        assert agreement.document_digest and agreement.document_digest in signed.payload
    at("2028-10-04")  # the last day a renewal is accepted
    operator = principal(platform, "operator.admin")
    assert (
        run(platform, agreements.request_renewal, principal=operator, agreement_id=agreement.id).state
        == "renewal_requested"
    )
    renewed = run(
        platform,
        agreements.decide_renewal,
        principal=principal(platform, "bureau.admin"),
        agreement_id=agreement.id,
        approve=True,
    )
    assert (renewed.state, renewed.expires_on) == ("active", date(2032, 1, 4))
    assert evaluate(platform, agreement.id, "pass").result == "pass"
    at("2029-02-01")
    assert tick(platform) == [] and state(platform, agreement.id) == "active"


def test_renewal_too_late_then_expiry_then_exit(platform, city):
    agreement = signed_agreement(platform)
    at("2028-10-05")
    with pytest.raises(Refused, match="by 2028-10-04") as refused:
        run(
            platform,
            agreements.request_renewal,
            principal=principal(platform, "operator.admin"),
            agreement_id=agreement.id,
        )
    assert refused.value.rule == "authorization.renewal-too-late"
    at("2029-01-04")
    assert tick(platform) == []
    at("2029-01-05")
    assert tick(platform) == [f"agreement {agreement.id} exited: expiry"]
    assert tick(platform) == []  # running it twice changes nothing more
    assert state(platform, agreement.id) == "exited"


def test_rectified_in_29_days_then_pass(platform, city):
    agreement = signed_agreement(platform)
    at("2026-06-01")
    evaluation = evaluate(platform, agreement.id, "rectify")
    assert evaluation.rectification_due == date(2026, 7, 1) and state(platform, agreement.id) == "rectifying"
    at("2026-06-30")
    run(
        platform,
        evaluations.submit_rectification,
        principal=principal(platform, "operator.admin"),
        agreement_id=agreement.id,
        plan="整改方案",
        report="整改报告",
    )
    evaluate(platform, agreement.id, "pass")
    at("2026-07-10")
    assert tick(platform) == [] and state(platform, agreement.id) == "active"


def test_rectification_missed_after_31_days_exits(platform, city):
    agreement = signed_agreement(platform)
    at("2026-06-01")
    evaluate(platform, agreement.id, "rectify")
    at("2026-07-01")
    assert tick(platform) == []
    at("2026-07-02")
    with pytest.raises(Refused, match="due by 2026-07-01"):
        run(
            platform,
            evaluations.submit_rectification,
            principal=principal(platform, "operator.admin"),
            agreement_id=agreement.id,
            plan="方案",
            report="报告",
        )
    assert tick(platform) == [f"agreement {agreement.id} exited: rectification_missed"]


def test_rectify_twice_exits(platform, city):
    agreement = signed_agreement(platform)
    evaluate(platform, agreement.id, "rectify")
    run(
        platform,
        evaluations.submit_rectification,
        principal=principal(platform, "operator.admin"),
        agreement_id=agreement.id,
        plan="方案",
        report="报告",
    )
    evaluate(platform, agreement.id, "rectify")
    with platform.read() as session:
        exited = session.get(Agreement, agreement.id)
        assert (exited.state, exited.exit_reason) == ("exited", "rectification_failed")


def test_a_failed_evaluation_exits(platform, city):
    agreement = signed_agreement(platform)
    evaluate(platform, agreement.id, "fail")
    assert state(platform, agreement.id) == "exited"


def test_incident_with_bad_impact_exits_and_every_request_is_refused_the_same_second(platform, city):
    agreement = signed_agreement(platform)
    operator = principal(platform, "operator.admin")
    run(
        platform,
        partners.admit_partner,
        principal=operator,
        agreement_id=agreement.id,
        partner_id=city["partner"].organisation_id,
        scope=Scope.model_validate({"resources": ["CZ-RK-0001"], "max_grade": "general-4"}),
    )
    with TestClient(create_app(platform)) as client:
        assert client.get("/api/v1/me", headers=city["operator"].headers).status_code == 200
        assert client.get("/api/v1/me", headers=city["partner"].headers).status_code == 200
        incident = run(
            platform,
            evaluations.report_incident,
            principal=principal(platform, "security.admin"),
            agreement_id=agreement.id,
            occurred_at=datetime(2026, 1, 4, 22, tzinfo=UTC),
            description="接口被越权调用，导致数据泄露",
        )
        run(
            platform,
            evaluations.decide_incident,
            principal=principal(platform, "bureau.admin"),
            incident_id=incident.id,
            bad_impact=True,
        )
        for account in (city["operator"], city["partner"]):
            refused = client.get("/api/v1/me", headers=account.headers)
            assert refused.status_code == 401, refused.text
    with platform.read() as session:
        assert (
            checked(session, organisation_id=operator.organisation_id, code="CZ-RK-0001")
            == f"agreement {agreement.id} is exited"
        )
        assert verify(session, public_keys=platform.public_keys).ok


def test_scope_is_enforced_and_refusals_are_recorded(platform, city):
    agreement = signed_agreement(platform)
    operator = principal(platform, "operator.admin")
    partner_id = city["partner"].organisation_id
    with pytest.raises(Refused, match="sectors outside the operator's scope: public_security") as wide:
        run(
            platform,
            partners.admit_partner,
            principal=operator,
            agreement_id=agreement.id,
            partner_id=partner_id,
            scope=Scope.model_validate({"sectors": ["public_security"]}),
        )
    assert wide.value.rule == "authorization.partner-scope-too-wide"
    partner = run(
        platform,
        partners.admit_partner,
        principal=operator,
        agreement_id=agreement.id,
        partner_id=partner_id,
        scope=Scope.model_validate({"resources": ["CZ-CG-0001"], "max_grade": "general-4"}),
    )
    partner_user = principal(platform, "partner.admin")
    with platform.read() as session:
        assert checked(session, organisation_id=operator.organisation_id, code="CZ-RK-0001") is None
        assert checked(session, organisation_id=operator.organisation_id, code="CZ-CG-0001") is None
        assert checked(session, organisation_id=partner_id, code="CZ-CG-0001") is None
        assert "outside the authorized scope" in checked(session, organisation_id=partner_id, code="CZ-RK-0001")
    with pytest.raises(Refused, match="outside the authorized scope"), platform.read() as session:
        scope.require_use(session, actor=partner_user.actor, organisation_id=partner_id, code="CZ-RK-0001")
    with platform.read() as session:  # the refusal was recorded although the use failed
        assert (
            session.scalar(select(LedgerEntry.action).order_by(LedgerEntry.seq.desc()).limit(1))
            == "authorization.use-refused"
        )
    run(
        platform,
        partners.change_partner,
        principal=operator,
        partner_id=partner.id,
        event="suspend",
        reason="未按期提交报告",
    )
    with platform.read() as session:
        assert checked(session, organisation_id=partner_id, code="CZ-CG-0001") == "the partner is suspended"
    evaluate(platform, agreement.id, "rectify")
    with platform.read() as session:
        assert (
            checked(session, organisation_id=operator.organisation_id, code="CZ-RK-0001")
            == f"agreement {agreement.id} is rectifying"
        )


def test_bad_requests_are_refused_with_their_rule(platform, city):
    bureau, operator = principal(platform, "bureau.admin"), principal(platform, "operator.admin")
    agreement = signed_agreement(platform)
    with pytest.raises(Refused) as second:
        signed_agreement(platform, scope=Scope.model_validate({"resources": ["CZ-RK-0001"], "max_grade": "general-3"}))
    assert second.value.rule == "authorization.scope-taken"
    with pytest.raises(Refused, match="missing: public_welfare") as partial:
        run(
            platform,
            evaluations.evaluate,
            principal=bureau,
            agreement_id=agreement.id,
            period="2026",
            scores={k: v for k, v in SCORES.items() if k != "public_welfare"},
            result="pass",
        )
    assert partial.value.rule == "authorization.evaluation-dimensions"
    draft = run(
        platform,
        agreements.record_agreement,
        principal=bureau,
        operator_id=operator.organisation_id,
        tender_reference="CZZB-2026-002",
        selection=SELECTION,
        scope=Scope.model_validate({"sectors": ["finance"]}),
        security_duties="安全责任",
    )
    with pytest.raises(Refused) as wrong:  # the security office sees every agreement, and signs none
        run(platform, agreements.sign, principal=principal(platform, "security.admin"), agreement_id=draft.id)
    assert (wrong.value.rule, wrong.value.status) == ("authorization.wrong-signatory", 403)
    with pytest.raises(Refused) as hidden:  # a department does not even see it: another organisation's object
        run(platform, agreements.sign, principal=principal(platform, "police.admin"), agreement_id=draft.id)
    assert (hidden.value.rule, hidden.value.status) == ("authorization.not-found", 404)
    with pytest.raises(Refused) as early:
        run(platform, agreements.request_renewal, principal=operator, agreement_id=draft.id)
    assert early.value.rule == "authorization.transition"
    with pytest.raises(Refused) as core:
        run(
            platform,
            agreements.record_agreement,
            principal=bureau,
            operator_id=operator.organisation_id,
            tender_reference="x",
            selection=SELECTION,
            scope=Scope.model_validate({"sectors": ["taxation"], "max_grade": "core"}),
            security_duties="安全责任",
        )
    assert core.value.rule == "authorization.scope-grade"
    with pytest.raises(Refused) as selection:
        run(
            platform,
            agreements.record_agreement,
            principal=bureau,
            operator_id=operator.organisation_id,
            tender_reference="x",
            selection={"capability": "证明"},
            scope=Scope.model_validate({"sectors": ["taxation"]}),
            security_duties="安全责任",
        )
    assert selection.value.rule == "authorization.selection-conditions"


def test_an_exit_plan_needs_three_months_and_then_takes_effect(platform, city):
    agreement = signed_agreement(platform)
    operator = principal(platform, "operator.admin")
    at("2026-03-01")
    with pytest.raises(Refused, match="2026-06-01") as short:
        run(
            platform,
            agreements.plan_exit,
            principal=operator,
            agreement_id=agreement.id,
            exit_on=date(2026, 5, 31),
            plan="数据全部返还",
        )
    assert short.value.rule == "authorization.exit-notice"
    planned = run(
        platform,
        agreements.plan_exit,
        principal=operator,
        agreement_id=agreement.id,
        exit_on=date(2026, 6, 1),
        plan="数据全部返还，产品下架",
    )
    assert planned.state == "exit_planned"
    at("2026-05-31")
    assert tick(platform) == []
    at("2026-06-01")
    assert tick(platform) == [f"agreement {agreement.id} exited: early_termination"]
    bureau = principal(platform, "bureau.admin")
    handed = run(
        platform,
        agreements.record_handover,
        principal=bureau,
        agreement_id=agreement.id,
        items=[
            {"item": "CZ-RK-0001 加工数据", "action": "destroyed"},
            {"item": "普惠金融评分产品", "action": "returned"},
        ],
    )
    assert "destroyed" in handed.handover
    # Exit is final, and a later operator can be authorized for the same scope.
    later = make_account(platform, kind="operator", name="池州数字产业集团", login="operator2.admin", days=366)
    successor = run(
        platform,
        agreements.record_agreement,
        principal=bureau,
        operator_id=later.organisation_id,
        tender_reference="CZZB-2026-009",
        selection=SELECTION,
        scope=Scope.model_validate({"resources": ["CZ-RK-0001"]}),
        security_duties="安全责任",
    )
    assert successor.state == "draft"


def test_renewal_reminders_start_four_months_before_expiry(platform, city):
    agreement = signed_agreement(platform)
    bureau = principal(platform, "bureau.admin")
    at("2028-09-03")
    with platform.read() as session:
        assert deadlines.reminders(session, principal=bureau) == []
    at("2028-09-04")
    with platform.read() as session:
        assert deadlines.reminders(session, principal=bureau) == [
            {"agreement_id": agreement.id, "kind": "renewal", "due": date(2028, 10, 4), "expires_on": date(2029, 1, 4)}
        ]


def test_the_bureau_ends_a_licence_for_another_violation(platform, city):
    agreement = signed_agreement(platform)
    bureau = principal(platform, "bureau.admin")
    with pytest.raises(Refused):
        run(platform, agreements.terminate_for_violation, principal=bureau, agreement_id=agreement.id, detail=" ")
    with pytest.raises(Refused):
        run(
            platform,
            agreements.terminate_for_violation,
            principal=principal(platform, "operator.admin"),
            agreement_id=agreement.id,
            detail="x",
        )
    ended = run(
        platform,
        agreements.terminate_for_violation,
        principal=bureau,
        agreement_id=agreement.id,
        detail="超授权范围使用公共数据",
    )
    assert (ended.state, ended.exit_reason) == ("exited", "violation")
    with pytest.raises(Refused):
        run(platform, agreements.terminate_for_violation, principal=bureau, agreement_id=agreement.id, detail="again")
