"""A job's workspace — ``<domain>/jobs/<id>/``: the script, the run's log and its ``output/`` — and the checks on
what a run leaves there. It lives inside the domain: until released it is derived real data."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pubdata.engines.duckdb import locked_connection
from pubdata.jobs import rules

TABULAR = (".csv", ".parquet")


@dataclass(frozen=True)
class Workspace:
    """Where a run's files live."""

    root: Path

    @property
    def script(self) -> Path:
        return self.root / "main.py"

    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def log(self) -> Path:
        return self.root / "run.log"


def workspace(domain_dir: Path, job_id: int) -> Workspace:
    return Workspace(domain_dir / "jobs" / str(job_id))


def _table_columns(path: Path) -> dict[str, list[Any]]:
    """A job's table, read by a DuckDB that may open that one file and nothing else (the file is untrusted)."""
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    con = locked_connection([path])
    try:
        cursor = con.execute(f"SELECT * FROM {reader}(?)", [str(path.resolve())])
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    finally:
        con.close()
    return {name: [row[index] for row in rows] for index, name in enumerate(names)}


def check_outputs(space: Workspace, *, limits: rules.Limits, min_group_size: int) -> tuple[dict[str, Any], list[str]]:
    """Every output file and the run's log: regular files only, sizes, and no column or text shaped like
    personal data; count columns with no group smaller than the contract's minimum."""
    problems: list[str] = []
    files: list[dict[str, Any]] = []
    entries = sorted(space.output.iterdir()) if space.output.exists() else []
    for entry in entries:
        if entry.is_symlink() or not entry.is_file():
            problems.append(f"{entry.name} is not a regular file")
            continue
        content = entry.read_bytes()
        files.append({"name": entry.name, "bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()})
    problems += rules.size_problems([(item["name"], item["bytes"]) for item in files], limits)
    if problems:
        return {"files": files, "problems": problems}, problems
    for item in files:
        path = space.output / item["name"]
        if path.suffix in TABULAR:
            try:
                columns = _table_columns(path)
            except duckdb.Error:
                problems.append(f"{item['name']} cannot be read as a table")
                continue
            item["rows"] = len(next(iter(columns.values()), []))
            for name, values in columns.items():
                problem = rules.personal_column_problem(name, values) or rules.small_group_problem(
                    name, values, min_group_size
                )
                if problem:
                    problems.append(f"{item['name']}: {problem}")
        else:
            problem = rules.text_problem(item["name"], path.read_bytes())
            if problem:
                problems.append(problem)
    log_problem = rules.text_problem("the run's log", space.log.read_bytes()) if space.log.exists() else None
    if log_problem:
        problems.append(log_problem)
    return {"files": files, "problems": problems}, problems
