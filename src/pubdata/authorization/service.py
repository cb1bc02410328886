"""Authorization commands: one command, one transaction (committed by the caller), its ledger entry inside.

``check_use`` is the one answer to "may this organisation use this resource now?"; every data access calls
it, and ``require_use`` records a refusal even though the request that caused it fails.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.authorization import rules
from pubdata.authorization.models import Agreement, Evaluation, Incident, Partner, SecurityActivity
from pubdata.catalog import rules as catalog_rules
from pubdata.catalog import service as catalog
from pubdata.common import canonical, clock
from pubdata.common.actor import Actor
from pubdata.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied, StateRefused
from pubdata.identity import service as identity
from pubdata.identity.service import Principal
from pubdata.ledger import service as ledger


def _json(value: Any) -> str:
    return canonical.dumps(value).decode("utf-8")


def scope_of(holder: Agreement | Partner) -> dict[str, Any]:
    return json.loads(holder.scope)


def _transition(agreement: Agreement, event: str) -> str:
    new_state = rules.next_state(agreement.state, event)
    if new_state is None:
        raise StateRefused(
            "authorization.transition", f"An agreement that is {agreement.state} cannot {event.replace('_', ' ')}."
        )
    return new_state


def get(
    session: Session, *, principal: Principal, agreement_id: int, permission: str = "authorization.read"
) -> Agreement:
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound("authorization.not-found", "No such agreement.")
    identity.require(principal, permission, organisation_id=agreement.operator_id, what="agreement")
    return agreement


def list_agreements(session: Session, *, principal: Principal) -> list[Agreement]:
    statement = select(Agreement).order_by(Agreement.id)
    if not identity.sees_all(principal, "authorization.read"):
        identity.require(principal, "authorization.read", organisation_id=principal.organisation_id)
        statement = statement.where(Agreement.operator_id == principal.organisation_id)
    return list(session.execute(statement).scalars())


# --- granting ----------------------------------------------------------------------------------------


def _validated_scope(session: Session, scope: dict[str, Any]) -> dict[str, Any]:
    unknown = set(scope) - {"resources", "sectors", "max_grade"}
    if unknown:
        raise InvalidInput(
            "authorization.scope-shape",
            f"A scope has resources, sectors and max_grade; not {', '.join(sorted(unknown))}.",
        )
    resources, sectors = sorted(set(scope.get("resources", []))), sorted(set(scope.get("sectors", [])))
    max_grade = scope.get("max_grade", "general-4")
    if not resources and not sectors:
        raise InvalidInput("authorization.scope-empty", "A scope names registered resources, sectors, or both.")
    if max_grade not in catalog_rules.GRADES or not catalog_rules.loadable(max_grade):
        raise InvalidInput(
            "authorization.scope-grade",
            "The grade limit must be a grade below core data (核心数据 is never authorized).",
        )
    bad_sectors = [sector for sector in sectors if sector not in catalog_rules.SECTORS]
    if bad_sectors:
        raise InvalidInput("authorization.scope-sector", f"Unknown sectors: {', '.join(bad_sectors)}.")
    for code in resources:
        catalog.public_get(session, code=code)  # only registered resources can be authorized
    return {"resources": resources, "sectors": sectors, "max_grade": max_grade}


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return sorted(set(a["resources"]) & set(b["resources"])) + sorted(set(a["sectors"]) & set(b["sectors"]))


def record_agreement(
    session: Session,
    *,
    principal: Principal,
    operator_id: int,
    tender_reference: str,
    selection: dict[str, str],
    scope: dict[str, Any],
    security_duties: str,
    partner_conditions: str = "",
) -> Agreement:
    """The bureau records the tender's result and the agreement to sign (三(一)(二))."""
    identity.require(principal, "authorization.manage", organisation_id=None, what="agreement")
    if identity.organisation_kind(session, operator_id) != "operator":
        raise InvalidInput(
            "authorization.not-an-operator", "Agreements are made with an organisation of kind operator."
        )
    missing = [key for key in rules.SELECTION_CONDITIONS if not str(selection.get(key, "")).strip()]
    if missing or set(selection) - set(rules.SELECTION_CONDITIONS):
        raise InvalidInput(
            "authorization.selection-conditions",
            f"Give evidence for every selection condition of 三(一); missing: {', '.join(missing) or 'none'}; unknown: {', '.join(sorted(set(selection) - set(rules.SELECTION_CONDITIONS))) or 'none'}.",
        )
    if not tender_reference.strip() or not security_duties.strip():
        raise InvalidInput(
            "authorization.agreement-incomplete", "An agreement names its tender and the operator's security duties."
        )
    clean = _validated_scope(session, scope)
    for other in session.execute(select(Agreement).where(Agreement.state != "exited")).scalars():
        shared = _overlap(clean, scope_of(other))
        if shared:
            raise Conflict(
                "authorization.scope-taken",
                f"Agreement {other.id} already authorizes {', '.join(shared)}; one scope has one live agreement.",
            )
    agreement = Agreement(
        operator_id=operator_id,
        tender_reference=tender_reference.strip(),
        selection=_json(selection),
        mode=rules.MODE,
        scope=_json(clean),
        security_duties=security_duties.strip(),
        partner_conditions=partner_conditions.strip(),
        state="draft",
        created_at=clock.now(),
    )
    session.add(agreement)
    ledger.record(
        session,
        actor=principal.actor,
        action="authorization.agreement.record",
        subject=agreement,
        payload={"operator_id": operator_id, "scope": clean},
    )
    return agreement


