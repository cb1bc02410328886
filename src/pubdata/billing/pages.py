"""Billing pages: prices against caps (and the forms that set them), revenue against the ceiling, statements
(page, CSV, PDF), reconciliation, the finance bureau's data assets, and the public yearly disclosure."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from pubdata.billing import rules, service
from pubdata.billing.schemas import CapIn, CeilingIn, TariffIn
from pubdata.catalog import service as catalog
from pubdata.common import clock, messages
from pubdata.common.bounds import RowId
from pubdata.common.errors import Refused
from pubdata.common.money import MoneyError, parse
from pubdata.contracts.rules import FREE_PURPOSES, PURPOSES
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import MaybePagePrincipal, PagePrincipal
from pubdata.products import rules as product_rules
from pubdata.products import service as products
from pubdata.queries import console
from pubdata.reports import annual
from pubdata.reports import rules as report_rules
from pubdata.reports import service as reports
from pubdata.web.deps import PlatformDep, ReadSession, attachment
from pubdata.web.forms import day, row_id, validation_refusal
from pubdata.web.render import act_on, check_csrf, language, render, render_pdf

router = APIRouter(include_in_schema=False)
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


def _fen(form: Any, key: str, *, required: bool = True) -> int:
    """Yuan as typed (``1,234.56``, ``¥5,000``) → fen; empty is 0 where the field may be left out."""
    text = str(form.get(key) or "").strip()
    if not text and not required:
        return 0
    try:
        return parse(text).fen
    except MoneyError:
        raise Refused("billing.money", field=key) from None


def _tiers(text: str) -> list[dict[str, Any]]:
    """``1, 2.00`` a line (first unit, unit price in yuan) → the tiers."""
    tiers = []
    for line in filter(None, (line.strip() for line in text.replace("，", ",").splitlines())):
        start, _, price = line.partition(",")
        try:
            first = int(start.strip())
            fen = parse(price.strip()).fen
        except (ValueError, MoneyError):
            raise Refused("billing.money", field="tiers") from None
        tiers.append({"from_unit": first, "unit_fen": fen})
    return tiers


def _tariff_values(form: Any) -> dict[str, Any]:
    return {
        "unit": str(form.get("unit") or ""),
        "base_fee_fen": _fen(form, "base_fee", required=False),
        "tiers": _tiers(str(form.get("tiers") or "")),
        "effective_from": day(form.get("effective_from")),
    }


def _validated(model: Any, values: dict[str, Any]) -> Any:
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise validation_refusal(error) from None


def _require_any(principal: Principal, *permissions: str) -> None:
    """Pages for those who hold one of ``permissions`` over their own organisation or everyone's."""
    if not any(access.may(principal, name, access.own_organisation(principal)) for name in permissions):
        access.require(principal, permissions[0], access.own_organisation(principal))


# --- prices and caps --------------------------------------------------------------------------------------


def _prices_page(
    request: Request, session: Session, principal: Principal, *, error: Refused | None = None
) -> HTMLResponse:
    histories = service.compliance(session, principal=principal)
    can_cap = access.may(principal, "billing.set-cap")
    can_price = principal.organisation_kind == "operator" and principal.role == "admin"
    own = [] if not (can_cap or can_price) else _priceable(session, principal, operator_only=not can_cap)
    context = {
        "histories": histories,
        "can_cap": can_cap,
        "can_price": can_price,
        "choices": own,
        "flags": [
            (history.product.code, _flag_text(flag, language(request)), flag.raised_at)
            for history in histories
            for flag in history.flags
            if flag.resolved_at is None
        ],
        "units": rules.UNITS,
        "rules": rules,
        "kinds": product_rules.KINDS,
        "tariff_of": service.tariff_of,
        "tariff_text": service.describe_tariff,
        "error": error,
    }
    return render(request, "billing/prices.html", context, status_code=error.status if error else 200)


def _flag_text(flag: Any, lang: str) -> str:
    """Where a flagged price passes its cap, in the refusal's own words (amounts as money)."""
    params = service.money_params(json.loads(flag.detail))
    refusal = messages.refusal(flag.rule)
    return refusal.sentence(lang, {name: params.get(name, "") for name in refusal.parameters})


def _priceable(session: Session, principal: Principal, *, operator_only: bool) -> list[Any]:
    """The products a form may name: for the pricing authority, every product not cancelled; for the operator,
    its own."""
    found = [product for product in products.listing(session, principal=principal) if product.state != "cancelled"]
    if operator_only:
        found = [product for product in found if product.operator_id == principal.organisation_id]
    return sorted(found, key=lambda product: product.code)


