"""What a development run on mock data shows its developer: its files and its log, masked by the declared
sensitivity of the columns their values come from — as a query's answer is (``queries.service.masked``).

Mock values are invented, but they look like the real ones, and the page shows them where real ones will be
shown later; so they are masked as a real value of their column would be, and only they:

- in a table (CSV, Parquet), a column named as a declared sensitive field of the contract's tables is masked
  by that field's rule, and so is a renamed column most of whose values are that field's mock values;
  every other column is shown as it is, whatever its values look like;
- in free text (the log, a JSON or text file), a token that is a mock value of a declared sensitive column is
  masked by that column's rule.

This is display masking for the developer. The output check (``jobs.outputs``), which looks for identifiers
in a real job's output, runs on a development run too, with the mock tables' identifiers to look up.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from pubdata.catalog.schemas import FieldSpec
from pubdata.common import masking

PREVIEW_BYTES = 4096  # of a development run's file
PREVIEW_ROWS = 20  # of a Parquet file, shown as CSV
KNOWN_VALUES = 20_000  # mock values looked up, at most (a mock table has 1,000 rows)


@dataclass(frozen=True)
class DevMasking:
    """The declared masking of the contract's columns (by name) and the mock values of the masked ones."""

    columns: dict[str, str] = field(default_factory=dict)  # field name → its masking rule (not none)
    known: dict[str, str] = field(default_factory=dict)  # a mock value → its column's masking rule

    @staticmethod
    def of(fields: dict[str, list[FieldSpec]], tables: dict[str, Path]) -> DevMasking:
        """From the contract's tables' ``fields`` and their mock files (``tables``, by table name)."""
        columns: dict[str, str] = {}
        known: dict[str, str] = {}
        for name, specs in fields.items():
            masked = {spec.name: spec.masking for spec in specs if spec.masking and spec.masking != "none"}
            columns |= masked
            if not masked or name not in tables:
                continue
            read = pq.read_table(tables[name], columns=sorted(masked))
            for column in read.column_names:
                for value in read.column(column).to_pylist():
                    if value is not None and str(value) and len(known) < KNOWN_VALUES:
                        known.setdefault(str(value), masked[column])
        return DevMasking(columns, known)

    def text(self, text: str) -> str:
        return masking.mask_known(text, self.known)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[list[str]]:
        """The rows masked column by column: by the column's declared name, or the field its values come from."""
        rules = [self._rule(index, name, rows) for index, name in enumerate(header)]
        return [
            [
                cell if index >= len(rules) or rules[index] == "none" else masking.mask(rules[index], cell) or ""
                for index, cell in enumerate(row)
            ]
            for row in rows
        ]

    def _rule(self, index: int, name: str, rows: Sequence[Sequence[str]]) -> str:
        if name in self.columns:
            return self.columns[name]
        cells = [row[index] for row in rows if index < len(row) and row[index]]
        found = Counter(self.known[cell] for cell in cells if cell in self.known)
        if found:
            rule, hits = found.most_common(1)[0]
            if hits * 2 > len(cells):
                return rule
        return "none"

    def preview(self, path: Path) -> str:
        """The start of an output file as the developer sees it."""
        if path.suffix == ".parquet":
            return self._parquet(path)
        text = path.read_bytes()[:PREVIEW_BYTES].decode("utf-8", errors="replace")
        if path.suffix != ".csv":
            return self.text(text)
        rows = list(csv.reader(io.StringIO(text, newline="")))
        if not rows:
            return text
        return _csv([rows[0], *self.table(rows[0], rows[1:])])

    def _parquet(self, path: Path) -> str:
        try:
            parquet = pq.ParquetFile(path)
            batch = next(parquet.iter_batches(batch_size=PREVIEW_ROWS), None)
        except (OSError, ValueError):  # pyarrow's ArrowInvalid is a ValueError
            return ""
        header = list(parquet.schema_arrow.names)
        if batch is None:
            return _csv([header])
        columns = [batch.column(index).to_pylist() for index in range(batch.num_columns)]
        rows = [["" if value is None else str(value) for value in row] for row in zip(*columns, strict=True)]
        return _csv([header, *self.table(header, rows)])


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()
