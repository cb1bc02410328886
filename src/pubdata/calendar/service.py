"""Calendar commands and questions: the working-day calendar in force (the bureau's newest table of each year
over chinese-calendar, over the provisional rule), a deadline on it, and loading a year's table.

Loading a table recomputes every stored deadline that was provisional in that year: the domains that keep
such deadlines are named in ``DEPENDENTS``, each with a ``recompute_deadlines(session, actor=, calendar=,
year=)`` in its service that returns how many it changed, all in the loading transaction.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pubdata.calendar import rules
from pubdata.calendar.models import CalendarTable
from pubdata.common import canonical, clock
from pubdata.common.digest import sm3
from pubdata.common.errors import Refused
from pubdata.common.messages import Phrase
from pubdata.identity import access
from pubdata.identity.access import Who
from pubdata.ledger import service as ledger

# The services that keep deadlines counted on this calendar and recompute them when a year's table is loaded.
DEPENDENTS = ("pubdata.quality.service",)
MAX_TABLE_BYTES = 64 * 1024
SHOWN_PROBLEMS = 10


def _newest(session: Session) -> list[CalendarTable]:
    newest = (
        select(CalendarTable.year, func.max(CalendarTable.version).label("version"))
        .group_by(CalendarTable.year)
        .subquery()
    )
    statement = select(CalendarTable).join(
        newest, (CalendarTable.year == newest.c.year) & (CalendarTable.version == newest.c.version)
    )
    return list(session.execute(statement).scalars())


def current(session: Session) -> rules.WorkCalendar:
    """The calendar in force: the newest table of each year the bureau loaded, over the other sources."""
    return rules.WorkCalendar(
        {table.year: rules.table_of(table.year, json.loads(table.days)) for table in _newest(session)}
    )


def deadline(session: Session, start: date, working_days: int) -> rules.Deadline:
    """The end of the ``working_days``-th working day after ``start`` on the calendar in force."""
    problem = rules.deadline_problem(start, working_days)
    if problem is not None:
        raise Refused(problem[0], **problem[1])
    return current(session).add_working_days(start, working_days)


def tables(session: Session, year: int) -> list[CalendarTable]:
    """Every table loaded for ``year``, newest first."""
    statement = select(CalendarTable).where(CalendarTable.year == year).order_by(CalendarTable.version.desc())
    return list(session.execute(statement).scalars())


@dataclass(frozen=True)
class Loaded:
    table: CalendarTable
    recomputed: int


def _decoded(content: bytes) -> str:
    if not content or len(content) > MAX_TABLE_BYTES:
        raise Refused("calendar.table-file", most=MAX_TABLE_BYTES)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused("calendar.table-file", most=MAX_TABLE_BYTES) from None


def load_table(session: Session, *, principal: Who, year: int, content: bytes) -> Loaded:
    """The bureau loads a year's table from the State Council's notice. A file with any bad line (a bad or
    duplicate date, one outside the year, an unknown kind, a make-up workday on a weekday) is refused whole and
    nothing changes; a good one becomes the year's newest version, and every provisional deadline of the year
    is recomputed on it."""
    access.require(principal, "calendar.manage")
    if not rules.FIRST_YEAR <= year <= rules.LAST_YEAR:
        raise Refused("calendar.table-year", first=rules.FIRST_YEAR, last=rules.LAST_YEAR)
    table, problems = rules.parse_table(year, _decoded(content))
    if problems:
        shown = [Phrase(p.problem, {"line": p.line, "text": p.text}) for p in problems[:SHOWN_PROBLEMS]]
        raise Refused("calendar.bad-table", year=year, problems=shown)
    ledger.lock(session)  # versions are numbered under the ledger's lock: two loads never share a number
    version = session.scalar(select(func.max(CalendarTable.version)).where(CalendarTable.year == year)) or 0
    kinds = [kind for kind, _ in table.days.values()]
    row = CalendarTable(
        year=year,
        version=version + 1,
        days=canonical.dumps(rules.table_rows(table)).decode(),
        holidays=kinds.count(rules.HOLIDAY),
        workdays=kinds.count(rules.WORKDAY),
        file_digest=sm3(content),
        loaded_by=principal.user_id,
        loaded_at=clock.now(),
    )
    session.add(row)
    ledger.record(
        session,
        actor=principal.actor,
        action="calendar.table-loaded",
        subject=row,
        payload={"year": year, "version": row.version, "file_digest": row.file_digest},
    )
    session.flush()
    calendar = current(session)
    recomputed = sum(
        importlib.import_module(name).recompute_deadlines(session, actor=principal.actor, calendar=calendar, year=year)
        for name in DEPENDENTS
    )
    return Loaded(row, recomputed)


def notable_days(calendar: rules.WorkCalendar, year: int) -> list[rules.Day]:
    """The days of ``year`` that differ from a plain week: weekdays off and weekend days worked."""
    return [day for day in calendar.year(year) if day.workday != (day.day.weekday() < 5)]
