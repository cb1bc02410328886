"""Running a consumer's SQL under a contract: the hot path of DESIGN.md §5.

route → identity (who, one query) → **read step** (``contracts.open_use``: the contract's state and window,
the authorization scope; the catalogue's fields and files) → **plan** (``queries.planner``: the SQL compiled
to a governed plan; a refusal here is free, specific and recorded) → **engine** (next to the data, locked
down, holding no transaction, running only SQL generated from the plan) → **write step** (one command: the
contract's counters and the call's ledger entry) → the answer.

No oracle: whatever reaches the engine is charged — a call and its rows, and under DP the query's ε, reserved
before the engine runs and never refunded — and an engine failure is one generic refusal.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlglot import exp

from pubdata.catalog import service as catalog
from pubdata.common import masking
from pubdata.common.errors import RefusalEntry, Refused
from pubdata.contracts import rules as contract_rules
from pubdata.contracts import service as contracts
from pubdata.contracts.schemas import Terms
from pubdata.db import UnitOfWork
from pubdata.engines import files
from pubdata.engines import plan as governed
from pubdata.engines.base import Engine, EngineRefused, Limits, Result, TableRef
from pubdata.engines.duckdb import sql_of as duckdb_sql_of
from pubdata.identity.access import Principal
from pubdata.ledger import service as ledger
from pubdata.privacy import dp
from pubdata.privacy import service as privacy
from pubdata.queries import console, mock, planner

QUERY_TIMEOUT_SECONDS = 30.0
OUTPUT_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")  # a job's declared column, as its schema allows
DEV_MAX_ROWS = 1000
# What a refused call is before it reaches the data: the contract said no, or the plan did.
# A damaged data file is refused before anything is spent, and kept under the contract like them.
CALL_REFUSALS = (
    contracts.ContractRefused,
    planner.QueryRefused,
    dp.DpRefused,
    governed.PlanInconsistent,
    files.DataDamaged,
)
Policy = planner.Policy


def table_name(code: str) -> str:
    """How a resource is named in SQL: ``CZ-RK-0001`` → ``cz_rk_0001``."""
    return code.lower().replace("-", "_")


def policy_for(session: Session, terms: Terms) -> tuple[planner.Policy, dict[str, TableRef]]:
    """The contract's tables as the planner sees them — published types and sensitivities, each column's
    role under the terms — and the data versions behind them."""
    tables: dict[str, dict[str, planner.Field]] = {}
    refs: dict[str, TableRef] = {}
    units: dict[str, str] = {}
    public: dict[str, tuple[str, ...]] = {}
    every = []
    for code in terms.resources:
        fields, recorded = catalog.data_of(session, code=code)
        name = table_name(code)
        tables[name] = {
            spec.name: planner.Field(spec.type, spec.sensitivity, spec.masking or "none") for spec in fields
        }
        refs[name] = TableRef(name, recorded.file, recorded)
        unit = next((spec.name for spec in fields if spec.format in contract_rules.UNIT_FORMATS), None)
        if unit:
            units[name] = unit
        public |= {spec.name: tuple(spec.values) for spec in fields if spec.values}
        every += fields
    roles = contract_rules.column_roles(terms, every)
    policy = planner.Policy(
        tables=tables,
        dimensions=roles.dimensions,
        measures=roles.measures,
        join_columns=roles.join_columns,
        privacy_units=units,
        min_group_size=terms.min_group_size,
        public_values=public,
    )
    return policy, refs


def schema_help(session: Session, terms: Terms) -> list[console.TableHelp]:
    """The contract's tables as the console explains them: the catalogue's labels and descriptions, and each
    column's role under the terms. A resource no longer in the public catalogue is left out."""
    found: list[tuple[str, Any]] = []
    for code in terms.resources:
        try:
            found.append((code, catalog.public_get(session, code=code)))
        except Refused:
            continue
    every = [spec for _, resource in found for spec in catalog.fields_of(resource)]
    return [
        console.table_help(table_name(code), code, resource.name, catalog.fields_of(resource), terms, every)
        for code, resource in found
    ]


def keyed_columns(session: Session, terms: Terms, engine: Engine) -> frozenset[tuple[str, str]]:
    """The (table, join column) pairs with one row per value, which a DP join needs: asked of the engine, so
    call this holding no write lock. A table without data yet has none."""
    try:
        policy, refs = policy_for(session, terms)
    except Refused:
        return frozenset()
    return frozenset(
        (name, column)
        for name in policy.tables
        for column in policy.join_columns
        if column in policy.tables[name] and engine.is_unique(refs[name], column)
    )


