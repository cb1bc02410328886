"""The governed query plan (受控查询计划): the only thing an engine is asked to run for a consumer.

A plan is small, typed and frozen: one source table, equality joins, a filter of typed comparisons, group
keys, aggregates, small-group rules and post-processing over the outputs. The platform builds it from a
consumer's SQL (``queries.planner``) or from a differentially private rewrite (``privacy.dp``); an engine
turns it into its own dialect (``to_select`` gives a SQLGlot tree; DuckDB now, Spark later) and
``self_check`` parses what was generated and asserts that it reads nothing the plan does not name. The
consumer's text never reaches an engine: every table, column and alias in the generated SQL is the
platform's, and every literal is a typed value rendered with an explicit cast from its catalogue type.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Literal

import sqlglot
from sqlglot import exp

from pubdata.common.errors import Refused

# The catalogue's field types and the SQL type each is cast to.
SQL_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "decimal": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}
NUMERIC = ("integer", "decimal")

Value = str | int | float | bool | date | datetime
Operator = Literal[
    "=", "<>", "<", "<=", ">", ">=", "in", "not in", "between", "like", "not like", "is null", "is not null"
]
AggregateFunction = Literal[
    "count",  # COUNT(*)
    "count_units",  # COUNT(DISTINCT unit)
    "sum",
    "avg",
    "stddev",
    "stddev_pop",
    "variance",
    "var_pop",
    "min",
    "max",
    "median",
    "quantile",
    "count_in",  # rows whose (clamped) value falls in a bin: a DP histogram's counts
]


@dataclass(frozen=True)
class Table:
    """A contract table as the plan reads it: its name, its privacy unit and its protected columns."""

    name: str
    unit: str | None = None
    protected: tuple[str, ...] = ()  # sorted: a plan's repr is its identity, the same in every process


@dataclass(frozen=True)
class Col:
    """A column of the plan's ``tables[table]``, with its catalogue type."""

    table: int
    name: str
    type: str


@dataclass(frozen=True)
class DatePart:
    """The year, quarter or month of a date column: a group key or a filter's left side."""

    column: Col
    part: str  # year | quarter | month

    @property
    def type(self) -> str:
        return "integer"


Key = Col | DatePart


@dataclass(frozen=True)
class Param:
    """A query template's parameter where a literal of a filter stands (``:name``), of its declared type. A
    plan holding one cannot be generated: ``bind`` replaces each by the caller's typed value first."""

    name: str
    type: str


@dataclass(frozen=True)
class Join:
    """``[INNER|LEFT] JOIN`` the next table on equalities of columns (each pair: an earlier table, this one)."""

    kind: str  # inner | left
    pairs: tuple[tuple[Col, Col], ...]


@dataclass(frozen=True)
class Compare:
    """``key op values``: the values are of the key's catalogue type (none for IS NULL)."""

    key: Key
    op: str
    values: tuple[Value | Param, ...] = ()


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Filter, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Filter, ...]


@dataclass(frozen=True)
class Negation:
    part: Filter


Filter = Compare | AllOf | AnyOf | Negation


@dataclass(frozen=True)
class Aggregate:
    function: str  # one of AggregateFunction
    column: Col | None = None
    level: float | None = None  # a quantile's level
    clamp: tuple[float, float] | None = None  # DP: each value clamped into [low, high]
    bin: tuple[float, float, bool] | None = None  # count_in: [low, high), or [low, high] when closed


@dataclass(frozen=True)
class Output:
    """One output column: the name the consumer asked for, and what it is."""

    name: str
    value: Key | Aggregate


@dataclass(frozen=True)
class OutputCompare:
    """A condition on an output (HAVING), applied after the small-group rule."""

    output: int
    op: str
    values: tuple[Value, ...] = ()


@dataclass(frozen=True)
class Order:
    output: int
    descending: bool = False


