"""The demo built in the last working week of 2026 (`make demo NOW=2026-12-28`) shows every point of the quality,
calendar, score, report, security, audit and transparency story, through its own accounts and the real pages:

- tickets: one filed on 30 September across the National Day holiday, answered on time and confirmed; one
  reopened and answered again; one answered late; one the scheduler flagged overdue; the bureau's of today,
  whose deadline runs into 2027 on the provisional calendar until the bureau loads the 2027 table;
- the departments' contribution scores beside the bureau's weights (version 1);
- drills and assessments on the bureau's cycles, an overdue rectification, one done, the security office's finding;
- the operator's 2026 annual report drafted from the facts (page and PDF), the disclosure of 2026 from the same
  facts, the audit bureau's calls with their governed plans, and a resource's public transparency page.
"""

from __future__ import annotations

import io
from datetime import date

from fastapi.testclient import TestClient
from pypdf import PdfReader

from pubdata import demo
from pubdata.app import create_app
from tests.scenarios import at, log_in_page

TABLE_2027 = "日期,类型,名称\n2027-01-01,放假,元旦\n2027-01-04,放假,元旦\n"


def _headers(document: dict, login: str) -> dict[str, str]:
    token = next(account["token"] for account in document["accounts"] if account["login"] == login)
    return {"Authorization": f"Bearer {token}"}


def _pages(platform, document: dict, login: str) -> TestClient:
    client = TestClient(create_app(platform))
    password = next(a["password"] for a in document["accounts"] if a["login"] == login)
    log_in_page(client, login, password)
    return client


def test_the_demo_of_the_last_working_week_shows_the_whole_story(platform):
    at("2026-12-28")
    document = demo.build(platform, scale=0.02)
    bureau = _headers(document, "bureau.admin")
    with TestClient(create_app(platform)) as api:
        listed = api.get("/api/v1/quality/tickets", headers=bureau).json()
        tickets = {t["id"]: api.get(f"/api/v1/quality/tickets/{t['id']}", headers=bureau).json() for t in listed}
        holiday = next(t for t in tickets.values() if t["filed_at"].startswith("2026-09-30"))
        # Filed the day before National Day (1-7 October off, Saturday 10 October a make-up workday): due 13 October.
        assert holiday["rounds"][0]["due"] == "2026-10-13"
        assert holiday["state"] == "closed" and holiday["rounds"][0]["outcome"] == "confirmed"
        assert holiday["rounds"][0]["late"] is False
        reopened = next(t for t in tickets.values() if len(t["rounds"]) == 2)
        assert reopened["state"] == "answered" and reopened["rounds"][0]["outcome"] == "reopened"
        late = next(t for t in tickets.values() if any(r["late"] for r in t["rounds"]))
        assert late["state"] == "closed" and late["rounds"][-1]["outcome"] == "confirmed"
        overdue = next(t for t in tickets.values() if t["kind"] == "staleness")
        assert overdue["state"] == "open" and overdue["overdue"] and overdue["rounds"][0]["overdue_flagged_at"]
        today = next(t for t in tickets.values() if t["filed_at"].startswith("2026-12-28"))
        # 29, 30, 31 December, then 2027 by the provisional rule: 1 January off, Monday 4 and Tuesday 5.
        assert today["state"] == "open" and today["due"] == "2027-01-05" and today["provisional"] is True
        assert document["quality"]["provisional"] == [f"/quality/{today['id']}"]

        pages, public = _pages(platform, document, "bureau.admin"), TestClient(create_app(platform))
        assert 'data-testid="deadline-provisional"' in pages.get("/calendar?year=2027&filed=2026-12-28").text
        assert "暂定" in pages.get(f"/quality/{today['id']}").text
        loaded = api.put("/api/v1/calendar/years/2027", headers=bureau, json={"table": TABLE_2027})
        assert loaded.status_code == 201 and loaded.json()["recomputed"] == 1
        again = api.get(f"/api/v1/quality/tickets/{today['id']}", headers=bureau).json()
        assert again["due"] == "2027-01-06" and again["provisional"] is False

        scores = api.get("/api/v1/quality/scores", headers=bureau, params={"year": 2026}).json()
        assert scores["weights"]["version"] == 1 and len(scores["ranking"]) >= 3
        assert 'data-testid="ranking"' in pages.get("/scores").text

        duties = api.get("/api/v1/security-duties", headers=bureau).json()
        assert {duty["kind"] for duty in duties} == {"drill", "risk_assessment"}
        security = _pages(platform, document, "security.admin").get("/security").text
        assert 'data-testid="finding"' in security and 'data-testid="rectifications"' in security

        operator = next(a for a in document["accounts"] if a["login"] == "operator.admin")["organisation_id"]
        report = api.get(f"/api/v1/reports/annual/{operator}/2026", headers=bureau).json()
        figures = {(f["key"], f["of"]): f["value"] for f in report["figures"]}
        assert figures[("calls", "")] >= 20 and figures[("free_calls", "")] >= 1 and figures[("drill", "")] == 1
        pdf = pages.get(f"/reports/annual/{operator}/2026.pdf")
        assert "2026 年度运营报告" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        disclosed = api.get("/api/v1/public/disclosure/2026").json()
        operation = next(op["operation"] for op in disclosed["operators"] if op["name"] == "池州数据运营有限公司")
        assert {(f["key"], f["of"]): f["value"] for f in operation["figures"]}[("calls", "")] == figures[("calls", "")]
        # A product's figure is named beside its code, on the disclosure and on the page of its entries.
        product = next(item for item in document["products"] if ("product", item["product"]) in figures)
        entries = public.get(f"/disclosure/2026/operators/{operator}/entries/product:{product['product']}")
        assert f"{product['name']}（{product['product']}）" in public.get("/disclosure/2026").text
        assert product["name"] in entries.text and "/ledger/verify/" in entries.text

        audit = _pages(platform, document, "audit.admin").get("/audit/calls").text
        assert "SELECT" in audit and "/ledger/verify/" in audit
        transparency = public.get("/transparency/CZ-RK-0001").text
        assert 'data-testid="months"' in transparency and "/transparency/CZ-RK-0001/calls/2026-12" in transparency
    assert date.fromisoformat(holiday["filed_at"][:10]) < date(2026, 10, 1)
