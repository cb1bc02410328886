"""Attack queries against the sandbox's SQL checks: each is refused, naming its rule, or leaks nothing.

A table of (query, expected rule), as SQLGlot's own tests are written. The allowed queries run on real
DuckDB to show that small groups are suppressed.
"""

from __future__ import annotations

import duckdb
import pytest

from pubdata.queries.checks import Policy, QueryRefused, check

POLICY = Policy(
    tables={
        "people": {
            "id_number": "sensitive",
            "full_name": "personal",
            "phone": "personal",
            "district": "none",
            "household_size": "none",
            "birth_year": "none",
        },
        "loans": {"id_number": "sensitive", "amount": "none", "bank": "none"},
        "enterprises": {"credit_code": "none", "legal_rep_id": "sensitive", "industry": "none", "capital": "none"},
    },
    dimensions=frozenset({"district", "bank", "industry", "birth_year"}),
    privacy_units={"people": "id_number", "loans": "id_number", "enterprises": "credit_code"},
    min_group_size=10,
)

ATTACKS = [
    # file reads and table functions
    ("SELECT * FROM read_csv('/etc/passwd')", "sql.table-function"),
    ("SELECT count(*) FROM read_parquet('domain/resources/1/v1.parquet')", "sql.table-function"),
    ("SELECT count(*) FROM glob('/work/*')", "sql.table-function"),
    ("SELECT count(*) FROM 'domain/resources/1/v1.parquet'", "sql.file-path"),
    ('SELECT count(*) FROM "/etc/passwd"', "sql.file-path"),
    ("SELECT count(*) FROM query('SELECT * FROM people')", "sql.table-function"),
    ("SELECT count(*) FROM query_table('people')", "sql.table-function"),
    ("SELECT count(*) FROM read_text('/proc/self/environ')", "sql.table-function"),
    ("SELECT count(*) FROM main.people", "sql.qualified-table"),
    ("SELECT count(*) FROM secrets", "sql.table-not-allowed"),
    ("SELECT count(*) FROM app_user", "sql.table-not-allowed"),
    ("SELECT count(*) FROM duckdb_settings()", "sql.table-function"),
    # settings, extensions, statements that are not a SELECT
    ("SET enable_external_access = true", "sql.not-a-select"),
    ("PRAGMA database_list", "sql.not-a-select"),
    ("ATTACH 'other.db'", "sql.not-a-select"),
    ("COPY people TO '/tmp/out.csv'", "sql.not-a-select"),
    ("INSTALL httpfs", "sql.not-a-select"),
    ("LOAD httpfs", "sql.not-a-select"),
    ("CREATE TABLE x AS SELECT * FROM people", "sql.not-a-select"),
    ("SELECT 1; DROP TABLE people", "sql.single-statement"),
    ("SELECT current_setting('memory_limit')", "sql.not-allowed"),
    ("SELECT getenv('HOME')", "sql.not-allowed"),
    ("SELECT count(*) FROM people WHERE district = (SELECT current_setting('temp_directory'))", "sql.not-allowed"),
    # dynamic SQL and parameters
    ("SELECT count(*) FROM people WHERE household_size = ?", "sql.parameter"),
    ("SELECT count(*) FROM people WHERE household_size = $1", "sql.parameter"),
    # sensitive values through aggregates that return values
    ("SELECT max(id_number) FROM people", "sql.sensitive-column"),
    ("SELECT min(full_name) FROM people", "sql.sensitive-column"),
    ("SELECT district, string_agg(full_name, ',') FROM people GROUP BY district", "sql.not-allowed"),
    ("SELECT list(phone) FROM people", "sql.not-allowed"),
    ("SELECT arg_min(id_number, household_size) FROM people", "sql.not-allowed"),
    ("SELECT any_value(id_number) FROM people", "sql.not-allowed"),
    ("SELECT first(full_name) FROM people", "sql.not-allowed"),
    ("SELECT histogram(full_name) FROM people", "sql.not-allowed"),
    ("SELECT mode(phone) FROM people", "sql.not-allowed"),
    ("SELECT array_agg(id_number) FROM people", "sql.not-allowed"),
    # sensitive values through functions, casts and group keys
    ("SELECT count(*) FROM people GROUP BY md5(id_number)", "sql.not-allowed"),
    ("SELECT substring(id_number, 7, 8) AS born, count(*) FROM people GROUP BY born", "sql.sensitive-column"),
    ("SELECT length(full_name), count(*) FROM people GROUP BY 1", "sql.sensitive-column"),
    ("SELECT CAST(id_number AS BIGINT) % 2 AS parity, count(*) FROM people GROUP BY parity", "sql.sensitive-column"),
    ("SELECT full_name, count(*) FROM people GROUP BY full_name", "sql.sensitive-column"),
    ("SELECT id_number FROM people", "sql.sensitive-column"),
    ("SELECT * FROM people", "sql.sensitive-column"),
    ("SELECT count(*) FROM people ORDER BY id_number", "sql.sensitive-column"),
    ("SELECT sum(household_size) FROM people WHERE id_number LIKE '3417%'", "sql.sensitive-column"),
    # singling out a person: comparing a protected column with a literal
    ("SELECT count(*) FROM people WHERE id_number = '341702199003071234'", "sql.sensitive-column"),
    ("SELECT avg(amount) FROM loans WHERE id_number IN ('341702199003071234')", "sql.sensitive-column"),
    ("SELECT count(*) FROM people WHERE full_name = '王伟' AND district = '贵池区'", "sql.sensitive-column"),
    ("SELECT count(*) FROM people p JOIN loans l ON p.id_number = '341702199003071234'", "sql.sensitive-column"),
    # hiding a protected column in a CTE or subquery
    ("WITH x AS (SELECT id_number AS k FROM people) SELECT count(*) FROM x", "sql.sensitive-column"),
    ("SELECT count(*) FROM (SELECT full_name FROM people) AS t", "sql.sensitive-column"),
    # row outputs and recursive bombs
    ("SELECT district FROM people", "sql.output-not-aggregate"),
    ("SELECT household_size, count(*) FROM people GROUP BY household_size", "sql.group-key-not-allowed"),
    ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r", "sql.recursive-cte"),
    ("SELECT count(*) FROM people a, people b, people c, people d WHERE a.district = b.district", "sql.cross-join"),
    ("SELECT count(*) FROM people CROSS JOIN loans", "sql.cross-join"),
    ("SELECT count(*) OVER () FROM people", "sql.not-allowed"),
    ("SELECT count(*) FROM people UNION ALL SELECT count(*) FROM loans", "sql.not-a-select"),
    ("SELECT count(*) FROM people WHERE nosuch = 1", "sql.unknown-column"),
    ("SELEC count(*) FROM people", "sql.parse"),
]


