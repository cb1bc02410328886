"""Sandbox pages: the query console (real data under the output rule, or mock data), development runs, and
jobs — the submitter's list, the operator's review queue, the release queue of the operator and the bureau."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pubdata.common import masking
from pubdata.common.errors import InvalidInput, PubdataError
from pubdata.common.ids import is_resident_id
from pubdata.contracts import service as contracts
from pubdata.identity import service as identity
from pubdata.identity.dependencies import PagePrincipal
from pubdata.identity.service import Principal
from pubdata.sandbox import jobs, rules, service
from pubdata.sandbox.engine import DEFAULT_ENGINE, DEV_ENGINE
from pubdata.web.deps import PlatformDep, SessionDep, attachment
from pubdata.web.render import act_on, check_csrf, render

router = APIRouter(include_in_schema=False)
SAMPLE_SCRIPT = """import pandas as pd

people = pd.read_parquet("/data/{table}.parquet")
summary = people.describe(include="number")
summary.to_csv("/output/summary.csv")
print(summary)
"""


def _shown(value: Any) -> Any:
    """Mock rows are invented, but a page never shows anything shaped like a person's number or name."""
    if isinstance(value, str):
        if len(value) == 18 and is_resident_id(value.upper()):
            return masking.mask_id_number(value)
        if rules.MOBILE.match(value):
            return masking.mask_mobile(value)
        if rules.looks_like_person_name(value):
            return masking.mask_name(value)
    return value


def _usable_contracts(session, principal: Principal) -> list:  # noqa: ANN001
    return [
        c
        for c in contracts.list_for(session, principal=principal)
        if c.state == "active" and principal.organisation_id in (c.assignee_id, c.assigner_id)
    ]


def _console(
    request: Request, session, principal: Principal, *, form: dict[str, Any] | None = None, **result: Any
) -> HTMLResponse:
    usable = _usable_contracts(session, principal)
    form = form or {}
    chosen = int(form.get("contract_id") or request.query_params.get("contract_id") or (usable[0].id if usable else 0))
    terms = next(
        (contracts.terms_of(c) for c in usable if c.id == chosen), {"resources": [], "output_rule": "aggregate"}
    )
    tables = [service.table_name(code) for code in terms["resources"]]
    context = {
        "contracts": usable,
        "chosen": chosen,
        "tables": tables,
        "jobs_allowed": terms["output_rule"] != "dp",
        "form": form,
        "allowed": rules.ALLOWED_REQUIREMENTS,
        "names": identity.organisation_names(
            session, {c.assignee_id for c in usable} | {c.assigner_id for c in usable}
        ),
        "sample_sql": f"SELECT count(*) AS n FROM {tables[0]}" if tables else "",
        "sample_script": SAMPLE_SCRIPT.format(table=tables[0] if tables else "table"),
        "shown": _shown,
        **result,
    }
    return render(request, "console.html", context, status_code=result.get("status_code", 200))


