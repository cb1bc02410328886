"""Differentially private answers: the engine computes bounded aggregates, OpenDP calibrates and adds noise.

OpenDP's own dataframe path costs about 2 s per query whatever the size (measured for the issue), too slow for
the query path. So a checked aggregate query is rewritten to bound what any one person or entity can
contribute — at most ``cap`` rows each, every summed value clamped to the contract's bounds — and DuckDB
computes the exact bounded counts and sums. OpenDP's Laplace measurement, calibrated to each output's
sensitivity and share of the query's ε, then adds the noise; averages are noisy sums over noisy counts.
With a GROUP BY, a group is released only when its noisy count clears a threshold set by δ, so the mere
presence of a small group is not revealed either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import opendp.prelude as dp
from sqlglot import exp

from pubdata.sandbox.sql_checks import DIALECT, QueryRefused

dp.enable_features("contrib")


@dataclass(frozen=True)
class Plan:
    """What the engine runs and how its columns become a noisy answer."""

    sql: str
    outputs: list[tuple[str, str, str | None]]  # (output name, kind: dimension|count|sum|avg, bounded column)
    sensitivities: dict[str, float]  # engine column -> L1 sensitivity
    grouped: bool


def _refuse(rule: str, detail: str) -> QueryRefused:
    return QueryRefused(f"sql.dp-{rule}", detail)


def plan(tree: exp.Select, *, unit_table: str, unit: str, bounds: dict[str, tuple[float, float]], cap: int) -> Plan:
    """Rewrite a checked query (one table of persons or entities) into bounded aggregates."""
    if tree.args.get("joins") or tree.find(exp.Subquery) or tree.args.get("with"):
        raise _refuse("shape", "A differentially private query reads one table: no joins, subqueries or WITH.")
    source = tree.args["from_"].this
    if not isinstance(source, exp.Table) or source.name != unit_table:
        raise _refuse("shape", "A differentially private query reads a table of persons or entities.")
    alias = source.alias_or_name
    projections, outputs, sensitivities = [], [], {}
    for index, projection in enumerate(tree.expressions):
        name, body = projection.alias_or_name, projection.unalias()
        if isinstance(body, exp.Column):
            projections.append(exp.alias_(body.copy(), f"d{index}"))
            outputs.append((name, "dimension", None))
            continue
        if isinstance(body, exp.Count) and isinstance(body.this, exp.Star):
            projections.append(exp.alias_(exp.Count(this=exp.Star()), f"c{index}"))
            sensitivities[f"c{index}"] = cap
            outputs.append((name, "count", None))
            continue
        if isinstance(body, (exp.Sum, exp.Avg)) and isinstance(body.this, exp.Column):
            column = body.this.name
            if column not in bounds:
                raise _refuse("bounds", f"The contract gives no bounds for {column}, so its sum cannot be bounded.")
            low, high = bounds[column]
            clamped = exp.func("LEAST", exp.func("GREATEST", exp.cast(body.this.copy(), "DOUBLE"), exp.Literal.number(low)), exp.Literal.number(high))
            projections.append(exp.alias_(exp.Sum(this=clamped), f"s{index}"))
            sensitivities[f"s{index}"] = cap * max(abs(low), abs(high))
            if isinstance(body, exp.Avg):
                projections.append(exp.alias_(exp.Count(this=exp.Star()), f"n{index}"))
                sensitivities[f"n{index}"] = cap
            outputs.append((name, "avg" if isinstance(body, exp.Avg) else "sum", column))
            continue
        raise _refuse("aggregate", f"{name}: differentially private answers support COUNT(*), SUM(column) and AVG(column).")
    bounded = exp.select("*").from_(exp.to_table(unit_table)).qualify(
        f"ROW_NUMBER() OVER (PARTITION BY {unit} ORDER BY {unit}) <= {int(cap)}", dialect=DIALECT
    ).subquery(alias)
    rewritten = tree.copy()
    rewritten.set("expressions", projections)
    rewritten.set("from_", exp.From(this=bounded))
    rewritten.set("having", None)
    if not any(kind == "count" for _, kind, _ in outputs) and rewritten.args.get("group"):
        rewritten.append("expressions", exp.alias_(exp.Count(this=exp.Star()), "c_threshold"))
        sensitivities["c_threshold"] = cap
    return Plan(rewritten.sql(dialect=DIALECT), outputs, sensitivities, grouped=bool(rewritten.args.get("group")))


def _laplace(scale: float):  # noqa: ANN202
    return dp.m.make_laplace(dp.atom_domain(T=float, nan=False), dp.absolute_distance(T=float), scale=scale)


def release(plan_: Plan, columns: list[str], rows: list[tuple], *, epsilon: float, delta: float | None) -> tuple[list[str], list[list]]:
    """Noise every aggregate with OpenDP (ε split evenly), drop groups below the δ threshold, answer."""
    noisy_columns = list(plan_.sensitivities)
    share = epsilon / len(noisy_columns)
    measurements = {}
    for column, sensitivity in plan_.sensitivities.items():
        measurement = _laplace(scale=sensitivity / share)
        if measurement.map(sensitivity) > share * (1 + 1e-9):
            raise _refuse("calibration", "The noise could not be calibrated to the privacy budget.")
        measurements[column] = measurement
    threshold = None
    count_column = next((c for c in noisy_columns if c.startswith("c")), None)
    if plan_.grouped:
        if not delta:
            raise _refuse("delta", "A differentially private GROUP BY needs a δ in the contract.")
        scale = plan_.sensitivities[count_column] / share
        threshold = plan_.sensitivities[count_column] + scale * math.log(1 / (2 * delta))
    answer: list[list] = []
    position = {name: i for i, name in enumerate(columns)}
    for row in rows:
        noisy = {column: measurements[column](float(row[position[column]] or 0.0)) for column in noisy_columns}
        if threshold is not None and noisy[count_column] < threshold:
            continue
        out = []
        for index, (_, kind, _) in enumerate(plan_.outputs):
            if kind == "dimension":
                out.append(row[position[f"d{index}"]])
            elif kind == "count":
                out.append(max(round(noisy[f"c{index}"]), 0))
            elif kind == "sum":
                out.append(round(noisy[f"s{index}"], 2))
            else:
                out.append(round(noisy[f"s{index}"] / max(noisy[f"n{index}"], 1.0), 4))
        answer.append(out)
    return [name for name, _, _ in plan_.outputs], answer
