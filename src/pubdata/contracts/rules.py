"""Contract decisions, pure: the state table, the terms' soundness, the check before each call. (The terms as
W3C ODRL 2.2 are ``contracts.odrl``.)"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from pubdata.common.lifecycle import Lifecycle, State
from pubdata.common.messages import Phrase
from pubdata.contracts.schemas import Terms

PURPOSES: dict[str, tuple[str, str]] = {
    "public_governance": ("公共治理", "Public governance"),
    "public_welfare": ("公益事业", "Public welfare"),
    "industry": ("产业发展", "Industry development"),
    "sector": ("行业发展", "Sector development"),
}
FREE_PURPOSES = ("public_governance", "public_welfare")  # 三(六): free of charge
OUTPUT_RULES = ("aggregate", "dp")
MICRO = 1_000_000  # ε is kept in millionths, so spending it is integer arithmetic


class ContractState(State):
    PROPOSED = "proposed", "待签署", "Proposed"
    ACTIVE = "active", "生效", "Active"
    EXHAUSTED = "exhausted", "额度用尽", "Exhausted"
    EXPIRED = "expired", "已到期", "Expired"
    REVOKED = "revoked", "已撤销", "Revoked"


C = ContractState
LIFECYCLE = Lifecycle(
    rule="contract.transition",
    name=("使用合约", "contract"),
    states=ContractState,
    start=C.PROPOSED,
    events={
        "sign": ("签署", "sign"),
        "exhaust": ("用尽额度", "use up its quota"),
        "expire": ("到期", "expire"),
        "revoke": ("撤销", "revoke"),
    },
    transitions={
        (C.PROPOSED, "sign"): C.ACTIVE,
        (C.ACTIVE, "exhaust"): C.EXHAUSTED,
        (C.ACTIVE, "expire"): C.EXPIRED,
        (C.ACTIVE, "revoke"): C.REVOKED,
        (C.PROPOSED, "revoke"): C.REVOKED,
    },
)
STATES = LIFECYCLE.labels()
LIVE_STATES = (C.PROPOSED.value, C.ACTIVE.value)


def terms_problems(terms: Terms) -> list[Phrase]:
    """What is wrong with proposed terms; empty when they are sound. (Types and ranges of single values are
    checked by ``Terms`` itself.)"""
    problems = []
    if terms.valid_until < terms.valid_from:
        problems.append(Phrase("terms.window"))
    if terms.min_group_size < 10:
        problems.append(Phrase("terms.min_group_size"))
    if terms.is_dp:
        if terms.epsilon is None or not 0 < terms.epsilon <= 10:
            problems.append(Phrase("terms.epsilon"))
        elif terms.epsilon_per_query is None or not 0 < terms.epsilon_per_query <= terms.epsilon:
            problems.append(Phrase("terms.epsilon_per_query"))
        if terms.delta is not None and not 0 < terms.delta < 1e-3:
            problems.append(Phrase("terms.delta"))
        if any(not low < high for low, high in terms.bounds.values()):
            problems.append(Phrase("terms.bounds"))
        if not 1 <= terms.max_contributions <= 100:
            problems.append(Phrase("terms.max_contributions"))
    return problems


class Column(Protocol):
    """A resource's field as the catalogue publishes it (``catalog.schemas.FieldSpec``)."""

    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def sensitivity(self) -> str: ...
    @property
    def format(self) -> str | None: ...


UNIT_FORMATS = ("resident_id", "credit_code")  # columns naming a person or an entity
DIMENSION_TYPES = ("string", "date", "timestamp", "boolean")
MEASURE_TYPES = ("integer", "decimal")


@dataclass(frozen=True)
class Roles:
    """What a governed query may do with each column: group and filter, aggregate, join on."""

    dimensions: frozenset[str]
    measures: frozenset[str]
    join_columns: frozenset[str]


def column_roles(terms: Terms, columns: Iterable[Column]) -> Roles:
    """The terms' roles, each defaulted from the catalogue when the terms leave it out: dimensions are the
    non-personal text, date and yes/no fields; measures the non-personal numbers; join columns the fields
    naming a person or entity. A protected field is never a dimension or a measure, whatever the terms say."""
    columns = list(columns)
    open_ = [c for c in columns if c.sensitivity == "none"]
    dimensions = (
        set(terms.dimensions)
        if terms.dimensions is not None
        else {c.name for c in open_ if c.type in DIMENSION_TYPES and c.format not in UNIT_FORMATS}
    )
    measures = set(terms.measures) if terms.measures is not None else {c.name for c in open_ if c.type in MEASURE_TYPES}
    joins = (
        set(terms.join_columns)
        if terms.join_columns is not None
        else {c.name for c in columns if c.format in UNIT_FORMATS}
    )
    protected = {c.name for c in columns if c.sensitivity != "none"}
    return Roles(frozenset(dimensions - protected), frozenset(measures - protected), frozenset(joins))


def roles_problems(terms: Terms, columns: Iterable[Column]) -> list[tuple[str, list[str]]]:
    """The declared roles a proposal cannot have: (the role's refusal, the fields), empty when sound."""
    columns = list(columns)
    open_ = {c.name for c in columns if c.sensitivity == "none"}
    numbers = {c.name for c in columns if c.sensitivity == "none" and c.type in MEASURE_TYPES}
    every = {c.name for c in columns}
    problems = []
    for rule, declared, allowed in (
        ("contract.dimensions", terms.dimensions, open_),
        ("contract.measures", terms.measures, numbers),
        ("contract.join-columns", terms.join_columns, every),
    ):
        wrong = sorted(set(declared or ()) - allowed)
        if wrong:
            problems.append((rule, wrong))
    return problems


def call_refusal(*, state: str, today: date, valid_from: date, valid_until: date) -> tuple[str, dict[str, Any]] | None:
    """The rule (and its parameters) that refuses a call before it runs, else None."""
    if state == C.EXPIRED or (state == C.ACTIVE and today > valid_until):
        return "contract.expired", {"until": valid_until}
    if state != C.ACTIVE:
        return f"contract.{state}", {}
    if today < valid_from:
        return "contract.not-yet-valid", {"since": valid_from}
    return None
