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

from pubdata.authorization import service as authorization
from pubdata.common import clock
from pubdata.common.actor import SYSTEM, Actor
from pubdata.common.errors import InvalidInput, NotFound, PermissionDenied, StateRefused
from pubdata.contracts import service as contracts
from pubdata.engines.base import TableRef
from pubdata.engines.duckdb import locked_connection
from pubdata.identity import service as identity
from pubdata.identity.service import Principal
from pubdata.jobs import isolation, rules
from pubdata.jobs.models import Job
from pubdata.ledger import service as ledger
from pubdata.queries import checks as sql_checks
from pubdata.queries.service import contract_for_use, mock_tables, policy_for, scope_holders

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


def _transition(job: Job, event: str) -> None:
    new_state = rules.next_state(job.state, event)
    if new_state is None:
        raise StateRefused("job.transition", f"A job that is {job.state} cannot {event}.")
    job.state = new_state


def _checked_code(kind: str, code: str, requirements: list[str], policy: sql_checks.Policy) -> str:
    """The code as it will run: SQL through every query check (and its small-group rewrite), Python through
    the import allow-list. Refusals name their rule."""
    if kind not in rules.JOB_KINDS:
        raise InvalidInput("job.kind", "A job is sql or python.")
    problems = rules.requirement_problems(requirements)
    if problems:
        raise InvalidInput("job.requirement-not-allowed", "; ".join(problems) + ".")
    if kind == "sql":
        return sql_checks.check(code, policy).sql
    script_problems = rules.script_problems(code, requirements)
    if script_problems:
        rule = script_problems[0][0]
        raise InvalidInput(rule, " ".join(sentence for _, sentence in script_problems[:5]))
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
    contract, terms = contract_for_use(session, principal=principal, contract_id=contract_id)
    refusal = contracts.refusal_before_call(contract)
    if refusal:
        raise contracts.ContractRefused(*refusal)
    if terms["output_rule"] == "dp":
        raise InvalidInput(
            "job.dp-contract",
            "A differentially private contract answers queries only; a job needs an aggregate contract.",
        )
    policy, _ = policy_for(session, terms)
    _checked_code(kind, code, requirements, policy)
    job = Job(
        contract_id=contract.id,
        organisation_id=principal.organisation_id,
        operator_id=contract.assigner_id,
        submitter_id=principal.user_id,
        title=title.strip(),
        kind=kind,
        code=code,
        requirements=json.dumps(sorted(set(requirements))),
        code_digest=hashlib.sha256(code.encode("utf-8")).hexdigest(),
        state="submitted",
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
            "contract": contract.id,
            "kind": kind,
            "code_sha256": job.code_digest,
            "requirements": json.loads(job.requirements),
        },
    )
    return job


def _sees_every_job(principal: Principal) -> bool:
    """The regulators read every job; the bureau, which releases outputs, too."""
    return identity.sees_all(principal, "job.read") or identity.sees_all(principal, "job.release")


def get(session: Session, *, principal: Principal, job_id: int) -> Job:
    """A job, for its submitter's organisation, the operator, and the regulators."""
    job = session.get(Job, job_id)
    if job is None or not (
        principal.organisation_id in (job.organisation_id, job.operator_id) or _sees_every_job(principal)
    ):
        raise NotFound("job.not-found", "No such job.")
    return job


def list_for(session: Session, *, principal: Principal) -> list[Job]:
    statement = select(Job).order_by(Job.id.desc())
    if not _sees_every_job(principal):
        statement = statement.where(
            (Job.organisation_id == principal.organisation_id) | (Job.operator_id == principal.organisation_id)
        )
    return list(session.execute(statement).scalars())


def review(session: Session, *, principal: Principal, job_id: int, approve: bool, note: str) -> Job:
    """The operator's reviewer reads the code: approved jobs wait for the worker, rejected ones end here."""
    job = get(session, principal=principal, job_id=job_id)
    if not identity.may(principal, "job.review", organisation_id=job.operator_id):  # they may see it, not decide it
        raise PermissionDenied("job.reviewer", "Only an admin or reviewer of the operator reviews a job's code.")
    if not approve and not note.strip():
        raise InvalidInput("job.review-note", "Say why the code is rejected, so the submitter can fix it.")
    _transition(job, "approve" if approve else "reject")
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
    for job in session.execute(select(Job).where(Job.state == "running")).scalars().all():
        if job.attempts < rules.MAX_ATTEMPTS:
            _transition(job, "resume")
            ledger.record(session, actor=actor, action="job.resume", subject=job, payload={"attempt": job.attempts})
            done.append(f"job {job.id} will run again")
        else:
            _finish(
                job, "fail", rule="job.interrupted", detail=f"The server stopped during each of {job.attempts} runs."
            )
            ledger.record(session, actor=actor, action="job.fail", subject=job, payload={"rule": job.outcome_rule})
            done.append(f"job {job.id} failed after {job.attempts} interrupted runs")
    return done


