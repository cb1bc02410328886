"""Job pages: the submitter's list, the operator's review queue, the release queue of the operator and the
bureau, one job's page with its review, previews and releases, and the downloads."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pubdata.identity import service as identity
from pubdata.identity.dependencies import PagePrincipal
from pubdata.identity.service import Principal
from pubdata.jobs import rules
from pubdata.jobs import service as jobs
from pubdata.web.deps import PlatformDep, SessionDep, attachment
from pubdata.web.render import act_on, check_csrf, render

router = APIRouter(include_in_schema=False)


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