def replan(session: Session, terms: Terms, sql: str, *, mock: bool) -> governed.Plan | None:
    """The plan of a query that was answered, for its headers and chart: planning is pure and spends nothing."""
    try:
        policy, _ = policy_for(session, terms)
        return planner.plan(sql, policy, mock=mock)
    except Refused:
        return None


def with_keys(policy: planner.Policy, tables: dict[str, TableRef], engine: Engine) -> planner.Policy:
    """Mark the tables whose privacy unit is a key (one row per person), so small groups are counted without
    DISTINCT. The engine finds out once per file, which can take a while: call this holding no transaction."""
    unique = frozenset(name for name, unit in policy.privacy_units.items() if engine.is_unique(tables[name], unit))
    return dataclasses.replace(policy, unique_units=unique)


@contextmanager
def _recorded_as_refused_call(principal: Principal, contract_id: int) -> Iterator[None]:
    """A call refused by its contract or its plan is kept in the ledger under the contract."""
    try:
        yield
    except CALL_REFUSALS as error:
        if error.entry is None:
            error.recorded(
                RefusalEntry(principal.actor, "sandbox.query-refused", f"contract:{contract_id}", {"rule": error.rule})
            )
        raise


def job_sql(sql: str, policy: planner.Policy, names: Sequence[str]) -> str:
    """A SQL job's query as it will run in the job's own DuckDB: planned like any query, generated from the
    plan (the submitted text never runs), small groups suppressed, its outputs named as the job declares."""
    plan = planner.plan(sql, policy)
    if len(names) != len(plan.outputs) or not all(OUTPUT_NAME.fullmatch(name) for name in names):
        raise planner.QueryRefused("sql.job-columns", outputs=len(plan.outputs), declared=len(names))
    return duckdb_sql_of(plan, names=tuple(names))


# Aggregates whose answer is one of the column's own values: shown as the column's values are.
VALUE_AGGREGATES = frozenset({"min", "max", "median", "quantile"})


def output_masking(plan: governed.Plan, policy: planner.Policy) -> list[str]:
    """Each output's masking rule, from the declaration of the column it shows: a column, a part of a date
    column, or an aggregate that answers with one of the column's values (min, max, median, a quantile).
    Counts, sums and means are new numbers, shown as they are; so is every non-sensitive column."""
    rules = []
    for output in plan.outputs:
        value = output.value
        col = (
            value
            if isinstance(value, governed.Col)
            else value.column
            if isinstance(value, governed.DatePart)
            else value.column
            if isinstance(value, governed.Aggregate) and value.function in VALUE_AGGREGATES
            else None
        )
        declared = policy.tables[plan.tables[col.table].name][col.name] if col is not None else None
        rules.append(declared.masking if declared is not None else "none")
    return rules


def masked(result: Result, plan: governed.Plan, policy: planner.Policy) -> Result:
    """A result as it may be shown: each column masked by its declaration (``output_masking``)."""
    rules = output_masking(plan, policy)
    if len(rules) != len(result.columns) or all(rule == "none" for rule in rules):
        return result
    return dataclasses.replace(result, rows=masking.mask_rows(result.rows, rules))


def plan_text(plan: governed.Plan) -> str:
    """The governed plan as the SQL the platform generates from it (tables by their catalogue names, every
    literal typed), each text literal shown as ``?``: what the ledger keeps of a call for the regulator and the
    auditor to read — which columns were filtered, grouped and aggregated, under which rule — beside the digests
    of what the consumer wrote and of a template's values, never the values themselves."""
    shape = governed.to_select(plan).transform(
        lambda node: exp.Placeholder() if isinstance(node, exp.Literal) and node.is_string else node
    )
    return shape.sql(dialect="duckdb")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_query(units: UnitOfWork, *, principal: Principal, contract_id: int, sql: str, engine: Engine) -> Result:
    """One governed query: the read step, the plan, the engine holding no transaction, the write step."""
    return run_planned(
        units,
        principal=principal,
        contract_id=contract_id,
        plan_of=lambda policy: planner.plan(sql, policy),
        payload={"sql_sha256": _digest(sql)},
        engine=engine,
    )