@dataclass(frozen=True)
class Post:
    """What happens to released groups: HAVING, ORDER BY and LIMIT over outputs only."""

    having: tuple[OutputCompare, ...] = ()  # all must hold
    order: tuple[Order, ...] = ()
    limit: int | None = None
    offset: int = 0

    @property
    def empty(self) -> bool:
        return not (self.having or self.order or self.limit is not None or self.offset)


@dataclass(frozen=True)
class Plan:
    tables: tuple[Table, ...]  # tables[0] is the source
    joins: tuple[Join, ...] = ()  # joins[i] brings in tables[i + 1]
    where: Filter | None = None
    group: tuple[Key, ...] = ()
    outputs: tuple[Output, ...] = ()
    # k: each table carrying a unit must count at least k distinct units in a released group (None: no rule,
    # for tables that describe no person or entity, and for mock data).
    min_units: int | None = None
    unique_units: tuple[int, ...] = ()  # tables with one row per unit
    cap: int | None = None  # DP: at most this many rows of the source per unit
    post: Post = field(default_factory=Post)

    @property
    def columns(self) -> list[str]:
        return [output.name for output in self.outputs]


class PlanInconsistent(Refused):
    """The generated SQL reads something the plan does not name: a platform bug, so it never runs, and the
    caller gets a refusal that names no part of it (what was wrong is in ``found``, for the platform's log)."""

    def __init__(self, found: str) -> None:
        super().__init__("sql.plan-check")
        self.found = found


# --- generation ---------------------------------------------------------------------------------------

# The SQLGlot node of each date part and comparison: what the plan generates, and what the planner reads.
DATE_PARTS: dict[str, type[exp.Func]] = {"year": exp.Year, "quarter": exp.Quarter, "month": exp.Month}
COMPARISONS: dict[str, type[exp.Binary]] = {
    "=": exp.EQ,
    "<>": exp.NEQ,
    "<": exp.LT,
    "<=": exp.LTE,
    ">": exp.GT,
    ">=": exp.GTE,
}


def alias(index: int) -> str:
    return f"t{index}"


def output_alias(index: int) -> str:
    return f"o{index}"


def _column(col: Col) -> exp.Column:
    return exp.column(col.name, table=alias(col.table), quoted=True)


def _key(key: Key) -> exp.Expr:
    if isinstance(key, DatePart):
        return DATE_PARTS[key.part](this=_column(key.column))
    return _column(key)


