"""Quality-ticket decisions, pure: the ticket's states, its kinds, where it points (rows and columns by
number), and the providing department's answer deadline (三(三)3: 5 working days)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pubdata.common.lifecycle import Lifecycle, State

# 三(三)3: the department answers within 5 working days of receiving the ticket (``Settings.quality_answer_days``).
ANSWER_WORKING_DAYS = 5

KINDS: dict[str, tuple[str, str]] = {
    "error": ("数据错误", "Error"),
    "omission": ("数据遗漏", "Omission"),
    "staleness": ("更新不及时", "Staleness"),
    "inconsistency": ("数据不一致", "Inconsistency"),
}

MAX_RANGES = 50  # row ranges a ticket may name
MAX_ROW = 10**12
MAX_COLUMNS = 100
MAX_DESCRIPTION = 2000


class TicketState(State):
    OPEN = "open", "待答复", "Awaiting answer"
    ANSWERED = "answered", "已答复待确认", "Answered"
    CLOSED = "closed", "已关闭", "Closed"


T = TicketState
TICKET = Lifecycle(
    rule="quality.transition",
    name=("数据质量问题", "quality ticket"),
    states=TicketState,
    start=T.OPEN,
    events={
        "answer": ("答复", "answer"),
        "confirm": ("确认已解决", "confirm the fix"),
        "reopen": ("重新打开", "reopen"),
        "withdraw": ("撤回", "withdraw"),
    },
    transitions={
        (T.OPEN, "answer"): T.ANSWERED,
        (T.ANSWERED, "confirm"): T.CLOSED,
        (T.ANSWERED, "reopen"): T.OPEN,
        (T.OPEN, "withdraw"): T.CLOSED,
    },
)

# How a round of a ticket ended: the filer confirmed the fix, or reopened it (a new round, a new deadline).
OUTCOMES: dict[str, tuple[str, str]] = {
    "confirmed": ("已确认解决", "Fix confirmed"),
    "reopened": ("已重新打开", "Reopened"),
    "withdrawn": ("已撤回", "Withdrawn"),
}

# --- where a ticket points -------------------------------------------------------------------------------

_RANGE = re.compile(r"^(\d{1,13})(?:\s*[-–~至]\s*(\d{1,13}))?$")


def parse_rows(text: str) -> tuple[list[tuple[int, int]], str | None]:
    """Row numbers (1-based) as ranges, from ``"3, 7-9"`` (commas, Chinese commas or spaces between them);
    merged and sorted. Returns (ranges, problem) where problem is a label key or None. An empty text names no
    rows (the problem is about the whole resource, as a staleness ticket is)."""
    parts = [part.strip() for part in re.split(r"[,，、;；\s]+", text.strip()) if part.strip()]
    if len(parts) > MAX_RANGES:
        return [], "quality.rows_too_many"
    ranges = []
    for part in parts:
        match = _RANGE.match(part)
        if match is None:
            return [], "quality.rows_shape"
        first = int(match[1])
        last = int(match[2]) if match[2] else first
        if not 1 <= first <= last <= MAX_ROW:
            return [], "quality.rows_order"
        ranges.append((first, last))
    return _merged(ranges), None


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged


def rows_text(ranges: Sequence[Sequence[int]]) -> str:
    """The canonical text of row ranges: ``"3, 7-9"``."""
    return ", ".join(str(first) if first == last else f"{first}-{last}" for first, last in ranges)


def columns_problem(columns: Sequence[int], field_count: int) -> str | None:
    """Column numbers (1-based, in the published schema's order) a ticket may name, or the problem's key."""
    if len(columns) > MAX_COLUMNS or len(set(columns)) != len(columns):
        return "quality.columns_repeated"
    if any(not 1 <= column <= field_count for column in columns):
        return "quality.columns_range"
    return None


# --- the deadline ------------------------------------------------------------------------------------------


def overdue(*, state: str, due: date, today: date) -> bool:
    """An unanswered round past the end of its last working day."""
    return state == T.OPEN.value and today > due


def late(*, due: date, answered_on: date) -> bool:
    """An answer given after the deadline: accepted, and recorded late."""
    return answered_on > due


# --- department contribution scores (四) ------------------------------------------------------------------

# What a department's data supply is scored on, each from recorded facts (quality.scores gathers them).
INDICATORS: dict[str, tuple[str, str]] = {
    "registered": ("登记资源数", "Resources registered"),
    "current": ("按声明频率更新", "Kept current"),
    "loads": ("数据更新次数", "Data loads"),
    "on_time": ("质量问题按期答复", "Quality answers on time"),
    "products": ("支撑数据产品", "Products built on its data"),
    "calls": ("数据调用次数", "Calls on its data"),
}
# Counts are scored against the best department of the period; ratios stand as they are.
RELATIVE = ("registered", "loads", "products", "calls")
DEFAULT_WEIGHTS = {"registered": 20, "current": 20, "loads": 10, "on_time": 20, "products": 15, "calls": 15}
DEFAULT_TOTAL = 100
MAX_WEIGHT = 1000

# How old a resource's newest load may be and still be current, by its declared update frequency (days).
MAX_AGE_DAYS = {"realtime": 1, "daily": 2, "weekly": 8, "monthly": 35, "quarterly": 95, "yearly": 370}


@dataclass(frozen=True)
class Supply:
    """One department's recorded facts for a period, counted."""

    registered: int = 0
    current: int = 0
    loads: int = 0
    rounds_due: int = 0
    on_time: int = 0
    products: int = 0
    calls: int = 0

    def value(self, indicator: str) -> float:
        """The indicator's raw value: a count, or for ``current`` and ``on_time`` a ratio in [0, 1]."""
        if indicator == "current":
            return self.current / self.registered if self.registered else 0.0
        if indicator == "on_time":
            return self.on_time / self.rounds_due if self.rounds_due else 1.0  # nothing due: nothing missed
        return float(getattr(self, indicator))


def is_current(frequency: str, last_loaded: date | None, as_of: date) -> bool:
    """A resource is current when its newest load is no older than its declared frequency allows; an
    irregular one when it has been loaded at all."""
    if last_loaded is None:
        return False
    most = MAX_AGE_DAYS.get(frequency)
    return most is None or (as_of - last_loaded).days <= most


def weights_problem(weights: Mapping[str, int], total: int) -> tuple[str, dict[str, Any]] | None:
    """Why a weight table cannot be used: an unknown or missing indicator, a weight out of range, or weights
    that do not sum to the total they state."""
    unknown = sorted(set(weights) - set(INDICATORS))
    missing = sorted(set(INDICATORS) - set(weights))
    if unknown or missing:
        return "quality.weights-indicators", {"names": unknown + missing}
    if any(not isinstance(w, int) or isinstance(w, bool) or not 0 <= w <= MAX_WEIGHT for w in weights.values()):
        return "quality.weights-range", {"most": MAX_WEIGHT}
    if not 1 <= total <= MAX_WEIGHT * len(INDICATORS) or sum(weights.values()) != total:
        return "quality.weights-total", {"sum": sum(weights.values()), "total": total}
    return None


@dataclass(frozen=True)
class Score:
    """A department's score: each indicator's raw value, its share of the weight, and the total."""

    values: dict[str, float]
    parts: dict[str, float]

    @property
    def total(self) -> float:
        return round(sum(self.parts.values()), 2)


def score(supply: Supply, best: Mapping[str, float], weights: Mapping[str, int]) -> Score:
    """Weight × the indicator's value, each count against the period's best department (a department with the
    best count earns the whole weight; none earns any when nobody has any)."""
    values = {name: supply.value(name) for name in INDICATORS}
    parts = {}
    for name, weight in weights.items():
        if name in RELATIVE:
            share = values[name] / best[name] if best.get(name) else 0.0
        else:
            share = values[name]
        parts[name] = round(weight * share, 2)
    return Score(values, parts)


def best_of(supplies: Mapping[int, Supply]) -> dict[str, float]:
    return {name: max((s.value(name) for s in supplies.values()), default=0.0) for name in RELATIVE}


def ranked(scores: Mapping[int, Score]) -> list[tuple[int, int, Score]]:
    """(rank, department, score), best first; equal totals share a rank."""
    order = sorted(scores.items(), key=lambda item: (-item[1].total, item[0]))
    found, rank, previous = [], 0, None
    for position, (department, found_score) in enumerate(order, start=1):
        if found_score.total != previous:
            rank, previous = position, found_score.total
        found.append((rank, department, found_score))
    return found
