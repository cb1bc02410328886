"""The locked-down DuckDB engine on real files: it runs governed plans, and its settings are the second wall."""

from __future__ import annotations

import duckdb
import pytest

from pubdata.engines import plan
from pubdata.engines.base import EngineRefused, Limits, TableRef
from pubdata.engines.duckdb import DuckDBEngine, sql_of


@pytest.fixture
def files(tmp_path):
    data, other = tmp_path / "domain", tmp_path / "elsewhere"
    data.mkdir(), other.mkdir()
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT range AS id, range % 7 AS k FROM range(1000)) TO '{data / 'people.parquet'}' (FORMAT parquet)"
    )
    con.execute(f"COPY (SELECT 'top secret' AS s) TO '{other / 'secret.parquet'}' (FORMAT parquet)")
    return {"people": data / "people.parquet"}, other / "secret.parquet"


@pytest.fixture
def engine(files):
    return DuckDBEngine(store=files[0]["people"].parent, threads=1, memory_limit="512MB")


def refs(tables) -> list[TableRef]:
    return [TableRef(name, path.name) for name, path in tables.items()]


PEOPLE = plan.Table("people")
K = plan.Col(0, "k", "integer")


def by_k(value: int | None = None, **options) -> plan.Plan:
    """``SELECT k, count(*) FROM people [WHERE k = value] GROUP BY k ORDER BY k`` as a governed plan."""
    where = plan.Compare(K, "=", (value,)) if value is not None else None
    return plan.Plan(
        tables=(PEOPLE,),
        where=where,
        group=(K,),
        outputs=(plan.Output("k", K), plan.Output("n", plan.Aggregate("count"))),
        post=plan.Post(order=(plan.Order(0),)),
        **options,
    )


def test_a_plan_runs_on_the_contract_tables_under_its_output_names(engine, files):
    tables, _ = files
    result = engine.run(by_k(), tables=refs(tables), limits=Limits(5.0, 1000))
    assert result.columns == ["k", "n"] and result.rows[0] == (0, 143) and not result.truncated


def test_a_larger_answer_is_cut_at_the_rows_left_and_says_so(engine, files):
    tables, _ = files
    result = engine.run(by_k(), tables=refs(tables), limits=Limits(5.0, 3))
    assert result.rows == [(0, 143), (1, 143), (2, 143)] and result.truncated


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_parquet('{secret}')",
        "SELECT * FROM read_csv('/etc/passwd')",
        "COPY (SELECT 1) TO '{domain}/out.csv'",
        "ATTACH '{domain}/other.db'",
        "INSTALL httpfs",
        "LOAD httpfs",
    ],
)
def test_even_sql_nobody_planned_cannot_reach_other_files_or_extensions(engine, files, sql):
    """The settings alone must hold, whatever text reaches a locked-down connection."""
    tables, secret = files
    sql = sql.format(secret=secret, domain=tables["people"].parent)
    with pytest.raises(duckdb.Error):
        engine._locked_down(refs(tables)).execute(sql).fetchall()
    assert not (tables["people"].parent / "out.csv").exists()


@pytest.mark.parametrize(
    "setting",
    ["SET enable_external_access = true", "SET memory_limit = '64GB'", "SET threads = 64", "RESET lock_configuration"],
)
def test_the_configuration_is_locked(engine, files, setting):
    tables, _ = files
    with pytest.raises(duckdb.Error):
        engine._locked_down(refs(tables)).execute(setting)


def test_any_failure_in_the_engine_is_one_generic_refusal(engine, files, tmp_path):
    """A conversion the data cannot take fails in the engine: the refusal says nothing of what or where."""
    tables, _ = files
    text = tmp_path / "domain" / "text.parquet"
    duckdb.execute(f"COPY (SELECT 'not a number ' || range AS k FROM range(10)) TO '{text}' (FORMAT parquet)")
    with pytest.raises(EngineRefused) as refused:
        engine.run(by_k(3), tables=[TableRef("people", text.name)], limits=Limits(5.0, 10))
    assert refused.value.rule == "sql.engine-failed" and refused.value.params == {}
    for lang in ("zh-CN", "en"):
        detail = refused.value.detail_in(lang)
        assert "Conversion" not in detail and "not a number" not in detail and "Error" not in detail


