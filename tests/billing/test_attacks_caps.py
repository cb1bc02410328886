"""Attacks (red team): caps, prices, flags."""

from __future__ import annotations

import pytest

from pubdata.billing import service as billing
from pubdata.common import clock
from pubdata.common.errors import Refused
from pubdata.products import service as products
from tests.billing.test_metering import ceiling_body, lines, tariff
from tests.products.test_calls import CLOSED, GRANTED, call
from tests.scenarios import make_account, principal, read, run


def test_cap_changing_unit_charges_per_subject_at_the_per_call_cap(platform, priced):
    """Cap v2 is ¥1.00 per CALL; the live price is per SUBJECT. A 2-subject call must cost at most ¥1.00."""
    pricing = principal(platform, "pricing.admin")
    run(platform, billing.set_cap, principal=pricing, code=priced["verify"], body=tariff("call", (1, 100)))
    call(platform, priced, subjects=(GRANTED, CLOSED))
    (line,) = lines(platform)
    assert line.amount_fen <= 100, f"charged {line.amount_fen} fen for one call; the cap in force is 100 fen a call"


def test_a_cap_in_another_unit_never_bills_more_than_the_price(platform, priced):
    """Price: per subject, no base fee. Cap v2: per call with a ¥50 yearly base fee and ¥1.00 a call. A 1-subject call
    would cost ¥2.00 at the price; at most ¥1.00 at the cap's per-call rate; the consumer must never pay more than
    the operator's own price."""
    pricing = principal(platform, "pricing.admin")
    run(platform, billing.set_cap, principal=pricing, code=priced["verify"], body=tariff("call", (1, 100), base=5000))
    call(platform, priced, subjects=(GRANTED,))
    (line,) = lines(platform)
    assert line.amount_fen <= 200, f"charged {line.amount_fen} fen; the operator's own price is 200 fen"


def test_a_flag_stays_open_while_the_flagged_price_is_in_force(platform, priced):
    pricing = principal(platform, "pricing.admin")
    operator = principal(platform, "operator.admin")
    run(platform, billing.set_cap, principal=pricing, code=priced["verify"], body=tariff("subject", (1, 150)))
    assert read(platform, billing.open_flags)
    run(
        platform,
        billing.set_price,
        principal=operator,
        code=priced["verify"],
        body=tariff("subject", (1, 150), days=30),
    )
    with platform.read() as session:
        product = products.find(session, code=priced["verify"])
        live = billing.in_force(billing.prices_of(session, product.id), clock.today())
        assert live.version == 1  # the flagged price, 200 fen > cap 150, is still the one in force for 30 days
        assert billing.open_flags(session), "flag resolved although the price above the cap stays in force"


def test_raising_the_cap_back_ends_the_flag(platform, priced):
    pricing = principal(platform, "pricing.admin")
    run(platform, billing.set_cap, principal=pricing, code=priced["verify"], body=tariff("subject", (1, 150)))
    run(platform, billing.set_cap, principal=pricing, code=priced["verify"], body=tariff("subject", (1, 300)))
    with platform.read() as session:
        product = products.find(session, code=priced["verify"])
        view = billing.price_views(session, {product.id})[product.id]
        assert view.flagged is False, "price within the cap in force but still flagged to the market regulator"
        assert billing.open_flags(session) == []


def test_a_price_needs_a_cap_in_force_the_day_it_takes_effect(platform, world):
    make_account(platform, kind="pricing", name="池州市发展改革委", login="pricing.admin", days=366)
    pricing = principal(platform, "pricing.admin")
    operator_id = world["operator"].organisation_id
    run(platform, billing.set_ceiling, principal=pricing, body=ceiling_body(operator_id, year=clock.today().year))
    run(platform, billing.set_cap, principal=pricing, code=world["verify"], body=tariff("subject", (1, 200), days=10))
    with pytest.raises(Refused) as caught:
        run(
            platform,
            billing.set_price,
            principal=principal(platform, "operator.admin"),
            code=world["verify"],
            body=tariff("subject", (1, 200)),
        )
    assert caught.value.rule == "billing.no-cap"


def test_the_years_base_fee_is_charged_once_a_price_has_one(platform, world):
    make_account(platform, kind="pricing", name="池州市发展改革委", login="pricing.admin", days=366)
    pricing = principal(platform, "pricing.admin")
    operator_id = world["operator"].organisation_id
    run(platform, billing.set_ceiling, principal=pricing, body=ceiling_body(operator_id, year=clock.today().year))
    call(platform, world, subjects=(GRANTED,))  # unpriced use: opens the contract's meter account for the year
    body = tariff("subject", (1, 100), base=5000)
    run(platform, billing.set_cap, principal=pricing, code=world["verify"], body=body)
    run(platform, billing.set_price, principal=principal(platform, "operator.admin"), code=world["verify"], body=body)
    call(platform, world, subjects=(GRANTED,))
    first, second = lines(platform)
    assert second.base_fee_fen == 5000, "the year's base fee of the price was never charged"