@dataclass(frozen=True)
class Started:
    """What the worker needs to run a job it has just marked running (``tables`` is None if it could not start)."""

    job_id: int
    tables: dict[str, Path] | None = None
    checked_sql: str | None = None
    min_group_size: int = 10


def start_next(session: Session, *, actor: Actor, domain_dir: Path) -> Started | None:
    """Take the oldest approved job: check the contract and the scope again, count it as a call on its
    contract (once, even if a restart runs it again) and mark it running. None when nothing waits."""
    job = session.scalar(select(Job).where(Job.state == "approved").order_by(Job.id).limit(1))
    if job is None:
        return None
    contract = contracts.get_for_system(session, contract_id=job.contract_id)
    terms = contracts.terms_of(contract)
    _transition(job, "start")
    job.attempts += 1
    job.started_at = clock.now()
    refusal = contracts.refusal_before_call(contract)
    try:
        if refusal:
            raise contracts.ContractRefused(*refusal)
        _require_scope_still(session, job, terms["resources"])
        policy, refs = policy_for(session, terms)
        tables = _paths(refs, domain_dir)
        if job.attempts == 1:
            contracts.charge(
                session,
                actor=actor,
                contract_id=contract.id,
                rows=0,
                epsilon_micro=0,
                payload={"job": job.id, "code_sha256": job.code_digest},
            )
    except (contracts.ContractRefused, PermissionDenied, NotFound) as error:
        _finish(job, "fail", rule=error.rule, detail=error.detail)
        ledger.record(session, actor=actor, action="job.fail", subject=job, payload={"rule": job.outcome_rule})
        return Started(job.id)
    ledger.record(
        session,
        actor=actor,
        action="job.start",
        subject=job,
        payload={"attempt": job.attempts, "resources": terms["resources"], "code_sha256": job.code_digest},
    )
    checked_sql = sql_checks.check(job.code, policy).sql if job.kind == "sql" else None
    return Started(job.id, tables, checked_sql, terms["min_group_size"])


def _paths(tables: dict[str, TableRef], store: Path) -> dict[str, Path]:
    """Where a run finds its tables: the isolated run reads the files themselves, mounted read-only."""
    return {name: store / table.file for name, table in tables.items()}


def _require_scope_still(session: Session, job: Job, resources: list[str]) -> None:
    """A job approved before an exit or a scope change must not run after it: the scope is checked again."""
    for organisation_id in scope_holders(
        job.operator_id, job.organisation_id, identity.organisation_kind(session, job.organisation_id)
    ):
        for code in resources:
            reason = authorization.check_use(session, organisation_id=organisation_id, code=code)
            if reason:
                raise PermissionDenied("authorization.out-of-scope", f"Use of {code} refused: {reason}.")


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


def execute_next(platform, *, limits: rules.Limits = rules.Limits()) -> Ran | None:  # noqa: ANN001 - Platform
    """The worker's step: start the oldest approved job, run it isolated, check and hold (or block) its outputs.
    Two transactions with the run between them, holding none. None when no job waited."""
    domain_dir = platform.settings.domain_dir
    with platform.session() as session:
        started = start_next(session, actor=SYSTEM, domain_dir=domain_dir)
        session.commit()
        if started is None:
            return None
        if started.tables is None:
            return Ran(started.job_id)
        job, space = session.get(Job, started.job_id), workspace(domain_dir, started.job_id)
        session.commit()  # the read above opened a transaction: none may be held while the job runs
        try:
            outcome = run_isolated(
                job.kind, started.checked_sql or job.code, tables=started.tables, space=space, limits=limits
            )
        except isolation.IsolationUnavailable as error:
            outcome = error
        _record_outcome(session, session.get(Job, started.job_id), outcome, space, limits, started.min_group_size)
        session.commit()
        return Ran(started.job_id, getattr(outcome, "run_uid", None))


