"""Query engines behind one interface: DuckDB here; the scale-out capability adds Spark behind the same one.

The DuckDB engine opens a fresh in-memory database for each query and locks it down before any user SQL
runs (settings verified in ``docs/sandbox-engine.md``): no temporary directory, file access limited to the
contract's own Parquet files, external access off, extension installs and loads off, configuration locked,
thread and memory limits, and ``interrupt()`` when the time limit passes. The SQL checks come first; this is
the second wall, for whatever a check might miss.
"""

from __future__ import annotations

import threading
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


@dataclass(frozen=True)
class DuckDBEngine:
    threads: int = 2
    memory_limit: str = "2GB"

    def _locked_down(self, tables: dict[str, Path]) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(":memory:", config={
            "autoinstall_known_extensions": False, "autoload_known_extensions": False,
            "threads": self.threads, "memory_limit": self.memory_limit,
        })
        paths = [str(path.resolve()) for path in tables.values()]
        # Order matters: these can only be set while external access is still on.
        con.execute("SET temp_directory = ''")
        con.execute(f"SET allowed_paths = [{', '.join(map(literal, paths))}]")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        for name, path in tables.items():
            con.execute(f"CREATE VIEW {quote(name)} AS SELECT * FROM read_parquet({literal(str(path.resolve()))})")
        return con

    def run(self, sql: str, *, tables: dict[str, Path], timeout_seconds: float, max_rows: int) -> Result:
        con = self._locked_down(tables)
        timer = threading.Timer(timeout_seconds, con.interrupt)
        timer.start()
        try:
            cursor = con.execute(sql)
            rows = cursor.fetchmany(max_rows + 1)
            if len(rows) > max_rows:
                raise QueryRefused("sql.too-many-rows", f"The result has more than {max_rows} rows; aggregate further.")
            return Result([column[0] for column in cursor.description], rows)
        except duckdb.InterruptException:
            raise QueryRefused("sql.timeout", f"The query ran longer than {timeout_seconds:g} s and was stopped.") from None
        except duckdb.PermissionException:
            raise QueryRefused("sql.engine-permission", "The engine refused an operation outside the contract's data.") from None
        except duckdb.Error as error:
            raise QueryRefused("sql.engine-error", f"The engine could not run the query ({type(error).__name__}).") from None
        finally:
            timer.cancel()
            con.close()


DEFAULT_ENGINE = DuckDBEngine()  # stateless: each run opens its own locked-down database
