"""Pricing decisions, pure (三(六), 发改价格〔2025〕65号): the shape of a tariff, a price against its cap, what a
metered use costs on cumulative tiers, trial prices, free public-welfare use, and the operator's revenue against
its maximum permitted revenue.

A **tariff** is what a fee cap (上限收费标准) and a price (具体收费标准) share: a billing unit, an optional yearly
base fee (年度基础服务费, the Guangzhou model: base plus usage) and cumulative tiers (累进阶梯, the Fujian
model): the n-th unit a contract uses in a year costs the unit price of the tier it falls in. Money is integer
fen throughout; nothing here takes a float.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pubdata.contracts.rules import FREE_PURPOSES
from pubdata.products.rules import PER_SUBJECT_KINDS, PROTOCOL_KINDS

# What a unit counts in one metered use (a product call, a protocol run, a job's call).
UNITS: dict[str, tuple[str, str]] = {
    "call": ("按次（每次调用）", "per call"),
    "subject": ("按主体（每个查询主体或比对条目）", "per subject or item"),
    "record": ("按数据量（每条返回记录）", "per record returned"),
    "period": ("按期（年度基础服务费）", "per period (a yearly base fee)"),
}
# The same units in a word, where a tariff or a statement line names its unit.
UNIT_NAMES: dict[str, tuple[str, str]] = {
    "call": ("按次", "per call"),
    "subject": ("按主体", "per subject"),
    "record": ("按数据量", "per record"),
    "period": ("按期", "per period"),
}
# A subject is a unit only of the kinds whose calls name subjects or items: per-subject products and protocols.
SUBJECT_KINDS = (*PER_SUBJECT_KINDS, *PROTOCOL_KINDS)
MAX_TIERS = 10
# A unit price or a base fee past this (¥100 million) is a typing error, not a price.
MAX_FEN = 10_000_000_000
# A ceiling's parts past ¥100 billion: the same.
MAX_CEILING_FEN = 10_000_000_000_000
WARNING_PERCENTS = (80, 90)

# Why a metered line costs what it does.
BASES: dict[str, tuple[str, str]] = {
    "charged": ("按价格计费", "charged at the price"),
    "capped": ("按上限计费（价格高于现行上限）", "charged at the cap (the price is above the cap in force)"),
    "free": ("公益免费", "free: public governance or welfare"),
    "internal": ("内部开发，不计费", "internal development: not charged"),
    "unpriced": ("未定价，不计费", "no price on record: not charged"),
    "uncapped": ("未核定上限，不计费", "no fee cap in force: not charged"),
}


@dataclass(frozen=True)
class Tier:
    """From the ``start``-th unit of a contract's year on (0 for the first), each unit costs ``unit_fen``."""

    start: int
    unit_fen: int


@dataclass(frozen=True)
class Tariff:
    unit: str
    base_fee_fen: int = 0
    tiers: tuple[Tier, ...] = ()

    def document(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "base_fee_fen": self.base_fee_fen,
            "tiers": [{"start": tier.start, "unit_fen": tier.unit_fen} for tier in self.tiers],
        }

    @classmethod
    def of(cls, document: dict[str, Any]) -> Tariff:
        tiers = tuple(Tier(int(tier["start"]), int(tier["unit_fen"])) for tier in document.get("tiers", ()))
        return cls(str(document["unit"]), int(document.get("base_fee_fen", 0)), tiers)


Problem = tuple[str, dict[str, Any]]


