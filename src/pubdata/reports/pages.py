"""Report pages. Public transparency (no login): the registered resources and their use, one resource's products,
contracts and calls by month (a chart whose months open to the ledger entries they count), and a month's call
entries, each with a link to the in-browser check of its proof."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from pubdata.common import clock, messages
from pubdata.common.bounds import RowId
from pubdata.common.errors import Refused
from pubdata.contracts import rules as contract_rules
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import MaybePagePrincipal, PagePrincipal
from pubdata.reports import annual, service
from pubdata.reports import rules as report_rules
from pubdata.web.deps import CommandSession, PlatformDep, ReadSession, attachment
from pubdata.web.forms import ascii_number
from pubdata.web.render import act_on, check_csrf, language, render, render_pdf

router = APIRouter(include_in_schema=False)


def calls_chart(months: list[tuple[str, int]], lang: str) -> dict[str, Any]:
    """Calls by month as bars (ECharts option); each bar's month is also a link in the table beside it."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"show": False},
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 48, "containLabel": True},
        "xAxis": {"type": "category", "data": [month for month, _ in months], "axisLabel": {"rotate": 45}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "type": "bar",
                "name": messages.label("transparency.series_calls", lang),
                "data": [calls for _, calls in months],
            }
        ],
    }


@router.get("/transparency", response_class=HTMLResponse)
def transparency_list(request: Request, session: ReadSession, principal: MaybePagePrincipal) -> HTMLResponse:
    return render(request, "reports/transparency.html", {"found": service.public_resources(session)})


@router.get("/transparency/{code}", response_class=HTMLResponse)
def transparency_page(request: Request, session: ReadSession, principal: MaybePagePrincipal, code: str) -> HTMLResponse:
    found = service.transparency(session, code=code[:40])
    context = {
        "found": found,
        "chart": calls_chart(found.months, language(request)),
        "purposes": contract_rules.PURPOSES,
        "contract_states": contract_rules.LIFECYCLE.labels(),
    }
    return render(request, "reports/transparency_resource.html", context)


@router.get("/transparency/{code}/calls/{month}", response_class=HTMLResponse)
def month_page(
    request: Request, session: ReadSession, principal: MaybePagePrincipal, code: str, month: str
) -> HTMLResponse:
    entries = service.month_entries(session, code=code[:40], month=month[:7])
    context = {"code": code[:40], "month": month[:7], "entries": entries, "most": service.ENTRIES_SHOWN}
    return render(request, "reports/transparency_calls.html", context)


# --- audit (三(八)3) -----------------------------------------------------------------------------------------


def _filters(q: str, state: str, month: str, contract: str) -> service.AuditFilters:
    number = ascii_number(contract, most_digits=9)
    return service.AuditFilters(q=q.strip()[:100], state=state.strip()[:20], month=month.strip()[:7], contract=number)


def _views(principal: Principal) -> list[str]:
    """The views the caller may open: the calls' plans are payloads, which only payload readers see."""
    return [v for v in service.AUDIT_VIEWS if v != "calls" or access.may(principal, "ledger.read-payload")]


@router.get("/audit", response_class=HTMLResponse)
def audit_home(request: Request, principal: PagePrincipal) -> Response:
    access.require(principal, "audit.read")
    return RedirectResponse("/audit/resources", status_code=303)


@router.get("/audit/{view}.csv")
def audit_export(
    request: Request,
    session: CommandSession,
    principal: PagePrincipal,
    view: str,
    q: str = "",
    state: str = "",
    month: str = "",
    contract: str = "",
) -> Response:
    table = service.audit_table(session, principal=principal, view=view, filters=_filters(q, state, month, contract))
    lang = language(request)
    headers = [messages.label(f"audit.col_{column}", lang) for column in table.columns]
    body = service.audit_csv(table, [*headers, messages.label("audit.col_ledger", lang)], lang)
    return attachment(body, filename=f"audit-{table.view}.csv", media_type="text/csv; charset=utf-8")


@router.get("/audit/{view}", response_class=HTMLResponse)
def audit_view(
    request: Request,
    session: CommandSession,
    principal: PagePrincipal,
    view: str,
    q: str = "",
    state: str = "",
    month: str = "",
    contract: str = "",
) -> HTMLResponse:
    """One audit view with its filters; each row beside the ledger entry that last changed it, to verify."""
    filters = _filters(q, state, month, contract)
    table = service.audit_table(session, principal=principal, view=view, filters=filters)
    query = urlencode({k: v for k, v in {"q": q, "state": state, "month": month, "contract": contract}.items() if v})
    context = {
        "table": table,
        "views": _views(principal),
        "filters": filters,
        "query": query,
        "limit": service.AUDIT_LIMIT,
        "monthly": service.MONTHLY,
        "this_month": clock.today().strftime("%Y-%m"),
    }
    return render(request, "reports/audit.html", context)


# --- the annual operation report (三(九)) ----------------------------------------------------------------------


