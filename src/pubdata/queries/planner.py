"""From a consumer's SQL to a governed plan (受控查询计划), pure: compile, don't filter.

The SQL (DuckDB dialect) is parsed with SQLGlot only to build an ``engines.plan.Plan``, in the strict shape of
an aggregation analysis rule: one source table carrying the privacy unit; equality joins to other contract
tables on the join columns the contract declares, each table once, INNER or LEFT; WHERE over dimensions
compared with literals of their catalogue type; group keys from the dimensions (and the year, quarter or month
of a date dimension); aggregates of measures; HAVING, ORDER BY and LIMIT over outputs, after the output
rule. Whatever the builder does not recognise in a place is refused, naming the construct and the place.
A protected column may appear only as a declared join key, in ``COUNT(DISTINCT unit)`` or in ``IS NULL``.

Names resolve as DuckDB resolves them (case-insensitively, quoted or not), but only the platform's names reach
the engine: the plan is what runs. Refusals here depend on the text, the contract and the published schema
alone, never on the data, so they are free and specific.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError

from pubdata.common.errors import Refused
from pubdata.common.messages import Phrase
from pubdata.engines import plan as p

DIALECT = "duckdb"
LOG = logging.getLogger(__name__)  # never the query text: it may hold a value someone typed
MAX_TOKENS = 4000
MAX_PARENS = 32  # parentheses nested deeper than this are refused before parsing
MAX_DEPTH = 48  # nesting of different constructs in the parsed tree (chains of AND or OR count once)
MAX_JOINS = 5
MAX_OUTPUTS = 64
MAX_KEYS = 8
MAX_CONDITIONS = 200
MAX_VALUES = 1000
MAX_TEXT = 1000
MAX_NAME = 64


class QueryRefused(Refused):
    """A query refused before it reaches the data, by the rule it breaks (free, and recorded)."""


@dataclass(frozen=True)
class Field:
    """A column as the contract's catalogue publishes it."""

    type: str  # the catalogue's field type
    sensitivity: str = "none"  # none | personal | sensitive
    masking: str = "none"  # how its values are shown (``common.masking``): declared, never guessed from a value

    @property
    def protected(self) -> bool:
        return self.sensitivity != "none"


@dataclass(frozen=True)
class Policy:
    """What a contract lets a query use: its tables' published schemas and the roles of their columns."""

    tables: dict[str, dict[str, Field]]
    dimensions: frozenset[str] = frozenset()  # group keys and filters
    measures: frozenset[str] = frozenset()  # what aggregates may take
    join_columns: frozenset[str] = frozenset()  # what tables may be joined on
    privacy_units: dict[str, str] = field(default_factory=dict)  # table -> the column naming a person or entity
    min_group_size: int = 10
    unique_units: frozenset[str] = frozenset()  # tables with one row per unit
    public_values: dict[str, tuple[str, ...]] = field(default_factory=dict)  # dimension -> its published values

    def is_dimension(self, table: str, column: str) -> bool:
        spec = self.tables[table][column]
        return column in self.dimensions and not spec.protected

    def is_measure(self, table: str, column: str) -> bool:
        spec = self.tables[table][column]
        return column in self.measures and not spec.protected and spec.type in p.NUMERIC


def _refuse(rule: str, **params: Any) -> QueryRefused:
    return QueryRefused(f"sql.{rule}", **params)


def _place(name: str) -> Phrase:
    return Phrase(f"sql.place.{name}")


CONSTRUCTS: dict[type[exp.Expr], str] = {
    exp.With: "cte",
    exp.CTE: "cte",
    exp.Subquery: "subquery",
    exp.Union: "set-operation",
    exp.Intersect: "set-operation",
    exp.Except: "set-operation",
    exp.Values: "values",
    exp.Window: "window",
    exp.Star: "star",
    exp.Placeholder: "parameter",
    exp.Parameter: "parameter",
    exp.Lateral: "lateral",
    exp.Unnest: "values",
    exp.Case: "case",
    exp.If: "case",
    exp.Cast: "cast",
    exp.TryCast: "cast",
    exp.Dot: "struct-field",
    exp.Bracket: "struct-field",
    exp.Filter: "aggregate-filter",
    exp.Anonymous: "function",
}