@router.get("/billing/prices", response_class=HTMLResponse)
def prices_page(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    return _prices_page(request, session, principal)


@router.post("/billing/prices/do/{action}", response_class=HTMLResponse)
async def set_tariff(
    request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal, action: str
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    code = str(form.get("product") or "")[:32]

    def cap(command: Session) -> Any:
        body = _validated(CapIn, _tariff_values(form) | {"basis": str(form.get("basis") or "")})
        return service.set_cap(command, principal=principal, code=code, body=body)

    def price(command: Session) -> Any:
        return service.set_price(
            command, principal=principal, code=code, body=_validated(TariffIn, _tariff_values(form))
        )

    return act_on(
        platform,
        {"cap": cap, "price": price}.get(action),
        action=action,
        then="/billing/prices",
        show=lambda error: _prices_page(request, session, principal, error=error),
    )


# --- revenue against the ceiling ----------------------------------------------------------------------------


def _revenue_chart(found: service.Revenue, lang: str) -> dict[str, Any]:
    """Revenue by month (bars, yuan) and cumulative against the allowed ceiling (a line)."""
    months = [f"{found.year}-{month:02d}" for month in range(1, 13)]
    running, cumulative = 0, []
    for month in months:
        running += found.by_month.get(month, 0)
        cumulative.append(round(running / 100, 2))
    series: list[dict[str, Any]] = [
        {
            "type": "bar",
            "name": messages.label("billing.revenue_so_far", lang),
            "data": [round(found.by_month.get(m, 0) / 100, 2) for m in months],
        },
        {"type": "line", "name": messages.label("billing.total", lang), "data": cumulative},
    ]
    if found.allowed_fen is not None:
        series[1]["markLine"] = {
            "symbol": "none",
            "data": [{"yAxis": round(found.allowed_fen / 100, 2), "name": messages.label("billing.allowed", lang)}],
        }
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {},
        "xAxis": {"type": "category", "data": [m[5:] for m in months]},
        "yAxis": {"type": "value", "name": "¥"},
        "series": series,
    }


def _revenue_page(
    request: Request, session: Session, principal: Principal, year: int, *, error: Refused | None = None
) -> HTMLResponse:
    _require_any(principal, "billing.revenue")
    found = service.revenues(session, principal=principal, year=year)
    lang = language(request)
    context = {
        "year": year,
        "revenues": found,
        "charts": {item.operator_id: _revenue_chart(item, lang) for item in found},
        "ceilings": {item.operator_id: service.ceilings_of(session, operator_id=item.operator_id) for item in found},
        "can_set": access.may(principal, "billing.set-ceiling"),
        "operators": identity.organisations_of_kind(session, "operator"),
        "parts": CeilingIn.PARTS,
        "today": clock.today(),
        "error": error,
    }
    return render(request, "billing/revenue.html", context, status_code=error.status if error else 200)


def _year(text: str | None) -> int:
    try:
        year = int(text) if text else clock.today().year
    except ValueError:
        raise Refused("billing.year") from None
    if not 2000 <= year <= 2100:
        raise Refused("billing.year")
    return year


@router.get("/billing/revenue", response_class=HTMLResponse)
def revenue_page(
    request: Request, session: ReadSession, principal: PagePrincipal, year: str | None = None
) -> HTMLResponse:
    return _revenue_page(request, session, principal, _year(year))


def _attachments(text: str) -> list[dict[str, str]]:
    found = []
    for line in filter(None, (line.strip() for line in text.replace("，", ",").splitlines())):
        name, _, digest = line.rpartition(",")
        found.append({"name": name.strip(), "sm3": digest.strip().lower()})
    return found


@router.post("/billing/revenue/do/ceiling", response_class=HTMLResponse)
async def set_ceiling(
    request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))

    def command(command_session: Session) -> Any:
        values: dict[str, Any] = {
            "operator_id": row_id(form, "operator_id") or 0,
            "year": _year(str(form.get("year") or "")),
            "attachments": _attachments(str(form.get("attachments") or "")),
            "effective_from": day(form.get("effective_from")),
        }
        for part in CeilingIn.PARTS:
            values[part] = {"fen": _fen(form, part), "basis": str(form.get(f"{part}_basis") or "")}
        body = _validated(CeilingIn, values)
        return service.set_ceiling(command_session, principal=principal, body=body)

    return act_on(
        platform,
        command,
        action="ceiling",
        then=lambda ceiling: f"/billing/revenue?year={ceiling.year}",
        show=lambda error: _revenue_page(request, session, principal, clock.today().year, error=error),
    )


