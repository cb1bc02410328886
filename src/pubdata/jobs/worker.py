"""The job worker (作业运行): take the oldest approved job, run it isolated holding no transaction, record its
outcome. A job only becomes ``held`` after every check has passed in the transaction that records its outputs,
so a crash can leave a job ``running`` (``recover`` runs it again, or fails it) but never half released."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.authorization import scope
from pubdata.catalog import integrity
from pubdata.catalog import service as catalog
from pubdata.common import clock, messages
from pubdata.common.actor import SYSTEM, Actor
from pubdata.common.errors import Refused
from pubdata.contracts import service as contracts
from pubdata.db import UnitOfWork
from pubdata.engines import files
from pubdata.engines.base import TableRef
from pubdata.engines.duckdb import locked_connection, quote
from pubdata.identity import service as identity
from pubdata.identity.access import PlatformItself
from pubdata.jobs import isolation, rules
from pubdata.jobs.models import Job
from pubdata.jobs.outputs import Context, Workspace, check_outputs, log_preview, read_declared, workspace
from pubdata.jobs.schemas import DeclaredOutput
from pubdata.ledger import service as ledger
from pubdata.queries import service as queries

SQL_RUNNER = """\
import duckdb, json
spec = json.load(open("/job/spec.json"))
con = duckdb.connect()
for name in spec["tables"]:
    con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('/data/{name}.parquet')")
