"""Catalogue pages: the public catalogue, a department's resources (describe, load, register), the review queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from pubdata.catalog import integrity, rules, service, sources
from pubdata.catalog.loading import LoadResult
from pubdata.catalog.models import Resource, ResourceVersion
from pubdata.catalog.schemas import DESCRIPTION_KEYS, ResourceIn, SourceIn
from pubdata.common import store
from pubdata.common.bounds import PageNumber, RowId, in_row_id_range
from pubdata.common.errors import Refused
from pubdata.db import UnitOfWork
from pubdata.identity import access
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import MaybePagePrincipal, PagePrincipal
from pubdata.registration import rules as registration_rules
from pubdata.web import uploads
from pubdata.web.deps import CommandSession, PlatformDep, ReadSession
from pubdata.web.forms import confirmed, items, validation_refusal
from pubdata.web.render import act_on, check_csrf, render


def _row_id_text(text: str) -> bool:
    """Does a form's text name a row id at all (digits, in the range of an ``integer`` column)?"""
    return text.isdigit() and len(text) <= 10 and in_row_id_range(int(text))


router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]
PAGE_SIZE = 20


VOCAB = {"rules": rules, "registration_rules": registration_rules}


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


@router.get("/catalog/{code}", response_class=HTMLResponse)
def public_resource(request: Request, session: ReadSession, principal: MaybePagePrincipal, code: str) -> HTMLResponse:
    resource = service.public_get(session, code=code)
    context = {
        "resource": resource,
        "fields": service.fields_of(resource),
        "provider": service.provider_names(session, [resource])[resource.provider_id],
        **VOCAB,
    }
    return render(request, "catalog/catalog_public_detail.html", context)


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