class UnboundParameter(PlanInconsistent):
    """A template's parameter reached generation unbound: a platform bug, loud, and nothing runs."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unbound parameter {name}")


def typed_literal(value: Value | Param, type_: str) -> exp.Expr:
    """A value as SQL, cast explicitly to its catalogue type: the engine never guesses a conversion."""
    if isinstance(value, Param):
        raise UnboundParameter(value.name)
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        number = exp.Literal.number(repr(value) if isinstance(value, float) else str(value))
        return exp.cast(exp.Neg(this=exp.Literal.number(str(-value))) if value < 0 else number, SQL_TYPES[type_])
    text = value.isoformat() if isinstance(value, (date, datetime)) else value
    return exp.cast(exp.Literal.string(text), SQL_TYPES[type_])


def _compare(left: exp.Expr, op: str, values: tuple[Value | Param, ...], type_: str) -> exp.Expr:
    literals = [typed_literal(value, type_) for value in values]
    if op == "is null":
        return exp.Is(this=left, expression=exp.Null())
    if op == "is not null":
        return exp.Not(this=exp.Is(this=left, expression=exp.Null()))
    if op in ("in", "not in"):
        found = exp.In(this=left, expressions=literals)
        return exp.Not(this=found) if op == "not in" else found
    if op == "between":
        return exp.Between(this=left, low=literals[0], high=literals[1])
    if op in ("like", "not like"):
        like = exp.Like(this=left, expression=literals[0])
        return exp.Not(this=like) if op == "not like" else like
    return COMPARISONS[op](this=left, expression=literals[0])


def _filter(node: Filter) -> exp.Expr:
    if isinstance(node, Compare):
        return exp.paren(_compare(_key(node.key), node.op, node.values, node.key.type), copy=False)
    if isinstance(node, Negation):
        return exp.Not(this=exp.paren(_filter(node.part), copy=False))
    parts = [_filter(part) for part in node.parts]
    combined = exp.and_(*parts, copy=False) if isinstance(node, AllOf) else exp.or_(*parts, copy=False)
    return exp.paren(combined, copy=False)


def _bounded(aggregate: Aggregate) -> exp.Expr:
    assert aggregate.column is not None
    value: exp.Expr = _column(aggregate.column)
    if aggregate.clamp is not None or aggregate.bin is not None or aggregate.column.type == "decimal":
        value = exp.cast(value, "DOUBLE")
    if aggregate.clamp is not None:
        low, high = aggregate.clamp
        value = exp.func(
            "LEAST", exp.func("GREATEST", value, typed_literal(low, "decimal")), typed_literal(high, "decimal")
        )
    return value


AGGREGATES: dict[str, type[exp.Func]] = {
    "sum": exp.Sum,
    "avg": exp.Avg,
    "stddev": exp.StddevSamp,
    "stddev_pop": exp.StddevPop,
    "variance": exp.Variance,
    "var_pop": exp.VariancePop,
    "min": exp.Min,
    "max": exp.Max,
    "median": exp.Median,
}


def _aggregate(aggregate: Aggregate) -> exp.Expr:
    if aggregate.function == "count":
        return exp.Count(this=exp.Star())
    if aggregate.function == "count_units":
        assert aggregate.column is not None
        return exp.Count(this=exp.Distinct(expressions=[_column(aggregate.column)]))
    if aggregate.function == "quantile":
        assert aggregate.level is not None
        return exp.PercentileCont(this=_bounded(aggregate), expression=typed_literal(aggregate.level, "decimal"))
    if aggregate.function == "count_in":
        assert aggregate.bin is not None
        low, high, closed = aggregate.bin
        value = _bounded(aggregate)
        upper = exp.LTE if closed else exp.LT
        inside = exp.and_(
            exp.GTE(this=value, expression=typed_literal(low, "decimal")),
            upper(this=value.copy(), expression=typed_literal(high, "decimal")),
        )
        return exp.Sum(
            this=exp.Case(ifs=[exp.If(this=inside, true=exp.Literal.number(1))], default=exp.Literal.number(0))
        )
    return AGGREGATES[aggregate.function](this=_bounded(aggregate))


def _source(plan: Plan, index: int) -> exp.Expr:
    table = plan.tables[index]
    if index == 0 and plan.cap is not None and table.unit is not None:
        # DP: at most ``cap`` rows of each unit, whichever they are, before anything else sees them.
        capped = (
            exp.select(exp.Star())
            .from_(exp.to_table(table.name, quoted=True))
            .qualify(
                exp.LTE(
                    this=exp.Window(
                        this=exp.RowNumber(),
                        partition_by=[exp.column(table.unit, quoted=True)],
                    ),
                    expression=exp.Literal.number(plan.cap),
                )
            )
        )
        return capped.subquery(alias(index))
    return exp.Table(
        this=exp.to_identifier(table.name, quoted=True), alias=exp.TableAlias(this=exp.to_identifier(alias(index)))
    )


def _small_groups(plan: Plan) -> exp.Expr | None:
    """Every table carrying a unit counts its distinct units over the joined, filtered rows of each group."""
    if plan.min_units is None:
        return None
    conditions = []
    for index, table in enumerate(plan.tables):
        if table.unit is None:
            continue
        unit = exp.column(table.unit, table=alias(index), quoted=True)
        # One table with one row per unit (``COUNT(*) = COUNT(DISTINCT unit)`` over the whole file, so no unit
        # is NULL either): counting a group's rows is counting its units — and DuckDB shares it with an output
        # COUNT(*), where COUNT(DISTINCT) costs about 10× more.
        alone = len(plan.tables) == 1 and index in plan.unique_units
        counted = exp.Count(this=exp.Star()) if alone else exp.Count(this=exp.Distinct(expressions=[unit]))
        conditions.append(exp.GTE(this=counted, expression=exp.Literal.number(plan.min_units)))
    return exp.and_(*conditions, copy=False) if conditions else None


def to_select(plan: Plan) -> exp.Select:
    """The plan as one SQLGlot SELECT, for any engine's dialect."""
    select = exp.Select(
        expressions=[
            exp.alias_(
                _aggregate(output.value) if isinstance(output.value, Aggregate) else _key(output.value),
                output_alias(index),
                quoted=False,
            )
            for index, output in enumerate(plan.outputs)
        ]
    )
    select.set("from_", exp.From(this=_source(plan, 0)))
    joins = []
    for index, join in enumerate(plan.joins, start=1):
        on = exp.and_(
            *(exp.EQ(this=_column(left), expression=_column(right)) for left, right in join.pairs), copy=False
        )
        joins.append(exp.Join(this=_source(plan, index), on=on, side="LEFT" if join.kind == "left" else None))
    if joins:
        select.set("joins", joins)
    if plan.where is not None:
        select.set("where", exp.Where(this=_filter(plan.where)))
    if plan.group:
        select.set("group", exp.Group(expressions=[_key(key) for key in plan.group]))
    small = _small_groups(plan)
    if small is not None:
        select.set("having", exp.Having(this=small))
    return _post(plan, select)