def _construct(node: exp.Expr) -> Phrase:
    """What a construct is called in a refusal: a kind we name, a function by its name, else its SQL kind."""
    kind = CONSTRUCTS.get(type(node))
    if kind == "function":
        return Phrase("sql.construct.function", {"name": str(node.name)[:MAX_NAME]})
    if kind is None and isinstance(node, exp.Func):
        return Phrase("sql.construct.function", {"name": node.sql_name()[:MAX_NAME]})
    if kind is None:
        return Phrase("sql.construct.other", {"name": type(node).__name__.upper()})
    return Phrase(f"sql.construct.{kind}")


def _not_allowed(node: exp.Expr, place: str) -> QueryRefused:
    return _refuse("construct", construct=_construct(node), place=_place(place))


# --- the text -----------------------------------------------------------------------------------------


def parse(sql: str) -> exp.Select:
    """One SELECT, parsed within bounds: unterminated strings, deep nesting and huge texts are refused."""
    try:
        tokens = Dialect.get_or_raise(DIALECT).tokenize(sql)
    except TokenError:
        raise _refuse("parse") from None
    if len(tokens) > MAX_TOKENS:
        raise _refuse("too-long", tokens=MAX_TOKENS)
    depth = deepest = 0
    for token in tokens:
        kind = token.token_type.name
        depth += (kind == "L_PAREN") - (kind == "R_PAREN")
        deepest = max(deepest, depth)
    if deepest > MAX_PARENS:
        raise _refuse("too-deep", depth=MAX_PARENS)
    try:
        statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except RecursionError:
        raise _refuse("too-deep", depth=MAX_PARENS) from None
    except (ParseError, TokenError, Exception):  # noqa: BLE001 - what the parser cannot read, it cannot plan
        raise _refuse("parse") from None
    if len(statements) != 1:
        raise _refuse("single-statement")
    statement = statements[0]
    if isinstance(statement, (exp.Union, exp.Intersect, exp.Except)):
        raise _not_allowed(statement, "query")
    if not isinstance(statement, exp.Select):
        raise _refuse("not-a-select", statement=type(statement).__name__.upper()[:MAX_NAME])
    _bounded_depth(statement)
    return statement


