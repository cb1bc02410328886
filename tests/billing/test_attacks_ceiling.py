"""Attacks (red team) on the maximum permitted revenue, the year's close and the yearly disclosure."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.billing import service as billing
from pubdata.billing.schemas import CeilingIn
from pubdata.common import clock
from pubdata.common.errors import Refused
from pubdata.products import service as products
from tests.billing.test_metering import ceiling_body, tariff
from tests.products.test_calls import GRANTED, call
from tests.scenarios import AS_CLI, make_account, principal, read, run


def _body(operator_id, *, year, yuan, effective_from):
    body = ceiling_body(operator_id, year=year, total_yuan=yuan).model_dump()
    body["effective_from"] = effective_from
    return CeilingIn.model_validate(body)


def test_a_years_ceiling_takes_effect_within_that_year(platform, priced):
    """A 2026 ceiling taking effect in 2027 would never be in force in 2026: refused, nothing recorded."""
    pricing = principal(platform, "pricing.admin")
    operator_id = priced["operator"].organisation_id
    year = clock.today().year
    with pytest.raises(Refused) as caught:
        run(
            platform,
            billing.set_ceiling,
            principal=pricing,
            body=_body(operator_id, year=year, yuan=1_000_000, effective_from=date(year + 1, 6, 1)),
        )
    assert caught.value.rule == "billing.ceiling-late"
    assert len(read(platform, billing.ceilings_of, operator_id=operator_id)) == 1  # the fixture's only


def test_closing_a_year_without_a_ceiling_in_force_deducts_nothing(platform, world):
    """Revenue in a year whose only ceiling is a later year's: the close records no deduction against ¥0."""
    make_account(platform, kind="pricing", name="池州市发展改革委", login="pricing.admin", days=366)
    pricing = principal(platform, "pricing.admin")
    operator_id = world["operator"].organisation_id
    year = clock.today().year
    run(platform, billing.set_ceiling, principal=pricing, body=ceiling_body(operator_id, year=year + 1))
    clock.freeze(clock.parse_moment(f"{year + 1}-01-02T09:00:00"))
    with platform.command() as session:
        assert billing.close_years(session, actor=AS_CLI.actor) == []
        assert billing._deduction(session, operator_id, year) is None


def test_the_disclosure_of_last_year_keeps_a_product_delisted_since(platform, priced):
    clock.freeze(clock.parse_moment("2027-02-01T09:00:00"))
    run(
        platform,
        products.delist,
        principal=principal(platform, "operator.admin"),
        code=priced["verify"],
        reason="产品下线",
    )
    with TestClient(create_app(platform)) as client:
        disclosed = client.get("/api/v1/public/disclosure/2026").json()
    (operator,) = disclosed["operators"]
    assert [item["code"] for item in operator["products"]] == [priced["verify"]], "2026's product and price vanished"


def test_public_endpoints_show_nothing_non_public(platform, priced):
    call(platform, priced, subjects=(GRANTED,))
    run(
        platform,
        billing.set_cap,
        principal=principal(platform, "pricing.admin"),
        code=priced["verify"],
        body=tariff("subject", (1, 150)),
    )
    with TestClient(create_app(platform)) as client:
        texts = [
            client.get(p).text
            for p in ("/api/v1/public/products", "/api/v1/public/disclosure/2026", "/disclosure/2026", "/products", "/")
        ]
    bank = "池州农村商业银行"
    for text in texts:
        assert bank not in text and "basis" not in text and "按成本监审结果测算" not in text
