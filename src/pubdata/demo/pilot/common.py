"""What the generators share: the data's reference date, weighted draws, month series and the CSV writer."""

from __future__ import annotations

import bisect
import csv
import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from pubdata.demo.pilot.descriptions import PILOT_RESOURCES

# The data's reference date: monthly series end with October 2026, statuses are as of this day.
AS_OF = date(2026, 10, 31)
# Chinese New Year in February; year-end push in December.
SEASON = (1.0, 0.78, 1.0, 0.98, 1.0, 1.04, 0.97, 0.98, 1.02, 1.0, 1.03, 1.2)


def cumulative(weights: list[float]) -> tuple[float, ...]:
    """The running sums of ``weights`` as shares of their total, for ``pick``."""
    total = 0.0
    out = []
    for weight in weights:
        total += weight
        out.append(total)
    return tuple(value / total for value in out)


def pick(rng: random.Random, shares: tuple[float, ...]) -> int:
    """The index drawn with the weights whose ``cumulative`` shares are given."""
    return min(bisect.bisect_right(shares, rng.random()), len(shares) - 1)


def weighted(rng: random.Random, options: tuple[tuple, ...]) -> tuple:
    """One of ``options``, drawn with the weight each carries as its last item."""
    total = sum(option[-1] for option in options)
    draw = rng.random() * total
    for option in options:
        draw -= option[-1]
        if draw < 0:
            return option
    return options[-1]


def months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, str]]:
    """(month index, 'YYYY-MM') from first to last inclusive; month index = year * 12 + month - 1."""
    start, end = first[0] * 12 + first[1] - 1, last[0] * 12 + last[1] - 1
    return [(m, f"{m // 12}-{m % 12 + 1:02d}") for m in range(start, end + 1)]


_FIELD_NAMES = {
    resource.description["code"]: [spec["name"] for spec in resource.description["fields"]]
    for resource in PILOT_RESOURCES
}


@contextmanager
def table(path: Path, code: str) -> Iterator[Callable[[Iterable[object]], object]]:
    """A UTF-8 CSV of one resource, its header the field names; yields the function that writes a row."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(_FIELD_NAMES[code])
        yield writer.writerow


def rows(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a written file, as dicts (for tests and the demo's own checks)."""
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)