def document_of(agreement: Agreement) -> dict[str, Any]:
    """The agreement's canonical document: what both sides sign and the ledger keeps the hash of."""
    return {
        "operator_id": agreement.operator_id,
        "tender_reference": agreement.tender_reference,
        "selection": json.loads(agreement.selection),
        "mode": agreement.mode,
        "scope": scope_of(agreement),
        "security_duties": agreement.security_duties,
        "term": "3 years from signing",
    }


def sign(session: Session, *, principal: Principal, agreement_id: int) -> Agreement:
    """The bureau and the operator sign; with both signatures the term starts today."""
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound("authorization.not-found", "No such agreement.")
    if principal.organisation_kind == "bureau" and identity.may(principal, "authorization.sign", organisation_id=None):
        side = "bureau"
    elif principal.organisation_id == agreement.operator_id and identity.may(
        principal, "authorization.sign", organisation_id=agreement.operator_id
    ):
        side = "operator"
    else:
        raise PermissionDenied(
            "authorization.wrong-signatory", "Only the bureau's admin and the operator's admin sign this agreement."
        )
    if agreement.state != "draft":
        raise StateRefused("authorization.transition", "This agreement is already signed.")
    now = clock.now()
    if side == "bureau":
        agreement.bureau_signed_at = agreement.bureau_signed_at or now
    else:
        agreement.operator_signed_at = agreement.operator_signed_at or now
    digest = None
    if agreement.bureau_signed_at and agreement.operator_signed_at:
        digest = ledger.hasher(ledger.algorithm(session)).digest(canonical.dumps(document_of(agreement))).hex()
        agreement.document_digest = digest
        agreement.starts_on = clock.today()
        agreement.expires_on = rules.expiry(agreement.starts_on)
        agreement.state = _transition(agreement, "sign")
    ledger.record(
        session,
        actor=principal.actor,
        action=f"authorization.agreement.sign-{side}",
        subject=agreement,
        payload={"document_digest": digest},
    )
    return agreement


# --- renewal, exit plans -----------------------------------------------------------------------------


def request_renewal(session: Session, *, principal: Principal, agreement_id: int) -> Agreement:
    agreement = get(session, principal=principal, agreement_id=agreement_id, permission="authorization.operate")
    due = rules.renewal_due_by(agreement.expires_on) if agreement.expires_on else None
    if due is not None and clock.today() > due:
        raise StateRefused(
            "authorization.renewal-too-late",
            f"A renewal had to be applied for by {due.isoformat()}, three months before the term ends on {agreement.expires_on.isoformat()}.",
        )
    agreement.state = _transition(agreement, "request_renewal")
    agreement.renewal_requested_at = clock.now()
    ledger.record(session, actor=principal.actor, action="authorization.renewal.request", subject=agreement)
    return agreement


