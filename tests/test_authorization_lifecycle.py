"""Whole lives of an operator's licence, walked with the platform clock, on both databases (三(四))."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pubdata import scheduler
from pubdata.app import create_app
from pubdata.authorization import service as authorization
from pubdata.catalog import service as catalog
from pubdata.catalog.schemas import ResourceIn
from pubdata.common import clock
from pubdata.common.errors import Conflict, InvalidInput, PermissionDenied, StateRefused
from pubdata.identity import service as identity
from pubdata.ledger.models import LedgerEntry
from pubdata.ledger.verify import verify
from tests.factory import csv_text, person_rows, resource_body
from tests.helpers import make_account

SELECTION = {
    key: "见招标文件附件" for key in ("capability", "credibility", "knowledge", "environment", "responsibility")
}
SCORES = {
    d: {"score": 85, "evidence": "评估报告"} for d in ("security", "performance", "scenario_benefit", "public_welfare")
}


def at(day: str) -> None:
    clock.freeze(clock.parse_moment(day + "T10:00:00"))


def principal(platform, login: str):
    with platform.session() as session:
        return identity.principal_for(session, identity.find_user(session, login=login))


def run(platform, command, **kwargs):
    """One command in one transaction, as a route would."""
    with platform.session() as session:
        result = command(session, **kwargs)
        session.commit()
        return result


def tick(platform) -> list[str]:
    return run(platform, lambda session: scheduler.tick(session))


@pytest.fixture
def city(platform):
    """A bureau, a department with two registered resources, an operator and a partner."""
    at("2025-12-01")
    accounts = {
        "bureau": make_account(platform, kind="bureau", name="池州市数据资源局", login="bureau.admin", days=366),
        "police": make_account(platform, kind="provider", name="池州市公安局", login="police.admin", days=366),
        "operator": make_account(
            platform, kind="operator", name="池州数据运营有限公司", login="operator.admin", days=366
        ),
        "partner": make_account(
            platform, kind="partner", name="池州普惠金融科技有限公司", login="partner.admin", days=366
        ),
        "security": make_account(platform, kind="security", name="池州市委网信办", login="security.admin", days=366),
    }
    police, bureau = principal(platform, "police.admin"), principal(platform, "bureau.admin")
    for code, sector in (("CZ-RK-0001", "public_security"), ("CZ-CG-0001", "urban_management")):
        resource = run(
            platform,
            catalog.describe,
            principal=police,
            body=ResourceIn.model_validate(resource_body(code=code, sector=sector)),
        )
        path = platform.settings.data_dir / f"{code}.csv"
        path.write_text(csv_text(person_rows(20)), encoding="utf-8")
        with platform.session() as session:
            catalog.load(
                session,
                principal=police,
                resource_id=resource.id,
                domain_dir=platform.settings.domain_dir,
                source_format="csv",
                path=path,
            )
            session.commit()
        application = run(
            platform, catalog.submit_registration, principal=police, resource_id=resource.id, kind="first"
        )
        run(
            platform,
            catalog.review_registration,
            principal=bureau,
            registration_id=application.id,
            decision="accept",
            reason=None,
        )
    at("2025-12-31")
    assert len(tick(platform)) == 2
    return accounts


def signed_agreement(platform, *, day: str = "2026-01-05", scope=None):
    at(day)
    bureau, operator = principal(platform, "bureau.admin"), principal(platform, "operator.admin")
    agreement = run(
        platform,
        authorization.record_agreement,
        principal=bureau,
        operator_id=operator.organisation_id,
        tender_reference="CZZB-2025-001",
        selection=SELECTION,
        scope=scope or {"resources": ["CZ-RK-0001"], "sectors": ["urban_management"], "max_grade": "general-4"},
        security_duties="落实数据安全主体责任",
    )
    run(platform, authorization.sign, principal=bureau, agreement_id=agreement.id)
    return run(platform, authorization.sign, principal=operator, agreement_id=agreement.id)


def state(platform, agreement_id: int) -> str:
    with platform.session() as session:
        return session.get(authorization.Agreement, agreement_id).state


def evaluate(platform, agreement_id: int, result: str):
    return run(
        platform,
        authorization.evaluate,
        principal=principal(platform, "bureau.admin"),
        agreement_id=agreement_id,
        period="2026",
        scores=SCORES,
        result=result,
    )


def test_sign_then_renew_on_time_then_pass(platform, city):
    agreement = signed_agreement(platform)
    assert (agreement.state, agreement.starts_on, agreement.expires_on) == (
        "active",
        date(2026, 1, 5),
        date(2029, 1, 4),
    )
    with platform.session() as session:
        signed = session.scalar(
            select(LedgerEntry).where(LedgerEntry.action == "authorization.agreement.sign-operator")
        )
        assert agreement.document_digest and agreement.document_digest in signed.payload
    at("2028-10-04")  # the last day a renewal is accepted
    operator = principal(platform, "operator.admin")
    assert (
        run(platform, authorization.request_renewal, principal=operator, agreement_id=agreement.id).state
        == "renewal_requested"
    )
    renewed = run(
        platform,
        authorization.decide_renewal,
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
    with pytest.raises(StateRefused, match="by 2028-10-04") as refused:
        run(
            platform,
            authorization.request_renewal,
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
        authorization.submit_rectification,
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
    with pytest.raises(StateRefused, match="due by 2026-07-01"):
        run(
            platform,
            authorization.submit_rectification,
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
        authorization.submit_rectification,
        principal=principal(platform, "operator.admin"),
        agreement_id=agreement.id,
        plan="方案",
        report="报告",
    )
    evaluate(platform, agreement.id, "rectify")
    with platform.session() as session:
        exited = session.get(authorization.Agreement, agreement.id)
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
        authorization.admit_partner,
        principal=operator,
        agreement_id=agreement.id,
        partner_id=city["partner"].organisation_id,
        scope={"resources": ["CZ-RK-0001"], "max_grade": "general-4"},
    )
    with TestClient(create_app(platform)) as client:
        assert client.get("/api/v1/me", headers=city["operator"].headers).status_code == 200
        assert client.get("/api/v1/me", headers=city["partner"].headers).status_code == 200
        incident = run(
            platform,
            authorization.report_incident,
            principal=principal(platform, "security.admin"),
            agreement_id=agreement.id,
            occurred_at=datetime(2026, 1, 4, 22, tzinfo=UTC),
            description="接口被越权调用，导致数据泄露",
        )
        run(
            platform,
            authorization.decide_incident,
            principal=principal(platform, "bureau.admin"),
            incident_id=incident.id,
            bad_impact=True,
        )
        for account in (city["operator"], city["partner"]):
            refused = client.get("/api/v1/me", headers=account.headers)
            assert refused.status_code == 401, refused.text
    with platform.session() as session:
        assert (
            authorization.check_use(session, organisation_id=operator.organisation_id, code="CZ-RK-0001")
            == f"agreement {agreement.id} is exited"
        )
        assert verify(session, public_keys=platform.public_keys).ok


def test_scope_is_enforced_and_refusals_are_recorded(platform, city):
    agreement = signed_agreement(platform)
    operator = principal(platform, "operator.admin")
    partner_id = city["partner"].organisation_id
    with pytest.raises(InvalidInput, match="sectors outside the operator's scope: public_security") as wide:
        run(
            platform,
            authorization.admit_partner,
            principal=operator,
            agreement_id=agreement.id,
            partner_id=partner_id,
            scope={"sectors": ["public_security"]},
        )
    assert wide.value.rule == "authorization.partner-scope-too-wide"
    partner = run(
        platform,
        authorization.admit_partner,
        principal=operator,
        agreement_id=agreement.id,
        partner_id=partner_id,
        scope={"resources": ["CZ-CG-0001"], "max_grade": "general-4"},
    )
    partner_user = principal(platform, "partner.admin")
    with platform.session() as session:
        assert authorization.check_use(session, organisation_id=operator.organisation_id, code="CZ-RK-0001") is None
        assert authorization.check_use(session, organisation_id=operator.organisation_id, code="CZ-CG-0001") is None
        assert authorization.check_use(session, organisation_id=partner_id, code="CZ-CG-0001") is None
        assert "outside the authorized scope" in authorization.check_use(
            session, organisation_id=partner_id, code="CZ-RK-0001"
        )
        with pytest.raises(PermissionDenied, match="outside the authorized scope"):
            authorization.require_use(session, actor=partner_user.actor, organisation_id=partner_id, code="CZ-RK-0001")
        assert (
            session.scalar(select(LedgerEntry.action).order_by(LedgerEntry.seq.desc()).limit(1))
            == "authorization.use-refused"
        )
    run(
        platform,
        authorization.change_partner,
        principal=operator,
        partner_id=partner.id,
        event="suspend",
        reason="未按期提交报告",
    )
    with platform.session() as session:
        assert (
            authorization.check_use(session, organisation_id=partner_id, code="CZ-CG-0001")
            == "the partner is suspended"
        )
    evaluate(platform, agreement.id, "rectify")
    with platform.session() as session:
        assert (
            authorization.check_use(session, organisation_id=operator.organisation_id, code="CZ-RK-0001")
            == f"agreement {agreement.id} is rectifying"
        )


def test_bad_requests_are_refused_with_their_rule(platform, city):
    bureau, operator = principal(platform, "bureau.admin"), principal(platform, "operator.admin")
    agreement = signed_agreement(platform)
    with pytest.raises(Conflict) as second:
        signed_agreement(platform, scope={"resources": ["CZ-RK-0001"], "max_grade": "general-3"})
    assert second.value.rule == "authorization.scope-taken"
    with pytest.raises(InvalidInput, match="missing: public_welfare") as partial:
        run(
            platform,
            authorization.evaluate,
            principal=bureau,
            agreement_id=agreement.id,
            period="2026",
            scores={k: v for k, v in SCORES.items() if k != "public_welfare"},
            result="pass",
        )
    assert partial.value.rule == "authorization.evaluation-dimensions"
    draft = run(
        platform,
        authorization.record_agreement,
        principal=bureau,
        operator_id=operator.organisation_id,
        tender_reference="CZZB-2026-002",
        selection=SELECTION,
        scope={"sectors": ["finance"]},
        security_duties="安全责任",
    )
    with pytest.raises(PermissionDenied) as wrong:
        run(platform, authorization.sign, principal=principal(platform, "police.admin"), agreement_id=draft.id)
    assert wrong.value.rule == "authorization.wrong-signatory"
    with pytest.raises(StateRefused) as early:
        run(platform, authorization.request_renewal, principal=operator, agreement_id=draft.id)
    assert early.value.rule == "authorization.transition"
    with pytest.raises(InvalidInput) as core:
        run(
            platform,
            authorization.record_agreement,
            principal=bureau,
            operator_id=operator.organisation_id,
            tender_reference="x",
            selection=SELECTION,
            scope={"sectors": ["taxation"], "max_grade": "core"},
            security_duties="安全责任",
        )
    assert core.value.rule == "authorization.scope-grade"
    with pytest.raises(InvalidInput) as selection:
        run(
            platform,
            authorization.record_agreement,
            principal=bureau,
            operator_id=operator.organisation_id,
            tender_reference="x",
            selection={"capability": "证明"},
            scope={"sectors": ["taxation"]},
            security_duties="安全责任",
        )
    assert selection.value.rule == "authorization.selection-conditions"


def test_an_exit_plan_needs_three_months_and_then_takes_effect(platform, city):
    agreement = signed_agreement(platform)
    operator = principal(platform, "operator.admin")
    at("2026-03-01")
    with pytest.raises(StateRefused, match="2026-06-01") as short:
        run(
            platform,
            authorization.plan_exit,
            principal=operator,
            agreement_id=agreement.id,
            exit_on=date(2026, 5, 31),
            plan="数据全部返还",
        )
    assert short.value.rule == "authorization.exit-notice"
    planned = run(
        platform,
        authorization.plan_exit,
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
        authorization.record_handover,
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
        authorization.record_agreement,
        principal=bureau,
        operator_id=later.organisation_id,
        tender_reference="CZZB-2026-009",
        selection=SELECTION,
        scope={"resources": ["CZ-RK-0001"]},
        security_duties="安全责任",
    )
    assert successor.state == "draft"


def test_renewal_reminders_start_four_months_before_expiry(platform, city):
    agreement = signed_agreement(platform)
    bureau = principal(platform, "bureau.admin")
    at("2028-09-03")
    with platform.session() as session:
        assert authorization.reminders(session, principal=bureau) == []
    at("2028-09-04")
    with platform.session() as session:
        assert authorization.reminders(session, principal=bureau) == [
            {"agreement_id": agreement.id, "kind": "renewal", "due": date(2028, 10, 4), "expires_on": date(2029, 1, 4)}
        ]


def test_the_bureau_ends_a_licence_for_another_violation(platform, city):
    agreement = signed_agreement(platform)
    bureau = principal(platform, "bureau.admin")
    with pytest.raises(InvalidInput):
        run(platform, authorization.terminate_for_violation, principal=bureau, agreement_id=agreement.id, detail=" ")
    with pytest.raises(PermissionDenied):
        run(
            platform,
            authorization.terminate_for_violation,
            principal=principal(platform, "operator.admin"),
            agreement_id=agreement.id,
            detail="x",
        )
    ended = run(
        platform,
        authorization.terminate_for_violation,
        principal=bureau,
        agreement_id=agreement.id,
        detail="超授权范围使用公共数据",
    )
    assert (ended.state, ended.exit_reason) == ("exited", "violation")
    with pytest.raises(StateRefused):
        run(
            platform, authorization.terminate_for_violation, principal=bureau, agreement_id=agreement.id, detail="again"
        )
