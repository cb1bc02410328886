"""Catalogue API: resources, loads, previews, registration; and the public catalogue (no login)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from pubdata.catalog import integrity, rules, schemas, service, sources
from pubdata.catalog.loading import LoadResult
from pubdata.catalog.models import Resource, ResourceVersion
from pubdata.common import store
from pubdata.common.bounds import INT4_MAX, RowId
from pubdata.common.errors import Refused
from pubdata.common.names import Prose
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.registration import rules as registration_rules
from pubdata.web import uploads
from pubdata.web.deps import CommandSession, PlatformDep, ReadSession

if TYPE_CHECKING:
    from pubdata.registration.models import Registration

router = APIRouter(prefix="/api/v1", tags=["catalog"])
public = APIRouter(prefix="/api/v1/public", tags=["public"])


def resource_out(resource: Resource, provider_name: str) -> schemas.ResourceOut:
    return schemas.ResourceOut.model_validate(
        {
            **{
                column.key: getattr(resource, column.key)
                for column in Resource.__table__.columns
                if column.key != "fields"
            },
            "fields": service.fields_of(resource),
            "provider_name": provider_name,
            "allowed_processing": sorted(rules.allowed_processing(resource.grade)),
        }
    )


PUBLIC_FIELD_KEYS = ("name", "label", "type", "sensitivity", "description")


def public_out(resource: Resource, provider_name: str) -> schemas.PublicResourceOut:
    """Metadata anyone may see: the description, minus the declared grade and the fields' handling details."""
    described = service.description_of(resource)
    return schemas.PublicResourceOut(
        **{
            key: value
            for key, value in described.items()
            if key in schemas.PublicResourceOut.model_fields and key != "fields"
        },
        provider_name=provider_name,
        grade=resource.grade,
        registration_number=resource.registration_number or "",
        fields=[{key: spec[key] for key in PUBLIC_FIELD_KEYS} for spec in described["fields"]],
    )


def report_out(result: LoadResult, version=None) -> schemas.LoadReportOut:  # noqa: ANN001
    csv_url = (
        f"/api/v1/resources/{version.resource_id}/loads/{result.report_id}/problems.csv"
        if version is not None and result.report_id is not None
        else None
    )
    return schemas.LoadReportOut(
        keep_good_rows=result.keep_good_rows,
        rows_read=result.rows_read,
        rows_rejected=result.rows_rejected,
        rejected=[schemas.ProblemOut(**problem.__dict__) for problem in result.rejections[:100]],
        report_csv=csv_url,
        ok=result.ok,
        source_format=result.source_format,
        encoding=result.encoding,
        row_count=result.row_count,
        problem_count=result.problem_count,
        problems=[schemas.ProblemOut(**problem.__dict__) for problem in result.problems],
        lookalikes=[lookalike.__dict__ for lookalike in result.lookalikes],
        version=schemas.VersionOut.model_validate(version) if version else None,
    )


def refused(result: LoadResult) -> Refused:
    return Refused(
        "catalog.load-refused",
        count=result.problem_count,
        shown=len(result.problems),
        extra={"report": report_out(result).model_dump()},
    )


@router.post("/resources", response_model=schemas.ResourceOut, status_code=status.HTTP_201_CREATED)
def describe(body: schemas.ResourceIn, session: CommandSession, principal: ApiPrincipal) -> schemas.ResourceOut:
    resource = service.describe(session, principal=principal, body=body)
    return resource_out(resource, service.provider_names(session, [resource])[resource.provider_id])


@router.get("/resources", response_model=list[schemas.ResourceOut])
def search(
    session: ReadSession,
    principal: ApiPrincipal,
    q: str | None = None,
    sector: str | None = None,
    base_library: str | None = None,
    grade: str | None = None,
    state: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=INT4_MAX),
) -> list[schemas.ResourceOut]:
    found = service.search(
        session,
        principal=principal,
        filters=service.Filters(q, None, sector, base_library, grade, state),
        limit=limit,
        offset=offset,
    )
    names = service.provider_names(session, found)
    return [resource_out(resource, names[resource.provider_id]) for resource in found]


@router.get("/resources/{resource_id}", response_model=schemas.ResourceOut)
def get(resource_id: RowId, session: ReadSession, principal: ApiPrincipal) -> schemas.ResourceOut:
    resource = service.get(session, principal=principal, resource_id=resource_id)
    return resource_out(resource, service.provider_names(session, [resource])[resource.provider_id])


@router.put("/resources/{resource_id}", response_model=schemas.ResourceOut)
def revise(
    resource_id: RowId, body: schemas.ResourceIn, session: CommandSession, principal: ApiPrincipal
) -> schemas.ResourceOut:
    resource = service.revise(session, principal=principal, resource_id=resource_id, body=body)
    return resource_out(resource, service.provider_names(session, [resource])[resource.provider_id])


UPLOAD_FORM = uploads.form_body(
    {
        "format": "csv, xlsx or parquet (default: from the file name's extension)",
        "confirm_not_sensitive": "Comma-separated fields confirmed not personal",
        "keep_good_rows": "true: keep the rows that pass, leave out and report the others (default: refuse the file)",
    }
)


