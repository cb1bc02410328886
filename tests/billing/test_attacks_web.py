"""Attacks (red team): the billing API and pages answering 500, reading what they should not."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.common import clock
from tests.products.test_calls import GRANTED, call
from tests.scenarios import log_in_page, make_account


@pytest.fixture
def client(platform):
    with TestClient(create_app(platform), raise_server_exceptions=False) as found:
        yield found


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_reconciliation_of_an_extreme_month_is_not_a_500(client, priced, month):
    answer = client.get(f"/api/v1/billing/reconciliation/{month}", headers=priced["bureau"].headers)
    assert answer.status_code < 500, answer.status_code


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_reconciliation_page_of_an_extreme_month_is_not_a_500(client, priced, month):
    log_in_page(client, "bureau.admin")
    answer = client.get(f"/billing/reconciliation?month={month}")
    assert answer.status_code < 500, answer.status_code


def test_price_form_with_a_huge_base_fee_is_not_a_500(client, priced):
    csrf = log_in_page(client, "operator.admin")
    form = {
        "csrf_token": csrf,
        "product": priced["verify"],
        "unit": "subject",
        "base_fee": "1" * 5000,
        "tiers": "1, 1.00",
        "effective_from": clock.today().isoformat(),
    }
    answer = client.post("/billing/prices/do/price", data=form, follow_redirects=False)
    assert answer.status_code < 500, answer.status_code


def test_ceiling_form_with_a_huge_part_is_not_a_500(client, priced):
    csrf = log_in_page(client, "pricing.admin")
    form = {
        "csrf_token": csrf,
        "operator_id": str(priced["operator"].organisation_id),
        "year": str(clock.today().year),
        "effective_from": clock.today().isoformat(),
        "operating_cost": "9" * 5000,
        "operating_cost_basis": "x",
        "permitted_profit": "1",
        "permitted_profit_basis": "x",
        "tax": "1",
        "tax_basis": "x",
    }
    answer = client.post("/billing/revenue/do/ceiling", data=form, follow_redirects=False)
    assert answer.status_code < 500, answer.status_code


@pytest.mark.parametrize(
    "case",
    [
        {"unit": "bogus"},
        {"tiers": "x"},
        {"tiers": "0, 1.00"},
        {"tiers": "1, -1.00"},
        {"tiers": "1, 1.001"},
        {"effective_from": "2026-02-30"},
        {"effective_from": ""},
        {"tiers": "1, 1e3"},
        {"tiers": "9" * 5000 + ", 1"},
        {"base_fee": "1.5e2"},
        {"tiers": "1, 1.00\n1, 2.00"},
        {"tiers": "1\n"},
        {"product": "CP-9999"},
    ],
)
def test_cap_form_with_malformed_input_is_a_refusal(client, priced, case):
    csrf = log_in_page(client, "pricing.admin")
    form = {
        "csrf_token": csrf,
        "product": priced["verify"],
        "unit": "subject",
        "base_fee": "",
        "tiers": "1, 1.00",
        "effective_from": clock.today().isoformat(),
        "basis": "依据",
    } | case
    answer = client.post("/billing/prices/do/cap", data=form, follow_redirects=False)
    assert answer.status_code in (400, 404, 409, 422), (answer.status_code, answer.text[:300])


def test_unknown_form_action(client, priced):
    csrf = log_in_page(client, "pricing.admin")
    answer = client.post("/billing/prices/do/xyz", data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code < 500


def test_statement_csv_and_pdf_are_served_and_the_csv_is_not_formula_bearing(client, platform, priced):
    call(platform, priced, subjects=(GRANTED,))
    month = clock.today().strftime("%Y-%m")
    log_in_page(client, "bank.admin")
    bank = priced["bank"].organisation_id
    csv = client.get(f"/billing/statements/{bank}/{month}.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv"), csv.status_code
    for row in csv.text.lstrip("\ufeff").splitlines():
        for cell in row.split(","):
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), row
    pdf = client.get(f"/billing/statements/{bank}/{month}.pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"


def test_other_consumer_gets_404_on_csv_and_pdf(client, platform, priced):
    call(platform, priced, subjects=(GRANTED,))
    month = clock.today().strftime("%Y-%m")
    log_in_page(client, "other.admin")
    bank = priced["bank"].organisation_id
    for suffix in (".csv", ".pdf", ""):
        assert client.get(f"/billing/statements/{bank}/{month}{suffix}").status_code == 404


def test_an_operator_reads_statements_only_of_its_consumers(client, platform, priced):
    """Another operator (not the bank's) asks for the bank's statement: nothing of it, not even its name."""
    call(platform, priced, subjects=(GRANTED,))
    rival = make_account(platform, kind="operator", name="另一数据运营公司", login="rival.admin", days=366)
    month = clock.today().strftime("%Y-%m")
    bank = priced["bank"].organisation_id
    answer = client.get(f"/api/v1/billing/statements/{bank}/{month}", headers=rival.headers)
    assert answer.status_code == 404
    assert client.get("/api/v1/billing/prices", headers=rival.headers).json() == []
    assert [
        r["operator_id"]
        for r in client.get(f"/api/v1/billing/revenue?year={clock.today().year}", headers=rival.headers).json()
    ] == [rival.organisation_id]


def test_a_rival_operator_cannot_price_anothers_product(client, platform, priced):
    rival = make_account(platform, kind="operator", name="另一数据运营公司", login="rival.admin", days=366)
    body = {"unit": "subject", "tiers": [{"from_unit": 1, "unit_fen": 1}], "effective_from": clock.today().isoformat()}
    answer = client.post(f"/api/v1/products/{priced['verify']}/prices", json=body, headers=rival.headers)
    assert answer.status_code in (403, 404), answer.status_code


def test_prices_page_renders_with_a_unit_change_flag(client, platform, priced):
    from pubdata.billing import service as billing
    from tests.billing.test_metering import tariff
    from tests.scenarios import principal, run

    run(
        platform,
        billing.set_cap,
        principal=principal(platform, "pricing.admin"),
        code=priced["verify"],
        body=tariff("call", (1, 100)),
    )
    for login in ("operator.admin", "market.admin"):
        client.cookies.clear()
        log_in_page(client, login)
        assert client.get("/billing/prices").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/disclosure/abc",
        "/disclosure/1999",
        "/disclosure/99999999999999999999",
        "/disclosure?year=abc",
        "/disclosure?year=99999",
        "/api/v1/public/disclosure/2101",
        "/billing/statements?month=2026-13",
        "/billing/revenue?year=abc",
    ],
)
def test_public_and_odd_paths_are_not_500(client, priced, path):
    log_in_page(client, "bank.admin")
    assert client.get(path, follow_redirects=False).status_code < 500
