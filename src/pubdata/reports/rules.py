"""Report decisions, pure: the annual report's states, when it is due, and charts drawn as SVG for the PDF."""

from __future__ import annotations

from datetime import date
from html import escape

from pubdata.common.lifecycle import Lifecycle, State

# 三(九): at the start of each year the operator reports on the previous one; due by the end of January, so that
# the yearly public disclosure can follow by the end of March.
DUE_MONTH_DAY = (1, 31)
DISCLOSURE_MONTH_DAY = (3, 31)


class ReportState(State):
    SUBMITTED = "submitted", "已提交待审", "Submitted"
    ACCEPTED = "accepted", "已通过", "Accepted"
    RETURNED = "returned", "已退回修改", "Returned"


R = ReportState
REPORT = Lifecycle(
    rule="reports.transition",
    name=("年度运营报告", "annual report"),
    states=ReportState,
    start=R.SUBMITTED,
    events={"accept": ("通过", "accept"), "return": ("退回", "return"), "resubmit": ("重新提交", "resubmit")},
    transitions={
        (R.SUBMITTED, "accept"): R.ACCEPTED,
        (R.SUBMITTED, "return"): R.RETURNED,
        (R.RETURNED, "resubmit"): R.SUBMITTED,
    },
)


def due_on(year: int) -> date:
    """The last day the report on ``year`` is due."""
    return date(year + 1, *DUE_MONTH_DAY)


def reportable(year: int, today: date) -> bool:
    """A report is on a year that is over."""
    return year < today.year


def overdue(*, year: int, state: str | None, today: date) -> bool:
    """No report accepted or waiting for the bureau after its day (a returned one counts as not submitted)."""
    return today > due_on(year) and state not in (R.SUBMITTED.value, R.ACCEPTED.value)


def bar_svg(items: list[tuple[str, float]], *, width: int = 480, bar: int = 18, color: str = "#1a4fa0") -> str:
    """A horizontal bar chart as SVG markup (the PDF has no script to draw ECharts): a bar per (label, value)."""
    if not items:
        return ""
    most = max(value for _, value in items) or 1
    label_width, gap = 150, 6
    height = len(items) * (bar + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for index, (label, value) in enumerate(items):
        y = gap + index * (bar + gap)
        length = (width - label_width - 60) * value / most
        parts.append(f'<text x="0" y="{y + bar - 5}" font-size="11">{escape(label[:14])}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar}" fill="{color}"/>')
        parts.append(f'<text x="{label_width + length + 4:.1f}" y="{y + bar - 5}" font-size="11">{value:g}</text>')
    parts.append("</svg>")
    return "".join(parts)