@router.post(
    "/resources/{resource_id}/versions",
    response_model=schemas.LoadReportOut,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_FORM,
)
async def load_file(
    resource_id: RowId, request: Request, platform: PlatformDep, principal: ApiPrincipal
) -> schemas.LoadReportOut:
    """Load a CSV (UTF-8 or GB18030/GBK), .xlsx or Parquet file. Who is calling, and whether they may load
    this resource now, is settled before the body is read (``web.uploads``)."""
    await run_in_threadpool(service.check_may_load, platform, principal=principal, resource_id=resource_id)
    domain_dir = platform.settings.domain_dir
    received = await uploads.receive(request, store.scratch_for(domain_dir))
    result, version = await run_in_threadpool(
        service.load_upload,
        platform,
        principal=principal,
        resource_id=resource_id,
        domain_dir=domain_dir,
        path=received.path,
        file_name=received.file_name,
        source_format=received.fields.get("format") or None,
        confirm_not_sensitive=received.fields.get("confirm_not_sensitive", ""),
        keep_good_rows=received.fields.get("keep_good_rows", "").lower() in ("1", "true", "on", "yes"),
    )
    if version is None:
        raise refused(result)
    return report_out(result, version)


@router.get("/resources/{resource_id}/loads/{report_id}/problems.csv", response_class=Response)
def load_problems(resource_id: RowId, report_id: RowId, session: ReadSession, principal: ApiPrincipal) -> Response:
    """A load's report of its bad rows as CSV: row, column and rule, never a value."""
    report = service.load_report(session, principal=principal, resource_id=resource_id, report_id=report_id)
    content, name = service.report_csv(report)
    return Response(
        content, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post(
    "/resources/{resource_id}/versions/sql", response_model=schemas.LoadReportOut, status_code=status.HTTP_201_CREATED
)
def load_sql(
    resource_id: RowId, body: schemas.SqlLoadIn, platform: PlatformDep, principal: ApiPrincipal
) -> schemas.LoadReportOut:
    result, version = service.load(
        platform,
        principal=principal,
        resource_id=resource_id,
        domain_dir=platform.settings.domain_dir,
        source_format="sql",
        sql_source=service.SqlSource(body.source_id, body.query, platform.sealer),
        confirm_not_sensitive=body.confirm_not_sensitive,
        keep_good_rows=body.keep_good_rows,
    )
    if version is None:
        raise refused(result)
    return report_out(result, version)


@router.get("/sources", response_model=list[schemas.SourceOut])
def list_sources(session: ReadSession, principal: ApiPrincipal) -> list[schemas.SourceOut]:
    """Approved source connections: the bureau and the auditor see all, a department its own. No password."""
    found = sources.listing(session, principal=principal)
    names = sources.provider_names(session, found)
    return [sources.out(connection, names[connection.provider_id]) for connection in found]


@router.post("/sources", response_model=schemas.SourceOut, status_code=status.HTTP_201_CREATED)
def approve_source(
    body: schemas.SourceIn, session: CommandSession, platform: PlatformDep, principal: ApiPrincipal
) -> schemas.SourceOut:
    connection = sources.approve(
        session, principal=principal, body=body, sealer=platform.sealer, data_dir=platform.settings.data_dir
    )
    return sources.out(connection, sources.provider_names(session, [connection])[connection.provider_id])


@router.get("/sources/{source_id}", response_model=schemas.SourceOut)
def get_source(source_id: RowId, session: ReadSession, principal: ApiPrincipal) -> schemas.SourceOut:
    connection = sources.get(session, principal=principal, source_id=source_id)
    return sources.out(connection, sources.provider_names(session, [connection])[connection.provider_id])


@router.post("/sources/{source_id}/disable", response_model=schemas.SourceOut)
def disable_source(source_id: RowId, session: CommandSession, principal: ApiPrincipal) -> schemas.SourceOut:
    connection = sources.disable(session, principal=principal, source_id=source_id)
    return sources.out(connection, sources.provider_names(session, [connection])[connection.provider_id])


@router.get("/data-alerts", response_model=list[schemas.DataAlertOut])
def data_alerts(session: ReadSession, principal: ApiPrincipal) -> list[integrity.AlertView]:
    """Versions whose file was found damaged or missing: every one for the bureau, its own for a department."""
    return integrity.alerts(session, principal=principal)


@router.get("/resources/{resource_id}/versions", response_model=list[schemas.VersionOut])
def versions(resource_id: RowId, session: ReadSession, principal: ApiPrincipal) -> list[ResourceVersion]:
    return service.versions(session, principal=principal, resource_id=resource_id)


@router.get("/resources/{resource_id}/preview", response_model=schemas.PreviewOut)
def preview(
    resource_id: RowId, session: CommandSession, platform: PlatformDep, principal: ApiPrincipal
) -> schemas.PreviewOut:
    number, columns, rows = service.preview(
        session, principal=principal, resource_id=resource_id, domain_dir=platform.settings.domain_dir
    )
    return schemas.PreviewOut(version=number, columns=columns, rows=rows)


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(description="first, change or cancel")
    change: schemas.ResourceIn | None = None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    decision: str = Field(description="accept, return or reject")
    reason: Prose | None = Field(default=None, max_length=1000)


class RegistrationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    subject_kind: str
    subject_id: RowId
    kind: str
    state: str
    submitted_at: object
    decided_at: object | None
    reason: str | None
    notice_until: object | None
    registered_at: object | None
    number: str | None


@router.post(
    "/resources/{resource_id}/registrations", response_model=RegistrationOut, status_code=status.HTTP_201_CREATED
)
def submit_registration(
    resource_id: RowId, body: RegistrationIn, session: CommandSession, principal: ApiPrincipal
) -> Registration:
    return service.submit_registration(
        session, principal=principal, resource_id=resource_id, kind=body.kind, change=body.change
    )


@router.get("/resources/{resource_id}/registrations", response_model=list[RegistrationOut])
def resource_registrations(resource_id: RowId, session: ReadSession, principal: ApiPrincipal) -> list[Registration]:
    return service.registrations(session, principal=principal, resource_id=resource_id)


@router.get("/registrations", response_model=list[RegistrationOut])
def review_queue(session: ReadSession, principal: ApiPrincipal) -> list[Registration]:
    return [review.application for review in service.review_queue(session, principal=principal)]


@router.post("/registrations/{registration_id}/decision", response_model=RegistrationOut)
def decide(registration_id: RowId, body: DecisionIn, session: CommandSession, principal: ApiPrincipal) -> Registration:
    return service.review_registration(
        session, principal=principal, registration_id=registration_id, decision=body.decision, reason=body.reason
    )


class PublicCatalog(BaseModel):
    total: int
    items: list[schemas.PublicResourceOut]


@public.get("/catalog", response_model=PublicCatalog)
def public_catalog(
    session: ReadSession,
    q: str | None = Query(None, max_length=100),
    sector: str | None = None,
    base_library: str | None = None,
    grade: str | None = None,
    provider_id: RowId | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=INT4_MAX),
) -> PublicCatalog:
    found, total = service.search_public(
        session, filters=service.Filters(q, provider_id, sector, base_library, grade), limit=limit, offset=offset
    )
    names = service.provider_names(session, found)
    return PublicCatalog(total=total, items=[public_out(resource, names[resource.provider_id]) for resource in found])


