"""Differentially private release, without a database: bounded aggregates on DuckDB, noise from OpenDP."""

from __future__ import annotations

import duckdb
import pytest

from pubdata.privacy import dp
from pubdata.queries import checks as sql_checks

POLICY = sql_checks.Policy(
    tables={"people": {"id_number": "sensitive", "district": "none", "household_size": "none"}},
    dimensions=frozenset({"district"}),
    privacy_units={"people": "id_number"},
)


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE people AS SELECT 'id' || range AS id_number, CASE WHEN range % 2 = 0 THEN '贵池区' ELSE '东至县' "
        "END AS district, "
        "1 + range % 5 AS household_size FROM range(2000)"
    )
    con.execute(
        "INSERT INTO people VALUES ('lone', '石台县', 3), ('id0', '贵池区', 100)"
    )  # a second row for id0, far out of bounds
    return con


def released(con, sql: str, **options):
    tree, _ = sql_checks.analyse(sql, POLICY)
    plan = dp.plan(tree, unit_table="people", unit="id_number", bounds={"household_size": (1, 10)}, cap=1)
    cursor = con.execute(plan.sql)
    return plan, dp.release(plan, [d[0] for d in cursor.description], cursor.fetchall(), **options)


def test_a_group_of_one_is_not_revealed_and_large_groups_are(con):
    _, (columns, rows) = released(
        con,
        "SELECT district, count(*) AS n, avg(household_size) AS size FROM people GROUP BY district",
        epsilon=1.0,
        delta=1e-6,
    )
    assert columns == ["district", "n", "size"]
    assert sorted(row[0] for row in rows) == ["东至县", "贵池区"]
    assert all(abs(row[1] - 1000) < 100 and 1 <= row[2] <= 10 for row in rows)


def test_contributions_are_capped_and_values_clamped(con):
    plan, _ = released(con, "SELECT sum(household_size) AS s FROM people", epsilon=1.0, delta=None)
    assert "ROW_NUMBER() OVER (PARTITION BY id_number" in plan.sql and "<= 1" in plan.sql
    assert plan.sensitivities == {"s0": 10}  # one row per person, each clamped to at most 10


def test_grouping_without_delta_is_refused(con):
    with pytest.raises(dp.DpRefused) as refused:
        released(con, "SELECT district, count(*) AS n FROM people GROUP BY district", epsilon=1.0, delta=None)
    assert refused.value.rule == "sql.dp-delta"


def test_quantiles_come_from_a_noisy_histogram_of_clamped_values(con):
    plan, (columns, rows) = released(
        con,
        "SELECT median(household_size) AS mid, quantile_cont(household_size, 0.9) AS high FROM people",
        epsilon=2.0,
        delta=None,
    )
    assert columns == ["mid", "high"] and set(plan.histograms) == {"q0", "q1"}
    assert all(h.sensitivity == 1 and len(h.columns) == dp.QUANTILE_BINS for h in plan.histograms.values())
    ((mid, high),) = rows
    assert 2 <= mid <= 4.5 and 4 <= high <= 6.5  # true values 3 and 5 on 2,000 people, bounds 1–10
    grouped = released(
        con, "SELECT district, median(household_size) AS mid FROM people GROUP BY district", epsilon=2.0, delta=1e-6
    )[1][1]
    assert sorted(row[0] for row in grouped) == ["东至县", "贵池区"]  # the group of one is still not revealed


def test_a_quantile_needs_bounds_and_a_level_between_0_and_1(con):
    for sql, rule in (
        ("SELECT quantile_cont(household_size, 1.5) AS q FROM people", "sql.dp-quantile"),
        ("SELECT median(district) AS q FROM people", "sql.dp-bounds"),
    ):
        with pytest.raises(dp.DpRefused) as refused:
            released(con, sql, epsilon=1.0, delta=None)
        assert refused.value.rule == rule


def test_differencing_two_answers_that_differ_by_one_person_learns_little(con):
    """The attack the aggregate rule cannot stop: ask about everyone, then about everyone but one person
    (here: with and without 'lone'). With ε = 0.5 no guess about that person can be right more often than
    e^ε / (1 + e^ε) ≈ 62 %; the best guess, a threshold between the two true counts, is measured."""
    tree, _ = sql_checks.analyse("SELECT count(*) AS n FROM people", POLICY)
    plan = dp.plan(tree, unit_table="people", unit="id_number", bounds={}, cap=1)
    with_person = con.execute(plan.sql).fetchall()
    con.execute("DELETE FROM people WHERE id_number = 'lone'")
    without_person = con.execute(plan.sql).fetchall()
    assert with_person[0][0] == without_person[0][0] + 1
    trials, right = 400, 0
    for _ in range(trials):
        right += dp.release(plan, ["c0"], with_person, epsilon=0.5, delta=None)[1][0][0] > with_person[0][0] - 0.5
        right += (
            dp.release(plan, ["c0"], without_person, epsilon=0.5, delta=None)[1][0][0] <= without_person[0][0] + 0.5 - 1
        )
    assert right / (2 * trials) < 0.72