options = {"csv": "(HEADER)", "parquet": "(FORMAT parquet)", "json": "(FORMAT json)"}[spec["format"]]
con.execute(f"COPY ({spec['sql']}) TO '/output/{spec['output']}' {options}")
print("written")
"""
PROTECTED_FORMATS = ("resident_id", "mobile", "person_name")
PROTECTED_VALUES = 2_000_000  # per column: what the worker holds to look outputs up against
WORKER = PlatformItself(SYSTEM)


def outcome(rule: str, **params: object) -> str:
    """How a finished run is described with it, from the registry (kept in English, as the run record has it)."""
    return messages.refusal(rule).sentence("en", params)


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
    outputs: tuple[DeclaredOutput, ...] = ()
    # (table file, column, format) of every identifying column of the contract's data, and the names of its
    # sensitive fields: what the output check looks up and masks.
    identifying: tuple[tuple[Path, str, str], ...] = ()
    sensitive: frozenset[str] = frozenset()


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
        for table in refs.values():  # before the call is counted: a damaged file is refused, free
            files.check(domain_dir / table.file, table.recorded)
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
        if isinstance(error, files.DataDamaged):
            integrity.raise_alert(session, error.damage)
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
    declared = tuple(read_declared(job.outputs))
    names = [column.name for column in declared[0].columns] if declared else []
    code = queries.job_sql(job.code, policy, names) if job.kind == "sql" else job.code
    identifying, sensitive = [], set()
    for code_name in terms.resources:
        fields, recorded = catalog.data_of(session, code=code_name)
        sensitive |= {spec.name for spec in fields if spec.sensitivity != "none" or spec.format}
        identifying += [
            (domain_dir / recorded.file, spec.name, str(spec.format))
            for spec in fields
            if spec.format in PROTECTED_FORMATS
        ]
    return Started(
        job.id,
        job.kind,
        code,
        table_paths(refs, domain_dir),
        terms.min_group_size,
        declared,
        tuple(identifying),
        frozenset(sensitive),
    )


def protected_values(identifying: tuple[tuple[Path, str, str], ...]) -> rules.Protected:
    """The contract's real identifiers, read next to the data by a DuckDB that may open those files only and
    has a memory limit; held by the worker for one check, never written anywhere, never shown."""
    found: dict[str, list[str]] = {"resident_id": [], "mobile": [], "person_name": []}
    if not identifying:
        return rules.NO_PROTECTED
    con = locked_connection(sorted({path for path, _, _ in identifying}), memory_limit="512MB")
    try:
        for path, column, kind in identifying:
            rows = con.execute(
                f"SELECT DISTINCT CAST({quote(column)} AS VARCHAR) FROM read_parquet(?) "
                f"WHERE {quote(column)} IS NOT NULL LIMIT {PROTECTED_VALUES}",
                [str(path.resolve())],
            ).fetchall()
            found[kind] += [row[0] for row in rows]
    finally:
        con.close()
    return rules.Protected.of(found["resident_id"], found["mobile"], found["person_name"])


def table_paths(tables: dict[str, TableRef], store: Path) -> dict[str, Path]:
    """Where a run finds its tables: the isolated run reads the files themselves, mounted read-only."""
    return {name: store / table.file for name, table in tables.items()}


def _require_scope_still(session: Session, job: Job, resources: tuple[str, ...]) -> None:
    """A job approved before an exit or a scope change must not run after it: the scope is checked again."""
    scope.require_uses(
        session,
        actor=None,  # the job's failure is recorded, with this rule, as the job's own entry
        operator_id=job.operator_id,
        organisation_id=job.organisation_id,
        organisation_kind=identity.organisation_kind(session, job.organisation_id) or "",
        codes=resources,
    )


def run_isolated(
    kind: str,
    code: str,
    *,
    tables: dict[str, Path],
    space: Workspace,
    limits: rules.Limits,
    outputs: tuple[DeclaredOutput, ...] = (),
) -> isolation.Outcome:
    """Write a run's files and run it isolated: a script as it is, SQL (already checked) through a small runner
    that writes the one declared table. ``/job/outputs.json`` names the files the run is to write."""
    space.root.mkdir(parents=True, exist_ok=True)
    names = [rules.output_name(index, output.format) for index, output in enumerate(outputs)]
    extra = {"outputs.json": space.root / "outputs.json"}
    extra["outputs.json"].write_text(json.dumps(names), encoding="utf-8")
    if kind == "sql":
        space.script.write_text(SQL_RUNNER, encoding="utf-8")
        extra["spec.json"] = space.root / "spec.json"
        output_format = outputs[0].format if outputs else "csv"
        spec = {"sql": code, "tables": sorted(tables), "format": output_format, "output": f"output-1.{output_format}"}
        extra["spec.json"].write_text(json.dumps(spec), encoding="utf-8")
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
            started.kind, started.code, tables=started.tables, space=space, limits=limits, outputs=started.outputs
        )
    except isolation.IsolationUnavailable as error:
        ran = error
    manifest: dict[str, Any]
    context = Context(protected_values(started.identifying), started.sensitive, started.min_group_size, limits)
    if isinstance(ran, isolation.IsolationUnavailable) or ran.exit_code != 0 or ran.timed_out:
        manifest, passed = {"run": secrets.token_hex(16), "log_preview": log_preview(space, context)}, False
    else:  # checked with no transaction open: reading a large output takes a while
        manifest, passed = check_outputs(space, started.outputs, limits=limits, context=context)
    with units.command() as session:
        job = session.get(Job, started.job_id)
        assert job is not None
        _record_outcome(session, job, ran, limits, manifest, passed)
    return Ran(started.job_id, getattr(ran, "run_uid", None))


def _record_outcome(
    session: Session,
    job: Job,
    ran: isolation.Outcome | isolation.IsolationUnavailable,
    limits: rules.Limits,
    manifest: dict[str, Any],
    passed: bool,
) -> None:
    job.manifest = json.dumps(manifest, ensure_ascii=False)
    if isinstance(ran, isolation.IsolationUnavailable):
        _finish(job, "fail", rule=ran.rule, detail=ran.detail_in("en"))
    elif ran.exit_code != 0 or ran.timed_out:
        job.exit_code = ran.exit_code
        _finish(job, "fail", **_failure(ran, limits))
    else:
        job.exit_code = 0
        if passed:
            _finish(job, "hold", rule=None, detail="")
        else:
            _finish(job, "block", rule="job.output-check", detail=outcome("job.output-check"))
    # The entry names the outcome by its action and pins the manifest by a digest that a random run id makes
    # unguessable: an outcome's details (exit code, findings) are not in the ledger, whose digests anyone reads.
    ledger.record(
        session,
        actor=SYSTEM,
        action=f"job.{rules.OUTCOME_EVENTS[job.state]}",
        subject=job,
        payload={"manifest_sha256": hashlib.sha256(job.manifest.encode()).hexdigest()},
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
