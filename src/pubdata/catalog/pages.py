"""Catalogue pages: the public catalogue, a department's resources (describe, load, register), the review queue."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from pubdata.catalog import checks, integrity, rules, service, sources
from pubdata.catalog.loading import LoadResult
from pubdata.catalog.models import LoadReport, Resource
from pubdata.catalog.schemas import DESCRIPTION_KEYS, ResourceIn, SourceIn
from pubdata.common import messages, store
from pubdata.common.bounds import PageNumber, RowId, in_row_id_range
from pubdata.common.errors import Refused
from pubdata.contracts import rules as contract_rules
from pubdata.contracts import service as contracts
from pubdata.identity import access
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import MaybePagePrincipal, PagePrincipal
from pubdata.platform import Platform
from pubdata.registration import rules as registration_rules
from pubdata.web import uploads
from pubdata.web.deps import CommandSession, PlatformDep, ReadSession
from pubdata.web.forms import confirmed, items, texts, validation_refusal
from pubdata.web.render import act_on, check_csrf, language, redirect, render


def _row_id_text(text: str) -> bool:
    """Does a form's text name a row id at all (digits, in the range of an ``integer`` column)?"""
    return text.isascii() and text.isdigit() and len(text) <= 10 and in_row_id_range(int(text))


router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]
PAGE_SIZE = 20
# Problems the page names in words (``problem.<rule>`` labels); any other shows its rule.
PROBLEM_RULES = frozenset(
    [f"catalog.check.{name}" for name in ("required", *checks.TYPE_CHECKS, *checks.FORMAT_CHECKS)]
    + [
        f"catalog.{name}"
        for name in (
            "missing-column",
            "unknown-column",
            "duplicate-column",
            "empty",
            "encoding",
            "csv-structure",
            "row-width",
            "xlsx",
            "parquet",
            "undeclared-sensitive",
            "no-good-rows",
            "sql-source",
        )
    ]
)


def problems_csv(report: LoadReport) -> Response:
    """A load report's problems as a CSV download (row, column, rule): positions and rules only."""
    content, name = service.report_csv(report)
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


VOCAB = {"rules": rules, "registration_rules": registration_rules, "contract_rules": contract_rules}


# --- public catalogue --------------------------------------------------------------------------------


@router.get("/catalog", response_class=HTMLResponse)
def public_catalog(
    request: Request,
    session: ReadSession,
    principal: MaybePagePrincipal,
    q: str = Query("", max_length=100),
    base_library: str = "",
    sector: str = "",
    grade: str = "",
    provider: str = "",
    page: PageNumber = 1,
) -> HTMLResponse:
    # The form sends "" for every department; a number no row can have names none.
    provider_id = int(provider) if _row_id_text(provider) else None
    filters = service.Filters(q or None, provider_id, sector or None, base_library or None, grade or None)
    found, total = service.search_public(session, filters=filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    context = {
        "resources": found,
        "total": total,
        "names": service.provider_names(session, found),
        "q": q,
        "chosen": {"base_library": base_library, "sector": sector, "grade": grade},
        "page": page,
        "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        "notices": service.public_notices(session),
        "providers": service.public_providers(session),
        "provider_id": provider_id,
        **VOCAB,
    }
    return render(request, "catalog/catalog_public.html", context)


def _public_page(
    request: Request, session: Session, code: str, *, error: Refused | None = None, values: dict | None = None
) -> HTMLResponse:
    view = service.public_view(session, code=code)
    resource = view.resource
    context = {
        "resource": resource,
        "view": view,
        "fields": service.fields_of(resource),
        "provider": service.provider_names(session, [resource])[resource.provider_id],
        "error": error,
        # What the objector typed comes back when refused, but for their name and contact: personal data is
        # never written into a page, not even back to whoever typed it.
        "values": {key: value for key, value in (values or {}).items() if key == "reason"},
        **VOCAB,
    }
    return render(request, "catalog/catalog_public_detail.html", context, status_code=error.status if error else 200)


@router.get("/catalog/{code}", response_class=HTMLResponse)
def public_resource(request: Request, session: ReadSession, principal: MaybePagePrincipal, code: str) -> HTMLResponse:
    """A registered resource, or one under public notice (公示中) with the objection form while it runs."""
    return _public_page(request, session, code)


@router.post("/catalog/{code}/objections", response_class=HTMLResponse)
def file_objection(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    code: str,
    csrf_token: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=1000)] = "",
    contact: Annotated[str, Form(max_length=1000)] = "",
    reason: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    """Anyone, logged in or not, objects to a resource under notice."""
    check_csrf(request, csrf_token)
    values = {"name": name, "contact": contact, "reason": reason}
    return act_on(
        platform,
        lambda command: service.file_objection(command, code=code, name=name, contact=contact, reason=reason),
        action="object",
        then=f"/catalog/{code}",
        notice="notice.objection-filed",
        show=lambda error: _public_page(request, session, code, error=error, values=values),
    )


