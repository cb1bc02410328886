"""Loading a department's data into the domain: read, check against the declared schema, write Parquet.

This is the data plane: no control-plane session here. ``catalog.service.load_version`` calls it, then
records the version and its ledger entry in one transaction. A file with any problem becomes no version: the
caller gets a report (first 100 problems, by data row and column, never the offending value).
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any, BinaryIO

import duckdb
import pyarrow as pa
from sqlalchemy.engine import URL

from pubdata.catalog import checks, rules
from pubdata.catalog.schemas import FieldSpec
from pubdata.common import store
from pubdata.engines.duckdb import literal, quote
from pubdata.ledger.merkle import Hasher

MAX_PROBLEMS = 100
# A load that keeps its good rows reports this many problems of the bad ones (row, column, rule: no value).
MAX_REPORT = 10_000
# A column is flagged as looking sensitive when this share of its sampled values look like IDs, phones or names.
LOOKALIKE_SHARE = 0.6
LOOKALIKE_SAMPLE = 10_000
SOURCE_FORMATS = ("csv", "xlsx", "parquet", "sql")
FORMAT_BY_SUFFIX = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str
    row: int | None = None  # data row, 1-based, header not counted
    column: str | None = None


@dataclass(frozen=True)
class Lookalike:
    column: str
    looks_like: str  # resident_id | mobile | person_name
    share: float


@dataclass
class LoadResult:
    source_format: str
    encoding: str | None = None
    row_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    lookalikes: list[Lookalike] = field(default_factory=list)
    parquet_path: Path | None = None  # the pending file, in the loading process's folder
    version_path: Path | None = None  # where it was linked as a version, until the row commits
    checksum: str | None = None
    size_bytes: int = 0
    # A load that keeps its good rows: the rows it read, the bad ones it left out and their problems (which do
    # not refuse the file); ``row_count`` is then the rows kept.
    keep_good_rows: bool = False
    rows_read: int = 0
    rows_rejected: int = 0
    rejections: list[Problem] = field(default_factory=list)
    rejection_count: int = 0
    report_id: int | None = None  # the recorded report (``catalog.service.record_report``), when there is one

    @property
    def ok(self) -> bool:
        return not self.problems

    def refuse(self, problem: Problem) -> LoadResult:
        self.problems.append(problem)
        self.problem_count += 1
        return self


class SourceError(Exception):
    """The source cannot be read at all; carries a problem for the report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


# --- reading sources -------------------------------------------------------------------------------


class NotUtf8(Exception):
    """The file is not UTF-8; the loader tries GB18030 next."""


def _transcode(path: Path, encoding: str, work_dir: Path) -> Path:
    target = work_dir / f"{uuid.uuid4().hex}.csv"
    try:
        with (
            path.open("r", encoding=encoding, newline="") as source,
            target.open("w", encoding="utf-8", newline="") as sink,
        ):
            while chunk := source.read(4 << 20):
                sink.write(chunk)
    except UnicodeDecodeError:
        raise SourceError(
            Problem("catalog.encoding", "The file is neither UTF-8 nor GB18030/GBK text; save it as UTF-8 CSV.")
        ) from None
    return target


_LINE = re.compile(r"[Ll]ine:? (\d+)")


