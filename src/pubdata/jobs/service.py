"""Job commands (作业): submit, review the code, release twice, download; and development runs on mock data.

Each command is one transaction with its ledger entry. Running a job is the worker's (``jobs.worker``); its
workspace and the checks on its outputs are ``jobs.outputs``.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.common import clock
from pubdata.common.errors import Refused
from pubdata.contracts import service as contracts
from pubdata.db import UnitOfWork
from pubdata.identity import access
from pubdata.identity.access import Principal, Who
from pubdata.jobs import rules, worker
from pubdata.jobs.models import Job
from pubdata.jobs.outputs import Workspace, workspace
from pubdata.ledger import service as ledger
from pubdata.ledger import signoff
from pubdata.queries import service as queries

RELEASE = signoff.SignOff(
    sides=("operator", "bureau"), action="job.release", lifecycle=rules.LIFECYCLE, event="release"
)
RELEASING_SIDES = {"operator": "job.release-for-operator", "bureau": "job.release-for-bureau"}


def _checked_code(kind: str, code: str, requirements: list[str], policy: queries.Policy) -> str:
    """The code as it will run: SQL through every query check (and its small-group rewrite), Python through
    the import allow-list. Refusals name their rule."""
    if kind not in rules.JOB_KINDS:
        raise Refused("job.kind")
    unknown = rules.requirement_problems(requirements)
    if unknown:
        raise Refused("job.requirement-not-allowed", allowed=list(rules.ALLOWED_REQUIREMENTS), unknown=unknown)
    if kind == "sql":
        return queries.job_sql(code, policy)
    problems = rules.script_problems(code, requirements)
    if problems:
        rule = problems[0][0]
        raise Refused(rule, problems=[phrase for found, phrase in problems[:5] if found == rule])
    return code


def submit(
    session: Session,
    *,
    principal: Principal,
    contract_id: int,
    title: str,
    kind: str,
    code: str,
    requirements: list[str],
) -> Job:
    """The assignee hands in SQL or a script to run on the real data; a reviewer reads it before it runs."""
    use = contracts.open_use(session, principal=principal, contract_id=contract_id, permission="job.submit")
    if use.terms.is_dp:
        raise Refused("job.dp-contract")
    policy, _ = queries.policy_for(session, use.terms)
    _checked_code(kind, code, requirements, policy)
    job = Job(
        contract_id=use.contract_id,
        organisation_id=principal.organisation_id,
        operator_id=use.operator_id,
        submitter_id=principal.user_id,
        title=title.strip(),
        kind=kind,
        code=code,
        requirements=json.dumps(sorted(set(requirements))),
        code_digest=hashlib.sha256(code.encode("utf-8")).hexdigest(),
        state=rules.LIFECYCLE.initial,
        attempts=0,
        review_note="",
        outcome_detail="",
        manifest="{}",
        downloads=0,
        created_at=clock.now(),
    )
    session.add(job)
    ledger.record(
        session,
        actor=principal.actor,
        action="job.submit",
        subject=job,
        payload={
            "contract": use.contract_id,
            "kind": kind,
            "code_sha256": job.code_digest,
            "requirements": json.loads(job.requirements),
        },
    )
    return job


def get(session: Session, *, principal: Who, job_id: int, permission: str = "job.read") -> Job:
    """A job, for its submitter's organisation, the operator, and the regulators."""
    return access.load(session, principal, Job, job_id, permission)


def list_for(session: Session, *, principal: Who) -> list[Job]:
    statement = access.visible(select(Job), principal, Job).order_by(Job.id.desc())
    return list(session.execute(statement).scalars())


def review(session: Session, *, principal: Who, job_id: int, approve: bool, note: str) -> Job:
    """The operator's reviewer reads the code: approved jobs wait for the worker, rejected ones end here."""
    job = get(session, principal=principal, job_id=job_id, permission="job.review")
    if not approve and not note.strip():
        raise Refused("job.review-note")
    rules.LIFECYCLE.apply(job, "approve" if approve else "reject")
    job.reviewed_by, job.reviewed_at, job.review_note = principal.user_id, clock.now(), note.strip()
    ledger.record(
        session,
        actor=principal.actor,
        action="job.approve" if approve else "job.reject",
        subject=job,
        payload={"code_sha256": job.code_digest, "note": job.review_note},
    )
    return job


