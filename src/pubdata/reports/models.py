"""The operator's annual operation reports (年度运营报告)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pubdata.db import Base, UTCDateTime
from pubdata.identity.access import Guard
from pubdata.ledger.audited import Audited


class AnnualReport(Audited, Base):
    """An operator's report on one year (三(九)): the figures the platform drafted from the facts, frozen when
    submitted (with their digest), the benefits the operator wrote, and the bureau's acceptance or return."""

    __tablename__ = "annual_report"
    __table_args__ = (UniqueConstraint("operator_id", "year"),)
    guard = Guard(("年度运营报告", "annual report"), "reports.read", "reports.not-found", {"operator": "operator_id"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    benefits: Mapped[str] = mapped_column(Text, nullable=False, default="")
    figures: Mapped[str] = mapped_column(Text, nullable=False)  # canonical JSON of the drafted figures
    figures_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
