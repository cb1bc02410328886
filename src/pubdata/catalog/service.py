"""Catalogue commands: describe, load, preview, register. One command, one transaction, its ledger entry.

A load is a long command, so it is a plan-then-record pair: ``plan_load`` reads what the load needs in a read
(no write lock), ``loading.check_and_write`` does the data-plane work holding no transaction (a million rows
take seconds), and ``record_version`` writes the version and its entry in one short command, re-checking that
nothing changed meanwhile. ``load`` runs the three in order.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from pubdata.catalog import integrity, loading, rules, sources
from pubdata.catalog.loading import LoadResult
from pubdata.catalog.models import LoadReport, Resource, ResourceVersion
from pubdata.catalog.schemas import DESCRIPTION_KEYS, FieldSpec, ResourceIn
from pubdata.common import canonical, clock, masking, store
from pubdata.common.actor import PUBLIC, Actor
from pubdata.common.errors import Refused
from pubdata.common.messages import Text
from pubdata.common.sealing import Sealer
from pubdata.db import UnitOfWork
from pubdata.engines import files
from pubdata.engines.duckdb import locked_connection
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Principal, Who
from pubdata.ledger import public as ledger_public
from pubdata.ledger import service as ledger
from pubdata.registration import rules as registration_rules
from pubdata.registration import service as registration

if TYPE_CHECKING:
    from pubdata.registration.models import Objection, Registration

SUBJECT = "resource"


def fields_of(resource: Resource) -> list[FieldSpec]:
    return [FieldSpec.model_validate(item) for item in json.loads(resource.fields)]


def _fields_json(fields: list[FieldSpec]) -> str:
    return canonical.dumps([spec.model_dump() for spec in fields]).decode("utf-8")


def schema_digest(session: Session, fields: list[FieldSpec]) -> str:
    return ledger.hasher(ledger.algorithm(session)).digest(_fields_json(fields).encode("utf-8")).hex()


def _apply_description(resource: Resource, body: ResourceIn) -> None:
    resource.name = body.name
    resource.description = body.description
    resource.sector = body.sector
    resource.base_library = body.base_library
    resource.update_frequency = body.update_frequency
    resource.time_span = body.time_span
    resource.sharing = body.sharing
    resource.opening = body.opening
    resource.declared_grade = body.declared_grade
    resource.grade = rules.resource_grade(body.declared_grade, [spec.sensitivity for spec in body.fields])
    resource.fields = _fields_json(body.fields)
    resource.updated_at = clock.now()


def description_of(resource: Resource) -> dict[str, Any]:
    """The resource as its department described it: what a registration records."""
    return {**{key: getattr(resource, key) for key in DESCRIPTION_KEYS}, "fields": json.loads(resource.fields)}


# --- describing --------------------------------------------------------------------------------------


def describe(session: Session, *, principal: Principal, body: ResourceIn) -> Resource:
    """A department describes a new resource (a draft)."""
    access.require(principal, "catalog.describe", access.own_organisation(principal))
    if session.scalar(select(Resource.id).where(Resource.code == body.code)) is not None:
        raise Refused("catalog.code-taken", code=body.code, field="code")
    now = clock.now()
    resource = Resource(
        code=body.code, provider_id=principal.organisation_id, state=rules.LIFECYCLE.initial, created_at=now
    )
    _apply_description(resource, body)
    session.add(resource)
    ledger.record(
        session,
        actor=principal.actor,
        action="catalog.resource.describe",
        subject=resource,
        payload={"code": body.code},
    )
    return resource


def get(session: Session, *, principal: Who, resource_id: int, permission: str = "catalog.read") -> Resource:
    return access.load(session, principal, Resource, resource_id, permission)


def revise(session: Session, *, principal: Principal, resource_id: int, body: ResourceIn) -> Resource:
    """Change a draft's description; a registered resource changes through change registration."""
    resource = get(session, principal=principal, resource_id=resource_id, permission="catalog.describe")
    if not rules.editable(resource.state):
        raise Refused("catalog.not-editable")
    if body.code != resource.code:
        raise Refused("catalog.code-fixed", field="code")
    _apply_description(resource, body)
    ledger.record(session, actor=principal.actor, action="catalog.resource.revise", subject=resource)
    return resource


@dataclass(frozen=True)
class Filters:
    q: str | None = None
    provider_id: int | None = None
    sector: str | None = None
    base_library: str | None = None
    grade: str | None = None
    state: str | None = None


def _filtered(statement, filters: Filters):  # noqa: ANN001, ANN202
    if filters.q:
        pattern = f"%{filters.q.strip()}%"
        statement = statement.where(
            or_(Resource.name.like(pattern), Resource.description.like(pattern), Resource.code.like(pattern))
        )
    for column, value in (
        (Resource.provider_id, filters.provider_id),
        (Resource.sector, filters.sector),
        (Resource.base_library, filters.base_library),
        (Resource.grade, filters.grade),
        (Resource.state, filters.state),
    ):
        if value is not None:
            statement = statement.where(column == value)
    return statement