def decide_renewal(
    session: Session, *, principal: Principal, agreement_id: int, approve: bool, reason: str = ""
) -> Agreement:
    agreement = get(session, principal=principal, agreement_id=agreement_id, permission="authorization.manage")
    agreement.state = _transition(agreement, "approve_renewal" if approve else "refuse_renewal")
    if approve:
        agreement.expires_on = rules.renewed_expiry(agreement.expires_on)
    ledger.record(
        session,
        actor=principal.actor,
        action=f"authorization.renewal.{'approve' if approve else 'refuse'}",
        subject=agreement,
        payload={"reason": reason},
    )
    return agreement


def plan_exit(session: Session, *, principal: Principal, agreement_id: int, exit_on: date, plan: str) -> Agreement:
    """Early termination: the operator's exit plan, at least three months ahead (三(四)5(1))."""
    agreement = get(session, principal=principal, agreement_id=agreement_id, permission="authorization.operate")
    earliest = rules.earliest_exit(clock.today())
    if exit_on < earliest:
        raise StateRefused(
            "authorization.exit-notice",
            f"An exit plan must be submitted at least three months ahead: the earliest exit date now is {earliest.isoformat()}.",
        )
    if not plan.strip():
        raise InvalidInput(
            "authorization.exit-plan", "Describe how data and products will be handed back or destroyed."
        )
    agreement.state = _transition(agreement, "plan_exit")
    agreement.exit_on, agreement.exit_plan = exit_on, plan.strip()
    ledger.record(
        session,
        actor=principal.actor,
        action="authorization.exit.plan",
        subject=agreement,
        payload={"exit_on": exit_on},
    )
    return agreement


def _exit(session: Session, *, actor: Actor, agreement: Agreement, reason: str) -> None:
    """Exit takes effect at once for the operator and every partner: their access ends this second."""
    agreement.state = _transition(agreement, "exit")
    agreement.exit_reason = reason
    agreement.exited_at = clock.now()
    for partner in partners_of(session, agreement.id):
        if partner.state != "removed":
            partner.state, partner.changed_at, partner.reason = "removed", clock.now(), f"operator exited: {reason}"
            ledger.record(session, actor=actor, action="authorization.partner.remove", subject=partner)
        identity.deactivate_organisation(session, actor=actor, organisation_id=partner.organisation_id)
    identity.deactivate_organisation(session, actor=actor, organisation_id=agreement.operator_id)
    ledger.record(session, actor=actor, action="authorization.exit", subject=agreement, payload={"reason": reason})


def terminate_for_violation(session: Session, *, principal: Principal, agreement_id: int, detail: str) -> Agreement:
    """三(四)5: the bureau ends the licence for another violation of the agreement, stating what it was."""
    agreement = get(session, principal=principal, agreement_id=agreement_id, permission="authorization.manage")
    if not detail.strip():
        raise InvalidInput("authorization.violation-detail", "Say which obligation of the agreement was violated.")
    ledger.record(
        session,
        actor=principal.actor,
        action="authorization.violation",
        subject=f"agreement:{agreement.id}",
        payload={"detail": detail.strip()},
    )
    _exit(session, actor=principal.actor, agreement=agreement, reason="violation")
    return agreement


def record_handover(
    session: Session, *, principal: Principal, agreement_id: int, items: list[dict[str, str]]
) -> Agreement:
    """What data and products were handed back or destroyed after exit."""
    agreement = get(session, principal=principal, agreement_id=agreement_id, permission="authorization.manage")
    if agreement.state != "exited":
        raise StateRefused("authorization.not-exited", "A handover is recorded after exit.")
    for item in items:
        if (
            set(item) != {"item", "action"}
            or item["action"] not in ("returned", "destroyed")
            or not item["item"].strip()
        ):
            raise InvalidInput(
                "authorization.handover",
                "Each handover item names the data or product and whether it was returned or destroyed.",
            )
    agreement.handover = _json(
        json.loads(agreement.handover) + [{**item, "recorded_on": clock.today()} for item in items]
    )
    ledger.record(
        session, actor=principal.actor, action="authorization.handover", subject=agreement, payload={"items": items}
    )
    return agreement


