"""Running a consumer's SQL under a contract: the hot path of DESIGN.md §5.

route → identity (who) → authorization (the operator's scope, first) → contract (state, window) → SQL checks
→ engine (next to the data, locked down) → contract counters and the ledger entry, in one transaction →
the answer. A refusal at any step is recorded and names its rule.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from sqlalchemy.orm import Session

from pubdata.authorization import service as authorization
from pubdata.catalog import service as catalog
from pubdata.contracts import service as contracts
from pubdata.contracts.models import Contract
from pubdata.engines.base import Engine, EngineRefused, Limits, Result, TableRef
from pubdata.identity.service import Principal
from pubdata.ledger import service as ledger
from pubdata.privacy import dp
from pubdata.privacy import service as privacy
from pubdata.queries import checks as sql_checks
from pubdata.queries import mock

QUERY_TIMEOUT_SECONDS = 30.0
DEV_MAX_ROWS = 1000
UNIT_FORMATS = ("resident_id", "credit_code")


def table_name(code: str) -> str:
    """How a resource is named in SQL: ``CZ-RK-0001`` → ``cz_rk_0001``."""
    return code.lower().replace("-", "_")


def policy_for(session: Session, terms: dict) -> tuple[sql_checks.Policy, dict[str, TableRef]]:
    """The contract's tables as the checks see them, and the data versions behind them."""
    tables, refs, units = {}, {}, {}
    for code in terms["resources"]:
        fields, file = catalog.data_of(session, code=code)
        name = table_name(code)
        tables[name] = {spec.name: spec.sensitivity for spec in fields}
        refs[name] = TableRef(name, file)
        unit = next((spec.name for spec in fields if spec.format in UNIT_FORMATS), None)
        if unit:
            units[name] = unit
    policy = sql_checks.Policy(
        tables=tables,
        dimensions=frozenset(terms["dimensions"]),
        privacy_units=units,
        min_group_size=terms["min_group_size"],
    )
    return policy, refs


def with_keys(policy: sql_checks.Policy, tables: dict[str, TableRef], engine: Engine) -> sql_checks.Policy:
    """Mark the tables whose privacy unit is a key (one row per person), so small groups are counted without
    DISTINCT. The engine finds out once per file, which can take a while: call this holding no transaction."""
    unique = frozenset(name for name, unit in policy.privacy_units.items() if engine.is_unique(tables[name], unit))
    return dataclasses.replace(policy, unique_units=unique)


def _refused(session: Session, principal: Principal, contract_id: int, error: Exception) -> Exception:
    """Record a refusal (in its own transaction, since the call itself fails) and hand the error back."""
    session.rollback()
    ledger.record(
        session,
        actor=principal.actor,
        action="sandbox.query-refused",
        subject=f"contract:{contract_id}",
        payload={"rule": getattr(error, "rule", type(error).__name__)},
    )
    session.commit()
    return error


def scope_holders(operator_id: int, organisation_id: int, organisation_kind: str) -> list[int]:
    """Whose authorization must cover a use of the data: the operator's, and a partner's own when a partner uses it."""
    return [operator_id] + ([organisation_id] if organisation_kind == "partner" else [])


def contract_for_use(
    session: Session, *, principal: Principal, contract_id: int, developing: bool = False
) -> tuple[Contract, dict]:
    """The contract a call runs under, and its terms, once the authorization scope has been checked.

    Only the assignee uses the real data; in development (mock data) the operator that offered the contract may
    too. The scope comes first: the operator's, and a partner's own when a partner is the caller.
    """
    contract = contracts.get(session, principal=principal, contract_id=contract_id)
    users = (contract.assignee_id, contract.assigner_id) if developing else (contract.assignee_id,)
    if principal.organisation_id not in users:
        raise contracts.ContractRefused("contract.not-assignee", "Only the contract's assignee uses data under it.")
    terms = contracts.terms_of(contract)
    for organisation_id in scope_holders(contract.assigner_id, principal.organisation_id, principal.organisation_kind):
        for code in terms["resources"]:
            authorization.require_use(session, actor=principal.actor, organisation_id=organisation_id, code=code)
    return contract, terms


def mock_tables(session: Session, *, terms: dict, domain_dir: Path, mock_dir: Path) -> dict[str, TableRef]:
    """The contract's tables as mock data (made once per data version, in the mock store), for development."""
    tables = {}
    for code in terms["resources"]:
        fields, file = catalog.data_of(session, code=code)
        name = table_name(code)
        mock_file = f"{name}-{Path(file).stem}.parquet"
        if not (mock_dir / mock_file).exists():
            mock.write_mock(
                fields=fields,
                real_path=domain_dir / file,
                target=mock_dir / mock_file,
                min_group_size=terms["min_group_size"],
            )
        tables[name] = TableRef(name, mock_file)
    return tables


