"""Every organisation kind's workbench (工作台) at ``/``: 200 in zh-CN, its to-dos counted as the city built them,
a chart's option; no menu link of any kind leads to a 403, 404 or 500; the public home shows the catalogue's
figures and the resources under public notice."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.authorization import agreements, evaluation
from pubdata.authorization.schemas import Scope
from pubdata.catalog import service as catalog
from pubdata.catalog.schemas import ResourceIn
from pubdata.common import clock
from tests.data import csv_text, person_rows, resource_body
from tests.scenarios import (
    BANK_DP_TERMS,
    MODEL_SCRIPT,
    SELECTION,
    ledger_size,
    log_in_page,
    make_account,
    principal,
    run,
    signed_contract,
    submit_job,
)

KINDS = ("bureau", "provider", "operator", "partner", "consumer", "pricing", "finance", "market", "audit", "security")
LOGINS = {
    "bureau": "bureau.admin",
    "provider": "police.admin",
    "operator": "operator.admin",
    "partner": "partner.admin",
    "consumer": "bank.admin",
    "pricing": "pricing.admin",
    "finance": "finance.admin",
    "market": "market.admin",
    "audit": "audit.admin",
    "security": "security.admin",
}


def _describe_and_submit(platform, code: str) -> None:
    """The police describe, load and submit a third resource: the bureau has one registration to review."""
    police = principal(platform, "police.admin")
    body = ResourceIn.model_validate(resource_body(code=code, sector="public_security"))
    resource = run(platform, catalog.describe, principal=police, body=body)
    path = platform.settings.data_dir / f"{code}.csv"
    path.write_text(csv_text(person_rows(20)), encoding="utf-8")
    catalog.load(
        platform,
        principal=police,
        resource_id=resource.id,
        domain_dir=platform.settings.domain_dir,
        source_format="csv",
        path=path,
    )
    run(platform, catalog.submit_registration, principal=police, resource_id=resource.id, kind="first")


def _propose(client: TestClient, operator, assignee, terms: dict, *, operator_signs: bool) -> int:
    proposed = client.post(
        "/api/v1/contracts", headers=operator.headers, json={"assignee_id": assignee.organisation_id, "terms": terms}
    )
    assert proposed.status_code == 201, proposed.text
    if operator_signs:
        client.post(f"/api/v1/contracts/{proposed.json()['id']}/signatures", headers=operator.headers)
    return proposed.json()["id"]


@pytest.fixture
def busy_city(platform, partner_deal):
    """The city of ``partner_deal`` with something waiting for each kind:

    - a registration the bureau has to review (the police's third resource, submitted);
    - a second operator's agreement, recorded, that the bureau has to sign;
    - a partner's job whose code the operator has to review;
    - a bank with a signed DP contract (ε 1, a quarter spent by one query), a proposal the operator signed and
      one it has not (both wait for the bank's signature, the second for the operator's too);
    - an incident the security office reported, that nobody has decided;
    - a quality ticket the bank filed, for the police to answer.
    """
    accounts = dict(partner_deal)
    for kind, name in (
        ("consumer", "池州农村商业银行"),
        ("pricing", "池州市发展和改革委员会"),
        ("finance", "池州市财政局"),
        ("market", "池州市市场监督管理局"),
        ("audit", "池州市审计局"),
    ):
        accounts[kind] = make_account(platform, kind=kind, name=name, login=LOGINS[kind], days=366)
    second = make_account(platform, kind="operator", name="池州第二运营有限公司", login="second.admin", days=366)
    bureau = principal(platform, "bureau.admin")
    run(
        platform,
        agreements.record_agreement,
        principal=bureau,
        operator_id=second.organisation_id,
        tender_reference="CZZB-2026-002",
        selection=SELECTION,
        scope=Scope(resources=("CZ-CG-0001",), sectors=("taxation",), max_grade="general-4"),
        security_duties="落实数据安全主体责任",
    )
    _describe_and_submit(platform, "CZ-RK-0009")
    operator, bank = accounts["operator"], accounts["consumer"]
    with TestClient(create_app(platform)) as client:
        dp_id = signed_contract(platform, operator, bank, BANK_DP_TERMS)["id"]
        answer = client.post(
            "/api/v1/queries",
            headers=bank.headers,
            json={"contract_id": dp_id, "sql": "SELECT count(*) AS n FROM cz_rk_0001"},
        )
        assert answer.status_code == 200, answer.text
        waiting_for_bank = _propose(client, operator, bank, {**BANK_DP_TERMS, "max_calls": 5}, operator_signs=True)
        waiting_for_operator = _propose(client, operator, bank, {**BANK_DP_TERMS, "max_calls": 6}, operator_signs=False)
        job = submit_job(client, accounts["partner"], accounts["contract_id"], MODEL_SCRIPT)
        assert job.status_code == 201, job.text
        ticket = client.post(
            "/api/v1/quality/tickets",
            headers=bank.headers,
            json={"resource": "CZ-RK-0001", "kind": "omission", "rows": "4", "description": "第 4 行缺少住址。"},
        )
        assert ticket.status_code == 201, ticket.text
    with platform.read() as session:
        agreement_id = agreements.list_agreements(session, principal=bureau)[0].id
    run(
        platform,
        evaluation.report_incident,
        principal=principal(platform, "security.admin"),
        agreement_id=agreement_id,
        occurred_at=datetime(2026, 1, 5, 9, tzinfo=UTC),
        description="疑似越权访问",
    )
    return {
        **accounts,
        "dp_contract": dp_id,
        "waiting_for_bank": waiting_for_bank,
        "waiting_for_operator": waiting_for_operator,
        "job": job.json()["id"],
        "agreement_id": agreement_id,
    }


def log_in(client: TestClient, login: str) -> None:
    client.cookies.clear()
    log_in_page(client, login)


def todos(page: str) -> dict[str, tuple[int, str]]:
    """Each to-do on the page: its label key → (count, link)."""
    found = re.findall(r'data-todo="([^"]+)" data-count="(\d+)">\s*<a href="([^"]+)"', page)
    return {key: (int(count), link) for key, count, link in found}


def figures(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([^"]+)" data-value="([^"]*)"', page))


def chart_options(page: str) -> dict[str, dict]:
    """Each chart's ECharts option, read back from its ``data-chart`` attribute."""
    found = re.findall(r"data-chart-key=\"([^\"]+)\"[^>]*data-chart='([^']*)'", page)
    return {key: json.loads(html.unescape(option)) for key, option in found}


def menu_links(page: str) -> list[str]:
    nav = page.split("<nav>", 1)[1].split("</nav>", 1)[0]
    return [link for link in re.findall(r'href="(/[^"?]*)', nav) if link != "/"]


def _organisation_of(platform, login: str) -> str:
    from pubdata.identity import service as identity

    with platform.read() as session:
        own = principal(platform, login).organisation_id
        return identity.organisation_names(session, {own})[own]


@pytest.fixture
def client(platform):
    with TestClient(create_app(platform)) as test_client:
        yield test_client


def _workbench(client: TestClient, kind: str) -> str:
    log_in(client, LOGINS[kind])
    page = client.get("/")
    assert page.status_code == 200, page.text
    assert 'lang="zh-CN"' in page.text and "<h1>工作台</h1>" in page.text
    assert "/static/echarts/echarts.min.js" in page.text and "/static/charts.js" in page.text
    return page.text


def test_each_kind_has_a_workbench_with_its_todos_and_a_chart(client, busy_city, platform):
    """One login per kind, each page checked against what ``busy_city`` built for it."""
    expected = {
        "bureau": {
            "workbench.bureau.registrations": (1, "/registrations"),
            "workbench.bureau.agreements_to_sign": (1, "/agreements/2"),
            "workbench.bureau.jobs_to_release": (0, "/jobs"),
            "workbench.incidents_undecided": (1, f"/agreements/{busy_city['agreement_id']}"),
            "workbench.quality.overdue_city": (0, "/quality?overdue=1"),
        },
        "provider": {
            "workbench.provider.drafts": (0, "/resources?state=draft"),
            "workbench.quality.to_answer": (1, "/quality?state=open"),
            "workbench.quality.overdue": (0, "/quality?overdue=1"),
        },
        "operator": {
            "workbench.operator.contracts_to_sign": (1, f"/contracts/{busy_city['waiting_for_operator']}"),
            "workbench.operator.code_reviews": (1, f"/jobs/{busy_city['job']}"),
            "workbench.operator.releases": (0, "/jobs"),
            "workbench.operator.agreements_to_sign": (0, "/agreements"),
        },
        "partner": {"workbench.contracts_to_sign": (0, "/contracts")},
        "consumer": {
            # Either side may sign first: both proposals wait for the bank's signature.
            "workbench.contracts_to_sign": (2, "/contracts"),
            "workbench.consumer.near_limit": (0, "/contracts"),
            "workbench.quality.to_confirm": (0, "/quality?state=answered"),
        },
        "pricing": {"workbench.pricing.chargeable_live": (1, f"/contracts/{busy_city['contract_id']}")},
        "finance": {"workbench.finance.chargeable_active": (1, "/contracts")},
        "market": {"workbench.market.suspended": (0, "/agreements")},
        "audit": {"workbench.data_alerts": (0, "/data-alerts")},
        "security": {"workbench.incidents_undecided": (1, f"/agreements/{busy_city['agreement_id']}")},
    }
    for kind in KINDS:
        page = _workbench(client, kind)
        found = todos(page)
        for key, want in expected[kind].items():
            assert found.get(key) == want, (kind, key, found)
        assert chart_options(page), kind
        for key, option in chart_options(page).items():
            assert option["series"] and option["series"][0]["data"] is not None, (kind, key)


def test_a_department_sees_only_its_own_resources(client, busy_city, platform):
    make_account(platform, kind="provider", name="池州市自然资源和规划局", login="land.admin", days=366)
    police = _workbench(client, "provider")
    assert figures(police)["workbench.provider.in_review"] == "1"
    states = chart_options(police)["workbench.chart.resources"]
    assert states["xAxis"]["data"][:3] == ["草稿", "登记审核中", "已登记"]
    assert states["series"][0]["data"][:3] == [0, 1, 2]
    log_in(client, "land.admin")
    land = client.get("/").text
    assert chart_options(land)["workbench.chart.resources"]["series"][0]["data"] == [0] * 6
    assert "CZ-RK-0001" not in land and "CZ-RK-0001" in police  # the usage table names only one's own


def test_a_consumer_sees_its_contracts_quotas_and_epsilon_left(client, busy_city):
    page = _workbench(client, "consumer")
    assert figures(page)["workbench.consumer.epsilon_left"] == "0.75"
    assert f'href="/contracts/{busy_city["dp_contract"]}"' in page and "1 / 100" in page
    calls = chart_options(page)["workbench.chart.calls"]
    assert calls["xAxis"]["data"][-1] == clock.today().strftime("%Y-%m") and calls["series"][0]["data"][-1] == 1
    spent = chart_options(page)["workbench.chart.epsilon"]
    assert [series["name"] for series in spent["series"]] == ["已用 ε", "剩余 ε"]
    assert spent["series"][0]["data"][0] == 0.25


def test_a_partner_sees_its_jobs_and_its_scope(client, busy_city):
    page = _workbench(client, "partner")
    assert figures(page)["workbench.partner.jobs"] == "1"
    scope = page.split('data-table-key="workbench.partner.scope"', 1)[1].split("</section>", 1)[0]
    assert "池州数据运营有限公司" in scope and "已准入" in scope and "CZ-RK-0001 · 最高 一般数据（4级）" in scope
    jobs = chart_options(page)["workbench.chart.jobs"]
    assert jobs["series"][0]["data"][jobs["xAxis"]["data"].index("待审核代码")] == 1


def test_the_auditor_sees_the_ledger_head_verified(client, busy_city, platform):
    page = _workbench(client, "audit")
    assert figures(page)["workbench.audit.size"] == str(ledger_size(platform))
    assert "验证通过" in page
    assert not re.search(r">[^<]*workbench\.[a-z]", page)  # every label key shown as its words


def test_english_is_behind_the_switch(client, busy_city):
    log_in(client, "bureau.admin")
    page = client.get("/?lang=en").text
    assert "<h1>Workbench</h1>" in page and "Registrations to review" in page
    assert chart_options(page)["workbench.chart.registrations"]["xAxis"]["data"][0] == "Awaiting review"


def test_no_menu_link_of_any_kind_is_a_dead_end(client, busy_city, platform):
    """Every link of every kind's menu answers a page (no 403, 404 or 500), and so do the workbench's links — for
    each kind's admin and for a member, who may do less."""
    logins = dict(LOGINS)
    for kind in KINDS:
        account = make_account(
            platform, kind=kind, name=_organisation_of(platform, LOGINS[kind]), login=f"{kind}.member", role="member"
        )
        logins[f"{kind} member"] = account.login
    for kind, login in logins.items():
        log_in(client, login)
        page = client.get("/")
        assert page.status_code == 200 and "<h1>工作台</h1>" in page.text, (kind, page.status_code)
        page = page.text
        links = set(menu_links(page)) | {link for _, link in todos(page).values()}
        links |= set(re.findall(r'<span class="value"><a href="(/[^"]+)"', page))
        for link in sorted(links):
            answer = client.get(link)
            assert answer.status_code == 200, (kind, link, answer.status_code)
            assert answer.headers["content-type"].startswith("text/html"), (kind, link)


def test_the_public_home_shows_the_catalogue_and_the_notices(client, busy_city, platform):
    # The bureau accepts the third resource: its public notice starts.
    bureau = principal(platform, "bureau.admin")
    with platform.read() as session:
        (review,) = catalog.review_queue(session, principal=bureau)
        application, resource = review.application, review.resource
    run(
        platform,
        catalog.review_registration,
        principal=bureau,
        registration_id=application.id,
        decision="accept",
        reason=None,
    )
    client.cookies.clear()
    page = client.get("/")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    shown = figures(page.text)
    assert (shown["resources"], shown["providers"], shown["in_notice"]) == ("2", "1", "1")
    notices = re.findall(r'<tr data-testid="notice">.*?</tr>', page.text, re.S)
    assert len(notices) == 1 and f'href="/catalog/{resource.code}"' in notices[0] and "首次登记" in notices[0]
    by_library = chart_options(page.text)["workbench.chart.by_library"]
    assert by_library["series"][0]["data"] == [2] and by_library["xAxis"]["data"] == ["人口"]
    by_sector = chart_options(page.text)["workbench.chart.by_sector"]
    assert {item["name"]: item["value"] for item in by_sector["series"][0]["data"]} == {"公安": 1, "城市管理": 1}
    # Anyone may object during the notice: the bureau's workbench then has an objection to answer.
    run(
        platform,
        catalog.file_objection,
        code=resource.code,
        name="张先生",
        contact="objector@example.com",
        reason="字段说明不清",
    )
    log_in(client, "bureau.admin")
    assert todos(client.get("/").text)["workbench.bureau.objections"] == (1, "/registrations")


def test_the_public_ledger_speaks_chinese_and_links_subjects_to_their_public_pages(client, city):
    page = client.get("/ledger").text
    rows = re.findall(r'<tr data-testid="ledger-entry".*?</tr>', page, re.S)
    cells = [
        (
            re.search(r'data-testid="entry-label">(.*?)</td>', row, re.S),
            re.search(r'entry-subject">(.*?)</td>', row, re.S),
        )
        for row in rows
    ]
    labels = [label.group(1).strip() for label, _ in cells]
    assert labels and all(re.search(r"[\u4e00-\u9fff]", label) for label in labels), labels
    subjects = [subject.group(1) for _, subject in cells]
    # Both registered resources' registrations and the resources themselves link to their catalogue pages.
    registrations = [s for s in subjects if s.strip().startswith("登记申请")]
    assert registrations and all(re.search(r'href="/catalog/CZ-(RK|CG)-0001"', s) for s in registrations)
    resources = [s for s in subjects if s.strip().startswith("数据资源")]
    assert resources and all('href="/catalog/CZ-' in s for s in resources)
