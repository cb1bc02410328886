"""A property of the planner, over queries generated from a grammar that nests the attacks' constructs at
random: whatever is accepted, the SQL generated for it reads a protected column only as a join key, in
COUNT(DISTINCT …) or in IS NULL; it leaks no ID number, name or mobile; and every released group passes k
by a reference computation on plain DuckDB. Whatever is refused is refused by a rule (never a crash).
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from pubdata.engines.duckdb import sql_of
from pubdata.queries.planner import QueryRefused, plan
from tests.queries import corpus

PROTECTED = {
    name: {column for column, spec in columns.items() if spec.protected} for name, columns in corpus.SCHEMAS.items()
}


@functools.cache
def world() -> corpus.World:
    return corpus.build(Path(tempfile.mkdtemp(prefix="plan-property-")))


TABLES = st.sampled_from([("people", "p"), ("loans", "l"), ("firms", "f")])
LITERALS = st.sampled_from(
    ["'贵池区'", "'唯一镇'", "'独家银行'", "1", "2.5", "DATE '2020-01-01'", "NULL", "TRUE", "'x'"]
)


def columns(alias: str, table: str) -> st.SearchStrategy[str]:
    names = list(corpus.SCHEMAS[table])
    return st.sampled_from(names).flatmap(
        lambda name: st.sampled_from([f"{alias}.{name}", name, f"{alias}.{name.upper()}", f'"{name}"'])
    )


def of_role(alias: str, table: str, role: frozenset[str]) -> st.SearchStrategy[str]:
    """Columns of a role under the policy, as a well-behaved query would name them."""
    names = [name for name in corpus.SCHEMAS[table] if name in role] or list(corpus.SCHEMAS[table])
    return st.sampled_from(names).flatmap(lambda name: st.sampled_from([f"{alias}.{name}", name]))


def mostly(good: st.SearchStrategy[str], other: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Three draws in four from ``good``: enough accepted queries to test, enough attacks among them."""
    return st.integers(0, 3).flatmap(lambda n: other if n == 3 else good)


@st.composite
def value(draw, alias: str, table: str, depth: int = 0) -> str:
    """A scalar: a column, a literal, the table alias itself, or a construct around smaller values."""
    leaf = st.one_of(columns(alias, table), LITERALS, st.just(alias))
    if depth >= 2 or draw(st.integers(0, 3)) < 3:  # a construct one time in four
        return draw(leaf)
    inner = value(alias, table, depth + 1)
    return draw(
        st.one_of(
            leaf,
            st.builds(lambda a: f"CAST({a} AS VARCHAR)", inner),
            st.builds(lambda a: f"lower({a})", inner),
            st.builds(lambda a: f"year({a})", inner),
            st.builds(lambda a, b: f"({a} + {b})", inner, inner),
            st.builds(lambda a, b: f"CASE WHEN {a} IS NULL THEN {b} ELSE 0 END", inner, inner),
            st.builds(lambda a: f"(SELECT max({a}) FROM {table})", inner),
            st.builds(lambda a: f"coalesce({a}, {a})", inner),
        )
    )


@st.composite
def aggregate(draw, alias: str, table: str) -> str:
    body = draw(mostly(of_role(alias, table, corpus.POLICY.measures), value(alias, table)))
    return draw(
        st.sampled_from(
            [
                "count(*)",
                f"count(DISTINCT {body})",
                f"sum({body})",
                f"avg({body})",
                f"min({body})",
                f"max({body})",
                f"median({body})",
                f"quantile_cont({body}, 0.5)",
                f"stddev({body})",
                f"string_agg({body}, ',')",
            ]
        )
    )


@st.composite
def condition(draw, alias: str, table: str, depth: int = 0) -> str:
    left = draw(mostly(of_role(alias, table, corpus.POLICY.dimensions), value(alias, table)))
    right = draw(st.one_of(LITERALS, value(alias, table)))
    simple = st.sampled_from(
        [
            f"{left} = {right}",
            f"{left} <> {right}",
            f"{left} > {right}",
            f"{left} IS NULL",
            f"{left} IS NOT NULL",
            f"{left} IN ({right}, {right})",
            f"{left} LIKE {right}",
            f"{left} BETWEEN {right} AND {right}",
        ]
    )
    if depth >= 2:
        return draw(simple)
    inner = condition(alias, table, depth + 1)
    return draw(
        st.one_of(
            simple,
            st.builds(lambda a, b: f"({a} AND {b})", inner, inner),
            st.builds(lambda a, b: f"({a} OR {b})", inner, inner),
            st.builds(lambda a: f"NOT ({a})", inner),
            st.builds(lambda a: f"EXISTS (SELECT 1 FROM {table} WHERE {a})", inner),
        )
    )


