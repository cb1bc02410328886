"""Contract table: terms, signatures and the counters every call moves."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pubdata.db import Base, UTCDateTime
from pubdata.identity.access import Guard
from pubdata.ledger.audited import Audited


class Contract(Audited, Base):
    __tablename__ = "contract"
    guard = Guard(
        ("使用合约", "contract"),
        "contract.read",
        "contract.not-found",
        {"assigner": "assigner_id", "assignee": "assignee_id"},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assigner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    terms: Mapped[str] = mapped_column(Text, nullable=False)  # canonical JSON
    terms_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_until: Mapped[date] = mapped_column(Date, nullable=False)
    max_calls: Mapped[int] = mapped_column(BigInteger, nullable=False)
    max_rows: Mapped[int] = mapped_column(BigInteger, nullable=False)
    epsilon_budget_micro: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    calls_used: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    rows_used: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    epsilon_spent_micro: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    assigner_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    assignee_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