def search(
    session: Session, *, principal: Principal, filters: Filters, limit: int = 50, offset: int = 0
) -> list[Resource]:
    statement = (
        _filtered(access.visible(select(Resource), principal, Resource), filters)
        .order_by(Resource.code)
        .limit(limit)
        .offset(offset)
    )
    return list(session.execute(statement).scalars())


def search_public(
    session: Session, *, filters: Filters, limit: int = 50, offset: int = 0
) -> tuple[list[Resource], int]:
    """The public catalogue: registered resources, metadata only. One scan gives the page and the total."""
    base = _filtered(
        select(Resource, func.count().over()).where(Resource.state.in_(rules.PUBLIC_STATES)),
        Filters(**{**filters.__dict__, "state": None}),
    )
    rows = session.execute(base.order_by(Resource.code).limit(limit).offset(offset)).all()
    if rows:
        return [resource for resource, _ in rows], rows[0][1]
    counted = _filtered(
        select(func.count()).select_from(Resource).where(Resource.state.in_(rules.PUBLIC_STATES)),
        Filters(**{**filters.__dict__, "state": None}),
    )
    return [], session.scalar(counted) or 0


def public_providers(session: Session) -> dict[int, str]:
    """Departments with something in the public catalogue, for its department filter."""
    ids = set(
        session.execute(
            select(Resource.provider_id).where(Resource.state.in_(rules.PUBLIC_STATES)).distinct()
        ).scalars()
    )
    return identity.organisation_names(session, ids)


def public_get(session: Session, *, code: str) -> Resource:
    resource = session.scalar(select(Resource).where(Resource.code == code, Resource.state.in_(rules.PUBLIC_STATES)))
    if resource is None:
        raise Refused("catalog.unknown-code", code=code)
    return resource


def public_pages(session: Session, ids: set[int]) -> dict[int, ledger_public.Page]:
    """The catalogue pages of those resources that are in the public catalogue (the others have none)."""
    found = session.execute(
        select(Resource.id, Resource.name, Resource.code).where(
            Resource.id.in_(ids), Resource.state.in_(rules.PUBLIC_STATES)
        )
    ).all()
    return {id_: ledger_public.Page(name, f"/catalog/{code}") for id_, name, code in found}


def public_version_pages(session: Session, ids: set[int]) -> dict[int, ledger_public.Page]:
    """A version's page is its resource's, when that is public."""
    found = session.execute(select(ResourceVersion.id, ResourceVersion.resource_id).where(ResourceVersion.id.in_(ids)))
    owners: dict[int, int] = {id_: owner for id_, owner in found}
    pages = public_pages(session, set(owners.values()))
    return {id_: pages[owner] for id_, owner in owners.items() if owner in pages}


def public_registration_pages(session: Session, ids: set[int]) -> dict[int, ledger_public.Page]:
    """A registration application's page is its resource's catalogue page, when that is public."""
    owners = registration.subjects_of(session, ids, subject_kind=SUBJECT)
    pages = public_pages(session, set(owners.values()))
    return {id_: pages[owner] for id_, owner in owners.items() if owner in pages}


ledger_public.publish("resource", public_pages)
ledger_public.publish("resource_version", public_version_pages)
ledger_public.publish("registration", public_registration_pages)


def provider_names(session: Session, resources: list[Resource]) -> dict[int, str]:
    return identity.organisation_names(session, {resource.provider_id for resource in resources})


# --- loading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SqlSource:
    """A SQL load's source: one of the department's approved connections, and the query it runs there."""

    source_id: int
    query: str
    sealer: Sealer = field(repr=False)


@dataclass(frozen=True)
class LoadPlan:
    resource_id: int
    fields: list[FieldSpec]
    schema_digest: str
    next_number: int
    hash_name: str


def plan_load(session: Session, *, principal: Principal, resource_id: int) -> LoadPlan:
    resource = get(session, principal=principal, resource_id=resource_id, permission="catalog.load")
    _check_loadable(resource)
    fields = fields_of(resource)
    return LoadPlan(
        resource.id,
        fields,
        schema_digest(session, fields),
        (resource.current_version or 0) + 1,
        ledger.algorithm(session),
    )


def _check_loadable(resource: Resource) -> None:
    if not rules.loadable(resource.grade):
        raise Refused("catalog.core-not-loadable")
    if not rules.accepts_data(resource.state):
        raise Refused("catalog.no-data-now", state=_state(resource))


def _state(resource: Resource) -> Text:
    state = rules.LIFECYCLE.state_of(resource)
    return Text((state.zh, state.en))


