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
from dataclasses import dataclass, field
from typing import Any

import opendp.prelude as dp
from sqlglot import exp

from pubdata.common.errors import Refused
from pubdata.engines.duckdb import DIALECT

dp.enable_features("contrib")


@dataclass(frozen=True)
class Plan:
    """What the engine runs and how its columns become a noisy answer."""

    query: exp.Select
    outputs: list[tuple[str, str, str | None]]  # (output name, kind: dimension|count|sum|avg|quantile, bounded column)
    sensitivities: dict[str, float]  # engine column -> L1 sensitivity
    grouped: bool
    histograms: dict[str, Histogram] = field(default_factory=dict)  # output position "q<i>" -> its bins

    @property
    def sql(self) -> str:
        return self.query.sql(dialect=DIALECT)


@dataclass(frozen=True)
class Histogram:
    """A quantile is released from a noisy histogram: one person's capped rows move its L1 norm by ``cap``."""

    columns: list[str]  # the engine's count column for each bin
    edges: list[float]
    alpha: float
    sensitivity: float


class DpRefused(Refused):
    """A query the differentially private mechanism cannot answer as asked."""


def _refuse(rule: str, **params: Any) -> DpRefused:
    return DpRefused(f"sql.dp-{rule}", **params)


def plan(
    tree: exp.Select,
    *,
    unit_table: str,
    unit: str,
    bounds: dict[str, tuple[float, float]],
    cap: int,
    one_row_each: bool = False,
) -> Plan:
    """Rewrite a checked query (one table of persons or entities) into bounded aggregates. When every person has
    one row (``one_row_each``), capping rows per person changes nothing and is skipped: it is the costly part."""
    if tree.args.get("joins") or tree.find(exp.Subquery) or tree.args.get("with"):
        raise _refuse("shape")
    source = tree.args["from_"].this
    if not isinstance(source, exp.Table) or source.name != unit_table:
        raise _refuse("shape")
    alias = source.alias_or_name
    projections: list[exp.Expr] = []
    outputs: list[tuple[str, str, str | None]] = []
    sensitivities: dict[str, float] = {}
    histograms: dict[str, Histogram] = {}
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
                raise _refuse("bounds", column=column)
            low, high = bounds[column]
            clamped = exp.func(
                "LEAST",
                exp.func("GREATEST", exp.cast(body.this.copy(), "DOUBLE"), exp.Literal.number(low)),
                exp.Literal.number(high),
            )
            projections.append(exp.alias_(exp.Sum(this=clamped), f"s{index}"))
            sensitivities[f"s{index}"] = cap * max(abs(low), abs(high))
            if isinstance(body, exp.Avg):
                projections.append(exp.alias_(exp.Count(this=exp.Star()), f"n{index}"))
                sensitivities[f"n{index}"] = cap
            outputs.append((name, "avg" if isinstance(body, exp.Avg) else "sum", column))
            continue
        if isinstance(body, QUANTILES) and isinstance(body.this, exp.Column):
            histogram, bins = _histogram(index, body, bounds, cap)
            projections += bins
            histograms[f"q{index}"] = histogram
            outputs.append((name, "quantile", body.this.name))
            continue
        raise _refuse("aggregate", output=name)
    rows = exp.select("*").from_(exp.to_table(unit_table))
    bounded = (
        rows
        if one_row_each
        else rows.qualify(f"ROW_NUMBER() OVER (PARTITION BY {unit}) <= {int(cap)}", dialect=DIALECT)
    ).subquery(alias)
    rewritten = tree.copy()
    rewritten.set("expressions", projections)
    rewritten.set("from_", exp.From(this=bounded))
    rewritten.set("having", None)
    if not any(kind == "count" for _, kind, _ in outputs) and rewritten.args.get("group"):
        rewritten.append("expressions", exp.alias_(exp.Count(this=exp.Star()), "c_threshold"))
        sensitivities["c_threshold"] = cap
    return Plan(
        rewritten,
        outputs,
        sensitivities,
        grouped=bool(rewritten.args.get("group")),
        histograms=histograms,
    )


