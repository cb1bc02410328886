"""Job commands (作业): submit, review the code, release twice, download; and development runs on mock data.

The operator runs its own jobs under its internal development contract (``contracts.service``), through this
same lifecycle. Its reviewers are its own staff, so the duties are split by person: the user who submitted a job
never reviews its code, never releases it for the operator, and sees it sealed like any submitter until both
releases — the bureau's release is the check from outside the operator.

Each command is one transaction with its ledger entry. Running a job is the worker's (``jobs.worker``); its
workspace and the checks on its outputs are ``jobs.outputs``.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.catalog import service as catalog
from pubdata.common import canonical, clock, store
from pubdata.common.errors import Refused
from pubdata.common.names import clean, clean_prose
from pubdata.contracts import service as contracts
from pubdata.db import UnitOfWork
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Principal, Who
from pubdata.jobs import rules, worker
from pubdata.jobs.dev_output import DevMasking
from pubdata.jobs.models import Job
from pubdata.jobs.outputs import Context, Workspace, check_outputs, workspace
from pubdata.jobs.schemas import DeclaredOutput
from pubdata.ledger import service as ledger
from pubdata.ledger import signoff
from pubdata.queries import service as queries
from pubdata.scenarios import service as scenarios

RELEASE = signoff.SignOff(
    sides=("operator", "bureau"), action="job.release", lifecycle=rules.LIFECYCLE, event="release"
)
RELEASING_SIDES = {"operator": "job.release-for-operator", "bureau": "job.release-for-bureau"}


def _checked_code(
    kind: str, code: str, requirements: list[str], policy: queries.Policy, outputs: Sequence[DeclaredOutput]
) -> str:
    """The code as it will run: SQL compiled to its governed plan (small groups suppressed, its outputs named
    as declared), Python through the import allow-list. Refusals name their rule."""
    if kind not in rules.JOB_KINDS:
        raise Refused("job.kind")
    unknown = rules.requirement_problems(requirements)
    if unknown:
        raise Refused("job.requirement-not-allowed", allowed=list(rules.ALLOWED_REQUIREMENTS), unknown=unknown)
    if kind == "sql":
        return queries.job_sql(code, policy, [column.name for column in outputs[0].columns] if outputs else [])
    problems = rules.script_problems(code, requirements)
    if problems:
        rule = problems[0][0]
        raise Refused(rule, problems=[phrase for found, phrase in problems[:5] if found == rule])
    return code


def _checked_outputs(kind: str, outputs: Sequence[DeclaredOutput]) -> None:
    problem = rules.declaration_problem(outputs)
    if problem is not None:
        rule, params = problem
        raise Refused(rule, file=params.get("file", ""))
    if kind == "sql" and (len(outputs) != 1 or outputs[0].format == "txt"):
        raise Refused("job.outputs-sql")


def code_digest(kind: str, code: str, requirements: list[str], outputs: Sequence[DeclaredOutput]) -> str:
    """What the reviewer approves, as one digest: the code, its requirements and its declared outputs."""
    document = {
        "kind": kind,
        "code": code,
        "requirements": sorted(set(requirements)),
        "outputs": rules.declaration_document(outputs),
    }
    return hashlib.sha256(canonical.dumps(document)).hexdigest()


def submit(
    session: Session,
    *,
    principal: Principal,
    contract_id: int,
    title: str,
    kind: str,
    code: str,
    requirements: list[str],
    outputs: Sequence[DeclaredOutput],
) -> Job:
    """The assignee hands in SQL or a script to run on the real data, and declares the files it will write; a
    reviewer reads both before it runs."""
    title = clean(title, field="title", max_length=200)
    use = contracts.open_use(session, principal=principal, contract_id=contract_id, permission="job.submit")
    if use.terms.is_dp:
        raise Refused("job.dp-contract")
    policy, _ = queries.policy_for(session, use.terms)
    _checked_outputs(kind, outputs)
    _checked_code(kind, code, requirements, policy, outputs)
    job = Job(
        contract_id=use.contract_id,
        organisation_id=principal.organisation_id,
        operator_id=use.operator_id,
        submitter_id=principal.user_id,
        title=title,
        kind=kind,
        code=code,
        requirements=json.dumps(sorted(set(requirements))),
        outputs=json.dumps(rules.declaration_document(outputs), ensure_ascii=False),
        code_digest=code_digest(kind, code, requirements, outputs),
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
            "outputs": json.loads(job.outputs),
        },
    )
    return job


def get(session: Session, *, principal: Who, job_id: int, permission: str = "job.read") -> Job:
    """A job, for its submitter's organisation, the operator, and the regulators."""
    return access.load(session, principal, Job, job_id, permission)


def list_for(session: Session, *, principal: Who) -> list[Job]:
    statement = access.visible(select(Job), principal, Job).order_by(Job.id.desc())
    return list(session.execute(statement).scalars())


# --- what a viewer may see of a job: one rule (``rules.job_view``) for every answer, page and record ---------


