"""Security duties (三(七)): the drills and risk assessments the operator must hold on a cycle the bureau sets,
each recorded with its evidence (the attachments' SM3 digests: the files stay with the operator), its findings
and the rectification it calls for; what is due or overdue, for the operator's, the bureau's and the security
office's pages.

Each command checks its permission and writes its ledger entry in the caller's transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pubdata.authorization import agreements, rules
from pubdata.authorization.evaluation import ACTIVITY_KINDS
from pubdata.authorization.models import Agreement, SecurityActivity, SecurityCycle
from pubdata.common import canonical, clock
from pubdata.common.errors import Refused
from pubdata.common.messages import Phrase
from pubdata.common.names import clean, clean_prose
from pubdata.identity import access
from pubdata.identity.access import Principal, Who
from pubdata.jobs import rules as job_rules
from pubdata.ledger import service as ledger

TEXT_MAX = 5000


def set_cycle(session: Session, *, principal: Who, kind: str, months: int) -> SecurityCycle:
    """The bureau sets how often the operator holds a drill or a risk assessment; a new version is in force
    from now on, the old ones kept."""
    access.require(principal, "authorization.manage")
    if kind not in ACTIVITY_KINDS:
        raise Refused("authorization.activity-kind")
    first, last = rules.CYCLE_MONTHS
    if not first <= months <= last:
        raise Refused("security.cycle", first=first, last=last, field="months")
    ledger.lock(session)  # versions are numbered under the ledger's lock
    version = session.scalar(select(func.max(SecurityCycle.version)).where(SecurityCycle.kind == kind)) or 0
    cycle = SecurityCycle(kind=kind, version=version + 1, months=months, set_by=principal.user_id, set_at=clock.now())
    session.add(cycle)
    ledger.record(
        session,
        actor=principal.actor,
        action="authorization.security-cycle-set",
        subject=cycle,
        payload={"kind": kind, "months": months, "version": cycle.version},
    )
    return cycle


def cycles(session: Session) -> dict[str, int | None]:
    """The cycle in force for each kind, in months (None: the bureau has set none)."""
    found: dict[str, int | None] = dict.fromkeys(ACTIVITY_KINDS)
    for cycle in session.execute(select(SecurityCycle).order_by(SecurityCycle.version)).scalars():
        found[cycle.kind] = cycle.months
    return found


def _text(value: str, field: str) -> str | None:
    """An optional text of a security record; anything shaped like an ID or a mobile number is refused."""
    text = clean_prose(value, field=field, max_length=TEXT_MAX)
    if job_rules.holds_identifier(text):
        raise Refused("security.personal", field=field)
    return text or None


def evidence_of(pairs: list[tuple[str, str]]) -> str | None:
    """Attachments as canonical JSON of [name, digest] pairs, or None for none; refused when malformed."""
    cleaned = [(clean(name, field="evidence", max_length=100), digest.strip().lower()) for name, digest in pairs]
    problem = rules.evidence_problem(cleaned)
    if problem is not None:
        raise Refused("security.evidence", problem=Phrase(problem), field="evidence")
    return canonical.dumps([list(pair) for pair in cleaned]).decode() if cleaned else None


def record_activity(
    session: Session,
    *,
    principal: Who,
    agreement_id: int,
    kind: str,
    performed_on: date,
    summary: str,
    evidence: list[tuple[str, str]] | None = None,
    findings: str = "",
    rectification: str = "",
    rectification_due: date | None = None,
) -> SecurityActivity:
    """The operator records a drill or a risk assessment it held, with its evidence and findings; a
    rectification it calls for needs a day it is due by, today or later."""
    agreement = agreements.get(
        session, principal=principal, agreement_id=agreement_id, permission="authorization.operate"
    )
    if kind not in ACTIVITY_KINDS:
        raise Refused("authorization.activity-kind")
    if performed_on > clock.today() or not summary.strip():
        raise Refused("authorization.activity")
    rectifying = _text(rectification, "rectification")
    if (rectifying is None) != (rectification_due is None) or (
        rectification_due is not None and rectification_due < performed_on
    ):
        raise Refused("security.rectification-due", field="rectification_due")
    activity = SecurityActivity(
        agreement_id=agreement.id,
        kind=kind,
        performed_on=performed_on,
        summary=clean_prose(summary, field="summary", max_length=TEXT_MAX, blank=False),
        created_at=clock.now(),
        evidence=evidence_of(evidence or []),
        findings=_text(findings, "findings"),
        rectification=rectifying,
        rectification_due=rectification_due,
    )
    session.add(activity)
    payload = {"evidence": len(json.loads(activity.evidence or "[]")), "rectification_due": rectification_due}
    ledger.record(session, actor=principal.actor, action=f"authorization.{kind}", subject=activity, payload=payload)
    return activity


def record_rectified(session: Session, *, principal: Who, activity_id: int, note: str) -> SecurityActivity:
    """The operator records the rectification a drill or assessment called for as done."""
    activity = session.get(SecurityActivity, activity_id)
    if activity is None:
        raise Refused("authorization.not-found", what=Phrase("security.activity"))
    agreements.get(session, principal=principal, agreement_id=activity.agreement_id, permission="authorization.operate")
    if activity.rectification is None or activity.rectified_on is not None:
        raise Refused("security.nothing-to-rectify")
    written = _text(note, "note")
    if written is None:
        raise Refused("security.rectified-note", field="note")
    activity.rectified_on, activity.rectified_note = clock.today(), written
    ledger.record(session, actor=principal.actor, action="authorization.security-rectified", subject=activity)
    return activity


@dataclass(frozen=True)
class Duty:
    """A kind of security activity one agreement owes: when last done, when next due, and whether overdue."""

    agreement_id: int
    operator_id: int
    kind: str
    months: int | None
    last: date | None
    due: date | None

    @property
    def overdue(self) -> bool:
        return self.due is not None and rules.duty_overdue(due=self.due, today=clock.today())


def _started(agreement: Agreement) -> date:
    signed = agreement.operator_signed_at or agreement.bureau_signed_at
    return agreement.starts_on or (signed.astimezone(clock.SHANGHAI).date() if signed else clock.today())


def duties(session: Session, *, principal: Who) -> list[Duty]:
    """Each live agreement's drills and assessments, with their next due days on the bureau's cycles."""
    months = cycles(session)
    found = [agreement for agreement in agreements.list_agreements(session, principal=principal)]
    live = [agreement for agreement in found if agreement.state in rules.LIVE_STATES]
    last = _last_done(session, {agreement.id for agreement in live})
    owed = []
    for agreement in live:
        for kind in ACTIVITY_KINDS:
            done, every = last.get((agreement.id, kind)), months[kind]
            due = rules.duty_due(last=done, since=_started(agreement), months=every) if every else None
            owed.append(Duty(agreement.id, agreement.operator_id, kind, every, done, due))
    return owed


def _last_done(session: Session, agreement_ids: set[int]) -> dict[tuple[int, str], date]:
    statement = (
        select(SecurityActivity.agreement_id, SecurityActivity.kind, func.max(SecurityActivity.performed_on))
        .where(SecurityActivity.agreement_id.in_(agreement_ids))
        .group_by(SecurityActivity.agreement_id, SecurityActivity.kind)
    )
    return {(agreement_id, kind): day for agreement_id, kind, day in session.execute(statement)}


def open_rectifications(session: Session, *, principal: Who) -> list[SecurityActivity]:
    """Rectifications drills and assessments called for and not yet recorded done, oldest due first."""
    visible = {agreement.id for agreement in agreements.list_agreements(session, principal=principal)}
    statement = select(SecurityActivity).where(
        SecurityActivity.agreement_id.in_(visible),
        SecurityActivity.rectification.is_not(None),
        SecurityActivity.rectified_on.is_(None),
    )
    return list(session.execute(statement.order_by(SecurityActivity.rectification_due)).scalars())


def overdue_count(session: Session, *, principal: Who) -> int:
    """Duties past due and rectifications past their day: what the workbenches flag."""
    today = clock.today()
    late = [
        item
        for item in open_rectifications(session, principal=principal)
        if item.rectification_due is not None and item.rectification_due < today
    ]
    return sum(1 for duty in duties(session, principal=principal) if duty.overdue) + len(late)


def evidence_list(activity: SecurityActivity) -> list[tuple[str, str]]:
    return [(name, digest) for name, digest in json.loads(activity.evidence or "[]")]


def activities_between(session: Session, *, principal: Who, since: date, until: date) -> list[SecurityActivity]:
    """The drills and assessments performed from ``since`` to ``until`` (inclusive) of the agreements
    ``principal`` may read: the annual report's and the evaluation's evidence."""
    visible = {agreement.id for agreement in agreements.list_agreements(session, principal=principal)}
    statement = select(SecurityActivity).where(
        SecurityActivity.agreement_id.in_(visible),
        SecurityActivity.performed_on >= since,
        SecurityActivity.performed_on <= until,
    )
    return list(session.execute(statement.order_by(SecurityActivity.performed_on)).scalars())


def todos(session: Session, *, principal: Principal) -> list[tuple[str, int, str]]:
    """The workbench's to-dos: drills, assessments and rectifications overdue (the operator's own; everyone's for
    the bureau and the security office); for the bureau, kinds still without a cycle."""
    kind = principal.organisation_kind
    if kind not in ("operator", "bureau", "security"):
        return []
    page = "/agreements" if kind == "operator" else "/security"  # the operator's records are on its agreement
    found = [("workbench.security.overdue", overdue_count(session, principal=principal), page)]
    if kind == "bureau":
        unset = sum(1 for months in cycles(session).values() if months is None)
        found.append(("workbench.security.no_cycle", unset, "/security"))
    return found