def run_planned(
    units: UnitOfWork,
    *,
    principal: Principal,
    contract_id: int,
    plan_of: Callable[[planner.Policy], governed.Plan],
    payload: dict[str, Any],
    engine: Engine,
    dp_payload: dict[str, Any] | None = None,
    check_terms: Callable[[Terms], None] | None = None,
) -> Result:
    """The one path of a governed call, whatever wrote its SQL (a consumer's query, a product's reviewed
    template): the read step, ``plan_of`` the contract's policy (planned, and bound for a template), the output
    rule — k or DP — the engine holding no transaction, the write step with ``payload`` in its ledger entry
    (``dp_payload`` added to a DP call's). ``check_terms`` may refuse the contract's terms (recorded)."""
    with units.read() as session, _recorded_as_refused_call(principal, contract_id):
        use = contracts.open_use(session, principal=principal, contract_id=contract_id)
        policy, tables = policy_for(session, use.terms)
        if check_terms is not None:
            check_terms(use.terms)
    with units.recording(), _recorded_as_refused_call(principal, contract_id):
        # Before anything is charged (a DP query spends its ε before the engine runs): a damaged file is
        # platform state, refused the same whatever the question, so the refusal is free (docs/integrity.md).
        engine.check(list(tables.values()))
        policy = with_keys(policy, tables, engine)
        plan = plan_of(policy)
        release = dp_release(plan, use.terms, policy, tables, engine) if use.terms.is_dp else None
    if release is not None:
        return _dp_query(
            units, principal=principal, use=use, release=release, tables=tables, engine=engine, payload=dp_payload
        )
    payload = payload | {"outputs": plan.columns, "plan": plan_text(plan)}
    try:
        with units.recording(), _recorded_as_refused_call(principal, contract_id):  # a failed self-check: free
            result = engine.run(plan, tables=list(tables.values()), limits=Limits(QUERY_TIMEOUT_SECONDS, use.rows_left))
    except EngineRefused:
        _charge(units, principal, use, rows=0, epsilon=0.0, payload=payload | {"outcome": "engine-failed"})
        raise
    _charge(units, principal, use, rows=len(result.rows), epsilon=0.0, payload=payload | {"rows": len(result.rows)})
    return masked(result, plan, policy)


def _charge(
    units: UnitOfWork, principal: Principal, use: contracts.Use, *, rows: int, epsilon: float, payload: dict
) -> None:
    with units.command() as session:
        contracts.charge(
            session,
            actor=principal.actor,
            contract_id=use.contract_id,
            rows=rows,
            epsilon_micro=round(epsilon * contract_rules.MICRO),
            payload=payload,
        )


def dp_release(
    plan: governed.Plan, terms: Terms, policy: planner.Policy, tables: dict[str, TableRef], engine: Engine
) -> dp.Release:
    """The bounded rewrite of a plan: joins only to tables keyed by what they are joined on."""
    keyed = frozenset(
        index
        for index, join in enumerate(plan.joins, start=1)
        if engine.is_unique(tables[plan.tables[index].name], join.pairs[0][1].name)
    )
    bounds = dict(terms.bounds)
    measured = {o.value.column for o in plan.outputs if isinstance(o.value, governed.Aggregate) and o.value.column}
    inside = frozenset(
        (col.table, col.name)
        for col in measured
        if col.name in bounds
        and _within(engine.value_range(tables[plan.tables[col.table].name], col.name), bounds[col.name])
    )
    return dp.plan(
        plan,
        bounds=bounds,
        inside=inside,
        cap=terms.max_contributions,
        keyed=keyed,
        one_row_each=plan.tables[0].name in policy.unique_units,
        public_values=policy.public_values,
        delta=terms.delta,
    )


def _within(found: tuple[float, float] | None, bounds: tuple[float, float]) -> bool:
    return found is not None and bounds[0] <= found[0] and found[1] <= bounds[1]


def _dp_query(
    units: UnitOfWork,
    *,
    principal: Principal,
    use: contracts.Use,
    release: dp.Release,
    tables: dict[str, TableRef],
    engine: Engine,
    payload: dict[str, Any] | None = None,
) -> Result:
    """A question asked before gets its released answer again, free: re-asking must not average the noise
    away. A new one reserves its ε before the engine runs — spent whatever happens next — and its answer is
    kept; if a concurrent call kept the same question's answer first, that answer is the answer."""
    # The question without its HAVING, ORDER BY and LIMIT: those are applied to the kept release on the way out.
    digest = _digest(repr((release.query, release.outputs, release.groups)))
    with _one_at_a_time(use.contract_id, digest):
        return _dp_answer(
            units,
            principal=principal,
            use=use,
            release=release,
            tables=tables,
            engine=engine,
            digest=digest,
            payload=payload or {},
        )


_QUESTIONS: weakref.WeakValueDictionary[tuple[int, str], threading.Lock] = weakref.WeakValueDictionary()
_QUESTIONS_LOCK = threading.Lock()


@contextmanager
def _one_at_a_time(contract_id: int, digest: str) -> Iterator[None]:
    """The same new question asked at once is computed once: the others wait and get its released answer as
    a repeat, instead of each reserving ε for an answer that will not be theirs. (Across server processes the
    kept answer is still the one answer; only ε may be reserved twice, never too little.)"""
    with _QUESTIONS_LOCK:
        lock = _QUESTIONS.get((contract_id, digest))
        if lock is None:
            lock = _QUESTIONS[(contract_id, digest)] = threading.Lock()
    with lock:
        yield