# --- release and download --------------------------------------------------------------------------------


def document_of(job: Job) -> dict[str, Any]:
    """What both releasers sign: this job's code and exactly these outputs."""
    return {"job": job.id, "code_sha256": job.code_digest, "outputs": json.loads(job.manifest)}


def release_sides(principal: Who | None, job: Job) -> list[str]:
    """The sides of the release ``principal`` may sign for (the operator's, the bureau's)."""
    return access.signing_sides(principal, job, RELEASING_SIDES)


def released_by(job: Job, side: str) -> bool:
    return (job.bureau_released_at if side == "bureau" else job.operator_released_at) is not None


def release(session: Session, *, principal: Who, job_id: int) -> Job:
    """One of the two releases a held output needs: the operator's reviewer and the bureau, in either order."""
    job = get(session, principal=principal, job_id=job_id, permission="job.release")
    sides = release_sides(principal, job)
    if not sides:
        raise Refused("job.not-a-releaser")

    def stamp(progress: signoff.Progress) -> None:
        if sides[0] == "bureau":
            job.bureau_released_by, job.bureau_released_at = principal.user_id, clock.now()
        else:
            job.operator_released_by, job.operator_released_at = principal.user_id, clock.now()

    by = principal.organisation_kind if isinstance(principal, Principal) else principal.actor.label
    signoff.sign(
        session,
        actor=principal.actor,
        spec=RELEASE,
        subject=job,
        side=sides[0],
        document=document_of(job),
        then=stamp,
        payload={"by": by, "manifest_sha256": hashlib.sha256(job.manifest.encode()).hexdigest()},
    )
    return job


def withhold(session: Session, *, principal: Who, job_id: int, reason: str) -> Job:
    job = get(session, principal=principal, job_id=job_id, permission="job.release")
    if not reason.strip():
        raise Refused("job.withhold-reason")
    rules.LIFECYCLE.apply(job, "withhold")
    job.outcome_rule, job.outcome_detail = "job.withheld", reason.strip()
    ledger.record(
        session, actor=principal.actor, action="job.withhold", subject=job, payload={"reason": job.outcome_detail}
    )
    return job


