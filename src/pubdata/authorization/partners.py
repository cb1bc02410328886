"""Partners (合伙人): admitted by the operator with a scope inside its own, suspended, resumed, removed."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pubdata.authorization import rules
from pubdata.authorization.models import Agreement, Partner
from pubdata.authorization.schemas import Scope
from pubdata.authorization.scope import scope_of, validated
from pubdata.catalog import service as catalog
from pubdata.common import canonical, clock
from pubdata.common.actor import Actor
from pubdata.common.errors import Refused
from pubdata.common.messages import Text
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Who
from pubdata.ledger import service as ledger


def partners_of(session: Session, agreement_id: int) -> list[Partner]:
    statement = select(Partner).where(Partner.agreement_id == agreement_id).order_by(Partner.id)
    return list(session.execute(statement).scalars())


def admit_partner(session: Session, *, principal: Who, agreement_id: int, partner_id: int, scope: Scope) -> Partner:
    """The operator admits a partner (合伙人) with a scope inside its own; anything wider is refused."""
    agreement = access.load(session, principal, Agreement, agreement_id, "authorization.operate")
    if agreement.state not in rules.USABLE_STATES:
        state = rules.AGREEMENT.state_of(agreement)
        raise Refused("authorization.not-usable", state=Text((state.zh, state.en)))
    if identity.organisation_kind(session, partner_id) != "partner":
        raise Refused("authorization.not-a-partner")
    admitted = select(Partner.id).where(
        Partner.agreement_id == agreement.id,
        Partner.organisation_id == partner_id,
        Partner.state != rules.P.REMOVED,
    )
    if session.scalar(admitted):
        raise Refused("authorization.partner-exists")
    clean = validated(session, scope)
    sectors = {code: catalog.public_get(session, code=code).sector for code in clean.resources}
    wider = rules.scope_within(clean, scope_of(agreement), resource_sectors=sectors)
    if wider:
        raise Refused("authorization.partner-scope-too-wide", problems=wider)
    now = clock.now()
    partner = Partner(
        agreement_id=agreement.id,
        organisation_id=partner_id,
        scope=canonical.dumps(clean.document()).decode("utf-8"),
        state=rules.PARTNER.initial,
        admitted_at=now,
        changed_at=now,
    )
    session.add(partner)
    ledger.record(
        session,
        actor=principal.actor,
        action="authorization.partner.admit",
        subject=partner,
        payload={"scope": clean.document()},
    )
    return partner


def change_partner(session: Session, *, principal: Who, partner_id: int, event: str, reason: str = "") -> Partner:
    partner = access.load(session, principal, Partner, partner_id, "authorization.operate")
    rules.PARTNER.apply(partner, event)
    partner.changed_at, partner.reason = clock.now(), reason.strip() or None
    ledger.record(session, actor=principal.actor, action=f"authorization.partner.{event}", subject=partner)
    return partner


def remove_all(session: Session, *, actor: Actor, agreement_id: int, reason: str) -> None:
    """Every partner of an agreement that ends goes with it, and is cut off at once: a step of the exit."""
    for partner in partners_of(session, agreement_id):
        if rules.PARTNER.allows(partner.state, "remove"):
            rules.PARTNER.apply(partner, "remove")
            partner.changed_at, partner.reason = clock.now(), reason
            ledger.record(session, actor=actor, action="authorization.partner.remove", subject=partner)
        identity.cut_off_organisation(session, actor=actor, organisation_id=partner.organisation_id)


def admissions(session: Session, *, principal: Who) -> list[Partner]:
    """The partners ``principal`` may know of: all for the regulators, an operator's own partners, a partner's
    own admissions (its scope); nothing for anyone else."""
    statement = select(Partner).join(Agreement, Agreement.id == Partner.agreement_id).order_by(Partner.id)
    if not access.sees_all(principal, "authorization.read"):
        own = principal.organisation_id
        statement = statement.where(or_(Partner.organisation_id == own, Agreement.operator_id == own))
    return list(session.execute(statement).scalars())
