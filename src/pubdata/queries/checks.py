"""The sandbox's SQL checks, pure: a pipeline of small named steps over the SQLGlot tree (DuckDB dialect).

Allow-list, never deny-list: a query passes only if every node of its tree is of a kind listed here, every
table is one the contract allows, and every protected column is used only where it cannot leak — in a JOIN's
column-to-column equality, an ``IS [NOT] NULL`` test, or ``COUNT(DISTINCT …)``. Anything the checker does not
understand is refused, naming the rule. Each step raises ``QueryRefused``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError
from sqlglot.optimizer.qualify import qualify

from pubdata.common.errors import Refused
from pubdata.common.messages import Phrase

DIALECT = "duckdb"


class QueryRefused(Refused):
    """A query the checks refuse, by the rule it breaks (free: nothing reached the data)."""


@dataclass(frozen=True)
class Policy:
    """What a contract lets a query see: tables with each column's sensitivity, and the output rule."""

    tables: dict[str, dict[str, str]]  # table -> column -> none | personal | sensitive
    dimensions: frozenset[str] = frozenset()  # columns allowed as group keys and plain outputs
    privacy_units: dict[str, str] = field(default_factory=dict)  # table -> the column naming a person or entity
    min_group_size: int = 10
    unique_units: frozenset[str] = frozenset()  # tables with one row per person or entity (their unit is a key)


@dataclass(frozen=True)
class Output:
    name: str
    kind: str  # dimension | aggregate


@dataclass(frozen=True)
class Checked:
    """An accepted query with its output rule applied, as the engine will run it. Shared by every caller that
    asks the same question: nothing may change the tree."""

    query: exp.Select
    outputs: list[Output]

    @property
    def sql(self) -> str:
        return self.query.sql(dialect=DIALECT)


# Node kinds a query may contain. Everything else — table functions, unknown functions, parameters, window
# functions, set operations, DDL, settings — is refused.
ALLOWED_NODES: tuple[type[exp.Expression], ...] = (
    exp.Select,
    exp.From,
    exp.Join,
    exp.Where,
    exp.Group,
    exp.Having,
    exp.Order,
    exp.Ordered,
    exp.Limit,
    exp.Offset,
    exp.With,
    exp.CTE,
    exp.Subquery,
    exp.TableAlias,
    exp.Table,
    exp.Column,
    exp.Identifier,
    exp.Alias,
    exp.Star,
    exp.Literal,
    exp.Boolean,
    exp.Null,
    exp.Paren,
    exp.And,
    exp.Or,
    exp.Not,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.Is,
    exp.In,
    exp.Between,
    exp.Like,
    exp.ILike,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Mod,
    exp.Neg,
    exp.Case,
    exp.If,
    exp.Cast,
    exp.TryCast,
    exp.DataType,
    exp.Coalesce,
    exp.Round,
    exp.Abs,
    exp.Floor,
    exp.Ceil,
    exp.Upper,
    exp.Lower,
    exp.Length,
    exp.Substring,
    exp.Year,
    exp.Month,
    exp.Day,
    exp.DateTrunc,
    exp.Extract,
    exp.Var,
    exp.Count,
    exp.Sum,
    exp.Avg,
    exp.Min,
    exp.Max,
    exp.Distinct,
    exp.Median,
    exp.Quantile,
    exp.PercentileCont,
    exp.Stddev,
    exp.StddevSamp,
    exp.StddevPop,
    exp.Variance,
    exp.VariancePop,
)
# Aggregates that return a value taken from the rows: never over a protected column.
VALUE_AGGREGATES = (exp.Min, exp.Max, exp.Median, exp.Quantile, exp.PercentileCont)


def _refuse(rule: str, **params: Any) -> QueryRefused:
    return QueryRefused(f"sql.{rule}", **params)


