"""The locked-down DuckDB engine on real files: the second wall behind the SQL checks."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot

from pubdata.engines.base import EngineRefused, Limits, TableRef
from pubdata.engines.duckdb import DuckDBEngine


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


def run(engine, sql: str, tables, timeout: float = 5.0, max_rows: int = 1000):
    """Any text DuckDB's dialect parses, as a tree: the engine takes trees, and here nothing checked them."""
    return engine.run(sqlglot.parse_one(sql, read="duckdb"), tables=refs(tables), limits=Limits(timeout, max_rows))


def test_the_contract_tables_can_be_queried(engine, files):
    tables, _ = files
    result = run(engine, "SELECT k, count(*) AS n FROM people GROUP BY k ORDER BY k", tables)
    assert result.columns == ["k", "n"] and result.rows[0] == (0, 143)


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
def test_even_unchecked_sql_cannot_reach_other_files_or_extensions(engine, files, sql):
    """Through the engine, and straight on a locked-down connection (the settings alone must hold)."""
    tables, secret = files
    sql = sql.format(secret=secret, domain=tables["people"].parent)
    with pytest.raises(EngineRefused) as refused:
        run(engine, sql, tables)
    assert refused.value.rule in ("sql.engine-permission", "sql.engine-error", "sql.engine-not-a-select")
    with pytest.raises(duckdb.Error):
        engine._locked_down(refs(tables)).execute(sql).fetchall()
    assert not (tables["people"].parent / "out.csv").exists()


@pytest.mark.parametrize(
    "setting",
    ["SET enable_external_access = true", "SET memory_limit = '64GB'", "SET threads = 64", "RESET lock_configuration"],
)
def test_the_configuration_is_locked(engine, files, setting):
    tables, _ = files
    with pytest.raises(EngineRefused) as refused:
        run(engine, setting, tables)
    assert refused.value.rule == "sql.engine-not-a-select"
    with pytest.raises(duckdb.Error):  # and the lock itself holds
        engine._locked_down(refs(tables)).execute(setting)


def test_a_runaway_query_is_interrupted(engine, files):
    tables, _ = files
    with pytest.raises(EngineRefused) as refused:
        run(engine, "SELECT count(*) FROM range(100000000000) a", tables, timeout=0.5)
    assert refused.value.rule == "sql.timeout"


def test_row_outputs_are_bounded(engine, files):
    tables, _ = files
    with pytest.raises(EngineRefused) as refused:
        run(engine, "SELECT id FROM people", tables, max_rows=100)
    assert refused.value.rule == "sql.too-many-rows"


def test_a_kept_database_stays_locked_down_for_the_next_query(engine, files):
    tables, secret = files
    assert run(engine, "SELECT count(*) FROM people", tables).rows == [(1000,)]
    for sql in (
        f"SELECT * FROM read_parquet('{secret}')",
        "SET enable_external_access = true",
        "CREATE TABLE people2 AS SELECT 1",
    ):
        with pytest.raises(EngineRefused):
            run(engine, sql, tables)
    with pytest.raises(EngineRefused) as slow:
        run(engine, "SELECT count(*) FROM range(100000000000) a", tables, timeout=0.2)
    assert slow.value.rule == "sql.timeout"
    assert run(engine, "SELECT count(*) FROM people", tables).rows == [
        (1000,)
    ]  # the interrupted cursor left nothing behind


def test_uniqueness_of_a_unit_is_known_per_file(engine, files, tmp_path):
    tables, _ = files
    twice = tmp_path / "twice.parquet"
    duckdb.execute(f"COPY (SELECT range % 500 AS id FROM range(1000)) TO '{twice}' (FORMAT parquet)")
    engine = DuckDBEngine(store=tmp_path, threads=1, memory_limit="512MB")
    people = TableRef("people", str(tables["people"].relative_to(tmp_path)))
    assert engine.is_unique(people, "id") and not engine.is_unique(TableRef("twice", twice.name), "id")