def _post(plan: Plan, inner: exp.Select) -> exp.Select:
    """HAVING, ORDER BY and LIMIT over the released groups: an outer query over the outputs only."""
    post = plan.post
    if post.empty:
        return inner
    outer = exp.select(*(exp.column(output_alias(i)) for i in range(len(plan.outputs)))).from_(inner.subquery("r"))
    conditions = [
        _compare(exp.column(output_alias(c.output)), c.op, c.values, output_type(plan.outputs[c.output]))
        for c in post.having
    ]
    if conditions:
        outer = outer.where(exp.and_(*conditions, copy=False), copy=False)
    if post.order:
        outer = outer.order_by(
            *(exp.Ordered(this=exp.column(output_alias(o.output)), desc=o.descending) for o in post.order), copy=False
        )
    if post.limit is not None:
        outer = outer.limit(post.limit, copy=False)
    if post.offset:
        outer = outer.offset(post.offset, copy=False)
    return outer


def named(select: exp.Select, names: tuple[str, ...]) -> exp.Select:
    """The plan's outputs under the given column names: an outer query renaming ``o0``, ``o1`` …"""
    renamed = [exp.alias_(exp.column(output_alias(i)), name, quoted=True) for i, name in enumerate(names)]
    return exp.select(*renamed).from_(select.subquery("n"))


def output_type(output: Output) -> str:
    """The catalogue type of an output's values: a key's own; an aggregate's a number."""
    value = output.value
    if isinstance(value, Aggregate):
        return "integer" if value.function in ("count", "count_units", "count_in") else "decimal"
    return value.type


# --- a template's parameters ---------------------------------------------------------------------------


def _filters(node: Filter | None) -> list[Compare]:
    found: list[Compare] = []
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, Compare):
            found.append(current)
        elif isinstance(current, Negation):
            stack.append(current.part)
        else:
            stack.extend(current.parts)
    return found


def parameters_of(plan: Plan) -> dict[str, str]:
    """The parameters a plan holds (name → declared type), in the order the filter names them."""
    found: dict[str, str] = {}
    for compare in reversed(_filters(plan.where)):
        for value in compare.values:
            if isinstance(value, Param):
                found.setdefault(value.name, value.type)
    return found


