"""The authorization agreement (授权运营协议): recorded by the bureau after the tender, signed by both sides,
renewed, planned out of, terminated, and exited — one command, one transaction (committed by the caller), its
ledger entry inside.

Numbers from the plan (三(四)): a 3-year term from signing; renewal at least 3 months before expiry; an exit
plan at least 3 months ahead. Exit takes effect at once for the operator and every partner.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.authorization import partners, rules
from pubdata.authorization.models import Agreement
from pubdata.authorization.schemas import Scope
from pubdata.authorization.scope import overlap, scope_of, validated
from pubdata.common import canonical, clock
from pubdata.common.actor import Actor
from pubdata.common.errors import Refused
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Who
from pubdata.ledger import service as ledger
from pubdata.ledger import signoff

SIGN_OFF = signoff.SignOff(
    sides=("bureau", "operator"),
    action="authorization.agreement.sign-{side}",
    lifecycle=rules.AGREEMENT,
    event="sign",
)
SIGNING_SIDES = {"bureau": "authorization.sign-for-bureau", "operator": "authorization.sign-for-operator"}


def _json(value: Any) -> str:
    return canonical.dumps(value).decode("utf-8")


def get(session: Session, *, principal: Who, agreement_id: int, permission: str = "authorization.read") -> Agreement:
    return access.load(session, principal, Agreement, agreement_id, permission)


def list_agreements(session: Session, *, principal: Who) -> list[Agreement]:
    statement = access.visible(select(Agreement), principal, Agreement).order_by(Agreement.id)
    return list(session.execute(statement).scalars())


# --- granting ----------------------------------------------------------------------------------------


def record_agreement(
    session: Session,
    *,
    principal: Who,
    operator_id: int,
    tender_reference: str,
    selection: dict[str, str],
    scope: Scope,
    security_duties: str,
    partner_conditions: str = "",
) -> Agreement:
    """The bureau records the tender's result and the agreement to sign (三(一)(二))."""
    access.require(principal, "authorization.manage")
    if identity.organisation_kind(session, operator_id) != "operator":
        raise Refused("authorization.not-an-operator")
    missing = [key for key in rules.SELECTION_CONDITIONS if not str(selection.get(key, "")).strip()]
    unknown = sorted(set(selection) - set(rules.SELECTION_CONDITIONS))
    if missing or unknown:
        raise Refused("authorization.selection-conditions", missing=missing or ["—"], unknown=unknown or ["—"])
    if not tender_reference.strip() or not security_duties.strip():
        raise Refused("authorization.agreement-incomplete")
    clean = validated(session, scope)
    for other in session.execute(select(Agreement).where(Agreement.state != rules.A.EXITED)).scalars():
        shared = overlap(clean, scope_of(other))
        if shared:
            raise Refused("authorization.scope-taken", agreement=other.id, shared=shared)
    agreement = Agreement(
        operator_id=operator_id,
        tender_reference=tender_reference.strip(),
        selection=_json(selection),
        mode=rules.MODE,
        scope=_json(clean.document()),
        security_duties=security_duties.strip(),
        partner_conditions=partner_conditions.strip(),
        state=rules.AGREEMENT.initial,
        created_at=clock.now(),
    )
    session.add(agreement)
    ledger.record(
        session,
        actor=principal.actor,
        action="authorization.agreement.record",
        subject=agreement,
        payload={"operator_id": operator_id, "scope": clean.document()},
    )
    return agreement


def document_of(agreement: Agreement) -> dict[str, Any]:
    """The agreement's canonical document: what both sides sign and the ledger keeps the hash of."""
    return {
        "operator_id": agreement.operator_id,
        "tender_reference": agreement.tender_reference,
        "selection": json.loads(agreement.selection),
        "mode": agreement.mode,
        "scope": scope_of(agreement).document(),
        "security_duties": agreement.security_duties,
        "term": "3 years from signing",
    }


def sign(session: Session, *, principal: Who, agreement_id: int) -> Agreement:
    """The bureau and the operator sign the same document; with both signatures the term starts today."""
    agreement = get(session, principal=principal, agreement_id=agreement_id)
    sides = access.signing_sides(principal, agreement, SIGNING_SIDES)
    if not sides:
        raise Refused("authorization.wrong-signatory")

    def stamp(progress: signoff.Progress) -> None:
        now = clock.now()
        if sides[0] == "bureau":
            agreement.bureau_signed_at = now
        else:
            agreement.operator_signed_at = now
        if progress.complete:
            agreement.document_digest = progress.digest
            agreement.starts_on = clock.today()
            agreement.expires_on = rules.expiry(agreement.starts_on)

    signoff.sign(
        session,
        actor=principal.actor,
        spec=SIGN_OFF,
        subject=agreement,
        side=sides[0],
        document=document_of(agreement),
        then=stamp,
    )
    return agreement