def _csv_relation(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    # DuckDB quietly renames a repeated header ("phone" → "phone_1"); say what the file really has.
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = [column.strip() for column in next(csv.reader(handle), [])]
    except UnicodeDecodeError:
        raise NotUtf8() from None
    repeated = sorted({column for column in header if header.count(column) > 1})
    if repeated:
        raise SourceError(
            Problem("catalog.duplicate-column", f"The column {repeated[0]} appears twice.", column=repeated[0])
        )
    if not header or header == [""]:
        raise SourceError(Problem("catalog.empty", "The file is empty: it has no header line."))
    # No sniffing: the dialect is fixed and the columns are the header's, so a stray row cannot change them.
    columns = "{" + ", ".join(f"{literal(column)}: 'VARCHAR'" for column in header) + "}"
    try:
        con.execute(
            f"CREATE TABLE source AS SELECT * FROM read_csv(?, header = true, auto_detect = false, columns = "
            f"{columns}, "
            "delim = ',', quote = '\"', escape = '\"', strict_mode = true, null_padding = false)",
            [str(path)],
        )
    except duckdb.Error as error:
        if "Invalid unicode" in str(error):
            raise NotUtf8() from None
        _raise_if_storage(error)
        # DuckDB's message may quote the offending line; keep only where it is.
        line = _LINE.search(str(error))
        where = f" near line {line.group(1)}" if line else ""
        raise SourceError(
            Problem(
                "catalog.csv-structure",
                (
                    f"The CSV file is malformed{where}: check quoting and that every row has as many columns as the "
                    f"header."
                ),
            )
        ) from None


def _arrow_strings(header: Sequence[str], rows: Iterable[Sequence[object]]) -> pa.Table:
    columns: list[list[str | None]] = [[] for _ in header]
    for row in rows:
        if len(row) > len(header) and any(value not in (None, "") for value in row[len(header) :]):
            raise SourceError(Problem("catalog.row-width", "A row has more values than the header has columns."))
        for index in range(len(header)):
            value = row[index] if index < len(row) else None
            columns[index].append(None if value is None else _text(value))
    return pa.table({name: pa.array(values, type=pa.string()) for name, values in zip(header, columns, strict=True)})


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def _xlsx_table(path: Path) -> pa.Table:
    # Opened as a file, not by name: openpyxl refuses a name without an .xlsx suffix, and an upload's saved copy
    # has none. What the file is, is for the zip reader to decide.
    with path.open("rb") as handle:
        return _workbook_table(handle)


def _workbook_table(handle: BinaryIO) -> pa.Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise SourceError(Problem("catalog.xlsx", "The file is not a readable .xlsx workbook.")) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header_row = next(rows, None)
        if not header_row:
            raise SourceError(Problem("catalog.empty", "The workbook's first sheet is empty."))
        header = [str(cell).strip() if cell is not None else "" for cell in header_row]
        while header and header[-1] == "":
            header.pop()
        body = (row for row in rows if any(cell not in (None, "") for cell in row))
        return _arrow_strings(header, body)
    except SourceError:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet fails while it is read, in as many ways
        raise SourceError(Problem("catalog.xlsx", "The file is not a readable .xlsx workbook.")) from None
    finally:
        workbook.close()


def _sql_table(url: URL | str, query: str) -> pa.Table:
    """The query's rows from the department database. Errors name only their kind: a driver's message can
    quote the URL, and the URL carries the password."""
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(url)
    except Exception:  # noqa: BLE001
        raise SourceError(Problem("catalog.sql-url", "The database URL is not valid.")) from None
    try:
        with engine.connect() as connection:
            result = connection.execution_options(stream_results=True).execute(text(query))
            header = list(result.keys())
            return _arrow_strings(header, result)
    except SourceError:
        raise
    except Exception as error:  # noqa: BLE001 - a driver may raise anything; none of it may become a 500
        kind = type(getattr(error, "orig", None) or error).__name__
        raise SourceError(
            Problem("catalog.sql-source", f"The department database refused the query ({kind}).")
        ) from None
    finally:
        engine.dispose()


# --- checking ----------------------------------------------------------------------------------------


def _match_columns(header: Sequence[str], fields: Sequence[FieldSpec]) -> tuple[dict[str, str], list[Problem]]:
    """Map each declared field to a source column, by name or Chinese label."""
    problems: list[Problem] = []
    by_key: dict[str, str] = {}
    for column in header:
        key = column.strip().lstrip("\ufeff")
        if key in by_key:
            problems.append(Problem("catalog.duplicate-column", f"The column {key} appears twice.", column=key))
        by_key[key] = column
    mapping: dict[str, str] = {}
    known: set[str] = set()
    for spec in fields:
        for key in (spec.name, spec.label):
            if key in by_key:
                mapping[spec.name] = by_key[key]
                known.update((spec.name, spec.label))
                break
        else:
            if spec.required:
                problems.append(
                    Problem(
                        "catalog.missing-column",
                        f"The required column {spec.name} ({spec.label}) is missing.",
                        column=spec.name,
                    )
                )
    for key in by_key:
        if key not in known:
            problems.append(
                Problem(
                    "catalog.unknown-column",
                    f"The column {key} is not in the declared schema; declare it or remove it.",
                    column=key,
                )
            )
    return mapping, problems


def _value(mapping: dict[str, str], spec: FieldSpec) -> str:
    if spec.name not in mapping:
        return "CAST(NULL AS VARCHAR)"
    return f"NULLIF(trim({quote(mapping[spec.name])}), '')"


def _field_checks(spec: FieldSpec) -> list[tuple[str, str]]:
    """(check name, SQL that is true when the value passes) for one field, over ``_prepared``'s columns."""
    value = quote("v_" + spec.name)
    found: list[tuple[str, str]] = []
    if spec.required:
        found.append(("required", f"{value} IS NOT NULL"))
    if spec.type in checks.TYPE_CHECKS:
        found.append((spec.type, f"({value} IS NULL OR {checks.TYPE_CHECKS[spec.type](value)})"))
    if spec.format == "resident_id":
        found.append(("resident_id", f"({value} IS NULL OR {checks.is_resident_id(value, quote('p_' + spec.name))})"))
    elif spec.format in checks.FORMAT_CHECKS:
        found.append((spec.format, f"({value} IS NULL OR {checks.FORMAT_CHECKS[spec.format](value)})"))
    return found


def _prepared(mapping: dict[str, str], fields: Sequence[FieldSpec]) -> str:
    """Each field's trimmed value once, and an ID number's first 17 digits as one number, for the checks."""
    columns = [f"{_value(mapping, spec)} AS {quote('v_' + spec.name)}" for spec in fields]
    columns += [
        f"TRY_CAST(substr({_value(mapping, spec)}, 1, 17) AS BIGINT) AS {quote('p_' + spec.name)}"
        for spec in fields
        if spec.format == "resident_id"
    ]
    return f"SELECT rowid + 1 AS row_no, {', '.join(columns)} FROM source"


@dataclass
class RowCheck:
    """What checking every row found: problems (the first ``limit``), how many in all, how many rows had one."""

    problems: list[Problem] = field(default_factory=list)
    count: int = 0
    bad_rows: int = 0


def _check_rows(
    con: duckdb.DuckDBPyConnection, mapping: dict[str, str], fields: Sequence[FieldSpec], *, limit: int
) -> RowCheck:
    """Run every field's checks over every row. A row is numbered by its place in the source (``rowid``), so
    the report's numbers are the file's data rows."""
    found = RowCheck()
    named = [(spec, name, sql) for spec in fields for name, sql in _field_checks(spec)]
    if not named:
        return found
    flags = ", ".join(f"coalesce({sql}, FALSE) AS c{i}" for i, (_, _, sql) in enumerate(named))
    prepared = _prepared(mapping, fields)
    failing = " OR ".join(f"NOT c{i}" for i in range(len(named)))
    *counts, bad_rows = _one_row(
        con,
        "SELECT "
        + ", ".join(f"count(*) FILTER (WHERE NOT c{i})" for i in range(len(named)))
        + f", count(*) FILTER (WHERE {failing}) FROM (SELECT {flags} FROM ({prepared}))",
    )
    found.count, found.bad_rows = sum(counts), bad_rows
    if not bad_rows:
        return found
    # Only a file with problems pays for finding their rows.
    con.execute(
        f"CREATE TEMP TABLE failing AS SELECT * FROM (SELECT row_no, {flags} FROM ({prepared})) WHERE {failing}"
    )
    rows = con.execute(f"SELECT * FROM failing ORDER BY row_no LIMIT {limit}").fetchall()
    for row in rows:
        for i, (spec, name, _) in enumerate(named):
            if not row[i + 1] and len(found.problems) < limit:
                found.problems.append(
                    Problem(f"catalog.check.{name}", checks.CHECK_MESSAGES[name], row=row[0], column=spec.name)
                )
    return found


def _drop_failing_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Leave out the rows ``_check_rows`` found a problem in (its ``failing`` table)."""
    con.execute("DELETE FROM source WHERE rowid + 1 IN (SELECT row_no FROM failing)")


def _find_lookalikes(
    con: duckdb.DuckDBPyConnection, mapping: dict[str, str], fields: Sequence[FieldSpec]
) -> list[Lookalike]:
    suspects = [
        spec for spec in fields if spec.sensitivity == "none" and spec.type == "string" and spec.name in mapping
    ]
    found: list[Lookalike] = []
    for spec in suspects:
        total, *matches = _lookalike_counts(con, _value(mapping, spec))
        for (kind, _), count in zip(checks.LOOKALIKES.items(), matches, strict=True):
            if total and count / total >= LOOKALIKE_SHARE:
                found.append(Lookalike(spec.name, kind, round(count / total, 3)))
    return found


def _lookalike_counts(con: duckdb.DuckDBPyConnection, value: str) -> tuple[int, ...]:
    tests = ", ".join(f"count(*) FILTER (WHERE {check('v')})" for check in checks.LOOKALIKES.values())
    sample = f"SELECT {value} AS v FROM source WHERE {value} IS NOT NULL LIMIT {LOOKALIKE_SAMPLE}"
    return _one_row(con, f"SELECT count(*), {tests} FROM ({sample})")


def _one_row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    """An aggregate without GROUP BY answers exactly one row."""
    row = con.execute(sql).fetchone()
    assert row is not None, "an aggregate answered no row"
    return row


# --- the whole load ----------------------------------------------------------------------------------


def _connect(work_dir: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(
        ":memory:",
        config={
            "threads": max(os.cpu_count() or 1, 1),
            "memory_limit": "4GB",
            "temp_directory": str(work_dir),
            "enable_external_access": True,
        },
    )


def check_and_write(
    *,
    source_format: str,
    fields: Sequence[FieldSpec],
    work_dir: Path,
    path: Path | None = None,
    sql_url: URL | str | None = None,
    sql_query: str | None = None,
    confirmed_not_sensitive: Iterable[str] = (),
    hasher: Hasher,
    progress: Progress | None = None,
    keep_good_rows: bool = False,
) -> LoadResult:
    """Read a source, check every row against ``fields`` and, when all is well, write a Parquet file.

    With ``keep_good_rows`` a row that fails a check is left out and reported instead of refusing the file; the
    file is still refused as a whole for what concerns all of it (its columns, its encoding, personal data
    declared as not personal) or when no row is good."""
    if source_format not in SOURCE_FORMATS:
        return LoadResult(source_format).refuse(
            Problem(
                "catalog.source-format",
                f"Unknown source format {source_format}; use one of {', '.join(SOURCE_FORMATS)}.",
            )
        )
    work_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="load-", dir=work_dir))
    result = LoadResult(source_format, keep_good_rows=keep_good_rows)
    con = _connect(scratch)
    try:
        _read_source(con, result, source_format, path, sql_url, sql_query, scratch, progress)
        header = [column for column, *_ in con.execute("DESCRIBE source").fetchall()]
        mapping, header_problems = _match_columns(header, fields)
        if header_problems:
            for problem in header_problems:
                result.refuse(problem)
            return result
        result.row_count = _one_row(con, "SELECT count(*) FROM source")[0]
        if result.row_count == 0:
            return result.refuse(Problem("catalog.empty", "The source has a header but no rows."))
        if progress:
            progress("checking", 0, result.row_count)
        checked = _check_rows(con, mapping, fields, limit=MAX_REPORT if keep_good_rows else MAX_PROBLEMS)
        result.rows_read = result.row_count
        if keep_good_rows:
            result.rejections, result.rejection_count = checked.problems, checked.count
            result.rows_rejected = checked.bad_rows
        else:
            result.problems += checked.problems
            result.problem_count += checked.count
        if progress:
            progress("checking", result.row_count, result.row_count)
        confirmed = set(confirmed_not_sensitive)
        result.lookalikes = _find_lookalikes(con, mapping, fields)
        for lookalike in result.lookalikes:
            if lookalike.column not in confirmed:
                result.refuse(
                    Problem(
                        "catalog.undeclared-sensitive",
                        f"{round(lookalike.share * 100)}% of the sampled values look like "
                        f"{lookalike.looks_like.replace('_', ' ')}s but the field "
                        "is declared not personal: declare its sensitivity, or confirm it is not personal data.",
                        column=lookalike.column,
                    )
                )
        if not result.ok:
            return result
        if result.rows_rejected:
            if result.rows_rejected == result.row_count:
                return result.refuse(Problem("catalog.no-good-rows", "No row passed the checks: nothing to keep."))
            _drop_failing_rows(con)
            result.row_count -= result.rows_rejected
        _write_parquet(con, mapping, fields, result, work_dir, hasher, progress)
        return result
    except SourceError as error:
        return result.refuse(error.problem)
    except BaseException as error:
        # Nothing half-written stays: not the pending file, whatever stopped the load (a full disk included).
        if result.parquet_path is not None:
            result.parquet_path.unlink(missing_ok=True)
            result.parquet_path = None
        if isinstance(error, duckdb.Error):
            _raise_if_storage(error)
        raise
    finally:
        con.close()
        _remove_tree(scratch)


def _raise_if_storage(error: duckdb.Error) -> None:
    """A full or read-only store is the platform's fault, never a problem with the department's file."""
    fault = store.fault_of(error)
    if fault is not None:
        raise fault from error


def _read_source(
    con: duckdb.DuckDBPyConnection,
    result: LoadResult,
    source_format: str,
    path: Path | None,
    sql_url: URL | str | None,
    sql_query: str | None,
    scratch: Path,
    progress: Progress | None,
) -> None:
    if source_format == "sql":
        if not sql_url or not sql_query:
            raise SourceError(Problem("catalog.sql-source", "A SQL load needs a database URL and a query."))
        con.register("source_arrow", _sql_table(sql_url, sql_query))
        con.execute("CREATE TABLE source AS SELECT * FROM source_arrow")
        return
    if path is None or not path.is_file():
        raise SourceError(Problem("catalog.no-file", "No file was given, or it cannot be read."))
    if source_format == "csv":
        # DuckDB's strict UTF-8 read is the encoding check; only a file it refuses is decoded as GB18030
        # (which includes GBK and GB2312) and converted.
        with path.open("rb") as handle:
            result.encoding = "utf-8-sig" if handle.read(3) == codecs.BOM_UTF8 else "utf-8"
        if progress:
            progress(f"reading ({result.encoding})", 0, 1)
        try:
            _csv_relation(con, path)
        except NotUtf8:
            result.encoding = "gb18030"
            if progress:
                progress("reading (gb18030)", 0, 1)
            _csv_relation(con, _transcode(path, "gb18030", scratch))
    elif source_format == "xlsx":
        con.register("source_arrow", _xlsx_table(path))
        con.execute("CREATE TABLE source AS SELECT * FROM source_arrow")
    else:
        try:
            con.execute("CREATE TABLE source AS SELECT * FROM read_parquet(?)", [str(path)])
        except duckdb.Error as error:
            _raise_if_storage(error)
            raise SourceError(Problem("catalog.parquet", "The file is not a readable Parquet file.")) from None
        casts = ", ".join(
            f"CAST({quote(c)} AS VARCHAR) AS {quote(c)}" for c, *_ in con.execute("DESCRIBE source").fetchall()
        )
        con.execute(
            f"CREATE TABLE source_text AS SELECT {casts} FROM source; DROP TABLE source; ALTER TABLE source_text "
            f"RENAME TO source"
        )


def _write_parquet(
    con: duckdb.DuckDBPyConnection,
    mapping: dict[str, str],
    fields: Sequence[FieldSpec],
    result: LoadResult,
    work_dir: Path,
    hasher: Hasher,
    progress: Progress | None,
) -> None:
    projection = ", ".join(f"{checks.typed(_value(mapping, spec), spec.type)} AS {quote(spec.name)}" for spec in fields)
    target = work_dir / f"pending-{uuid.uuid4().hex}.parquet"
    if progress:
        progress("writing", 0, result.row_count)
    result.parquet_path = target  # from here on, a failure removes it (``check_and_write``)
    con.execute(f"COPY (SELECT {projection} FROM source) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
    result.size_bytes = target.stat().st_size
    result.checksum = file_digest(target, hasher)
    if progress:
        progress("writing", result.row_count, result.row_count)


def file_digest(path: Path, hasher: Hasher) -> str:
    digest = hasher.stream()
    with path.open("rb") as handle:
        while chunk := handle.read(8 << 20):
            digest.update(chunk)
    return digest.finalize().hex()


def _remove_tree(folder: Path) -> None:
    # Best effort: on a read-only store this cannot succeed, and must not hide why the load failed; the next
    # start tidies what is left (``common.store.tidy``).
    shutil.rmtree(folder, ignore_errors=True)


# --- reading a sample, to describe a resource from it ---------------------------------------------------

SAMPLE_ROWS = 200
MAX_SAMPLE_COLUMNS = 500  # a resource's most fields (``schemas.ResourceIn``)
# Each check counted over a sample column, as the loader runs it; ``leading_zero`` keeps codes such as 0731 text.
SAMPLE_CHECKS: dict[str, Callable[[str], str]] = {
    **checks.TYPE_CHECKS,
    **checks.FORMAT_CHECKS,
    "person_name": checks.looks_like_name,
    "leading_zero": lambda v: f"regexp_full_match({v}, '0[0-9]+')",
}


def _sample_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and first rows of a CSV file, UTF-8 (with or without BOM) or else GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with path.open(encoding=encoding, newline="") as handle:
                reader = csv.reader(handle, strict=True)
                header = next(reader, [])
                rows = [row for _, row in zip(range(SAMPLE_ROWS), reader, strict=False)]
            return header, rows
        except UnicodeDecodeError:
            continue
        except csv.Error:
            raise SourceError(Problem("catalog.csv-structure", "The CSV file is malformed.")) from None
    raise SourceError(Problem("catalog.encoding", "The file is neither UTF-8 nor GB18030/GBK text."))


def _sample_xlsx(path: Path) -> tuple[list[str], list[list[object]]]:
    from openpyxl import load_workbook

    with path.open("rb") as handle:
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
            raise SourceError(Problem("catalog.xlsx", "The file is not a readable .xlsx workbook.")) from None
        try:
            rows = workbook.worksheets[0].iter_rows(values_only=True)
            header = ["" if cell is None else str(cell) for cell in next(rows, None) or ()]
            while header and header[-1].strip() == "":
                header.pop()
            body = [[_sample_cell(cell) for cell in row] for _, row in zip(range(SAMPLE_ROWS), rows, strict=False)]
        except Exception:  # noqa: BLE001 - a damaged sheet fails while it is read, in as many ways
            raise SourceError(Problem("catalog.xlsx", "The file is not a readable .xlsx workbook.")) from None
        finally:
            workbook.close()
    return header, [row for row in body if any(cell not in (None, "") for cell in row)]


def _sample_cell(cell: object) -> object:
    """A spreadsheet's date is a datetime at midnight: read as the date it shows."""
    if isinstance(cell, datetime) and cell.time() == time(0):
        return cell.date()
    return cell


# A header cell that passes one of these is a value, not a column's name: a file without a header line.
_VALUE_CHECKS = ("resident_id", "mobile", "credit_code")
# A name-like header in a column where at least this share of the values look like names is itself a name.
_NAME_COLUMN_SHARE = 0.6


def _header_is_data(con: duckdb.DuckDBPyConnection, width: int) -> bool:
    """Is the first line values rather than column names? A header cell is a value when it passes a type or a
    format check (a number, a date, an ID …), when it is one of its own column's values (``男`` above 男/女), or
    when it looks like a person's name at the top of a column of names. Column names are none of these."""
    tests = " OR ".join(
        [
            *(check("h") for check in checks.TYPE_CHECKS.values()),
            *(checks.FORMAT_CHECKS[name]("h") for name in _VALUE_CHECKS),
            "regexp_full_match(h, '[0-9]{6,}')",
        ]
    )
    if _one_row(con, f"SELECT count(*) FILTER (WHERE h <> '' AND ({tests})) FROM header_cells")[0]:
        return True
    name_like = dict(
        con.execute(f"SELECT i, coalesce({checks.looks_like_name('h')}, false) FROM header_cells").fetchall()
    )
    for index in range(width):
        value = f"NULLIF(trim({quote(f'c{index}')}), '')"
        among, names, filled = _one_row(
            con,
            f"SELECT count(*) FILTER (WHERE v = (SELECT h FROM header_cells WHERE i = {index})),"
            f" count(*) FILTER (WHERE {checks.looks_like_name('v')}), count(v) FROM (SELECT {value} AS v FROM sample)",
        )
        if among or (name_like.get(index) and filled and names >= _NAME_COLUMN_SHARE * filled):
            return True
    return False


def sample_columns(path: Path, source_format: str) -> list[rules.ColumnSample]:
    """What the first rows of a sample file say of each column: counts only, never a value. The sample is read
    here, in the domain, and never kept (the caller removes the file)."""
    if source_format == "csv":
        header, rows = _sample_csv(path)
    elif source_format == "xlsx":
        header, rows = _sample_xlsx(path)  # type: ignore[assignment]
    else:
        raise SourceError(Problem("catalog.source-format", "A sample is a CSV or .xlsx file."))
    header = [column.strip().lstrip("\ufeff") for column in header]
    if not header or all(column == "" for column in header):
        raise SourceError(Problem("catalog.empty", "The file is empty: it has no header line."))
    if len(header) > MAX_SAMPLE_COLUMNS:
        raise SourceError(Problem("catalog.too-many-columns", "The file has more columns than a resource may have."))
    names = [f"c{index}" for index in range(len(header))]
    table = _arrow_strings(names, rows)
    con = duckdb.connect(":memory:", config={"threads": 1, "enable_external_access": False})
    try:
        # Both registered before any query: DuckDB registers nothing while a result is open.
        con.register("sample", table)
        cells = {"i": pa.array(range(len(header)), type=pa.int32()), "h": pa.array(header, type=pa.string())}
        con.register("header_cells", pa.table(cells))
        # Before anything names a header cell (a refusal of a repeated column would): it may be a value.
        if _header_is_data(con, len(header)):
            raise SourceError(Problem("catalog.sample-no-header", "The first line holds values, not column names."))
        repeated = sorted({column for column in header if column and header.count(column) > 1})
        if repeated:
            raise SourceError(
                Problem("catalog.duplicate-column", f"The column {repeated[0]} appears twice.", column=repeated[0])
            )
        return [_column_sample(con, column, header[index]) for index, column in enumerate(names)]
    finally:
        con.close()


def _column_sample(con: duckdb.DuckDBPyConnection, column: str, header: str) -> rules.ColumnSample:
    value = f"NULLIF(trim({quote(column)}), '')"
    tests = ", ".join(f"count(*) FILTER (WHERE v IS NOT NULL AND {check('v')})" for check in SAMPLE_CHECKS.values())
    counts = _one_row(con, f"SELECT count(v), count(*) - count(v), {tests} FROM (SELECT {value} AS v FROM sample)")
    filled, empty, *passing = counts
    return rules.ColumnSample(header, filled, empty, dict(zip(SAMPLE_CHECKS, passing, strict=True)))