def submitted_by(principal: Who | None, job: Job) -> bool:
    """Is ``principal`` the person who submitted ``job``? They never review or release it themselves."""
    return isinstance(principal, Principal) and principal.user_id == job.submitter_id


def viewer(principal: Who, job: Job) -> str:
    """The viewer's side of ``job``: a reviewer (may release it), its submitter, or another reader."""
    return rules.audience(
        may_release=not submitted_by(principal, job) and access.may(principal, "job.release", job),
        is_submitter=principal.organisation_id == job.organisation_id,
    )


def _record(job: Job) -> dict[str, Any]:
    """Everything known of a job, unfiltered: only ever handed to ``rules.job_view``."""
    manifest = json.loads(job.manifest)
    files = [*manifest.get("files", []), *([manifest["log"]] if manifest.get("log") else [])]
    return {
        "id": job.id,
        "contract_id": job.contract_id,
        "organisation_id": job.organisation_id,
        "operator_id": job.operator_id,
        "title": job.title,
        "kind": job.kind,
        "code": job.code,
        "requirements": json.loads(job.requirements),
        "outputs": json.loads(job.outputs),
        "code_digest": job.code_digest,
        "state": job.state,
        "created_at": job.created_at,
        "reviewed_at": job.reviewed_at,
        "review_note": job.review_note,
        "attempts": job.attempts,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "exit_code": job.exit_code,
        "outcome_rule": job.outcome_rule,
        "outcome_detail": job.outcome_detail,
        "files": files,
        "findings": manifest.get("findings", []),
        "previews": manifest.get("previews", []),
        "log_preview": manifest.get("log_preview", []),
        "operator_released_at": job.operator_released_at,
        "bureau_released_at": job.bureau_released_at,
        "downloads": job.downloads,
    }


def view_of(principal: Who, job: Job) -> dict[str, Any]:
    """What ``principal`` may see of ``job`` now: the one answer every route, page and record gives."""
    return rules.job_view(_record(job), viewer=viewer(principal, job))


def view(session: Session, *, principal: Who, job_id: int) -> dict[str, Any]:
    return view_of(principal, get(session, principal=principal, job_id=job_id))


def views(session: Session, *, principal: Who) -> list[dict[str, Any]]:
    return [view_of(principal, job) for job in list_for(session, principal=principal)]


def review(session: Session, *, principal: Who, job_id: int, approve: bool, note: str) -> Job:
    """The operator's reviewer reads the code: approved jobs wait for the worker, rejected ones end here."""
    job = get(session, principal=principal, job_id=job_id, permission="job.review")
    if submitted_by(principal, job):
        raise Refused("job.own-review")
    note = clean_prose(note, field="note", max_length=2000)
    if not approve and not note:
        raise Refused("job.review-note")
    if approve and contracts.needs_scenario(
        identity.organisation_kind(session, job.organisation_id) or "", "job.submit"
    ):
        terms = contracts.terms_of(contracts.get(session, principal=principal, contract_id=job.contract_id))
        scenarios.require_covering(
            session, operator_id=job.operator_id, organisation_id=job.organisation_id, codes=terms.resources, actor=None
        )
    rules.LIFECYCLE.apply(job, "approve" if approve else "reject")
    job.reviewed_by, job.reviewed_at, job.review_note = principal.user_id, clock.now(), note
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
    if submitted_by(principal, job) and sides[0] == "operator":
        raise Refused("job.own-release")

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
    reason = clean_prose(reason, field="reason", max_length=2000)
    if not reason:
        raise Refused("job.withhold-reason")
    rules.LIFECYCLE.apply(job, "withhold")
    job.outcome_rule, job.outcome_detail = "job.withheld", reason
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
        if manifest.get("log"):  # the log is an output: released with the rest, as it was checked
            content = space.log.read_bytes()
            if hashlib.sha256(content).hexdigest() != manifest["log"]["sha256"]:
                raise Refused("job.output-changed", name="run.log")
            archive.writestr("run.log", content)
    job.downloads += 1
    ledger.record(
        session,
        actor=principal.actor,
        action="job.download",
        subject=job,
        payload={"files": [item["sha256"] for item in manifest["files"]]},
    )
    return buffer.getvalue()


def log_of(session: Session, *, principal: Who, job_id: int) -> str:
    """The run's log, masked as the check left it: the reviewers read it in every state, the submitter only once
    released. Nobody reads the raw log here: it leaves only in the released zip, checked like every output."""
    shown = view(session, principal=principal, job_id=job_id)
    if "log_preview" not in shown:
        raise Refused("job.log-held")
    return "\n".join(shown["log_preview"])