def _is_fen(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def tariff_problem(tariff: Tariff, *, kind: str | None = None) -> Problem | None:
    """Why a tariff cannot be a cap or a price, or None. Amounts are whole, non-negative fen."""
    if tariff.unit not in UNITS:
        return "billing.unit", {"unit": tariff.unit}
    if kind is not None and tariff.unit == "subject" and kind not in SUBJECT_KINDS:
        return "billing.unit-kind", {"unit": tariff.unit}
    amounts = [tariff.base_fee_fen, *(tier.unit_fen for tier in tariff.tiers)]
    if not all(_is_fen(amount) for amount in amounts) or not all(_is_fen(tier.start) for tier in tariff.tiers):
        return "billing.not-fen", {}
    if any(amount < 0 for amount in amounts):
        return "billing.negative", {}
    if any(amount > MAX_FEN for amount in amounts):
        return "billing.too-much", {}
    if tariff.unit == "period":
        if tariff.tiers or tariff.base_fee_fen == 0:
            return "billing.period-tariff", {}
        return None
    if not tariff.tiers or len(tariff.tiers) > MAX_TIERS:
        return "billing.tiers", {"most": MAX_TIERS}
    starts = [tier.start for tier in tariff.tiers]
    if starts[0] != 0 or any(later <= earlier for earlier, later in zip(starts, starts[1:], strict=False)):
        return "billing.tier-order", {}
    return None


def unit_price_at(tariff: Tariff, unit_index: int) -> int:
    """The price of the ``unit_index``-th unit of a year (0-based), on the cumulative tiers."""
    price = 0
    for tier in tariff.tiers:
        if tier.start > unit_index:
            break
        price = tier.unit_fen
    return price


def _breakpoints(*tariffs: Tariff) -> list[int]:
    return sorted({tier.start for tariff in tariffs for tier in tariff.tiers} | {0})


def above_cap(price: Tariff, cap: Tariff) -> Problem | None:
    """Where a price is above its cap, or None. Both count the same unit; the base fee and every unit's price on
    the tiers must be at most the cap's, so whatever a contract uses costs no more than the cap would."""
    if price.unit != cap.unit:
        return "billing.price-unit", {"unit": UNITS[cap.unit][0]}
    if price.base_fee_fen > cap.base_fee_fen:
        return "billing.above-cap-base", {"price": price.base_fee_fen, "cap": cap.base_fee_fen}
    for start in _breakpoints(price, cap):
        asked, allowed = unit_price_at(price, start), unit_price_at(cap, start)
        if asked > allowed:
            return "billing.above-cap", {"unit": start + 1, "price": asked, "cap": allowed}
    return None


def lower_of(price: Tariff, cap: Tariff) -> Tariff:
    """What a price above a lowered cap is charged at until the operator sets a new one: the cap where the price
    passes it. Never silently: the price is flagged for the operator and the market regulator."""
    tiers: list[Tier] = []
    for start in _breakpoints(price, cap):
        fen = min(unit_price_at(price, start), unit_price_at(cap, start))
        if not tiers or tiers[-1].unit_fen != fen:
            tiers.append(Tier(start, fen))
    base = min(price.base_fee_fen, cap.base_fee_fen)
    return Tariff(price.unit, base, tuple(tiers) if price.unit != "period" else ())


@dataclass(frozen=True)
class Segment:
    """Part of one use's units priced on one tier: tier number (1-based), units, their unit price."""

    tier: int
    units: int
    unit_fen: int

    @property
    def amount_fen(self) -> int:
        return self.units * self.unit_fen


def segments(tariff: Tariff, *, before: int, units: int) -> list[Segment]:
    """The units ``before`` … ``before + units - 1`` of a contract's year, on the tiers they fall in."""
    found: list[Segment] = []
    if units <= 0 or tariff.unit == "period":
        return found
    end = before + units
    for number, tier in enumerate(tariff.tiers, start=1):
        upper = tariff.tiers[number].start if number < len(tariff.tiers) else end
        low, high = max(tier.start, before), min(upper, end)
        if high > low:
            found.append(Segment(number, high - low, tier.unit_fen))
    return found


@dataclass(frozen=True)
class Quantities:
    """What one metered use counted: itself, the subjects or items it named, the records it returned."""

    calls: int = 1
    subjects: int = 0
    records: int = 0

    def of(self, unit: str) -> int:
        return {"call": self.calls, "subject": self.subjects, "record": self.records}.get(unit, 0)


@dataclass(frozen=True)
class Charge:
    """What one metered use costs: its units of the tariff's unit, the tiers they fell in, the base fee (the
    first use of a contract's year), and why."""

    basis: str
    unit: str
    units: int
    segments: tuple[Segment, ...]
    base_fee_fen: int

    @property
    def amount_fen(self) -> int:
        return self.base_fee_fen + sum(segment.amount_fen for segment in self.segments)


def is_free(purpose: str) -> bool:
    """三(六): data products for public governance or public welfare are provided free of charge."""
    return purpose in FREE_PURPOSES


def charge_for(
    price: Tariff | None,
    cap: Tariff | None,
    *,
    purpose: str,
    internal: bool,
    quantities: Quantities,
    used: Callable[[str], int],
    base_charged: bool,
) -> Charge:
    """What one use costs: at the price, never above the cap in force. ``used(unit)`` is how many of a unit the
    consumer has used of the product this year; ``base_charged`` whether the year's base fee has been.

    A free purpose and the operator's own development cost nothing whatever the price; so does a product with no
    price, or no cap in force, on record. The units are counted either way, so a statement shows them. A price
    above its cap (flagged when the cap was lowered) is charged at the cap where it passes it; a cap in another
    unit cannot be compared tier by tier, so the use costs the lower of the two."""
    unit = price.unit if price is not None else "call"
    if price is None or cap is None or internal or is_free(purpose):
        basis = "internal" if internal else "free" if is_free(purpose) else "unpriced" if price is None else "uncapped"
        return Charge(basis, unit, quantities.of(unit), (), 0)
    problem = above_cap(price, cap)
    if problem is None:
        return _priced("charged", price, quantities, used, base_charged)
    if problem[0] != "billing.price-unit":
        return _priced("capped", lower_of(price, cap), quantities, used, base_charged)
    at_price, at_cap = (_priced("capped", tariff, quantities, used, base_charged) for tariff in (price, cap))
    return min(at_price, at_cap, key=lambda charge: charge.amount_fen)


def _priced(
    basis: str, tariff: Tariff, quantities: Quantities, used: Callable[[str], int], base_charged: bool
) -> Charge:
    units = quantities.of(tariff.unit)
    found = tuple(segments(tariff, before=used(tariff.unit), units=units))
    return Charge(basis, tariff.unit, units, found, 0 if base_charged else tariff.base_fee_fen)


def is_trial(*, listed_on: date | None, effective_from: date) -> bool:
    """试行价格: a product without a full operating year (listed less than a year before the price takes effect,
    or not listed yet) runs on a trial price."""
    if listed_on is None:
        return True
    try:
        anniversary = listed_on.replace(year=listed_on.year + 1)
    except ValueError:  # listed on 29 February
        anniversary = listed_on.replace(year=listed_on.year + 1, day=28)
    return effective_from < anniversary


def effective_date_problem(effective_from: date, *, today: date) -> Problem | None:
    """A cap, price or ceiling never takes effect in the past: what was billed stays billed."""
    if effective_from < today:
        return "billing.backdated", {"today": today.isoformat()}
    return None


def ceiling_total(parts: Sequence[int]) -> int:
    """最高准许收入 = operating cost + permitted profit + tax."""
    return sum(parts)


def ceiling_parts_problem(parts: Sequence[Any]) -> Problem | None:
    if not all(_is_fen(part) for part in parts):
        return "billing.not-fen", {}
    if any(part < 0 for part in parts):
        return "billing.negative", {}
    if any(part > MAX_CEILING_FEN for part in parts) or sum(parts) == 0:
        return "billing.ceiling-parts", {}
    return None


def warning_level(revenue_fen: int, ceiling_fen: int) -> int | None:
    """The highest warning a year's revenue has reached against its ceiling (80, 90 or 100 per cent), or None."""
    if ceiling_fen <= 0:
        return 100 if revenue_fen > 0 else None
    if revenue_fen > ceiling_fen:
        return 100
    reached = [percent for percent in WARNING_PERCENTS if revenue_fen * 100 >= ceiling_fen * percent]
    return reached[-1] if reached else None


def excess(revenue_fen: int, ceiling_fen: int) -> int:
    """Revenue above a year's ceiling: deducted from the next year's ceiling (the national rule)."""
    return max(revenue_fen - ceiling_fen, 0)
