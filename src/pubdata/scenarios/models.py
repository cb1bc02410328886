"""Data demand, scenario plan and department opinion tables."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pubdata.db import Base, UTCDateTime
from pubdata.identity.access import Guard
from pubdata.ledger.audited import Audited


class Demand(Audited, Base):
    """A data demand (数据需求): what data someone needs and for what. The operator answers it with a scenario
    or a reasoned refusal within the configured working days. Listed publicly without personal data."""

    __tablename__ = "data_demand"
    guard = Guard(("数据需求", "data demand"), "demand.read", "demand.not-found", {"poster": "poster_id"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poster_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    posted_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    data_wanted: Mapped[str] = mapped_column(Text, nullable=False)  # what data
    use: Mapped[str] = mapped_column(Text, nullable=False)  # for what
    purpose: Mapped[str] = mapped_column(String(32), nullable=False)  # contracts.rules.PURPOSES
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    answer_due: Mapped[date] = mapped_column(Date, nullable=False)
    # scenario | refused; None while unanswered.
    answer: Mapped[str | None] = mapped_column(String(16), nullable=True)
    answer_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenario.id"), nullable=True)
    answered_by_organisation: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), nullable=True)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Scenario(Audited, Base):
    """A scenario plan (场景建设方案) with its risk assessment: proposed by the operator or one of its partners,
    given an opinion by each department whose resources it uses, approved or rejected by the bureau."""

    __tablename__ = "scenario"
    guard = Guard(
        ("场景建设方案", "scenario plan"),
        "scenario.read",
        "scenario.not-found",
        {"proposer": "proposer_id", "operator": "operator_id"},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    proposed_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    field: Mapped[str] = mapped_column(String(32), nullable=False)  # rules.FIELDS: 普惠金融, 城市治理, …
    users: Mapped[str] = mapped_column(Text, nullable=False)  # who will use what it builds
    resources: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list of resource codes
    purpose: Mapped[str] = mapped_column(String(32), nullable=False)  # contracts.rules.PURPOSES
    benefit: Mapped[str] = mapped_column(Text, nullable=False)  # the expected benefit
    risk: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON: the checklist's answers
    risk_level: Mapped[str | None] = mapped_column(String(16), nullable=True)  # from the checklist
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class ScenarioOpinion(Audited, Base):
    """A providing department's opinion (部门意见) on a scenario plan that uses its resources."""

    __tablename__ = "scenario_opinion"
    __table_args__ = (UniqueConstraint("scenario_id", "department_id"),)
    guard = Guard(("部门意见", "opinion"), "scenario.read", "scenario.not-found", {"department": "department_id"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"), nullable=False, index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    opinion: Mapped[str] = mapped_column(String(16), nullable=False)  # agree | disagree
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    given_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