# --- a department's resources ------------------------------------------------------------------------


@router.get("/resources", response_class=HTMLResponse)
def resources(
    request: Request, session: ReadSession, principal: PagePrincipal, q: str = "", state: str = ""
) -> HTMLResponse:
    found = service.search(
        session, principal=principal, filters=service.Filters(q or None, state=state or None), limit=500
    )
    context = {
        "resources": found,
        "names": service.provider_names(session, found),
        "q": q,
        "state": state,
        "can_describe": access.may(principal, "catalog.describe", access.own_organisation(principal)),
        **VOCAB,
    }
    return render(request, "catalog/resources.html", context)


BLANK_FIELD = {
    "name": "",
    "label": "",
    "type": "string",
    "format": "",
    "required": False,
    "sensitivity": "none",
    "pipl_category": "",
    "masking": "",
    "description": "",
}
MAX_FIELD_ROWS = 500  # a resource's most fields (``schemas.ResourceIn``)


def _row_problems(error: Refused | None) -> dict[int, list[str]]:
    """A refused form's problems by field row (``fields.3…``), so each shows beside its row."""
    found: dict[int, list[str]] = {}
    for problem in (error.params.get("problems") or []) if error else []:
        where = str(getattr(problem, "params", {}).get("field", "")).split(".")
        if len(where) >= 2 and where[0] == "fields" and where[1].isdigit():
            found.setdefault(int(where[1]), []).append(".".join(where[2:]))
    return found


def _form_page(
    request: Request,
    *,
    title: str,
    action: str,
    values: dict,
    error: Refused | None = None,
    blank_rows: int = 1,
    sampled: bool = False,
) -> HTMLResponse:
    """The resource form: one row per field the resource has, ``blank_rows`` empty ones to add more."""
    fields = list(values.get("fields") or [])
    blank_rows = max(0, min(blank_rows, MAX_FIELD_ROWS - len(fields)))
    context = {
        "title": title,
        "action": action,
        "values": values,
        "fields": fields + [dict(BLANK_FIELD) for _ in range(blank_rows)],
        "blank": BLANK_FIELD,
        "blank_rows": blank_rows,
        "sampled": sampled,
        "row_problems": _row_problems(error),
        "grade_reasons": rules.grade_reasons(str(values.get("declared_grade") or ""), fields),
        "error": error,
        **VOCAB,
    }
    return render(request, "catalog/resource_form.html", context, status_code=error.status if error else 200)


NEW_RESOURCE = {
    "sector": "other",
    "base_library": "other",
    "update_frequency": "monthly",
    "sharing": "conditional",
    "opening": "closed",
    "declared_grade": "general-2",
}


def _rows_asked(text: str | None, default: int) -> int:
    """The blank rows a page asks for (``?rows=`` or the form's count); a count that is not one is the default."""
    return min(int(text), MAX_FIELD_ROWS) if text and text.isascii() and text.isdigit() and len(text) <= 3 else default


@router.get("/resources/new", response_class=HTMLResponse)
def new_resource(request: Request, principal: PagePrincipal, rows: str = "") -> HTMLResponse:
    values = {**NEW_RESOURCE, "fields": []}
    return _form_page(
        request, title="resource.new", action="/resources/new", values=values, blank_rows=_rows_asked(rows, 3)
    )