@router.get("/console", response_class=HTMLResponse)
def console(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    return _console(request, session, principal)


@router.post("/console", response_class=HTMLResponse)
async def console_query(
    request: Request, session: SessionDep, platform: PlatformDep, principal: PagePrincipal
) -> HTMLResponse:
    form = dict(await request.form())
    check_csrf(request, str(form.get("csrf_token") or ""))
    settings, mock = platform.settings, form.get("data") == "mock"
    try:
        contract_id, sql = int(form.get("contract_id") or 0), str(form.get("sql") or "").strip()
        if not sql:
            raise InvalidInput("web.sql", "Write a query first.")
        if mock:
            result = service.dev_query(
                session,
                principal=principal,
                contract_id=contract_id,
                sql=sql,
                domain_dir=settings.domain_dir,
                mock_dir=settings.mock_dir,
                engine=DEV_ENGINE,
            )
        else:
            result = service.run_query(
                session,
                principal=principal,
                contract_id=contract_id,
                sql=sql,
                domain_dir=settings.domain_dir,
                engine=DEFAULT_ENGINE,
            )
        session.commit()
    except PubdataError as error:
        session.rollback()
        return _console(
            request, session, principal, form=form, error=error.detail, rule=error.rule, status_code=error.status
        )
    return _console(request, session, principal, form=form, result=result, mock=mock)


@router.post("/console/run", response_class=HTMLResponse)
async def console_run(
    request: Request, session: SessionDep, platform: PlatformDep, principal: PagePrincipal
) -> HTMLResponse:
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf_token") or ""))
    form = {**dict(raw), "requirements": raw.getlist("requirements")}
    settings = platform.settings
    try:
        run = jobs.dev_run(
            session,
            principal=principal,
            contract_id=int(form.get("contract_id") or 0),
            kind="python",
            code=str(form.get("code") or ""),
            requirements=form["requirements"],
            domain_dir=settings.domain_dir,
            mock_dir=settings.mock_dir,
            work_dir=settings.work_dir,
        )
    except PubdataError as error:
        session.rollback()
        return _console(
            request, session, principal, form=form, error=error.detail, rule=error.rule, status_code=error.status
        )
    return _console(request, session, principal, form=form, run=run)


# --- jobs ------------------------------------------------------------------------------------------------


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    found = jobs.list_for(session, principal=principal)
    wanted = request.query_params.get("contract_id")
    if wanted and wanted.isdigit():
        found = [job for job in found if job.contract_id == int(wanted)]
    reviewing = [
        job
        for job in found
        if job.state == "submitted" and identity.may(principal, "job.review", organisation_id=job.operator_id)
    ]
    releasing = [
        job
        for job in found
        if job.state == "held"
        and identity.may(principal, "job.release", organisation_id=job.operator_id)
        and not (job.bureau_released_at if principal.organisation_kind == "bureau" else job.operator_released_at)
    ]
    names = identity.organisation_names(session, {job.organisation_id for job in found})
    context = {"jobs": found, "reviewing": reviewing, "releasing": releasing, "names": names, "rules": rules}
    return render(request, "jobs.html", context)


@router.post("/jobs", response_class=HTMLResponse)
async def submit_job(
    request: Request, session: SessionDep, platform: PlatformDep, principal: PagePrincipal
) -> Response:
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf_token") or ""))
    form = {**dict(raw), "requirements": raw.getlist("requirements")}
    try:
        job = jobs.submit(
            session,
            principal=principal,
            contract_id=int(form.get("contract_id") or 0),
            title=str(form.get("title") or "").strip() or _untitled(),
            kind=str(form.get("kind") or ""),
            code=str(form.get("code") or ""),
            requirements=form["requirements"],
            domain_dir=platform.settings.domain_dir,
        )
        session.commit()
    except PubdataError as error:
        session.rollback()
        return _console(
            request, session, principal, form=form, error=error.detail, rule=error.rule, status_code=error.status
        )
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _untitled() -> str:
    raise InvalidInput("job.title", "Give the job a title.")


def _job_page(
    request: Request,
    session,
    platform,
    principal: Principal,
    job_id: int,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    job = jobs.get(session, principal=principal, job_id=job_id)
    reviewer = identity.may(principal, "job.review", organisation_id=job.operator_id)
    releaser = identity.may(principal, "job.release", organisation_id=job.operator_id)
    log = (
        jobs.log_of(session, principal=principal, job_id=job_id, domain_dir=platform.settings.domain_dir)
        if releaser or job.state == "released"
        else None
    )
    previews = jobs.previews_of(session, principal=principal, job_id=job_id, domain_dir=platform.settings.domain_dir)
    context = {
        "job": job,
        "rules": rules,
        "manifest": json.loads(job.manifest),
        "requirements": json.loads(job.requirements),
        "log": log,
        "previews": previews,
        "names": identity.organisation_names(session, {job.organisation_id, job.operator_id}),
        "can_review": reviewer and job.state == "submitted",
        "can_release": releaser and job.state == "held",
        "released_by_me": (
            job.bureau_released_at if principal.organisation_kind == "bureau" else job.operator_released_at
        )
        is not None,
        "can_download": principal.organisation_id == job.organisation_id and job.state == "released",
        "error": error,
    }
    return render(request, "job.html", context, status_code=status_code)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(
    request: Request, session: SessionDep, platform: PlatformDep, principal: PagePrincipal, job_id: int
) -> HTMLResponse:
    return _job_page(request, session, platform, principal, job_id)


@router.post("/jobs/{job_id}/do/{action}", response_class=HTMLResponse)
async def act(
    request: Request, session: SessionDep, platform: PlatformDep, principal: PagePrincipal, job_id: int, action: str
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    note = str(form.get("note") or "")
    commands = {
        "approve": lambda: jobs.review(session, principal=principal, job_id=job_id, approve=True, note=note),
        "reject": lambda: jobs.review(session, principal=principal, job_id=job_id, approve=False, note=note),
        "release": lambda: jobs.release(session, principal=principal, job_id=job_id),
        "withhold": lambda: jobs.withhold(session, principal=principal, job_id=job_id, reason=note),
    }
    return act_on(
        session,
        commands.get(action),
        action=action,
        what="a job",
        then=f"/jobs/{job_id}",
        show=lambda error: _job_page(
            request, session, platform, principal, job_id, error=error.detail, status_code=error.status
        ),
    )


@router.get("/jobs/{job_id}/output.zip")
def download(session: SessionDep, platform: PlatformDep, principal: PagePrincipal, job_id: int) -> Response:
    content = jobs.download(session, principal=principal, job_id=job_id, domain_dir=platform.settings.domain_dir)
    session.commit()
    return attachment(content, filename=f"job-{job_id}-output.zip", media_type="application/zip")


@router.get("/jobs/{job_id}/record.json")
def record(session: SessionDep, principal: PagePrincipal, job_id: int) -> Response:
    body = jobs.record_document(session, principal=principal, job_id=job_id)
    return attachment(body, filename=f"job-{job_id}-record.json", media_type="application/json")
