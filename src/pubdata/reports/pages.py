"""Report pages. Public transparency (no login): the registered resources and their use, one resource's products,
contracts and calls by month (a chart whose months open to the ledger entries they count), and a month's call
entries, each with a link to the in-browser check of its proof."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pubdata.common import messages
from pubdata.contracts import rules as contract_rules
from pubdata.identity.dependencies import MaybePagePrincipal
from pubdata.reports import service
from pubdata.web.deps import ReadSession
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
