"""The pricing rules, pure: tariffs, a price against its cap, cumulative tiers, trial prices, free public-welfare
use, and revenue against the ceiling."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pubdata.billing import rules
from pubdata.billing.rules import Quantities, Tariff, Tier

# The Fujian model: ¥2.00 an enterprise up to 10,000 a year, then ¥1.50, from 50,001 on ¥1.00.
TIERED = Tariff("subject", 0, (Tier(0, 200), Tier(10_000, 150), Tier(50_000, 100)))
# The Guangzhou model: a yearly base fee of ¥5,000 plus ¥0.50 a call.
BASE_PLUS = Tariff("call", 500_000, (Tier(0, 50),))


def test_a_use_is_priced_on_the_tiers_its_units_fall_in():
    across = rules.segments(TIERED, before=9_998, units=5)
    assert [(s.tier, s.units, s.unit_fen) for s in across] == [(1, 2, 200), (2, 3, 150)]
    assert sum(s.amount_fen for s in across) == 2 * 200 + 3 * 150
    assert [(s.tier, s.units) for s in rules.segments(TIERED, before=49_999, units=2)] == [(2, 1), (3, 1)]
    assert rules.segments(TIERED, before=0, units=0) == []


@given(before=st.integers(0, 100_000), units=st.integers(0, 60_000))
def test_tiered_amounts_add_up_to_each_unit_priced_alone(before, units):
    whole = sum(s.amount_fen for s in rules.segments(TIERED, before=before, units=units))
    split = sum(s.amount_fen for s in rules.segments(TIERED, before=before, units=units // 2)) + sum(
        s.amount_fen for s in rules.segments(TIERED, before=before + units // 2, units=units - units // 2)
    )
    assert whole == split
    assert sum(s.units for s in rules.segments(TIERED, before=before, units=units)) == units


def charge(price, cap=None, *, purpose="industry", internal=False, used=0, base_charged=False, **counted):
    return rules.charge_for(
        price,
        cap if cap is not None else price,
        purpose=purpose,
        internal=internal,
        quantities=Quantities(**counted) if counted else Quantities(),
        used=lambda unit: used,
        base_charged=base_charged,
    )


def test_the_base_fee_is_charged_once_a_year():
    first, later = charge(BASE_PLUS), charge(BASE_PLUS, used=1, base_charged=True)
    assert (first.amount_fen, later.amount_fen) == (500_050, 50)


@pytest.mark.parametrize("purpose", ["public_governance", "public_welfare"])
def test_a_public_welfare_use_costs_nothing_whatever_the_price(purpose):
    found = charge(BASE_PLUS, purpose=purpose)
    assert (found.basis, found.amount_fen, found.units) == ("free", 0, 1)


def test_internal_development_an_unpriced_product_and_one_without_a_cap_cost_nothing():
    internal = charge(TIERED, internal=True, subjects=3)
    unpriced = rules.charge_for(
        None, TIERED, purpose="industry", internal=False, quantities=Quantities(), used=lambda u: 0, base_charged=False
    )
    uncapped = rules.charge_for(
        TIERED,
        None,
        purpose="industry",
        internal=False,
        quantities=Quantities(subjects=2),
        used=lambda u: 0,
        base_charged=False,
    )
    assert (internal.basis, internal.amount_fen, internal.units) == ("internal", 0, 3)
    assert (unpriced.basis, unpriced.amount_fen) == ("unpriced", 0)
    assert (uncapped.basis, uncapped.amount_fen, uncapped.units) == ("uncapped", 0, 2)


def test_a_price_above_a_cap_in_another_unit_costs_the_lower_of_the_two():
    per_subject = Tariff("subject", 0, (Tier(0, 200),))
    per_call_with_base = Tariff("call", 5_000, (Tier(0, 100),))
    one_subject = charge(per_subject, per_call_with_base, subjects=1)
    assert (one_subject.basis, one_subject.amount_fen) == ("capped", 200)  # not the cap's ¥51.00
    many = charge(per_subject, per_call_with_base, subjects=100, base_charged=True)
    assert many.amount_fen == 100  # the cap's one call beats a hundred subjects at the price


def test_a_price_above_its_cap_anywhere_on_the_tiers_is_named():
    cap = Tariff("subject", 0, (Tier(0, 200), Tier(10_000, 150)))
    assert rules.above_cap(TIERED, cap) is None
    lower_early = Tariff("subject", 0, (Tier(0, 200), Tier(5_000, 150)))  # ¥1.50 from 5,001: under the cap
    assert rules.above_cap(lower_early, cap) is None
    # ¥1.80 from 5,001: under the cap's ¥2.00 there, above its ¥1.50 from 10,001 — where the price's tier is still on
    over = Tariff("subject", 0, (Tier(0, 200), Tier(5_000, 180)))
    assert rules.above_cap(over, cap) == ("billing.above-cap", {"unit": 10_001, "price": 180, "cap": 150})
    late = Tariff("subject", 0, (Tier(0, 150), Tier(20_000, 160)))  # ¥1.60 from 20,001 where the cap is ¥1.50
    assert rules.above_cap(late, cap) == ("billing.above-cap", {"unit": 20_001, "price": 160, "cap": 150})
    assert rules.above_cap(Tariff("call", 0, (Tier(0, 1),)), cap)[0] == "billing.price-unit"
    base = Tariff("call", 600_000, (Tier(0, 10),))
    assert rules.above_cap(base, BASE_PLUS)[0] == "billing.above-cap-base"


def test_a_price_above_a_lowered_cap_is_charged_at_the_cap_where_it_passes_it():
    cap = Tariff("subject", 0, (Tier(0, 180), Tier(30_000, 90)))
    lowered = rules.lower_of(TIERED, cap)
    assert lowered.tiers == (Tier(0, 180), Tier(10_000, 150), Tier(30_000, 90))
    assert rules.above_cap(lowered, cap) is None


@pytest.mark.parametrize(
    ("tariff", "rule"),
    [
        (Tariff("barrel", 0, (Tier(0, 1),)), "billing.unit"),
        (Tariff("call", 0, ()), "billing.tiers"),
        (Tariff("call", 0, (Tier(1, 5),)), "billing.tier-order"),
        (Tariff("call", 0, (Tier(0, 5), Tier(0, 4))), "billing.tier-order"),
        (Tariff("call", 0, (Tier(0, -5),)), "billing.negative"),
        (Tariff("call", -1, (Tier(0, 5),)), "billing.negative"),
        (Tariff("call", 0, (Tier(0, 1.5),)), "billing.not-fen"),  # type: ignore[arg-type]
        (Tariff("call", 0, (Tier(0, True),)), "billing.not-fen"),  # type: ignore[arg-type]
        (Tariff("period", 0, ()), "billing.period-tariff"),
        (Tariff("period", 100, (Tier(0, 1),)), "billing.period-tariff"),
        (Tariff("call", rules.MAX_FEN + 1, (Tier(0, 1),)), "billing.too-much"),
    ],
)
def test_a_malformed_tariff_is_refused_by_its_rule(tariff, rule):
    assert rules.tariff_problem(tariff)[0] == rule


def test_subjects_are_a_unit_only_for_products_that_name_them():
    per_subject = Tariff("subject", 0, (Tier(0, 100),))
    assert rules.tariff_problem(per_subject, kind="credit_profile") is None
    assert rules.tariff_problem(per_subject, kind="private_set") is None
    assert rules.tariff_problem(per_subject, kind="statistical_table")[0] == "billing.unit-kind"


def test_a_product_without_a_full_operating_year_runs_on_a_trial_price():
    assert rules.is_trial(listed_on=None, effective_from=date(2026, 12, 1))
    assert rules.is_trial(listed_on=date(2026, 3, 1), effective_from=date(2027, 2, 28))
    assert not rules.is_trial(listed_on=date(2026, 3, 1), effective_from=date(2027, 3, 1))
    assert not rules.is_trial(listed_on=date(2024, 2, 29), effective_from=date(2025, 2, 28))


def test_nothing_takes_effect_in_the_past():
    today = date(2026, 12, 2)
    assert rules.effective_date_problem(date(2026, 12, 1), today=today)[0] == "billing.backdated"
    assert rules.effective_date_problem(today, today=today) is None


def test_revenue_warns_at_80_and_90_per_cent_and_the_excess_comes_off_next_year():
    assert rules.warning_level(79_999, 100_000) is None
    assert rules.warning_level(80_000, 100_000) == 80
    assert rules.warning_level(95_000, 100_000) == 90
    assert rules.warning_level(100_001, 100_000) == 100
    assert rules.excess(120_000, 100_000) == 20_000
    assert rules.excess(90_000, 100_000) == 0


def test_a_ceiling_is_cost_plus_profit_plus_tax_in_whole_fen():
    assert rules.ceiling_total([800_000_00, 80_000_00, 48_000_00]) == 928_000_00
    assert rules.ceiling_parts_problem([1, 2.5, 3])[0] == "billing.not-fen"
    assert rules.ceiling_parts_problem([1, -2, 3])[0] == "billing.negative"
    assert rules.ceiling_parts_problem([0, 0, 0])[0] == "billing.ceiling-parts"
