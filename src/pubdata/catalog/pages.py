"""Catalogue pages: the public catalogue, a department's resources (describe, load, register), the review queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from pubdata.catalog import rules, service
from pubdata.catalog.schemas import ResourceIn
from pubdata.common.errors import PubdataError
from pubdata.identity import service as identity
from pubdata.identity.dependencies import MaybePagePrincipal, PagePrincipal
from pubdata.identity.service import Principal
from pubdata.registration import rules as registration_rules
from pubdata.web.deps import PlatformDep, SessionDep
from pubdata.web.render import check_csrf, render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]
PAGE_SIZE = 20


VOCAB = {"rules": rules, "registration_rules": registration_rules}


# --- public catalogue --------------------------------------------------------------------------------


@router.get("/catalog", response_class=HTMLResponse)
def public_catalog(
    request: Request,
    session: SessionDep,
    principal: MaybePagePrincipal,
    q: str = Query("", max_length=100),
    base_library: str = "",
    sector: str = "",
    grade: str = "",
    provider: str = "",
    page: int = Query(1, ge=1),
) -> HTMLResponse:
    provider_id = int(provider) if provider.isdigit() else None  # the form sends "" for every department
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
    return render(request, "catalog_public.html", context)


@router.get("/catalog/{code}", response_class=HTMLResponse)
def public_resource(request: Request, session: SessionDep, principal: MaybePagePrincipal, code: str) -> HTMLResponse:
    resource = service.public_get(session, code=code)
    context = {
        "resource": resource,
        "fields": service.fields_of(resource),
        "provider": service.provider_names(session, [resource])[resource.provider_id],
        **VOCAB,
    }
    return render(request, "catalog_public_detail.html", context)


# --- a department's resources ------------------------------------------------------------------------


@router.get("/resources", response_class=HTMLResponse)
def resources(
    request: Request, session: SessionDep, principal: PagePrincipal, q: str = "", state: str = ""
) -> HTMLResponse:
    found = service.search(
        session, principal=principal, filters=service.Filters(q or None, state=state or None), limit=500
    )
    context = {
        "resources": found,
        "names": service.provider_names(session, found),
        "q": q,
        "state": state,
        "can_describe": identity.may(principal, "catalog.describe", organisation_id=principal.organisation_id),
        **VOCAB,
    }
    return render(request, "resources.html", context)


def _form_page(
    request: Request, *, title: str, action: str, values: dict, error: str | None = None, status_code: int = 200
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
    return render(request, "resource_form.html", context, status_code=status_code)


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
    rows = zip(*(form.getlist(f"field_{column}") for column in columns))
    required = set(form.getlist("field_required"))
    fields = []
    for index, row in enumerate(rows):
        spec = dict(zip(columns, (value.strip() for value in row)))
        if not spec["name"] and not spec["label"]:
            continue
        spec["required"] = str(index) in required
        for optional in ("format", "pipl_category", "masking"):
            spec[optional] = spec[optional] or None
        fields.append(spec)
    keys = (
        "code",
        "name",
        "description",
        "sector",
        "base_library",
        "update_frequency",
        "time_span",
        "sharing",
        "opening",
        "declared_grade",
    )
    return {**{key: (form.get(key) or "").strip() for key in keys}, "fields": fields}


def _validation_message(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in error.errors())


@router.post("/resources/new", response_class=HTMLResponse)
async def create_resource(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    values = _submitted_description(form)
    try:
        resource = service.describe(session, principal=principal, body=ResourceIn.model_validate(values))
        session.commit()
    except ValidationError as error:
        return _form_page(
            request,
            title="resource.new",
            action="/resources/new",
            values=values,
            error=_validation_message(error),
            status_code=422,
        )
    except PubdataError as error:
        session.rollback()
        return _form_page(
            request,
            title="resource.new",
            action="/resources/new",
            values=values,
            error=error.detail,
            status_code=error.status,
        )
    return RedirectResponse(f"/resources/{resource.id}", status_code=303)


def _resource_page(
    request: Request, session, principal: Principal, resource_id: int, *, report=None, status_code: int = 200
) -> HTMLResponse:
    resource = service.get(session, principal=principal, resource_id=resource_id)
    own = principal.organisation_id == resource.provider_id
    context = {
        "resource": resource,
        "fields": service.fields_of(resource),
        "provider": service.provider_names(session, [resource])[resource.provider_id],
        "versions": service.versions(session, principal=principal, resource_id=resource_id),
        "registrations": service.registrations(session, principal=principal, resource_id=resource_id),
        "can_load": own
        and identity.may(principal, "catalog.load", organisation_id=resource.provider_id)
        and rules.accepts_data(resource.state)
        and rules.loadable(resource.grade),
        "can_submit": own and identity.may(principal, "catalog.submit", organisation_id=resource.provider_id),
        "can_preview": identity.may(principal, "catalog.preview", organisation_id=resource.provider_id)
        and resource.current_version is not None,
        "report": report,
        **VOCAB,
    }
    return render(request, "resource.html", context, status_code=status_code)


@router.get("/resources/{resource_id}", response_class=HTMLResponse)
def resource_page(request: Request, session: SessionDep, principal: PagePrincipal, resource_id: int) -> HTMLResponse:
    return _resource_page(request, session, principal, resource_id)


@router.get("/resources/{resource_id}/edit", response_class=HTMLResponse)
def edit_resource(request: Request, session: SessionDep, principal: PagePrincipal, resource_id: int) -> HTMLResponse:
    resource = service.get(session, principal=principal, resource_id=resource_id, permission="catalog.describe")
    title = "resource.edit" if rules.editable(resource.state) else "resource.change"
    values = {**service.description_of(resource)}
    return _form_page(request, title=title, action=f"/resources/{resource_id}/edit", values=values)


@router.post("/resources/{resource_id}/edit", response_class=HTMLResponse)
async def save_resource(request: Request, session: SessionDep, principal: PagePrincipal, resource_id: int) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    values = _submitted_description(form)
    resource = service.get(session, principal=principal, resource_id=resource_id, permission="catalog.describe")
    title = "resource.edit" if rules.editable(resource.state) else "resource.change"
    try:
        body = ResourceIn.model_validate(values)
        if rules.editable(resource.state):
            service.revise(session, principal=principal, resource_id=resource_id, body=body)
        else:
            service.submit_registration(
                session, principal=principal, resource_id=resource_id, kind="change", change=body
            )
        session.commit()
    except ValidationError as error:
        return _form_page(
            request,
            title=title,
            action=f"/resources/{resource_id}/edit",
            values=values,
            error=_validation_message(error),
            status_code=422,
        )
    except PubdataError as error:
        session.rollback()
        return _form_page(
            request,
            title=title,
            action=f"/resources/{resource_id}/edit",
            values=values,
            error=error.detail,
            status_code=error.status,
        )
    return RedirectResponse(f"/resources/{resource_id}", status_code=303)


@router.post("/catalog/resources/{resource_id}/load", response_class=HTMLResponse)
def load_page(
    request: Request,
    session: SessionDep,
    platform: PlatformDep,
    principal: PagePrincipal,
    resource_id: int,
    file: Annotated[UploadFile, File()],
    csrf_token: Text,
    confirm_not_sensitive: Annotated[str, Form()] = "",
) -> HTMLResponse:
    check_csrf(request, csrf_token)
    result, version = service.load_upload(
        session,
        principal=principal,
        resource_id=resource_id,
        domain_dir=platform.settings.domain_dir,
        upload=file.file,
        file_name=file.filename or "",
        source_format=None,
        confirm_not_sensitive=confirm_not_sensitive,
    )
    session.commit()
    report = {"result": result, "version": version}
    return _resource_page(request, session, principal, resource_id, report=report, status_code=201 if version else 422)


@router.get("/resources/{resource_id}/preview", response_class=HTMLResponse)
def preview(
    request: Request, session: SessionDep, platform: PlatformDep, principal: PagePrincipal, resource_id: int
) -> HTMLResponse:
    number, columns, rows = service.preview(
        session, principal=principal, resource_id=resource_id, domain_dir=platform.settings.domain_dir
    )
    session.commit()
    return render(request, "resource_preview.html", {"number": number, "columns": columns, "rows": rows})


@router.post("/resources/{resource_id}/register")
def register(
    request: Request, session: SessionDep, principal: PagePrincipal, resource_id: int, kind: Text, csrf_token: Text
) -> Response:
    check_csrf(request, csrf_token)
    if kind not in ("first", "cancel"):
        kind = "invalid"
    service.submit_registration(session, principal=principal, resource_id=resource_id, kind=kind)
    session.commit()
    return RedirectResponse(f"/resources/{resource_id}", status_code=303)


# --- the bureau's review queue -----------------------------------------------------------------------


@router.get("/registrations", response_class=HTMLResponse)
def review_queue(
    request: Request, session: SessionDep, principal: PagePrincipal, error: str | None = None
) -> HTMLResponse:
    queue = service.review_queue(session, principal=principal)
    subjects = {
        application.subject_id: service.get(session, principal=principal, resource_id=application.subject_id)
        for application in queue
    }
    return render(request, "registrations.html", {"queue": queue, "subjects": subjects, "error": error, **VOCAB})


@router.post("/registrations/{registration_id}/decide", response_class=HTMLResponse)
def decide(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    registration_id: int,
    decision: Text,
    csrf_token: Text,
    reason: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        service.review_registration(
            session, principal=principal, registration_id=registration_id, decision=decision, reason=reason
        )
        session.commit()
    except PubdataError as error:
        session.rollback()
        if error.status == 404:
            raise
        return review_queue(request, session, principal, error=error.detail)
    return RedirectResponse("/registrations", status_code=303)