# --- renewal, exit plans -----------------------------------------------------------------------------


def request_renewal(session: Session, *, principal: Who, agreement_id: int) -> Agreement:
    agreement = get(session, principal=principal, agreement_id=agreement_id, permission="authorization.operate")
    due = rules.renewal_due_by(agreement.expires_on) if agreement.expires_on else None
    if due is not None and clock.today() > due:
        raise Refused("authorization.renewal-too-late", due=due, expires=agreement.expires_on)
    rules.AGREEMENT.apply(agreement, "request_renewal")
    agreement.renewal_requested_at = clock.now()
    ledger.record(session, actor=principal.actor, action="authorization.renewal.request", subject=agreement)
    return agreement


def decide_renewal(
    session: Session, *, principal: Who, agreement_id: int, approve: bool, reason: str = ""
) -> Agreement:
    agreement = get(session, principal=principal, agreement_id=agreement_id, permission="authorization.manage")
    rules.AGREEMENT.apply(agreement, "approve_renewal" if approve else "refuse_renewal")
    if approve:
        assert agreement.expires_on is not None
        agreement.expires_on = rules.renewed_expiry(agreement.expires_on)
    ledger.record(
        session,
        actor=principal.actor,
        action=f"authorization.renewal.{'approve' if approve else 'refuse'}",
        subject=agreement,
        payload={"reason": reason},
    )
    return agreement


def plan_exit(session: Session, *, principal: Who, agreement_id: int, exit_on: date, plan: str) -> Agreement:
    """Early termination: the operator's exit plan, at least three months ahead (三(四)5(1))."""
    agreement = get(session, principal=principal, agreement_id=agreement_id, permission="authorization.operate")
    earliest = rules.earliest_exit(clock.today())
    if exit_on < earliest:
        raise Refused("authorization.exit-notice", earliest=earliest)
    if not plan.strip():
        raise Refused("authorization.exit-plan")
    rules.AGREEMENT.apply(agreement, "plan_exit")
    agreement.exit_on, agreement.exit_plan = exit_on, plan.strip()
    ledger.record(
        session,
        actor=principal.actor,
        action="authorization.exit.plan",
        subject=agreement,
        payload={"exit_on": exit_on},
    )
    return agreement


def exit_now(session: Session, *, actor: Actor, agreement: Agreement, reason: str) -> None:
    """Exit takes effect at once for the operator and every partner: their access ends this second. A step of
    the command that decided it (an evaluation, an incident, a deadline, a termination)."""
    rules.AGREEMENT.apply(agreement, "exit")
    agreement.exit_reason = reason
    agreement.exited_at = clock.now()
    partners.remove_all(session, actor=actor, agreement_id=agreement.id, reason=f"operator exited: {reason}")
    identity.cut_off_organisation(session, actor=actor, organisation_id=agreement.operator_id)
    ledger.record(session, actor=actor, action="authorization.exit", subject=agreement, payload={"reason": reason})


def terminate_for_violation(session: Session, *, principal: Who, agreement_id: int, detail: str) -> Agreement:
    """三(四)5: the bureau ends the licence for another violation of the agreement, stating what it was."""
    agreement = get(session, principal=principal, agreement_id=agreement_id, permission="authorization.manage")
    if not detail.strip():
        raise Refused("authorization.violation-detail")
    ledger.record(
        session,
        actor=principal.actor,
        action="authorization.violation",
        subject=f"agreement:{agreement.id}",
        payload={"detail": detail.strip()},
    )
    exit_now(session, actor=principal.actor, agreement=agreement, reason="violation")
    return agreement


def record_handover(session: Session, *, principal: Who, agreement_id: int, items: list[dict[str, str]]) -> Agreement:
    """What data and products were handed back or destroyed after exit."""
    agreement = get(session, principal=principal, agreement_id=agreement_id, permission="authorization.manage")
    if agreement.state != rules.A.EXITED:
        raise Refused("authorization.not-exited")
    for item in items:
        if (
            set(item) != {"item", "action"}
            or item["action"] not in rules.HANDOVER_ACTIONS
            or not str(item["item"]).strip()
        ):
            raise Refused("authorization.handover")
    agreement.handover = _json(
        json.loads(agreement.handover) + [{**item, "recorded_on": clock.today()} for item in items]
    )
    ledger.record(
        session, actor=principal.actor, action="authorization.handover", subject=agreement, payload={"items": items}
    )
    return agreement


def awaiting_signature(principal: Who, agreement: Agreement) -> bool:
    """Is ``agreement`` waiting for a signature ``principal`` may give (its side not signed yet)?"""
    if not rules.AGREEMENT.allows(agreement.state, "sign"):
        return False
    sides = access.signing_sides(principal, agreement, SIGNING_SIDES)
    return any(getattr(agreement, f"{side}_signed_at") is None for side in sides)