def _report_view(
    session: Session, principal: Principal, operator_id: int, year: int, lang: str = "zh-CN"
) -> dict[str, Any]:
    if not access.may(principal, "reports.read", access.OrganisationRef(operator_id)):
        access.require(principal, "reports.read", access.OrganisationRef(operator_id))
    if not 2000 <= year <= clock.today().year:
        raise Refused("reports.year", year=year)
    found = annual.draft(session, operator_id=operator_id, year=year)
    report = annual.report_of(session, operator_id=operator_id, year=year)
    figures = {section: found.section(section) for section in annual.SECTIONS}
    names = annual.names_of(session, found)
    return {
        "draft": found,
        "figures": figures,
        "report": report,
        "year": year,
        "operator_id": operator_id,
        "operator": identity.organisation_names(session, {operator_id}).get(operator_id, ""),
        "running": not report_rules.reportable(year, clock.today()),
        "due": report_rules.due_on(year),
        "names": names,
        "named": lambda figure: annual.figure_name(figure, names, lang),
        "charts": annual.charts(found, names, lang),
        "states": report_rules.REPORT.labels(),
    }


@router.get("/reports/annual", response_class=HTMLResponse)
def annual_list(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    access.require(principal, "reports.read", access.own_organisation(principal))
    context = {
        "due": annual.reports_due(session, principal=principal),
        "this_year": clock.today().year,
        "states": report_rules.REPORT.labels(),
        "can_decide": access.may(principal, "reports.decide"),
    }
    return render(request, "reports/annual_list.html", context)


@router.get("/reports/annual/{operator_id}/{year}.pdf")
def annual_pdf(
    request: Request, session: ReadSession, principal: PagePrincipal, operator_id: RowId, year: int
) -> Response:
    """The report as a PDF (WeasyPrint, CJK fonts), its charts drawn as SVG."""
    context = _report_view(session, principal, operator_id, year, language(request))
    pdf = render_pdf(request, "reports/annual_pdf.html", context)
    return attachment(pdf, filename=f"annual-report-{operator_id}-{year}.pdf", media_type="application/pdf")


@router.get("/reports/annual/{operator_id}/{year}/entries/{slug}", response_class=HTMLResponse)
def annual_entries(
    request: Request, session: ReadSession, principal: PagePrincipal, operator_id: RowId, year: int, slug: str
) -> HTMLResponse:
    """The ledger entries one figure counts, each with its proof to check."""
    context = _report_view(session, principal, operator_id, year, language(request))
    figure = context["draft"].find(slug[:80])
    if figure is None:
        raise Refused("reports.not-found", what=messages.Text(("数字", "figure")))
    entries = service.entries_of(session, figure.seqs)
    return render(request, "reports/annual_entries.html", {**context, "figure": figure, "entries": entries})


@router.get("/reports/annual/{operator_id}/{year}", response_class=HTMLResponse)
def annual_page(
    request: Request, session: ReadSession, principal: PagePrincipal, operator_id: RowId, year: int
) -> HTMLResponse:
    context = _report_view(session, principal, operator_id, year, language(request))
    report = context["report"]
    context |= {
        "can_submit": principal.organisation_id == operator_id
        and access.may(principal, "reports.submit", access.own_organisation(principal))
        and not context["running"]
        and (report is None or report_rules.REPORT.allows(report.state, "resubmit")),
        "can_decide": report is not None
        and access.may(principal, "reports.decide")
        and report_rules.REPORT.allows(report.state, "accept"),
        "snapshot": annual.snapshot(report) if report else None,
    }
    return render(request, "reports/annual.html", context)


@router.post("/reports/annual/{year}/submit", response_class=HTMLResponse)
async def annual_submit(
    request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal, year: int
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    return act_on(
        platform,
        lambda command: annual.submit(
            command, principal=principal, year=year, benefits=str(form.get("benefits") or "")
        ),
        action="submit",
        then=f"/reports/annual/{principal.organisation_id}/{year}",
        notice="notice.annual-submitted",
        show=lambda error: _annual_error(request, session, principal, principal.organisation_id, year, error),
    )


@router.post("/reports/annual/{report_id}/decide", response_class=HTMLResponse)
async def annual_decide(
    request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal, report_id: RowId
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    report = annual.get(session, principal=principal, report_id=report_id)
    return act_on(
        platform,
        lambda command: annual.decide(
            command,
            principal=principal,
            report_id=report_id,
            accept=form.get("decision") == "accept",
            reason=str(form.get("reason") or ""),
        ),
        action="decide",
        then=f"/reports/annual/{report.operator_id}/{report.year}",
        show=lambda error: _annual_error(request, session, principal, report.operator_id, report.year, error),
    )


def _annual_error(
    request: Request, session: Session, principal: Principal, operator_id: int, year: int, error: Refused
) -> HTMLResponse:
    context = _report_view(session, principal, operator_id, year, language(request)) | {
        "error": error,
        "can_submit": True,
    }
    context |= {"can_decide": access.may(principal, "reports.decide"), "snapshot": None}
    return render(request, "reports/annual.html", context, status_code=error.status)
