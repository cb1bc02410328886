"""What the console shows around a query, pure: the contract's tables as schema help (labels, descriptions,
each column's role under the terms), sample queries generated from the terms, the headers and chart of an
answer, the contract's limits, and the answer as CSV or XLSX.

Samples are generated, not written by hand, so that each one is a query the contract answers: it groups by a
declared dimension, aggregates a declared measure (under DP only one with bounds), and joins only on a declared
join key (under DP only from a table carrying the privacy unit to one keyed by it).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pubdata.contracts import rules as contract_rules
from pubdata.contracts.schemas import Terms
from pubdata.engines import plan as governed

NEAR = 0.8  # a limit is near from 80 % of it used


@dataclass(frozen=True)
class ColumnHelp:
    name: str
    label: str
    description: str
    type: str
    roles: tuple[str, ...]  # of dimension, measure, join
    protected: bool
    unit: bool  # names a person or an entity


@dataclass(frozen=True)
class TableHelp:
    name: str  # as SQL names it
    code: str
    title: str
    columns: tuple[ColumnHelp, ...]

    def column(self, name: str) -> ColumnHelp | None:
        return next((c for c in self.columns if c.name == name), None)

    def with_role(self, role: str, order: Sequence[str] | None = None) -> list[ColumnHelp]:
        found = [c for c in self.columns if role in c.roles]
        if order:  # the terms' own order: "the first dimension" is the one the contract lists first
            found.sort(key=lambda c: order.index(c.name) if c.name in order else len(order))
        return found

    @property
    def unit(self) -> ColumnHelp | None:
        return next((c for c in self.columns if c.unit), None)


@dataclass(frozen=True)
class Sample:
    key: str  # the label explaining it
    fields: dict[str, Any]
    sql: str


def table_help(
    name: str, code: str, title: str, fields: Sequence[Any], terms: Terms, every: Sequence[Any]
) -> TableHelp:
    """One table's columns with their roles; ``every`` is all the contract's fields (roles are by name)."""
    roles = contract_rules.column_roles(terms, every)
    columns = tuple(
        ColumnHelp(
            name=spec.name,
            label=spec.label,
            description=spec.description,
            type=spec.type,
            roles=tuple(
                role
                for role, names in (
                    ("dimension", roles.dimensions),
                    ("measure", roles.measures),
                    ("join", roles.join_columns),
                )
                if spec.name in names
            ),
            protected=spec.sensitivity != "none",
            unit=spec.format in contract_rules.UNIT_FORMATS,
        )
        for spec in fields
    )
    return TableHelp(name, code, title, columns)


def samples(
    tables: Sequence[TableHelp], terms: Terms, *, keyed: frozenset[tuple[str, str]] = frozenset()
) -> list[Sample]:
    """Up to three queries the contract answers: a count by the first dimension, an average of a measure by a
    dimension, and a join on the join key when there are two tables. ``keyed``: the (table, column) pairs with
    one row per value, which a DP join needs."""
    dp = terms.is_dp
    # A query's FROM is a table of persons or entities (small groups are counted in them)
    usable = [t for t in tables if t.unit is not None] or ([] if dp else list(tables))
    dims, measures = terms.dimensions, terms.measures
    found: list[Sample] = []
    source = next((t for t in usable if t.with_role("dimension", dims)), None)
    if source is not None:
        d = source.with_role("dimension", dims)[0]
        found.append(
            Sample(
                "console.sample_count",
                {"dimension": d.label, "k": terms.min_group_size},
                f"SELECT {d.name}, count(*) AS records FROM {source.name} GROUP BY {d.name} ORDER BY {d.name}",
            )
        )
    for table in usable:
        bounded = [m for m in table.with_role("measure", measures) if not dp or m.name in terms.bounds]
        if not bounded:
            continue
        m, by = bounded[0], table.with_role("dimension", dims)
        if by:
            found.append(
                Sample(
                    "console.sample_average",
                    {"dimension": by[0].label, "measure": m.label},
                    f"SELECT {by[0].name}, avg({m.name}) AS avg_{m.name} FROM {table.name} "
                    f"GROUP BY {by[0].name} ORDER BY {by[0].name}",
                )
            )
        else:
            found.append(
                Sample(
                    "console.sample_total",
                    {"measure": m.label},
                    f"SELECT avg({m.name}) AS avg_{m.name} FROM {table.name}",
                )
            )
        break
    if join := _join_sample(tables, terms, usable, keyed):
        found.append(join)
    return found


def _join_sample(
    tables: Sequence[TableHelp], terms: Terms, usable: Sequence[TableHelp], keyed: frozenset[tuple[str, str]]
) -> Sample | None:
    for left in usable:
        by = left.with_role("dimension", terms.dimensions)
        for right in tables:
            if right is left:
                continue
            for key in left.with_role("join", terms.join_columns):
                other = right.column(key.name)
                if other is None or "join" not in other.roles or other.type != key.type:
                    continue
                if terms.is_dp and (not key.unit or (right.name, key.name) not in keyed):
                    continue
                return _join(left, right, key, by[0] if by else None, terms)
    return None


def _join(left: TableHelp, right: TableHelp, key: ColumnHelp, by: ColumnHelp | None, terms: Terms) -> Sample:
    measured = [m for m in right.with_role("measure", terms.measures) if not terms.is_dp or m.name in terms.bounds]
    outputs = ["count(*) AS records"] + ([f"sum(b.{measured[0].name}) AS total_{measured[0].name}"] if measured else [])
    select = ([f"a.{by.name}"] if by else []) + outputs
    sql = f"SELECT {', '.join(select)} FROM {left.name} AS a JOIN {right.name} AS b ON a.{key.name} = b.{key.name}"
    if by:
        sql += f" GROUP BY a.{by.name} ORDER BY a.{by.name}"
    fields = {"left": left.title, "right": right.title, "key": key.label, "dimension": by.label if by else ""}
    return Sample("console.sample_join" if by else "console.sample_join_total", fields, sql)


# --- an answer --------------------------------------------------------------------------------------------


def headers(
    plan: governed.Plan | None,
    columns: Sequence[str],
    labels: dict[tuple[str, str], str],
    words: Callable[[str, dict[str, Any]], str],
) -> list[str]:
    """Each output's header in the page's words: a plain column (or its year, quarter, month) by its catalogue
    label, an aggregate by what it computes of which column (``words``: a label key and its fields → text);
    anything else by the name the query gave it."""
    if plan is None or len(plan.outputs) != len(columns):
        return list(columns)

    def label(column: governed.Col) -> str:
        return labels.get((plan.tables[column.table].name, column.name)) or column.name

    shown = []
    for output in plan.outputs:
        value = output.value
        if isinstance(value, governed.Col):
            shown.append(label(value))
        elif isinstance(value, governed.DatePart):
            shown.append(words(f"console.part_{value.part}", {"column": label(value.column)}))
        elif isinstance(value, governed.Aggregate):
            fields = {"column": label(value.column) if value.column else "", "level": _level(value.level)}
            shown.append(words(f"console.agg_{value.function}", fields))
        else:
            shown.append(output.name)
    return shown


def _level(level: float | None) -> str:
    return "" if level is None else f"{level * 100:g}%"


def chart(plan: governed.Plan | None, headers_: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, Any] | None:
    """An ECharts bar chart of a grouped answer: the first group key along the axis, one bar series per
    numeric output. None when the answer is not grouped or has nothing to draw."""
    if plan is None or not plan.group or not rows:
        return None
    keys = [i for i, o in enumerate(plan.outputs) if not isinstance(o.value, governed.Aggregate)]
    values = [i for i, o in enumerate(plan.outputs) if isinstance(o.value, governed.Aggregate)]
    if not keys or not values:
        return None
    axis = [" · ".join(str(row[i]) for i in keys) for row in rows]
    drawn = values[:2]  # a count and a sum differ by orders of magnitude: the second has an axis of its own
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {},
        "grid": {"containLabel": True},
        "xAxis": {"type": "category", "data": axis},
        "yAxis": [{"type": "value", "name": headers_[i]} for i in drawn],
        "series": [
            {"type": "bar", "name": headers_[i], "yAxisIndex": n, "data": [_number(row[i]) for row in rows]}
            for n, i in enumerate(drawn)
        ],
    }


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Limit:
    key: str  # calls | rows | epsilon
    used: float
    limit: float
    state: str = field(default="ok")  # ok | near | reached

    @property
    def share(self) -> float:
        return self.used / self.limit if self.limit else 0.0


def limits(*, calls: tuple[int, int], rows: tuple[int, int], epsilon: tuple[float, float] | None) -> list[Limit]:
    """Each of the contract's limits (used, limit) and whether it is near (≥ 80 %) or reached."""
    found = []
    pairs: list[tuple[str, tuple[float, float]]] = [("calls", calls), ("rows", rows)]
    if epsilon is not None:
        pairs.append(("epsilon", epsilon))
    for key, (used, limit) in pairs:
        share = used / limit if limit else 1.0
        # ε is kept in millionths: what is left below one millionth cannot pay for any query
        reached = used >= limit or (key == "epsilon" and limit - used < 1e-6)
        level = "reached" if reached else "near" if share >= NEAR else "ok"
        found.append(Limit(key, used, limit, level))
    return found


# A spreadsheet reads a cell starting with one of these as a formula: a value of the data (or a label) must never
# become one in the consumer's Excel (CSV/formula injection), so such text is written as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(headers_: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so that a spreadsheet opens the Chinese headers as Chinese."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([_as_text(header) for header in headers_])
    writer.writerows(["" if v is None else _as_text(v) for v in row] for row in rows)
    return text.getvalue().encode("utf-8-sig")


def xlsx_bytes(headers_: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str) -> bytes:
    from openpyxl import Workbook  # only an export needs it
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])

    def cell(value: Any) -> Any:
        value = _cell(value)
        if not isinstance(value, str):
            return value
        written = WriteOnlyCell(sheet, value=value)
        written.data_type = "s"  # text, even when it starts with "=" (openpyxl would make it a formula)
        return written

    sheet.append([cell(header) for header in headers_])
    for row in rows:
        sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # dates, decimals: as the page shows them
