"""Working days on China's official calendar (holidays and adjusted workdays), via ``chinesecalendar``.

The State Council publishes each year's schedule late in the year before, and the library follows some
weeks later. For a year it does not know yet, days are counted Monday to Friday and the answer says it is
an estimate (``official=False``) so a page can show it as such; nothing pretends to be official.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar


@dataclass(frozen=True)
class Deadline:
    day: date
    official: bool  # False when some year on the way was not yet in the official calendar


def _is_workday(day: date) -> tuple[bool, bool]:
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def is_workday(day: date) -> bool:
    """Is ``day`` a working day (Monday to Friday where the official calendar does not know its year)?"""
    return _is_workday(day)[0]


def add_working_days(start: date, days: int) -> Deadline:
    """The day ``days`` working days after ``start`` (``start`` itself not counted)."""
    if days < 0:
        raise ValueError("count forward only")
    day, left, official = start, days, True
    while left:
        day += timedelta(days=1)
        workday, known = _is_workday(day)
        official = official and known
        if workday:
            left -= 1
    return Deadline(day, official)
