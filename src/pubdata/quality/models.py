"""Quality tickets (数据质量问题) and their rounds: each filing or reopening opens a round with its own deadline
on the working-day calendar, which the providing department's answer closes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pubdata.db import Base, UTCDateTime
from pubdata.identity.access import Guard
from pubdata.ledger.audited import Audited


class QualityTicket(Audited, Base):
    """A data-quality ticket against one version of a resource: what is wrong (a kind and a description) and
    where (row and column numbers, never a value), filed by the operator, a partner, a consumer or the bureau
    for the providing department to answer."""

    __tablename__ = "quality_ticket"
    guard = Guard(
        ("数据质量问题", "quality ticket"),
        "quality.read",
        "quality.not-found",
        {"filer": "filer_id", "department": "provider_id"},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"), nullable=False, index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("resource_version.id"), nullable=False)
    # The department providing the resource when the ticket was filed: it answers.
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    filer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # rules.KINDS
    rows: Mapped[str] = mapped_column(String(1000), nullable=False, default="")  # rules.rows_text
    columns: Mapped[str] = mapped_column(String(400), nullable=False, default="[]")  # JSON column numbers
    description: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    round: Mapped[int] = mapped_column(Integer, nullable=False, default=1)  # the round now running
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class QualityRound(Audited, Base):
    """One round of a ticket: opened by the filing or a reopening, due at the end of the N-th working day after
    the day it opened (that day never counts), answered by the department, confirmed or reopened by the filer."""

    __tablename__ = "quality_round"
    __table_args__ = (UniqueConstraint("ticket_id", "number"),)
    guard = QualityTicket.guard

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("quality_ticket.id"), nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    filer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False)
    opened_on: Mapped[date] = mapped_column(Date, nullable=False)  # Asia/Shanghai
    opened_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")  # why it was reopened
    working_days: Mapped[int] = mapped_column(Integer, nullable=False)
    due: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    # Counted partly on a year neither the bureau's table nor chinese-calendar held: recomputed on its table.
    provisional: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    overdue_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # Asia/Shanghai
    late: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # A new version of the resource the department loaded to fix it.
    fixed_version_id: Mapped[int | None] = mapped_column(ForeignKey("resource_version.id"), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)  # rules.OUTCOMES
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ticket: Mapped[QualityTicket] = relationship(lazy="joined")


class ScoreWeights(Audited, Base):
    """The bureau's weights for the department contribution score (贡献评价), versioned: the newest is in force,
    and each score names the version it was computed with."""

    __tablename__ = "score_weights"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    weights: Mapped[str] = mapped_column(Text, nullable=False)  # canonical JSON {indicator: weight}
    total: Mapped[int] = mapped_column(Integer, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    set_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
