"""The query attack corpus's world: a contract's tables with real-looking residents, firms and loans, the
policy a contract gives them, and the reference checks an answer must pass.

The data is written to Parquet and read through the real ``DuckDBEngine``. A reference computation runs the
consumer's own SQL on plain DuckDB (no platform code in between) with each table's distinct units counted
beside its outputs, so "each released group has at least k units" is checked by DuckDB's semantics of the
query as written, not by the platform's reading of it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

from pubdata.engines.base import Limits, TableRef
from pubdata.engines.duckdb import DuckDBEngine
from pubdata.queries.planner import Field, Policy
from tests import data

K = 10
DISTRICTS = ("贵池区", "东至县", "青阳县")
LONE_DISTRICT = "石台县"  # three residents only: a group that must never be released
BANKS = ("池州农商行", "徽商银行", "建设银行")
INDUSTRIES = ("制造业", "批发和零售业", "建筑业")

F = Field
SCHEMAS: dict[str, dict[str, Field]] = {
    "people": {
        "id_number": F("string", "sensitive"),
        "full_name": F("string", "personal"),
        "mobile": F("string", "personal"),
        "gender": F("string", "personal"),
        "birth_date": F("date", "personal"),
        "district": F("string"),
        "township": F("string"),
        "registered": F("date"),
        "household_size": F("integer"),
        "income": F("decimal"),
    },
    "loans": {
        "id_number": F("string", "sensitive"),
        "bank": F("string"),
        "amount": F("decimal"),
        "opened": F("date"),
    },
    "firms": {
        "credit_code": F("string"),
        "name": F("string"),
        "legal_rep_id": F("string", "sensitive"),
        "legal_rep_name": F("string", "personal"),
        "industry": F("string"),
        "district": F("string"),
        "capital": F("decimal"),
    },
}
POLICY = Policy(
    tables=SCHEMAS,
    dimensions=frozenset({"district", "township", "registered", "bank", "opened", "industry"}),
    measures=frozenset({"household_size", "income", "amount", "capital"}),
    join_columns=frozenset({"id_number", "legal_rep_id"}),
    privacy_units={"people": "id_number", "loans": "id_number", "firms": "credit_code"},
    min_group_size=K,
    public_values={"district": (*DISTRICTS, LONE_DISTRICT)},
)


@dataclass(frozen=True)
class World:
    engine: DuckDBEngine
    tables: list[TableRef]
    plain: duckdb.DuckDBPyConnection  # the same rows, unprotected: for reference computations only
    secrets: frozenset[str]  # every ID number, name and mobile in the data
    policy: Policy

    def limits(self) -> Limits:
        return Limits(timeout_seconds=30, max_rows=10_000)


def _people(rng: random.Random) -> list[tuple]:
    rows = []
    for i in range(403):
        district = LONE_DISTRICT if i >= 400 else DISTRICTS[i % 3]
        township = "唯一镇" if i == 0 else f"{district[:2]}{i % 4}街道"  # one township with a single resident
        rows.append(
            (
                data.resident_id(rng),
                data.person_name(rng),
                data.mobile(rng) if i % 7 else None,
                "男" if i % 2 else "女",
                date(1950, 1, 1) + timedelta(days=rng.randrange(25_000)),
                district,
                township,
                date(2015, 1, 1) + timedelta(days=rng.randrange(3_000)),
                1 + i % 6,
                round(20_000 + rng.random() * 200_000, 2),
            )
        )
    return rows


def build(directory: Path) -> World:
    rng = random.Random(20261201)
    people = _people(rng)
    loans = [
        (person[0], BANKS[j % 3], round(1_000 + rng.random() * 500_000, 2), date(2020, 1, 1) + timedelta(days=j))
        for j, person in enumerate(people[:300])
        for _ in range(1 + j % 3)
    ]
    loans.append((people[401][0], "独家银行", 88_888.0, date(2021, 5, 5)))  # one borrower at one bank
    firms = [
        (
            data.credit_code(rng),
            f"池州{i}号实业有限公司",
            people[i][0],
            people[i][1],
            INDUSTRIES[i % 3],
            DISTRICTS[i % 3],
            round(rng.random() * 5_000, 2),
        )
        for i in range(90)
    ]
    plain = duckdb.connect()
    for name, rows in (("people", people), ("loans", loans), ("firms", firms)):
        columns = ", ".join(f"{column} {_sql_type(spec.type)}" for column, spec in SCHEMAS[name].items())
        plain.execute(f"CREATE TABLE {name} ({columns})")
        plain.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(SCHEMAS[name]))})", rows)
        plain.execute(f"COPY {name} TO '{directory / (name + '.parquet')}' (FORMAT parquet)")
    secrets = {value for row in people for value in row[:3] if value} | {row[3] for row in firms}
    engine = DuckDBEngine(store=directory)
    tables = [TableRef(name, f"{name}.parquet") for name in SCHEMAS]
    unique = frozenset(t.name for t in tables if engine.is_unique(t, POLICY.privacy_units[t.name]))
    from dataclasses import replace

    return World(engine, tables, plain, frozenset(secrets), replace(POLICY, unique_units=unique))


def _sql_type(type_: str) -> str:
    return {"string": "VARCHAR", "integer": "BIGINT", "decimal": "DOUBLE", "date": "DATE"}[type_]


def leaked(world: World, rows: list[tuple]) -> list[str]:
    """Every cell that is, or contains, a resident's ID number, name or mobile."""
    found = []
    for row in rows:
        for cell in row:
            text = str(cell)
            if text in world.secrets or any(len(s) > 8 and s in text for s in world.secrets):
                found.append(text)
    return found


def reference_groups(world: World, sql: str) -> list[tuple]:
    """The consumer's SQL as written, on plain DuckDB, without HAVING, ORDER BY or LIMIT, and with each
    table's distinct units counted after its outputs: what each group really holds."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    assert isinstance(tree, exp.Select)
    tables = [tree.args["from_"].this, *(join.this for join in tree.args.get("joins") or [])]
    counts = [
        exp.alias_(
            exp.Count(
                this=exp.Distinct(expressions=[exp.column(POLICY.privacy_units[t.name.lower()], table=t.alias_or_name)])
            ),
            f"units_{i}",
        )
        for i, t in enumerate(tables)
    ]
    for key in ("having", "order", "limit", "offset"):
        tree.set(key, None)
    group = tree.args.get("group")
    if group is not None and group.args.get("all"):
        keys = [projection.unalias().copy() for projection in tree.expressions if not projection.find(exp.AggFunc)]
        tree.set("group", exp.Group(expressions=keys) if keys else None)
    tree.set("expressions", [*tree.expressions, *counts])
    return world.plain.execute(tree.sql(dialect="duckdb")).fetchall()


def same(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)  # type: ignore[arg-type]
    return a == b


def released_groups_pass_k(world: World, sql: str, rows: list[tuple]) -> None:
    """Each released row is a real group of the query as written, and every table in it counts ≥ k units."""
    reference = reference_groups(world, sql)
    for row in rows:
        matches = [ref for ref in reference if all(same(a, b) for a, b in zip(row, ref, strict=False))]
        assert matches, f"a released row is not a group of the query: {row}"
        assert any(all(count >= K for count in ref[len(row) :]) for ref in matches), f"a group under k: {row}"