def record_version(
    session: Session,
    *,
    principal: Principal,
    plan: LoadPlan,
    result: LoadResult,
    domain_dir: Path,
    confirmed_not_sensitive: list[str],
    source_name: str | None = None,
    report: bool = False,
) -> ResourceVersion:
    """Keep a checked load as the resource's next immutable version, with its ledger entry (naming the approved
    source connection it was read from, for a SQL load)."""
    assert result.ok and result.parquet_path is not None and result.checksum is not None
    resource = get(session, principal=principal, resource_id=plan.resource_id, permission="catalog.load")
    _check_loadable(resource)
    if (
        schema_digest(session, fields_of(resource)) != plan.schema_digest
        or (resource.current_version or 0) + 1 != plan.next_number
    ):
        raise Refused("catalog.changed-during-load")
    folder = domain_dir / "resources" / str(resource.id)
    folder.mkdir(parents=True, exist_ok=True)
    file_name = f"resources/{resource.id}/v{plan.next_number}-{result.checksum[:16]}.parquet"
    target = domain_dir / file_name
    # A link, not a move: it never replaces a file already there (another process's load of the same file,
    # committed or about to be), and the pending name stays until the row commits.
    _place(result.parquet_path, target)
    result.version_path = target
    os.chmod(target, 0o444)
    version = ResourceVersion(
        resource_id=resource.id,
        number=plan.next_number,
        row_count=result.row_count,
        schema_digest=plan.schema_digest,
        checksum=result.checksum,
        size_bytes=result.size_bytes,
        file_name=file_name,
        source_format=result.source_format,
        source_encoding=result.encoding,
        confirmed_not_sensitive=canonical.dumps(sorted(confirmed_not_sensitive)).decode(),
        loaded_by=principal.user_id,
        loaded_at=clock.now(),
    )
    session.add(version)
    resource.current_version = plan.next_number
    resource.updated_at = clock.now()
    ledger.record(
        session,
        actor=principal.actor,
        action="catalog.version.load",
        subject=version,
        payload={
            "resource": resource.code,
            "rows": result.row_count,
            "checksum": result.checksum,
            "confirmed_not_sensitive": sorted(confirmed_not_sensitive),
            **({"source_connection": source_name} if source_name else {}),
            **({"rows_read": result.rows_read, "rows_rejected": result.rows_rejected} if result.keep_good_rows else {}),
        },
    )
    ledger.record(session, actor=principal.actor, action="catalog.resource.new-version", subject=resource)
    if report or result.keep_good_rows:
        session.flush()  # the version's id, for its report
        record_report(session, principal=principal, resource=resource, result=result, version=version)
    return version


_FILE_COLUMNS = frozenset({"catalog.unknown-column", "catalog.duplicate-column"})


def record_report(
    session: Session, *, principal: Principal, resource: Resource, result: LoadResult, version: ResourceVersion | None
) -> LoadReport:
    """Keep what a load found — counts, and its problems' rows, columns and rules, never a value — with an entry
    that records the counts only."""
    problems = result.rejections if version is not None else result.problems
    # A column named by the file itself (an unknown or repeated header cell) may be a value when the file has no
    # header line: the report keeps declared field names only.
    shown = [
        {"row": p.row, "column": p.column if p.rule not in _FILE_COLUMNS else None, "rule": p.rule} for p in problems
    ]
    report = LoadReport(
        resource_id=resource.id,
        provider_id=resource.provider_id,
        version_id=version.id if version is not None else None,
        keep_good_rows=result.keep_good_rows,
        source_format=result.source_format,
        source_encoding=result.encoding,
        rows_read=result.rows_read or result.row_count,
        rows_kept=result.row_count if version is not None else 0,
        rows_rejected=result.rows_rejected if version is not None else 0,
        problem_count=result.rejection_count if version is not None else result.problem_count,
        problems=canonical.dumps(shown).decode(),
        lookalikes=canonical.dumps([lookalike.__dict__ for lookalike in result.lookalikes]).decode(),
        loaded_by=principal.user_id,
        loaded_at=clock.now(),
    )
    session.add(report)
    session.flush()
    result.report_id = report.id
    ledger.record(
        session,
        actor=principal.actor,
        action="catalog.load.report",
        subject=report,
        payload={
            "resource": resource.code,
            "loaded": version is not None,
            "rows_read": report.rows_read,
            "rows_kept": report.rows_kept,
            "rows_rejected": report.rows_rejected,
            "problems": report.problem_count,
        },
    )
    return report


def load_report(session: Session, *, principal: Principal, resource_id: int, report_id: int) -> LoadReport:
    """A load's report, for whoever may read its resource; another resource's report is not found."""
    resource = get(session, principal=principal, resource_id=resource_id)
    report = access.load(session, principal, LoadReport, report_id, "catalog.read")
    if report.resource_id != resource.id:
        raise Refused("catalog.not-found", what=Text(("加载报告", "load report")))
    return report


def report_problems(report: LoadReport) -> list[dict[str, Any]]:
    return list(json.loads(report.problems))


