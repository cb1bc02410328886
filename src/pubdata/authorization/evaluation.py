"""Evaluations of the operator (定期评价) and their rectifications, data-security incidents, and the security
drills and risk assessments the operator records.

三(四)4 and 5: four dimensions scored with evidence; a rectify gives 30 days; a second rectify, a fail, or an
incident with bad impact ends the licence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.authorization import agreements, rules
from pubdata.authorization.models import Agreement, Evaluation, Incident, SecurityActivity, SecurityFinding
from pubdata.common import canonical, clock, names
from pubdata.common.errors import Refused
from pubdata.common.messages import Text
from pubdata.config import Settings
from pubdata.identity import access
from pubdata.identity.access import Who
from pubdata.ledger import service as ledger

ACTIVITY_KINDS = {"drill": ("应急演练", "Security drill"), "risk_assessment": ("风险评估", "Risk assessment")}


def rule_of(settings: Settings) -> rules.EvaluationRule:
    """The city's evaluation rule, from its settings."""
    return rules.EvaluationRule(
        pass_each=settings.evaluation_pass_each,
        pass_mean=settings.evaluation_pass_mean,
        fail_mean=settings.evaluation_fail_mean,
    )


def evaluate(
    session: Session,
    *,
    principal: Who,
    agreement_id: int,
    period: str,
    scores: dict[str, dict[str, Any]],
    result: str,
    override_reason: str = "",
    rule: rules.EvaluationRule | None = None,
) -> Evaluation:
    """三(四)4: security, performance, scenario benefit, public welfare — each scored with evidence. The result
    follows from the scores by ``rule`` (the city's, ``rule_of``) or carries the evaluator's reason for another."""
    rule = rule or rules.EvaluationRule()
    agreement = agreements.get(
        session, principal=principal, agreement_id=agreement_id, permission="authorization.evaluate"
    )
    missing = rules.missing_dimensions(scores)
    if missing:
        raise Refused("authorization.evaluation-dimensions", missing=missing)
    for dimension, entry in scores.items():
        if (
            dimension not in rules.EVALUATION_DIMENSIONS
            or not isinstance(entry.get("score"), int)
            or not 0 <= entry["score"] <= 100
            or not str(entry.get("evidence", "")).strip()
        ):
            raise Refused("authorization.evaluation-score", dimension=dimension)
    if result not in rules.EVALUATION_RESULTS:
        raise Refused("authorization.evaluation-result")
    reason = names.clean_prose(override_reason or "", field="reason", max_length=5000)
    numbers = {dimension: entry["score"] for dimension, entry in scores.items()}
    if not rules.result_agrees(result, numbers, rule, override_reason=reason):
        implied = rules.implied_result(numbers, rule)
        raise Refused(
            "authorization.evaluation-disagrees",
            result=Text(rules.EVALUATION_RESULTS[result]),
            implied=Text(rules.EVALUATION_RESULTS[implied]),
            mean=f"{rules.mean_score(numbers):.1f}",
            rule=rule.phrase(),
            field="override_reason",
        )
    was_rectifying = agreement.state == rules.A.RECTIFYING
    target = rules.AGREEMENT.target(agreement.state, result)
    if target is None:
        raise rules.AGREEMENT.refusal(agreement.state, result)
    evaluation = Evaluation(
        agreement_id=agreement.id,
        period=period.strip(),
        scores=canonical.dumps(scores).decode("utf-8"),
        result=result,
        override_reason=reason or None,
        rule=canonical.dumps(rule.document()).decode("utf-8"),
        evaluated_at=clock.now(),
    )
    if result == "rectify" and not was_rectifying:
        evaluation.rectification_due = rules.rectification_due(clock.today())
    session.add(evaluation)
    ledger.record(session, actor=principal.actor, action=f"authorization.evaluation.{result}", subject=evaluation)
    if target == rules.A.EXITED:
        reason = "rectification_failed" if was_rectifying else "evaluation_failed"
        agreements.exit_now(session, actor=principal.actor, agreement=agreement, reason=reason)
    else:
        rules.AGREEMENT.apply(agreement, result)
        ledger.record(session, actor=principal.actor, action="authorization.agreement.evaluated", subject=agreement)
    return evaluation


def open_rectification(session: Session, agreement_id: int) -> Evaluation | None:
    return session.scalar(
        select(Evaluation)
        .where(
            Evaluation.agreement_id == agreement_id,
            Evaluation.result == "rectify",
            Evaluation.rectification_due.is_not(None),
        )
        .order_by(Evaluation.id.desc())
    )