def _form_page(
    request: Request, *, title: str, action: str, values: dict, error: Refused | None = None
) -> HTMLResponse:
    blank = {
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
    fields = list(values.get("fields") or []) + [dict(blank) for _ in range(3)]
    context = {
        "title": title,
        "action": action,
        "values": values,
        "fields": fields,
        "blank": blank,
        "error": error,
        **VOCAB,
    }
    return render(request, "catalog/resource_form.html", context, status_code=error.status if error else 200)


@router.get("/resources/new", response_class=HTMLResponse)
def new_resource(request: Request, principal: PagePrincipal) -> HTMLResponse:
    values = {
        "sector": "other",
        "base_library": "other",
        "update_frequency": "monthly",
        "sharing": "conditional",
        "opening": "closed",
        "declared_grade": "general-2",
        "fields": [],
    }
    return _form_page(request, title="resource.new", action="/resources/new", values=values)


def _submitted_description(form) -> dict:  # noqa: ANN001
    """The resource form's values as the API's shape; empty field rows are dropped."""
    columns = ("name", "label", "type", "format", "sensitivity", "pipl_category", "masking", "description")
    rows = zip(*(form.getlist(f"field_{column}") for column in columns), strict=False)
    required = set(form.getlist("field_required"))
    fields = []
    for index, row in enumerate(rows):
        spec = dict(zip(columns, (value.strip() for value in row), strict=True))
        if not spec["name"] and not spec["label"]:
            continue
        spec["required"] = str(index) in required
        for optional in ("format", "pipl_category", "masking"):
            spec[optional] = spec[optional] or None
        fields.append(spec)
    return {**{key: (form.get(key) or "").strip() for key in DESCRIPTION_KEYS}, "fields": fields}


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
    return act_on(
        platform,
        lambda session: service.describe(session, principal=principal, body=_description(values)),
        action="describe",
        then=lambda resource: f"/resources/{resource.id}",
        show=lambda error: _form_page(
            request, title="resource.new", action="/resources/new", values=values, error=error
        ),
    )


def _resource_page(
    request: Request,
    session: Session,
    principal: Principal,
    resource_id: RowId,
    *,
    report: dict | None = None,
    error: Refused | None = None,
) -> HTMLResponse:
    resource = service.get(session, principal=principal, resource_id=resource_id)
    can_load = (
        access.may(principal, "catalog.load", resource)
        and rules.accepts_data(resource.state)
        and rules.loadable(resource.grade)
    )
    context = {
        "resource": resource,
        "fields": service.fields_of(resource),
        "provider": service.provider_names(session, [resource])[resource.provider_id],
        "versions": service.versions(session, principal=principal, resource_id=resource_id),
        "registrations": service.registrations(session, principal=principal, resource_id=resource_id),
        "can_load": can_load,
        "can_submit": access.may(principal, "catalog.submit", resource),
        "can_preview": access.may(principal, "catalog.preview", resource) and resource.current_version is not None,
        "sources": sources.usable(session, principal=principal) if can_load else [],
        "report": report,
        "error": error,
        **VOCAB,
    }
    status_code = error.status if error else 200 if report is None else 201 if report["version"] else 422
    return render(request, "catalog/resource.html", context, status_code=status_code)


@router.get("/resources/{resource_id}", response_class=HTMLResponse)
def resource_page(request: Request, session: ReadSession, principal: PagePrincipal, resource_id: RowId) -> HTMLResponse:
    return _resource_page(request, session, principal, resource_id)


def _edit_title(resource: Resource) -> str:
    return "resource.edit" if rules.editable(resource.state) else "resource.change"


@router.get("/resources/{resource_id}/edit", response_class=HTMLResponse)
def edit_resource(request: Request, session: ReadSession, principal: PagePrincipal, resource_id: RowId) -> HTMLResponse:
    resource = service.get(session, principal=principal, resource_id=resource_id, permission="catalog.describe")
    values = {**service.description_of(resource)}
    return _form_page(request, title=_edit_title(resource), action=f"/resources/{resource_id}/edit", values=values)


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
    return act_on(
        platform,
        lambda command: _save(command, principal, resource_id, values),
        action="save",
        then=f"/resources/{resource_id}",
        show=lambda error: _form_page(
            request, title=_edit_title(resource), action=f"/resources/{resource_id}/edit", values=values, error=error
        ),
    )


@router.post("/catalog/resources/{resource_id}/load", response_class=HTMLResponse)
async def load_page(
    request: Request, platform: PlatformDep, principal: PagePrincipal, resource_id: RowId
) -> HTMLResponse:
    """The page's load form. As the API's: the permission first, then the body, its CSRF token (which the form
    sends before the file) checked before a byte of the file is kept."""
    await run_in_threadpool(service.check_may_load, platform, principal=principal, resource_id=resource_id)
    domain_dir = platform.settings.domain_dir
    received = await uploads.receive(
        request,
        store.scratch_for(domain_dir),
        before_file=lambda fields: check_csrf(request, fields.get("csrf_token", "")),
    )
    result, version = await run_in_threadpool(
        service.load_upload,
        platform,
        principal=principal,
        resource_id=resource_id,
        domain_dir=domain_dir,
        path=received.path,
        file_name=received.file_name,
        source_format=None,
        confirm_not_sensitive=received.fields.get("confirm_not_sensitive", ""),
    )
    return await run_in_threadpool(_after_load, request, platform, principal, resource_id, result, version)


def _after_load(
    request: Request,
    platform: UnitOfWork,
    principal: Principal,
    resource_id: int,
    result: LoadResult,
    version: ResourceVersion | None,
) -> HTMLResponse:
    with platform.read() as session:  # after the load's command: a read that sees it
        return _resource_page(request, session, principal, resource_id, report={"result": result, "version": version})


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
) -> HTMLResponse:
    """Load from one of the department's approved source connections, chosen from the page's list."""
    check_csrf(request, csrf_token)
    try:
        if not _row_id_text(source_id) or not query.strip():
            raise Refused("catalog.source-choice")
        result, version = service.load(
            platform,
            principal=principal,
            resource_id=resource_id,
            domain_dir=platform.settings.domain_dir,
            source_format="sql",
            sql_source=service.SqlSource(int(source_id), query, platform.sealer),
            confirm_not_sensitive=items(confirm_not_sensitive),
        )
    except Refused as error:
        if error.status == 404:
            raise
        with platform.read() as session:
            return _resource_page(request, session, principal, resource_id, error=error)
    with platform.read() as session:  # after the load's command: a read that sees it
        return _resource_page(request, session, principal, resource_id, report={"result": result, "version": version})


@router.get("/resources/{resource_id}/preview", response_class=HTMLResponse)
def preview(
    request: Request, session: CommandSession, platform: PlatformDep, principal: PagePrincipal, resource_id: RowId
) -> HTMLResponse:
    number, columns, rows = service.preview(
        session, principal=principal, resource_id=resource_id, domain_dir=platform.settings.domain_dir
    )
    return render(request, "catalog/resource_preview.html", {"number": number, "columns": columns, "rows": rows})


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


@router.post("/registrations/{registration_id}/decide", response_class=HTMLResponse)
def decide(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    registration_id: RowId,
    decision: Text,
    csrf_token: Text,
    reason: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    return act_on(
        platform,
        lambda command: service.review_registration(
            command, principal=principal, registration_id=registration_id, decision=decision, reason=reason
        ),
        action="decide",
        then="/registrations",
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
