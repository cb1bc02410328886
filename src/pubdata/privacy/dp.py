"""Differentially private answers from the governed plan: the engine computes bounded aggregates, OpenDP
calibrates and adds the noise.

OpenDP's own dataframe path costs about 2 s per query whatever the size (measured for the issue), too slow for
the query path. So the consumer's plan is rewritten into one that bounds what any person or entity can
contribute — at most ``cap`` rows each, every value clamped to the contract's bounds — and the engine
computes the exact bounded counts and sums. A join is allowed only to a table keyed by the unit (one row per
person), so the bound holds across it. OpenDP's Laplace measurement, calibrated to each output's sensitivity
and share of the query's ε, then adds the noise; averages are noisy sums over noisy counts, quantiles come
from noisy histograms. Groups come from the dimension's published values in the catalogue (every group is
released, empty or not), or else a group is released only when its noisy count clears a threshold set by δ.
HAVING, ORDER BY and LIMIT then work on the noisy values only. Every answer states the ε it spent and each
output's noise.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import opendp.prelude as dp

from pubdata.common.errors import Refused
from pubdata.engines import plan as p

dp.enable_features("contrib")

QUANTILE_BINS = 32
PUBLIC_GROUPS = 10_000  # combinations of published values a query may release
CI95 = math.log(20)  # a Laplace variable lies within ±b·ln 20 of its centre 95 % of the time


@dataclass(frozen=True)
class Histogram:
    """A quantile is released from a noisy histogram: one person's capped rows move its L1 norm by ``cap``."""

    columns: tuple[str, ...]  # the engine's count column for each bin
    edges: tuple[float, ...]
    alpha: float
    sensitivity: float


@dataclass(frozen=True)
class Release:
    """What the engine runs (``query``) and how its columns become a noisy answer."""

    query: p.Plan
    outputs: tuple[tuple[str, str], ...]  # (output name, kind: dimension|count|units|sum|avg|quantile)
    sensitivities: dict[str, float]  # engine column -> L1 sensitivity
    histograms: dict[str, Histogram] = field(default_factory=dict)  # "q<i>" -> its bins
    groups: tuple[tuple[str, ...], ...] | None = None  # the published groups, when every key has a value list
    post: p.Post = field(default_factory=p.Post)

    @property
    def thresholded(self) -> bool:
        return bool(self.query.group) and self.groups is None


class DpRefused(Refused):
    """A query the differentially private mechanism cannot answer as asked."""


def _refuse(rule: str, **params: Any) -> DpRefused:
    return DpRefused(f"sql.dp-{rule}", **params)


def plan(
    governed: p.Plan,
    *,
    bounds: dict[str, tuple[float, float]],
    cap: int,
    keyed: frozenset[int] = frozenset(),
    one_row_each: bool = False,
    public_values: dict[str, tuple[str, ...]] | None = None,
    delta: float | None = None,
    inside: frozenset[tuple[int, str]] = frozenset(),
) -> Release:
    """The bounded rewrite of a governed plan. ``keyed``: the joined tables with one row per value of the
    column they are joined on. When every person has one row (``one_row_each``), capping is skipped: it is the
    costly part and changes nothing. Likewise ``inside``: the (table, column) pairs whose every stored value
    already lies within the contract's bounds — clamping them is the identity on this data, so the mechanism is
    the same function of the data with or without it, and it is skipped (it doubles a 10M-row sum's time)."""
    source = governed.tables[0]
    if source.unit is None:
        raise _refuse("shape")
    for index, join in enumerate(governed.joins, start=1):
        unit_joined = [pair for pair in join.pairs if pair[0] == p.Col(0, source.unit, pair[0].type)]
        if len(join.pairs) != 1 or not unit_joined or index not in keyed:
            raise _refuse("join")
    outputs: list[tuple[str, str]] = []
    columns: list[p.Output] = []
    sensitivities: dict[str, float] = {}
    histograms: dict[str, Histogram] = {}
    for index, output in enumerate(governed.outputs):
        value = output.value
        if not isinstance(value, p.Aggregate):
            columns.append(p.Output(f"d{index}", value))
            outputs.append((output.name, "dimension"))
            continue
        kind, added = _bounded(index, output.name, value, bounds, cap, sensitivities, histograms, inside)
        columns += added
        outputs.append((output.name, kind))
    if governed.group and not any(kind == "count" for _, kind in outputs):
        columns.append(p.Output("c_threshold", p.Aggregate("count")))
        sensitivities["c_threshold"] = cap
    query = p.Plan(
        tables=governed.tables,
        joins=governed.joins,
        where=governed.where,
        group=governed.group,
        outputs=tuple(columns),
        cap=None if one_row_each else cap,
    )
    planned = Release(query, tuple(outputs), sensitivities, histograms, _groups(governed, public_values), governed.post)
    if planned.thresholded and not delta:
        raise _refuse("delta")  # known from the plan and the terms: refused before any ε is spent
    return planned


