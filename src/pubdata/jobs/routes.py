"""Jobs API: development runs on mock data, and jobs on the real data from submission to download."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Response, status
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from pubdata.common.stored import FromJsonText
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.jobs import service as jobs
from pubdata.jobs.models import Job
from pubdata.web.deps import CommandSession, PlatformDep, ReadSession, attachment

router = APIRouter(prefix="/api/v1", tags=["jobs"])


class DevRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contract_id: int
    kind: str = "python"
    code: str = Field(min_length=1, max_length=200_000)
    requirements: list[str] = Field(default_factory=list, max_length=10)


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
    )


# --- jobs on the real data -------------------------------------------------------------------------------


class JobIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contract_id: int
    title: str = Field(min_length=1, max_length=200)
    kind: str
    code: str = Field(min_length=1, max_length=200_000)
    requirements: list[str] = Field(default_factory=list, max_length=10)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approve: bool
    note: str = Field(default="", max_length=2000)


class WithholdIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    contract_id: int
    title: str
    kind: str
    code: str
    requirements: Annotated[list[str], FromJsonText]
    code_digest: str
    state: str
    attempts: int
    created_at: datetime
    reviewed_at: datetime | None
    review_note: str
    started_at: datetime | None
    finished_at: datetime | None
    outcome_rule: str | None
    outcome_detail: str
    outputs: Annotated[dict[str, Any], FromJsonText] = Field(validation_alias="manifest")
    operator_released_at: datetime | None
    bureau_released_at: datetime | None
    downloads: int


@router.post("/jobs", response_model=JobOut, status_code=status.HTTP_201_CREATED)
def submit_job(body: JobIn, session: CommandSession, principal: ApiPrincipal) -> Job:
    return jobs.submit(
        session,
        principal=principal,
        contract_id=body.contract_id,
        title=body.title,
        kind=body.kind,
        code=body.code,
        requirements=body.requirements,
    )


@router.get("/jobs", response_model=list[JobOut])
def list_jobs(session: ReadSession, principal: ApiPrincipal) -> list[Job]:
    return jobs.list_for(session, principal=principal)


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: int, session: ReadSession, principal: ApiPrincipal) -> Job:
    return jobs.get(session, principal=principal, job_id=job_id)


@router.post("/jobs/{job_id}/review", response_model=JobOut)
def review_job(job_id: int, body: ReviewIn, session: CommandSession, principal: ApiPrincipal) -> Job:
    return jobs.review(session, principal=principal, job_id=job_id, approve=body.approve, note=body.note)


@router.post("/jobs/{job_id}/release", response_model=JobOut)
def release_job(job_id: int, session: CommandSession, principal: ApiPrincipal) -> Job:
    return jobs.release(session, principal=principal, job_id=job_id)


@router.post("/jobs/{job_id}/withhold", response_model=JobOut)
def withhold_job(job_id: int, body: WithholdIn, session: CommandSession, principal: ApiPrincipal) -> Job:
    return jobs.withhold(session, principal=principal, job_id=job_id, reason=body.reason)


@router.get("/jobs/{job_id}/log", response_class=PlainTextResponse)
def job_log(job_id: int, session: ReadSession, platform: PlatformDep, principal: ApiPrincipal) -> str:
    return jobs.log_of(session, principal=principal, job_id=job_id, domain_dir=platform.settings.domain_dir)


@router.get("/jobs/{job_id}/output")
def download_output(job_id: int, session: CommandSession, platform: PlatformDep, principal: ApiPrincipal) -> Response:
    content = jobs.download(session, principal=principal, job_id=job_id, domain_dir=platform.settings.domain_dir)
    return attachment(content, filename=f"job-{job_id}-output.zip", media_type="application/zip")


@router.get("/jobs/{job_id}/record")
def run_record(job_id: int, session: ReadSession, principal: ApiPrincipal) -> Response:
    """The downloadable run record: what ran, every decision, the outputs' digests and the ledger entries."""
    body = jobs.record_document(session, principal=principal, job_id=job_id)
    return attachment(body, filename=f"job-{job_id}-record.json", media_type="application/json")
