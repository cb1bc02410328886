"""The DuckDB engine: the data plane next to the data, locked down before any query runs.

Each database is in memory and locked down before any query runs (settings verified in
``docs/sandbox-engine.md``): no temporary directory, file access limited to the tables' own Parquet files,
external access off, extension installs and loads off, configuration locked, thread and memory limits, and
``interrupt()`` when the time limit passes. The platform's checks come first; this is the second wall, for
whatever a check might miss. ``quote`` and ``literal`` are the one way DuckDB SQL text is built from names
and values anywhere in the platform.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

from pubdata.engines import files
from pubdata.engines import plan as governed
from pubdata.engines.base import EngineRefused, Limits, Result, TableRef

DIALECT = "duckdb"
# Generated SQL texts a reusing engine remembers, by their plan: the short questions dashboards repeat. At most
# TEXTS_KEPT texts of at most TEXT_KEPT_CHARACTERS each (16 MiB in all), so no stream of queries grows it.
TEXTS_KEPT = 1024
TEXT_KEPT_CHARACTERS = 16_384


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def locked_connection(paths: list[Path], *, threads: int = 1, memory_limit: str = "1GB") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that may read ``paths`` and nothing else: no spill files, no extensions, no other
    file, no network, and a configuration no query can change (``docs/sandbox-engine.md``)."""
    con = duckdb.connect(
        ":memory:",
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "threads": threads,
            "memory_limit": memory_limit,
        },
    )
    # Order matters: these can only be set while external access is still on.
    con.execute("SET temp_directory = ''")
    con.execute(f"SET allowed_paths = [{', '.join(literal(str(path.resolve())) for path in paths)}]")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


class DuckDBEngine:
    """DuckDB over the Parquet files of one store (the domain, or the mock store). With ``reuse`` (the query
    path), one locked-down database per set of files is kept and each query runs on a cursor of its own:
    opening and locking down a database costs about 30 ms, more than a small query. The engine runs the SQL it
    generates from a governed plan, one SELECT, so no query can leave anything behind for the next;
    development queries on mock data use an engine without reuse."""

    def __init__(
        self, *, store: Path, threads: int = 2, memory_limit: str = "2GB", reuse: bool = True, keep: int = 32
    ) -> None:
        self.store = store
        self.threads, self.memory_limit, self.reuse, self.keep = threads, memory_limit, reuse, keep
        self._databases: OrderedDict[tuple[tuple[str, str], ...], duckdb.DuckDBPyConnection] = OrderedDict()
        self._facts: dict[tuple[str, str, str], tuple[object, ...]] = {}
        self._lock = threading.Lock()
        self._texts: OrderedDict[governed.Plan, str] = OrderedDict()
        self._texts_lock = threading.Lock()

    def path_of(self, table: TableRef) -> Path:
        return (self.store / table.file).resolve()

    def check(self, tables: Sequence[TableRef]) -> None:
        for table in tables:
            files.check(self.path_of(table), table.recorded)

    def _locked_down(self, tables: Sequence[TableRef]) -> duckdb.DuckDBPyConnection:
        paths = {table.name: self.path_of(table) for table in tables}
        con = locked_connection(list(paths.values()), threads=self.threads, memory_limit=self.memory_limit)
        for name, path in paths.items():
            con.execute(f"CREATE VIEW {quote(name)} AS SELECT * FROM read_parquet({literal(str(path))})")
        return con

    def _connection(self, tables: Sequence[TableRef]) -> duckdb.DuckDBPyConnection:
        """A connection for one query: a cursor of a kept database, or a database of its own. Every query checks
        its files first (a stat, once they have passed), so a file changed under a kept database is not read."""
        self.check(tables)
        if not self.reuse:
            return self._locked_down(tables)
        key = tuple(sorted((table.name, table.file) for table in tables))
        with self._lock:
            database = self._databases.pop(key, None) or self._locked_down(tables)
            self._databases[key] = database
            while len(self._databases) > self.keep:
                self._databases.popitem(last=False)  # closed by DuckDB once its last cursor is done
            return database.cursor()

    def sql_of(self, plan: governed.Plan) -> str:
        """The SQL this engine runs for ``plan``, generated from it and checked against it. A reusing engine
        remembers it by the plan (a frozen value); one that keeps nothing generates it every time."""
        if self.reuse:
            with self._texts_lock:
                kept = self._texts.get(plan)
                if kept is not None:
                    self._texts.move_to_end(plan)
                    return kept
        sql = sql_of(plan)
        if self.reuse and len(sql) <= TEXT_KEPT_CHARACTERS:
            with self._texts_lock:
                self._texts[plan] = sql
                while len(self._texts) > TEXTS_KEPT:
                    self._texts.popitem(last=False)
        return sql

    def run(self, plan: governed.Plan, *, tables: Sequence[TableRef], limits: Limits) -> Result:
        result = self._run(self.sql_of(plan), tables, limits)
        return Result(plan.columns, result.rows, result.truncated)

    def run_platform(
        self, sql: str, parameters: Mapping[str, object], *, tables: Sequence[TableRef], limits: Limits
    ) -> Result:
        """Run SQL the platform itself wrote (a per-subject product's pinned computation, never a consumer's
        text) with its values bound by DuckDB as ``$name`` parameters, never formatted into the text. It may
        read only ``tables``, checked like any query's."""
        unknown = _tables_read(sql) - {table.name for table in tables}
        if unknown:
            raise governed.PlanInconsistent(f"tables {sorted(unknown)}")
        return self._run(sql, tables, limits, parameters)

    def _run(
        self, sql: str, tables: Sequence[TableRef], limits: Limits, parameters: Mapping[str, object] | None = None
    ) -> Result:
        """Run platform-generated SQL. Any failure is the one generic refusal: a timeout, a conversion or an
        overflow can depend on the data, so what failed is never said (``docs/sandbox-engine.md``)."""
        con = self._connection(tables)
        deadline = _Deadline(limits.timeout_seconds, con.interrupt)
        try:
            # DuckDB's own parser, as a last word: one SELECT, nothing that could change a kept database.
            if [statement.type for statement in con.extract_statements(sql)] != [duckdb.StatementType.SELECT]:
                raise EngineRefused("sql.engine-failed")
            cursor = con.execute(sql, dict(parameters)) if parameters else con.execute(sql)
            rows = cursor.fetchmany(limits.max_rows + 1)
            columns = [column[0] for column in cursor.description]
        except duckdb.Error:
            raise EngineRefused("sql.engine-failed") from None
        finally:
            deadline.stop()
            con.close()  # the cursor, or the whole database when it is not kept
        if deadline.passed:  # finished between two interrupts: over time all the same
            raise EngineRefused("sql.engine-failed")
        return Result(columns, rows[: limits.max_rows], truncated=len(rows) > limits.max_rows)

    def _fact(self, table: TableRef, column: str, select: str) -> tuple[object, ...]:
        """One row the platform asks of a whole file about one column (``{c}`` in ``select``), remembered:
        versions are immutable files, so the answer never changes."""
        key = (select, table.file, column)
        if key not in self._facts:
            sql = f"SELECT {select.format(c=quote(column))} FROM {quote('t')}"
            (row,) = self._run(
                sql, [dataclasses.replace(table, name="t")], Limits(timeout_seconds=600, max_rows=1)
            ).rows
            self._facts[key] = row
        return self._facts[key]

    def is_unique(self, table: TableRef, column: str) -> bool:
        return bool(self._fact(table, column, "COUNT(*) = COUNT(DISTINCT {c})")[0])

    def value_range(self, table: TableRef, column: str) -> tuple[float, float] | None:
        return _range_of(self._fact(table, column, "MIN({c}), MAX({c})"))


