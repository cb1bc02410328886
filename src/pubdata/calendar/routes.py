"""Calendar API: anyone may check a deadline (``GET /api/v1/calendar/deadline``) and read a year's days; the
bureau's admin loads a year's table."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status

from pubdata.calendar import rules, service
from pubdata.calendar.schemas import DayOut, DeadlineOut, TableIn, TableOut, YearOut
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.web.deps import CommandSession, ReadSession

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"])
Year = Annotated[int, Path(ge=rules.FIRST_YEAR, le=rules.LAST_YEAR)]


@router.get("/deadline", response_model=DeadlineOut)
def deadline(
    session: ReadSession,
    filed: Annotated[date, Query(description="The day the ticket was filed (Asia/Shanghai); it never counts")],
    working_days: Annotated[int, Query(ge=1, le=rules.MAX_WORKING_DAYS)] = 5,
) -> dict[str, Any]:
    """The answer deadline on the calendar in force, for anyone to check the rule from outside."""
    found = service.deadline(session, filed, working_days)
    return {"filed": filed, "working_days": working_days, "due": found.due, "provisional": found.provisional}


def year_out(session: ReadSession, year: int) -> dict[str, Any]:
    calendar = service.current(session)
    days = [
        DayOut(day=day.day, workday=day.workday, source=day.source, name=day.name)
        for day in service.notable_days(calendar, year)
    ]
    tables = [TableOut.model_validate(table) for table in service.tables(session, year)]
    return {"year": year, "source": calendar.source(year), "days": days, "tables": tables}


@router.get("/years/{year}", response_model=YearOut)
def get_year(year: Year, session: ReadSession) -> dict[str, Any]:
    """A year's days off on weekdays and its make-up workdays, with the source that says so."""
    return year_out(session, year)


@router.put("/years/{year}", response_model=TableOut, status_code=status.HTTP_201_CREATED)
def load_year(year: Year, body: TableIn, session: CommandSession, principal: ApiPrincipal) -> TableOut:
    """The bureau's admin loads the year's table from the State Council's notice; a file with any bad line is
    refused whole and nothing changes; provisional deadlines of the year are recomputed."""
    loaded = service.load_table(session, principal=principal, year=year, content=body.table.encode("utf-8"))
    return TableOut.model_validate(loaded.table).model_copy(update={"recomputed": loaded.recomputed})