def _bounded_depth(tree: exp.Expr) -> None:
    stack: list[tuple[exp.Expr, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _refuse("too-deep", depth=MAX_PARENS)
        for child in node.iter_expressions():
            same_chain = type(child) is type(node) and isinstance(node, exp.Connector)
            stack.append((child, depth if same_chain else depth + 1))


def _present(value: object) -> bool:
    return value is not None and value is not False and value != []


def _only(node: exp.Expr, allowed: set[str], place: str) -> None:
    """A node carries only the arguments the plan understands; anything else set on it is refused."""
    for key, value in node.args.items():
        if key not in allowed and _present(value):
            shown = value[0] if isinstance(value, list) else value
            if isinstance(shown, exp.Expr):
                raise _not_allowed(shown, place)
            raise _refuse("construct", construct=Phrase("sql.construct.option", {"name": key}), place=_place(place))


SELECT_ARGS = {"expressions", "from_", "joins", "where", "group", "having", "order", "limit", "offset"}
SELECT_CLAUSES = {
    "with_": "cte",
    "distinct": "distinct",
    "qualify": "qualify",
    "windows": "window",
    "laterals": "lateral",
    "sample": "sample",
    "pivots": "pivot",
}


def _check_clauses(tree: exp.Select) -> None:
    for key, kind in SELECT_CLAUSES.items():
        if _present(tree.args.get(key)):
            raise _refuse("construct", construct=Phrase(f"sql.construct.{kind}"), place=_place("query"))
    _only(tree, SELECT_ARGS, "query")


# --- tables and names ---------------------------------------------------------------------------------


@dataclass
class _Scope:
    """The query's tables, by the alias (lower-case) that names them."""

    policy: Policy
    mock: bool = False  # development on mock data: no column is protected and none needs a role
    # A query template's declared parameters (name → type), accepted where a filter's literal stands; None
    # for a consumer's query, which has none.
    parameters: Mapping[str, str] | None = None
    names: list[str] = field(default_factory=list)  # plan index -> contract table
    aliases: dict[str, int] = field(default_factory=dict)

    def add(self, table: exp.Expr, place: str) -> int:
        if not isinstance(table, exp.Table):
            raise _not_allowed(table, place)
        _only(table, {"this", "alias"}, place)
        if not isinstance(table.this, exp.Identifier):
            raise _not_allowed(table.this, place)
        name = table.name.lower()
        if name not in self.policy.tables:
            raise _refuse("table-not-allowed", table=table.name[:MAX_NAME])
        if name in self.names:
            raise _refuse("table-twice", table=name)
        table_alias = table.args.get("alias")
        if table_alias is not None:
            if _present(table_alias.args.get("columns")):
                raise _refuse("construct", construct=Phrase("sql.construct.alias-columns"), place=_place(place))
            _only(table_alias, {"this"}, place)
        label = (table.alias or table.name).lower()
        if label in self.aliases:
            raise _refuse("table-twice", table=label[:MAX_NAME])
        self.names.append(name)
        self.aliases[label] = len(self.names) - 1
        return len(self.names) - 1

    def fields(self, index: int) -> dict[str, Field]:
        return self.policy.tables[self.names[index]]

    def column(self, node: exp.Column, place: str) -> p.Col:
        """A column reference resolved to one table of the query, as DuckDB would: case-insensitively."""
        _only(node, {"this", "table"}, place)
        if not isinstance(node.this, exp.Identifier):
            raise _not_allowed(node.this, place)
        name = node.name.lower()
        if node.table:
            qualifier = node.table.lower()
            if qualifier not in self.aliases:
                raise _refuse("unknown-table", table=node.table[:MAX_NAME])
            candidates = [self.aliases[qualifier]]
        else:
            candidates = list(range(len(self.names)))
        found = [index for index in candidates if name in self.fields(index)]
        if not found:
            if not node.table and name in self.aliases:
                raise _refuse("table-as-value", table=name[:MAX_NAME], place=_place(place))
            raise _refuse("unknown-column", column=node.name[:MAX_NAME])
        if len(found) > 1:
            raise _refuse("ambiguous-column", column=name)
        index = found[0]
        return p.Col(index, name, self.fields(index)[name].type)

    def protected(self, col: p.Col) -> bool:
        return not self.mock and self.fields(col.table)[col.name].protected

    def is_dimension(self, col: p.Col) -> bool:
        return self.mock or self.policy.is_dimension(self.names[col.table], col.name)

    def is_measure(self, col: p.Col) -> bool:
        if self.mock:
            return col.type in p.NUMERIC
        return self.policy.is_measure(self.names[col.table], col.name)

    def unit(self, index: int) -> str | None:
        return self.policy.privacy_units.get(self.names[index])

    def plan_tables(self) -> tuple[p.Table, ...]:
        return tuple(
            p.Table(
                name,
                self.policy.privacy_units.get(name),
                tuple(sorted(c for c, spec in self.policy.tables[name].items() if spec.protected and not self.mock)),
            )
            for name in self.names
        )


def _column_of(node: exp.Expr, scope: _Scope, place: str) -> p.Col:
    if not isinstance(node, exp.Column):
        raise _not_allowed(node, place)
    return scope.column(node, place)


def _joins(tree: exp.Select, scope: _Scope) -> tuple[p.Join, ...]:
    """INNER or LEFT joins to other contract tables, on equalities of declared join columns only."""
    joins = tree.args.get("joins") or []
    if len(joins) > MAX_JOINS:
        raise _refuse("too-many", what=Phrase("sql.place.join"), limit=MAX_JOINS)
    planned = []
    for join in joins:
        method = str(join.args.get("method") or "").upper()  # NATURAL, ASOF, POSITIONAL
        if method:
            raise _refuse("join-kind", kind=method[:MAX_NAME])
        _only(join, {"this", "on", "using", "side", "kind"}, "join")
        side, kind = str(join.side or "").upper(), str(join.kind or "").upper()
        if kind not in ("", "INNER", "OUTER") or side not in ("", "LEFT") or (kind == "OUTER" and side != "LEFT"):
            raise _refuse("join-kind", kind=f"{side} {kind}".strip() or "CROSS")
        index = scope.add(join.this, "join")
        pairs = _join_pairs(join, index, scope)
        planned.append(p.Join("left" if side == "LEFT" else "inner", pairs))
    return tuple(planned)


def _join_pairs(join: exp.Join, index: int, scope: _Scope) -> tuple[tuple[p.Col, p.Col], ...]:
    using, on = join.args.get("using"), join.args.get("on")
    pairs: list[tuple[p.Col, p.Col]] = []
    if using:
        for identifier in using:
            if not isinstance(identifier, (exp.Identifier, exp.Column)):
                raise _not_allowed(identifier, "join")
            name = identifier.name.lower()
            sources = [i for i in range(index) if name in scope.fields(i)]
            if name not in scope.fields(index) or not sources:
                raise _refuse("unknown-column", column=identifier.name[:MAX_NAME])
            if len(sources) > 1:
                raise _refuse("ambiguous-column", column=name)
            left, right = sources[0], index
            pairs.append(
                (p.Col(left, name, scope.fields(left)[name].type), p.Col(right, name, scope.fields(right)[name].type))
            )
    elif on is not None:
        for condition in _conjuncts(on):
            if not isinstance(condition, exp.EQ):
                raise _refuse("join-condition")
            sides = (condition.this, condition.expression)
            if not all(isinstance(side, exp.Column) for side in sides):
                raise _refuse("join-condition")
            a, b = (_column_of(side, scope, "join") for side in sides)
            if index not in (a.table, b.table) or a.table == b.table:
                raise _refuse("join-condition")
            earlier, joined = (a, b) if b.table == index else (b, a)
            pairs.append((earlier, joined))
    else:
        raise _refuse("join-condition")
    for earlier, joined in pairs:
        for col in (earlier, joined):
            if col.name not in scope.policy.join_columns and not scope.mock:
                raise _refuse("join-column", column=col.name)
        if earlier.type != joined.type:
            raise _refuse("join-type", left=earlier.name, right=joined.name)
    return tuple(pairs)


def _chain(node: exp.Expr, kind: type[exp.Connector]) -> list[exp.Expr]:
    """The parts of an AND (or OR) chain, parentheses dropped, without recursion: a long chain is a deep tree."""
    parts: list[exp.Expr] = []
    stack: list[exp.Expr] = [node]
    while stack:
        current = stack.pop()
        while isinstance(current, exp.Paren):
            current = current.this
        if isinstance(current, kind):
            stack += [current.expression, current.this]
        else:
            parts.append(current)
    return parts


def _conjuncts(node: exp.Expr) -> list[exp.Expr]:
    return _chain(node, exp.And)


# --- keys, literals and the filter --------------------------------------------------------------------


DATE_FUNCTIONS: dict[type[exp.Expr], str] = {node: part for part, node in p.DATE_PARTS.items()}


def _key(node: exp.Expr, scope: _Scope, place: str) -> p.Key:
    """A dimension, or the year, quarter or month of a date dimension."""
    while isinstance(node, exp.Paren):
        node = node.this
    part = DATE_FUNCTIONS.get(type(node))
    if part is None and isinstance(node, exp.Extract) and isinstance(node.this, exp.Var):
        part = str(node.this.name).lower()
        node = node.expression
        if part not in p.DATE_PARTS:
            raise _refuse("date-part", part=part[:MAX_NAME])
    elif part is not None:
        _only(node, {"this"}, place)
        node = node.this
    col = _column_of(node, scope, place)
    if scope.protected(col):
        raise _refuse("sensitive-column", column=col.name, place=_place(place))
    if not scope.is_dimension(col):
        raise _refuse("not-a-dimension", column=col.name, place=_place(place))
    if part is None:
        return col
    if col.type not in ("date", "timestamp"):
        raise _refuse("date-part-type", column=col.name)
    return p.DatePart(col, part)


def literal(node: exp.Expr, type_: str) -> p.Value:
    """A literal of the given catalogue type, or a refusal: the engine never converts a column to compare."""
    negative = False
    while isinstance(node, (exp.Neg, exp.Paren)):
        negative ^= isinstance(node, exp.Neg)
        node = node.this
    if type_ == "boolean":
        if isinstance(node, exp.Boolean) and not negative:
            return bool(node.this)
    elif type_ in ("date", "timestamp"):
        if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal) and node.to.is_type(type_.upper()):
            node = node.this
        if isinstance(node, exp.Literal) and node.is_string and not negative:
            try:
                if type_ == "date":
                    return date.fromisoformat(node.this)
                return datetime.fromisoformat(node.this)
            except ValueError:
                raise _refuse("literal-value", value=node.this[:40], type=Phrase(f"sql.type.{type_}")) from None
    elif type_ == "string":
        if isinstance(node, exp.Literal) and node.is_string and not negative:
            if len(node.this) > MAX_TEXT:
                raise _refuse("too-long", tokens=MAX_TEXT)
            return str(node.this)
    elif isinstance(node, exp.Literal) and not node.is_string:
        return _number(str(node.this), type_, negative)
    if not isinstance(node, (exp.Literal, exp.Boolean, exp.Cast, exp.Null)):
        raise _not_allowed(node, "where")
    raise _refuse("literal-type", type=Phrase(f"sql.type.{type_}"))


def _number(text: str, type_: str, negative: bool) -> int | float:
    if type_ == "integer":
        if not text.isdigit() or len(text) > 18:
            raise _refuse("literal-type", type=Phrase("sql.type.integer"))
        return -int(text) if negative else int(text)
    try:
        number = float(text)
    except ValueError:
        raise _refuse("literal-type", type=Phrase(f"sql.type.{type_}")) from None
    if not math.isfinite(number):
        raise _refuse("literal-value", value=text[:40], type=Phrase(f"sql.type.{type_}"))
    return -number if negative else number


COMPARISONS: dict[type[exp.Expr], str] = {node: op for op, node in p.COMPARISONS.items()}
FLIPPED = {"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass
class _Count:
    conditions: int = 0

    def one(self) -> None:
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise _refuse("too-many", what=Phrase("sql.place.where"), limit=MAX_CONDITIONS)


def _filter(node: exp.Expr, scope: _Scope, count: _Count) -> p.Filter:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.And):
        return p.AllOf(tuple(_filter(part, scope, count) for part in _conjuncts(node)))
    if isinstance(node, exp.Or):
        return p.AnyOf(tuple(_filter(part, scope, count) for part in _chain(node, exp.Or)))
    if isinstance(node, exp.Not):
        inner = node.this
        while isinstance(inner, exp.Paren):
            inner = inner.this
        if isinstance(inner, exp.Is):
            return _is_null(inner, scope, count, negated=True)
        return p.Negation(_filter(inner, scope, count))
    count.one()
    if isinstance(node, exp.Is):
        return _is_null(node, scope, count, negated=False)
    return _comparison(node, scope)


def _is_null(node: exp.Is, scope: _Scope, count: _Count, *, negated: bool) -> p.Compare:
    """``IS [NOT] NULL`` may test any column, protected or not: it says only whether a value is there."""
    if not isinstance(node.expression, exp.Null):
        raise _not_allowed(node.expression, "where")
    col = _column_of(node.this, scope, "where")
    return p.Compare(col, "is not null" if negated else "is null")


def _comparison(node: exp.Expr, scope: _Scope) -> p.Compare:
    if type(node) in COMPARISONS:
        op = COMPARISONS[type(node)]
        left, right = node.this, node.expression
        if not _looks_like_key(left) and _looks_like_key(right):
            left, right, op = right, left, FLIPPED[op]
        key = _key(left, scope, "where")
        return p.Compare(key, op, (_operand(right, key.type, scope),))
    if isinstance(node, exp.In):
        _only(node, {"this", "expressions"}, "where")
        key = _key(node.this, scope, "where")
        values = node.expressions
        if not values:
            raise _refuse("parse")  # DuckDB has no empty IN list either
        if len(values) > MAX_VALUES:
            raise _refuse("too-many", what=Phrase("sql.place.where"), limit=MAX_VALUES)
        return p.Compare(key, "in", tuple(_operand(value, key.type, scope) for value in values))
    if isinstance(node, exp.Between):
        _only(node, {"this", "low", "high"}, "where")
        key = _key(node.this, scope, "where")
        low, high = (_operand(node.args[end], key.type, scope) for end in ("low", "high"))
        return p.Compare(key, "between", (low, high))
    if isinstance(node, exp.Like):
        _only(node, {"this", "expression", "negate"}, "where")
        key = _key(node.this, scope, "where")
        if key.type != "string":
            raise _refuse("literal-type", type=Phrase(f"sql.type.{key.type}"))
        pattern = _operand(node.expression, "string", scope)
        return p.Compare(key, "not like" if node.args.get("negate") else "like", (pattern,))
    raise _not_allowed(node, "where")


def _operand(node: exp.Expr, type_: str, scope: _Scope) -> p.Value | p.Param:
    """What a filter compares a key with: a literal of the key's type, or a template's declared parameter of
    exactly that type (``:name``), kept in the plan as ``Param`` until a call binds it."""
    bare = node
    while isinstance(bare, exp.Paren):
        bare = bare.this
    if not isinstance(bare, exp.Placeholder):
        return literal(node, type_)
    name = str(bare.this or "")
    if scope.parameters is None or not name:
        raise _not_allowed(bare, "where")
    declared = scope.parameters.get(name)
    if declared is None:
        raise _refuse("parameter-undeclared", parameter=name[:MAX_NAME])
    if declared != type_:
        raise _refuse(
            "parameter-type",
            parameter=name,
            declared=Phrase(f"sql.type.{declared}"),
            type=Phrase(f"sql.type.{type_}"),
        )
    return p.Param(name, declared)


def _looks_like_key(node: exp.Expr) -> bool:
    return isinstance(node, (exp.Column, exp.Extract, *DATE_FUNCTIONS))


def _negated_in(node: p.Filter) -> p.Filter:
    """``NOT (x IN (…))`` and ``NOT (x LIKE …)`` as the plan's own negative operators."""
    if isinstance(node, p.Negation) and isinstance(node.part, p.Compare) and node.part.op in ("in", "like"):
        return p.Compare(node.part.key, f"not {node.part.op}", node.part.values)
    return node


# --- outputs ------------------------------------------------------------------------------------------


VALUE_AGGREGATES: dict[type[exp.Expr], str] = {
    exp.Sum: "sum",
    exp.Avg: "avg",
    exp.Stddev: "stddev",
    exp.StddevSamp: "stddev",
    exp.StddevPop: "stddev_pop",
    exp.Variance: "variance",
    exp.VariancePop: "var_pop",
    exp.Min: "min",
    exp.Max: "max",
    exp.Median: "median",
}


def _aggregate(node: exp.Expr, scope: _Scope, place: str) -> p.Aggregate | None:
    """An aggregate the grammar lists, or None when the node is not an aggregate at all."""
    if isinstance(node, exp.Count):
        _only(node, {"this", "big_int"}, place)
        if isinstance(node.this, exp.Star):
            _only(node.this, set(), place)
            return p.Aggregate("count")
        if isinstance(node.this, exp.Distinct):
            _only(node.this, {"expressions"}, place)
            if len(node.this.expressions) == 1:
                col = _column_of(node.this.expressions[0], scope, place)
                if col.name == scope.unit(col.table) or scope.mock:
                    return p.Aggregate("count_units", col)
            raise _refuse("count-distinct")
        raise _refuse("count-column")
    if isinstance(node, exp.PercentileCont) or isinstance(node, exp.Quantile):
        _only(node, {"this", "expression", "quantile"}, place)
        level_node = node.args.get("expression") or node.args.get("quantile")
        level = literal(level_node, "decimal") if level_node is not None else -1.0
        assert isinstance(level, float)
        if not 0 < level < 1:
            raise _refuse("quantile-level")
        return p.Aggregate("quantile", _measure(node.this, scope, place), level=level)
    function = VALUE_AGGREGATES.get(type(node))
    if function is None:
        if isinstance(node, exp.AggFunc):
            raise _refuse("aggregate-not-allowed", function=_construct(node))
        return None
    _only(node, {"this"}, place)
    return p.Aggregate(function, _measure(node.this, scope, place))


def _measure(node: exp.Expr, scope: _Scope, place: str) -> p.Col:
    col = _column_of(node, scope, place)
    if scope.protected(col):
        raise _refuse("sensitive-column", column=col.name, place=_place(place))
    if not scope.is_measure(col):
        raise _refuse("not-a-measure", column=col.name)
    return col


def _value(node: exp.Expr, scope: _Scope, place: str) -> p.Key | p.Aggregate:
    while isinstance(node, exp.Paren):
        node = node.this
    aggregate = _aggregate(node, scope, place)
    return aggregate if aggregate is not None else _key(node, scope, place)


def _name(projection: exp.Expr) -> str:
    if isinstance(projection, exp.Alias):
        return projection.alias[:MAX_NAME]
    if isinstance(projection, exp.Column):
        return projection.name.lower()[:MAX_NAME]
    return projection.sql(dialect=DIALECT).lower()[:MAX_NAME]


def _outputs(tree: exp.Select, scope: _Scope) -> tuple[p.Output, ...]:
    projections = tree.expressions
    if len(projections) > MAX_OUTPUTS:
        raise _refuse("too-many", what=Phrase("sql.place.select"), limit=MAX_OUTPUTS)
    outputs, names = [], set()
    for projection in projections:
        if isinstance(projection, exp.Alias):
            _only(projection, {"this", "alias"}, "select")
        body = projection.unalias()
        if isinstance(body, exp.Star):
            raise _not_allowed(body, "select")
        name = _name(projection)
        if name.lower() in names:
            raise _refuse("output-twice", output=name)
        names.add(name.lower())
        outputs.append(p.Output(name, _value(body, scope, "select")))
    return tuple(outputs)


def _group(tree: exp.Select, scope: _Scope, outputs: tuple[p.Output, ...]) -> tuple[p.Key, ...]:
    """Group keys: dimensions, by name (a column first, then an output's name, as DuckDB binds), by position,
    or ``GROUP BY ALL`` (every output that is not an aggregate)."""
    group = tree.args.get("group")
    if group is None:
        return ()
    _only(group, {"expressions", "all"}, "group")
    if group.args.get("all"):
        return tuple(dict.fromkeys(o.value for o in outputs if not isinstance(o.value, p.Aggregate)))
    keys: list[p.Key] = []
    for node in group.expressions:
        value = _by_output(node, scope, outputs, "group")
        if isinstance(value, p.Aggregate):
            raise _refuse("group-aggregate")
        keys.append(value)
    if len(keys) > MAX_KEYS:
        raise _refuse("too-many", what=Phrase("sql.place.group"), limit=MAX_KEYS)
    return tuple(dict.fromkeys(keys))


def _by_output(node: exp.Expr, scope: _Scope, outputs: tuple[p.Output, ...], place: str) -> p.Key | p.Aggregate:
    if isinstance(node, exp.Literal) and not node.is_string:
        position = str(node.this)
        if not position.isdigit() or not 1 <= int(position) <= len(outputs):
            raise _refuse("position", position=position[:8])
        return outputs[int(position) - 1].value
    if isinstance(node, exp.Column) and not node.table:
        name = node.name.lower()
        in_tables = any(name in scope.fields(index) for index in range(len(scope.names)))
        named = [o for o in outputs if o.name.lower() == name]
        if not in_tables and named:
            return named[0].value
    return _value(node, scope, place)


def _check_outputs(outputs: tuple[p.Output, ...], keys: tuple[p.Key, ...], *, mock: bool) -> None:
    if mock and not keys and not any(isinstance(o.value, p.Aggregate) for o in outputs):
        return  # rows of mock data: nothing real to protect, and a developer wants to see them
    for output in outputs:
        if not isinstance(output.value, p.Aggregate) and output.value not in keys:
            raise _refuse("output-not-grouped", output=output.name)


def _output_index(node: exp.Expr, scope: _Scope, outputs: tuple[p.Output, ...], place: str) -> int:
    """An output named by its alias, its position or its very expression; anything else is not an output."""
    if isinstance(node, exp.Column) and not node.table:
        named = [i for i, o in enumerate(outputs) if o.name.lower() == node.name.lower()]
        if named:
            return named[0]
    try:
        value = _by_output(node, scope, outputs, place)
    except QueryRefused as refused:
        if refused.rule in ("sql.position",):
            raise
        raise _refuse("not-an-output", place=_place(place)) from None
    for index, output in enumerate(outputs):
        if output.value == value:
            return index
    raise _refuse("not-an-output", place=_place(place))


def _post(tree: exp.Select, scope: _Scope, outputs: tuple[p.Output, ...]) -> p.Post:
    having: list[p.OutputCompare] = []
    clause = tree.args.get("having")
    if clause is not None:
        for condition in _conjuncts(clause.this):
            having.append(_having(condition, scope, outputs))
        if len(having) > MAX_CONDITIONS:
            raise _refuse("too-many", what=Phrase("sql.place.having"), limit=MAX_CONDITIONS)
    order: list[p.Order] = []
    if tree.args.get("order") is not None:
        _only(tree.args["order"], {"expressions"}, "order")
        for ordered in tree.args["order"].expressions:
            _only(ordered, {"this", "desc", "nulls_first"}, "order")
            order.append(p.Order(_output_index(ordered.this, scope, outputs, "order"), bool(ordered.args.get("desc"))))
    return p.Post(tuple(having), tuple(order), _count_of(tree, "limit"), _count_of(tree, "offset") or 0)


def _having(node: exp.Expr, scope: _Scope, outputs: tuple[p.Output, ...]) -> p.OutputCompare:
    if type(node) not in COMPARISONS:
        raise _not_allowed(node, "having")
    op = COMPARISONS[type(node)]
    left, right = node.this, node.expression
    if isinstance(left, exp.Literal) or isinstance(left, exp.Neg):
        left, right, op = right, left, FLIPPED[op]
    index = _output_index(left, scope, outputs, "having")
    return p.OutputCompare(index, op, (literal(right, p.output_type(outputs[index])),))


def _count_of(tree: exp.Select, key: str) -> int | None:
    clause = tree.args.get(key)
    if clause is None:
        return None
    _only(clause, {"expression", "this"}, key)
    value = clause.expression if clause.expression is not None else clause.this
    if not (isinstance(value, exp.Literal) and not value.is_string and str(value.this).isdigit()):
        raise _refuse("limit")
    number = int(value.this)
    if number > 1_000_000:
        raise _refuse("limit")
    return number


# --- the plan -----------------------------------------------------------------------------------------


def build(sql: str, policy: Policy, *, mock: bool = False, parameters: Mapping[str, str] | None = None) -> p.Plan:
    """The governed plan of a consumer's query under a policy, or the refusal naming the rule it breaks.
    On mock data (``mock``) the grammar is the same, but no column is protected, any column may take any role,
    rows may be output, and there is no small-group rule. A query template's ``parameters`` (name → catalogue
    type) may stand where a filter compares a key with a literal of that very type, and nowhere else; the plan
    keeps each as ``engines.plan.Param`` until ``engines.plan.substitute`` binds it."""
    tree = parse(sql)
    _check_clauses(tree)
    scope = _Scope(policy, mock, parameters=dict(parameters) if parameters is not None else None)
    source = tree.args.get("from_")
    if source is None:
        raise _refuse("no-table")
    _only(source, {"this"}, "from")
    scope.add(source.this, "from")
    joins = _joins(tree, scope)
    where = tree.args.get("where")
    condition = _filter(where.this, scope, _Count()) if where is not None else None
    outputs = _outputs(tree, scope)
    keys = _group(tree, scope, outputs)
    if not outputs:
        raise _refuse("no-output")
    _check_outputs(outputs, keys, mock=mock)
    units = [index for index in range(len(scope.names)) if scope.unit(index)]
    if units and units[0] != 0:
        raise _refuse("privacy-unit")
    return p.Plan(
        tables=scope.plan_tables(),
        joins=joins,
        where=_normalised(condition),
        group=keys,
        outputs=outputs,
        min_units=policy.min_group_size if units and not mock else None,
        unique_units=tuple(i for i, name in enumerate(scope.names) if name in policy.unique_units),
        post=_post(tree, scope, outputs),
    )


def _normalised(node: p.Filter | None) -> p.Filter | None:
    """``NOT IN`` and ``NOT LIKE`` wherever they are in the filter, as the plan's own operators."""
    if node is None or isinstance(node, p.Compare):
        return node
    if isinstance(node, p.Negation):
        inner = _normalised(node.part)
        assert inner is not None
        return _negated_in(p.Negation(inner))
    parts = tuple(part for part in (_normalised(part) for part in node.parts) if part is not None)
    return type(node)(parts)


_PLANNED: dict[tuple[str, str, bool, tuple[tuple[str, str], ...] | None], p.Plan] = {}
PLANNED_KEPT = 4096
PLANNED_TEXT_CHARACTERS = 16_384  # longer texts are planned every time, so the memory stays bounded


def plan(sql: str, policy: Policy, *, mock: bool = False, parameters: Mapping[str, str] | None = None) -> p.Plan:
    """``build``, remembered: the answer depends on the text and the policy alone, and dashboards repeat."""
    declared = tuple(sorted(parameters.items())) if parameters is not None else None
    key = (sql, repr(policy), mock, declared)
    planned = _PLANNED.get(key)
    if planned is None:
        try:
            planned = build(sql, policy, mock=mock, parameters=parameters)
        except QueryRefused:
            raise
        except Exception as error:  # noqa: BLE001 - a shape the builder did not foresee: refused, never a 500
            LOG.error("planner: %s on a query of %d characters", type(error).__name__, len(sql))
            raise _refuse("unsupported") from None
        if len(sql) <= PLANNED_TEXT_CHARACTERS:
            if len(_PLANNED) >= PLANNED_KEPT:
                _PLANNED.clear()
            _PLANNED[key] = planned
    return planned
