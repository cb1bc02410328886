"""Quality-ticket decisions, pure: the ticket's states, its kinds, where it points (rows and columns by
number), and the providing department's answer deadline (三(三)3: 5 working days)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

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
