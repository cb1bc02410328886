"""Registration table."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pubdata.db import Base, UTCDateTime
from pubdata.identity.access import Guard
from pubdata.ledger.audited import Audited


class Registration(Audited, Base):
    """One application: first, change or cancellation registration of a subject (a resource, a product)."""

    __tablename__ = "registration"
    guard = Guard(
        ("登记申请", "registration"), "registration.review", "registration.not-found", {"applicant": "applicant_id"}
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    subject_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False)
    # What the applicant asks to register (for a change: the new description), canonical JSON.
    submission: Mapped[str] = mapped_column(Text, nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    notice_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    number: Mapped[str | None] = mapped_column(String(32), nullable=True, unique=True)


class Objection(Audited, Base):
    """An objection (异议) anyone filed against an application during its public notice, and the bureau's answer.

    ``name`` and ``contact`` are the objector's personal data: kept for the bureau (shown masked), never on a
    public page, in a ledger payload or a log.
    """

    __tablename__ = "registration_objection"
    guard = Guard(("异议", "objection"), "registration.review", "registration.not-found", {})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    contact: Mapped[str] = mapped_column(String(100), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # upheld | dismissed | superseded (another objection to the same application was upheld); None: unanswered.
    answer: Mapped[str | None] = mapped_column(String(16), nullable=True)
    answer_reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
