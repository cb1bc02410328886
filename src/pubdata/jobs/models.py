"""Job table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pubdata.db import Base, UTCDateTime
from pubdata.identity.access import Guard
from pubdata.ledger.audited import Audited


class Job(Audited, Base):
    """A job (作业): SQL or a Python script run on the real data under a contract, after its code is reviewed,
    inside the isolated sandbox; its outputs are held until the operator's reviewer and the bureau release them."""

    __tablename__ = "job"
    guard = Guard(
        ("作业", "job"), "job.read", "job.not-found", {"submitter": "organisation_id", "operator": "operator_id"}
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), nullable=False, index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    submitter_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    code: Mapped[str] = mapped_column(Text, nullable=False)
    requirements: Mapped[str] = mapped_column(Text, nullable=False, default="[]")  # JSON list
    # JSON list of the declared outputs (``jobs.schemas.DeclaredOutput``): the only files a run may write.
    outputs: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    code_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    review_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    exit_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    outcome_rule: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outcome_detail: Mapped[str] = mapped_column(Text, nullable=False, default="")
    manifest: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON: files, digests, checks
    operator_released_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    operator_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    bureau_released_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    bureau_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    downloads: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
