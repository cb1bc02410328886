"""Differentially private release, without a database: bounded aggregates on DuckDB, noise from OpenDP."""

from __future__ import annotations

import duckdb
import pytest

from pubdata.engines.duckdb import sql_of
from pubdata.privacy import dp
from pubdata.queries import planner

POLICY = planner.Policy(
    tables={
        "people": {
            "id_number": planner.Field("string", "sensitive"),
            "district": planner.Field("string"),
            "household_size": planner.Field("integer"),
        },
        "homes": {"owner_id": planner.Field("string", "sensitive"), "rooms": planner.Field("integer")},
    },
    dimensions=frozenset({"district"}),
    measures=frozenset({"household_size", "rooms"}),
    join_columns=frozenset({"id_number", "owner_id"}),
    privacy_units={"people": "id_number", "homes": "owner_id"},
)
PUBLISHED = {"district": ("贵池区", "东至县", "石台县", "青阳县")}


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
    con.execute("CREATE TABLE homes AS SELECT 'id' || range AS owner_id, 1 + range % 8 AS rooms FROM range(1000)")
    return con


def release_of(sql: str, *, public_values=None, keyed=frozenset(), cap: int = 1, delta=1e-6) -> dp.Release:
    governed = planner.build(sql, POLICY)
    bounds = {"household_size": (1, 10), "rooms": (1, 8)}
    return dp.plan(governed, bounds=bounds, cap=cap, keyed=keyed, public_values=public_values, delta=delta)


def released(con, sql: str, *, public_values=None, keyed=frozenset(), **options):
    plan = release_of(sql, public_values=public_values, keyed=keyed, delta=options.get("delta"))
    cursor = con.execute(sql_of(plan.query))
    answer = dp.post_processed(plan, dp.release(plan, plan.query.columns, cursor.fetchall(), **options))
    return plan, (answer.columns, answer.rows)


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
    generated = sql_of(plan.query)
    assert 'ROW_NUMBER() OVER (PARTITION BY "id_number")' in generated and "<= 1" in generated
    assert "LEAST(GREATEST(" in generated
    assert plan.sensitivities == {"s0": 10}  # one row per person, each clamped to at most 10


def test_grouping_without_delta_is_refused_before_anything_runs(con):
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
        ("SELECT quantile_cont(household_size, 1.5) AS q FROM people", "sql.quantile-level"),
        ("SELECT median(district) AS q FROM people", "sql.not-a-measure"),
        ("SELECT max(household_size) AS q FROM people", "sql.dp-aggregate"),
    ):
        with pytest.raises((dp.DpRefused, planner.QueryRefused)) as refused:
            released(con, sql, epsilon=1.0, delta=None, keyed=frozenset({1}))
        assert refused.value.rule == rule
    with pytest.raises(dp.DpRefused) as refused:
        dp.plan(planner.build("SELECT median(household_size) AS q FROM people", POLICY), bounds={}, cap=1)
    assert refused.value.rule == "sql.dp-bounds"


def test_differencing_two_answers_that_differ_by_one_person_learns_little(con):
    """The attack the aggregate rule cannot stop: ask about everyone, then about everyone but one person
    (here: with and without 'lone'). With ε = 0.5 no guess about that person can be right more often than
    e^ε / (1 + e^ε) ≈ 62 %; the best guess, a threshold between the two true counts, is measured."""
    plan = release_of("SELECT count(*) AS n FROM people")
    with_person = con.execute(sql_of(plan.query)).fetchall()
    con.execute("DELETE FROM people WHERE id_number = 'lone'")
    without_person = con.execute(sql_of(plan.query)).fetchall()
    assert with_person[0][0] == without_person[0][0] + 1
    trials, right = 400, 0
    for _ in range(trials):
        right += (
            dp.release(plan, plan.query.columns, with_person, epsilon=0.5, delta=None).rows[0][0]
            > with_person[0][0] - 0.5
        )
        right += (
            dp.release(plan, plan.query.columns, without_person, epsilon=0.5, delta=None).rows[0][0]
            <= without_person[0][0] - 0.5
        )
    assert right / (2 * trials) < 0.72


def test_published_values_release_every_group_and_only_those(con):
    """With the districts' published list, each district is a group — the one with a single person and the
    one with none get a noisy count like the rest, so no group's presence says anything — and a value outside
    the list is never released. No δ is needed."""
    con.execute("INSERT INTO people VALUES ('stranger', '外地', 3)")
    plan, (columns, rows) = released(
        con,
        "SELECT district, count(*) AS n FROM people GROUP BY district",
        public_values=PUBLISHED,
        epsilon=1.0,
        delta=None,
    )
    assert [row[0] for row in rows] == list(PUBLISHED["district"])
    assert plan.groups is not None and not plan.thresholded


