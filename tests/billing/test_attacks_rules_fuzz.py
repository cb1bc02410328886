"""Attacks (red team): tier arithmetic against a brute-force unit-by-unit model."""

import random

from pubdata.billing import rules
from pubdata.billing.rules import Tariff, Tier


def _random_tariff(rng, unit="subject"):
    starts = sorted({0, *rng.sample(range(1, 40), rng.randint(0, 4))})
    return Tariff(unit, rng.choice([0, 0, 500]), tuple(Tier(s, rng.randint(0, 300)) for s in starts))


def test_segments_lower_of_and_above_cap_agree_with_brute_force():
    rng = random.Random(15)
    for _ in range(5000):
        price, cap = _random_tariff(rng), _random_tariff(rng)
        assert rules.tariff_problem(price) is None
        before, units = rng.randint(0, 50), rng.randint(0, 20)
        brute = sum(rules.unit_price_at(price, i) for i in range(before, before + units))
        found = rules.segments(price, before=before, units=units)
        assert sum(s.amount_fen for s in found) == brute
        assert sum(s.units for s in found) == units
        everywhere = all(rules.unit_price_at(price, i) <= rules.unit_price_at(cap, i) for i in range(0, 60))
        assert (rules.above_cap(price, cap) is None) == (everywhere and price.base_fee_fen <= cap.base_fee_fen)
        low = rules.lower_of(price, cap)
        assert rules.tariff_problem(low) is None, (price, cap, low)
        assert rules.above_cap(low, cap) is None and rules.above_cap(low, price) is None
        for i in range(60):
            assert rules.unit_price_at(low, i) == min(rules.unit_price_at(price, i), rules.unit_price_at(cap, i))
