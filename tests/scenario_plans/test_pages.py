"""The demand and scenario pages over HTTP, as each kind of user works them: the public list, a bank posting a
demand, the operator answering it, a partner drafting a plan with its checklist, the department's opinion and
the bureau's decision (a rejection asks for the confirmation and its reason), and each workbench's to-dos."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from pubdata.app import create_app
from tests.scenarios import LOW_RISK, make_account, page_client, partner_deal


def form(client: TestClient, url: str, csrf: str, **fields):
    return client.post(url, data={"csrf_token": csrf, **fields}, follow_redirects=False)


def test_a_demand_goes_from_the_banks_form_to_the_public_list_and_the_operators_answer(platform, city):
    partner_deal(platform, city, scenario=False)
    make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=366)
    bank, bank_csrf = page_client(platform, "bank.admin")
    assert 'href="/demands/new"' in bank.get("/demands").text
    refused = form(bank, "/demands", bank_csrf, title="企业纳税数据", data_wanted="", use="信贷", purpose="industry")
    assert refused.status_code == 422 and 'data-rule="text.blank"' in refused.text
    posted = form(
        bank,
        "/demands",
        bank_csrf,
        title="企业纳税数据",
        data_wanted="纳税信用等级",
        use="信贷审批",
        purpose="industry",
    )
    assert posted.status_code == 303
    demand_url = posted.headers["location"]
    with TestClient(create_app(platform)) as public:
        listed = public.get("/demands")
        assert listed.status_code == 200 and "企业纳税数据" in listed.text and "bank.admin" not in listed.text
        assert public.get(demand_url).status_code == 200
    operator, csrf = page_client(platform, "operator.admin")
    page = operator.get(demand_url).text
    assert 'data-testid="answer-refuse"' in page and 'data-testid="answer-scenario"' in page
    assert 'href="/demands"' in operator.get("/").text  # the workbench's to-do leads to the demands
    bare = form(operator, f"{demand_url}/do/answer", csrf, answer="refused", reason="")
    assert bare.status_code == 422 and 'data-rule="demand.refusal-reason"' in bare.text
    answered = form(
        operator, f"{demand_url}/do/answer", csrf, answer="scenario", scenario_id="", field="inclusive_finance"
    )
    assert answered.status_code == 303
    shown = bank.get(demand_url).text
    assert 'data-testid="answer"' in shown and "/scenarios/" in shown
    assert form(bank, f"{demand_url}/do/close", bank_csrf).status_code == 303
    assert 'data-testid="state">已关闭' in bank.get(demand_url).text


def test_a_plan_goes_from_the_partners_form_through_the_departments_opinion_to_the_bureaus_rejection(platform, city):
    partner_deal(platform, city, scenario=False)
    partner, csrf = page_client(platform, "partner.admin")
    assert 'data-testid="risk-checklist"' in partner.get("/scenarios/new").text
    fields = {
        "name": "小微企业信用画像",
        "field": "inclusive_finance",
        "users": "信贷人员",
        "resources": "CZ-RK-0001, CZ-CG-0001",
        "purpose": "industry",
        "benefit": "缩短审批",
        **{f"risk_{item}": level for item, level in LOW_RISK.items()},
    }
    outside = form(partner, "/scenarios", csrf, **fields)
    assert outside.status_code == 403 and 'data-rule="scenario.out-of-scope"' in outside.text
    assert "CZ-CG-0001" in outside.text
    created = form(partner, "/scenarios", csrf, **{**fields, "resources": "CZ-RK-0001"})
    assert created.status_code == 303
    url = created.headers["location"]
    assert re.fullmatch(r"/scenarios/\d+", url)
    assert form(partner, f"{url}/do/submit", csrf).status_code == 303
    police, police_csrf = page_client(platform, "police.admin")
    assert url in police.get("/scenarios").text and 'data-testid="queue"' in police.get("/scenarios").text
    assert f'href="{url}"' in police.get("/").text  # its workbench's to-do
    bureau, bureau_csrf = page_client(platform, "bureau.admin")
    early = form(bureau, f"{url}/do/approve", bureau_csrf, reason="")
    assert early.status_code == 409 and 'data-rule="scenario.opinions-pending"' in early.text
    assert form(police, f"{url}/do/opinion", police_csrf, opinion="disagree", reason="范围过宽").status_code == 303
    assert "范围过宽" in bureau.get(url).text
    unconfirmed = form(bureau, f"{url}/do/reject", bureau_csrf, reason="请缩小范围")
    assert unconfirmed.status_code == 422 and 'data-rule="web.confirm-needed"' in unconfirmed.text
    assert form(bureau, f"{url}/do/reject", bureau_csrf, reason="请缩小范围", confirm="yes").status_code == 303
    page = partner.get(url).text
    assert 'data-testid="state">未批准' in page and "请缩小范围" in page and 'data-testid="revise"' in page
    assert form(partner, f"{url}/do/revise", csrf).status_code == 303
    assert 'data-testid="scenario-form"' in partner.get(f"{url}/edit").text
    edited = form(partner, f"{url}/do/edit", csrf, **{**fields, "resources": "CZ-RK-0001", "name": "信用画像二期"})
    assert edited.status_code == 303 and "信用画像二期" in partner.get(url).text
