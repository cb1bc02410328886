"""Report pages. Public transparency (no login): the registered resources and their use, one resource's products,
contracts and calls by month (a chart whose months open to the ledger entries they count), and a month's call
entries, each with a link to the in-browser check of its proof."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pubdata.common import clock, messages
from pubdata.contracts import rules as contract_rules
from pubdata.identity import access
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import MaybePagePrincipal, PagePrincipal
from pubdata.reports import service
from pubdata.web.deps import CommandSession, ReadSession
from pubdata.web.render import language, render

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
    number = int(contract) if contract.isdigit() and len(contract) < 10 else None
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
    disposition = f'attachment; filename="audit-{table.view}.csv"'
    return Response(body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition})


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
        "this_month": clock.today().strftime("%Y-%m"),
    }
    return render(request, "reports/audit.html", context)
