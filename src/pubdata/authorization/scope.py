"""The authorization scope: what an agreement or a partner's admission reaches, and the one scope check.

``check_use`` is the one answer to "may this organisation use this resource now?"; every data access calls
it (through ``require_use``, which refuses and has the refusal recorded although the request fails).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.authorization import rules
from pubdata.authorization.models import Agreement, Partner
from pubdata.authorization.schemas import Scope
from pubdata.catalog import rules as catalog_rules
from pubdata.catalog import service as catalog
from pubdata.common import clock, messages
from pubdata.common.actor import Actor
from pubdata.common.errors import RefusalEntry, Refused
from pubdata.common.messages import Phrase, Text


def scope_of(holder: Agreement | Partner) -> Scope:
    return Scope.stored(holder.scope)


def validated(session: Session, scope: Scope) -> Scope:
    """A scope as it may be granted: something named, known sectors, a grade below core, registered resources."""
    clean = scope.normalised()
    if not clean.resources and not clean.sectors:
        raise Refused("authorization.scope-empty")
    if clean.max_grade not in catalog_rules.GRADES or not catalog_rules.loadable(clean.max_grade):
        raise Refused("authorization.scope-grade")
    unknown_sectors = [sector for sector in clean.sectors if sector not in catalog_rules.SECTORS]
    if unknown_sectors:
        raise Refused("authorization.scope-sector", sectors=unknown_sectors)
    for code in clean.resources:
        catalog.public_get(session, code=code)  # only registered resources can be authorized
    return clean


def overlap(a: Scope, b: Scope) -> list[str]:
    return sorted(set(a.resources) & set(b.resources)) + sorted(set(a.sectors) & set(b.sectors))


def check_use(session: Session, *, organisation_id: int, code: str) -> list[Phrase] | None:
    """May this organisation use this resource now? None if so, else why not (one reason per authorization
    it holds)."""
    try:
        resource = catalog.public_get(session, code=code)
    except Refused:
        return [Phrase("scope.not_registered", {"code": code})]
    holders: list[tuple[Agreement, Scope | None, Phrase | None]] = [
        (agreement, scope_of(agreement), None)
        for agreement in session.execute(
            select(Agreement).where(Agreement.operator_id == organisation_id, Agreement.state != rules.A.DRAFT.value)
        ).scalars()
    ]
    for partner in session.execute(select(Partner).where(Partner.organisation_id == organisation_id)).scalars():
        agreement = session.get(Agreement, partner.agreement_id)
        assert agreement is not None
        if partner.state != rules.P.ADMITTED:
            holders.append((agreement, None, Phrase("scope.partner_blocked", {"state": _state(partner)})))
        else:
            holders.append((agreement, scope_of(partner), None))
    if not holders:
        return [Phrase("scope.no_agreement")]
    reasons = []
    today = clock.today()
    for agreement, scope, blocked in holders:
        if agreement.state not in rules.USABLE_STATES:
            reasons.append(Phrase("scope.agreement_state", {"id": agreement.id, "state": _state(agreement)}))
        elif blocked is not None:
            reasons.append(blocked)
        elif (
            agreement.starts_on is None
            or agreement.expires_on is None
            or not (agreement.starts_on <= today <= agreement.expires_on)
        ):
            reasons.append(Phrase("scope.outside_term", {"id": agreement.id}))
        elif scope is None or not rules.scope_covers(
            scope, code=resource.code, sector=resource.sector, grade=resource.grade
        ):
            reasons.append(Phrase("scope.outside_scope", {"code": code}))
        else:
            return None
    return reasons


def _state(holder: Agreement | Partner) -> Text:
    """A state as a reason shows it: its label in Chinese, its code in English (as the ledger keeps it)."""
    lifecycle = rules.AGREEMENT if isinstance(holder, Agreement) else rules.PARTNER
    state = lifecycle.state_of(holder)
    return Text((state.zh, state.value))


def explain(reasons: list[Phrase], lang: str = "en") -> str:
    """Why a use is refused, as one sentence (the ledger keeps it in English)."""
    return messages.safe(reasons, lang)


def operating(session: Session, *, operator_id: int) -> bool:
    """Does this operator still hold a live agreement (not exited, terminated or expired)?"""
    statement = select(Agreement.id).where(Agreement.operator_id == operator_id, Agreement.state.in_(rules.LIVE_STATES))
    return session.scalar(statement.limit(1)) is not None


def require_use(session: Session, *, actor: Actor | None, organisation_id: int, code: str) -> None:
    """``check_use`` that refuses. With an ``actor`` the refusal carries its ledger entry, recorded although the
    request fails (a refused data access); without, the caller records the outcome itself (a refused proposal,
    a job that fails)."""
    reasons = check_use(session, organisation_id=organisation_id, code=code)
    if reasons is None:
        return
    entry = None
    if actor is not None:
        entry = RefusalEntry(actor, "authorization.use-refused", f"resource:{code}", {"reason": explain(reasons)})
    raise Refused("authorization.out-of-scope", code=code, reasons=reasons, entry=entry)


def require_uses(
    session: Session,
    *,
    actor: Actor | None,
    operator_id: int,
    organisation_id: int,
    organisation_kind: str,
    codes: Iterable[str],
) -> None:
    """Every authorization a use needs — the operator's, and a partner's own when a partner uses the data —
    covers every resource, or ``require_use`` refuses."""
    for holder in rules.scope_holders(
        operator_id=operator_id, organisation_id=organisation_id, organisation_kind=organisation_kind
    ):
        for code in codes:
            require_use(session, actor=actor, organisation_id=holder, code=code)