def endless(tmp_path) -> tuple[plan.Plan, list[TableRef]]:
    """A join no machine finishes (3 million rows matched with themselves on ten keys: 9 × 10^11 rows), so only
    the time limit can end it, however fast the machine."""
    big = tmp_path / "domain" / "big.parquet"
    duckdb.execute(f"COPY (SELECT range % 10 AS k FROM range(3000000)) TO '{big}' (FORMAT parquet)")
    product = plan.Plan(
        tables=(plan.Table("big"), plan.Table("again")),
        joins=(plan.Join("inner", ((K, plan.Col(1, "k", "integer")),)),),
        outputs=(plan.Output("n", plan.Aggregate("count")),),
    )
    return product, [TableRef("big", big.name), TableRef("again", big.name)]


@pytest.mark.parametrize(
    "seconds",
    [
        pytest.param(0.3, id="while-it-runs"),
        # Up before DuckDB has begun, as on a loaded machine: an interrupt then is ignored, so the engine keeps
        # interrupting until the query stops.
        pytest.param(0.000001, id="before-it-starts"),
    ],
)
def test_a_runaway_plan_is_interrupted_and_refused_like_any_failure(engine, files, tmp_path, seconds):
    tables, _ = files
    product, big = endless(tmp_path)
    with pytest.raises(EngineRefused) as refused:
        engine.run(product, tables=big, limits=Limits(seconds, 10))
    assert refused.value.rule == "sql.engine-failed"
    assert engine.run(by_k(), tables=refs(tables), limits=Limits(5.0, 10)).rows[0] == (0, 143)


def test_a_kept_database_stays_locked_down_for_the_next_query(engine, files):
    tables, secret = files
    cursor = engine._connection(refs(tables))
    for sql in (f"SELECT * FROM read_parquet('{secret}')", "SET enable_external_access = true"):
        with pytest.raises(duckdb.Error):
            cursor.execute(sql).fetchall()
    cursor.close()
    assert engine.run(by_k(), tables=refs(tables), limits=Limits(5.0, 10)).rows[0] == (0, 143)


def test_uniqueness_of_a_unit_is_known_per_file(engine, files, tmp_path):
    tables, _ = files
    twice = tmp_path / "twice.parquet"
    duckdb.execute(f"COPY (SELECT range % 500 AS id FROM range(1000)) TO '{twice}' (FORMAT parquet)")
    engine = DuckDBEngine(store=tmp_path, threads=1, memory_limit="512MB")
    people = TableRef("people", str(tables["people"].relative_to(tmp_path)))
    assert engine.is_unique(people, "id") and not engine.is_unique(TableRef("twice", twice.name), "id")


def test_the_text_remembered_for_a_plan_is_that_plans_and_bounded(engine, files, monkeypatch):
    """The engine remembers the SQL it generated by the plan (a frozen value: equal plans, equal SQL), never
    handing one plan's text to another, and remembers no more, and no longer texts, than its bounds."""
    monkeypatch.setattr("pubdata.engines.duckdb.TEXTS_KEPT", 2)
    tables, _ = files
    plans = [by_k(k) for k in range(5)]
    assert [engine.sql_of(p) for p in plans] == [sql_of(p) for p in plans]
    counts = [engine.run(p, tables=refs(tables), limits=Limits(5.0, 10)).rows[0][1] for p in plans]
    assert counts == [len([i for i in range(1000) if i % 7 == k]) for k in range(5)]
    assert len(engine._texts) <= 2
    many = plan.Plan(
        tables=(PEOPLE,),
        where=plan.AnyOf(tuple(plan.Compare(K, "=", (i,)) for i in range(2000))),
        outputs=(plan.Output("n", plan.Aggregate("count")),),
    )
    assert engine.sql_of(many) == sql_of(many) and many not in engine._texts  # over 16 KiB: not kept


def test_generated_sql_that_uses_a_protected_column_as_a_value_is_never_run():
    protected = plan.Plan(
        tables=(plan.Table("people", "id", ("id",)),),
        group=(plan.Col(0, "id", "string"),),
        outputs=(plan.Output("n", plan.Aggregate("count")),),
    )
    with pytest.raises(plan.PlanInconsistent):
        sql_of(protected)
