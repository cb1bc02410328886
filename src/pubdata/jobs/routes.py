"""Jobs API: development runs on mock data, and jobs on the real data from submission to download."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response, status
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from pubdata.common.bounds import RowId
from pubdata.common.names import Name, Prose
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.jobs import service as jobs
from pubdata.jobs.schemas import MAX_OUTPUTS, DeclaredOutput
from pubdata.web.deps import CommandSession, PlatformDep, ReadSession, attachment

router = APIRouter(prefix="/api/v1", tags=["jobs"])


class DevRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contract_id: RowId
    kind: str = "python"
    code: str = Field(min_length=1, max_length=200_000)
    requirements: list[str] = Field(default_factory=list, max_length=10)
    outputs: list[DeclaredOutput] = Field(default_factory=list, max_length=MAX_OUTPUTS)


@router.post("/dev/runs")
def dev_run(body: DevRunIn, platform: PlatformDep, principal: ApiPrincipal) -> dict[str, Any]:
    """A script (or SQL) on mock data, isolated exactly as a real job: its log and files come back at once."""
    settings = platform.settings
    return jobs.dev_run(
        platform,
        principal=principal,
        contract_id=body.contract_id,
        kind=body.kind,
        code=body.code,
        requirements=body.requirements,
        domain_dir=settings.domain_dir,
        mock_dir=settings.mock_dir,
        work_dir=settings.work_dir,
        outputs=body.outputs,
    )


# --- jobs on the real data -------------------------------------------------------------------------------


class JobIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contract_id: RowId
    title: Name = Field(min_length=1, max_length=200)
    kind: str
    code: str = Field(min_length=1, max_length=200_000)
    requirements: list[str] = Field(default_factory=list, max_length=10)
    outputs: list[DeclaredOutput] = Field(default_factory=list, max_length=MAX_OUTPUTS)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approve: bool
    note: Prose = Field(default="", max_length=2000)


class WithholdIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Prose = Field(min_length=1, max_length=2000)


class JobOut(BaseModel):
    """A job as the caller may see it (``rules.job_view``): only the fields its side may see in its state are
    in the answer. Before both releases its submitter gets what it handed in and the job's state, nothing of
    the run."""

    id: int
    state: str
    contract_id: RowId | None = None
    title: str | None = None
    kind: str | None = None
    code: str | None = None
    requirements: list[str] | None = None
    outputs: list[DeclaredOutput] | None = None
    code_digest: str | None = None
    created_at: datetime | None = None
    reviewed_at: datetime | None = None
    review_note: str | None = None
    outcome_rule: str | None = None
    outcome_detail: str | None = None
    attempts: int | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    exit_code: int | None = None
    files: list[dict[str, Any]] | None = None
    findings: list[dict[str, Any]] | None = None
    previews: list[dict[str, Any]] | None = None
    log_preview: list[str] | None = None
    operator_released_at: datetime | None = None
    bureau_released_at: datetime | None = None
    downloads: int | None = None


def _out(shown: dict[str, Any]) -> JobOut:
    return JobOut.model_validate(shown)


@router.post("/jobs", status_code=status.HTTP_201_CREATED, response_model=JobOut, response_model_exclude_unset=True)
def submit_job(body: JobIn, session: CommandSession, principal: ApiPrincipal) -> JobOut:
    job = jobs.submit(
        session,
        principal=principal,
        contract_id=body.contract_id,
        title=body.title,
        kind=body.kind,
        code=body.code,
        requirements=body.requirements,
        outputs=body.outputs,
    )
    session.flush()
    return _out(jobs.view_of(principal, job))


@router.get("/jobs", response_model=list[JobOut], response_model_exclude_unset=True)
def list_jobs(session: ReadSession, principal: ApiPrincipal) -> list[JobOut]:
    return [_out(shown) for shown in jobs.views(session, principal=principal)]


@router.get("/jobs/{job_id}", response_model=JobOut, response_model_exclude_unset=True)
def get_job(job_id: RowId, session: ReadSession, principal: ApiPrincipal) -> JobOut:
    return _out(jobs.view(session, principal=principal, job_id=job_id))


@router.post("/jobs/{job_id}/review", response_model=JobOut, response_model_exclude_unset=True)
def review_job(job_id: RowId, body: ReviewIn, session: CommandSession, principal: ApiPrincipal) -> JobOut:
    job = jobs.review(session, principal=principal, job_id=job_id, approve=body.approve, note=body.note)
    return _out(jobs.view_of(principal, job))


@router.post("/jobs/{job_id}/release", response_model=JobOut, response_model_exclude_unset=True)
def release_job(job_id: RowId, session: CommandSession, principal: ApiPrincipal) -> JobOut:
    return _out(jobs.view_of(principal, jobs.release(session, principal=principal, job_id=job_id)))


@router.post("/jobs/{job_id}/withhold", response_model=JobOut, response_model_exclude_unset=True)
def withhold_job(job_id: RowId, body: WithholdIn, session: CommandSession, principal: ApiPrincipal) -> JobOut:
    return _out(jobs.view_of(principal, jobs.withhold(session, principal=principal, job_id=job_id, reason=body.reason)))


# The released outputs come as one zip archive; documented so that a client (and the fuzzer) knows the type.
ZIP: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}
}


@router.get("/jobs/{job_id}/log", response_class=PlainTextResponse)
def job_log(job_id: RowId, session: ReadSession, principal: ApiPrincipal) -> str:
    """The run's log, masked (the reviewers'; the submitter's once released)."""
    return jobs.log_of(session, principal=principal, job_id=job_id)


@router.get("/jobs/{job_id}/output", response_class=Response, responses=ZIP)
def download_output(job_id: RowId, session: CommandSession, platform: PlatformDep, principal: ApiPrincipal) -> Response:
    content = jobs.download(session, principal=principal, job_id=job_id, domain_dir=platform.settings.domain_dir)
    return attachment(content, filename=f"job-{job_id}-output.zip", media_type="application/zip")


@router.get("/jobs/{job_id}/record")
def run_record(job_id: RowId, session: ReadSession, principal: ApiPrincipal) -> Response:
    """The downloadable run record: what ran, every decision, the outputs' digests and the ledger entries."""
    body = jobs.record_document(session, principal=principal, job_id=job_id)
    return attachment(body, filename=f"job-{job_id}-record.json", media_type="application/json")
