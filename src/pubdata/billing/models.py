"""Billing tables: maximum permitted revenue, fee caps and prices (each versioned, never changed once made),
flags on prices above a lowered cap, deductions from a ceiling, and the meter.

Money is BIGINT fen, and the database itself refuses a negative amount or a charged line on a public-welfare
contract: the rule holds whatever code writes the row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pubdata.billing.rules import Quantities
from pubdata.db import Base, UTCDateTime
from pubdata.identity.access import Guard
from pubdata.ledger.audited import Audited

FREE = "('public_governance', 'public_welfare')"


class RevenueCeiling(Audited, Base):
    """最高准许收入: one operator's maximum permitted revenue for one year, set by the pricing authority with its
    basis. A revision is a new version; the ones before stay as they were."""

    __tablename__ = "revenue_ceiling"
    __table_args__ = (
        UniqueConstraint("operator_id", "year", "version"),
        CheckConstraint("operating_cost_fen >= 0 AND permitted_profit_fen >= 0 AND tax_fen >= 0", name="fen"),
    )
    guard = Guard(
        ("最高准许收入", "maximum permitted revenue"),
        "billing.revenue",
        "billing.not-found",
        {"operator": "operator_id"},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    operating_cost_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    permitted_profit_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    tax_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    total_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    basis: Mapped[str] = mapped_column(Text, nullable=False)  # JSON: part → the basis it was entered on
    attachments: Mapped[str] = mapped_column(Text, nullable=False, default="[]")  # JSON: [{name, sm3}]
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    set_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class FeeCap(Audited, Base):
    """上限收费标准: the most a product may be priced at, per billing unit, set by the pricing authority within
    its operator's ceiling. Versioned with the date it takes effect."""

    __tablename__ = "fee_cap"
    __table_args__ = (UniqueConstraint("product_id", "version"),)
    guard = Guard(("上限收费标准", "fee cap"), "billing.read", "billing.not-found", {"operator": "operator_id"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), nullable=False, index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    unit: Mapped[str] = mapped_column(String(16), nullable=False)  # rules.UNITS
    tariff: Mapped[str] = mapped_column(Text, nullable=False)  # canonical JSON of rules.Tariff
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    basis: Mapped[str] = mapped_column(Text, nullable=False)  # why this cap (the costing it rests on)
    set_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Price(Audited, Base):
    """具体收费标准: the operator's price of a product, at most its cap, versioned with the date it takes effect.
    ``trial``: set before the product had a full operating year (试行价格)."""

    __tablename__ = "price"
    __table_args__ = (UniqueConstraint("product_id", "version"),)
    guard = Guard(("收费标准", "price"), "billing.read", "billing.not-found", {"operator": "operator_id"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), nullable=False, index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    unit: Mapped[str] = mapped_column(String(16), nullable=False)
    tariff: Mapped[str] = mapped_column(Text, nullable=False)
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    trial: Mapped[bool] = mapped_column(Boolean, nullable=False)
    cap_id: Mapped[int] = mapped_column(ForeignKey("fee_cap.id"), nullable=False)  # the cap it was checked under
    set_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class PriceFlag(Audited, Base):
    """A price left above a cap lowered under it: shown to the operator and the market regulator until the
    operator sets a price within the cap. The price itself is never changed by the platform."""

    __tablename__ = "price_flag"
    guard = Guard(("价格预警", "price flag"), "billing.read", "billing.not-found", {"operator": "operator_id"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    price_id: Mapped[int] = mapped_column(ForeignKey("price.id"), nullable=False, index=True)
    cap_id: Mapped[int] = mapped_column(ForeignKey("fee_cap.id"), nullable=False)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), nullable=False, index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    rule: Mapped[str] = mapped_column(String(64), nullable=False)  # where the price passes the cap
    detail: Mapped[str] = mapped_column(Text, nullable=False)  # JSON: that rule's parameters
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by_price: Mapped[int | None] = mapped_column(ForeignKey("price.id"), nullable=True)


class CeilingDeduction(Audited, Base):
    """Revenue above one year's ceiling, deducted from the next year's (the national rule), recorded when the
    year is closed."""

    __tablename__ = "ceiling_deduction"
    __table_args__ = (UniqueConstraint("operator_id", "year"),)
    guard = Guard(
        ("收入超限扣减", "ceiling deduction"), "billing.revenue", "billing.not-found", {"operator": "operator_id"}
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)  # the year closed; its excess comes off year + 1
    revenue_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    ceiling_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    excess_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class MeterAccount(Base):
    """A consumer's use of one product in one year, as the cumulative tiers count it: whichever of its contracts
    the use came under, in every unit (so a price or cap in another unit finds its place on its tiers), and
    whether the year's base fee has been charged. Moved by each metered use under the row's lock."""

    __tablename__ = "meter_account"
    __table_args__ = (
        CheckConstraint("calls >= 0 AND subjects >= 0 AND records >= 0 AND amount_fen >= 0", name="counted"),
    )

    consumer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    calls: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    subjects: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    records: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    base_charged: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)

    def used(self, unit: str) -> int:
        """How many of ``unit`` the consumer has used this year (a period counts none)."""
        return Quantities(self.calls, self.subjects, self.records).of(unit)


class MeterLine(Base):
    """One metered use (计量明细), written in the same transaction as its ledger entry (``ledger_seq``): the units,
    the price version and cap in force, the tiers, the amount in fen, and the basis (charged, free, …)."""

    __tablename__ = "meter_line"
    __table_args__ = (
        CheckConstraint("units >= 0 AND amount_fen >= 0 AND base_fee_fen >= 0", name="fen"),
        CheckConstraint(f"purpose NOT IN {FREE} OR amount_fen = 0", name="free_use"),
        # A line is charged only at a price under a cap in force.
        CheckConstraint(
            "basis NOT IN ('charged', 'capped') OR (price_id IS NOT NULL AND cap_id IS NOT NULL)", name="capped"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_seq: Mapped[int] = mapped_column(BigInteger, nullable=False, unique=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), nullable=False, index=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), nullable=True)
    price_id: Mapped[int | None] = mapped_column(ForeignKey("price.id"), nullable=True)
    cap_id: Mapped[int | None] = mapped_column(ForeignKey("fee_cap.id"), nullable=True)
    purpose: Mapped[str] = mapped_column(String(32), nullable=False)
    basis: Mapped[str] = mapped_column(String(16), nullable=False)  # rules.BASES
    unit: Mapped[str] = mapped_column(String(16), nullable=False)
    units: Mapped[int] = mapped_column(BigInteger, nullable=False)
    tiers: Mapped[str] = mapped_column(Text, nullable=False, default="[]")  # JSON: [[tier, units, unit_fen]]
    base_fee_fen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    month: Mapped[str] = mapped_column(String(7), nullable=False, index=True)  # Asia/Shanghai, of the entry
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