def record_of(session: Session, *, principal: Who, job_id: int) -> dict[str, Any]:
    """The run record (运行记录): what ran, who decided what and when, what came out, and the ledger entries —
    as much of it as the viewer may see (``rules.job_view``)."""
    job = get(session, principal=principal, job_id=job_id)
    shown = view_of(principal, job)
    entries = ledger.entries_for_subject(session, subject=f"job:{job.id}")
    if viewer(principal, job) != "reviewer" and job.state != rules.J.RELEASED:
        # When each entry was recorded would time the run, and a run's length can carry what it read.
        entries = [{key: value for key, value in entry.items() if key != "recorded_at"} for entry in entries]
    return {**shown, "ledger": entries}


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
    outputs: Sequence[DeclaredOutput] = (),
) -> dict[str, Any]:
    """Run SQL or a script on mock data, isolated as a real job is, and hand back everything it made at once:
    nothing in it is real, so nothing is held. With declared outputs, the output check runs too and its
    findings come back, so a job that passes on mock data meets its declaration on the real data."""
    use = queries.open_development(units, principal=principal, contract_id=contract_id)
    with units.read() as session:
        policy, _ = queries.policy_for(session, use.terms)
        checked = _checked_code(kind, code, requirements, policy, outputs)
        tables = worker.table_paths(
            queries.mock_tables(session, terms=use.terms, domain_dir=domain_dir, mock_dir=mock_dir), mock_dir
        )
        fields = {queries.table_name(code): catalog.data_of(session, code=code)[0] for code in use.terms.resources}
    with units.command() as session:  # recorded before it runs
        ledger.record(
            session,
            actor=principal.actor,
            action="sandbox.dev-run",
            subject=f"contract:{contract_id}",
            payload={"kind": kind, "code_sha256": hashlib.sha256(code.encode("utf-8")).hexdigest(), "data": "mock"},
        )
    digest = hashlib.sha256(code.encode()).hexdigest()[:12]
    # In this process's own folder (``common.store``): a server killed mid-run leaves it to the next start's tidying.
    space = Workspace(
        store.owned_folder(domain_dir, work_dir) / f"dev-{principal.user_id}-{digest}-{clock.now().timestamp():.0f}"
    )
    shown = DevMasking.of(fields, tables)  # what is shown is masked by declaration, as on the real data
    try:
        if outputs:
            _checked_outputs(kind, outputs)
        declared = tuple(outputs) or (DeclaredOutput(format="csv", columns=[]),)
        ran = worker.run_isolated(kind, checked, tables=tables, space=space, limits=rules.DEV_LIMITS, outputs=declared)
        findings: list[dict[str, Any]] = []
        if outputs and ran.exit_code == 0 and not ran.timed_out:
            # The mock tables' identifiers are looked up as a real job's are: a job that passes here passes there.
            identifying = tuple(
                (tables[name], spec.name, str(spec.format))
                for name, specs in fields.items()
                for spec in specs
                if spec.format in worker.PROTECTED_FORMATS and name in tables
            )
            context = Context(
                protected=worker.protected_values(identifying),
                sensitive=frozenset(s.name for specs in fields.values() for s in specs if s.sensitivity != "none"),
                min_group_size=use.terms.min_group_size,
                limits=rules.DEV_LIMITS,
            )
            manifest, _ = check_outputs(space, outputs, limits=rules.DEV_LIMITS, context=context)
            findings = manifest["findings"]
        files = [
            {"name": path.name, "bytes": path.stat().st_size, "preview": shown.preview(path)}
            for path in sorted(space.output.iterdir())
            if path.is_file() and not path.is_symlink()
        ]
        return {
            "exit_code": ran.exit_code,
            "timed_out": ran.timed_out,
            "log": shown.text(ran.log),
            "files": files,
            "findings": findings,
            "tables": sorted(tables),
        }
    finally:
        shutil.rmtree(space.root, ignore_errors=True)


# --- what waits for ``principal`` (the workbenches' to-dos) ----------------------------------------------


def awaiting_review(principal: Who, job: Job) -> bool:
    """Is ``job``'s code waiting for a review ``principal`` may give (never its own submitter's)?"""
    return (
        job.state == rules.J.SUBMITTED.value
        and not submitted_by(principal, job)
        and access.may(principal, "job.review", job)
    )


def awaiting_release(principal: Who, job: Job) -> bool:
    """Are ``job``'s held outputs waiting for a release ``principal`` may sign (its side not released yet; never
    its own submitter's)?"""
    if job.state != rules.J.HELD.value or submitted_by(principal, job):
        return False
    return any(not released_by(job, side) for side in release_sides(principal, job))


def released_file(session: Session, *, job_id: int, name: str, domain_dir: Path) -> tuple[bytes, str] | None:
    """A released job's output file and its SHA-256, read for a product that publishes it (a statistical
    table): None unless the job is released, lists the file, and the file still has its released digest."""
    job = session.get(Job, job_id)
    if job is None or job.state != rules.J.RELEASED:
        return None
    item = next((item for item in json.loads(job.manifest).get("files", []) if item.get("name") == name), None)
    if item is None:
        return None
    path = workspace(domain_dir, job.id).output / str(item["name"])
    content = path.read_bytes() if path.is_file() else b""
    digest = hashlib.sha256(content).hexdigest()
    return (content, digest) if digest == item["sha256"] else None
