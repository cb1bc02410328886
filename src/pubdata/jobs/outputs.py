"""A job's workspace — ``<domain>/jobs/<id>/``: the script, the run's log and its ``output/`` — and the check on
what a run leaves there. It lives inside the domain: until released it is derived real data.

The check reads every file of the output folder and the run's log in bounded memory (CSV, JSON and text a
line at a time, Parquet a batch of a row group at a time, after its metadata says how much it holds), compares
it with the job's declaration, looks for identifiers of the contract's real data in every cell, across each
row, in column names, file names, Parquet metadata and the log — whatever their disguise (``rules.findings_in``)
— and keeps, for the reviewers only, its findings and a masked preview of each file. Nothing raw is kept.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from pubdata.jobs import rules
from pubdata.jobs.schemas import DeclaredOutput

PREVIEW_ROWS = 20
PREVIEW_LINES = 40
LINE_CHARS = 1 << 20  # a longer line is read in pieces, each overlapping the last
OVERLAP = 128  # enough for any identifier and its disguise to be whole in one piece
DISTINCT_CAP = 1000
SHAPE_SAMPLE = 1000  # values per text column kept for the names-by-shape fallback
BATCH_ROWS = 4096
JSON_DOCUMENT_BYTES = 1 << 20  # a JSON file this small may be one document (an object, or a list of them)
MASK = "＊＊＊"
INTEGER = re.compile(r"^[+-]?\d+$")
SENSITIVE_LOOKING = re.compile(r"(id|phone|mobile|tel|name|card|身份|手机|电话|姓名|证件)", re.IGNORECASE)


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


@dataclass(frozen=True)
class Context:
    """What the check knows of the contract: its real identifiers (to look up), the names of its sensitive
    fields (an output column of that name is masked whatever it holds), and the minimum group size."""

    protected: rules.Protected = rules.NO_PROTECTED
    sensitive: frozenset[str] = frozenset()
    min_group_size: int = 10
    limits: rules.Limits = rules.PLATFORM_LIMITS


@dataclass
class Report:
    """The check's findings and the reviewers' masked previews, built as the files are read."""

    findings: list[dict[str, Any]] = field(default_factory=list)
    previews: list[dict[str, Any]] = field(default_factory=list)

    def add(self, file: str, what: str, *, column: str | None = None, kinds: Iterable[str] = ()) -> None:
        finding = {"file": file, "what": what, "column": column, "kinds": sorted(kinds)}
        if finding not in self.findings and len(self.findings) < 200:
            self.findings.append(finding)


def shown_name(name: str, context: Context) -> str:
    """A file or column name as a reviewer sees it: masked if it carries an identifier."""
    return MASK if rules.findings_in(name, context.protected) else rules.safe_text(name, 63)


class TooLarge(Exception):
    """An output holds more than it declared, or more than the check reads: the check fails, generically."""


# --- reading, a bounded piece at a time ------------------------------------------------------------------


def text_pieces(path: Path, report: Report, file: str, *, overlap: bool = True) -> Iterator[str]:
    """The file's lines as text; a line longer than ``LINE_CHARS`` comes in overlapping pieces, so nothing
    straddles a cut unseen. Bytes that are not UTF-8 are a finding, and the rest is still read."""
    errors = "strict"
    while True:
        try:
            with path.open(encoding="utf-8", errors=errors, newline="") as handle:
                carry = ""
                while piece := handle.readline(LINE_CHARS):
                    yield carry + piece
                    carry = "" if piece.endswith("\n") or not overlap else piece[-OVERLAP:]
            return
        except UnicodeDecodeError:
            report.add(file, "not-text")
            errors = "replace"


def _typed(value: Any, declared: str | None, from_text: bool) -> tuple[Any, bool]:
    """A cell as its declared type, and whether it is one. Text cells (CSV) are parsed; others must already be
    of the type: a count written as 3.0 is not an integer."""
    if value is None or (from_text and value == ""):
        return None, True
    if declared is None:
        return value, True
    if from_text:
        text = str(value).strip()
        try:
            if declared == "integer":
                return (int(text), True) if INTEGER.match(text) else (value, False)
            if declared == "decimal":
                number = float(text)
                return (number, True) if math.isfinite(number) else (value, False)
            if declared == "boolean":
                return (
                    (text.lower() in ("true", "1"), True)
                    if text.lower() in ("true", "false", "1", "0")
                    else (
                        value,
                        False,
                    )
                )
            if declared == "date":
                return (date.fromisoformat(text), True) if len(text) == 10 else (value, False)
        except ValueError:
            return value, False
        return value, True
    checks = {
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "decimal": isinstance(value, int | float | Decimal)
        and not isinstance(value, bool)
        and math.isfinite(float(value)),
        "boolean": isinstance(value, bool),
        "string": isinstance(value, str),
        "date": isinstance(value, date | datetime)
        or (isinstance(value, str) and len(value) == 10 and _is_iso_date(value)),
    }
    return value, checks.get(declared, False)


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


class TableCheck:
    """One table's rows, checked as they stream past: types against the declaration, identifiers in every
    cell and across each row, small groups in count columns; a profile and the first rows for the preview."""

    def __init__(self, file: str, output: DeclaredOutput, columns: list[str], context: Context, report: Report):
        self.file, self.output, self.columns, self.context, self.report = file, output, columns, context, report
        self.declared = {column.name: column.type for column in output.columns}
        self.flags: dict[str, set[str]] = {name: set() for name in columns}
        self.wrong_type: set[str] = set()
        self.small: set[str] = set()
        self.non_null = dict.fromkeys(columns, 0)
        self.distinct: dict[str, set[int]] = {name: set() for name in columns}
        self.capped: set[str] = set()
        self.low: dict[str, float] = {}
        self.high: dict[str, float] = {}
        self.samples: dict[str, list[str]] = {name: [] for name in columns}
        self.first: list[list[Any]] = []
        self.rows = 0
        counts = {output.count_column} if output.count_column else set()
        self.counts = counts | {
            name
            for name in columns
            if self.declared.get(name) in ("integer", "decimal") and rules.looks_like_count(name)
        }
        for name in columns:
            kinds = rules.findings_in(name, context.protected)
            if kinds:
                report.add(file, "column-name", kinds=kinds)
                self.flags[name] |= kinds
        if columns != [column.name for column in output.columns]:
            report.add(file, "columns")

    def row(self, values: Sequence[Any], *, from_text: bool) -> None:
        self.rows += 1
        if self.rows > min(self.output.max_rows, self.context.limits.examined_rows):
            raise TooLarge
        protected, texts = self.context.protected, []
        for name, raw in zip(self.columns, values, strict=False):
            value, ok = _typed(raw, self.declared.get(name), from_text)
            if not ok:
                self.wrong_type.add(name)
            texts.append("" if value is None else str(value))
            if value is None:
                continue
            self.non_null[name] += 1
            self._profile(name, value)
            text = texts[-1]
            exact = isinstance(value, float | Decimal)  # a float's digits: real values only, not shapes
            if isinstance(value, str) or len(text) >= 11 or not isinstance(value, int | float | Decimal | bool):
                kinds = rules.findings_in(text, protected, shapes=not exact)
                if kinds:
                    self.flags[name] |= kinds
            if name in self.counts and rules.small_group(value, self.context.min_group_size):
                self.small.add(name)
            if isinstance(value, str) and len(self.samples[name]) < SHAPE_SAMPLE:
                self.samples[name].append(value)
        if sum(1 for text in texts if text) >= 2:
            kinds, spanned = rules.findings_across(texts, protected)
            for index in spanned:
                self.flags[self.columns[index]] |= kinds
            if kinds and not any(self.flags[self.columns[index]] - kinds for index in spanned):
                self.report.add(self.file, "across-columns", kinds=kinds)
        if len(self.first) < PREVIEW_ROWS:
            self.first.append(texts)

    def _profile(self, name: str, value: Any) -> None:
        seen = self.distinct[name]
        if name not in self.capped:
            seen.add(hash(value))
            if len(seen) >= DISTINCT_CAP:
                self.capped.add(name)
                seen.clear()
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            number = float(value)
            self.low[name] = min(self.low.get(name, number), number)
            self.high[name] = max(self.high.get(name, number), number)

    def finish(self) -> None:
        for name in self.columns:
            if name in self.declared and rules.names_by_shape(self.samples[name]):
                self.flags[name].add("name")
            shown = shown_name(name, self.context)
            if self.flags[name]:
                self.report.add(self.file, "identifiers", column=shown, kinds=self.flags[name])
            if name in self.wrong_type:
                self.report.add(self.file, "type", column=shown)
            if name in self.small:
                self.report.add(self.file, "small-group", column=shown)
        masked = {name for name in self.columns if self.flags[name] or self._sensitive(name)}
        profile = []
        for name in self.columns:
            numeric = name in self.low and name not in masked and max(abs(self.low[name]), abs(self.high[name])) < 1e9
            profile.append(
                {
                    "name": shown_name(name, self.context),
                    "type": self.declared.get(name, "undeclared"),
                    "non_null": self.non_null[name],
                    "distinct": rules.distinct_bucket(len(self.distinct[name]), name in self.capped),
                    "min": self.low[name] if numeric else None,
                    "max": self.high[name] if numeric else None,
                    "masked": name in masked,
                }
            )
        rows = [
            [
                MASK if name in masked and text else rules.safe_text(text)
                for name, text in zip(self.columns, row, strict=False)
            ]
            for row in self.first
        ]
        self.report.previews.append(
            {"file": self.file, "format": self.output.format, "rows_total": self.rows, "columns": profile, "rows": rows}
        )

    def _sensitive(self, name: str) -> bool:
        return name in self.context.sensitive or bool(SENSITIVE_LOOKING.search(name))


def check_text(path: Path, file: str, context: Context, report: Report, *, preview: bool = True) -> bool:
    """Free text (a txt output, the run's log, a file nobody declared): every line looked at, every line with
    a finding masked whole in the preview. True when nothing was found."""
    lines: list[str] = []
    clean, examined = True, 0
    for number, piece in enumerate(text_pieces(path, report, file)):
        examined += len(piece)
        if examined > context.limits.examined_bytes:
            raise TooLarge
        kinds = rules.findings_in(piece, context.protected)
        if kinds:
            clean = False
            report.add(file, "identifiers", kinds=kinds)
        if number < PREVIEW_LINES:
            lines.append(f"{MASK} " + "、".join(sorted(kinds)) if kinds else rules.safe_text(piece.rstrip("\n"), 200))
    if preview:
        report.previews.append({"file": file, "format": "txt", "lines": lines})
    return clean


def _csv_table(path: Path, file: str, output: DeclaredOutput, context: Context, report: Report) -> TableCheck:
    rows = csv.reader(text_pieces(path, report, file, overlap=False))
    header = next(rows, [])
    table = TableCheck(file, output, header, context, report)
    for row in rows:
        if len(row) != len(header):
            report.add(file, "columns")
        table.row(row, from_text=True)
    return table


def _json_rows(path: Path, report: Report, file: str) -> Iterator[dict[str, Any]]:
    """JSON Lines (one object a line); a small file may instead be one document: an object or a list of them."""
    if path.stat().st_size <= JSON_DOCUMENT_BYTES:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            document = None
        if isinstance(document, dict | list):
            for item in document if isinstance(document, list) else [document]:
                yield item if isinstance(item, dict) else {"": item}
            return
    for piece in text_pieces(path, report, file):
        if not piece.strip():
            continue
        try:
            item = json.loads(piece)
        except ValueError:
            report.add(file, "unreadable")
            item = {"": piece}
        yield item if isinstance(item, dict) else {"": item}


def _json_table(path: Path, file: str, output: DeclaredOutput, context: Context, report: Report) -> TableCheck:
    names = [column.name for column in output.columns]
    table = TableCheck(file, output, names, context, report)
    for item in _json_rows(path, report, file):
        extra = {key: value for key, value in item.items() if key not in names}
        if extra or set(names) - set(item):
            report.add(file, "columns")
        nested = [key for key in names if isinstance(item.get(key), dict | list)]
        values = [json.dumps(item.get(key), ensure_ascii=False) if key in nested else item.get(key) for key in names]
        for key in nested:
            table.wrong_type.add(key)
        table.row(values, from_text=False)
        if extra:  # what was not declared is still looked at, for the reviewers' findings
            text = json.dumps(extra, ensure_ascii=False)
            kinds = rules.findings_in(text, context.protected) | {
                kind for key in extra for kind in rules.findings_in(key, context.protected)
            }
            if kinds:
                report.add(file, "identifiers", column=MASK, kinds=kinds)
    return table


def _parquet_table(path: Path, file: str, output: DeclaredOutput, context: Context, report: Report) -> TableCheck:
    parquet = pq.ParquetFile(path)
    meta = parquet.metadata
    groups = [meta.row_group(index) for index in range(meta.num_row_groups)]
    limits = context.limits
    if (
        meta.num_rows > min(output.max_rows, limits.examined_rows)
        or sum(group.total_byte_size for group in groups) > limits.examined_bytes
    ):
        raise TooLarge
    # Key-value metadata (the file's and the schema's, and each field's) can carry anything: looked at as text.
    schema = parquet.schema_arrow
    pairs = dict(meta.metadata or {}) | dict(schema.metadata or {})
    for arrow_field in schema:
        pairs |= dict(arrow_field.metadata or {})
    for key, value in pairs.items():
        kinds = rules.findings_in(key.decode("utf-8", "replace") + "\n" + value.decode("utf-8", "replace"))
        kinds |= rules.findings_in(value.decode("utf-8", "replace"), context.protected)
        if kinds:
            report.add(file, "metadata", kinds=kinds)
    names = list(schema.names)
    table = TableCheck(file, output, names, context, report)
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        columns = [batch.column(index).to_pylist() for index in range(batch.num_columns)]
        for values in zip(*columns, strict=True):
            table.row([_plain(value) for value in values], from_text=False)
    return table


def _plain(value: Any) -> Any:
    """A nested Parquet value (a list, a struct) is no declared type: its text is still looked at."""
    return json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, dict | list) else value


READERS = {"csv": _csv_table, "json": _json_table, "parquet": _parquet_table}


def _digest(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def check_outputs(
    space: Workspace, outputs: Sequence[DeclaredOutput], *, limits: rules.Limits, context: Context
) -> tuple[dict[str, Any], bool]:
    """Every entry of the output folder and the run's log against the declaration: exactly the declared files,
    regular files only, within the sizes; each file read in bounded memory and checked. Returns the manifest
    (files with digests, findings and masked previews — for the reviewers) and whether the run passed."""
    report = Report()
    expected = {rules.output_name(index, output.format): output for index, output in enumerate(outputs)}
    entries = sorted(space.output.iterdir()) if space.output.exists() else []
    files: list[dict[str, Any]] = []
    sizes: list[tuple[str, int]] = []
    for entry in entries:
        name = shown_name(entry.name, context)
        if entry.is_symlink() or not entry.is_file():
            report.add(name, "not-a-file")
            continue
        size, sha256 = _digest(entry)
        sizes.append((entry.name, size))
        if entry.name not in expected:
            report.add(name, "undeclared-file")
            if size <= limits.output_bytes:
                check_text(entry, name, context, report, preview=False)
            continue
        files.append({"name": entry.name, "format": expected[entry.name].format, "bytes": size, "sha256": sha256})
    for name in sorted(set(expected) - {item["name"] for item in files}):
        report.add(name, "missing-file")
    if rules.size_problems(sizes, limits):
        report.add("", "too-large")
    else:
        for item in files:
            path, output = space.output / item["name"], expected[item["name"]]
            try:
                if output.format == "txt":
                    check_text(path, item["name"], context, report)
                else:
                    table = READERS[output.format](path, item["name"], output, context, report)
                    table.finish()
                    item["rows"] = table.rows
            except TooLarge:
                report.add(item["name"], "too-large")
            except (OSError, ValueError, csv.Error, RuntimeError):
                # pyarrow raises ArrowInvalid (a ValueError) or OSError for a file that is not Parquet.
                report.add(item["name"], "unreadable")
    log, log_preview = _check_log(space, context, report)
    manifest = {
        "run": secrets.token_hex(16),  # the manifest's digest, in the ledger, cannot be guessed from its outcome
        "files": files,
        "log": log,
        "findings": report.findings,
        "previews": report.previews,
        "log_preview": log_preview,
    }
    return manifest, not report.findings


def _check_log(space: Workspace, context: Context, report: Report) -> tuple[dict[str, Any] | None, list[str]]:
    """The run's log is an output: checked like a text file, previewed masked, released with the rest."""
    if not space.log.exists():
        return None, []
    size, sha256 = _digest(space.log)
    log_report = Report()
    try:
        check_text(space.log, "run.log", context, log_report)
    except TooLarge:
        log_report.add("run.log", "too-large")
    report.findings.extend(log_report.findings)
    lines = log_report.previews[0]["lines"] if log_report.previews else []
    return {"name": "run.log", "bytes": size, "sha256": sha256}, lines


def log_preview(space: Workspace, context: Context) -> list[str]:
    """The masked log of a run that failed: what the reviewers read to help the submitter, never the raw log."""
    report = Report()
    if not space.log.exists():
        return []
    try:
        check_text(space.log, "run.log", context, report)
    except TooLarge:
        return [MASK]
    return report.previews[0]["lines"] if report.previews else []


def read_declared(text: str) -> list[DeclaredOutput]:
    return [DeclaredOutput.model_validate(item) for item in json.loads(text or "[]")]
