"""Query engines behind one interface: DuckDB here; the scale-out capability adds Spark behind the same one.

The DuckDB engine opens a fresh in-memory database for each query and locks it down before any user SQL
runs (settings verified in ``docs/sandbox-engine.md``): no temporary directory, file access limited to the
contract's own Parquet files, external access off, extension installs and loads off, configuration locked,
thread and memory limits, and ``interrupt()`` when the time limit passes. The SQL checks come first; this is
the second wall, for whatever a check might miss.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import duckdb

from pubdata.catalog.checks import literal, quote
from pubdata.sandbox.sql_checks import QueryRefused


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple]


class Engine(Protocol):
    def run(self, sql: str, *, tables: dict[str, Path], timeout_seconds: float, max_rows: int) -> Result: ...

    def is_unique(self, path: Path, column: str) -> bool:
        """Does every row of this (immutable) file name a different person or entity?"""
        ...


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
    """DuckDB next to the data. With ``reuse`` (the query path), one locked-down database per set of files is
    kept and each query runs on a cursor of its own: opening and locking down a database costs about 30 ms,
    more than a small query. The engine runs one SELECT statement only (DuckDB's own parser says which), so no
    query can leave anything behind for the next; development queries on mock data use an engine without reuse."""

    def __init__(self, *, threads: int = 2, memory_limit: str = "2GB", reuse: bool = True, keep: int = 32) -> None:
        self.threads, self.memory_limit, self.reuse, self.keep = threads, memory_limit, reuse, keep
        self._databases: OrderedDict[tuple, duckdb.DuckDBPyConnection] = OrderedDict()
        self._unique: dict[tuple[str, str], bool] = {}
        self._lock = threading.Lock()

    def _locked_down(self, tables: dict[str, Path]) -> duckdb.DuckDBPyConnection:
        con = locked_connection(list(tables.values()), threads=self.threads, memory_limit=self.memory_limit)
        for name, path in tables.items():
            con.execute(f"CREATE VIEW {quote(name)} AS SELECT * FROM read_parquet({literal(str(path.resolve()))})")
        return con

    def _connection(self, tables: dict[str, Path]) -> tuple[duckdb.DuckDBPyConnection, bool]:
        """A connection for one query, and whether to close its database afterwards."""
        if not self.reuse:
            return self._locked_down(tables), True
        key = tuple(sorted((name, str(path.resolve())) for name, path in tables.items()))
        with self._lock:
            database = self._databases.pop(key, None) or self._locked_down(tables)
            self._databases[key] = database
            while len(self._databases) > self.keep:
                self._databases.popitem(last=False)  # closed by DuckDB once its last cursor is done
            return database.cursor(), False

    def run(self, sql: str, *, tables: dict[str, Path], timeout_seconds: float, max_rows: int) -> Result:
        con, _ = self._connection(tables)
        timer = threading.Timer(timeout_seconds, con.interrupt)
        timer.start()
        try:
            # DuckDB's own parser, as a last word: one SELECT, nothing that could change a kept database.
            if [statement.type for statement in con.extract_statements(sql)] != [duckdb.StatementType.SELECT]:
                raise QueryRefused("sql.engine-not-a-select", "The engine runs one SELECT statement and nothing else.")
            cursor = con.execute(sql)
            rows = cursor.fetchmany(max_rows + 1)
            if len(rows) > max_rows:
                raise QueryRefused("sql.too-many-rows", f"The result has more than {max_rows} rows; aggregate further.")
            return Result([column[0] for column in cursor.description], rows)
        except duckdb.InterruptException:
            raise QueryRefused(
                "sql.timeout", f"The query ran longer than {timeout_seconds:g} s and was stopped."
            ) from None
        except duckdb.PermissionException:
            raise QueryRefused(
                "sql.engine-permission", "The engine refused an operation outside the contract's data."
            ) from None
        except duckdb.Error as error:
            raise QueryRefused(
                "sql.engine-error", f"The engine could not run the query ({type(error).__name__})."
            ) from None
        finally:
            timer.cancel()
            con.close()  # the cursor, or the whole database when it is not kept

    def is_unique(self, path: Path, column: str) -> bool:
        key = (str(path.resolve()), column)
        if key not in self._unique:
            ((unique,),) = self.run(
                f"SELECT count(*) = count(DISTINCT {quote(column)}) FROM t",
                tables={"t": path},
                timeout_seconds=600,
                max_rows=1,
            ).rows
            self._unique[key] = bool(unique)  # versions are immutable files: the answer never changes
        return self._unique[key]


DEFAULT_ENGINE = DuckDBEngine()  # the query path: databases kept, one cursor per query
DEV_ENGINE = DuckDBEngine(reuse=False)  # development queries on mock data run SQL nobody checked: nothing is kept
