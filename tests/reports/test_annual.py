"""The annual operation report over the API and pages, on both databases: the platform drafts the operator's
2026 report from the facts (calls by resource, product and consumer kind; revenue and free public-welfare use;
drills and incidents), each figure opening to the ledger entries it counts; the operator submits it in 2027 with
its benefits, not twice; the bureau returns it with reasons (it can be submitted again) and accepts it; a
report not in by the end of January shows overdue; the page and the PDF carry the same figures."""

from __future__ import annotations

import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from pubdata.app import create_app
from tests.scenarios import BANK_TERMS, at, make_account, page_client, principal, run, signed_agreement, signed_contract


@pytest.fixture
def year_of_use(platform, city):
    from pubdata.authorization import security

    agreement = signed_agreement(platform)
    bank = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=366)
    at("2026-03-10")
    contract = signed_contract(platform, city["operator"], bank, BANK_TERMS)
    with TestClient(create_app(platform)) as client:
        for _ in range(3):
            answer = client.post(
                "/api/v1/queries",
                headers=bank.headers,
                json={"contract_id": contract["id"], "sql": "SELECT count(*) AS n FROM cz_rk_0001"},
            )
            assert answer.status_code == 200, answer.text
    run(
        platform,
        security.record_activity,
        principal=principal(platform, "operator.admin"),
        agreement_id=agreement.id,
        kind="drill",
        performed_on=date(2026, 3, 9),
        summary="应急演练",
    )
    at("2027-01-10")  # the next year: the city's accounts of December 2025 have expired
    operator = make_account(platform, kind="operator", name="池州数据运营有限公司", login="operator.boss", days=60)
    bureau = make_account(platform, kind="bureau", name="池州市数据资源局", login="bureau.boss", days=60)
    with TestClient(create_app(platform)) as client:
        yield {"client": client, "operator": operator, "bureau": bureau}


