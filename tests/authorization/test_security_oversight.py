"""The security office's page, on both databases: every incident and drill of every agreement, and its finding on
each, recorded in the ledger."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.authorization import evaluation, security
from pubdata.common import clock
from pubdata.ledger import service as ledger
from tests.scenarios import at, log_in_page, principal, run, signed_agreement


def logged_in(app, login: str) -> TestClient:
    client = TestClient(app)
    log_in_page(client, login)
    return client


def test_the_security_office_sees_every_incident_and_drill_and_records_its_finding(platform, city):
    agreement = signed_agreement(platform)
    at("2026-03-10")
    operator = principal(platform, "operator.admin")
    drill = run(
        platform,
        security.record_activity,
        principal=operator,
        agreement_id=agreement.id,
        kind="drill",
        performed_on=date(2026, 3, 9),
        summary="数据泄露应急演练，30 分钟内完成处置",
    )
    incident = run(
        platform,
        evaluation.report_incident,
        principal=operator,
        agreement_id=agreement.id,
        occurred_at=clock.parse_moment("2026-03-10T08:30:00"),
        description="接口异常调用，已封禁来源",
    )
    app = create_app(platform)
    office = logged_in(app, "security.admin")
    assert 'href="/security"' in office.get("/").text  # on its menu
    page = office.get("/security").text
    assert "数据泄露应急演练" in page and "接口异常调用" in page and "池州数据运营有限公司" in page
    assert page.count("尚未记录意见") == 2

    form = {"csrf_token": office.cookies["pubdata_csrf"], "kind": "incident", "item_id": str(incident.id)}
    refused = office.post("/security/findings", data={**form, "finding": "  "})
    assert refused.status_code == 422 and "请写明监管意见。" in refused.text
    with platform.read() as session:
        before = ledger.size(session)
    finding = "处置及时，要求一周内提交溯源报告。"
    done = office.post("/security/findings", data={**form, "finding": finding}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/security"
    drill_form = {**form, "kind": "activity", "item_id": str(drill.id), "finding": "演练方案完整。"}
    assert office.post("/security/findings", data=drill_form, follow_redirects=False).status_code == 303
    page = office.get("/security").text
    assert "已记录安全监管意见。" in page
    assert finding in page and "演练方案完整。" in page and "尚未记录意见" not in page
    with platform.read() as session:
        entries = ledger.latest_entries(session, limit=2)
        assert ledger.size(session) == before + 2
        assert {entry.action for entry in entries} == {"authorization.security.finding"}
        assert {ledger.payload_of(entry)["subject"] for entry in entries} == {
            f"incident:{incident.id}",
            f"security_activity:{drill.id}",
        }
    missing = office.post("/security/findings", data={**form, "item_id": "999", "finding": finding})
    assert missing.status_code == 404


def test_only_the_overseers_see_it_and_only_the_security_office_records(platform, city):
    signed_agreement(platform)
    app = create_app(platform)
    operator = logged_in(app, "operator.admin")
    assert 'href="/security"' not in operator.get("/").text
    assert operator.get("/security").status_code == 403
    form = {"csrf_token": operator.cookies["pubdata_csrf"], "kind": "incident", "item_id": "1", "finding": "x"}
    assert operator.post("/security/findings", data=form).status_code == 403
    bureau = logged_in(app, "bureau.admin")
    page = bureau.get("/security")
    assert page.status_code == 200 and 'action="/security/findings"' not in page.text
