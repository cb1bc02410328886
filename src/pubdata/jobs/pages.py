"""Job pages: the submitter's list, the operator's review queue, the release queue of the operator and the
bureau, one job's page with its review, previews and releases, and the downloads."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from pubdata.catalog import rules as catalog_rules
from pubdata.common.bounds import RowId
from pubdata.common.errors import Refused
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import PagePrincipal
from pubdata.jobs import rules
from pubdata.jobs import service as jobs
from pubdata.platform import Platform
from pubdata.web.deps import CommandSession, PlatformDep, ReadSession, attachment
from pubdata.web.forms import confirmed, row_id
from pubdata.web.render import act_on, check_csrf, render

router = APIRouter(include_in_schema=False)


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    found = jobs.list_for(session, principal=principal)
    wanted = row_id(dict(request.query_params), "contract_id")
    if wanted is not None:
        found = [job for job in found if job.contract_id == wanted]
    theirs = [job for job in found if not jobs.submitted_by(principal, job)]  # nobody reviews their own job
    reviewing = [job for job in theirs if "approve" in access.actions(principal, job, REVIEW, rules.LIFECYCLE)]
    releasing = [
        job
        for job in theirs
        if "release" in access.actions(principal, job, RELEASE, rules.LIFECYCLE)
        and not all(jobs.released_by(job, side) for side in jobs.release_sides(principal, job))
    ]
    names = identity.organisation_names(session, {job.organisation_id for job in found})
    # Each row as its viewer may see it (``rules.job_view``): the list shows nothing the job's page would not.
    context = {
        "jobs": [jobs.view_of(principal, job) for job in found],
        "reviewing": [jobs.view_of(principal, job) for job in reviewing],
        "releasing": [jobs.view_of(principal, job) for job in releasing],
        "names": names,
        "rules": rules,
        "catalog_rules": catalog_rules,
    }
    return render(request, "jobs/jobs.html", context)


REVIEW = {"approve": "job.review", "reject": "job.review"}
RELEASE = {"release": "job.release", "withhold": "job.release"}


def _job_page(
    request: Request,
    session: Session,
    platform: Platform,
    principal: Principal,
    job_id: RowId,
    *,
    error: Refused | None = None,
) -> HTMLResponse:
    job = jobs.get(session, principal=principal, job_id=job_id)
    offered = access.actions(principal, job, {**REVIEW, **RELEASE, "download": "job.download"}, rules.LIFECYCLE)
    if jobs.submitted_by(principal, job):  # a submitter neither reviews nor releases its own job
        offered -= {*REVIEW, *RELEASE}
    sides = jobs.release_sides(principal, job)
    context = {
        "job": jobs.view_of(principal, job),  # the page shows this view only, never the row
        "rules": rules,
        "catalog_rules": catalog_rules,
        "names": identity.organisation_names(session, {job.organisation_id, job.operator_id}),
        "can_review": "approve" in offered,
        "can_release": "release" in offered,
        "released_by_me": bool(sides) and all(jobs.released_by(job, side) for side in sides),
        "can_download": access.may(principal, "job.download", job) and job.state == rules.J.RELEASED,
        "error": error,
    }
    return render(request, "jobs/job.html", context, status_code=error.status if error else 200)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(
    request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal, job_id: RowId
) -> HTMLResponse:
    return _job_page(request, session, platform, principal, job_id)


@router.post("/jobs/{job_id}/do/{action}", response_class=HTMLResponse)
async def act(
    request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal, job_id: RowId, action: str
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    note = str(form.get("note") or "")
    commands = {
        "approve": lambda c: jobs.review(c, principal=principal, job_id=job_id, approve=True, note=note),
        # Rejecting the code and withholding the output end the job: confirmed, with the reason kept.
        "reject": lambda c: jobs.review(c, principal=principal, job_id=job_id, approve=False, note=confirmed(form)),
        "release": lambda c: jobs.release(c, principal=principal, job_id=job_id),
        "withhold": lambda c: jobs.withhold(c, principal=principal, job_id=job_id, reason=confirmed(form)),
    }
    return act_on(
        platform,
        commands.get(action),
        action=action,
        then=f"/jobs/{job_id}",
        show=lambda error: _job_page(request, session, platform, principal, job_id, error=error),
        notice=f"job.notice_{action}" if action in commands else "notice.done",
    )


@router.get("/jobs/{job_id}/output.zip")
def download(session: CommandSession, platform: PlatformDep, principal: PagePrincipal, job_id: RowId) -> Response:
    content = jobs.download(session, principal=principal, job_id=job_id, domain_dir=platform.settings.domain_dir)
    return attachment(content, filename=f"job-{job_id}-output.zip", media_type="application/zip")


@router.get("/jobs/{job_id}/record.json")
def record(session: ReadSession, principal: PagePrincipal, job_id: RowId) -> Response:
    body = jobs.record_document(session, principal=principal, job_id=job_id)
    return attachment(body, filename=f"job-{job_id}-record.json", media_type="application/json")
