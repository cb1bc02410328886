"""Running a consumer's SQL under a contract: the hot path of DESIGN.md §5.

route → identity (who, one query) → **read step** (``contracts.open_use``: the contract's state and window,
the authorization scope; the catalogue's fields and files) → checks (the policy, then the SQL) → engine (next
to the data, locked down, holding no transaction) → **write step** (one command: the contract's counters and
the call's ledger entry) → the answer. A refusal at any step names its rule; a refused call is recorded.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pubdata.catalog import service as catalog
from pubdata.common.errors import RefusalEntry
from pubdata.contracts import rules as contract_rules
from pubdata.contracts import service as contracts
from pubdata.contracts.schemas import Terms
from pubdata.db import UnitOfWork
from pubdata.engines.base import Engine, EngineRefused, Limits, Result, TableRef
from pubdata.identity.access import Principal
from pubdata.ledger import service as ledger
from pubdata.privacy import dp
from pubdata.privacy import service as privacy
from pubdata.queries import checks as sql_checks
from pubdata.queries import mock

QUERY_TIMEOUT_SECONDS = 30.0
DEV_MAX_ROWS = 1000
UNIT_FORMATS = ("resident_id", "credit_code")
# What a refused call is: the contract said no, the checks said no, or the engine stopped it.
CALL_REFUSALS = (contracts.ContractRefused, sql_checks.QueryRefused, dp.DpRefused, EngineRefused)


def table_name(code: str) -> str:
    """How a resource is named in SQL: ``CZ-RK-0001`` → ``cz_rk_0001``."""
    return code.lower().replace("-", "_")


def policy_for(session: Session, terms: Terms) -> tuple[sql_checks.Policy, dict[str, TableRef]]:
    """The contract's tables as the checks see them, and the data versions behind them."""
    tables: dict[str, dict[str, str]] = {}
    refs: dict[str, TableRef] = {}
    units: dict[str, str] = {}
    for code in terms.resources:
        fields, file = catalog.data_of(session, code=code)
        name = table_name(code)
        tables[name] = {spec.name: spec.sensitivity for spec in fields}
        refs[name] = TableRef(name, file)
        unit = next((spec.name for spec in fields if spec.format in UNIT_FORMATS), None)
        if unit:
            units[name] = unit
    policy = sql_checks.Policy(
        tables=tables,
        dimensions=frozenset(terms.dimensions),
        privacy_units=units,
        min_group_size=terms.min_group_size,
    )
    return policy, refs


def with_keys(policy: sql_checks.Policy, tables: dict[str, TableRef], engine: Engine) -> sql_checks.Policy:
    """Mark the tables whose privacy unit is a key (one row per person), so small groups are counted without
    DISTINCT. The engine finds out once per file, which can take a while: call this holding no transaction."""
    unique = frozenset(name for name, unit in policy.privacy_units.items() if engine.is_unique(tables[name], unit))
    return dataclasses.replace(policy, unique_units=unique)


@contextmanager
def _recorded_as_refused_call(principal: Principal, contract_id: int) -> Iterator[None]:
    """A call refused by its contract, the checks or the engine is kept in the ledger under the contract."""
    try:
        yield
    except CALL_REFUSALS as error:
        if error.entry is None:
            error.recorded(
                RefusalEntry(principal.actor, "sandbox.query-refused", f"contract:{contract_id}", {"rule": error.rule})
            )
        raise


def run_query(units: UnitOfWork, *, principal: Principal, contract_id: int, sql: str, engine: Engine) -> Result:
    """One governed query: the read step, the checks and the engine holding no transaction, the write step."""
    with units.read() as session, _recorded_as_refused_call(principal, contract_id):
        use = contracts.open_use(session, principal=principal, contract_id=contract_id)
        policy, tables = policy_for(session, use.terms)
    with units.recording(), _recorded_as_refused_call(principal, contract_id):
        policy = with_keys(policy, tables, engine)
        if use.terms.is_dp:
            answer = _dp_answer(units, use=use, sql=sql, policy=policy, tables=tables, engine=engine)
        else:
            checked = sql_checks.check(sql, policy)
            result = engine.run(
                checked.query, tables=list(tables.values()), limits=Limits(QUERY_TIMEOUT_SECONDS, use.terms.max_rows)
            )
    if use.terms.is_dp:
        return _release_dp(units, principal=principal, use=use, answer=answer)
    with units.command() as session:
        contracts.charge(
            session,
            actor=principal.actor,
            contract_id=contract_id,
            rows=len(result.rows),
            epsilon_micro=0,
            payload={
                "sql_sha256": hashlib.sha256(sql.encode("utf-8")).hexdigest(),
                "rows": len(result.rows),
                "outputs": [output.name for output in checked.outputs],
            },
        )
    return result


@dataclasses.dataclass(frozen=True)
class _DpAnswer:
    digest: str
    columns: list[str]
    rows: list[list]
    released_before: bool