def _bounded(
    index: int,
    name: str,
    value: p.Aggregate,
    bounds: dict[str, tuple[float, float]],
    cap: int,
    sensitivities: dict[str, float],
    histograms: dict[str, Histogram],
    inside: frozenset[tuple[int, str]],
) -> tuple[str, list[p.Output]]:
    """One aggregate as the bounded engine columns it needs, recording each column's sensitivity."""
    if value.function == "count":
        sensitivities[f"c{index}"] = cap
        return "count", [p.Output(f"c{index}", value)]
    if value.function == "count_units" and value.column is not None and value.column.table == 0:
        sensitivities[f"u{index}"] = 1  # a person adds or removes one unit, however many rows they have
        return "units", [p.Output(f"u{index}", value)]
    if value.column is None or value.function not in ("sum", "avg", "median", "quantile"):
        raise _refuse("aggregate", output=name)
    column = value.column.name
    if column not in bounds:
        raise _refuse("bounds", column=column)
    low, high = bounds[column]
    clamp = None if (value.column.table, column) in inside else (low, high)
    if value.function in ("median", "quantile"):
        alpha = 0.5 if value.function == "median" else float(value.level or 0.5)
        edges = tuple(low + (high - low) * b / QUANTILE_BINS for b in range(QUANTILE_BINS + 1))
        bins = [
            p.Output(
                f"q{index}_{b}",
                p.Aggregate(
                    "count_in", value.column, clamp=clamp, bin=(edges[b], edges[b + 1], b == QUANTILE_BINS - 1)
                ),
            )
            for b in range(QUANTILE_BINS)
        ]
        histograms[f"q{index}"] = Histogram(tuple(o.name for o in bins), edges, alpha, float(cap))
        return "quantile", bins
    added = [p.Output(f"s{index}", p.Aggregate("sum", value.column, clamp=clamp))]
    sensitivities[f"s{index}"] = cap * max(abs(low), abs(high))
    if value.function == "avg":
        added.append(p.Output(f"n{index}", p.Aggregate("count")))
        sensitivities[f"n{index}"] = cap
    return value.function, added


def _groups(governed: p.Plan, public_values: dict[str, tuple[str, ...]] | None) -> tuple[tuple[str, ...], ...] | None:
    """Every combination of the keys' published values, when each key has them; else None (thresholded)."""
    if not governed.group:
        return None
    lists = [
        (public_values or {}).get(key.name) if isinstance(key, p.Col) and key.type == "string" else None
        for key in governed.group
    ]
    if any(values is None for values in lists):
        return None
    if math.prod(len(values or ()) for values in lists) > PUBLIC_GROUPS:
        raise _refuse("groups", limit=PUBLIC_GROUPS)
    return tuple(itertools.product(*(values or () for values in lists)))


def _laplace(scale: float) -> Any:
    return dp.m.make_laplace(dp.atom_domain(T=float, nan=False), dp.absolute_distance(T=float), scale=scale)


@dataclass(frozen=True)
class Answer:
    columns: list[str]
    rows: list[list[Any]]
    privacy: dict[str, Any]


def release(plan_: Release, columns: list[str], rows: list[tuple], *, epsilon: float, delta: float | None) -> Answer:
    """Noise every aggregate with OpenDP (ε split evenly) and keep the published or thresholded groups: the
    answer as released and kept. HAVING, ORDER BY and LIMIT come after, on the way out (``post_processed``),
    so asking the same question ordered or cut another way reuses this release instead of noising again."""
    noisy_columns = list(plan_.sensitivities)
    share = epsilon / (len(noisy_columns) + len(plan_.histograms))
    measurements = {}
    for column, sensitivity in plan_.sensitivities.items():
        measurement = _laplace(scale=sensitivity / share)
        if measurement.map(sensitivity) > share * (1 + 1e-9):
            raise _refuse("calibration")
        measurements[column] = measurement
    vectors = {key: _histogram_noise(histogram, share) for key, histogram in plan_.histograms.items()}
    threshold, count_column = None, next((c for c in noisy_columns if c[0] == "c"), "")
    if plan_.thresholded:
        if not delta:
            raise _refuse("delta")
        scale = plan_.sensitivities[count_column] / share
        threshold = plan_.sensitivities[count_column] + scale * math.log(1 / (2 * delta))
    answer: list[list[Any]] = []
    position = {name: i for i, name in enumerate(columns)}
    for row in _rows_by_group(plan_, position, rows):
        noisy = {column: measurements[column](float(row[position[column]] or 0.0)) for column in noisy_columns}
        if threshold is not None and noisy[count_column] < threshold:
            continue
        answer.append(
            [_output(plan_, i, kind, row, position, noisy, vectors) for i, (_, kind) in enumerate(plan_.outputs)]
        )
    names = [name for name, _ in plan_.outputs]
    return Answer(names, answer, _privacy(plan_, share, epsilon, delta if threshold else None))


