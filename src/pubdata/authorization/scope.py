"""The authorization scope: what an agreement or a partner's admission reaches, and the one scope check.

``check_use`` is the one answer to "may this organisation use this resource now?"; every data access calls
it (through ``require_use``, which refuses and has the refusal recorded although the request fails).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

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
from pubdata.identity import access
from pubdata.identity.access import Principal


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


# --- what an organisation holds, as it reads it (授权范围) -------------------------------------------------


@dataclass(frozen=True)
class HeldResource:
    code: str
    name: str | None  # None: no longer in the public catalogue (cancelled)


@dataclass(frozen=True)
class HeldScope:
    """One authorization the caller's organisation holds: as the operator under its agreement, or as a partner
    admitted under one. ``state`` is the holder's own (the partner's admission, or the agreement); ``usable``
    says whether ``check_use`` would let it use what the scope names today."""

    agreement_id: int
    operator_id: int
    held_as: str  # "operator" | "partner"
    state: str
    agreement_state: str
    mode: str
    resources: tuple[HeldResource, ...]
    sectors: tuple[str, ...]
    max_grade: str
    starts_on: date | None
    expires_on: date | None
    usable: bool


def held_scopes(session: Session, *, principal: Principal) -> list[HeldScope]:
    """The scopes the caller's organisation holds — which resources and sectors, up to which grade, under which
    agreement, until when, usable today or not — newest agreement first. Partners and the operator read their
    own; anyone else holds none."""
    access.require(principal, "authorization.own-scope", access.own_organisation(principal))
    held: list[tuple[Agreement, str, str, Scope]] = [
        (agreement, "operator", agreement.state, scope_of(agreement))
        for agreement in session.execute(
            select(Agreement).where(Agreement.operator_id == principal.organisation_id)
        ).scalars()
    ]
    admitted = select(Partner).where(Partner.organisation_id == principal.organisation_id)
    for partner in session.execute(admitted).scalars():
        held.append((partner.agreement, "partner", partner.state, scope_of(partner)))
    return [
        _held(session, agreement, held_as=held_as, state=state, scope=scope)
        for agreement, held_as, state, scope in sorted(held, key=lambda item: -item[0].id)
    ]


def _held(session: Session, agreement: Agreement, *, held_as: str, state: str, scope: Scope) -> HeldScope:
    today, starts, ends = clock.today(), agreement.starts_on, agreement.expires_on
    usable = (
        agreement.state in rules.USABLE_STATES
        and (held_as == "operator" or state == rules.P.ADMITTED)
        and starts is not None
        and ends is not None
        and starts <= today <= ends
    )
    return HeldScope(
        agreement_id=agreement.id,
        operator_id=agreement.operator_id,
        held_as=held_as,
        state=state,
        agreement_state=agreement.state,
        mode=agreement.mode,
        resources=tuple(HeldResource(code, _public_name(session, code)) for code in scope.resources),
        sectors=scope.sectors,
        max_grade=scope.max_grade,
        starts_on=agreement.starts_on,
        expires_on=agreement.expires_on,
        usable=usable,
    )


def _public_name(session: Session, code: str) -> str | None:
    try:
        return catalog.public_get(session, code=code).name
    except Refused:
        return None