def _dp_answer(
    units: UnitOfWork,
    *,
    use: contracts.Use,
    sql: str,
    policy: sql_checks.Policy,
    tables: dict[str, TableRef],
    engine: Engine,
) -> _DpAnswer:
    """Bounded aggregates from the engine and noise from OpenDP — or the answer already released for the same
    question, which is never computed and noised again."""
    terms = use.terms
    tree, _ = sql_checks.analyse(sql, policy)
    source = tree.args["from_"].this if tree.args.get("from_") else None
    unit_table = getattr(source, "name", None)
    if unit_table not in policy.privacy_units:
        raise dp.DpRefused("sql.dp-shape")
    plan = dp.plan(
        tree,
        unit_table=unit_table,
        unit=policy.privacy_units[unit_table],
        bounds=dict(terms.bounds),
        cap=terms.max_contributions,
        one_row_each=unit_table in policy.unique_units,
    )
    digest = hashlib.sha256(plan.sql.encode("utf-8")).hexdigest()
    with units.read() as session:
        released = _released(session, use, digest)
    if released is not None:
        return released
    assert terms.epsilon_per_query is not None  # a DP contract's terms always carry it (rules.terms_problems)
    raw = engine.run(plan.query, tables=list(tables.values()), limits=Limits(QUERY_TIMEOUT_SECONDS, terms.max_rows))
    columns, rows = dp.release(plan, raw.columns, raw.rows, epsilon=terms.epsilon_per_query, delta=terms.delta)
    return _DpAnswer(digest, columns, rows, released_before=False)


def _release_dp(units: UnitOfWork, *, principal: Principal, use: contracts.Use, answer: _DpAnswer) -> Result:
    """A repeat is recorded as one; a new answer spends its ε (never past the budget) and is kept — unless a
    concurrent call released the same question first: then that answer is the answer, and nothing is spent."""
    if not answer.released_before:
        try:
            with units.command() as session:
                released = _released(session, use, answer.digest)
                if released is None:
                    _spend_and_keep(session, principal=principal, use=use, answer=answer)
                    return Result(answer.columns, [tuple(row) for row in answer.rows])
        except IntegrityError:  # PostgreSQL: both were in flight; the other kept its answer first
            with units.read() as session:
                released = _released(session, use, answer.digest)
            if released is None:
                raise
        answer = released
    with units.command() as session:
        ledger.record(
            session,
            actor=principal.actor,
            action="sandbox.dp-repeat",
            subject=f"contract:{use.contract_id}",
            payload={"query": answer.digest},
        )
    return Result(answer.columns, [tuple(row) for row in answer.rows])


def _released(session: Session, use: contracts.Use, digest: str) -> _DpAnswer | None:
    cached = privacy.released_answer(session, contract_id=use.contract_id, query_digest=digest)
    return None if cached is None else _DpAnswer(digest, cached[0], cached[1], released_before=True)


def _spend_and_keep(session: Session, *, principal: Principal, use: contracts.Use, answer: _DpAnswer) -> None:
    epsilon = use.terms.epsilon_per_query or 0.0
    contracts.charge(
        session,
        actor=principal.actor,
        contract_id=use.contract_id,
        rows=len(answer.rows),
        epsilon_micro=round(epsilon * contract_rules.MICRO),
        payload={"query": answer.digest, "rows": len(answer.rows), "epsilon": epsilon},
    )
    privacy.keep_answer(
        session, contract_id=use.contract_id, query_digest=answer.digest, columns=answer.columns, rows=answer.rows
    )


# --- development on mock data ------------------------------------------------------------------------


def mock_tables(session: Session, *, terms: Terms, domain_dir: Path, mock_dir: Path) -> dict[str, TableRef]:
    """The contract's tables as mock data (made once per data version, in the mock store), for development.
    Making one reads the real file's group-level profile: call this holding no write lock."""
    tables = {}
    for code in terms.resources:
        fields, file = catalog.data_of(session, code=code)
        name = table_name(code)
        mock_file = f"{name}-{Path(file).stem}.parquet"
        if not (mock_dir / mock_file).exists():
            mock.write_mock(
                fields=fields,
                real_path=domain_dir / file,
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
    """SQL on mock data, for development: no output rule (nothing real to protect), the engine's walls still up."""
    use = open_development(units, principal=principal, contract_id=contract_id)
    query = sql_checks.parse_single_select(sql)  # nothing is checked on mock data, but the engine takes a tree
    with units.read() as session:
        tables = mock_tables(session, terms=use.terms, domain_dir=domain_dir, mock_dir=mock_dir)
    with units.command() as session:  # recorded before it runs
        ledger.record(
            session,
            actor=principal.actor,
            action="sandbox.dev-query",
            subject=f"contract:{contract_id}",
            payload={"sql_sha256": hashlib.sha256(sql.encode("utf-8")).hexdigest(), "data": "mock"},
        )
    return engine.run(query, tables=list(tables.values()), limits=Limits(QUERY_TIMEOUT_SECONDS, DEV_MAX_ROWS))