QUANTILES = (exp.Median, exp.PercentileCont, exp.Quantile)
QUANTILE_BINS = 32


def _histogram(
    index: int, body: exp.Expression, bounds: dict[str, tuple[float, float]], cap: int
) -> tuple[Histogram, list[exp.Expr]]:
    """Count the clamped column into equal bins between its bounds (the last bin holds its upper edge)."""
    column = body.this.name
    if column not in bounds:
        raise _refuse("bounds", column=column)
    if isinstance(body, exp.Median):
        alpha = 0.5
    else:
        level = body.args.get("expression") or body.args.get("quantile")
        alpha = float(level.this) if isinstance(level, exp.Literal) and not level.is_string else -1.0
    if not 0 < alpha < 1:
        raise _refuse("quantile")
    low, high = bounds[column]
    edges = [low + (high - low) * b / QUANTILE_BINS for b in range(QUANTILE_BINS + 1)]
    value = f"LEAST(GREATEST(CAST({body.this.sql(dialect=DIALECT)} AS DOUBLE), {low!r}), {high!r})"
    bins, columns = [], []
    for b in range(QUANTILE_BINS):
        upper = "<=" if b == QUANTILE_BINS - 1 else "<"
        columns.append(f"q{index}_{b}")
        bins.append(
            exp.alias_(
                exp.maybe_parse(
                    f"SUM(CASE WHEN {value} >= {edges[b]!r} AND {value} {upper} {edges[b + 1]!r} THEN 1 ELSE 0 END)",
                    dialect=DIALECT,
                ),
                columns[-1],
            )
        )
    return Histogram(columns, edges, alpha, float(cap)), bins


def _laplace(scale: float):  # noqa: ANN202
    return dp.m.make_laplace(dp.atom_domain(T=float, nan=False), dp.absolute_distance(T=float), scale=scale)


def release(
    plan_: Plan, columns: list[str], rows: list[tuple], *, epsilon: float, delta: float | None
) -> tuple[list[str], list[list]]:
    """Noise every aggregate with OpenDP (ε split evenly), drop groups below the δ threshold, answer."""
    noisy_columns = list(plan_.sensitivities)
    share = epsilon / (len(noisy_columns) + len(plan_.histograms))
    measurements = {}
    for column, sensitivity in plan_.sensitivities.items():
        measurement = _laplace(scale=sensitivity / share)
        if measurement.map(sensitivity) > share * (1 + 1e-9):
            raise _refuse("calibration")
        measurements[column] = measurement
    vectors = {}
    for key, histogram in plan_.histograms.items():
        measurement = dp.m.make_laplace(
            dp.vector_domain(dp.atom_domain(T=float, nan=False)),
            dp.l1_distance(T=float),
            scale=histogram.sensitivity / share,
        )
        if measurement.map(histogram.sensitivity) > share * (1 + 1e-9):
            raise _refuse("calibration")
        vectors[key] = (measurement, dp.t.make_quantiles_from_counts(histogram.edges, [histogram.alpha], TA=float))
    threshold = None
    count_column = next((c for c in noisy_columns if c.startswith("c")), "")
    if plan_.grouped:
        if not delta:
            raise _refuse("delta")
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
            elif kind == "quantile":
                out.append(round(_quantile(plan_.histograms[f"q{index}"], *vectors[f"q{index}"], row, position), 4))
            elif kind == "sum":
                out.append(round(noisy[f"s{index}"], 2))
            else:
                out.append(round(noisy[f"s{index}"] / max(noisy[f"n{index}"], 1.0), 4))
        answer.append(out)
    return [name for name, _, _ in plan_.outputs], answer


def _quantile(histogram: Histogram, noise, to_quantile, row: tuple, position: dict[str, int]) -> float:  # noqa: ANN001
    counts = [float(row[position[column]] or 0.0) for column in histogram.columns]
    noisy = [max(count, 0.0) for count in noise(counts)]
    if sum(noisy) <= 0:
        return (histogram.edges[0] + histogram.edges[-1]) / 2
    return float(to_quantile(noisy)[0])
