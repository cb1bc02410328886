"""Job commands (作业): submit, review the code, run isolated, check outputs, hold, release twice, download.

Each command is one transaction with its ledger entry; the run itself
holds no transaction (it may take minutes). A job's workspace is ``<domain>/jobs/<id>/``: the script, the
run's log and its ``output/`` — inside the domain, because until released it is derived real data. A job
only becomes ``held`` after every check has passed in the transaction that records its outputs, so a crash
can leave a job ``running`` (``recover`` runs it again, or fails it) but never half released.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.authorization import rules as authorization_rules
from pubdata.authorization import scope
from pubdata.common import clock, messages
from pubdata.common.actor import SYSTEM, Actor
from pubdata.common.errors import Refused
from pubdata.contracts import service as contracts
from pubdata.db import UnitOfWork
from pubdata.engines.base import TableRef
from pubdata.engines.duckdb import DIALECT, locked_connection
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import PlatformItself, Principal, Who
from pubdata.jobs import isolation, rules
from pubdata.jobs.models import Job
from pubdata.ledger import service as ledger
from pubdata.ledger import signoff
from pubdata.queries import checks as sql_checks
from pubdata.queries import service as queries

TABULAR = (".csv", ".parquet")
SQL_RUNNER = """\
import duckdb, json
spec = json.load(open("/job/spec.json"))
con = duckdb.connect()
for name in spec["tables"]:
    con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('/data/{name}.parquet')")
con.execute(f"COPY ({spec['sql']}) TO '/output/result.csv' (HEADER)")
print("result.csv written")
"""


@dataclass(frozen=True)
class Workspace:
    """Where a run's files live."""

    root: Path

    @property
    def script(self) -> Path:
        return self.root / "main.py"

    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def log(self) -> Path:
        return self.root / "run.log"


def workspace(domain_dir: Path, job_id: int) -> Workspace:
    return Workspace(domain_dir / "jobs" / str(job_id))


RELEASE = signoff.SignOff(sides=("operator", "bureau"), action="job.release")
RELEASING_SIDES = {"operator": "job.release-for-operator", "bureau": "job.release-for-bureau"}
WORKER = PlatformItself(SYSTEM)


def outcome(rule: str, **params: object) -> str:
    """How a finished run is described with it, from the registry (kept in English, as the run record has it)."""
    return messages.refusal(rule).sentence("en", params)


def _checked_code(kind: str, code: str, requirements: list[str], policy: sql_checks.Policy) -> str:
    """The code as it will run: SQL through every query check (and its small-group rewrite), Python through
    the import allow-list. Refusals name their rule."""
    if kind not in rules.JOB_KINDS:
        raise Refused("job.kind")
    unknown = rules.requirement_problems(requirements)
    if unknown:
        raise Refused("job.requirement-not-allowed", allowed=list(rules.ALLOWED_REQUIREMENTS), unknown=unknown)
    if kind == "sql":
        return sql_checks.check(code, policy).query.sql(dialect=DIALECT)
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


# --- running ---------------------------------------------------------------------------------------------


def recover(session: Session, *, actor: Actor) -> list[str]:
    """After a restart: a job left running starts again from nothing, or fails once it has been tried enough."""
    done = []
    for job in session.execute(select(Job).where(Job.state == rules.J.RUNNING.value)).scalars().all():
        if job.attempts < rules.MAX_ATTEMPTS:
            rules.LIFECYCLE.apply(job, "resume")
            ledger.record(session, actor=actor, action="job.resume", subject=job, payload={"attempt": job.attempts})
            done.append(f"job {job.id} will run again")
        else:
            _finish(job, "fail", rule="job.interrupted", detail=outcome("job.interrupted", attempts=job.attempts))
            ledger.record(session, actor=actor, action="job.fail", subject=job, payload={"rule": job.outcome_rule})
            done.append(f"job {job.id} failed after {job.attempts} interrupted runs")
    return done


@dataclass(frozen=True)
class Started:
    """What the worker needs to run a job it has just marked running (``tables`` is None if it could not start)."""

    job_id: int
    kind: str = "python"
    code: str = ""
    tables: dict[str, Path] | None = None
    min_group_size: int = 10