@st.composite
def query(draw) -> str:
    table, alias = draw(TABLES)
    source = f"{table} {alias}"
    joined = ""
    if draw(st.booleans()):
        other, other_alias = draw(TABLES.filter(lambda t: t[0] != table))
        left_key = draw(mostly(of_role(alias, table, corpus.POLICY.join_columns), columns(alias, table)))
        right_key = draw(mostly(of_role(other_alias, other, corpus.POLICY.join_columns), columns(other_alias, other)))
        kind = draw(st.sampled_from(["JOIN", "LEFT JOIN", "JOIN", "LEFT JOIN", "CROSS JOIN", "FULL JOIN"]))
        on = "" if kind == "CROSS JOIN" else f" ON {left_key} = {right_key}"
        joined = f" {kind} {other} {other_alias}{on}"
    if draw(st.integers(0, 3)) == 3:
        source = draw(
            st.sampled_from(
                [
                    source,
                    f"(SELECT * FROM {table}) {alias}",
                    f"{table} AS {alias}(a, b)",
                ]
            )
        )
    keys = draw(st.lists(mostly(of_role(alias, table, corpus.POLICY.dimensions), value(alias, table)), max_size=2))
    aggregates = draw(st.lists(aggregate(alias, table), min_size=1, max_size=3))
    outputs = [f"{k} AS k{i}" for i, k in enumerate(keys)] + [f"{a} AS a{i}" for i, a in enumerate(aggregates)]
    sql = f"SELECT {', '.join(outputs)} FROM {source}{joined}"
    if draw(st.booleans()):
        sql += f" WHERE {draw(condition(alias, table))}"
    if keys:
        sql += " GROUP BY " + ", ".join(f"k{i}" for i in range(len(keys)))
    if draw(st.booleans()):
        sql += f" HAVING a0 > {draw(st.sampled_from(['0', '5', 'max(1)']))}"
    if draw(st.booleans()):
        sql += f" ORDER BY {draw(st.sampled_from(['a0', '1', alias, 'a0 DESC']))}"
    if draw(st.booleans()):
        sql += f" LIMIT {draw(st.sampled_from(['1', '5', '(SELECT 1)']))}"
    if draw(st.integers(0, 4)) == 4:
        sql = f"WITH {table} AS (SELECT * FROM {table}) {sql}"
    return sql


def protected_reads_are_harmless(generated: str, plan_tables: list[str]) -> None:
    """Read the generated SQL as DuckDB will: a protected column only joins, is counted distinct or is tested
    for NULL."""
    tree = sqlglot.parse_one(generated, read="duckdb")
    for column in tree.find_all(exp.Column):
        if not column.table.startswith("t"):
            continue
        table = plan_tables[int(column.table[1:])]
        if column.name not in PROTECTED[table]:
            continue
        parent = column.parent
        harmless = (
            isinstance(parent, exp.Is)
            or (isinstance(parent, exp.Distinct) and isinstance(parent.parent, exp.Count))
            or (isinstance(parent, exp.EQ) and parent.find_ancestor(exp.Join) is not None)
        )
        assert harmless, f"{column.sql()} in {parent.sql()}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query())
def test_whatever_is_accepted_reads_protected_columns_harmlessly_and_releases_only_groups_of_k(sql):
    w = world()
    try:
        planned = plan(sql, w.policy)
    except QueryRefused as refused:
        assert refused.rule.startswith("sql.")
        return
    generated = sql_of(planned)
    protected_reads_are_harmless(generated, [table.name for table in planned.tables])
    result = w.engine.run(planned, tables=w.tables, limits=w.limits())
    assert not corpus.leaked(w, result.rows)
    corpus.released_groups_pass_k(w, sql, result.rows)


TOKENS = st.sampled_from(
    [
        "SELECT",
        "FROM",
        "WHERE",
        "GROUP BY",
        "JOIN",
        "ON",
        "(",
        ")",
        ",",
        "*",
        "'",
        '"',
        "people",
        "p",
        "id_number",
        "district",
        "count(",
        "sum(",
        "=",
        "AND",
        "OR",
        "NOT",
        "1",
        "'贵池区'",
        "AS",
        "LIMIT",
        "WITH",
        "x",
        ".",
        "::",
        "[",
        "]",
        "{",
        "}",
        ";",
        "--",
        "/*",
        "$1",
        "?",
        "\x00",
        "UNION",
        "CASE",
        "WHEN",
        "END",
        "OVER",
        "e9999",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(TOKENS, max_size=40).map(" ".join)))
def test_any_text_is_planned_or_refused_by_a_rule_never_a_crash(text):
    try:
        plan(text, world().policy)
    except QueryRefused as refused:
        assert refused.rule.startswith("sql.") and refused.rule != "sql.unsupported", (text, refused.rule)