def parse_single_select(sql: str) -> exp.Select:
    """One statement, and it is a SELECT (a WITH belongs to its SELECT)."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except ParseError:
        raise _refuse("parse") from None
    if len(statements) != 1:
        raise _refuse("single-statement")
    statement = statements[0]
    if not isinstance(statement, exp.Select):
        raise _refuse("not-a-select", statement=type(statement).__name__.upper())
    return statement


def reject_recursive_ctes(tree: exp.Select) -> None:
    for with_ in tree.find_all(exp.With):
        if with_.args.get("recursive"):
            raise _refuse("recursive-cte")


def reject_cross_joins(tree: exp.Select) -> None:
    """Every join says how rows match; a cross product of large tables is a way to exhaust the engine."""
    for join in tree.find_all(exp.Join):
        if not join.args.get("on") and not join.args.get("using"):
            raise _refuse("cross-join")


def reject_unlisted_nodes(tree: exp.Select) -> None:
    """Every node must be of an allowed kind; the first that is not is named."""
    for node in tree.walk():
        if isinstance(node, exp.Table) and not isinstance(node.this, exp.Identifier):
            raise _refuse("table-function", construct=_name(node.this))
        if isinstance(node, exp.Placeholder):
            raise _refuse("parameter")
        if not isinstance(node, ALLOWED_NODES):
            raise _refuse("not-allowed", construct=_name(node))


def _name(node: object) -> str:
    if isinstance(node, exp.Anonymous):
        return f"the function {node.name}"
    return type(node).__name__.upper() if not isinstance(node, exp.Func) else f"the function {node.sql_name()}"


def cte_names(tree: exp.Select) -> set[str]:
    return {cte.alias_or_name for cte in tree.find_all(exp.CTE)}


def reject_unknown_tables(tree: exp.Select, policy: Policy) -> None:
    ctes = cte_names(tree)
    for table in tree.find_all(exp.Table):
        if table.args.get("db") or table.args.get("catalog"):
            raise _refuse("qualified-table")
        identifier: exp.Identifier = table.this
        if identifier.quoted and any(mark in identifier.name for mark in ("/", "\\", ".", ":")):
            raise _refuse("file-path")
        if table.name not in ctes and table.name not in policy.tables:
            raise _refuse("table-not-allowed", table=table.name)


def qualify_columns(tree: exp.Select, policy: Policy) -> exp.Select:
    """Resolve every column to its table (and expand ``*``), so protected columns can be found."""
    try:
        return qualify(
            tree,
            schema={name: {c: "VARCHAR" for c in columns} for name, columns in policy.tables.items()},
            dialect=DIALECT,
            validate_qualify_columns=True,
            quote_identifiers=False,
        )
    except OptimizeError as error:
        raise _refuse("unknown-column", problem=str(error).split(chr(10))[0][:200]) from None


def _base_aliases(tree: exp.Select, policy: Policy) -> dict[str, set[str]]:
    """alias → the contract tables it can stand for (a CTE name is not a base table)."""
    ctes = cte_names(tree)
    aliases: dict[str, set[str]] = {}
    for table in tree.find_all(exp.Table):
        if table.name in policy.tables and table.name not in ctes:
            aliases.setdefault(table.alias_or_name, set()).add(table.name)
    return aliases


def protected(column: exp.Column, aliases: dict[str, set[str]], policy: Policy) -> bool:
    return any(policy.tables[base].get(column.name, "none") != "none" for base in aliases.get(column.table, ()))


def _harmless_use(column: exp.Column) -> bool:
    parent = column.parent
    if isinstance(parent, exp.Is) and isinstance(parent.expression, exp.Null):
        return True
    if isinstance(parent, exp.Distinct) and isinstance(parent.parent, exp.Count):
        return True
    if isinstance(parent, exp.EQ) and isinstance(parent.left, exp.Column) and isinstance(parent.right, exp.Column):
        node: exp.Expression = parent
        while isinstance(node.parent, (exp.And, exp.Paren)):
            node = node.parent
        return isinstance(node.parent, exp.Join) and node.arg_key == "on"
    return False


def enforce_sensitive_columns(tree: exp.Select, policy: Policy) -> None:
    """Protected columns join, test for NULL or are counted distinct — nothing else, anywhere in the query."""
    aliases = _base_aliases(tree, policy)
    for column in tree.find_all(exp.Column):
        if protected(column, aliases, policy) and not _harmless_use(column):
            raise _refuse("sensitive-column", column=column.name)


def expand_group_by_all(tree: exp.Select) -> exp.Select:
    group = tree.args.get("group")
    if group is None or not group.args.get("all"):
        return tree
    keys = [projection.unalias().copy() for projection in tree.expressions if not projection.find(exp.AggFunc)]
    tree.set("group", exp.Group(expressions=keys) if keys else None)
    return tree


def classify_outputs(tree: exp.Select, policy: Policy) -> list[Output]:
    """Aggregate rule: every output is an aggregate, or an allowed dimension that is also a group key."""
    group = tree.args.get("group")
    keys = {key.sql(dialect=DIALECT) for key in (group.expressions if group else [])}
    for key in group.expressions if group else []:
        if not (isinstance(key, exp.Column) and key.name in policy.dimensions):
            raise _refuse("group-key-not-allowed", key=key.sql(dialect=DIALECT))
    outputs: list[Output] = []
    for projection in tree.expressions:
        body = projection.unalias()
        if isinstance(body, exp.Star):
            raise _refuse("output-not-aggregate", problem=Phrase("sql.star"))
        if body.find(exp.AggFunc):
            bare = [c for c in body.find_all(exp.Column) if not c.find_ancestor(exp.AggFunc)]
            if bare:
                problem = Phrase("sql.bare_column", {"column": bare[0].name, "output": projection.alias_or_name})
                raise _refuse("output-not-aggregate", problem=problem)
            outputs.append(Output(projection.alias_or_name, "aggregate"))
        elif isinstance(body, exp.Column) and body.name in policy.dimensions and body.sql(dialect=DIALECT) in keys:
            outputs.append(Output(projection.alias_or_name, "dimension"))
        else:
            raise _refuse(
                "output-not-aggregate", problem=Phrase("sql.not_output", {"output": projection.alias_or_name})
            )
    return outputs


def suppress_small_groups(tree: exp.Select, policy: Policy) -> exp.Select:
    """Add ``HAVING COUNT(DISTINCT unit) >= k``: groups of fewer than k persons or entities are not shown.

    A query over tables that describe no person or entity (macro-economic series, a geography grid) has no
    groups to protect and is left as it is."""
    if not {table.name for table in tree.find_all(exp.Table)} & set(policy.privacy_units):
        return tree
    single_table = len(list(tree.find_all(exp.Table))) == 1
    for table in (
        [tree.args["from_"].this, *(join.this for join in tree.args.get("joins") or [])]
        if tree.args.get("from_")
        else []
    ):
        if isinstance(table, exp.Table) and table.name in policy.privacy_units:
            unit = exp.column(policy.privacy_units[table.name], table=table.alias_or_name)
            # Over one table whose unit is a key, counting units is counting rows: no DISTINCT (10× cheaper).
            persons = (
                exp.Count(this=unit)
                if single_table and table.name in policy.unique_units
                else exp.Count(this=exp.Distinct(expressions=[unit]))
            )
            condition = exp.GTE(this=persons, expression=exp.Literal.number(policy.min_group_size))
            having = tree.args.get("having")
            tree.set("having", exp.Having(this=exp.and_(having.this, condition) if having else condition))
            return tree
    raise _refuse("privacy-unit")


def analyse(sql: str, policy: Policy) -> tuple[exp.Select, list[Output]]:
    """Every check, in order, up to (not including) the output rule's rewrite."""
    tree = parse_single_select(sql)
    reject_recursive_ctes(tree)
    reject_cross_joins(tree)
    reject_unlisted_nodes(tree)
    reject_unknown_tables(tree, policy)
    tree = qualify_columns(tree, policy)
    enforce_sensitive_columns(tree, policy)
    tree = expand_group_by_all(tree)
    return tree, classify_outputs(tree, policy)


_CHECKED: dict[tuple[str, str], Checked] = {}
CHECKED_KEPT = 4096
CHECKED_TEXT_CHARACTERS = 16_384  # longer texts are checked every time, so the memory stays bounded


def check(sql: str, policy: Policy) -> Checked:
    """The aggregate output rule: every check, then small groups suppressed. The answer depends on the text
    and the policy alone, so an accepted query is remembered: dashboards ask the same questions again."""
    key = (sql, repr(policy))
    checked = _CHECKED.get(key)
    if checked is None:
        tree, outputs = analyse(sql, policy)
        checked = Checked(suppress_small_groups(tree, policy), outputs)
        if len(sql) <= CHECKED_TEXT_CHARACTERS:
            if len(_CHECKED) >= CHECKED_KEPT:
                _CHECKED.clear()
            _CHECKED[key] = checked
    return checked