@public.get("/catalog/{code}", response_model=schemas.PublicResourceOut)
def public_resource(code: str, session: ReadSession) -> schemas.PublicResourceOut:
    resource = service.public_get(session, code=code)
    return public_out(resource, service.provider_names(session, [resource])[resource.provider_id])


class ObjectionIn(BaseModel):
    """An objection to a resource under public notice; the service checks each value (refusals in words)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=1000, description="The objector's name or organisation (never published).")
    contact: str = Field(max_length=1000, description="A mobile, a landline or an e-mail (never published).")
    reason: str = Field(max_length=20000, description="The grounds of the objection.")


class ObjectionFiledOut(BaseModel):
    filed: bool
    notice_until: object


@public.post("/catalog/{code}/objections", response_model=ObjectionFiledOut, status_code=status.HTTP_201_CREATED)
def file_objection(code: str, body: ObjectionIn, session: CommandSession) -> ObjectionFiledOut:
    """Anyone objects, without logging in, while the resource's public notice runs. The answer says nothing of
    what was filed but that it was."""
    service.file_objection(session, code=code, name=body.name, contact=body.contact, reason=body.reason)
    notice = service.public_view(session, code=code).notice
    return ObjectionFiledOut(filed=True, notice_until=notice.notice_until if notice else None)


class NoticeOut(BaseModel):
    registration_id: RowId
    kind: str
    notice_until: object
    resource: schemas.PublicResourceOut


@public.get("/notices", response_model=list[NoticeOut])
def public_notices(session: ReadSession) -> list[NoticeOut]:
    """Registrations in their public notice period: anyone may see what is about to be registered and object."""
    notices = service.public_notices(session)
    names = service.provider_names(session, [resource for _, resource in notices])
    return [
        NoticeOut(
            registration_id=notice.id,
            kind=notice.kind,
            notice_until=notice.notice_until,
            resource=public_out(resource, names[resource.provider_id]),
        )
        for notice, resource in notices
    ]


VOCABULARIES = {
    "base_libraries": rules.BASE_LIBRARIES,
    "sectors": rules.SECTORS,
    "update_frequencies": rules.UPDATE_FREQUENCIES,
    "sharing": rules.SHARING,
    "opening": rules.OPENING,
    "grades": rules.GRADES,
    "sensitivities": rules.SENSITIVITIES,
    "pipl_categories": rules.PIPL_SENSITIVE_CATEGORIES,
    "registration_states": registration_rules.STATES,
}


@public.get("/catalog-vocabularies")
def vocabularies() -> dict[str, dict[str, dict[str, str]]]:
    """Every code list the catalogue uses, with zh-CN and English names."""
    return {
        name: {code: {"zh": zh, "en": en} for code, (zh, en) in table.items()} for name, table in VOCABULARIES.items()
    }
