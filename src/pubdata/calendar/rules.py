"""Working days on China's calendar, pure: which days are worked, where each year's answer comes from, and
the deadline N working days after a date.

A year's answer comes from the first of three sources that knows it:

1. the bureau's table (年度放假安排表), loaded each year from the State Council's notice: holidays and make-up
   workdays (调休上班日) as the notice lists them;
2. ``chinese-calendar``, which follows those notices some weeks after they are published;
3. for a year neither knows, a **provisional** answer: Monday to Friday less the statutory holidays of the
   national holiday rules as amended in 2024 (《全国年节及纪念日放假办法》, State Council decree 795), with no
   make-up days and no substitute days off, since only the year's notice decides those.

A deadline that counts a provisional day is itself provisional, and is recomputed when the year's table is
loaded (``calendar.service``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

import chinese_calendar
from lunar_python import Lunar, Solar

HOLIDAY, WORKDAY = "holiday", "workday"
DAY_KINDS: dict[str, tuple[str, str]] = {
    HOLIDAY: ("放假", "Holiday"),
    WORKDAY: ("调休上班", "Make-up workday"),
}
# How a table file may name a day's kind: the words of the notice, or ours.
KIND_WORDS = {"holiday": HOLIDAY, "放假": HOLIDAY, "休": HOLIDAY, "workday": WORKDAY, "上班": WORKDAY, "班": WORKDAY}

TABLE, OFFICIAL, PROVISIONAL = "table", "official", "provisional"
SOURCES: dict[str, tuple[str, str]] = {
    TABLE: ("市数据资源局录入的年度放假安排", "The bureau's table of the year's holidays"),
    OFFICIAL: ("国务院办公厅放假安排通知", "The State Council's notice (chinese-calendar)"),
    PROVISIONAL: ("暂定：按法定节假日推算，不含调休", "Provisional: statutory holidays only, no make-up days"),
}

# The statutory holidays of the 2024 amendment (effective 2025), as the provisional calendar counts them.
STATUTORY: dict[str, tuple[str, str]] = {
    "new_year": ("元旦", "New Year's Day"),
    "spring_festival": ("春节", "Spring Festival"),
    "qingming": ("清明节", "Qingming"),
    "labour_day": ("劳动节", "Labour Day"),
    "dragon_boat": ("端午节", "Dragon Boat Festival"),
    "mid_autumn": ("中秋节", "Mid-Autumn Festival"),
    "national_day": ("国庆节", "National Day"),
}

# The years a deadline may be asked about: the lunar library's tables and our statutory rules hold for them.
FIRST_YEAR, LAST_YEAR = 2000, 2099
MAX_WORKING_DAYS = 250  # about a year of working days
MAX_TABLE_LINES = 400


@dataclass(frozen=True)
class Day:
    """One day as the calendar answers it: worked or not, the source that said so, and the holiday's name."""

    day: date
    workday: bool
    source: str
    name: str = ""


