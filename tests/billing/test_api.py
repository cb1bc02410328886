"""The billing API: money as whole fen only, who may set and see what, the public price list and the yearly
disclosure without login, statements and reconciliation."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.common import clock
from tests.products.test_calls import GRANTED, call
from tests.scenarios import make_account


@pytest.fixture
def api(platform):
    with TestClient(create_app(platform)) as client:
        yield client


def cap_body(fen) -> dict:
    return {
        "unit": "subject",
        "tiers": [{"from_unit": 1, "unit_fen": fen}],
        "effective_from": clock.today().isoformat(),
        "basis": "按成本测算",
    }


@pytest.mark.parametrize("fen", [1.5, 200.0, "200", -1, True, 10**12])
def test_money_is_whole_fen_or_the_request_is_refused_whole(api, platform, priced, fen):
    pricing = make_account(platform, kind="pricing", name="池州市发展改革委", login="pricing.two")
    answer = api.post(f"/api/v1/products/{priced['verify']}/caps", json=cap_body(fen), headers=pricing.headers)
    assert answer.status_code == 422
    listed = api.get("/api/v1/billing/prices", headers=pricing.headers).json()
    assert [len(item["caps"]) for item in listed] == [1]  # the fixture's cap only: nothing half-written


def test_only_the_pricing_authority_sets_a_cap_and_only_the_operator_a_price(api, priced):
    operator, bank = priced["operator"], priced["bank"]
    refused = api.post(f"/api/v1/products/{priced['verify']}/caps", json=cap_body(100), headers=operator.headers)
    assert refused.status_code == 403 and refused.json()["rule"] == "identity.permission"
    price = cap_body(100) | {"basis": None}
    price.pop("basis")
    assert api.post(f"/api/v1/products/{priced['verify']}/prices", json=price, headers=bank.headers).status_code == 404
    taken = api.post(f"/api/v1/products/{priced['verify']}/prices", json=price, headers=operator.headers)
    assert taken.status_code == 201 and taken.json()["trial"] is True


def test_anyone_sees_the_published_price_its_cap_and_the_disclosure(api, priced):
    (product,) = [item for item in api.get("/api/v1/public/products").json() if item["code"] == priced["verify"]]
    assert product["price"]["trial"] is True
    assert product["price"]["price"]["tiers"] == [{"from_unit": 1, "unit_fen": 200}, {"from_unit": 4, "unit_fen": 100}]
    assert product["price"]["cap"]["unit"] == "subject"
    assert "public_welfare" in product["price"]["free_purposes"]
    disclosed = api.get(f"/api/v1/public/disclosure/{clock.today().year}").json()
    (operator,) = disclosed["operators"]
    assert [item["code"] for item in operator["products"]] == [priced["verify"]]
    assert disclosed["due"] == f"{clock.today().year + 1}-03-31"
    assert api.get("/api/v1/public/disclosure/1999").status_code == 422


def test_a_consumer_reads_its_own_statement_and_no_one_elses(api, platform, priced):
    call(platform, priced, subjects=(GRANTED,))
    bank, other = priced["bank"], priced["other"]
    month = clock.today().strftime("%Y-%m")
    own = api.get(f"/api/v1/billing/statements/{bank.organisation_id}/{month}", headers=bank.headers)
    assert own.status_code == 200 and own.json()["total_fen"] == 200
    assert own.json()["lines"][0]["basis_name"] == "按价格计费"
    theirs = api.get(f"/api/v1/billing/statements/{bank.organisation_id}/{month}", headers=other.headers)
    assert theirs.status_code == 404
    assert (
        api.get(f"/api/v1/billing/statements/{bank.organisation_id}/2026-13", headers=bank.headers).status_code == 422
    )
    checked = api.get(f"/api/v1/billing/reconciliation/{month}", headers=priced["bureau"].headers).json()
    assert checked["balanced"] is True and checked["billed_fen"] == 200
    assert api.get(f"/api/v1/billing/reconciliation/{month}", headers=bank.headers).status_code == 403