# --- evaluation and rectification --------------------------------------------------------------------


def evaluate(
    session: Session,
    *,
    principal: Principal,
    agreement_id: int,
    period: str,
    scores: dict[str, dict[str, Any]],
    result: str,
) -> Evaluation:
    """三(四)4: security, performance, scenario benefit, public welfare — each scored with evidence."""
    agreement = get(session, principal=principal, agreement_id=agreement_id, permission="authorization.evaluate")
    missing = rules.missing_dimensions(scores)
    if missing:
        raise InvalidInput(
            "authorization.evaluation-dimensions",
            f"An evaluation scores all four dimensions; missing: {', '.join(missing)}.",
        )
    for dimension, entry in scores.items():
        if (
            dimension not in rules.EVALUATION_DIMENSIONS
            or not isinstance(entry.get("score"), int)
            or not 0 <= entry["score"] <= 100
            or not str(entry.get("evidence", "")).strip()
        ):
            raise InvalidInput(
                "authorization.evaluation-score", f"{dimension}: a score from 0 to 100 and its evidence."
            )
    if result not in rules.EVALUATION_RESULTS:
        raise InvalidInput("authorization.evaluation-result", "The result is pass, fail or rectify.")
    was_rectifying = agreement.state == "rectifying"
    new_state = _transition(agreement, result)
    evaluation = Evaluation(
        agreement_id=agreement.id, period=period.strip(), scores=_json(scores), result=result, evaluated_at=clock.now()
    )
    if result == "rectify" and not was_rectifying:
        evaluation.rectification_due = rules.rectification_due(clock.today())
    session.add(evaluation)
    ledger.record(session, actor=principal.actor, action=f"authorization.evaluation.{result}", subject=evaluation)
    if new_state == "exited":
        _exit(
            session,
            actor=principal.actor,
            agreement=agreement,
            reason="rectification_failed" if was_rectifying else "evaluation_failed",
        )
    else:
        agreement.state = new_state
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


def submit_rectification(
    session: Session, *, principal: Principal, agreement_id: int, plan: str, report: str
) -> Evaluation:
    agreement = get(session, principal=principal, agreement_id=agreement_id, permission="authorization.operate")
    evaluation = open_rectification(session, agreement.id)
    if agreement.state != "rectifying" or evaluation is None:
        raise StateRefused("authorization.not-rectifying", "There is no rectification to submit.")
    if clock.today() > evaluation.rectification_due:
        raise StateRefused(
            "authorization.rectification-late",
            f"The rectification was due by {evaluation.rectification_due.isoformat()}.",
        )
    if not plan.strip() or not report.strip():
        raise InvalidInput(
            "authorization.rectification-incomplete", "Submit both the rectification plan and the report."
        )
    evaluation.rectification_plan, evaluation.rectification_report, evaluation.rectified_at = (
        plan.strip(),
        report.strip(),
        clock.now(),
    )
    ledger.record(session, actor=principal.actor, action="authorization.rectification.submit", subject=evaluation)
    return evaluation


# --- incidents, drills, risk assessments -------------------------------------------------------------


def report_incident(
    session: Session, *, principal: Principal, agreement_id: int, occurred_at, description: str
) -> Incident:
    agreement = get(session, principal=principal, agreement_id=agreement_id, permission="authorization.report-incident")
    if not description.strip():
        raise InvalidInput("authorization.incident", "Describe the incident.")
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