def report_csv(report: LoadReport) -> tuple[bytes, str]:
    """A load report's problems as CSV (row, column, rule), UTF-8 with a BOM for spreadsheet programs, and its
    file name. Positions and rules only: the report never held a value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["row", "column", "rule"])
    for problem in report_problems(report):
        writer.writerow([problem["row"] or "", problem["column"] or "", problem["rule"]])
    return out.getvalue().encode("utf-8-sig"), f"load-report-{report.id}.csv"


def reports_of_versions(session: Session, versions: list[ResourceVersion]) -> dict[int, LoadReport]:
    """The reports of those versions that kept their good rows (or were loaded from the page), by version id."""
    ids = [version.id for version in versions]
    if not ids:
        return {}
    found = session.execute(select(LoadReport).where(LoadReport.version_id.in_(ids))).scalars()
    return {report.version_id: report for report in found if report.version_id is not None}


def _place(pending: Path, target: Path) -> None:
    """Link the pending file in as ``target``, never over a file already there."""
    try:
        os.link(pending, target)
    except FileExistsError:
        raise Refused("catalog.changed-during-load") from None
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        # resources/ on another filesystem than incoming/: a copy beside the target, linked in the same way.
        # Made while the version is being recorded (``store.recording_version``), so tidying sees it only if
        # its process died.
        partial = target.parent / f".{target.name}.{uuid.uuid4().hex}.partial"
        try:
            shutil.copyfile(pending, partial)
            _place(partial, target)
        finally:
            partial.unlink(missing_ok=True)


def versions(session: Session, *, principal: Principal, resource_id: int) -> list[ResourceVersion]:
    resource = get(session, principal=principal, resource_id=resource_id)
    return list(
        session.execute(
            select(ResourceVersion).where(ResourceVersion.resource_id == resource.id).order_by(ResourceVersion.number)
        ).scalars()
    )


def current_version(session: Session, resource: Resource) -> ResourceVersion | None:
    if resource.current_version is None:
        return None
    return session.scalar(
        select(ResourceVersion).where(
            ResourceVersion.resource_id == resource.id, ResourceVersion.number == resource.current_version
        )
    )


def version_numbered(session: Session, resource: Resource, number: int | None) -> ResourceVersion | None:
    """A resource's version by its number, its current one for None. Version numbers are catalogue metadata (a
    quality ticket names one); a version's data is not."""
    if number is None:
        return current_version(session, resource)
    return session.scalar(
        select(ResourceVersion).where(ResourceVersion.resource_id == resource.id, ResourceVersion.number == number)
    )


def version_of(session: Session, version_id: int) -> tuple[Resource, ResourceVersion]:
    version = session.get(ResourceVersion, version_id)
    assert version is not None, "a version the platform recorded"
    resource = session.get(Resource, version.resource_id)
    assert resource is not None
    return resource, version


@dataclass(frozen=True)
class ResourceSupply:
    """What a department supplied of one resource by a moment: when it was first registered (None: not by
    then), its declared update frequency, and when each of its versions was loaded."""

    resource_id: int
    code: str
    name: str
    provider_id: int
    frequency: str
    registered_at: datetime | None
    loads: list[datetime]


def supply_until(session: Session, until: datetime) -> list[ResourceSupply]:
    """Every resource's supply up to ``until``, by code: the contribution scores' facts."""
    resources = list(session.execute(select(Resource).order_by(Resource.code)).scalars())
    registered = registration.first_registered(session, {r.id for r in resources}, subject_kind=SUBJECT)
    loads: dict[int, list[datetime]] = {}
    statement = select(ResourceVersion.resource_id, ResourceVersion.loaded_at).where(ResourceVersion.loaded_at <= until)
    for resource_id, moment in session.execute(statement.order_by(ResourceVersion.loaded_at)):
        loads.setdefault(resource_id, []).append(moment)
    return [
        ResourceSupply(
            r.id,
            r.code,
            r.name,
            r.provider_id,
            r.update_frequency,
            _by(registered.get(r.id), until),
            loads.get(r.id, []),
        )
        for r in resources
    ]


def _by(moment: datetime | None, until: datetime) -> datetime | None:
    return moment if moment is not None and moment <= until else None


def version_numbers_after(session: Session, resource: Resource, number: int) -> list[int]:
    statement = select(ResourceVersion.number).where(
        ResourceVersion.resource_id == resource.id, ResourceVersion.number > number
    )
    return list(session.execute(statement.order_by(ResourceVersion.number)).scalars())


def names_by_code(session: Session, codes: set[str]) -> dict[str, str]:
    found = session.execute(select(Resource.code, Resource.name).where(Resource.code.in_(codes)))
    return {code: name for code, name in found}