def submit_rectification(session: Session, *, principal: Who, agreement_id: int, plan: str, report: str) -> Evaluation:
    agreement = agreements.get(
        session, principal=principal, agreement_id=agreement_id, permission="authorization.operate"
    )
    evaluation = open_rectification(session, agreement.id)
    if agreement.state != rules.A.RECTIFYING or evaluation is None or evaluation.rectification_due is None:
        raise Refused("authorization.not-rectifying")
    if clock.today() > evaluation.rectification_due:
        raise Refused("authorization.rectification-late", due=evaluation.rectification_due)
    if not plan.strip() or not report.strip():
        raise Refused("authorization.rectification-incomplete")
    evaluation.rectification_plan, evaluation.rectification_report = plan.strip(), report.strip()
    evaluation.rectified_at = clock.now()
    ledger.record(session, actor=principal.actor, action="authorization.rectification.submit", subject=evaluation)
    return evaluation


@dataclass(frozen=True)
class EvaluationView:
    """An evaluation as its history shows it: scores with evidence, what the rule called for, any reason to
    depart from it, and the rectification plan and report."""

    evaluation: Evaluation
    scores: dict[str, dict[str, Any]]
    mean: float
    implied: str | None  # None for an evaluation kept before the rule was

    @property
    def overridden(self) -> bool:
        return self.implied is not None and self.implied != self.evaluation.result


def view_of(evaluation: Evaluation) -> EvaluationView:
    scores = json.loads(evaluation.scores)
    numbers = {dimension: int(entry["score"]) for dimension, entry in scores.items()}
    implied = None
    if evaluation.rule:
        implied = rules.implied_result(numbers, rules.EvaluationRule(**json.loads(evaluation.rule)))
    return EvaluationView(evaluation, scores, rules.mean_score(numbers), implied)


def history(session: Session, *, principal: Who, agreement_id: int) -> list[EvaluationView]:
    """An agreement's evaluations, newest first, each shown again in full."""
    return [view_of(e) for e in evaluations_of(session, principal=principal, agreement_id=agreement_id)][::-1]


def evaluations_of(session: Session, *, principal: Who, agreement_id: int) -> list[Evaluation]:
    agreement = agreements.get(session, principal=principal, agreement_id=agreement_id)
    statement = select(Evaluation).where(Evaluation.agreement_id == agreement.id).order_by(Evaluation.id)
    return list(session.execute(statement).scalars())


# --- incidents, drills, risk assessments -------------------------------------------------------------


def report_incident(
    session: Session, *, principal: Who, agreement_id: int, occurred_at: datetime, description: str
) -> Incident:
    agreement = agreements.get(
        session, principal=principal, agreement_id=agreement_id, permission="authorization.report-incident"
    )
    if not description.strip():
        raise Refused("authorization.incident")
    incident = Incident(
        agreement_id=agreement.id,
        reported_by=principal.organisation_id,
        occurred_at=occurred_at,
        description=description.strip(),
        created_at=clock.now(),
    )
    session.add(incident)
    ledger.record(session, actor=principal.actor, action="authorization.incident.report", subject=incident)
    return incident


def decide_incident(session: Session, *, principal: Who, incident_id: int, bad_impact: bool) -> Incident:
    """三(四)5(4): an incident with bad impact ends the operator's licence."""
    incident = access.load(session, principal, Incident, incident_id, "authorization.manage")
    agreement = incident.agreement
    if incident.bad_impact is not None:
        raise Refused("authorization.incident-decided")
    incident.bad_impact, incident.decided_at = bad_impact, clock.now()
    ledger.record(
        session,
        actor=principal.actor,
        action="authorization.incident.decide",
        subject=incident,
        payload={"bad_impact": bad_impact},
    )
    if bad_impact and agreement.state != rules.A.EXITED:
        agreements.exit_now(session, actor=principal.actor, agreement=agreement, reason="incident")
    return incident


def incidents_of(session: Session, *, principal: Who, agreement_id: int) -> list[Incident]:
    agreement = agreements.get(session, principal=principal, agreement_id=agreement_id)
    statement = select(Incident).where(Incident.agreement_id == agreement.id).order_by(Incident.id)
    return list(session.execute(statement).scalars())


def activities_of(session: Session, *, principal: Who, agreement_id: int) -> list[SecurityActivity]:
    agreement = agreements.get(session, principal=principal, agreement_id=agreement_id)
    statement = (
        select(SecurityActivity)
        .where(SecurityActivity.agreement_id == agreement.id)
        .order_by(SecurityActivity.performed_on.desc())
    )
    return list(session.execute(statement).scalars())


def last_activities(session: Session, agreement_id: int) -> dict[str, date | None]:
    """When each kind of security activity was last done (the plan asks for them regularly)."""
    return {
        kind: session.scalar(
            select(SecurityActivity.performed_on)
            .where(SecurityActivity.agreement_id == agreement_id, SecurityActivity.kind == kind)
            .order_by(SecurityActivity.performed_on.desc())
        )
        for kind in ACTIVITY_KINDS
    }


