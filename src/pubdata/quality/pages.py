"""Quality-ticket pages: the tickets each viewer works on (filter by state, overdue only), filing one against a
registered resource (its columns ticked by number), a ticket's page with its rounds, the department's answer
and the filer's confirmation, reopening or withdrawal."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from pubdata.catalog import rules as catalog_rules
from pubdata.catalog import service as catalog
from pubdata.common import clock, messages
from pubdata.common.bounds import RowId
from pubdata.common.errors import Refused
from pubdata.common.messages import Phrase
from pubdata.identity import access
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import PagePrincipal
from pubdata.quality import rules, scores, service
from pubdata.web.deps import PlatformDep, ReadSession, attachment
from pubdata.web.forms import ascii_number, number, texts
from pubdata.web.render import act_on, check_csrf, language, render

router = APIRouter(include_in_schema=False)
Form = Any
VOCAB = {"rules": rules, "kinds": rules.KINDS, "states": rules.TICKET.labels(), "outcomes": rules.OUTCOMES}
STATES = tuple(rules.TICKET.labels())


@router.get("/quality", response_class=HTMLResponse)
def tickets_page(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    state: str = "",
    overdue: str = "",
) -> HTMLResponse:
    """The viewer's tickets: filed by its organisation, to answer for its department, or (regulators) all."""
    rows = service.tickets_for(
        session, principal=principal, state=state if state in STATES else None, overdue_only=overdue == "1"
    )
    context = {
        "rows": rows,
        "counts": service.counts(session, principal=principal),
        "state": state,
        "overdue": overdue == "1",
        "can_file": access.may(principal, "quality.file", access.own_organisation(principal)),
        "days": platform.settings.quality_answer_days,
        **VOCAB,
    }
    return render(request, "quality/tickets.html", context)


def _form_page(
    request: Request, session: Session, principal: Principal, code: str, *, error: Refused | None = None
) -> HTMLResponse:
    access.require(principal, "quality.file", access.own_organisation(principal))
    resource, fields = None, []
    if code:  # an unknown code is refused as an error page of its own, naming it
        resource = catalog.public_get(session, code=code)
        fields = catalog.fields_of(resource)
    context = {"resource": resource, "fields": fields, "code": code, "error": error, **VOCAB}
    return render(request, "quality/ticket_form.html", context, status_code=error.status if error else 200)


@router.get("/quality/new", response_class=HTMLResponse)
def new_ticket_page(
    request: Request, session: ReadSession, principal: PagePrincipal, resource: str = ""
) -> HTMLResponse:
    """The filing form; with ``resource`` (a registered resource's code) its columns to tick."""
    return _form_page(request, session, principal, resource.strip()[:40])


def _columns(form: Form) -> list[int]:
    chosen = []
    for value in texts(form.getlist("columns")):
        column = ascii_number(value, most_digits=3)
        if column is None or not 1 <= column <= rules.MAX_COLUMNS:
            raise Refused("quality.where", problem=Phrase("quality.columns_range"), field="columns")
        chosen.append(column)
    return chosen


