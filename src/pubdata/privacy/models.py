"""Privacy tables: released differentially private answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pubdata.db import Base, UTCDateTime
from pubdata.ledger.audited import Audited


class DpAnswer(Audited, Base):
    """A released differentially private answer. An identical query under the same contract gets it again,
    without spending ε again: re-asking must not average the noise away. Audited: it is served as an answer,
    so an edited one is found by ``ledger verify`` and refused when it is asked for again."""

    __tablename__ = "dp_answer"
    __table_args__ = (UniqueConstraint("contract_id", "query_digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), nullable=False)
    query_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    answer: Mapped[str] = mapped_column(Text, nullable=False)
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
