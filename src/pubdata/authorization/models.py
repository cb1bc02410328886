"""Authorization tables: agreements, partners, evaluations, incidents, security activities."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pubdata.db import Base, UTCDateTime
from pubdata.identity.access import Guard
from pubdata.ledger.audited import Audited


class Agreement(Audited, Base):
    """The authorization agreement (授权运营协议) between the bureau and the operator chosen by tender."""

    __tablename__ = "agreement"
    guard = Guard(
        ("授权运营协议", "agreement"), "authorization.read", "authorization.not-found", {"operator": "operator_id"}
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    tender_reference: Mapped[str] = mapped_column(String(100), nullable=False)
    # 三(一) selection conditions: canonical JSON {condition: evidence}.
    selection: Mapped[str] = mapped_column(Text, nullable=False)
    mode: Mapped[str] = mapped_column(String(32), nullable=False)
    # Canonical JSON {"resources": [codes], "sectors": [...], "max_grade": "...", "purposes": [...]}.
    scope: Mapped[str] = mapped_column(Text, nullable=False)
    security_duties: Mapped[str] = mapped_column(Text, nullable=False)
    partner_conditions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    state: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    bureau_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    operator_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    document_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    renewal_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    exit_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    exit_plan: Mapped[str | None] = mapped_column(Text, nullable=True)
    exit_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    exited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # What data and products were handed back or destroyed on exit, canonical JSON list.
    handover: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Partner(Audited, Base):
    """A partner (合伙人) admitted by the operator, with a scope inside the operator's."""

    __tablename__ = "partner"
    guard = Guard(
        ("合伙人", "partner"),
        "authorization.read",
        "authorization.not-found",
        {"partner": "organisation_id", "operator": "operator_id"},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), nullable=False, index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    scope: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    admitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    agreement: Mapped[Agreement] = relationship(lazy="joined")

    @property
    def operator_id(self) -> int:
        """The operator whose partner this is: a party to the admission as much as the partner itself."""
        return self.agreement.operator_id


class Evaluation(Audited, Base):
    """A periodic evaluation (评价) on the four dimensions, and any rectification it asks for."""

    __tablename__ = "evaluation"
    LATER_COLUMNS = frozenset({"override_reason", "rule"})  # revision 0014

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), nullable=False, index=True)
    period: Mapped[str] = mapped_column(String(32), nullable=False)
    # Canonical JSON {dimension: {"score": 0-100, "evidence": "..."}}.
    scores: Mapped[str] = mapped_column(Text, nullable=False)
    result: Mapped[str] = mapped_column(String(16), nullable=False)
    # Why the result departs from what the scores call for under the rule (``rules.EvaluationRule``), if it does.
    override_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The rule's thresholds it was judged by, canonical JSON (None: kept before there was a rule).
    rule: Mapped[str | None] = mapped_column(String(200), nullable=True)
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    rectification_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    rectification_plan: Mapped[str | None] = mapped_column(Text, nullable=True)
    rectification_report: Mapped[str | None] = mapped_column(Text, nullable=True)
    rectified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Incident(Audited, Base):
    """A data-security incident; the bureau decides whether it had bad impact (→ exit)."""

    __tablename__ = "incident"
    guard = Guard(
        ("数据安全事件", "incident"),
        "authorization.read",
        "authorization.not-found",
        {"operator": "operator_id", "reporter": "reported_by"},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), nullable=False, index=True)
    reported_by: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    bad_impact: Mapped[bool | None] = mapped_column(nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    agreement: Mapped[Agreement] = relationship(lazy="joined")

    @property
    def operator_id(self) -> int:
        return self.agreement.operator_id


class SecurityActivity(Audited, Base):
    """A security drill (应急演练) or a risk assessment (风险评估) the operator carried out: its evidence (the
    attachments' SM3 digests, the files staying with the operator), what it found, and the rectification it
    called for, due by a day and recorded done."""

    __tablename__ = "security_activity"
    LATER_COLUMNS = frozenset(
        {"evidence", "findings", "rectification", "rectification_due", "rectified_on", "rectified_note"}
    )  # revision 0024

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    performed_on: Mapped[date] = mapped_column(Date, nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # Canonical JSON [[name, sm3], ...]; None: none given.
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)
    findings: Mapped[str | None] = mapped_column(Text, nullable=True)
    rectification: Mapped[str | None] = mapped_column(Text, nullable=True)
    rectification_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    rectified_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    rectified_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class SecurityCycle(Audited, Base):
    """How often the operator must hold a drill or a risk assessment, as the bureau set it (versioned: the newest
    of a kind is in force)."""

    __tablename__ = "security_cycle"
    __table_args__ = (UniqueConstraint("kind", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    months: Mapped[int] = mapped_column(Integer, nullable=False)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class SecurityFinding(Audited, Base):
    """The security office's finding (监管意见) on an incident or a drill or risk assessment: one of the two
    subjects, never both; an item may have several over time."""

    __tablename__ = "security_finding"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), nullable=True, index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("security_activity.id"), nullable=True, index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), nullable=True)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    finding: Mapped[str] = mapped_column(Text, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