def download(session: Session, *, principal: Who, job_id: int, domain_dir: Path) -> bytes:
    """The released outputs (and the run's log) as a zip, for the submitter's organisation only; the download is
    recorded before the bytes leave, and the bytes are the ones whose digests were checked and released."""
    job = get(session, principal=principal, job_id=job_id)
    if not access.may(principal, "job.download", job):
        raise Refused("job.not-submitter")
    if job.state != rules.J.RELEASED:
        raise Refused("job.not-released")
    space, manifest = workspace(domain_dir, job.id), json.loads(job.manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in manifest["files"]:
            content = (space.output / item["name"]).read_bytes()
            if hashlib.sha256(content).hexdigest() != item["sha256"]:
                raise Refused("job.output-changed", name=item["name"])
            archive.writestr(item["name"], content)
        if space.log.exists():
            archive.writestr("run.log", space.log.read_bytes())
    job.downloads += 1
    ledger.record(
        session,
        actor=principal.actor,
        action="job.download",
        subject=job,
        payload={"files": [item["sha256"] for item in manifest["files"]]},
    )
    return buffer.getvalue()


def log_of(session: Session, *, principal: Who, job_id: int, domain_dir: Path) -> str:
    """The run's log: the reviewers read it before release; the submitter only once released."""
    job = get(session, principal=principal, job_id=job_id)
    if not access.may(principal, "job.release", job) and job.state != rules.J.RELEASED:
        raise Refused("job.log-held")
    path = workspace(domain_dir, job.id).log
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


PREVIEW_BYTES = 4096
PREVIEWED_STATES = (rules.J.HELD.value, rules.J.RELEASED.value, rules.J.WITHHELD.value)


def previews_of(session: Session, *, principal: Who, job_id: int, domain_dir: Path) -> dict[str, str]:
    """The start of each output, for the people who release it (and the submitter once released). Only outputs
    that passed the automatic checks are shown: a blocked output may hold exactly what must not be seen."""
    job = get(session, principal=principal, job_id=job_id)
    releaser = access.may(principal, "job.release", job)
    if job.state not in PREVIEWED_STATES or not (releaser or job.state == rules.J.RELEASED):
        return {}
    output = workspace(domain_dir, job.id).output
    return {
        item["name"]: (output / item["name"]).read_bytes()[:PREVIEW_BYTES].decode("utf-8", errors="replace")
        for item in json.loads(job.manifest).get("files", [])
        if not item["name"].endswith(".parquet")
    }


def record_of(session: Session, *, principal: Who, job_id: int) -> dict[str, Any]:
    """The run record (运行记录): what ran, who decided what and when, what came out, and the ledger entries."""
    job = get(session, principal=principal, job_id=job_id)
    entries = ledger.entries_for_subject(session, subject=f"job:{job.id}")
    return {
        "job": job.id,
        "title": job.title,
        "contract": job.contract_id,
        "kind": job.kind,
        "state": job.state,
        "code_sha256": job.code_digest,
        "requirements": json.loads(job.requirements),
        "attempts": job.attempts,
        "reviewed_at": job.reviewed_at,
        "review_note": job.review_note,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "exit_code": job.exit_code,
        "outcome_rule": job.outcome_rule,
        "outcome_detail": job.outcome_detail,
        "operator_released_at": job.operator_released_at,
        "bureau_released_at": job.bureau_released_at,
        "downloads": job.downloads,
        "outputs": json.loads(job.manifest),
        "ledger": entries,
    }


def record_document(session: Session, *, principal: Who, job_id: int) -> str:
    """The run record as the JSON file people download."""
    return json.dumps(record_of(session, principal=principal, job_id=job_id), ensure_ascii=False, indent=2, default=str)


# --- development on mock data ----------------------------------------------------------------------------


def dev_run(
    units: UnitOfWork,
    *,
    principal: Principal,
    contract_id: int,
    kind: str,
    code: str,
    requirements: list[str],
    domain_dir: Path,
    mock_dir: Path,
    work_dir: Path,
) -> dict[str, Any]:
    """Run SQL or a script on mock data, isolated as a real job is, and hand back everything it made at once:
    nothing in it is real, so nothing is held."""
    use = queries.open_development(units, principal=principal, contract_id=contract_id)
    with units.read() as session:
        policy, _ = queries.policy_for(session, use.terms)
        checked = _checked_code(kind, code, requirements, policy)
        tables = worker.table_paths(
            queries.mock_tables(session, terms=use.terms, domain_dir=domain_dir, mock_dir=mock_dir), mock_dir
        )
    with units.command() as session:  # recorded before it runs
        ledger.record(
            session,
            actor=principal.actor,
            action="sandbox.dev-run",
            subject=f"contract:{contract_id}",
            payload={"kind": kind, "code_sha256": hashlib.sha256(code.encode("utf-8")).hexdigest(), "data": "mock"},
        )
    digest = hashlib.sha256(code.encode()).hexdigest()[:12]
    space = Workspace(work_dir / f"dev-{principal.user_id}-{digest}-{clock.now().timestamp():.0f}")
    try:
        ran = worker.run_isolated(kind, checked, tables=tables, space=space, limits=rules.DEV_LIMITS)
        files = [
            {
                "name": path.name,
                "bytes": path.stat().st_size,
                "preview": path.read_bytes()[:PREVIEW_BYTES].decode("utf-8", errors="replace"),
            }
            for path in sorted(space.output.iterdir())
            if path.is_file() and not path.is_symlink()
        ]
        return {
            "exit_code": ran.exit_code,
            "timed_out": ran.timed_out,
            "log": ran.log,
            "files": files,
            "tables": sorted(tables),
        }
    finally:
        shutil.rmtree(space.root, ignore_errors=True)
