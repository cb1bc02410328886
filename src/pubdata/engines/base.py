"""The engine interface: a query tree, the tables it names, and limits in; rows out.

An engine never receives a consumer's text or a local path: it gets a governed plan (``engines.plan``) the
platform built, and ``TableRef``s naming immutable data files of the store it was opened on (the domain, or
the mock store). It generates its own dialect from the plan, so the same plan can go to another engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from pubdata.common.errors import Refused
from pubdata.engines.files import Recorded
from pubdata.engines.plan import Plan


@dataclass(frozen=True)
class TableRef:
    """A table as a query names it (``cz_rk_0001``) and the data file behind it, relative to the engine's store."""

    name: str
    file: str
    # What the catalogue recorded of a version's file, checked before the engine reads it (``engines.files``);
    # None for a file the platform made itself (mock data).
    recorded: Recorded | None = None


@dataclass(frozen=True)
class Limits:
    timeout_seconds: float
    max_rows: int


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple[object, ...]]
    truncated: bool = False  # more rows than the limit: the first ``max_rows`` are the answer
    privacy: dict[str, object] | None = None  # a DP answer: the ε it spent and each output's noise


class EngineRefused(Refused):
    """The engine could not run a plan. Always the one generic refusal: the reason may depend on the data."""


class Engine(Protocol):
    def run(self, plan: Plan, *, tables: Sequence[TableRef], limits: Limits) -> Result:
        """Run a governed plan over ``tables`` within ``limits``: the engine generates the text it runs from
        the plan, checks it against the plan, and may remember it by the plan (plans are frozen values)."""
        ...

    def run_platform(
        self, sql: str, parameters: Mapping[str, object], *, tables: Sequence[TableRef], limits: Limits
    ) -> Result:
        """Run SQL the platform wrote itself (a per-subject product's pinned computation), its values bound as
        ``$name`` parameters by the engine, reading only ``tables``."""
        ...

    def sql_of(self, plan: Plan) -> str:
        """The text this engine would run for ``plan``, generated and self-checked (``PlanInconsistent`` if the
        check fails): what ``run`` runs, so a caller can know a plan will run before it spends anything."""
        ...

    def check(self, tables: Sequence[TableRef]) -> None:
        """Refuse with ``files.DataDamaged`` if a table's file is not the one its catalogue recorded: a stat once
        a file has passed in this process. ``run`` checks too; a caller checks first when it charges before
        running, so a damaged file is refused before anything is spent."""
        ...

    def is_unique(self, table: TableRef, column: str) -> bool:
        """Does every row of this (immutable) table name a different person or entity?"""
        ...

    def value_range(self, table: TableRef, column: str) -> tuple[float, float] | None:
        """The smallest and largest value of a numeric column of this (immutable) table (None when empty)."""
        ...
