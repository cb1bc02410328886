"""Public transparency in chromium, without login: a citizen opens a registered resource's page, sees its contract
and its calls by month, opens a month's ledger entries and has the browser itself check one entry's inclusion
proof and the platform's SM2-signed tree head (SM3 and SM2 from sm-crypto, served from static/). A proof, a tree
head or a key altered on the way is caught by the browser, step by step."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from tests.browser import browser_steps, serving
from tests.scenarios import BANK_TERMS, at, make_account, signed_agreement, signed_contract

pytestmark = pytest.mark.browser


@pytest.fixture
def called(platform, city):
    """The bank's contract on the population library, called twice in March 2026."""
    signed_agreement(platform)
    bank = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=366)
    at("2026-03-10")
    contract = signed_contract(platform, city["operator"], bank, BANK_TERMS)
    with TestClient(create_app(platform)) as client:
        for _ in range(2):
            answer = client.post(
                "/api/v1/queries",
                headers=bank.headers,
                json={"contract_id": contract["id"], "sql": "SELECT count(*) AS n FROM cz_rk_0001"},
            )
            assert answer.status_code == 200, answer.text
    return contract


def altering(change):
    """A route handler passing the proof on, changed by ``change`` (a man in the middle)."""

    def handle(route):
        answer = route.fetch()
        body = answer.json()
        change(body)
        route.fulfill(response=answer, body=json.dumps(body))

    return handle


def flip(hex_text: str) -> str:
    return ("0" if hex_text[0] != "0" else "1") + hex_text[1:]


def test_a_citizen_checks_a_call_entry_in_the_browser_and_an_altered_proof_is_caught(platform, called, request):
    with serving(platform) as base, browser_steps(request) as steps:
        page = steps.page
        page.goto(f"{base}/transparency")
        page.get_by_test_id("resource-CZ-RK-0001").locator("a").click()
        assert page.get_by_test_id("contracts").inner_text().count("池州农村商业银行") == 1
        page.get_by_test_id("chart").locator("svg").first.wait_for()  # ECharts drew the calls by month
        march = page.get_by_test_id("month-2026-03")
        assert march.inner_text().split()[-1] == "2"
        steps.shot("the resource's use")
        march.locator("a").click()
        links = page.locator("[data-testid^=verify-]")
        assert links.count() == 2
        links.first.click()
        page.wait_for_function("document.querySelector('[data-verify]').dataset.verdict !== undefined")
        box = page.get_by_test_id("verification")
        assert box.get_attribute("data-verdict") == "verified", box.inner_text()
        for step in ("inclusion", "signature", "key"):
            assert page.get_by_test_id(f"step-{step}").get_attribute("data-passed") == "yes", step
        assert "核验通过" in page.get_by_test_id("verdict").inner_text()
        steps.shot("verified in the browser")
        url = page.url

        cases = {
            "inclusion": lambda body: body["inclusion_proof"]["audit_path"].__setitem__(
                0, flip(body["inclusion_proof"]["audit_path"][0])
            ),
            "signature": lambda body: body["tree_head"].__setitem__(
                "signed_message", body["tree_head"]["signed_message"].replace('"size":', '"size":1')
            ),
        }
        for step, change in cases.items():
            page.route("**/api/v1/ledger/entries/*", altering(change))
            page.goto(url)
            page.wait_for_function("document.querySelector('[data-verify]').dataset.verdict !== undefined")
            assert box.get_attribute("data-verdict") == "failed", step
            assert page.get_by_test_id(f"step-{step}").get_attribute("data-passed") == "no", step
            assert "核验未通过" in page.get_by_test_id("verdict").inner_text()
            steps.shot(f"altered {step} caught")
            page.unroute("**/api/v1/ledger/entries/*")
        # A key other than the one this browser noted last time fails the key step.
        page.evaluate("window.localStorage.setItem('pubdata-ledger-key', '0'.repeat(32))")
        page.goto(url)
        page.wait_for_function("document.querySelector('[data-verify]').dataset.verdict !== undefined")
        assert page.get_by_test_id("step-key").get_attribute("data-passed") == "no"
        assert page.get_by_test_id("step-inclusion").get_attribute("data-passed") == "yes"
        steps.shot("a changed key caught")
