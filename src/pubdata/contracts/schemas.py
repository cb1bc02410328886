"""Contract shapes: ``Terms``, the one value the API, the forms, the services and the rules share, and the API's
request and answer shapes."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pubdata.common.bounds import RowId
from pubdata.common.digest import of_document
from pubdata.common.names import Prose
from pubdata.common.stored import FromJsonText

Purpose = Literal["public_governance", "public_welfare", "industry", "sector"]
OutputRule = Literal["aggregate", "dp"]
# Counters are BIGINT columns; a quota past this is no quota at all.
QUOTA_LIMIT = 10**12


ROLES = ("dimensions", "measures", "join_columns")


class ProductTerms(BaseModel):
    """The product a contract was generated from (products.subscriptions): its code and the digest of the
    definition its security review approved. A call runs only that definition."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
    definition_digest: str = Field(pattern=r"^[0-9a-f]{64}$")


class Terms(BaseModel):
    """A usage contract's terms (合约条款), as proposed, signed, hashed into the ledger and checked on every call.

    Frozen: terms never change once proposed; a change is a new contract. ``version`` names this shape, so a
    stored contract always says what its terms meant. ``digest`` is the SM3 of the canonical document both
    sides sign.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    version: Literal[1] = 1
    resources: tuple[str, ...] = Field(min_length=1, max_length=100)
    purpose: Purpose
    valid_from: date
    valid_until: date
    max_calls: int = Field(ge=1, le=QUOTA_LIMIT)
    max_rows: int = Field(ge=1, le=QUOTA_LIMIT)
    output_rule: OutputRule = "aggregate"
    # The columns' roles in a governed query. Left out, each defaults from the catalogue (rules.column_roles):
    # dimensions and measures are never protected columns; join columns may be (a join reveals no value).
    dimensions: tuple[str, ...] | None = Field(default=None, max_length=200)
    measures: tuple[str, ...] | None = Field(default=None, max_length=200)
    join_columns: tuple[str, ...] | None = Field(default=None, max_length=50)
    min_group_size: int = Field(default=10, ge=0, le=1_000_000)  # the rule (≥ 10) is rules.terms_problems'
    epsilon: float | None = None
    epsilon_per_query: float | None = None
    delta: float | None = None
    bounds: dict[str, tuple[float, float]] = Field(default_factory=dict, max_length=200)
    max_contributions: int = Field(default=1, ge=0, le=1_000_000)  # the rule (1–100) is rules.terms_problems'
    # A contract generated from a product's subscription names the product and its reviewed definition.
    product: ProductTerms | None = None

    @classmethod
    def stored(cls, text: str) -> Terms:
        """Terms as a contract row keeps them. Rows written before ``version`` existed carried an unused
        ``price`` (always null); billing prices products, not contracts."""
        raw = json.loads(text)
        if "version" not in raw:
            raw.pop("price", None)
        return cls.model_validate(raw)

    def document(self) -> dict[str, Any]:
        """What both sides sign. A role left to its default, and the product of a contract not generated from
        one, are not written, so terms signed before either existed keep their digest."""
        unset = {name for name in (*ROLES, "product") if getattr(self, name) is None}
        return self.model_dump(mode="json", exclude=unset)

    @property
    def digest(self) -> str:
        return of_document(self.document())

    @property
    def is_dp(self) -> bool:
        return self.output_rule == "dp"


class ContractIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee_id: RowId
    terms: Terms


class RevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Prose = Field(min_length=1, max_length=1000)


class ContractOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    assigner_id: RowId
    assignee_id: RowId
    state: str
    terms: Annotated[dict[str, Any], FromJsonText]
    terms_digest: str
    valid_from: date
    valid_until: date
    calls_used: int
    max_calls: int
    rows_used: int
    max_rows: int
    epsilon_spent_micro: int
    epsilon_budget_micro: int
    assigner_signed_at: datetime | None
    assignee_signed_at: datetime | None
