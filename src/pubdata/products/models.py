"""Product, security review and subscription tables."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pubdata.db import Base, UTCDateTime
from pubdata.identity.access import Guard
from pubdata.ledger.audited import Audited


class Product(Audited, Base):
    """A data product or service (数据产品和服务). Its ``definition`` (``products.schemas.Definition``, canonical
    JSON) is what the security review signs off by its digest: a call runs only the reviewed definition, and any
    change sends the product back to review."""

    __tablename__ = "product"
    guard = Guard(
        ("数据产品", "product"),
        "product.read",
        "product.not-found",
        {"operator": "operator_id", "developer": "developer_id"},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    developer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)  # rules.KINDS
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    delivery: Mapped[str] = mapped_column(String(32), nullable=False)  # rules.DELIVERY: api, file, …
    purposes: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list of contracts.rules.PURPOSES
    definition: Mapped[str] = mapped_column(Text, nullable=False)  # canonical JSON
    definition_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    # The digest the security review approved; a call runs only while it equals ``definition_digest``.
    reviewed_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    listed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    registration_number: Mapped[str | None] = mapped_column(String(32), nullable=True)


class ProductReview(Audited, Base):
    """A security review (安全审查) of one definition of a product: the checklist's answers and the bureau
    reviewer's decision, bound to the definition's digest."""

    __tablename__ = "product_review"
    guard = Guard(("安全审查", "security review"), "product.read", "product.not-found", {"operator": "operator_id"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), nullable=False, index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    definition_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    checklist: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON: item → passed, note
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)  # rules.REVIEW
    decision: Mapped[str | None] = mapped_column(String(16), nullable=True)  # approve | return; None: open
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Subscription(Audited, Base):
    """A consumer's application to use a listed product (订阅申请); approved by the operator, it becomes a usage
    contract generated from the product, which both sides sign."""

    __tablename__ = "subscription"
    guard = Guard(
        ("订阅申请", "subscription"),
        "subscription.read",
        "subscription.not-found",
        {"consumer": "consumer_id", "operator": "operator_id"},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), nullable=False, index=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    applied_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    purpose: Mapped[str] = mapped_column(String(32), nullable=False)
    use: Mapped[str] = mapped_column(Text, nullable=False)  # what the consumer will use it for
    max_calls: Mapped[int] = mapped_column(BigInteger, nullable=False)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_until: Mapped[date] = mapped_column(Date, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"), nullable=True, index=True)