def _dp_answer(
    units: UnitOfWork,
    *,
    principal: Principal,
    use: contracts.Use,
    release: dp.Release,
    tables: dict[str, TableRef],
    engine: Engine,
    digest: str,
    payload: dict[str, Any],
) -> Result:
    with units.read() as session:
        answer = privacy.released_answer(session, contract_id=use.contract_id, query_digest=digest)
    if answer is not None:
        with units.command() as session:
            ledger.record(
                session,
                actor=principal.actor,
                action="sandbox.dp-repeat",
                subject=f"contract:{use.contract_id}",
                payload={"query": digest},
            )
        return _dp_result(dp.post_processed(release, answer))
    epsilon = use.terms.epsilon_per_query or 0.0
    with units.recording(), _recorded_as_refused_call(principal, use.contract_id):
        engine.sql_of(release.query)  # generated and self-checked before any ε is spent (then remembered)
    recorded = payload | {"query": digest, "epsilon": epsilon, "plan": plan_text(release.query)}
    _charge(units, principal, use, rows=0, epsilon=epsilon, payload=recorded)
    raw = engine.run(release.query, tables=list(tables.values()), limits=Limits(QUERY_TIMEOUT_SECONDS, use.rows_left))
    noisy = dp.release(release, raw.columns, raw.rows, epsilon=epsilon, delta=use.terms.delta)
    try:
        with units.command() as session:
            kept = privacy.keep_answer(session, contract_id=use.contract_id, query_digest=digest, answer=noisy)
            # About the kept answer itself (its state digest), so that an edited cache is found and refused.
            ledger.record(
                session,
                actor=principal.actor,
                action="sandbox.dp-release",
                subject=kept,
                payload={"contract": use.contract_id, "query": digest, "rows": len(noisy.rows)},
            )
    except IntegrityError:  # both were in flight; the other kept its answer first
        with units.read() as session:
            theirs = privacy.released_answer(session, contract_id=use.contract_id, query_digest=digest)
        if theirs is None:
            raise
        noisy = theirs
    return _dp_result(dp.post_processed(release, noisy))


def _dp_result(answer: dp.Answer) -> Result:
    return Result(answer.columns, [tuple(row) for row in answer.rows], privacy=answer.privacy)


# --- development on mock data ------------------------------------------------------------------------


def mock_tables(session: Session, *, terms: Terms, domain_dir: Path, mock_dir: Path) -> dict[str, TableRef]:
    """The contract's tables as mock data (made once per data version, in the mock store), for development.
    Making one reads the real file's group-level profile: call this holding no write lock."""
    tables = {}
    for code in terms.resources:
        fields, recorded = catalog.data_of(session, code=code)
        name = table_name(code)
        mock_file = f"{name}-{Path(recorded.file).stem}-m{mock.VERSION}.parquet"
        if not (mock_dir / mock_file).exists():
            files.check(domain_dir / recorded.file, recorded)  # its profile is read from the real file
            mock.write_mock(
                fields=fields,
                real_path=domain_dir / recorded.file,
                target=mock_dir / mock_file,
                min_group_size=terms.min_group_size,
            )
        tables[name] = TableRef(name, mock_file)
    return tables


def open_development(units: UnitOfWork, *, principal: Principal, contract_id: int) -> contracts.Use:
    """The read step of a development run: the caller may develop under the contract, now."""
    with units.read() as session:
        return contracts.open_use(session, principal=principal, contract_id=contract_id, permission="query.develop")


def dev_query(
    units: UnitOfWork,
    *,
    principal: Principal,
    contract_id: int,
    sql: str,
    domain_dir: Path,
    mock_dir: Path,
    engine: Engine,
) -> Result:
    """SQL on mock data, for development: the plan without the small-group rule (no real person to protect)."""
    use = open_development(units, principal=principal, contract_id=contract_id)
    with units.read() as session:
        policy, _ = policy_for(session, use.terms)
        tables = mock_tables(session, terms=use.terms, domain_dir=domain_dir, mock_dir=mock_dir)
    # The same grammar as on the real data, so what is written here runs there; on mock rows nothing is protected.
    plan = planner.plan(sql, policy, mock=True)
    with units.command() as session:  # recorded before it runs
        ledger.record(
            session,
            actor=principal.actor,
            action="sandbox.dev-query",
            subject=f"contract:{contract_id}",
            payload={"sql_sha256": _digest(sql), "data": "mock"},
        )
    result = engine.run(plan, tables=list(tables.values()), limits=Limits(QUERY_TIMEOUT_SECONDS, DEV_MAX_ROWS))
    # Mock rows are invented, but shown as the real ones would be: each column masked by its declaration.
    return masked(result, plan, policy)