def decide_incident(session: Session, *, principal: Principal, incident_id: int, bad_impact: bool) -> Incident:
    """三(四)5(4): an incident with bad impact ends the operator's licence."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("authorization.not-found", "No such incident.")
    agreement = get(session, principal=principal, agreement_id=incident.agreement_id, permission="authorization.manage")
    if incident.bad_impact is not None:
        raise StateRefused("authorization.incident-decided", "This incident has been decided.")
    incident.bad_impact, incident.decided_at = bad_impact, clock.now()
    ledger.record(
        session,
        actor=principal.actor,
        action="authorization.incident.decide",
        subject=incident,
        payload={"bad_impact": bad_impact},
    )
    if bad_impact and agreement.state != "exited":
        _exit(session, actor=principal.actor, agreement=agreement, reason="incident")
    return incident


ACTIVITY_KINDS = {"drill": ("应急演练", "Security drill"), "risk_assessment": ("风险评估", "Risk assessment")}


def record_activity(
    session: Session, *, principal: Principal, agreement_id: int, kind: str, performed_on: date, summary: str
) -> SecurityActivity:
    agreement = get(session, principal=principal, agreement_id=agreement_id, permission="authorization.operate")
    if kind not in ACTIVITY_KINDS:
        raise InvalidInput("authorization.activity-kind", "Record a drill or a risk_assessment.")
    if performed_on > clock.today() or not summary.strip():
        raise InvalidInput(
            "authorization.activity", "A security activity has a date that is not in the future and a summary."
        )
    activity = SecurityActivity(
        agreement_id=agreement.id, kind=kind, performed_on=performed_on, summary=summary.strip(), created_at=clock.now()
    )
    session.add(activity)
    ledger.record(session, actor=principal.actor, action=f"authorization.{kind}", subject=activity)
    return activity


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


# --- partners ----------------------------------------------------------------------------------------


def partners_of(session: Session, agreement_id: int) -> list[Partner]:
    return list(
        session.execute(select(Partner).where(Partner.agreement_id == agreement_id).order_by(Partner.id)).scalars()
    )


def admit_partner(
    session: Session, *, principal: Principal, agreement_id: int, partner_id: int, scope: dict[str, Any]
) -> Partner:
    """The operator admits a partner (合伙人) with a scope inside its own; anything wider is refused."""
    agreement = get(session, principal=principal, agreement_id=agreement_id, permission="authorization.operate")
    if agreement.state not in rules.USABLE_STATES:
        raise StateRefused("authorization.not-usable", f"An agreement that is {agreement.state} admits no partner.")
    if identity.organisation_kind(session, partner_id) != "partner":
        raise InvalidInput("authorization.not-a-partner", "Partners are organisations of kind partner.")
    if session.scalar(
        select(Partner.id).where(
            Partner.agreement_id == agreement.id, Partner.organisation_id == partner_id, Partner.state != "removed"
        )
    ):
        raise Conflict("authorization.partner-exists", "This partner is already admitted.")
    clean = _validated_scope(session, scope)
    sectors = {code: catalog.public_get(session, code=code).sector for code in clean["resources"]}
    wider = rules.scope_within(clean, scope_of(agreement), resource_sectors=sectors)
    if wider:
        raise InvalidInput(
            "authorization.partner-scope-too-wide",
            "A partner's scope must lie inside the operator's: " + "; ".join(wider) + ".",
        )
    now = clock.now()
    partner = Partner(
        agreement_id=agreement.id,
        organisation_id=partner_id,
        scope=_json(clean),
        state="admitted",
        admitted_at=now,
        changed_at=now,
    )
    session.add(partner)
    ledger.record(
        session, actor=principal.actor, action="authorization.partner.admit", subject=partner, payload={"scope": clean}
    )
    return partner


def change_partner(session: Session, *, principal: Principal, partner_id: int, event: str, reason: str = "") -> Partner:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound("authorization.not-found", "No such partner.")
    get(session, principal=principal, agreement_id=partner.agreement_id, permission="authorization.operate")
    new_state = rules.PARTNER_TRANSITIONS.get((partner.state, event))
    if new_state is None:
        raise StateRefused("authorization.partner-transition", f"A partner that is {partner.state} cannot be {event}d.")
    partner.state, partner.changed_at, partner.reason = new_state, clock.now(), reason.strip() or None
    ledger.record(session, actor=principal.actor, action=f"authorization.partner.{event}", subject=partner)
    return partner


# --- the one scope check -----------------------------------------------------------------------------


def check_use(session: Session, *, organisation_id: int, code: str) -> str | None:
    """May this organisation use this resource now? None if so, else the reason it may not."""
    try:
        resource = catalog.public_get(session, code=code)
    except NotFound:
        return f"{code} is not a registered resource"
    holders: list[tuple[Agreement, dict[str, Any]]] = []
    for agreement in session.execute(
        select(Agreement).where(Agreement.operator_id == organisation_id, Agreement.state != "draft")
    ).scalars():
        holders.append((agreement, scope_of(agreement)))
    for partner in session.execute(select(Partner).where(Partner.organisation_id == organisation_id)).scalars():
        agreement = session.get(Agreement, partner.agreement_id)
        if partner.state != "admitted":
            holders.append((agreement, {"resources": [], "sectors": [], "blocked": f"the partner is {partner.state}"}))
        else:
            holders.append((agreement, scope_of(partner)))
    if not holders:
        return "no authorization agreement covers this organisation"
    reasons = []
    today = clock.today()
    for agreement, scope in holders:
        if agreement.state not in rules.USABLE_STATES:
            reasons.append(f"agreement {agreement.id} is {agreement.state}")
        elif scope.get("blocked"):
            reasons.append(scope["blocked"])
        elif not (agreement.starts_on <= today <= agreement.expires_on):
            reasons.append(f"agreement {agreement.id} is outside its term")
        elif not rules.scope_covers(scope, code=resource.code, sector=resource.sector, grade=resource.grade):
            reasons.append(f"{code} is outside the authorized scope")
        else:
            return None
    return "; ".join(reasons)


def operating(session: Session, *, operator_id: int) -> bool:
    """Does this operator still hold a live agreement (not exited, terminated or expired)?"""
    return (
        session.scalar(
            select(Agreement.id)
            .where(Agreement.operator_id == operator_id, Agreement.state.in_(rules.LIVE_STATES))
            .limit(1)
        )
        is not None
    )


def require_use(session: Session, *, actor: Actor, organisation_id: int, code: str) -> None:
    """``check_use`` that refuses: the refusal is recorded and committed even though the request fails."""
    reason = check_use(session, organisation_id=organisation_id, code=code)
    if reason is None:
        return
    session.rollback()
    ledger.record(
        session, actor=actor, action="authorization.use-refused", subject=f"resource:{code}", payload={"reason": reason}
    )
    session.commit()
    raise PermissionDenied("authorization.out-of-scope", f"Use of {code} refused: {reason}.")


def reminders(session: Session, *, principal: Principal) -> list[dict[str, Any]]:
    """Renewals due soon (from 4 months before expiry), rectifications due, exits planned: dashboard lines."""
    today = clock.today()
    lines = []
    for agreement in list_agreements(session, principal=principal):
        if (
            agreement.state == "active"
            and agreement.expires_on
            and today >= rules.renewal_reminder_from(agreement.expires_on)
        ):
            lines.append(
                {
                    "agreement_id": agreement.id,
                    "kind": "renewal",
                    "due": rules.renewal_due_by(agreement.expires_on),
                    "expires_on": agreement.expires_on,
                }
            )
        if agreement.state == "rectifying":
            evaluation = open_rectification(session, agreement.id)
            lines.append(
                {
                    "agreement_id": agreement.id,
                    "kind": "rectification",
                    "due": evaluation.rectification_due if evaluation else None,
                }
            )
        if agreement.state == "exit_planned":
            lines.append({"agreement_id": agreement.id, "kind": "exit", "due": agreement.exit_on})
    return lines


# --- time ---------------------------------------------------------------------------------------------


def apply_deadlines(session: Session, *, actor: Actor) -> list[str]:
    """Expiries, planned exits and missed rectifications, applied once (the scheduler calls this)."""
    today = clock.today()
    done = []
    for agreement in (
        session.execute(select(Agreement).where(Agreement.state.in_(rules.LIVE_STATES)).order_by(Agreement.id))
        .scalars()
        .all()
    ):
        reason = None
        if agreement.expires_on and today > agreement.expires_on:
            reason = "expiry"
        elif agreement.state == "exit_planned" and agreement.exit_on and today >= agreement.exit_on:
            reason = "early_termination"
        elif agreement.state == "rectifying":
            evaluation = open_rectification(session, agreement.id)
            if evaluation is not None and evaluation.rectified_at is None and today > evaluation.rectification_due:
                reason = "rectification_missed"
        if reason:
            _exit(session, actor=actor, agreement=agreement, reason=reason)
            done.append(f"agreement {agreement.id} exited: {reason}")
    return done