class _Deadline:
    """Interrupts a query once its time is up, and again every 50 ms until it has stopped. One interrupt is not
    enough: DuckDB ignores an interrupt that comes before the query starts (a loaded machine can take longer
    than the limit to get there), and the query would then run unbounded."""

    def __init__(self, seconds: float, interrupt: Callable[[], None]) -> None:
        self.passed = False
        self._stopped = threading.Event()
        self._watch = threading.Thread(target=self._run, args=(seconds, interrupt), daemon=True)
        self._watch.start()

    def _run(self, seconds: float, interrupt: Callable[[], None]) -> None:
        if self._stopped.wait(seconds):
            return
        self.passed = True
        while True:
            interrupt()
            if self._stopped.wait(0.05):
                return

    def stop(self) -> None:
        self._stopped.set()
        self._watch.join()


@functools.lru_cache(maxsize=256)
def _tables_read(sql: str) -> frozenset[str]:
    """The tables a platform query reads (its own CTEs left out): the same few texts come back every call."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    return frozenset(table.name for table in tree.find_all(exp.Table)) - {cte.alias for cte in tree.find_all(exp.CTE)}


def _range_of(row: tuple[object, ...]) -> tuple[float, float] | None:
    low, high = row
    return None if low is None or high is None else (float(low), float(high))  # type: ignore[arg-type]


def sql_of(plan: governed.Plan, *, names: tuple[str, ...] | None = None) -> str:
    """A governed plan in DuckDB's dialect, checked against the plan before anything runs it. ``names``: the
    outputs' column names where a file is written from it (a job's declared columns), else ``o0``, ``o1`` …"""
    select = governed.to_select(plan)
    if names is not None:
        select = governed.named(select, names)
    sql = select.sql(dialect=DIALECT)
    governed.self_check(plan, sql, DIALECT, names=names)
    return sql