def _submitted_description(form) -> dict:  # noqa: ANN001
    """The resource form's values as the API's shape; empty field rows are dropped."""
    columns = ("name", "label", "type", "format", "sensitivity", "pipl_category", "masking", "values", "description")
    rows = zip(*(texts(form.getlist(f"field_{column}")) for column in columns), strict=False)
    required = set(texts(form.getlist("field_required")))
    fields = []
    for index, row in enumerate(rows):
        spec = dict(zip(columns, (value.strip() for value in row), strict=True))
        if not spec["name"] and not spec["label"]:
            continue
        spec["required"] = str(index) in required
        for optional in ("format", "pipl_category", "masking"):
            spec[optional] = spec[optional] or None
        # The published values (DP groups), kept through every save: 贵池区、东至县 or one per comma.
        spec["values"] = items(spec["values"].replace("、", ",")) or None
        fields.append(spec)
    return {**{key: str(form.get(key) or "").strip() for key in DESCRIPTION_KEYS}, "fields": fields}


def _adding_row(form) -> int | None:  # noqa: ANN001
    """The blank rows to show when the form's "add a field" button (not "save") sent it, else None."""
    if not form.get("add_field"):
        return None
    return _rows_asked(str(form.get("blank_rows") or ""), 0) + 1


async def _sample(request: Request, platform: Platform, principal: Principal) -> tuple[dict[str, str], list[dict]]:
    """Receive a sample file into the domain (after the permission and the CSRF token) and read the fields it
    suggests; the file is gone when this returns."""
    await run_in_threadpool(service.check_may_describe, principal)
    received = await uploads.receive(
        request,
        store.scratch_for(platform.settings.domain_dir),
        before_file=lambda fields: check_csrf(request, fields.get("csrf_token", "")),
    )
    suggested = await run_in_threadpool(
        service.sample_fields, principal=principal, path=received.path, file_name=received.file_name
    )
    return received.fields, suggested


def _typed_before(fields: dict[str, str], values: dict) -> dict:
    """The description the page's script copied into the sample form, over ``values``."""
    return {**values, **{key: fields[key].strip() for key in DESCRIPTION_KEYS if fields.get(key, "").strip()}}


@router.post("/resources/new/sample", response_class=HTMLResponse)
async def new_from_sample(request: Request, platform: PlatformDep, principal: PagePrincipal) -> HTMLResponse:
    """Describe a new resource from a sample file: the form comes back with one suggested row per column."""
    try:
        typed, suggested = await _sample(request, platform, principal)
    except Refused as error:
        if error.status in (403, 404) or error.rule == "web.csrf":
            raise
        values = {**NEW_RESOURCE, "fields": []}
        return _form_page(request, title="resource.new", action="/resources/new", values=values, error=error)
    values = _typed_before(typed, {**NEW_RESOURCE, "fields": suggested})
    return _form_page(request, title="resource.new", action="/resources/new", values=values, sampled=True)


@router.post("/resources/{resource_id}/edit/sample", response_class=HTMLResponse)
async def edit_from_sample(
    request: Request, platform: PlatformDep, principal: PagePrincipal, resource_id: RowId
) -> HTMLResponse:
    """The edit form with the sample's columns: those already described kept as they are, the others
    suggested."""
    with platform.read() as session:
        resource = service.get(session, principal=principal, resource_id=resource_id, permission="catalog.describe")
        title, described = _edit_title(resource), service.description_of(resource)
    action = f"/resources/{resource_id}/edit"
    try:
        typed, suggested = await _sample(request, platform, principal)
    except Refused as error:
        if error.status in (403, 404) or error.rule == "web.csrf":
            raise
        return _form_page(request, title=title, action=action, values=described, error=error)
    values = _typed_before(typed, {**described, "fields": service.merged_fields(described["fields"], suggested)})
    return _form_page(request, title=title, action=action, values=values, sampled=True)


