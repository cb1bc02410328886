"""The consumer's files: a table read from CSV (UTF-8 with or without a byte-order mark, or GB18030) or .xlsx, a
column of items or of feature values taken from it, and results written back as CSV or .xlsx.

A bad file is refused with the row and the column that are wrong, never with what the cell holds (it may be an
ID number). A written cell is never a formula: text starting with ``= + - @`` (or a tab or carriage return) is
written as text, the way the platform's own exports do (CSV/formula injection).
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pubdata_client.problems import ITEM_WORDS, ClientProblem

SUFFIXES = (".csv", ".xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    lines: tuple[int, ...]  # each row's line in the file (the header is line 1), for messages

    def index(self, column: str) -> int:
        if column not in self.headers:
            raise ClientProblem("file.column-missing", column=column, columns="、".join(self.headers))
        return self.headers.index(column)


def read_table(path: Path) -> Table:
    """The first sheet (or the CSV) as a header and rows; empty rows are left out."""
    if not path.is_file():
        raise ClientProblem("file.missing", path=str(path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        records = _csv_records(path)
    elif suffix == ".xlsx":
        records = _xlsx_records(path)
    else:
        raise ClientProblem("file.format", suffix=suffix or "''")
    if not records:
        raise ClientProblem("file.empty", path=str(path))
    headers = tuple("" if h is None else str(h).strip() for h in records[0])
    while headers and headers[-1] == "":
        headers = headers[:-1]
    if not headers:
        raise ClientProblem("file.empty", path=str(path))
    seen: set[str] = set()
    for header in headers:
        if header in seen:
            raise ClientProblem("file.header-duplicate", column=header)
        seen.add(header)
    rows, lines = [], []
    for line, record in enumerate(records[1:], start=2):
        cells = tuple(None if _blank(c) else c for c in record)
        if all(c is None for c in cells):
            continue
        if any(c is not None for c in cells[len(headers) :]):
            raise ClientProblem("file.ragged", row=line, found=len(cells), expected=len(headers))
        rows.append(cells[: len(headers)] + (None,) * (len(headers) - len(cells)))
        lines.append(line)
    if not rows:
        raise ClientProblem("file.no-rows", path=str(path))
    return Table(headers, tuple(rows), tuple(lines))


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and cell.strip() == "")


def _csv_records(path: Path) -> list[list[Cell]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ClientProblem("file.encoding", path=str(path))
    try:
        return [list(record) for record in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error:
        raise ClientProblem("file.unreadable", path=str(path), reason="CSV") from None


def _xlsx_records(path: Path) -> list[list[Cell]]:
    from openpyxl import load_workbook  # only an Excel file needs it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError):
        raise ClientProblem("file.unreadable", path=str(path), reason="xlsx") from None
    try:
        sheet = book.worksheets[0]
        return [[_xlsx_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _xlsx_cell(value: Any) -> Cell:
    if value is None or isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return value
    return str(value)


# --- columns ---------------------------------------------------------------------------------------------------

CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_credit_code(code: str) -> bool:
    """GB 32100-2015: the shape and the check character."""
    if not CREDIT_CODE.match(code):
        return False
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(code[:17], _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31] == code[17]


def valid_resident_id(number: str) -> bool:
    """GB 11643-1999: the shape and the check character."""
    if not RESIDENT_ID.match(number):
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17]


VALIDATORS = {"credit_code": valid_credit_code, "resident_id": valid_resident_id}


def _text(cell: Cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def items(table: Table, column: str, *, kind: str | None = None) -> list[str]:
    """A column's items, trimmed (credit codes and ID numbers upper-cased), each checked if ``kind`` is given."""
    at = table.index(column)
    found = []
    valid = VALIDATORS.get(kind or "")
    for row, line in zip(table.rows, table.lines, strict=True):
        cell = row[at]
        if cell is None:
            raise ClientProblem("file.cell-empty", row=line, column=column)
        item = _text(cell).upper() if kind else _text(cell)
        if valid is not None and not valid(item):
            zh, en = ITEM_WORDS[kind or ""]
            raise ClientProblem("file.bad-item", row=line, column=column, kind=zh, kind_en=en)
        found.append(item)
    return found


def numbers(table: Table, column: str) -> list[float]:
    """A column of finite numbers (a feature)."""
    at = table.index(column)
    found = []
    for row, line in zip(table.rows, table.lines, strict=True):
        cell = row[at]
        if cell is None:
            raise ClientProblem("file.cell-empty", row=line, column=column)
        try:
            value = float(cell.strip().replace(",", "")) if isinstance(cell, str) else float(cell)
        except ValueError:
            raise ClientProblem("file.not-number", row=line, column=column) from None
        if not math.isfinite(value):
            raise ClientProblem("file.not-number", row=line, column=column)
        found.append(value)
    return found


# --- results ---------------------------------------------------------------------------------------------------


def as_text(value: Any) -> Any:
    """Text a spreadsheet would read as a formula, quoted so that it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_table(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """CSV (UTF-8 with a byte-order mark, so a spreadsheet shows the Chinese headers) or .xlsx, by suffix."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([as_text(h) for h in headers])
        writer.writerows(["" if v is None else as_text(v) for v in row] for row in rows)
        path.write_bytes(text.getvalue().encode("utf-8-sig"))
    elif suffix == ".xlsx":
        path.write_bytes(_xlsx_bytes(headers, rows))
    else:
        raise ClientProblem("file.output-format", suffix=suffix or "''")


def check_output(path: Path) -> None:
    """Refuses an output file the client cannot write, before any run spends quota."""
    if path.suffix.lower() not in SUFFIXES:
        raise ClientProblem("file.output-format", suffix=path.suffix.lower() or "''")


def _xlsx_bytes(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("results")

    def cell(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        written = WriteOnlyCell(sheet, value=value)
        written.data_type = "s"  # text, even when it starts with "=" (openpyxl would make it a formula)
        return written

    sheet.append([cell(h) for h in headers])
    for row in rows:
        sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
