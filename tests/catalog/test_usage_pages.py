"""A department sees, on its resource's page, the contracts that use it and their calls per month."""

from __future__ import annotations

import html
import json
import re

from fastapi.testclient import TestClient

from pubdata.app import create_app
from tests.scenarios import BANK_TERMS, at, log_in_page, make_account, signed_agreement, signed_contract


def logged_in(client: TestClient, login: str) -> None:
    log_in_page(client, login)


def chart_option(page: str) -> dict:
    found = re.search(r"data-testid=\"usage-chart\" data-chart='([^']*)'", page)
    assert found, "the page draws no usage chart"
    return json.loads(html.unescape(found.group(1)))


def test_the_resource_page_shows_its_contracts_and_calls_per_month(platform, city):
    signed_agreement(platform)
    bank = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=366)
    contract = signed_contract(platform, city["operator"], bank, BANK_TERMS)["id"]
    with TestClient(create_app(platform)) as client:
        for day, calls in (("2026-01-10", 2), ("2026-03-02", 1)):
            at(day)
            for _ in range(calls):
                answer = client.post(
                    "/api/v1/queries",
                    headers=bank.headers,
                    json={"contract_id": contract, "sql": "SELECT count(*) AS n FROM cz_rk_0001"},
                )
                assert answer.status_code == 200, answer.text
        resources = client.get("/api/v1/resources", headers=city["police"].headers).json()
        used = next(r["id"] for r in resources if r["code"] == "CZ-RK-0001")
        unused = next(r["id"] for r in resources if r["code"] == "CZ-CG-0001")
        logged_in(client, "police.admin")
        page = client.get(f"/resources/{used}").text
        uses = page[page.index('data-testid="uses"') :]
        assert f"<td>{contract}</td><td>池州农村商业银行</td><td>公共治理</td><td>生效</td>" in uses
        assert "<td>3 / 10</td>" in uses
        option = chart_option(page)
        assert option["xAxis"]["data"] == ["2026-01", "2026-02", "2026-03"]
        assert option["series"][0]["data"] == [2, 0, 1] and option["series"][0]["name"] == "调用次数"
        assert '<script src="/static/charts.js" defer></script>' in page
        assert client.get("/static/charts.js").status_code == 200

        other = client.get(f"/resources/{unused}").text
        assert "尚无合约使用本资源。" in other and 'data-testid="usage-chart"' not in other
        english = client.get(f"/resources/{used}?lang=en").text
        assert chart_option(english)["series"][0]["name"] == "Calls"