@router.post("/quality", response_class=HTMLResponse)
async def file_ticket(
    request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    code = str(form.get("resource") or "").strip()[:40]
    return act_on(
        platform,
        lambda command: service.file_ticket(
            command,
            principal=principal,
            resource_code=code,
            version=number(form, "version"),
            kind=str(form.get("kind") or ""),
            rows=str(form.get("rows") or "")[:1000],
            columns=_columns(form),
            description=str(form.get("description") or ""),
            working_days=platform.settings.quality_answer_days,
        ),
        action="file",
        then=lambda ticket: f"/quality/{ticket.id}",
        notice="notice.quality-filed",
        show=lambda error: _form_page(request, session, principal, code, error=error),
    )


OFFERED = {
    "answer": "quality.answer",
    "confirm": "quality.confirm",
    "reopen": "quality.confirm",
    "withdraw": "quality.confirm",
}


def _ticket_page(
    request: Request, session: Session, principal: Principal, ticket_id: int, *, error: Refused | None = None
) -> HTMLResponse:
    ticket = service.get_ticket(session, principal=principal, ticket_id=ticket_id)
    row = service.row_of(session, ticket)
    resource, version = catalog.version_of(session, ticket.version_id)
    fields = catalog.fields_of(resource)
    chosen = json.loads(ticket.columns)
    context = {
        "row": row,
        "ticket": ticket,
        "version": version,
        "columns": [(number, fields[number - 1].label) for number in chosen if number <= len(fields)],
        "rounds": service.rounds_of(session, ticket),
        "fixed_versions": service.fixed_version_numbers(session, ticket),
        "actions": access.actions(principal, ticket, OFFERED, rules.TICKET),
        "error": error,
        **VOCAB,
    }
    return render(request, "quality/ticket.html", context, status_code=error.status if error else 200)


@router.get("/quality/{ticket_id}", response_class=HTMLResponse)
def ticket_page(request: Request, session: ReadSession, principal: PagePrincipal, ticket_id: RowId) -> HTMLResponse:
    return _ticket_page(request, session, principal, ticket_id)


NOTICES = {
    "answer": "notice.quality-answered",
    "confirm": "notice.quality-confirmed",
    "reopen": "notice.quality-reopened",
    "withdraw": "notice.quality-withdrawn",
}
ACTIONS: dict[str, Callable[[Session, Principal, int, Form, int], object]] = {
    "answer": lambda s, p, t, f, days: service.answer_ticket(
        s, principal=p, ticket_id=t, answer=str(f.get("answer") or ""), fixed_version=number(f, "fixed_version")
    ),
    "confirm": lambda s, p, t, f, days: service.confirm_ticket(s, principal=p, ticket_id=t),
    "reopen": lambda s, p, t, f, days: service.reopen_ticket(
        s, principal=p, ticket_id=t, reason=str(f.get("reason") or ""), working_days=days
    ),
    "withdraw": lambda s, p, t, f, days: service.withdraw_ticket(s, principal=p, ticket_id=t),
}


@router.post("/quality/{ticket_id}/do/{action}", response_class=HTMLResponse)
async def ticket_act(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    ticket_id: RowId,
    action: str,
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    command = ACTIONS.get(action)
    days = platform.settings.quality_answer_days
    return act_on(
        platform,
        (lambda s: command(s, principal, ticket_id, form, days)) if command else None,
        action=action,
        then=f"/quality/{ticket_id}",
        notice=NOTICES.get(action, "notice.done"),
        show=lambda error: _ticket_page(request, session, principal, ticket_id, error=error),
    )


# --- department contribution scores (四) -------------------------------------------------------------------


def _year(text: str) -> int:
    return ascii_number(text, most_digits=4) or clock.today().year


def _score_chart(found: scores.Ranking, lang: str) -> dict[str, Any]:
    """Each department's points, stacked by indicator (ECharts option)."""
    names = [row.department for row in found.rows]
    series = [
        {
            "type": "bar",
            "stack": "total",
            "name": messages.label(f"scores.indicator_{name}", lang),
            "data": [row.score.parts.get(name, 0) for row in found.rows],
        }
        for name in rules.INDICATORS
    ]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 16, "right": 16, "top": 16, "bottom": 72, "containLabel": True},
        "xAxis": {"type": "value", "max": found.weights.total},
        "yAxis": {"type": "category", "data": names[::-1]},
        "series": [{**item, "data": item["data"][::-1]} for item in series],
    }


def _scores_page(
    request: Request, session: Session, principal: Principal, year: int, *, error: Refused | None = None
) -> HTMLResponse:
    found = scores.ranking(session, principal=principal, year=year)
    context = {
        "found": found,
        "chart": _score_chart(found, language(request)),
        "indicators": rules.INDICATORS,
        "can_set": access.may(principal, "quality.set-weights"),
        "error": error,
    }
    return render(request, "quality/scores.html", context, status_code=error.status if error else 200)


@router.get("/scores", response_class=HTMLResponse)
def scores_page(request: Request, session: ReadSession, principal: PagePrincipal, year: str = "") -> Response:
    """The bureau's ranking; a department is taken to its own score."""
    if principal.organisation_kind == "provider":
        return RedirectResponse(f"/scores/{principal.organisation_id}?year={_year(year)}", status_code=303)
    return _scores_page(request, session, principal, _year(year))


@router.get("/scores.csv")
def scores_csv(request: Request, session: ReadSession, principal: PagePrincipal, year: str = "") -> Response:
    found = scores.ranking(session, principal=principal, year=_year(year))
    lang = language(request)
    keys = {"rank": "scores.rank", "department": "scores.department", "points": "scores.points"}
    keys |= {"total": "scores.total", "weights_version": "scores.weights_version"}
    labels = {name: messages.label(key, lang) for name, key in keys.items()}
    labels |= {name: messages.label(f"scores.indicator_{name}", lang) for name in rules.INDICATORS}
    body = scores.ranking_csv(found, labels)
    return attachment(body, filename=f"contribution-scores-{found.year}.csv", media_type="text/csv; charset=utf-8")


@router.post("/scores/weights", response_class=HTMLResponse)
async def set_weights(
    request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    weights = {name: number(form, f"weight_{name}") or 0 for name in rules.INDICATORS}
    year = _year(str(form.get("year") or ""))
    return act_on(
        platform,
        lambda command: scores.set_weights(
            command,
            principal=principal,
            weights=weights,
            total=number(form, "total") or 0,
            note=str(form.get("note") or ""),
        ),
        action="weights",
        then=f"/scores?year={year}",
        show=lambda error: _scores_page(request, session, principal, year, error=error),
    )


@router.get("/scores/{department_id}", response_class=HTMLResponse)
def department_page(
    request: Request, session: ReadSession, principal: PagePrincipal, department_id: RowId, year: str = ""
) -> HTMLResponse:
    """One department's score, each figure beside the facts it counts."""
    found, facts = scores.department_facts(session, principal=principal, year=_year(year), department_id=department_id)
    context = {
        "found": found,
        "row": found.rows[0],
        "facts": facts,
        "indicators": rules.INDICATORS,
        "frequencies": catalog_rules.UPDATE_FREQUENCIES,
    }
    return render(request, "quality/score.html", context)