@pytest.mark.parametrize("sql,rule", ATTACKS, ids=[f"{i:02d}" for i in range(len(ATTACKS))])
def test_attack_is_refused_naming_the_rule(sql, rule):
    with pytest.raises(QueryRefused) as refused:
        check(sql, POLICY)
    assert refused.value.rule == rule, refused.value.detail
    assert "341702199003071234" not in refused.value.detail


def test_there_are_at_least_forty_attacks():
    assert len(ATTACKS) >= 40


ALLOWED = [
    (
        "SELECT district, count(*) AS n FROM people GROUP BY district",
        (
            "SELECT people.district AS district, COUNT(*) AS n FROM people AS people GROUP BY people.district HAVING "
            "COUNT(DISTINCT people.id_number) >= 10"
        ),
    ),
    (
        "SELECT district, count(*) AS n, avg(household_size) AS size FROM people GROUP BY ALL",
        (
            "SELECT people.district AS district, COUNT(*) AS n, AVG(people.household_size) AS size FROM people AS "
            "people GROUP BY people.district HAVING COUNT(DISTINCT people.id_number) >= 10"
        ),
    ),
    (
        (
            "SELECT l.bank, sum(l.amount) AS total FROM loans l JOIN people p ON p.id_number = l.id_number WHERE "
            "p.district = '贵池区' GROUP BY l.bank"
        ),
        None,
    ),
    ("SELECT count(DISTINCT id_number) AS persons FROM people WHERE phone IS NOT NULL", None),
]


@pytest.mark.parametrize("sql,expected", ALLOWED)
def test_allowed_queries_are_rewritten_to_suppress_small_groups(sql, expected):
    checked = check(sql, POLICY)
    if expected:
        assert checked.sql == expected
    assert "HAVING" in checked.sql and ">= 10" in checked.sql


def test_small_groups_do_not_come_back_from_duckdb():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE people (id_number VARCHAR, full_name VARCHAR, phone VARCHAR, district VARCHAR, "
        "household_size BIGINT, birth_year BIGINT)"
    )
    rows = [(f"id{i}", "x", None, "贵池区", 3, 1990) for i in range(25)] + [
        (f"lone{i}", "y", None, "石台县", 2, 1980) for i in range(3)
    ]
    con.executemany("INSERT INTO people VALUES (?, ?, ?, ?, ?, ?)", rows)
    checked = check("SELECT district, count(*) AS n FROM people GROUP BY district", POLICY)
    assert con.execute(checked.sql).fetchall() == [("贵池区", 25)]
    # Differencing by a non-protected attribute cannot isolate the three: their group is suppressed too.
    assert con.execute(check("SELECT count(*) AS n FROM people WHERE district = '石台县'", POLICY).sql).fetchall() == []


def test_over_one_table_keyed_by_person_small_groups_are_counted_without_distinct():
    from dataclasses import replace

    keyed = replace(POLICY, unique_units=frozenset({"people"}))
    assert check("SELECT district, count(*) AS n FROM people GROUP BY district", keyed).sql.endswith(
        "HAVING COUNT(people.id_number) >= 10"
    )
    joined = check(
        "SELECT p.district, count(*) AS n FROM people p JOIN loans l ON p.id_number = l.id_number GROUP BY p.district",
        keyed,
    )
    assert "COUNT(DISTINCT p.id_number) >= 10" in joined.sql  # a join can repeat a person: DISTINCT stays