def post_processed(plan_: Release, answer: Answer) -> Answer:
    """The question's HAVING, ORDER BY and LIMIT over a released answer: post-processing spends no privacy."""
    return Answer(answer.columns, _post(plan_.post, answer.rows), answer.privacy)


def _histogram_noise(histogram: Histogram, share: float) -> tuple[Any, Any]:
    measurement = dp.m.make_laplace(
        dp.vector_domain(dp.atom_domain(T=float, nan=False)),
        dp.l1_distance(T=float),
        scale=histogram.sensitivity / share,
    )
    if measurement.map(histogram.sensitivity) > share * (1 + 1e-9):
        raise _refuse("calibration")
    return measurement, dp.t.make_quantiles_from_counts(list(histogram.edges), [histogram.alpha], TA=float)


def _rows_by_group(plan_: Release, position: dict[str, int], rows: list[tuple]) -> list[tuple]:
    """With published groups, one row for each of them — an absent group counts zero, a value outside the
    list is never released — in the list's order."""
    if plan_.groups is None:
        return rows
    keys = [f"d{i}" for i, (_, kind) in enumerate(plan_.outputs) if kind == "dimension"]
    key_positions = [position[k] for k in keys]
    found = {tuple(row[i] for i in key_positions): row for row in rows}
    width = len(position)
    complete = []
    for group in plan_.groups:
        row = found.get(group)
        if row is None:
            filler: list[Any] = [0] * width
            for i, value in zip(key_positions, group, strict=True):
                filler[i] = value
            row = tuple(filler)
        complete.append(row)
    return complete


def _output(
    plan_: Release,
    index: int,
    kind: str,
    row: tuple,
    position: dict[str, int],
    noisy: dict[str, float],
    vectors: dict[str, tuple[Any, Any]],
) -> Any:
    if kind == "dimension":
        return row[position[f"d{index}"]]
    if kind == "count":
        return max(round(noisy[f"c{index}"]), 0)
    if kind == "units":
        return max(round(noisy[f"u{index}"]), 0)
    if kind == "quantile":
        return round(_quantile(plan_.histograms[f"q{index}"], *vectors[f"q{index}"], row, position), 4)
    if kind == "sum":
        return round(noisy[f"s{index}"], 2)
    return round(noisy[f"s{index}"] / max(noisy[f"n{index}"], 1.0), 4)


def _quantile(
    histogram: Histogram, noise: Callable, to_quantile: Callable, row: tuple, position: dict[str, int]
) -> float:
    counts = [float(row[position[column]] or 0.0) for column in histogram.columns]
    noisy = [max(count, 0.0) for count in noise(counts)]
    if sum(noisy) <= 0:
        return (histogram.edges[0] + histogram.edges[-1]) / 2
    return float(to_quantile(noisy)[0])


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _post(post: p.Post, rows: list[list[Any]]) -> list[list[Any]]:
    """HAVING, ORDER BY and LIMIT on the released, noisy rows: post-processing spends no privacy."""
    kept = [
        row
        for row in rows
        if all(row[c.output] is not None and OPERATORS[c.op](row[c.output], c.values[0]) for c in post.having)
    ]
    for order in reversed(post.order):
        kept.sort(key=lambda row: (row[order.output] is None, row[order.output]), reverse=order.descending)
    end = None if post.limit is None else post.offset + post.limit
    return kept[post.offset : end]


def _privacy(plan_: Release, share: float, epsilon: float, delta: float | None) -> dict[str, Any]:
    """What the answer cost and how noisy each output is: the Laplace scale b of what was noised (an output
    lies within ±b·ln 20 of its bounded value 95 % of the time; an average is a ratio of two such)."""
    noise: dict[str, Any] = {}
    for index, (name, kind) in enumerate(plan_.outputs):
        if kind == "dimension":
            continue
        if kind == "quantile":
            histogram = plan_.histograms[f"q{index}"]
            scale = histogram.sensitivity / share
            noise[name] = {"mechanism": "laplace-histogram", "bins": QUANTILE_BINS, "scale": round(scale, 6)}
            continue
        column = {"count": "c", "units": "u", "sum": "s", "avg": "s"}[kind] + str(index)
        scale = plan_.sensitivities[column] / share
        entry: dict[str, Any] = {"mechanism": "laplace", "scale": round(scale, 6), "ci95": round(scale * CI95, 6)}
        if kind == "avg":
            count_scale = plan_.sensitivities[f"n{index}"] / share
            entry = {"mechanism": "laplace-ratio", "sum_scale": round(scale, 6), "count_scale": round(count_scale, 6)}
        noise[name] = entry
    spent: dict[str, Any] = {"epsilon": epsilon, "outputs": noise}
    if delta is not None:
        spent["delta"] = delta
    spent["groups"] = "published" if plan_.groups is not None else ("thresholded" if plan_.thresholded else "none")
    return spent
