"""Billing shapes. Money crosses the API as whole fen (``StrictInt``): a float, a string or a boolean is refused by
the schema before anything is read, and a negative amount by its bound."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from pubdata.billing.rules import MAX_CEILING_FEN, MAX_FEN, MAX_TIERS, UNITS, Tariff, Tier
from pubdata.common import messages
from pubdata.common.bounds import RowId
from pubdata.common.names import Prose
from pubdata.contracts.rules import FREE_PURPOSES

if TYPE_CHECKING:
    from pubdata.billing.service import PriceView, Reconciliation

Fen = Annotated[StrictInt, Field(ge=0, le=MAX_FEN)]
CeilingFen = Annotated[StrictInt, Field(ge=0, le=MAX_CEILING_FEN)]
Unit = Annotated[str, Field(pattern=r"^(call|subject|record|period)$")]


class TierIn(BaseModel):
    """From the ``from_unit``-th unit a contract uses in a year (1 for the first), each costs ``unit_fen``."""

    model_config = ConfigDict(extra="forbid")
    from_unit: Annotated[StrictInt, Field(ge=1, le=10**12)]
    unit_fen: Fen


class TariffIn(BaseModel):
    """A fee cap or a price: its unit, an optional yearly base fee and cumulative tiers, and the date it takes
    effect (today or later)."""

    model_config = ConfigDict(extra="forbid")
    unit: Unit
    base_fee_fen: Fen = 0
    tiers: list[TierIn] = Field(default_factory=list, max_length=MAX_TIERS)
    effective_from: date

    def tariff(self) -> Tariff:
        return Tariff(self.unit, self.base_fee_fen, tuple(Tier(t.from_unit - 1, t.unit_fen) for t in self.tiers))


class CapIn(TariffIn):
    basis: Prose = Field(min_length=1, max_length=2000)


class CeilingPart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fen: CeilingFen
    basis: Prose = Field(min_length=1, max_length=2000)


class Attachment(BaseModel):
    """An attachment the ceiling rests on, by its name and SM3 digest (the file itself stays with its owner)."""

    model_config = ConfigDict(extra="forbid")
    name: Prose = Field(min_length=1, max_length=200)
    sm3: str = Field(pattern=r"^[0-9a-f]{64}$")


class CeilingIn(BaseModel):
    """最高准许收入 = operating cost + permitted profit + tax."""

    PARTS: ClassVar[tuple[str, ...]] = ("operating_cost", "permitted_profit", "tax")
    model_config = ConfigDict(extra="forbid")
    operator_id: RowId
    year: Annotated[StrictInt, Field(ge=2000, le=2100)]
    operating_cost: CeilingPart
    permitted_profit: CeilingPart
    tax: CeilingPart
    attachments: list[Attachment] = Field(default_factory=list, max_length=20)
    effective_from: date


class TierOut(BaseModel):
    from_unit: int
    unit_fen: int


class TariffOut(BaseModel):
    unit: str
    unit_name: str
    base_fee_fen: int
    tiers: list[TierOut]

    @classmethod
    def of(cls, tariff: Tariff, lang: str = "zh-CN") -> TariffOut:
        return cls(
            unit=tariff.unit,
            unit_name=messages.pick(UNITS[tariff.unit], lang),
            base_fee_fen=tariff.base_fee_fen,
            tiers=[TierOut(from_unit=tier.start + 1, unit_fen=tier.unit_fen) for tier in tariff.tiers],
        )


class CapOut(BaseModel):
    id: int
    product: str
    version: int
    effective_from: date
    tariff: TariffOut
    basis: str


class PriceOut(BaseModel):
    id: int
    product: str
    version: int
    effective_from: date
    trial: bool
    tariff: TariffOut
    cap_version: int | None = None


class CeilingOut(BaseModel):
    id: int
    operator_id: int
    year: int
    version: int
    operating_cost_fen: int
    permitted_profit_fen: int
    tax_fen: int
    total_fen: int
    effective_from: date


class PublicPriceOut(BaseModel):
    """明码标价: a product's price in force, its unit and cap, and whether it is a trial price."""

    price: TariffOut | None
    price_from: date | None
    cap: TariffOut | None
    trial: bool
    free_purposes: list[str]

    @classmethod
    def of(cls, view: PriceView | None) -> PublicPriceOut:
        """What every listed product shows, priced or not."""
        price, cap = (view.price_tariff, view.cap_tariff) if view is not None else (None, None)
        return cls(
            price=TariffOut.of(price) if price is not None else None,
            price_from=view.price.effective_from if view is not None and view.price is not None else None,
            cap=TariffOut.of(cap) if cap is not None else None,
            trial=bool(view and view.trial),
            free_purposes=list(FREE_PURPOSES),
        )


class StatementLineOut(BaseModel):
    contract_id: int
    product: str
    product_name: str
    purpose: str
    purpose_name: str
    basis: str
    basis_name: str
    unit: str
    price_version: int | None
    trial: bool
    tier: int | None
    unit_fen: int
    units: int
    uses: int
    amount_fen: int


class StatementOut(BaseModel):
    consumer_id: int
    consumer: str
    month: str
    lines: list[StatementLineOut]
    total_fen: int


class RevenueOut(BaseModel):
    operator_id: int
    operator: str
    year: int
    ceiling_fen: int | None
    deducted_fen: int
    allowed_fen: int | None
    revenue_fen: int
    percent: float | None
    warning: int | None
    excess_fen: int
    by_month: dict[str, int]


class ReconciliationOut(BaseModel):
    month: str
    entries: int
    lines: int
    ledger_units: int
    billed_units: int
    ledger_fen: int
    billed_fen: int
    balanced: bool
    problems: list[str]  # in zh-CN

    @classmethod
    def of(cls, found: Reconciliation) -> ReconciliationOut:
        return cls(
            month=found.month,
            entries=found.entries,
            lines=found.lines,
            ledger_units=found.ledger_units,
            billed_units=found.billed_units,
            ledger_fen=found.ledger_fen,
            billed_fen=found.billed_fen,
            balanced=found.balanced,
            problems=[messages.label(key, "zh-CN").format(**fields) for key, fields in found.problems],
        )