# --- statements ---------------------------------------------------------------------------------------------


def _current_month() -> str:
    return clock.today().strftime("%Y-%m")


@router.get("/billing/statements", response_class=HTMLResponse)
def statements_page(
    request: Request, session: ReadSession, principal: PagePrincipal, month: str | None = None
) -> HTMLResponse:
    """A consumer's months; for the operator and the regulators, the consumers billed in a month."""
    month = month or _current_month()
    own = access.may(principal, "billing.statement", access.own_organisation(principal))
    if principal.organisation_kind == "consumer" or (own and not access.sees_all(principal, "billing.statement")):
        months = service.statement_months(session, principal=principal, consumer_id=principal.organisation_id)
        consumers: dict[int, str] = {}
    else:
        _require_any(principal, "billing.statement", "billing.bill")
        months = []
        consumers = service.consumers_billed(session, principal=principal, month=month)
    context = {"month": month, "months": months, "consumers": consumers, "mine": principal.organisation_id}
    return render(request, "billing/statements.html", context)


def _statement(session: Session, principal: Principal, consumer_id: int, month: str) -> service.Statement:
    return service.statement(session, principal=principal, consumer_id=consumer_id, month=month)


def _statement_context(request: Request, found: service.Statement) -> dict[str, Any]:
    return {"statement": found, "purposes": PURPOSES, "bases": rules.BASES, "units": rules.UNITS, "free": FREE_PURPOSES}


CSV_COLUMNS = (
    "contract",
    "product",
    "purpose",
    "basis",
    "unit",
    "price_version",
    "tier",
    "unit_price",
    "units",
    "uses",
    "amount",
)


@router.get("/billing/statements/{consumer_id}/{month}.csv")
def statement_csv(
    request: Request, session: ReadSession, principal: PagePrincipal, consumer_id: RowId, month: str
) -> Response:
    """The statement as CSV (UTF-8 with a BOM, so a spreadsheet reads the Chinese), amounts in yuan; no cell
    (an operator's product name) becomes a formula."""
    found = _statement(session, principal, consumer_id, month)
    lang = language(request)
    rows: list[list[Any]] = [
        [
            line.contract_id,
            f"{line.product_code} {line.product_name}".strip(),
            messages.pick(PURPOSES[line.purpose], lang) if line.purpose in PURPOSES else line.purpose,
            messages.pick(rules.BASES[line.basis], lang),
            messages.pick(rules.UNITS[line.unit], lang),
            line.price_version or "",
            messages.label("billing.base_line", lang) if line.is_base_fee else (line.tier or ""),
            f"{line.unit_fen / 100:.2f}",
            line.units,
            line.uses,
            f"{line.amount_fen / 100:.2f}",
        ]
        for line in found.lines
    ]
    rows.append([messages.label("billing.statement_total", lang), *[""] * 9, f"{found.total_fen / 100:.2f}"])
    headers = [messages.label(f"billing.csv_{name}", lang) for name in CSV_COLUMNS]
    return attachment(
        console.csv_bytes(headers, rows), filename=f"statement-{consumer_id}-{month}.csv", media_type="text/csv"
    )


@router.get("/billing/statements/{consumer_id}/{month}.pdf")
def statement_pdf(
    request: Request, session: ReadSession, principal: PagePrincipal, consumer_id: RowId, month: str
) -> Response:
    """The statement as a PDF, set in the CJK fonts the machine has (WeasyPrint)."""
    found = _statement(session, principal, consumer_id, month)
    pdf = render_pdf(request, "billing/statement_pdf.html", _statement_context(request, found))
    return attachment(pdf, filename=f"statement-{consumer_id}-{month}.pdf", media_type="application/pdf")


@router.get("/billing/statements/{consumer_id}/{month}", response_class=HTMLResponse)
def statement_page(
    request: Request, session: ReadSession, principal: PagePrincipal, consumer_id: RowId, month: str
) -> HTMLResponse:
    """Declared after its downloads, whose paths it would also match (``2026-11.csv`` is not a month)."""
    found = _statement(session, principal, consumer_id, month)
    return render(request, "billing/statement.html", _statement_context(request, found))


# --- reconciliation, data assets, the public disclosure -----------------------------------------------------


