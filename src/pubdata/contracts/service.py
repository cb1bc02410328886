"""Contract commands: propose, sign, revoke, the read step of a call (``open_use``) and its write step
(``charge``). ``charge`` moves the counters with one conditional UPDATE, so concurrent calls can never spend
more than the terms allow, and appends the call's ledger entry in the same transaction.

The operator's own development (内部开发合约): the licensed operator develops and runs jobs itself under an
internal contract it offers to itself — assigner and assignee are both the operator. Nothing else is special
about it, so it is governed exactly as a partner's development contract is:

- its resources must lie inside the operator's agreement scope when proposed (``scope.require_use``), and
  every call, development run and job under it checks that scope again (``open_use``): an agreement that is
  suspended, rectifying, expired or exited, or a resource outside its resources, sectors or grade, is refused;
- its terms (window, quotas, output rule, minimum group size) bound the operator's use like anyone's;
- mock-data development (``/dev/queries``, development runs) and governed queries run under it, and jobs on the
  real data go through the same sealed lifecycle: code review by an operator reviewer other than the
  submitting user, then the operator's and the bureau's releases (``jobs.service``).

Its operator's admin signs both sides at once: the one organisation is both parties, and the agreement the
bureau signed is what authorizes the scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from pubdata.authorization import scope
from pubdata.billing import service as billing
from pubdata.billing.rules import Quantities
from pubdata.catalog import service as catalog
from pubdata.common import canonical, clock
from pubdata.common.actor import Actor
from pubdata.common.errors import Refused
from pubdata.common.names import clean_prose
from pubdata.contracts import odrl as odrl_rendering
from pubdata.contracts import rules
from pubdata.contracts.models import Contract
from pubdata.contracts.schemas import Terms
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Principal, Who
from pubdata.ledger import service as ledger
from pubdata.ledger import signoff
from pubdata.scenarios import service as scenarios

SIGN_OFF = signoff.SignOff(
    sides=("assigner", "assignee"), action="contract.sign", lifecycle=rules.LIFECYCLE, event="sign"
)
SIGNING_SIDES = {"assigner": "contract.sign-as-assigner", "assignee": "contract.sign-as-assignee"}


class ContractRefused(Refused):
    """A call the contract does not allow (state, window, quota, budget)."""


def terms_of(contract: Contract) -> Terms:
    return Terms.stored(contract.terms)


def propose(session: Session, *, principal: Principal, assignee_id: int, terms: Terms) -> Contract:
    """The operator offers terms to a consumer, to its partner for development, or to itself: its internal
    development contract (see the module's docstring)."""
    access.require(principal, "contract.propose", access.own_organisation(principal))
    internal = assignee_id == principal.organisation_id
    if not internal and identity.organisation_kind(session, assignee_id) not in ("consumer", "partner"):
        raise Refused("contract.assignee")
    problems = rules.terms_problems(terms)
    if problems:
        raise Refused("contract.terms", problems=problems)
    assigner_id = principal.organisation_id
    for code in terms.resources:
        scope.require_use(session, actor=None, organisation_id=assigner_id, code=code)
    fields = [spec for code in terms.resources for spec in catalog.fields_of(catalog.public_get(session, code=code))]
    for rule, wrong in rules.roles_problems(terms, fields)[:1]:
        raise Refused(rule, fields=wrong)
    contract = Contract(
        assigner_id=assigner_id,
        assignee_id=assignee_id,
        terms=canonical.dumps(terms.document()).decode(),
        terms_digest=terms.digest,
        state=rules.LIFECYCLE.initial,
        valid_from=terms.valid_from,
        valid_until=terms.valid_until,
        max_calls=terms.max_calls,
        max_rows=terms.max_rows,
        epsilon_budget_micro=round((terms.epsilon or 0) * rules.MICRO),
        calls_used=0,
        rows_used=0,
        epsilon_spent_micro=0,
        created_at=clock.now(),
    )
    session.add(contract)
    ledger.record(
        session,
        actor=principal.actor,
        action="contract.propose",
        subject=contract,
        payload={"terms_digest": contract.terms_digest},
    )
    return contract


def get(session: Session, *, principal: Who, contract_id: int, permission: str = "contract.read") -> Contract:
    """A contract, for one of its two parties or an organisation that oversees all."""
    return access.load(session, principal, Contract, contract_id, permission)


def by_ids(session: Session, ids: set[int]) -> list[Contract]:
    """These contracts (a report's facts name them by id)."""
    return list(session.execute(select(Contract).where(Contract.id.in_(ids))).scalars()) if ids else []


def list_for(session: Session, *, principal: Who) -> list[Contract]:
    statement = access.visible(select(Contract), principal, Contract).order_by(Contract.id)
    return list(session.execute(statement).scalars())


def document_of(contract: Contract) -> dict[str, Any]:
    """What both parties sign: who offers what to whom, on which terms."""
    return {
        "contract": contract.id,
        "assigner": contract.assigner_id,
        "assignee": contract.assignee_id,
        "terms": terms_of(contract).document(),
    }


def is_internal(contract: Contract) -> bool:
    """The operator's own development contract: it is both parties."""
    return contract.assigner_id == contract.assignee_id


def sign(session: Session, *, principal: Who, contract_id: int) -> Contract:
    """Each party's admin signs the same document; with both signatures the contract is active. The admin of an
    internal contract's operator signs for both of its sides at once."""
    contract = get(session, principal=principal, contract_id=contract_id)
    sides = access.signing_sides(principal, contract, SIGNING_SIDES)
    if not sides:
        raise Refused("contract.wrong-signatory")
    if is_internal(contract):
        signed = signoff.signed_sides(session, subject=contract)
        sides = [side for side in sides if side not in signed] or sides
    for side in sides if is_internal(contract) else sides[:1]:
        _sign_side(session, principal=principal, contract=contract, side=side)
    return contract


def _sign_side(session: Session, *, principal: Who, contract: Contract, side: str) -> None:
    def stamp(progress: signoff.Progress) -> None:
        if side == "assigner":
            contract.assigner_signed_at = clock.now()
        else:
            contract.assignee_signed_at = clock.now()

    signoff.sign(
        session,
        actor=principal.actor,
        spec=SIGN_OFF,
        subject=contract,
        side=side,
        document=document_of(contract),
        then=stamp,
        payload={"terms_digest": contract.terms_digest},
    )


def revoke(session: Session, *, principal: Who, contract_id: int, reason: str) -> Contract:
    contract = get(session, principal=principal, contract_id=contract_id, permission="contract.revoke")
    reason = clean_prose(reason, field="reason", max_length=1000)
    if not reason:
        raise Refused("contract.revoke-reason")
    rules.LIFECYCLE.apply(contract, "revoke")
    ledger.record(
        session, actor=principal.actor, action="contract.revoke", subject=contract, payload={"reason": reason}
    )
    return contract


def refusal_before_call(contract: Contract) -> ContractRefused | None:
    """Why a call under this contract must not run now (state, window), or None."""
    found = rules.call_refusal(
        state=contract.state, today=clock.today(), valid_from=contract.valid_from, valid_until=contract.valid_until
    )
    if found is None:
        return None
    rule, params = found
    return ContractRefused(rule, **params)


@dataclass(frozen=True)
class Use:
    """What a call may use, from the read step: the contract, its terms, and who operates it."""

    contract_id: int
    terms: Terms
    operator_id: int
    rows_left: int = 0  # of the contract's rows: an engine returns no more than these


def open_use(session: Session, *, principal: Principal, contract_id: int, permission: str = "query.run") -> Use:
    """The read step of a call (DESIGN.md §5): the contract (its state and window), and the authorization
    scope for every resource — the operator's, and a partner's own when a partner calls. Reads only."""
    contract = get(session, principal=principal, contract_id=contract_id, permission=permission)
    terms = terms_of(contract)
    scope.require_uses(
        session,
        actor=principal.actor,
        operator_id=contract.assigner_id,
        organisation_id=principal.organisation_id,
        organisation_kind=principal.organisation_kind,
        codes=terms.resources,
    )
    refusal = refusal_before_call(contract)
    if refusal is not None:
        raise refusal
    if needs_scenario(principal.organisation_kind, permission):
        scenarios.require_covering(
            session,
            operator_id=contract.assigner_id,
            organisation_id=principal.organisation_id,
            codes=terms.resources,
            actor=principal.actor,
        )
    return Use(contract.id, terms, contract.assigner_id, max(contract.max_rows - contract.rows_used, 0))


def needs_scenario(organisation_kind: str, permission: str) -> bool:
    """三(五): a partner's real queries and jobs, and the operator's own jobs on the real data, need an approved
    scenario plan covering their resources; development on mock data (``query.develop``) does not."""
    return (organisation_kind == "partner" and permission in ("query.run", "job.submit")) or (
        organisation_kind == "operator" and permission == "job.submit"
    )


# One conditional UPDATE, built once (it runs on every call): it moves the counters only if none passes its
# limit, and hands back the row as it left it.
CHARGE = (
    update(Contract)
    .where(
        Contract.id == bindparam("contract"),
        Contract.state == rules.C.ACTIVE.value,
        Contract.calls_used + 1 <= Contract.max_calls,
        Contract.rows_used + bindparam("rows") <= Contract.max_rows,
        Contract.epsilon_spent_micro + bindparam("epsilon") <= Contract.epsilon_budget_micro,
    )
    .values(
        calls_used=Contract.calls_used + 1,
        rows_used=Contract.rows_used + bindparam("rows"),
        epsilon_spent_micro=Contract.epsilon_spent_micro + bindparam("epsilon"),
    )
    .returning(Contract)
    .execution_options(synchronize_session=False, populate_existing=True)
)


def charge(
    session: Session,
    *,
    actor: Actor,
    contract_id: int,
    rows: int,
    epsilon_micro: int,
    payload: dict[str, Any],
    subjects: int = 0,
) -> Contract:
    """Count one call, its rows and its ε — all or nothing, never past the terms — and meter it (``subjects``:
    the subjects or items it named), with its ledger entry carrying what was metered."""
    contract = session.execute(
        CHARGE, {"contract": contract_id, "rows": rows, "epsilon": epsilon_micro}
    ).scalar_one_or_none()
    if contract is None:
        raise ContractRefused("contract.exhausted")
    if contract.calls_used >= contract.max_calls:
        rules.LIFECYCLE.apply(contract, "exhaust")
    metered = billing.meter(session, contract=contract, quantities=Quantities(1, subjects, rows))
    seq = ledger.record(
        session, actor=actor, action="contract.call", subject=contract, payload=payload | {"meter": metered.payload}
    )
    billing.attach(session, metered, seq=seq)
    return contract


def expire_due(session: Session, *, actor: Actor) -> list[str]:
    done = []
    due = select(Contract).where(Contract.state == rules.C.ACTIVE.value, Contract.valid_until < clock.today())
    for contract in session.execute(due).scalars().all():
        rules.LIFECYCLE.apply(contract, "expire")
        ledger.record(session, actor=actor, action="contract.expire", subject=contract)
        done.append(f"contract {contract.id} expired")
    return done


def record_of(session: Session, *, principal: Who, contract_id: int) -> dict[str, Any]:
    """Every run under a contract — calls, refusals, development runs, jobs' calls — as its ledger entries."""
    contract = get(session, principal=principal, contract_id=contract_id)
    return {
        "contract": contract.id,
        "terms_digest": contract.terms_digest,
        "state": contract.state,
        "counters": {
            "calls": contract.calls_used,
            "rows": contract.rows_used,
            "epsilon_spent": contract.epsilon_spent_micro / rules.MICRO,
        },
        "ledger": ledger.entries_for_subject(session, subject=f"contract:{contract.id}"),
    }


def end_with_authorization(session: Session, *, actor: Actor) -> list[str]:
    """The contracts of an operator that no longer holds a live agreement (exit, termination, expiry) end
    with it: revoked by the platform, with the reason. Every call was already refused by the scope check;
    this makes the contracts say so."""
    live = select(Contract).where(Contract.state.in_(rules.LIVE_STATES))
    done: list[str] = []
    operating: dict[int, bool] = {}
    for contract in session.execute(live.order_by(Contract.id)).scalars().all():
        if contract.assigner_id not in operating:
            operating[contract.assigner_id] = scope.operating(session, operator_id=contract.assigner_id)
        if not operating[contract.assigner_id]:
            rules.LIFECYCLE.apply(contract, "revoke")
            ledger.record(
                session,
                actor=actor,
                action="contract.revoke",
                subject=contract,
                payload={"reason": "the operator's authorization has ended"},
            )
            done.append(f"contract {contract.id} revoked: the operator's authorization has ended")
    return done


def counters(contract: Contract) -> dict[str, Any]:
    """What a contract has left, as the pages show it."""
    budget, spent = contract.epsilon_budget_micro / rules.MICRO, contract.epsilon_spent_micro / rules.MICRO
    return {
        "calls_left": contract.max_calls - contract.calls_used,
        "rows_left": contract.max_rows - contract.rows_used,
        "epsilon_budget": budget,
        "epsilon_spent": spent,
        "epsilon_left": round(budget - spent, 6),
    }


def odrl(session: Session, *, principal: Who, contract_id: int) -> dict[str, Any]:
    """The contract as an ODRL 2.2 Agreement under the pubdata profile; the parties by their credit codes."""
    contract = get(session, principal=principal, contract_id=contract_id)
    found = identity.organisation_identities(session, {contract.assigner_id, contract.assignee_id})
    assigner, assignee = (
        odrl_rendering.party(id_, name=found[id_][0], credit_code=found[id_][1])
        for id_ in (contract.assigner_id, contract.assignee_id)
    )
    return odrl_rendering.agreement(contract.id, assigner=assigner, assignee=assignee, terms=terms_of(contract))


# --- figures for the workbenches: counts, never a contract's terms beyond what its reader may see ----------


def awaiting_signature(principal: Who, contract: Contract) -> bool:
    """Is ``contract`` waiting for a signature ``principal`` may give (its side not signed yet)?"""
    if not rules.LIFECYCLE.allows(contract.state, "sign"):
        return False
    sides = access.signing_sides(principal, contract, SIGNING_SIDES)
    return any(getattr(contract, f"{side}_signed_at") is None for side in sides)


def calls_by_month(session: Session, *, contracts: list[Contract]) -> dict[str, int]:
    """Calls made under these contracts (a reader's own list), by month in Asia/Shanghai, from the ledger."""
    return calls_per_month(session, contract_ids=[contract.id for contract in contracts])


def _contracts_using(session: Session, codes: set[str], *, signed: bool) -> list[Contract]:
    """The contracts whose terms name any of these resource codes, newest first (``signed``: past proposal)."""
    if not codes:
        return []
    # Codes are letters, digits and dashes: no LIKE wildcard; the text narrows, the parsed terms decide.
    statement = select(Contract).where(or_(*(Contract.terms.like(f'%"{code}"%') for code in codes)))
    if signed:
        statement = statement.where(Contract.state != rules.C.PROPOSED.value)
    found = session.execute(statement.order_by(Contract.id.desc())).scalars()
    return [contract for contract in found if set(terms_of(contract).resources) & codes]


def usage_of(session: Session, *, codes: set[str]) -> dict[str, dict[str, int]]:
    """For each of these resource codes (a department's own): how many signed contracts use it and the calls made
    under them. Counts only: who holds the contracts is not the department's to read here."""
    used = {code: {"contracts": 0, "calls": 0} for code in codes}
    for contract in _contracts_using(session, codes, signed=True):
        for code in set(terms_of(contract).resources) & codes:
            used[code]["contracts"] += 1
            used[code]["calls"] += contract.calls_used
    return used


def calls_on_resources(session: Session, *, codes: set[str]) -> dict[str, int]:
    """Calls under every contract using any of these resource codes, by month (a department's usage chart)."""
    return calls_by_month(session, contracts=_contracts_using(session, codes, signed=True))


# --- who uses a resource ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResourceUse:
    """A contract whose terms name a resource, as its providing department sees it: who uses it, for what, how
    much — never what was asked or answered."""

    contract_id: int
    assignee: str
    purpose: str
    state: str
    valid_from: Any
    valid_until: Any
    calls_used: int
    max_calls: int


def uses_of_resource(session: Session, *, code: str) -> list[ResourceUse]:
    """The contracts that use the resource ``code``, newest first. The caller has shown that its principal may
    read the resource (its providing department, the bureau, the auditor)."""
    contracts = _contracts_using(session, {code}, signed=False)
    names = identity.organisation_names(session, {contract.assignee_id for contract in contracts})
    return [
        ResourceUse(
            contract.id,
            names[contract.assignee_id],
            terms_of(contract).purpose,
            contract.state,
            contract.valid_from,
            contract.valid_until,
            contract.calls_used,
            contract.max_calls,
        )
        for contract in contracts
    ]


def public_uses_of_resource(session: Session, *, code: str) -> list[ResourceUse]:
    """The signed contracts that use the registered resource ``code``, for the public transparency page: who uses
    it, for what and how much; a proposal nobody signed stays between its parties."""
    return [use for use in uses_of_resource(session, code=code) if use.state != rules.C.PROPOSED.value]


def call_entries(session: Session, *, code: str, since: datetime, until: datetime, limit: int) -> list[Any]:
    """The ledger entries of the calls under the signed contracts using ``code``, between ``since`` and
    ``until``: what each month's count on the transparency page counts."""
    subjects = [contract.audit_subject() for contract in _contracts_using(session, {code}, signed=True)]
    if not subjects:
        return []
    return ledger.entries_between(
        session, actions=["contract.call"], since=since, until=until, subjects=subjects, limit=limit
    )


def calls_per_month(session: Session, *, contract_ids: list[int]) -> dict[str, int]:
    """The calls made under these contracts, by month in Asia/Shanghai (``2026-03``), oldest first."""
    if not contract_ids:
        return {}
    subjects = [f"{Contract.__tablename__}:{contract_id}" for contract_id in contract_ids]
    return ledger.count_by_month(session, actions=["contract.call"], subjects=subjects)