def codes_and_names(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    """Each resource's code and name, by id."""
    found = session.execute(select(Resource.id, Resource.code, Resource.name).where(Resource.id.in_(ids)))
    return {id_: (code, name) for id_, code, name in found}


PREVIEW_ROWS = 10


def preview(
    session: Session, *, principal: Principal, resource_id: int, domain_dir: Path
) -> tuple[int, list[str], list[list[str | None]]]:
    """A few rows of the current version, every personal field masked; the access is recorded."""
    resource = get(session, principal=principal, resource_id=resource_id, permission="catalog.preview")
    version = current_version(session, resource)
    if version is None:
        raise Refused("catalog.no-data", code=resource.code)
    fields = fields_of(resource)
    path = domain_dir / version.file_name
    files.check(path, integrity.recorded(session, resource, version))
    con = locked_connection([path])
    try:
        rows = con.execute(f"SELECT * FROM read_parquet(?) LIMIT {PREVIEW_ROWS}", [str(path.resolve())]).fetchall()
    finally:
        con.close()
    masked = [
        [masking.mask(spec.masking or "full", value) for spec, value in zip(fields, row, strict=True)] for row in rows
    ]
    ledger.record(
        session,
        actor=principal.actor,
        action="catalog.preview",
        subject=f"resource_version:{version.id}",
        payload={"rows": len(masked)},
    )
    return version.number, [spec.name for spec in fields], masked


# --- registration ------------------------------------------------------------------------------------


def submit_registration(
    session: Session,
    *,
    principal: Who,
    resource_id: int,
    kind: str,
    change: ResourceIn | None = None,
    reason: str | None = None,
) -> Registration:
    """A department applies for first, change or cancellation registration of its resource; a cancellation
    says why (``reason``, kept in the submission the bureau reviews)."""
    resource = get(session, principal=principal, resource_id=resource_id, permission="catalog.submit")
    event = rules.SUBMIT_EVENTS.get(kind)
    if event is None:
        raise Refused("registration.kind", kind=kind)
    if not rules.LIFECYCLE.allows(resource.state, event):
        raise rules.LIFECYCLE.refusal(resource.state, event)
    if kind == "first" and resource.current_version is None:
        raise Refused("catalog.no-data", code=resource.code)
    submission = description_of(resource)
    if kind == "change":
        if change is None:
            raise Refused("catalog.change-missing")
        if change.code != resource.code:
            raise Refused("catalog.code-fixed", field="code")
        submission = change.model_dump()
    if reason:
        submission["reason"] = reason
    version = current_version(session, resource)
    submission["data_version"] = (
        {"number": version.number, "checksum": version.checksum, "rows": version.row_count} if version else None
    )
    application = registration.submit(
        session,
        actor=principal.actor,
        subject_kind=SUBJECT,
        subject_id=resource.id,
        kind=kind,
        applicant_id=resource.provider_id,
        submission=submission,
    )
    rules.LIFECYCLE.apply(resource, event)
    ledger.record(session, actor=principal.actor, action=f"catalog.resource.{event}", subject=resource)
    return application


def review_registration(
    session: Session, *, principal: Who, registration_id: int, decision: str, reason: str | None
) -> Registration:
    """The bureau accepts (the public notice starts), returns for correction, or rejects."""
    application = registration.get_for_review(
        session, principal=principal, registration_id=registration_id, subject_kind=SUBJECT
    )
    application = registration.decide(
        session, actor=principal.actor, registration=application, decision=decision, reason=reason
    )
    if decision in ("return", "reject"):
        resource = session.get_one(Resource, application.subject_id)
        rules.LIFECYCLE.apply(resource, decision)
        ledger.record(
            session, actor=principal.actor, action=f"catalog.resource.registration-{decision}", subject=resource
        )
    return application


def finalise_due(session: Session, *, actor: Actor) -> list[str]:
    """Register every resource whose public notice is over (the scheduler calls this); idempotent."""
    done = []
    for application in registration.due_for_finalising(session, subject_kind=SUBJECT, today=clock.today()):
        application = registration.finalise(session, actor=actor, registration=application)
        assert application.number is not None, "finalise assigns the registration number"
        resource = session.get_one(Resource, application.subject_id)
        if application.kind == "change":
            _apply_description(
                resource,
                ResourceIn.model_validate(
                    {k: v for k, v in registration.submission_of(application).items() if k != "data_version"}
                ),
            )
        if application.kind == "first":
            resource.registration_number = application.number
        rules.LIFECYCLE.apply(resource, "register")
        ledger.record(
            session,
            actor=actor,
            action=f"catalog.resource.registered-{application.kind}",
            subject=resource,
            payload={"number": application.number},
        )
        done.append(application.number)
    return done


def registrations(session: Session, *, principal: Who, resource_id: int) -> list[Registration]:
    resource = get(session, principal=principal, resource_id=resource_id)
    return registration.history(session, subject_kind=SUBJECT, subject_id=resource.id)


def public_notices(session: Session) -> list[tuple[Registration, Resource]]:
    """Applications in their public notice period (公示), with the resource each is about: public."""
    return _with_resources(session, registration.in_notice(session, subject_kind=SUBJECT))


@dataclass(frozen=True)
class Review:
    """An application as it is reviewed: its resource, what it changes, and the objections to it."""

    application: Registration
    resource: Resource
    change: rules.DescriptionChange | None
    objections: list[Objection]

    @property
    def unanswered(self) -> int:
        return sum(1 for objection in self.objections if objection.answer is None)


def review_queue(session: Session, *, principal: Who) -> list[Review]:
    """Open resource registrations, oldest first, with their resources, changes and objections: the bureau's
    inbox."""
    access.require(principal, "registration.review")
    return _reviews(session, registration.open_list(session, subject_kind=SUBJECT))


def objections_to_answer(session: Session, *, principal: Who) -> int:
    """The bureau's count of objections to resource registrations that wait for its answer (its workbench)."""
    access.require(principal, "registration.review")
    return registration.unanswered_total(session, subject_kind=SUBJECT)


def _reviews(session: Session, applications: list[Registration]) -> list[Review]:
    objections = registration.objections_of(session, [application.id for application in applications])
    return [
        Review(application, resource, change_of(session, application, resource), objections[application.id])
        for application, resource in _with_resources(session, applications)
    ]


def reviews_of(session: Session, *, principal: Who, resource_id: int) -> list[Review]:
    """A resource's registrations, newest first, each with its change and objections (the resource's page)."""
    resource = get(session, principal=principal, resource_id=resource_id)
    return _reviews(session, registration.history(session, subject_kind=SUBJECT, subject_id=resource.id))[::-1]


def _registered_description(session: Session, application: Registration, resource: Resource) -> dict[str, Any]:
    """The description as registered before ``application``: the submission of the last application that was
    registered before it (every change to a registered description goes through one), else the resource's."""
    earlier = [
        other
        for other in registration.history(session, subject_kind=SUBJECT, subject_id=resource.id)
        if other.id < application.id and other.state == "registered" and other.kind in ("first", "change")
    ]
    return registration.submission_of(earlier[-1]) if earlier else description_of(resource)


def change_of(session: Session, application: Registration, resource: Resource) -> rules.DescriptionChange | None:
    """What a change registration changes, old and new side by side (None for a first or cancellation)."""
    if application.kind != "change":
        return None
    old = _registered_description(session, application, resource)
    return rules.description_change(old, registration.submission_of(application), DESCRIPTION_KEYS)


# --- the public notice: a resource under notice is public, and anyone may object ------------------------


@dataclass(frozen=True)
class PublicView:
    """What the public sees of a resource: registered, or under public notice (or both, for a change)."""

    resource: Resource
    notice: Registration | None
    change: rules.DescriptionChange | None

    @property
    def objection_open(self) -> bool:
        notice = self.notice
        return notice is not None and registration_rules.objection_open(
            today=clock.today(), notice_until=notice.notice_until, state=notice.state
        )


def public_view(session: Session, *, code: str) -> PublicView:
    """A resource in the catalogue or in its public notice (公示); any other is unknown (404, no oracle)."""
    resource = session.scalar(select(Resource).where(Resource.code == code))
    notice = (
        registration.in_notice_for(session, subject_kind=SUBJECT, subject_id=resource.id)
        if resource is not None
        else None
    )
    if resource is None or (resource.state not in rules.PUBLIC_STATES and notice is None):
        raise Refused("catalog.unknown-code", code=code)
    return PublicView(resource, notice, change_of(session, notice, resource) if notice else None)


def file_objection(session: Session, *, code: str, name: str, contact: str, reason: str) -> Objection:
    """Anyone, without logging in, objects to a resource's application while its notice runs; after it, the
    refusal names the rule (objections are taken during the notice only)."""
    resource = session.scalar(select(Resource).where(Resource.code == code))
    if resource is None:
        raise Refused("catalog.unknown-code", code=code)
    noticed = [
        application
        for application in registration.history(session, subject_kind=SUBJECT, subject_id=resource.id)
        if application.notice_until is not None
    ]
    if not noticed or (resource.state not in rules.PUBLIC_STATES and noticed[-1].state != "notice"):
        raise Refused("catalog.unknown-code", code=code)
    return registration.file_objection(
        session, actor=PUBLIC, registration=noticed[-1], name=name, contact=contact, reason=reason
    )


def answer_objection(session: Session, *, principal: Who, objection_id: int, answer: str, reason: str) -> Objection:
    """The bureau answers an objection; upheld, the application goes back to the department for correction."""
    access.require(principal, "registration.review")
    objection = registration.get_objection(
        session, principal=principal, objection_id=objection_id, subject_kind=SUBJECT
    )
    objection, application = registration.answer_objection(
        session, actor=principal.actor, objection=objection, answer=answer, reason=reason
    )
    if application.state == "returned":
        resource = session.get_one(Resource, application.subject_id)
        rules.LIFECYCLE.apply(resource, "return")
        ledger.record(session, actor=principal.actor, action="catalog.resource.registration-return", subject=resource)
    return objection


def _with_resources(session: Session, applications: list[Registration]) -> list[tuple[Registration, Resource]]:
    """Each application with the resource it is about, in one query."""
    wanted = {application.subject_id for application in applications}
    resources = {r.id: r for r in session.execute(select(Resource).where(Resource.id.in_(wanted))).scalars()}
    return [(application, resources[application.subject_id]) for application in applications]


def load(
    units: UnitOfWork,
    *,
    principal: Principal,
    resource_id: int,
    domain_dir: Path,
    source_format: str,
    path: Path | None = None,
    sql_source: SqlSource | None = None,
    confirm_not_sensitive: list[str] | None = None,
    progress: loading.Progress | None = None,
    keep_good_rows: bool = False,
    report: bool = False,
) -> tuple[LoadResult, ResourceVersion | None]:
    """Check a source and keep it as a version; returns the report and the version (None when refused).

    ``keep_good_rows`` leaves out the rows that fail a check and keeps the others (``loading.check_and_write``);
    its report is recorded with the version. ``report`` records the report of any load, refused or not (a page
    shows it on a GET); ``result.report_id`` then names it.

    Plan in a read, check and write the data holding no transaction, record the version in a command. A
    refused source leaves nothing behind. A SQL load reads only through one of the department's approved
    source connections (``sources``), never a URL of the caller's.
    """
    confirmed = sorted(set(confirm_not_sensitive or []))
    sql_url: URL | None = None
    source_name: str | None = None
    with units.read() as session:
        plan = plan_load(session, principal=principal, resource_id=resource_id)
        if source_format == "sql":
            if sql_source is None:
                raise Refused("catalog.source-choice")
            connection, sql_url = sources.connection_for_load(
                session,
                principal=principal,
                source_id=sql_source.source_id,
                sealer=sql_source.sealer,
                data_dir=domain_dir.parent,  # the domain directory lives inside the data directory
            )
            source_name = connection.name
    unknown = [name for name in confirmed if name not in {spec.name for spec in plan.fields}]
    if unknown:
        raise Refused("catalog.confirm-unknown-field", fields=unknown)
    result = loading.check_and_write(
        source_format=source_format,
        fields=plan.fields,
        work_dir=store.scratch_for(domain_dir),
        path=path,
        sql_url=sql_url,
        sql_query=sql_source.query if sql_source else None,
        confirmed_not_sensitive=confirmed,
        hasher=ledger.hasher(plan.hash_name),
        progress=progress,
        keep_good_rows=keep_good_rows,
    )
    if not result.ok:
        if report:
            with units.command() as session:
                resource = get(session, principal=principal, resource_id=resource_id, permission="catalog.load")
                record_report(session, principal=principal, resource=resource, result=result, version=None)
        return result, None
    try:
        # The version file is in place only while its row commits: tidying (``common.store``) waits for this.
        with store.recording_version(domain_dir), units.command() as session:
            version = record_version(
                session,
                principal=principal,
                plan=plan,
                result=result,
                domain_dir=domain_dir,
                confirmed_not_sensitive=confirmed,
                source_name=source_name,
                report=report,
            )
    except BaseException:
        # Rolled back: the file this load linked into place is nobody's (never another load's, see above).
        if result.version_path is not None:
            result.version_path.unlink(missing_ok=True)
        raise
    finally:
        if result.parquet_path is not None:
            result.parquet_path.unlink(missing_ok=True)
    return result, version


def find_id_or_none(session: Session, *, code: str) -> int | None:
    """A resource's id from its code (for the CLI and the demo); the command that uses it checks permissions."""
    return session.scalar(select(Resource.id).where(Resource.code == code))


def find_id(session: Session, *, code: str) -> int:
    resource_id = find_id_or_none(session, code=code)
    if resource_id is None:
        raise Refused("catalog.unknown-code", code=code)
    return resource_id


def check_may_load(units: UnitOfWork, *, principal: Principal, resource_id: int) -> None:
    """Refuse a load the caller may not make (or the resource cannot take now) before its file is received."""
    with units.read() as session:
        plan_load(session, principal=principal, resource_id=resource_id)


def load_upload(
    units: UnitOfWork,
    *,
    principal: Principal,
    resource_id: int,
    domain_dir: Path,
    path: Path,
    file_name: str,
    source_format: str | None,
    confirm_not_sensitive: str,
    keep_good_rows: bool = False,
    report: bool = False,
) -> tuple[LoadResult, ResourceVersion | None]:
    """``load`` for an uploaded file, received at ``path`` in this process's folder inside the domain
    (``common.store.scratch_for``), and removed afterwards whatever happens. ``source_format`` defaults to the
    file name's extension; ``confirm_not_sensitive`` is comma-separated, as forms send it."""
    try:
        chosen = source_format or loading.FORMAT_BY_SUFFIX.get(Path(file_name).suffix.lower())
        if chosen not in ("csv", "xlsx", "parquet"):
            raise Refused("catalog.source-format")
        return load(
            units,
            principal=principal,
            resource_id=resource_id,
            domain_dir=domain_dir,
            source_format=chosen,
            path=path,
            confirm_not_sensitive=[name.strip() for name in confirm_not_sensitive.split(",") if name.strip()],
            keep_good_rows=keep_good_rows,
            report=report,
        )
    finally:
        path.unlink(missing_ok=True)


def version_files(session: Session) -> set[str]:
    """Every file a committed version references (relative to the domain): what tidying never removes."""
    return set(session.execute(select(ResourceVersion.file_name)).scalars())


def data_of(session: Session, *, code: str) -> tuple[list[FieldSpec], files.Recorded]:
    """A registered resource's fields and what was recorded of its current version's Parquet file (its name
    relative to the domain, its size and digest), for the engines and jobs only: they check the file with it."""
    resource = public_get(session, code=code)
    version = current_version(session, resource)
    if version is None:
        raise Refused("catalog.no-data", code=code)
    return fields_of(resource), integrity.recorded(session, resource, version)


# --- figures (the workbenches and the public home read these; counts only, never a row's data) -----------


def _counted(session: Session, statement: Any) -> dict[str, int]:
    return {key: count for key, count in session.execute(statement).all()}


def counts_by_state(session: Session, *, principal: Who) -> dict[str, int]:
    """How many of the resources ``principal`` may see are in each state (a department: its own)."""
    statement = select(Resource.state, func.count()).group_by(Resource.state)
    return _counted(session, access.visible(statement, principal, Resource))


def visible_codes(session: Session, *, principal: Who) -> dict[str, int]:
    """The codes of the resources ``principal`` may see, with their ids (a department: its own)."""
    statement = access.visible(select(Resource.code, Resource.id), principal, Resource)
    return _counted(session, statement)


def loads_by_month(session: Session, *, principal: Who) -> dict[str, int]:
    """Data loads (versions) of the resources ``principal`` may see, by month (YYYY-MM, Asia/Shanghai)."""
    statement = select(ResourceVersion.loaded_at).join(Resource, Resource.id == ResourceVersion.resource_id)
    months: dict[str, int] = {}
    for (moment,) in session.execute(access.visible(statement, principal, Resource)).all():
        month = moment.astimezone(clock.SHANGHAI).strftime("%Y-%m")
        months[month] = months.get(month, 0) + 1
    return dict(sorted(months.items()))


def registrations_by_state(session: Session, *, principal: Who) -> dict[str, int]:
    """Registration applications about the resources ``principal`` may see, by state."""
    ids = set(visible_codes(session, principal=principal).values())
    return registration.counts_by_state(session, subject_kind=SUBJECT, subject_ids=ids)


def review_count(session: Session, *, principal: Who) -> int:
    """Applications waiting for the bureau's decision (not those in their public notice): its to-do."""
    access.require(principal, "registration.review")
    return registration.counts_by_state(session, subject_kind=SUBJECT).get(registration.AWAITING_REVIEW, 0)


@dataclass(frozen=True)
class PublicFigures:
    """The public catalogue in numbers: what the public home shows."""

    resources: int
    providers: int
    by_base_library: dict[str, int]
    by_sector: dict[str, int]
    in_notice: int


def public_figures(session: Session) -> PublicFigures:
    public = Resource.state.in_(rules.PUBLIC_STATES)
    by_library = _counted(session, select(Resource.base_library, func.count()).where(public).group_by("base_library"))
    by_sector = _counted(session, select(Resource.sector, func.count()).where(public).group_by(Resource.sector))
    providers = session.scalar(select(func.count(func.distinct(Resource.provider_id))).where(public)) or 0
    notices = registration.counts_by_state(session, subject_kind=SUBJECT).get(registration.IN_NOTICE, 0)
    # In the vocabularies' order, so that a chart's bars keep their places from one day to the next.
    by_library = {code: by_library[code] for code in rules.BASE_LIBRARIES if code in by_library}
    by_sector = {code: by_sector[code] for code in rules.SECTORS if code in by_sector}
    return PublicFigures(sum(by_library.values()), providers, by_library, by_sector, notices)


# --- describing from a sample ----------------------------------------------------------------------------

SAMPLE_FORMATS = ("csv", "xlsx")


def check_may_describe(principal: Principal) -> None:
    """Refuse a sample from someone who may not describe resources before its file is received."""
    access.require(principal, "catalog.describe", access.own_organisation(principal))


def sample_fields(*, principal: Principal, path: Path, file_name: str) -> list[dict[str, Any]]:
    """The fields a sample file suggests (``rules.suggest_fields``), from its header and first rows read in the
    domain. The file is removed whatever happens; no value of it is kept or returned, and nothing is recorded:
    the department's own file is read, none of the platform's data."""
    try:
        check_may_describe(principal)
        chosen = loading.FORMAT_BY_SUFFIX.get(Path(file_name).suffix.lower())
        if chosen not in SAMPLE_FORMATS:
            raise Refused("catalog.sample-format")
        try:
            samples = loading.sample_columns(path, chosen)
        except loading.SourceError as error:
            if error.problem.rule == "catalog.duplicate-column":
                raise Refused("catalog.sample-duplicate-column", column=error.problem.column) from None
            if error.problem.rule == "catalog.sample-no-header":
                raise Refused("catalog.sample-no-header") from None
            raise Refused("catalog.sample-unreadable") from None
        return rules.suggest_fields(samples)
    finally:
        path.unlink(missing_ok=True)


def merged_fields(described: list[dict[str, Any]], suggested: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """On edit: a sample's columns in its order, each as already described when a field has its name or label,
    else as suggested."""
    known = {key: spec for spec in described for key in (spec["name"], spec["label"])}
    merged, seen = [], set()
    for suggestion in suggested:
        spec = known.get(suggestion["label"]) or known.get(suggestion["name"]) or suggestion
        if spec["name"] not in seen:
            seen.add(spec["name"])
            merged.append(spec)
    return merged