@router.get("/billing/reconciliation", response_class=HTMLResponse)
def reconciliation_page(
    request: Request, session: ReadSession, principal: PagePrincipal, month: str | None = None
) -> HTMLResponse:
    found = service.reconcile(session, principal=principal, month=month or _current_month())
    return render(request, "billing/reconciliation.html", {"found": found})


@router.get("/billing/assets", response_class=HTMLResponse)
def assets_page(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    """The finance bureau's data-asset view (数据资产): registered resources and products, and revenue by year."""
    _require_any(principal, "billing.revenue")
    resources, total = catalog.search_public(session, filters=catalog.Filters(), limit=500)
    listed = products.public_list(session)
    this_year = clock.today().year
    years = list(range(this_year - 2, this_year + 1))
    by_year = {year: service.revenues(session, principal=principal, year=year) for year in years}
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {},
        "xAxis": {"type": "category", "data": [str(year) for year in years]},
        "yAxis": {"type": "value", "name": "¥"},
        "series": [
            {
                "type": "bar",
                "name": operator,
                "data": [
                    round(sum(r.revenue_fen for r in by_year[year] if r.operator == operator) / 100, 2)
                    for year in years
                ],
            }
            for operator in sorted({r.operator for found in by_year.values() for r in found})
        ],
    }
    context = {
        "resources": resources,
        "resource_total": total,
        "providers": catalog.public_providers(session),
        "listed": listed,
        "views": service.price_views(session, {item.product.id for item in listed}),
        "years": years,
        "by_year": by_year,
        "chart": chart,
        "kinds": product_rules.KINDS,
        "tariff_text": service.describe_tariff,
    }
    return render(request, "billing/assets.html", context)


@router.get("/disclosure")
def latest_disclosure(year: str | None = None) -> RedirectResponse:
    """A year's disclosure (the form's choice), by default the latest: the year before this one."""
    chosen = _year(year) if year else clock.today().year - 1
    return RedirectResponse(f"/disclosure/{chosen}", status_code=303)


@router.get("/disclosure/{year}", response_class=HTMLResponse)
def disclosure_page(request: Request, session: ReadSession, principal: MaybePagePrincipal, year: int) -> HTMLResponse:
    found = service.disclosure(session, year=year)
    names = {code: name for operator in found.operators for code, name in _resource_names(session, operator.resources)}
    # Each operator's year from the same facts as its annual report (三(九)): what the public sees of them.
    operations = {
        op.operator_id: annual.disclosed(session, operator_id=op.operator_id, year=year) for op in found.operators
    }
    for operation in operations.values():
        names |= annual.names_of(session, operation.draft)
    lang = language(request)
    context = {
        "found": found,
        "names": names,
        "operations": operations,
        "figures_of": {oid: {s: op.section(s) for s in annual.DISCLOSED} for oid, op in operations.items()},
        "charts_of": {oid: annual.charts(op.draft, names, lang) for oid, op in operations.items()},
        "sections": annual.DISCLOSED,
        "report_states": report_rules.REPORT.labels(),
        "kinds": product_rules.KINDS,
        "years": list(range(clock.today().year, 2024, -1)),
        "tariff_text": service.describe_tariff,
    }
    return render(request, "billing/disclosure.html", context)


@router.get("/disclosure/{year}/operators/{operator_id}/entries/{slug}", response_class=HTMLResponse)
def disclosure_entries(
    request: Request, session: ReadSession, principal: MaybePagePrincipal, year: int, operator_id: RowId, slug: str
) -> HTMLResponse:
    """The ledger entries one disclosed figure counts, each with its proof for the reader's browser to check."""
    found = service.disclosure(session, year=year)
    operation = figure = None
    if operator_id in {op.operator_id for op in found.operators}:
        operation = annual.disclosed(session, operator_id=operator_id, year=year)
        figure = operation.find(slug[:80])
    if operation is None or figure is None:
        raise Refused("billing.not-found", what=messages.Text(("公示数字", "disclosed figure")))
    lang, names = language(request), annual.names_of(session, operation.draft)
    context = {
        "figure": figure,
        "entries": reports.entries_of(session, figure.seqs),
        "named": lambda f: annual.figure_name(f, names, lang),
        "back": (f"/disclosure/{year}", messages.label("billing.disclosure_title", lang).format(year=year)),
        "year": year,
    }
    return render(request, "reports/annual_entries.html", context)


def _resource_names(session: Session, codes: list[str]) -> list[tuple[str, str]]:
    found = []
    for code in codes:
        try:
            found.append((code, catalog.public_get(session, code=code).name))
        except Refused:
            found.append((code, code))
    return found