def _saved_notice(values: dict) -> str:
    """What the resource page says once the description is saved: whether a field raised the declared grade."""
    raised = rules.grade_reasons(str(values.get("declared_grade") or ""), list(values.get("fields") or []))
    return "resource.described_raised" if raised else "resource.described"


def _description(values: dict) -> ResourceIn:
    try:
        return ResourceIn.model_validate(values)
    except ValidationError as error:
        raise validation_refusal(error) from None


@router.post("/resources/new", response_class=HTMLResponse)
async def create_resource(request: Request, platform: PlatformDep, principal: PagePrincipal) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    values = _submitted_description(form)
    adding = _adding_row(form)
    if adding is not None:
        return _form_page(request, title="resource.new", action="/resources/new", values=values, blank_rows=adding)
    return act_on(
        platform,
        lambda session: service.describe(session, principal=principal, body=_description(values)),
        action="describe",
        then=lambda resource: f"/resources/{resource.id}",
        notice=_saved_notice(values),
        show=lambda error: _form_page(
            request,
            title="resource.new",
            action="/resources/new",
            values=values,
            error=error,
            blank_rows=_rows_asked(str(form.get("blank_rows") or ""), 1),
        ),
    )


def _resource_page(
    request: Request,
    session: Session,
    principal: Principal,
    resource_id: RowId,
    *,
    report: LoadReport | None = None,
    error: Refused | None = None,
) -> HTMLResponse:
    resource = service.get(session, principal=principal, resource_id=resource_id)
    can_load = (
        access.may(principal, "catalog.load", resource)
        and rules.accepts_data(resource.state)
        and rules.loadable(resource.grade)
    )
    fields = service.fields_of(resource)
    versions = service.versions(session, principal=principal, resource_id=resource_id)
    uses = contracts.uses_of_resource(session, code=resource.code)
    context = {
        "uses": uses,
        "usage_chart": _usage_chart(
            contracts.calls_per_month(session, contract_ids=[use.contract_id for use in uses]), language(request)
        ),
        "resource": resource,
        "fields": fields,
        "grade_reasons": rules.grade_reasons(resource.declared_grade, [spec.model_dump() for spec in fields]),
        "declared_grade": resource.declared_grade,
        "provider": service.provider_names(session, [resource])[resource.provider_id],
        "versions": versions,
        "registrations": service.registrations(session, principal=principal, resource_id=resource_id),
        "reviews": service.reviews_of(session, principal=principal, resource_id=resource_id),
        "sees_objectors": access.may(principal, "registration.review"),
        "can_load": can_load,
        "can_submit": access.may(principal, "catalog.submit", resource),
        "can_preview": access.may(principal, "catalog.preview", resource) and resource.current_version is not None,
        "sources": sources.usable(session, principal=principal) if can_load else [],
        "report": report,
        "report_problems": service.report_problems(report) if report else [],
        "report_lookalikes": json.loads(report.lookalikes) if report else [],
        "version_reports": service.reports_of_versions(session, versions),
        "problem_rules": PROBLEM_RULES,
        "error": error,
        **VOCAB,
    }
    return render(request, "catalog/resource.html", context, status_code=error.status if error else 200)


@router.get("/resources/{resource_id}", response_class=HTMLResponse)
def resource_page(request: Request, session: ReadSession, principal: PagePrincipal, resource_id: RowId) -> HTMLResponse:
    return _resource_page(request, session, principal, resource_id)


def _months_between(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _usage_chart(per_month: dict[str, int], lang: str) -> dict | None:
    """An ECharts option of the calls per month (months without a call shown as 0), or None without calls."""
    if not per_month:
        return None
    months = _months_between(min(per_month), max(per_month))
    return {
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": months},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"type": "bar", "name": messages.label("usage.calls", lang), "data": [per_month.get(m, 0) for m in months]}
        ],
    }


def _edit_title(resource: Resource) -> str:
    return "resource.edit" if rules.editable(resource.state) else "resource.change"