def substitute(plan: Plan, values: dict[str, Value]) -> Plan:
    """The plan with every parameter replaced by its value (already checked against the declaration by the
    caller): what an engine can run. A parameter without a value is a bug: ``UnboundParameter``."""

    def bound(value: Value | Param) -> Value | Param:
        if not isinstance(value, Param):
            return value
        if value.name not in values:
            raise UnboundParameter(value.name)
        return values[value.name]

    def walk(node: Filter) -> Filter:
        if isinstance(node, Compare):
            return replace(node, values=tuple(bound(value) for value in node.values))
        if isinstance(node, Negation):
            return Negation(walk(node.part))
        return type(node)(tuple(walk(part) for part in node.parts))

    return plan if plan.where is None else replace(plan, where=walk(plan.where))


# --- the self-check -------------------------------------------------------------------------------------


def self_check(plan: Plan, sql: str, dialect: str, *, names: tuple[str, ...] | None = None) -> None:
    """Parse the generated SQL and assert it reads only the plan's tables and columns, a protected column only
    as a join key, counted distinct, tested for NULL or as the unit that caps contributions, and that it names
    its outputs as asked (``names``, where a file is written from it)."""
    tree = sqlglot.parse_one(sql, read=dialect)
    tables = {table.name for table in plan.tables}
    for table in tree.find_all(exp.Table):
        if table.name not in tables:
            raise PlanInconsistent(f"table {table.name}")
    read = _columns_read(plan)
    if names is not None and [e.alias for e in tree.expressions] != list(names):
        raise PlanInconsistent("output names")
    for column in tree.find_all(exp.Column):
        if not column.table:
            _check_unqualified(plan, column)
            continue
        index = int(column.table[1:]) if column.table[1:].isdigit() and column.table[0] == "t" else -1
        if (index, column.name) not in read:
            raise PlanInconsistent(f"column {column.table}.{column.name}")
        if column.name in plan.tables[index].protected and not _harmless(column):
            raise PlanInconsistent(f"protected column {column.table}.{column.name}")


def _columns_read(plan: Plan) -> set[tuple[int, str]]:
    read: set[tuple[int, str]] = set()
    for join in plan.joins:
        for left, right in join.pairs:
            read |= {(left.table, left.name), (right.table, right.name)}
    for key in plan.group:
        read.add(_base(key))
    for output in plan.outputs:
        value = output.value
        if isinstance(value, Aggregate):
            if value.column is not None:
                read.add((value.column.table, value.column.name))
        else:
            read.add(_base(value))
    stack = [plan.where] if plan.where is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Compare):
            read.add(_base(node.key))
        elif isinstance(node, Negation):
            stack.append(node.part)
        else:
            stack.extend(node.parts)
    if plan.min_units is not None:
        read |= {(index, table.unit) for index, table in enumerate(plan.tables) if table.unit}
    return read


def _base(key: Key) -> tuple[int, str]:
    column = key.column if isinstance(key, DatePart) else key
    return column.table, column.name


def _check_unqualified(plan: Plan, column: exp.Column) -> None:
    """Unqualified names are the outer query's output aliases, and the unit the DP cap partitions by."""
    if column.name in {output_alias(i) for i in range(len(plan.outputs))}:
        return
    source = plan.tables[0]
    if plan.cap is not None and column.name == source.unit and column.find_ancestor(exp.Window):
        return
    raise PlanInconsistent(f"column {column.name}")


def _harmless(column: exp.Column) -> bool:
    parent = column.parent
    if isinstance(parent, exp.Is):
        return True
    if isinstance(parent, exp.Distinct) and isinstance(parent.parent, exp.Count):
        return True
    if isinstance(parent, exp.EQ) and isinstance(parent.left, exp.Column) and isinstance(parent.right, exp.Column):
        return parent.find_ancestor(exp.Join, exp.Where, exp.Select) is not None and bool(
            parent.find_ancestor(exp.Join)
        )
    return False
