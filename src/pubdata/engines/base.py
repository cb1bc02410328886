"""The engine interface: a query tree, the tables it names, and limits in; rows out.

An engine never receives a consumer's text or a local path: it gets a SQLGlot tree the platform built or
checked, and ``TableRef``s naming immutable data files of the store it was opened on (the domain, or the
mock store). It generates its own dialect from the tree, so the same plan can go to another engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlglot import exp

from pubdata.common.errors import Refused


@dataclass(frozen=True)
class TableRef:
    """A table as a query names it (``cz_rk_0001``) and the data file behind it, relative to the engine's store."""

    name: str
    file: str


@dataclass(frozen=True)
class Limits:
    timeout_seconds: float
    max_rows: int


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple[object, ...]]


class EngineRefused(Refused):
    """The engine stopped or refused a query (time, rows, an operation outside the contract's data)."""


class Engine(Protocol):
    def run(self, query: exp.Expression, *, tables: Sequence[TableRef], limits: Limits) -> Result:
        """Run a checked query tree over ``tables`` within ``limits``. The engine generates the text it runs
        from the tree and may remember it by the tree: a tree handed to an engine is never changed afterwards."""
        ...

    def is_unique(self, table: TableRef, column: str) -> bool:
        """Does every row of this (immutable) table name a different person or entity?"""
        ...