def undecided_incidents(session: Session, *, principal: Who) -> list[Incident]:
    """Incidents nobody has decided yet (bad impact or not), of the agreements ``principal`` may read: the
    regulators' and the security office's to-do, an operator's own."""
    found = {agreement.id for agreement in agreements.list_agreements(session, principal=principal)}
    statement = select(Incident).where(Incident.agreement_id.in_(found), Incident.bad_impact.is_(None))
    return list(session.execute(statement.order_by(Incident.id)).scalars())


def incidents_by_month(session: Session, *, principal: Who) -> dict[str, int]:
    """Incidents of the agreements ``principal`` may read, by the month they occurred (YYYY-MM, Asia/Shanghai)."""
    found = {agreement.id for agreement in agreements.list_agreements(session, principal=principal)}
    months: dict[str, int] = {}
    for (moment,) in session.execute(select(Incident.occurred_at).where(Incident.agreement_id.in_(found))).all():
        month = moment.astimezone(clock.SHANGHAI).strftime("%Y-%m")
        months[month] = months.get(month, 0) + 1
    return dict(sorted(months.items()))


def last_evaluated(session: Session, agreement_ids: set[int]) -> dict[int, date]:
    """When each of these agreements was last evaluated (those never evaluated are left out)."""
    statement = (
        select(Evaluation.agreement_id, Evaluation.evaluated_at)
        .where(Evaluation.agreement_id.in_(agreement_ids))
        .order_by(Evaluation.evaluated_at)
    )
    return {
        agreement_id: moment.astimezone(clock.SHANGHAI).date() for agreement_id, moment in session.execute(statement)
    }


# --- the security office's oversight (网信办/公安局) --------------------------------------------------------

FINDING_SUBJECTS = {"incident": ("数据安全事件", "Incident"), "activity": ("安全工作记录", "Security activity")}
FINDING_MAX = 5000


@dataclass(frozen=True)
class Overseen:
    """An incident or a drill or risk assessment as the security office reviews it, with its findings."""

    kind: str  # incident | activity
    item: Incident | SecurityActivity
    operator_id: int
    findings: list[SecurityFinding]

    @property
    def day(self) -> date:
        item = self.item
        return item.occurred_at.astimezone(clock.SHANGHAI).date() if isinstance(item, Incident) else item.performed_on


def oversight(session: Session, *, principal: Who) -> list[Overseen]:
    """Every incident and every security activity of every agreement, newest first, each with its findings."""
    access.require(principal, "authorization.oversee")
    operators = dict(session.execute(select(Agreement.id, Agreement.operator_id)).all())
    findings: dict[tuple[str, int], list[SecurityFinding]] = {}
    for finding in session.execute(select(SecurityFinding).order_by(SecurityFinding.id)).scalars():
        if finding.incident_id is not None:
            findings.setdefault(("incident", finding.incident_id), []).append(finding)
        elif finding.activity_id is not None:
            findings.setdefault(("activity", finding.activity_id), []).append(finding)
    items: list[Overseen] = [
        Overseen("incident", incident, operators[incident.agreement_id], findings.get(("incident", incident.id), []))
        for incident in session.execute(select(Incident)).scalars()
    ]
    items += [
        Overseen("activity", activity, operators[activity.agreement_id], findings.get(("activity", activity.id), []))
        for activity in session.execute(select(SecurityActivity)).scalars()
    ]
    return sorted(items, key=lambda overseen: (overseen.day, overseen.kind, overseen.item.id), reverse=True)


def record_finding(session: Session, *, principal: Who, kind: str, item_id: int, finding: str) -> SecurityFinding:
    """The security office records its finding on an incident or a drill or risk assessment."""
    access.require(principal, "authorization.security-finding")
    item: Incident | SecurityActivity | None = None
    if kind == "incident":
        item = session.get(Incident, item_id)
    elif kind == "activity":
        item = session.get(SecurityActivity, item_id)
    if item is None:
        raise Refused("authorization.not-found", what=Text(FINDING_SUBJECTS.get(kind, FINDING_SUBJECTS["incident"])))
    text = names.clean_prose(finding or "", field="finding", max_length=FINDING_MAX, blank=True)
    if not text:
        raise Refused("authorization.finding-empty", field="finding")
    row = SecurityFinding(
        incident_id=item_id if kind == "incident" else None,
        activity_id=item_id if kind == "activity" else None,
        organisation_id=principal.organisation_id,
        recorded_by=principal.actor.user_id,
        finding=text,
        recorded_at=clock.now(),
    )
    session.add(row)
    ledger.record(
        session,
        actor=principal.actor,
        action="authorization.security.finding",
        subject=row,
        payload={"subject": item.audit_subject()},
    )
    return row