def _record_outcome(
    session: Session,
    job: Job,
    outcome: isolation.Outcome | isolation.IsolationUnavailable,
    space: Workspace,
    limits: rules.Limits,
    min_group_size: int,
) -> None:
    actor = SYSTEM
    if isinstance(outcome, isolation.IsolationUnavailable):
        _finish(job, "fail", rule=outcome.rule, detail=outcome.detail)
    elif outcome.exit_code != 0 or outcome.timed_out:
        job.exit_code = outcome.exit_code
        _finish(job, "fail", **_failure(outcome, limits))
    else:
        job.exit_code = 0
        manifest, problems = check_outputs(space, limits=limits, min_group_size=min_group_size)
        job.manifest = json.dumps(manifest, ensure_ascii=False)
        if problems:
            _finish(job, "block", rule="job.output-check", detail="; ".join(problems) + ".")
        else:
            _finish(job, "hold", rule=None, detail="")
    event = {"held": "hold", "blocked": "block", "failed": "fail"}[job.state]
    ledger.record(
        session,
        actor=actor,
        action=f"job.{event}",
        subject=job,
        payload={
            "rule": job.outcome_rule,
            "exit_code": job.exit_code,
            "manifest_sha256": hashlib.sha256(job.manifest.encode()).hexdigest(),
        },
    )


def _finish(job: Job, event: str, *, rule: str | None, detail: str) -> None:
    _transition(job, event)
    job.finished_at, job.outcome_rule, job.outcome_detail = clock.now(), rule, detail


def _failure(outcome: isolation.Outcome, limits: rules.Limits) -> dict[str, str]:
    if outcome.timed_out:
        return {"rule": "job.time-limit", "detail": f"The run passed its {limits.wall_seconds:g} s and was stopped."}
    by_signal = {
        "SIGXCPU": ("job.cpu-limit", f"The run used its {limits.cpu_seconds} s of CPU time."),
        "SIGKILL": ("job.killed", "The run was killed (CPU or memory limit)."),
        "SIGXFSZ": ("job.file-size-limit", f"The run wrote a file larger than {limits.file_bytes} bytes."),
    }
    rule, detail = by_signal.get(
        outcome.signal_name or "", ("job.exit-code", f"The run ended with exit code {outcome.exit_code}.")
    )
    if rule == "job.exit-code" and ("File size limit exceeded" in outcome.log or "OSError: [Errno 27]" in outcome.log):
        rule, detail = "job.file-size-limit", f"The run wrote a file larger than {limits.file_bytes} bytes."
    return {"rule": rule, "detail": detail}


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
    problems, files = [], []
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


def _require_releaser(principal: Principal, job: Job) -> None:
    if not identity.may(principal, "job.release", organisation_id=job.operator_id):
        raise PermissionDenied("job.releaser", "Only the operator's reviewer and the bureau release a job's output.")


def release(session: Session, *, principal: Principal, job_id: int) -> Job:
    """One of the two releases a held output needs: the operator's reviewer and the bureau, in either order."""
    job = get(session, principal=principal, job_id=job_id)
    _require_releaser(principal, job)
    if job.state != "held":
        raise StateRefused("job.transition", f"A job that is {job.state} has no output to release.")
    now = clock.now()
    if principal.organisation_kind == "bureau":
        job.bureau_released_by, job.bureau_released_at = principal.user_id, now
    else:
        job.operator_released_by, job.operator_released_at = principal.user_id, now
    if job.bureau_released_at and job.operator_released_at:
        _transition(job, "release")
    ledger.record(
        session,
        actor=principal.actor,
        action="job.release",
        subject=job,
        payload={
            "by": principal.organisation_kind,
            "manifest_sha256": hashlib.sha256(job.manifest.encode()).hexdigest(),
        },
    )
    return job


def withhold(session: Session, *, principal: Principal, job_id: int, reason: str) -> Job:
    job = get(session, principal=principal, job_id=job_id)
    _require_releaser(principal, job)
    if not reason.strip():
        raise InvalidInput("job.withhold-reason", "Say why the output is withheld.")
    _transition(job, "withhold")
    job.outcome_rule, job.outcome_detail = "job.withheld", reason.strip()
    ledger.record(
        session, actor=principal.actor, action="job.withhold", subject=job, payload={"reason": job.outcome_detail}
    )
    return job