@dataclass(frozen=True)
class YearTable:
    """The bureau's table for one year: each listed day's kind and name (the notice's own words)."""

    year: int
    days: Mapping[date, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Deadline:
    """The last day of a span of working days, and whether some day of it was counted provisionally."""

    due: date
    provisional: bool


# --- the provisional year ---------------------------------------------------------------------------------


def _solar(solar: Solar) -> date:
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


@cache
def statutory_holidays(year: int) -> dict[date, str]:
    """The statutory holidays of ``year`` (key of ``STATUTORY`` by day): 13 days, lunar ones from the lunar
    calendar, Qingming on the day of the solar term."""
    new_year = _solar(Lunar.fromYmd(year, 1, 1).getSolar())
    qingming = _solar(Solar.fromYmd(year, 6, 1).getLunar().getJieQiTable()["清明"])
    days = {date(year, 1, 1): "new_year", qingming: "qingming"}
    # 农历除夕 and 正月初一 to 初三: New Year's Eve is the day before the first of the first month.
    days |= {new_year + timedelta(days=offset): "spring_festival" for offset in (-1, 0, 1, 2)}
    days |= {date(year, 5, 1): "labour_day", date(year, 5, 2): "labour_day"}
    days[_solar(Lunar.fromYmd(year, 5, 5).getSolar())] = "dragon_boat"
    days[_solar(Lunar.fromYmd(year, 8, 15).getSolar())] = "mid_autumn"
    days |= {date(year, 10, day): "national_day" for day in (1, 2, 3)}
    return days


@cache
def official_knows(year: int) -> bool:
    """Whether ``chinese-calendar`` holds the State Council's schedule for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _official(day: date) -> Day:
    holiday, name = chinese_calendar.get_holiday_detail(day)
    label = _CHINESE_NAMES.get(str(name), str(name)) if name else ""
    return Day(day, not holiday, OFFICIAL, label)


# chinese-calendar names its holidays in English; the pages speak the notice's words.
_CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利纪念日",
}


# --- the calendar -----------------------------------------------------------------------------------------


class WorkCalendar:
    """The working-day calendar: the bureau's tables first, then ``chinese-calendar``, then provisional."""

    def __init__(self, tables: Mapping[int, YearTable] | None = None) -> None:
        self.tables = dict(tables or {})

    def source(self, year: int) -> str:
        if year in self.tables:
            return TABLE
        return OFFICIAL if official_knows(year) else PROVISIONAL

    def day(self, day: date) -> Day:
        source = self.source(day.year)
        if source == TABLE:
            kind, name = self.tables[day.year].days.get(day, ("", ""))
            workday = kind == WORKDAY or (kind != HOLIDAY and day.weekday() < 5)
            return Day(day, workday, TABLE, name)
        if source == OFFICIAL:
            return _official(day)
        holiday = statutory_holidays(day.year).get(day)
        name = STATUTORY[holiday][0] if holiday else ""
        return Day(day, day.weekday() < 5 and holiday is None, PROVISIONAL, name)

    def is_workday(self, day: date) -> bool:
        return self.day(day).workday

    def add_working_days(self, start: date, working_days: int) -> Deadline:
        """The end of the ``working_days``-th working day after ``start``; ``start`` itself never counts,
        worked or not."""
        if working_days < 0:
            raise ValueError("count forward only")
        day, left, provisional = start, working_days, False
        while left:
            day += timedelta(days=1)
            answer = self.day(day)
            provisional = provisional or answer.source == PROVISIONAL
            if answer.workday:
                left -= 1
        return Deadline(day, provisional)

    def year(self, year: int) -> Iterator[Day]:
        day = date(year, 1, 1)
        while day.year == year:
            yield self.day(day)
            day += timedelta(days=1)


# --- the bureau's table file ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableProblem:
    """What is wrong with one line of a table file: its line number, the problem's label key and parameters."""

    line: int
    problem: str
    text: str = ""


HEADERS = {"date": "date", "日期": "date", "kind": "kind", "类型": "kind", "name": "name", "名称": "name"}


def parse_table(year: int, text: str) -> tuple[YearTable, list[TableProblem]]:
    """Read a table file (CSV: date, kind, name; a header line optional) for ``year``. Every problem is named by
    its line, so the whole file can be refused at once; a table with any problem must not be used."""
    problems: list[TableProblem] = []
    days: dict[date, tuple[str, str]] = {}
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if rows and HEADERS.get(rows[0][0].strip().lstrip("\ufeff").lower()) == "date":
        rows = rows[1:]
        first_line = 2
    else:
        first_line = 1
    if not rows:
        return YearTable(year), [TableProblem(0, "calendar.problem_empty")]
    if len(rows) > MAX_TABLE_LINES:
        return YearTable(year), [TableProblem(0, "calendar.problem_too_long", str(MAX_TABLE_LINES))]
    for line, row in enumerate(rows, start=first_line):
        problem = _row_problem(year, row, days)
        if problem is not None:
            problems.append(TableProblem(line, *problem))
            continue
        day, kind, name = _row(row)
        days[day] = (kind, name)
    return YearTable(year, days), problems


def _row(row: list[str]) -> tuple[date, str, str]:
    cells = [cell.strip() for cell in row] + ["", ""]
    return date.fromisoformat(cells[0].lstrip("\ufeff")), KIND_WORDS[cells[1].lower()], cells[2][:40]


def _row_problem(year: int, row: list[str], seen: Mapping[date, object]) -> tuple[str, str] | None:
    cells = [cell.strip() for cell in row] + ["", ""]
    text = cells[0].lstrip("\ufeff")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return "calendar.problem_date", text[:20]
    if len(text) != 10:
        return "calendar.problem_date", text[:20]
    if day.year != year:
        return "calendar.problem_year", text
    if day in seen:
        return "calendar.problem_duplicate", text
    kind = KIND_WORDS.get(cells[1].lower())
    if kind is None:
        return "calendar.problem_kind", cells[1][:20]
    if kind == WORKDAY and day.weekday() < 5:
        return "calendar.problem_weekday", text
    if len(cells[2]) > 40:
        return "calendar.problem_name", text
    return None


def table_rows(table: YearTable) -> list[list[str]]:
    """The table as canonical rows (day, kind, name), in date order: what is stored and digested."""
    return [[day.isoformat(), kind, name] for day, (kind, name) in sorted(table.days.items())]


def table_of(year: int, rows: list[list[str]]) -> YearTable:
    return YearTable(year, {date.fromisoformat(day): (kind, name) for day, kind, name in rows})


def deadline_problem(filed: date, working_days: int) -> tuple[str, dict[str, Any]] | None:
    """Why a deadline cannot be computed for these inputs (the years the calendar holds), or None."""
    if not FIRST_YEAR <= filed.year <= LAST_YEAR - 1:
        return "calendar.year-range", {"first": FIRST_YEAR, "last": LAST_YEAR - 1}
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        return "calendar.days-range", {"most": MAX_WORKING_DAYS}
    return None
