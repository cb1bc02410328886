"""The home page: the workbench (工作台) of the organisation one is logged in for, or the public home."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pubdata.billing import service as billing
from pubdata.catalog import rules as catalog_rules
from pubdata.common import messages
from pubdata.contracts import rules as contract_rules
from pubdata.identity.dependencies import MaybePagePrincipal, PasswordChangeRequired
from pubdata.products import rules as product_rules
from pubdata.registration import rules as registration_rules
from pubdata.scenarios import rules as scenario_rules
from pubdata.web.deps import PlatformDep
from pubdata.web.render import language, num, render, shanghai_time
from pubdata.workbench import service
from pubdata.workbench.service import Chart, Label, When

router = APIRouter(include_in_schema=False)
PALETTE = ["#1a4fa0", "#b3261e", "#1b6e3a", "#c77700", "#6a3d9a", "#00838f", "#5b6475", "#ad1457"]


def _word(value: Any, lang: str) -> str:
    """A category or cell as the page shows it: a pair by the page's language, a number with separators, ``—``
    for nothing."""
    if value is None:
        return "—"
    if isinstance(value, Label):
        return messages.label(value.key, lang)
    if isinstance(value, When):
        return shanghai_time(value.moment)
    if isinstance(value, tuple):
        return messages.pick(value, lang)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return num(value)
    return str(value)


def option(chart: Chart, lang: str) -> dict[str, Any]:
    """The ECharts option of a chart, in the page's language."""
    names = [_word(category, lang) for category in chart.categories]
    series = [(messages.label(key, lang), values) for key, values in chart.series]
    if chart.kind == "pie":
        label, values = series[0]
        data = [{"name": name, "value": value} for name, value in zip(names, values, strict=True) if value]
        return {
            "color": PALETTE,
            "tooltip": {"trigger": "item"},
            "legend": {"show": False},
            "series": [
                {
                    "type": "pie",
                    "name": label,
                    "radius": ["28%", "52%"],
                    "label": {"formatter": "{b}\n{c}", "fontSize": 11},
                    "labelLine": {"length": 6, "length2": 6},
                    "data": data,
                }
            ],
        }
    return {
        "color": PALETTE,
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0} if len(series) > 1 else {"show": False},
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 64 if len(series) > 1 else 48, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": names,
            "axisLabel": {"interval": 0, "rotate": 0 if len(names) <= 4 else 30 if len(names) <= 6 else 45},
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"type": chart.kind, "name": label, "data": values, **({"stack": "total"} if chart.stacked else {})}
            for label, values in series
        ],
    }


@router.get("/", response_class=HTMLResponse)
def home(request: Request, platform: PlatformDep, principal: MaybePagePrincipal) -> HTMLResponse:
    lang = language(request)
    shown = lambda value: _word(value, lang)  # noqa: E731
    if principal is None:
        with platform.read() as session:
            public = service.public_home(session)
            context = {
                "home": public,
                "charts": [(chart, option(chart, lang)) for chart in public.charts],
                "show": shown,
                "catalog_rules": catalog_rules,
                "registration_rules": registration_rules,
                "product_rules": product_rules,
                "describe_tariff": billing.describe_tariff,
                "purposes": contract_rules.PURPOSES,
                "fields": scenario_rules.FIELDS,
            }
            return render(request, "workbench/public_home.html", context)
    if principal.must_change_password:  # a temporary password opens nothing but its own change
        raise PasswordChangeRequired()
    # The auditor's workbench shows the tree head signed as it stands, which keeps it: a command.
    with platform.command() if principal.organisation_kind == "audit" else platform.read() as session:
        bench = service.bench(session, principal=principal, signer=platform.signer)
        context = {"bench": bench, "charts": [(chart, option(chart, lang)) for chart in bench.charts], "show": shown}
        return render(request, "workbench/workbench.html", context)