def test_order_by_and_limit_work_on_the_noisy_values_only(con):
    plan, (_, rows) = released(
        con,
        "SELECT district, count(*) AS n FROM people GROUP BY district ORDER BY n DESC LIMIT 2",
        public_values=PUBLISHED,
        epsilon=1.0,
        delta=None,
    )
    generated = sql_of(plan.query)
    assert "ORDER BY" not in generated and "LIMIT" not in generated  # the engine never orders exact values
    assert len(rows) == 2 and rows[0][1] >= rows[1][1]
    assert {row[0] for row in rows} <= {"贵池区", "东至县"} or rows[0][1] >= 900


def test_every_answer_states_its_epsilon_and_each_outputs_noise(con):
    plan = release_of("SELECT count(*) AS n, avg(household_size) AS size, median(household_size) AS mid FROM people")
    cursor = con.execute(sql_of(plan.query))
    answer = dp.release(plan, plan.query.columns, cursor.fetchall(), epsilon=1.0, delta=None)
    noise = answer.privacy["outputs"]
    assert answer.privacy["epsilon"] == 1.0 and set(noise) == {"n", "size", "mid"}
    share = 1.0 / 4  # c0, s1, n1 and the histogram
    assert noise["n"]["scale"] == pytest.approx(1 / share) and noise["n"]["ci95"] == pytest.approx(3.0 / share, 0.01)
    assert noise["size"]["sum_scale"] == pytest.approx(10 / share)
    assert noise["mid"]["mechanism"] == "laplace-histogram"


def test_a_join_is_allowed_only_to_a_table_keyed_by_the_unit(con):
    sql = "SELECT sum(rooms) AS r FROM people JOIN homes ON owner_id = id_number"
    with pytest.raises(dp.DpRefused) as refused:
        release_of(sql)  # homes not known to hold one row per owner
    assert refused.value.rule == "sql.dp-join"
    plan = release_of(sql, keyed=frozenset({1}))
    assert plan.sensitivities == {"s0": 8}
    with pytest.raises(dp.DpRefused):
        release_of("SELECT count(*) AS n FROM homes JOIN people ON owner_id = id_number WHERE district = 'x'")


def test_counting_distinct_units_has_sensitivity_one_whatever_the_cap(con):
    plan = dp.plan(planner.build("SELECT count(DISTINCT id_number) AS persons FROM people", POLICY), bounds={}, cap=5)
    assert plan.sensitivities == {"u0": 1}


def test_clamping_is_skipped_only_where_every_stored_value_is_inside_the_bounds(tmp_path):
    """Clamping a value already inside its bounds is the identity, so the mechanism is the same function of
    the data without it: the engine learns a file's range once and the plan skips the clamp there — and keeps
    it on a file holding one value outside, with the same sensitivity either way."""
    from pubdata.contracts.schemas import Terms
    from pubdata.engines.base import TableRef
    from pubdata.engines.duckdb import DuckDBEngine
    from pubdata.queries import service as queries

    for name, sizes in (("inside", "1 + range % 5"), ("outside", "CASE WHEN range = 7 THEN 99 ELSE 1 END")):
        duckdb.execute(
            f"COPY (SELECT 'id' || range AS id_number, '贵池区' AS district, {sizes} AS household_size "
            f"FROM range(100)) TO '{tmp_path / name}.parquet' (FORMAT parquet)"
        )
    engine = DuckDBEngine(store=tmp_path)
    terms = Terms.model_validate(
        {
            "resources": ["CZ-RK-0001"],
            "purpose": "public_governance",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
            "max_calls": 10,
            "max_rows": 100,
            "output_rule": "dp",
            "epsilon": 1.0,
            "epsilon_per_query": 0.5,
            "bounds": {"household_size": [1, 10]},
        }
    )
    governed = planner.build("SELECT sum(household_size) AS s FROM people", POLICY)
    plans = {
        name: queries.dp_release(governed, terms, POLICY, {"people": TableRef("people", f"{name}.parquet")}, engine)
        for name in ("inside", "outside")
    }
    assert engine.value_range(TableRef("people", "outside.parquet"), "household_size") == (1.0, 99.0)
    assert "LEAST" not in sql_of(plans["inside"].query) and "LEAST" in sql_of(plans["outside"].query)
    assert plans["inside"].sensitivities == plans["outside"].sensitivities == {"s0": 10}