def start_next(session: Session, *, actor: Actor, domain_dir: Path) -> Started | None:
    """Take the oldest approved job: check the contract and the scope again, count it as a call on its
    contract (once, even if a restart runs it again) and mark it running. None when nothing waits."""
    job = session.scalar(select(Job).where(Job.state == rules.J.APPROVED.value).order_by(Job.id).limit(1))
    if job is None:
        return None
    contract = contracts.get(session, principal=WORKER, contract_id=job.contract_id)
    terms = contracts.terms_of(contract)
    rules.LIFECYCLE.apply(job, "start")
    job.attempts += 1
    job.started_at = clock.now()
    try:
        refusal = contracts.refusal_before_call(contract)
        if refusal is not None:
            raise refusal
        _require_scope_still(session, job, terms.resources)
        policy, refs = queries.policy_for(session, terms)
        if job.attempts == 1:
            contracts.charge(
                session,
                actor=actor,
                contract_id=contract.id,
                rows=0,
                epsilon_micro=0,
                payload={"job": job.id, "code_sha256": job.code_digest},
            )
    except Refused as error:
        _finish(job, "fail", rule=error.rule, detail=error.detail_in("en"))
        ledger.record(session, actor=actor, action="job.fail", subject=job, payload={"rule": job.outcome_rule})
        return Started(job.id)
    ledger.record(
        session,
        actor=actor,
        action="job.start",
        subject=job,
        payload={"attempt": job.attempts, "resources": list(terms.resources), "code_sha256": job.code_digest},
    )
    code = sql_checks.check(job.code, policy).query.sql(dialect=DIALECT) if job.kind == "sql" else job.code
    return Started(job.id, job.kind, code, _paths(refs, domain_dir), terms.min_group_size)


def _paths(tables: dict[str, TableRef], store: Path) -> dict[str, Path]:
    """Where a run finds its tables: the isolated run reads the files themselves, mounted read-only."""
    return {name: store / table.file for name, table in tables.items()}


def _require_scope_still(session: Session, job: Job, resources: tuple[str, ...]) -> None:
    """A job approved before an exit or a scope change must not run after it: the scope is checked again."""
    for organisation_id in authorization_rules.scope_holders(
        operator_id=job.operator_id,
        organisation_id=job.organisation_id,
        organisation_kind=identity.organisation_kind(session, job.organisation_id) or "",
    ):
        for code in resources:
            reasons = scope.check_use(session, organisation_id=organisation_id, code=code)
            if reasons:
                raise Refused("authorization.out-of-scope", code=code, reasons=reasons)


def run_isolated(
    kind: str, code: str, *, tables: dict[str, Path], space: Workspace, limits: rules.Limits
) -> isolation.Outcome:
    """Write a run's files and run it isolated: a script as it is, SQL (already checked) through a small runner."""
    space.root.mkdir(parents=True, exist_ok=True)
    extra = {}
    if kind == "sql":
        space.script.write_text(SQL_RUNNER, encoding="utf-8")
        extra["spec.json"] = space.root / "spec.json"
        extra["spec.json"].write_text(json.dumps({"sql": code, "tables": sorted(tables)}), encoding="utf-8")
    else:
        space.script.write_text(code, encoding="utf-8")
    return isolation.run(script=space.script, tables=tables, output_dir=space.output, limits=limits, extra_files=extra)


@dataclass(frozen=True)
class Ran:
    """What the worker's step did: the job it took, and the user id its run had (None if it did not run isolated)."""

    job_id: int
    run_uid: int | None = None


def execute_next(units: UnitOfWork, *, domain_dir: Path, limits: rules.Limits = rules.PLATFORM_LIMITS) -> Ran | None:
    """The worker's step: start the oldest approved job, run it isolated, check and hold (or block) its outputs.
    Two commands with the run between them, holding no transaction. None when no job waited."""
    with units.command() as session:
        started = start_next(session, actor=SYSTEM, domain_dir=domain_dir)
    if started is None:
        return None
    if started.tables is None:
        return Ran(started.job_id)
    space = workspace(domain_dir, started.job_id)
    try:
        ran: isolation.Outcome | isolation.IsolationUnavailable = run_isolated(
            started.kind, started.code, tables=started.tables, space=space, limits=limits
        )
    except isolation.IsolationUnavailable as error:
        ran = error
    with units.command() as session:
        job = session.get(Job, started.job_id)
        assert job is not None
        _record_outcome(session, job, ran, space, limits, started.min_group_size)
    return Ran(started.job_id, getattr(ran, "run_uid", None))


def _record_outcome(
    session: Session,
    job: Job,
    ran: isolation.Outcome | isolation.IsolationUnavailable,
    space: Workspace,
    limits: rules.Limits,
    min_group_size: int,
) -> None:
    if isinstance(ran, isolation.IsolationUnavailable):
        _finish(job, "fail", rule=ran.rule, detail=ran.detail_in("en"))
    elif ran.exit_code != 0 or ran.timed_out:
        job.exit_code = ran.exit_code
        _finish(job, "fail", **_failure(ran, limits))
    else:
        job.exit_code = 0
        manifest, problems = check_outputs(space, limits=limits, min_group_size=min_group_size)
        job.manifest = json.dumps(manifest, ensure_ascii=False)
        if problems:
            _finish(job, "block", rule="job.output-check", detail=outcome("job.output-check", problems=problems))
        else:
            _finish(job, "hold", rule=None, detail="")
    ledger.record(
        session,
        actor=SYSTEM,
        action=f"job.{rules.OUTCOME_EVENTS[job.state]}",
        subject=job,
        payload={
            "rule": job.outcome_rule,
            "exit_code": job.exit_code,
            "manifest_sha256": hashlib.sha256(job.manifest.encode()).hexdigest(),
        },
    )


