"""The consumer's pages (三(五)7): it applies for a product from its page, the operator approves from its list of
applications, the consumer signs, then calls a template through a typed form — never SQL — and sees and downloads
the answer; a refresh never calls again, a refused value comes back as typed."""

from __future__ import annotations

import re

from pubdata.common import clock
from pubdata.contracts import service as contracts
from pubdata.products import subscriptions
from tests.products.builders import approved_scenario, operating_city
from tests.products.test_calls_template import TEMPLATE
from tests.scenarios import AS_CLI, listed_product, make_account, page_client


def todos(page: str) -> dict[str, int]:
    return {key: int(count) for key, count in re.findall(r'data-todo="([^"]+)" data-count="(\d+)"', page)}


def _offered(platform, city) -> str:
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    code = listed_product(
        platform,
        developer_login="operator.admin",
        scenario_id=scenario,
        definition=TEMPLATE,
        kind="query_template",
        name="分区县家庭人口统计",
        purposes=("industry",),
    )
    make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=366)
    return code


def test_apply_approve_sign_and_call_a_template_through_the_pages(platform, city):
    code = _offered(platform, city)
    bank, bank_csrf = page_client(platform, "bank.admin")
    operator, operator_csrf = page_client(platform, "operator.admin")

    form = bank.get(f"/products/{code}/subscribe")
    assert form.status_code == 200 and "申请订阅" in form.text
    refused = bank.post(
        f"/products/{code}/subscribe",
        data={
            "csrf_token": bank_csrf,
            "purpose": "industry",
            "use": "",
            "max_calls": "20",
            "valid_from": "2020-01-01",
            "valid_until": "2020-02-01",
        },
    )
    assert refused.status_code == 422 and 'value="20"' in refused.text  # typed values come back
    today = clock.today()
    applied = bank.post(
        f"/products/{code}/subscribe",
        data={
            "csrf_token": bank_csrf,
            "purpose": "industry",
            "use": "了解各区县家庭规模",
            "max_calls": "20",
            "valid_from": today.isoformat(),
            "valid_until": today.replace(year=today.year + 1).isoformat(),
        },
        follow_redirects=False,
    )
    assert applied.status_code == 303
    subscription_page = applied.headers["location"]
    subscription_id = int(subscription_page.rsplit("/", 1)[1])
    assert "待审批" in bank.get(subscription_page).text

    assert todos(operator.get("/").text)["workbench.operator.subscriptions"] == 1
    listing = operator.get("/products/subscriptions")
    assert f"subscription-{subscription_id}" in listing.text
    approved = operator.post(
        f"/products/subscriptions/{subscription_id}/do/approve",
        data={"csrf_token": operator_csrf},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    assert todos(operator.get("/").text)["workbench.operator.subscriptions"] == 0

    assert todos(bank.get("/").text)["workbench.consumer.subscriptions_to_sign"] == 1
    signed = bank.post(
        f"/products/subscriptions/{subscription_id}/do/sign", data={"csrf_token": bank_csrf}, follow_redirects=False
    )
    assert signed.status_code == 303
    page = bank.get(subscription_page).text
    assert "生效" in page and f"/products/{code}/call" in page

    call_form = bank.get(f"/products/{code}/call")
    assert call_form.status_code == 200
    assert "区县" in call_form.text and '<select name="p_district">' in call_form.text
    assert "SELECT" not in call_form.text  # the bank never sees, nor writes, SQL

    wrong = bank.post(f"/products/{code}/call", data={"csrf_token": bank_csrf, "p_district": "合肥市"})
    assert wrong.status_code == 422

    asked = bank.post(
        f"/products/{code}/call", data={"csrf_token": bank_csrf, "p_district": "贵池区"}, follow_redirects=False
    )
    assert asked.status_code == 303 and "answer=" in asked.headers["location"]
    shown = bank.get(asked.headers["location"])
    assert shown.status_code == 200 and "所属区县" in shown.text and "answer-table" in shown.text
    bank.get(asked.headers["location"])  # a refresh: shown again from the kept answer
    assert "本月各产品调用次数" in bank.get("/").text  # the workbench's chart of this month's calls by product
    with platform.read() as session:
        subscription = subscriptions.get(session, principal=AS_CLI, subscription_id=subscription_id)
        assert contracts.get(session, principal=AS_CLI, contract_id=subscription.contract_id).calls_used == 1
    token = asked.headers["location"].split("answer=")[1]
    csv = bank.get(f"/products/{code}/call/export/{token}.csv")
    assert csv.status_code == 200 and csv.content.decode("utf-8-sig").startswith("所属区县,人数")
    xlsx = bank.get(f"/products/{code}/call/export/{token}.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert bank.get(f"/products/{code}/call/export/{token}.pdf").status_code == 404
    # another user never reads the answer
    assert operator.get(f"/products/{code}/call/export/{token}.csv").status_code in (403, 404)


def test_pages_of_products_and_subscriptions_others_may_not_see_are_not_found(platform, city):
    code = _offered(platform, city)
    bank, _ = page_client(platform, "bank.admin")
    assert bank.get("/products/CP-9999/call").status_code == 404
    assert bank.get("/products/subscriptions/999").status_code == 404
    assert bank.get("/products/subscriptions/abc").status_code in (404, 422)
    assert bank.get(f"/products/{code}/call").status_code == 200  # listed: anyone logged in sees its form
    assert bank.get("/products/subscriptions").status_code == 200