def run_query(session: Session, *, principal: Principal, contract_id: int, sql: str, engine: Engine) -> Result:
    contract, terms = contract_for_use(session, principal=principal, contract_id=contract_id)
    refusal = contracts.refusal_before_call(contract)
    try:
        if refusal:
            raise contracts.ContractRefused(*refusal)
        policy, tables = policy_for(session, terms)
        session.rollback()  # the control plane is not read again until the charge
        policy = with_keys(policy, tables, engine)
        if terms["output_rule"] == "dp":
            return _run_dp(
                session,
                principal=principal,
                contract_id=contract_id,
                sql=sql,
                terms=terms,
                policy=policy,
                tables=tables,
                engine=engine,
            )
        checked = sql_checks.check(sql, policy)
    except (contracts.ContractRefused, sql_checks.QueryRefused, dp.DpRefused, EngineRefused) as error:
        raise _refused(session, principal, contract_id, error) from None
    try:
        result = engine.run(
            checked.query, tables=list(tables.values()), limits=Limits(QUERY_TIMEOUT_SECONDS, terms["max_rows"])
        )
    except EngineRefused as error:
        raise _refused(session, principal, contract_id, error) from None
    digest = hashlib.sha256(sql.encode("utf-8")).hexdigest()
    contracts.charge(
        session,
        actor=principal.actor,
        contract_id=contract_id,
        rows=len(result.rows),
        epsilon_micro=0,
        payload={"sql_sha256": digest, "rows": len(result.rows), "outputs": [o.name for o in checked.outputs]},
    )
    return result


def _run_dp(
    session: Session,
    *,
    principal: Principal,
    contract_id: int,
    sql: str,
    terms: dict,
    policy: sql_checks.Policy,
    tables: dict[str, TableRef],
    engine: Engine,
) -> Result:
    """Bounded aggregates from the engine, noise from OpenDP, ε charged before release, repeats from the cache."""
    tree, _ = sql_checks.analyse(sql, policy)
    source = tree.args["from_"].this if tree.args.get("from_") else None
    unit_table = getattr(source, "name", None)
    if unit_table not in policy.privacy_units:
        raise sql_checks.QueryRefused(
            "sql.dp-shape", "A differentially private query reads one table of persons or entities."
        )
    plan = dp.plan(
        tree,
        unit_table=unit_table,
        unit=policy.privacy_units[unit_table],
        bounds={k: tuple(v) for k, v in terms.get("bounds", {}).items()},
        cap=terms.get("max_contributions", 1),
        one_row_each=unit_table in policy.unique_units,
    )
    digest = hashlib.sha256(plan.sql.encode("utf-8")).hexdigest()
    cached = privacy.released_answer(session, contract_id=contract_id, query_digest=digest)
    if cached is not None:
        ledger.record(
            session,
            actor=principal.actor,
            action="sandbox.dp-repeat",
            subject=f"contract:{contract_id}",
            payload={"query": digest},
        )
        columns, rows = cached
        return Result(columns, [tuple(row) for row in rows])
    session.rollback()  # no transaction is held while the engine runs
    raw = engine.run(plan.query, tables=list(tables.values()), limits=Limits(QUERY_TIMEOUT_SECONDS, terms["max_rows"]))
    columns, rows = dp.release(
        plan, raw.columns, raw.rows, epsilon=terms["epsilon_per_query"], delta=terms.get("delta")
    )
    epsilon_micro = round(terms["epsilon_per_query"] * contracts.rules.MICRO)
    contracts.charge(
        session,
        actor=principal.actor,
        contract_id=contract_id,
        rows=len(rows),
        epsilon_micro=epsilon_micro,
        payload={"query": digest, "rows": len(rows), "epsilon": terms["epsilon_per_query"]},
    )
    privacy.keep_answer(session, contract_id=contract_id, query_digest=digest, columns=columns, rows=rows)
    return Result(columns, [tuple(row) for row in rows])


def dev_query(
    session: Session,
    *,
    principal: Principal,
    contract_id: int,
    sql: str,
    domain_dir: Path,
    mock_dir: Path,
    engine: Engine,
) -> Result:
    """SQL on mock data, for development: no output rule (nothing real to protect), the engine's walls still up."""
    contract, terms = contract_for_use(session, principal=principal, contract_id=contract_id, developing=True)
    refusal = contracts.refusal_before_call(contract)
    if refusal:
        raise contracts.ContractRefused(*refusal)
    query = sql_checks.parse_single_select(sql)  # nothing is checked on mock data, but the engine takes a tree
    tables = mock_tables(session, terms=terms, domain_dir=domain_dir, mock_dir=mock_dir)
    ledger.record(
        session,
        actor=principal.actor,
        action="sandbox.dev-query",
        subject=f"contract:{contract_id}",
        payload={"sql_sha256": hashlib.sha256(sql.encode("utf-8")).hexdigest(), "data": "mock"},
    )
    session.commit()  # recorded before it runs, and no transaction is held while the engine runs
    return engine.run(query, tables=list(tables.values()), limits=Limits(QUERY_TIMEOUT_SECONDS, DEV_MAX_ROWS))