def _finish(job: Job, event: str, *, rule: str | None, detail: str) -> None:
    rules.LIFECYCLE.apply(job, event)
    job.finished_at, job.outcome_rule, job.outcome_detail = clock.now(), rule, detail


def _failure(ran: isolation.Outcome, limits: rules.Limits) -> dict[str, str]:
    """Which limit ended a failed run, as its rule and description."""
    params: dict[str, object]
    if ran.timed_out:
        rule, params = "job.time-limit", {"seconds": f"{limits.wall_seconds:g}"}
    else:
        by_signal: dict[str, tuple[str, dict[str, object]]] = {
            "SIGXCPU": ("job.cpu-limit", {"seconds": limits.cpu_seconds}),
            "SIGKILL": ("job.killed", {}),
            "SIGXFSZ": ("job.file-size-limit", {"bytes": limits.file_bytes}),
        }
        rule, params = by_signal.get(ran.signal_name or "", ("job.exit-code", {"code": ran.exit_code}))
    if rule == "job.exit-code" and ("File size limit exceeded" in ran.log or "OSError: [Errno 27]" in ran.log):
        rule, params = "job.file-size-limit", {"bytes": limits.file_bytes}
    return {"rule": rule, "detail": outcome(rule, **params)}


# --- output checks ---------------------------------------------------------------------------------------


def _table_columns(path: Path) -> dict[str, list]:
    """A job's table, read by a DuckDB that may open that one file and nothing else (the file is untrusted)."""
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    con = locked_connection([path])
    try:
        cursor = con.execute(f"SELECT * FROM {reader}(?)", [str(path.resolve())])
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    finally:
        con.close()
    return {name: [row[index] for row in rows] for index, name in enumerate(names)}


def check_outputs(space: Workspace, *, limits: rules.Limits, min_group_size: int) -> tuple[dict[str, Any], list[str]]:
    """Every output file and the run's log: regular files only, sizes, and no column or text shaped like
    personal data; count columns with no group smaller than the contract's minimum."""
    problems: list[str] = []
    files: list[dict[str, Any]] = []
    entries = sorted(space.output.iterdir()) if space.output.exists() else []
    for entry in entries:
        if entry.is_symlink() or not entry.is_file():
            problems.append(f"{entry.name} is not a regular file")
            continue
        content = entry.read_bytes()
        files.append({"name": entry.name, "bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()})
    problems += rules.size_problems([(item["name"], item["bytes"]) for item in files], limits)
    if problems:
        return {"files": files, "problems": problems}, problems
    for item in files:
        path = space.output / item["name"]
        if path.suffix in TABULAR:
            try:
                columns = _table_columns(path)
            except duckdb.Error:
                problems.append(f"{item['name']} cannot be read as a table")
                continue
            item["rows"] = len(next(iter(columns.values()), []))
            for name, values in columns.items():
                problem = rules.personal_column_problem(name, values) or rules.small_group_problem(
                    name, values, min_group_size
                )
                if problem:
                    problems.append(f"{item['name']}: {problem}")
        else:
            problem = rules.text_problem(item["name"], path.read_bytes())
            if problem:
                problems.append(problem)
    log_problem = rules.text_problem("the run's log", space.log.read_bytes()) if space.log.exists() else None
    if log_problem:
        problems.append(log_problem)
    return {"files": files, "problems": problems}, problems


# --- release and download --------------------------------------------------------------------------------


def document_of(job: Job) -> dict[str, Any]:
    """What both releasers sign: this job's code and exactly these outputs."""
    return {"job": job.id, "code_sha256": job.code_digest, "outputs": json.loads(job.manifest)}


def release_sides(principal: Who, job: Job) -> list[str]:
    """The sides of the release ``principal`` may sign for (the operator's, the bureau's)."""
    return [side for side, permission in RELEASING_SIDES.items() if access.may(principal, permission, job)]


def released_by(job: Job, side: str) -> bool:
    return (job.bureau_released_at if side == "bureau" else job.operator_released_at) is not None


def release(session: Session, *, principal: Who, job_id: int) -> Job:
    """One of the two releases a held output needs: the operator's reviewer and the bureau, in either order."""
    job = get(session, principal=principal, job_id=job_id, permission="job.release")
    sides = release_sides(principal, job)
    if not rules.LIFECYCLE.allows(job.state, "release"):
        raise rules.LIFECYCLE.refusal(job.state, "release")

    def stamp(progress: signoff.Progress) -> None:
        if sides[0] == "bureau":
            job.bureau_released_by, job.bureau_released_at = principal.user_id, clock.now()
        else:
            job.operator_released_by, job.operator_released_at = principal.user_id, clock.now()
        if progress.complete:
            rules.LIFECYCLE.apply(job, "release")

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
        tables = _paths(
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
        ran = run_isolated(kind, checked, tables=tables, space=space, limits=rules.DEV_LIMITS)
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