def download(session: Session, *, principal: Principal, job_id: int, domain_dir: Path) -> bytes:
    """The released outputs (and the run's log) as a zip, for the submitter's organisation only; the download is
    recorded before the bytes leave, and the bytes are the ones whose digests were checked and released."""
    job = get(session, principal=principal, job_id=job_id)
    if principal.organisation_id != job.organisation_id:
        raise PermissionDenied("job.not-submitter", "Only the organisation that submitted a job downloads its output.")
    if job.state != "released":
        raise StateRefused(
            "job.not-released",
            "Outputs leave the domain only after the operator's reviewer and the bureau release them.",
        )
    space, manifest = workspace(domain_dir, job.id), json.loads(job.manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in manifest["files"]:
            content = (space.output / item["name"]).read_bytes()
            if hashlib.sha256(content).hexdigest() != item["sha256"]:
                raise StateRefused(
                    "job.output-changed", f"{item['name']} differs from what was released; nothing was sent."
                )
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


def log_of(session: Session, *, principal: Principal, job_id: int, domain_dir: Path) -> str:
    """The run's log: the reviewers read it before release; the submitter only once released."""
    job = get(session, principal=principal, job_id=job_id)
    reviewer = identity.may(principal, "job.release", organisation_id=job.operator_id)
    if not reviewer and job.state != "released":
        raise PermissionDenied(
            "job.log-held",
            "The run's log comes from the real data: it is held with the outputs until they are released.",
        )
    path = workspace(domain_dir, job.id).log
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


PREVIEW_BYTES = 4096


def previews_of(session: Session, *, principal: Principal, job_id: int, domain_dir: Path) -> dict[str, str]:
    """The start of each output, for the people who release it (and the submitter once released). Only outputs
    that passed the automatic checks are shown: a blocked output may hold exactly what must not be seen."""
    job = get(session, principal=principal, job_id=job_id)
    releaser = identity.may(principal, "job.release", organisation_id=job.operator_id)
    if job.state not in ("held", "released", "withheld") or not (releaser or job.state == "released"):
        return {}
    output = workspace(domain_dir, job.id).output
    return {
        item["name"]: (output / item["name"]).read_bytes()[:PREVIEW_BYTES].decode("utf-8", errors="replace")
        for item in json.loads(job.manifest).get("files", [])
        if not item["name"].endswith(".parquet")
    }


def record_of(session: Session, *, principal: Principal, job_id: int) -> dict[str, Any]:
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


def record_document(session: Session, *, principal: Principal, job_id: int) -> str:
    """The run record as the JSON file people download."""
    return json.dumps(record_of(session, principal=principal, job_id=job_id), ensure_ascii=False, indent=2, default=str)


# --- development on mock data ----------------------------------------------------------------------------


def dev_run(
    session: Session,
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
    contract, terms = contract_for_use(session, principal=principal, contract_id=contract_id, developing=True)
    refusal = contracts.refusal_before_call(contract)
    if refusal:
        raise contracts.ContractRefused(*refusal)
    policy, _ = policy_for(session, terms)
    checked = _checked_code(kind, code, requirements, policy)
    tables = _paths(mock_tables(session, terms=terms, domain_dir=domain_dir, mock_dir=mock_dir), mock_dir)
    ledger.record(
        session,
        actor=principal.actor,
        action="sandbox.dev-run",
        subject=f"contract:{contract_id}",
        payload={"kind": kind, "code_sha256": hashlib.sha256(code.encode("utf-8")).hexdigest(), "data": "mock"},
    )
    session.commit()
    space = Workspace(
        work_dir
        / f"dev-{principal.user_id}-{hashlib.sha256(code.encode()).hexdigest()[:12]}-{clock.now().timestamp():.0f}"
    )
    try:
        outcome = run_isolated(kind, checked, tables=tables, space=space, limits=rules.DEV_LIMITS)
        files = [
            {
                "name": path.name,
                "bytes": path.stat().st_size,
                "preview": path.read_bytes()[:4096].decode("utf-8", errors="replace"),
            }
            for path in sorted(space.output.iterdir())
            if path.is_file() and not path.is_symlink()
        ]
        return {
            "exit_code": outcome.exit_code,
            "timed_out": outcome.timed_out,
            "log": outcome.log,
            "files": files,
            "tables": sorted(tables),
        }
    finally:
        shutil.rmtree(space.root, ignore_errors=True)