def test_the_platform_drafts_the_report_from_the_facts_and_each_figure_opens_to_its_entries(platform, year_of_use):
    client, operator = year_of_use["client"], year_of_use["operator"]
    found = client.get(f"/api/v1/reports/annual/{operator.organisation_id}/2026", headers=operator.headers).json()
    figures = {(f["key"], f["of"]): f for f in found["figures"]}
    assert figures[("calls", "")]["value"] == 3 and figures[("calls", "")]["entries"] == 3
    assert figures[("resource", "CZ-RK-0001")]["value"] == 3
    assert figures[("consumer_kind", "consumer")]["value"] == 3
    assert figures[("free_calls", "")]["value"] == 3  # public governance: free
    assert figures[("drill", "")]["value"] == 1 and figures[("incidents", "")]["value"] == 0
    pages, _ = page_client(platform, "operator.boss")
    page = pages.get(f"/reports/annual/{operator.organisation_id}/2026").text
    assert 'data-testid="submit-form"' in page
    entries = pages.get(f"/reports/annual/{operator.organisation_id}/2026/entries/resource:CZ-RK-0001").text
    assert entries.count("/ledger/verify/") == 3
    pdf = pages.get(f"/reports/annual/{operator.organisation_id}/2026.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "2026 年度运营报告" in text and "人口基础信息库（CZ-RK-0001） 3" in text and "<svg" not in text


def test_submitted_once_returned_with_reasons_then_accepted(platform, year_of_use):
    client, operator, bureau = year_of_use["client"], year_of_use["operator"], year_of_use["bureau"]
    body = {"year": 2026, "benefits": "支持普惠小微贷款 1,200 笔，金额 3.6 亿元。"}
    running = client.post("/api/v1/reports/annual", headers=operator.headers, json={**body, "year": 2027})
    assert running.status_code == 422 and running.json()["rule"] == "reports.year"
    submitted = client.post("/api/v1/reports/annual", headers=operator.headers, json=body)
    assert submitted.status_code == 201, submitted.text
    report = submitted.json()
    assert report["state"] == "submitted" and len(report["figures_digest"]) == 64
    twice = client.post("/api/v1/reports/annual", headers=operator.headers, json=body)
    assert twice.status_code == 409 and twice.json()["rule"] == "reports.already-submitted"
    bare = client.post(
        f"/api/v1/reports/annual/{report['id']}/decision", headers=bureau.headers, json={"accept": False}
    )
    assert bare.status_code == 422 and bare.json()["rule"] == "reports.reason-required"
    returned = client.post(
        f"/api/v1/reports/annual/{report['id']}/decision",
        headers=bureau.headers,
        json={"accept": False, "reason": "请补充城市治理场景的效益。"},
    )
    assert returned.json()["state"] == "returned"
    again = client.post("/api/v1/reports/annual", headers=operator.headers, json={**body, "benefits": "补充后的效益。"})
    assert again.status_code == 201 and again.json()["state"] == "submitted"
    accepted = client.post(
        f"/api/v1/reports/annual/{report['id']}/decision", headers=bureau.headers, json={"accept": True}
    )
    assert accepted.json()["state"] == "accepted"
    assert client.post(
        f"/api/v1/reports/annual/{report['id']}/decision", headers=operator.headers, json={"accept": True}
    ).status_code in (403, 404)


def test_a_report_not_in_by_the_end_of_january_shows_overdue_to_the_bureau(platform, year_of_use):
    bureau, _ = page_client(platform, "bureau.boss")
    listed = bureau.get("/reports/annual").text
    assert 'data-testid="overdue"' not in listed
    assert 'href="/reports/annual"' in bureau.get("/").text
    at("2027-02-01")
    bureau, _ = page_client(platform, "bureau.boss")
    assert 'data-testid="overdue"' in bureau.get("/reports/annual").text


def test_an_evaluation_shows_the_recorded_facts_of_its_period_beside_each_score(platform, year_of_use):
    from pubdata.authorization import agreements, evaluation

    bureau = principal(platform, "bureau.boss")
    with platform.read() as session:
        agreement = agreements.list_agreements(session, principal=bureau)[0]
    scores = {
        d: {"score": 80, "evidence": "评审意见"}
        for d in ("security", "performance", "scenario_benefit", "public_welfare")
    }
    run(
        platform,
        evaluation.evaluate,
        principal=bureau,
        agreement_id=agreement.id,
        period="2026年度",
        scores=scores,
        result="pass",
    )
    pages, _ = page_client(platform, "bureau.boss")
    page = pages.get(f"/agreements/{agreement.id}").text
    article = page.split('data-testid="evaluation-', 1)[1].split("</article>", 1)[0]
    assert "2026 年记录的事实" in article
    assert f"/reports/annual/{agreement.operator_id}/2026/entries/calls" in article and "调用总次数 3" in article
    assert "应急演练 1" in article and "公益免费调用 3" in article
    assert 'data-testid="evaluation-facts"' in page  # the form shows this year's facts beside the scores to give


def test_the_yearly_disclosure_shows_the_operators_year_from_the_same_facts_as_its_report(platform, year_of_use):
    from pubdata.authorization import agreements, security

    client, operator, bureau = year_of_use["client"], year_of_use["operator"], year_of_use["bureau"]
    oid = operator.organisation_id

    def disclosed() -> dict:
        found = client.get("/api/v1/public/disclosure/2026").json()  # no login
        return next(op["operation"] for op in found["operators"] if op["name"] == "池州数据运营有限公司")

    before = disclosed()
    figures = {(f["key"], f["of"]): f["value"] for f in before["figures"]}
    assert figures[("calls", "")] == 3 and figures[("resource", "CZ-RK-0001")] == 3
    assert figures[("free_calls", "")] == 3 and figures[("consumer_kind", "consumer")] == 3
    assert not {"drill", "risk_assessment", "incidents"} & {key for key, _ in figures}  # security stays inside
    assert before["report"] is None and before["benefits"] is None
    public = TestClient(create_app(platform))
    page = public.get("/disclosure/2026").text
    assert 'data-testid="operation"' in page and "该年度运营报告尚未提交" in page
    link = f"/disclosure/2026/operators/{oid}/entries/resource:CZ-RK-0001"
    assert f'href="{link}"' in page and 'data-testid="figure-drill"' not in page
    assert public.get(link).text.count("/ledger/verify/") == 3
    assert public.get(f"/disclosure/2026/operators/{oid}/entries/drill").status_code == 404
    assert public.get(f"/disclosure/2026/operators/{oid + 999}/entries/calls").status_code == 404

    personal = {"year": 2026, "benefits": "联系人手机 13912345678，支持小微贷款。"}
    refused = client.post("/api/v1/reports/annual", headers=operator.headers, json=personal)
    assert refused.status_code == 422 and refused.json()["rule"] == "reports.personal"
    assert "13912345678" not in refused.text
    body = {"year": 2026, "benefits": "支持普惠小微贷款 1,200 笔。"}
    report = client.post("/api/v1/reports/annual", headers=operator.headers, json=body).json()
    submitted = disclosed()
    assert submitted["report"]["state"] == "submitted" and submitted["report"]["matches_facts"] is True
    assert submitted["benefits"] is None  # the operator's words are public once the bureau accepts them
    client.post(f"/api/v1/reports/annual/{report['id']}/decision", headers=bureau.headers, json={"accept": True})
    assert disclosed()["benefits"] == body["benefits"]
    assert "支持普惠小微贷款 1,200 笔。" in public.get("/disclosure/2026").text

    # A drill of 2026 recorded after the report was accepted: the facts no longer give the accepted figures.
    with platform.read() as session:
        agreement = agreements.list_agreements(session, principal=principal(platform, "bureau.boss"))[0]
    run(
        platform,
        security.record_activity,
        principal=principal(platform, "operator.boss"),
        agreement_id=agreement.id,
        kind="drill",
        performed_on=date(2026, 12, 20),
        summary="补录的应急演练",
    )
    assert disclosed()["report"]["matches_facts"] is False
    assert "报告提交后记录的事实有变化" in public.get("/disclosure/2026").text