@router.get("/resources/{resource_id}/edit", response_class=HTMLResponse)
def edit_resource(
    request: Request, session: ReadSession, principal: PagePrincipal, resource_id: RowId, rows: str = ""
) -> HTMLResponse:
    resource = service.get(session, principal=principal, resource_id=resource_id, permission="catalog.describe")
    values = {**service.description_of(resource)}
    return _form_page(
        request,
        title=_edit_title(resource),
        action=f"/resources/{resource_id}/edit",
        values=values,
        blank_rows=_rows_asked(rows, 1),
    )


def _save(session: Session, principal: Principal, resource_id: RowId, values: dict) -> Resource:
    """A draft is edited in place; a registered resource changes through a change registration."""
    resource = service.get(session, principal=principal, resource_id=resource_id, permission="catalog.describe")
    body = _description(values)
    if rules.editable(resource.state):
        return service.revise(session, principal=principal, resource_id=resource_id, body=body)
    service.submit_registration(session, principal=principal, resource_id=resource_id, kind="change", change=body)
    return resource


@router.post("/resources/{resource_id}/edit", response_class=HTMLResponse)
async def save_resource(
    request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal, resource_id: RowId
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    values = _submitted_description(form)
    resource = service.get(session, principal=principal, resource_id=resource_id, permission="catalog.describe")
    adding = _adding_row(form)
    if adding is not None:
        return _form_page(
            request,
            title=_edit_title(resource),
            action=f"/resources/{resource_id}/edit",
            values=values,
            blank_rows=adding,
        )
    return act_on(
        platform,
        lambda command: _save(command, principal, resource_id, values),
        action="save",
        then=f"/resources/{resource_id}",
        notice="resource.change_submitted" if not rules.editable(resource.state) else _saved_notice(values),
        show=lambda error: _form_page(
            request,
            title=_edit_title(resource),
            action=f"/resources/{resource_id}/edit",
            values=values,
            error=error,
            blank_rows=_rows_asked(str(form.get("blank_rows") or ""), 1),
        ),
    )


def _keep_good_rows(text: str | None) -> bool:
    return (text or "") in ("1", "on", "true")


def _to_report(request: Request, resource_id: int, result: LoadResult) -> RedirectResponse:
    """POST-redirect-GET: a load's result is a page of its own, so a refresh loads nothing again. A refused load's
    page says so itself; a done one also leaves the notice that it was loaded."""
    assert result.report_id is not None, "a page's load records its report"
    target = f"/resources/{resource_id}/loads/{result.report_id}"
    if not result.ok:
        return RedirectResponse(target, status_code=303)
    return redirect(target, secure=request.app.state.platform.settings.secure_cookies, notice="resource.loaded")


@router.post("/catalog/resources/{resource_id}/load", response_class=HTMLResponse)
async def load_page(request: Request, platform: PlatformDep, principal: PagePrincipal, resource_id: RowId) -> Response:
    """The page's load form. As the API's: the permission first, then the body, its CSRF token (which the form
    sends before the file) checked before a byte of the file is kept."""
    await run_in_threadpool(service.check_may_load, platform, principal=principal, resource_id=resource_id)
    domain_dir = platform.settings.domain_dir
    received = await uploads.receive(
        request,
        store.scratch_for(domain_dir),
        before_file=lambda fields: check_csrf(request, fields.get("csrf_token", "")),
    )
    result, _ = await run_in_threadpool(
        service.load_upload,
        platform,
        principal=principal,
        resource_id=resource_id,
        domain_dir=domain_dir,
        path=received.path,
        file_name=received.file_name,
        source_format=None,
        confirm_not_sensitive=received.fields.get("confirm_not_sensitive", ""),
        keep_good_rows=_keep_good_rows(received.fields.get("keep_good_rows")),
        report=True,
    )
    return _to_report(request, resource_id, result)


@router.post("/catalog/resources/{resource_id}/load-sql", response_class=HTMLResponse)
def load_sql_page(
    request: Request,
    platform: PlatformDep,
    principal: PagePrincipal,
    resource_id: RowId,
    csrf_token: Text,
    source_id: Annotated[str, Form()] = "",
    query: Annotated[str, Form(max_length=20000)] = "",
    confirm_not_sensitive: Annotated[str, Form()] = "",
    keep_good_rows: Annotated[str, Form()] = "",
) -> Response:
    """Load from one of the department's approved source connections, chosen from the page's list."""
    check_csrf(request, csrf_token)
    try:
        if not _row_id_text(source_id) or not query.strip():
            raise Refused("catalog.source-choice")
        result, _ = service.load(
            platform,
            principal=principal,
            resource_id=resource_id,
            domain_dir=platform.settings.domain_dir,
            source_format="sql",
            sql_source=service.SqlSource(int(source_id), query, platform.sealer),
            confirm_not_sensitive=items(confirm_not_sensitive),
            keep_good_rows=_keep_good_rows(keep_good_rows),
            report=True,
        )
    except Refused as error:
        if error.status == 404:
            raise
        with platform.read() as session:
            return _resource_page(request, session, principal, resource_id, error=error)
    return _to_report(request, resource_id, result)


@router.get("/resources/{resource_id}/loads/{report_id}", response_class=HTMLResponse)
def load_result(
    request: Request, session: ReadSession, principal: PagePrincipal, resource_id: RowId, report_id: RowId
) -> HTMLResponse:
    """A load's result: the resource's page with what the load found."""
    report = service.load_report(session, principal=principal, resource_id=resource_id, report_id=report_id)
    return _resource_page(request, session, principal, resource_id, report=report)


@router.get("/resources/{resource_id}/loads/{report_id}/problems.csv")
def load_problems_csv(session: ReadSession, principal: PagePrincipal, resource_id: RowId, report_id: RowId) -> Response:
    """The report of a load's bad rows as CSV: row, column and rule — never a value."""
    report = service.load_report(session, principal=principal, resource_id=resource_id, report_id=report_id)
    return problems_csv(report)


def _cell(value: str | None, kind: str | None) -> object:
    """A previewed (masked, so textual) value as its declared type reads: a decimal as a number for ``num``."""
    if kind == "decimal" and value is not None:
        try:
            return Decimal(value)
        except InvalidOperation:  # masked: shown as it is
            return value
    return value


@router.get("/resources/{resource_id}/preview", response_class=HTMLResponse)
def preview(
    request: Request, session: CommandSession, platform: PlatformDep, principal: PagePrincipal, resource_id: RowId
) -> HTMLResponse:
    number, columns, rows = service.preview(
        session, principal=principal, resource_id=resource_id, domain_dir=platform.settings.domain_dir
    )
    # Each column's declared type, so that a yes/no reads as 是/否 and a decimal with sensible decimals.
    resource = service.get(session, principal=principal, resource_id=resource_id)
    types = {spec.name: spec.type for spec in service.fields_of(resource)}
    kinds = [types.get(column) for column in columns]
    shown = [[_cell(value, kind) for value, kind in zip(row, kinds, strict=True)] for row in rows]
    context = {"number": number, "columns": columns, "rows": shown, "types": kinds}
    return render(request, "catalog/resource_preview.html", context)


@router.post("/resources/{resource_id}/register", response_class=HTMLResponse)
def register(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    resource_id: RowId,
    kind: Text,
    csrf_token: Text,
    reason: Annotated[str, Form(max_length=2000)] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """A first or a cancellation registration. Cancelling takes the resource out of the catalogue, so it is
    confirmed, and its reason goes to the bureau with the application."""
    check_csrf(request, csrf_token)
    if kind not in ("first", "cancel"):
        kind = "invalid"

    def submit(command: Session) -> object:
        why = confirmed({"confirm": confirm, "reason": reason}) if kind == "cancel" else None
        return service.submit_registration(command, principal=principal, resource_id=resource_id, kind=kind, reason=why)

    return act_on(
        platform,
        submit,
        action=kind,
        then=f"/resources/{resource_id}",
        show=lambda error: _resource_page(request, session, principal, resource_id, error=error),
        notice=f"registration.notice_{kind}" if kind != "invalid" else "notice.done",
    )


# --- the bureau's review queue -----------------------------------------------------------------------


def _queue_page(request: Request, session: Session, principal: Principal, error: Refused | None = None) -> HTMLResponse:
    context = {"queue": service.review_queue(session, principal=principal), "error": error, **VOCAB}
    return render(request, "catalog/registrations.html", context, status_code=error.status if error else 200)


@router.get("/data-alerts", response_class=HTMLResponse)
def data_alerts(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    """The bureau's and the departments' list of versions whose file was found damaged or missing."""
    return render(request, "catalog/data_alerts.html", {"alerts": integrity.alerts(session, principal=principal)})


@router.get("/registrations", response_class=HTMLResponse)
def review_queue(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    return _queue_page(request, session, principal)


@router.post("/registrations/objections/{objection_id}/answer", response_class=HTMLResponse)
def answer_objection(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    objection_id: RowId,
    csrf_token: Text,
    answer: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    return act_on(
        platform,
        lambda command: service.answer_objection(
            command, principal=principal, objection_id=objection_id, answer=answer, reason=reason
        ),
        action="answer",
        then="/registrations",
        notice="notice.objection-answered",
        show=lambda error: _queue_page(request, session, principal, error=error),
    )


@router.post("/registrations/{registration_id}/decide", response_class=HTMLResponse)
def decide(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    registration_id: RowId,
    decision: Text,
    csrf_token: Text,
    reason: Annotated[str, Form(max_length=5000)] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Accept, return or reject an application; a rejection cannot be undone, so it asks for a confirmation and a
    reason (``confirm_reason``)."""
    check_csrf(request, csrf_token)

    def command(session: Session) -> object:
        why = confirmed({"confirm": confirm, "reason": reason}) if decision == "reject" else reason
        return service.review_registration(
            session, principal=principal, registration_id=registration_id, decision=decision, reason=why
        )

    return act_on(
        platform,
        command,
        action="decide",
        then="/registrations",
        notice="notice.registration-decided",
        show=lambda error: _queue_page(request, session, principal, error=error),
    )


# --- the bureau's registry of source connections ---------------------------------------------------------


def _sources_page(
    request: Request, session: Session, principal: Principal, error: Refused | None = None, values: dict | None = None
) -> HTMLResponse:
    found = sources.listing(session, principal=principal)
    names = sources.provider_names(session, found)
    can_manage = access.may(principal, "source.manage")
    context = {
        "connections": [sources.out(connection, names[connection.provider_id]) for connection in found],
        "can_manage": can_manage,
        "providers": sources.providers(session) if can_manage else {},
        "values": {key: value for key, value in (values or {}).items() if key != "password"},
        "error": error,
    }
    return render(request, "catalog/sources.html", context, status_code=error.status if error else 200)


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    return _sources_page(request, session, principal)


def _source_body(values: dict) -> SourceIn:
    try:
        return SourceIn.model_validate(values)
    except ValidationError as error:
        raise validation_refusal(error) from None


@router.post("/sources", response_class=HTMLResponse)
def approve_source(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    csrf_token: Text,
    name: Annotated[str, Form()] = "",
    provider_id: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    values = {"name": name, "provider_id": provider_id, "url": url, "password": password or None}
    return act_on(
        platform,
        lambda command: sources.approve(
            command,
            principal=principal,
            body=_source_body(values),
            sealer=platform.sealer,
            data_dir=platform.settings.data_dir,
        ),
        action="approve",
        then="/sources",
        show=lambda error: _sources_page(request, session, principal, error=error, values=values),
        notice="source.notice_approved",
    )


@router.post("/sources/{source_id}/disable", response_class=HTMLResponse)
def disable_source(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    source_id: RowId,
    csrf_token: Text,
) -> Response:
    check_csrf(request, csrf_token)
    return act_on(
        platform,
        lambda command: sources.disable(command, principal=principal, source_id=source_id),
        action="disable",
        then="/sources",
        show=lambda error: _sources_page(request, session, principal, error=error),
        notice="source.notice_disabled",
    )
