"""The calendar's page, for anyone: a year's days off and make-up workdays with the source of each, a deadline
computed on the calendar in force, the tables the bureau loaded; the bureau's admin loads a year's table here."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from pubdata.calendar import rules, service
from pubdata.common import clock, store
from pubdata.common.errors import Refused
from pubdata.identity import access
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import MaybePagePrincipal, PagePrincipal
from pubdata.web import uploads
from pubdata.web.deps import PlatformDep, ReadSession
from pubdata.web.forms import ascii_number, day
from pubdata.web.render import check_csrf, redirect, render

router = APIRouter(include_in_schema=False)


def _year(text: str) -> int:
    year = ascii_number(text, most_digits=4)
    return year if year is not None and rules.FIRST_YEAR <= year <= rules.LAST_YEAR else clock.today().year


def _calendar_page(
    request: Request,
    session: Session,
    principal: Principal | None,
    year: int,
    *,
    filed: str = "",
    working_days: str = "",
    error: Refused | None = None,
) -> HTMLResponse:
    calendar = service.current(session)
    checked = None
    if filed:  # a deadline asked for: a bad date or count is refused as an error page of its own
        start, count = day(filed), ascii_number(working_days, most_digits=3) or 5
        checked = (start, count, service.deadline(session, start, count))
    context = {
        "year": year,
        # The years a reader most often needs: last year, this year, and the next one (others by the form).
        "nearby": range(clock.today().year - 1, clock.today().year + 2),
        "source": calendar.source(year),
        "days": service.notable_days(calendar, year),
        "tables": service.tables(session, year),
        "checked": checked,
        "filed": filed,
        "working_days": working_days or "5",
        "can_load": access.may(principal, "calendar.manage"),
        "sources": rules.SOURCES,
        "kinds": rules.DAY_KINDS,
        "error": error,
    }
    return render(request, "calendar/calendar.html", context, status_code=error.status if error else 200)


@router.get("/calendar", response_class=HTMLResponse)
def calendar_page(
    request: Request,
    session: ReadSession,
    principal: MaybePagePrincipal,
    year: str = "",
    filed: str = "",
    working_days: str = "",
) -> HTMLResponse:
    return _calendar_page(request, session, principal, _year(year), filed=filed[:10], working_days=working_days[:3])


async def _received_table(request: Request, platform: PlatformDep) -> tuple[bytes, dict[str, str]]:
    received = await uploads.receive(
        request,
        store.scratch_for(platform.settings.domain_dir),
        file_field="table",
        before_file=lambda fields: check_csrf(request, fields.get("csrf_token", "")),
    )
    try:
        with received.path.open("rb") as handle:
            content = handle.read(service.MAX_TABLE_BYTES + 1)
    finally:
        received.path.unlink(missing_ok=True)
    return content, received.fields


@router.post("/calendar/{year}/load", response_class=HTMLResponse)
async def load_table(request: Request, platform: PlatformDep, principal: PagePrincipal, year: int) -> Response:
    """The bureau's admin uploads the year's table; a refused file shows the page again with every bad line."""
    access.require(principal, "calendar.manage")
    shown = _year(str(year))
    try:
        content, _ = await _received_table(request, platform)
        await run_in_threadpool(_load, platform, principal, year, content)
    except Refused as error:
        if error.rule == "web.csrf":
            raise
        with platform.read() as session:
            return _calendar_page(request, session, principal, shown, error=error)
    return redirect(f"/calendar?year={year}", secure=platform.settings.secure_cookies, notice="notice.calendar-loaded")


def _load(platform: PlatformDep, principal: Principal, year: int, content: bytes) -> None:
    with platform.command() as session:
        service.load_table(session, principal=principal, year=year, content=content)
