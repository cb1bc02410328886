"""The locked-down DuckDB engine on real files: the second wall behind the SQL checks."""

from __future__ import annotations

import duckdb
import pytest

from pubdata.sandbox.engine import DuckDBEngine
from pubdata.sandbox.sql_checks import QueryRefused


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


ENGINE = DuckDBEngine(threads=1, memory_limit="512MB")


def run(sql: str, tables, timeout: float = 5.0, max_rows: int = 1000):
    return ENGINE.run(sql, tables=tables, timeout_seconds=timeout, max_rows=max_rows)


def test_the_contract_tables_can_be_queried(files):
    tables, _ = files
    result = run("SELECT k, count(*) AS n FROM people GROUP BY k ORDER BY k", tables)
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
def test_even_unchecked_sql_cannot_reach_other_files_or_extensions(files, sql):
    """Through the engine, and straight on a locked-down connection (the settings alone must hold)."""
    tables, secret = files
    sql = sql.format(secret=secret, domain=tables["people"].parent)
    with pytest.raises(QueryRefused) as refused:
        run(sql, tables)
    assert refused.value.rule in ("sql.engine-permission", "sql.engine-error", "sql.engine-not-a-select")
    with pytest.raises(duckdb.Error):
        ENGINE._locked_down(tables).execute(sql).fetchall()
    assert not (tables["people"].parent / "out.csv").exists()


@pytest.mark.parametrize(
    "setting",
    ["SET enable_external_access = true", "SET memory_limit = '64GB'", "SET threads = 64", "RESET lock_configuration"],
)
def test_the_configuration_is_locked(files, setting):
    tables, _ = files
    with pytest.raises(QueryRefused) as refused:
        run(setting, tables)
    assert refused.value.rule == "sql.engine-not-a-select"
    with pytest.raises(duckdb.Error):  # and the lock itself holds
        ENGINE._locked_down(tables).execute(setting)


def test_a_runaway_query_is_interrupted(files):
    tables, _ = files
    with pytest.raises(QueryRefused) as refused:
        run("SELECT count(*) FROM range(100000000000) a", tables, timeout=0.5)
    assert refused.value.rule == "sql.timeout"


def test_row_outputs_are_bounded(files):
    tables, _ = files
    with pytest.raises(QueryRefused) as refused:
        run("SELECT id FROM people", tables, max_rows=100)
    assert refused.value.rule == "sql.too-many-rows"


def test_a_kept_database_stays_locked_down_for_the_next_query(files):
    tables, secret = files
    assert run("SELECT count(*) FROM people", tables).rows == [(1000,)]
    for sql in (
        f"SELECT * FROM read_parquet('{secret}')",
        "SET enable_external_access = true",
        "CREATE TABLE people2 AS SELECT 1",
    ):
        with pytest.raises(QueryRefused):
            run(sql, tables)
    with pytest.raises(QueryRefused) as slow:
        run("SELECT count(*) FROM range(100000000000) a", tables, timeout=0.2)
    assert slow.value.rule == "sql.timeout"
    assert run("SELECT count(*) FROM people", tables).rows == [(1000,)]  # the interrupted cursor left nothing behind


def test_uniqueness_of_a_unit_is_known_per_file(files, tmp_path):
    tables, _ = files
    twice = tmp_path / "twice.parquet"
    duckdb.execute(f"COPY (SELECT range % 500 AS id FROM range(1000)) TO '{twice}' (FORMAT parquet)")
    assert ENGINE.is_unique(tables["people"], "id") and not ENGINE.is_unique(twice, "id")
