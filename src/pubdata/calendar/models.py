"""The bureau's yearly tables of holidays and make-up workdays, one row per version of a year."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pubdata.db import Base, UTCDateTime
from pubdata.ledger.audited import Audited


class CalendarTable(Audited, Base):
    """One version of a year's table (年度放假安排), as the bureau loaded it from the State Council's notice.
    The newest version of a year is the one in force; older ones stay, so a deadline can be traced."""

    __tablename__ = "calendar_table"
    __table_args__ = (UniqueConstraint("year", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # Canonical JSON of [[day, kind, name], ...] in date order (``rules.table_rows``).
    days: Mapped[str] = mapped_column(Text, nullable=False)
    holidays: Mapped[int] = mapped_column(Integer, nullable=False)
    workdays: Mapped[int] = mapped_column(Integer, nullable=False)
    # SM3 of the file as uploaded, so the notice it came from can be matched later.
    file_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    loaded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)  # None: the platform
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
