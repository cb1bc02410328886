"""Contract commands. ``charge`` moves the counters with one conditional UPDATE, so concurrent calls can never
spend more than the terms allow, and appends the call's ledger entry in the same transaction."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from pubdata.authorization import service as authorization
from pubdata.catalog import service as catalog
from pubdata.common import canonical, clock
from pubdata.common.actor import Actor
from pubdata.common.errors import InvalidInput, NotFound, PermissionDenied, StateRefused
from pubdata.contracts import rules
from pubdata.contracts.models import Contract
from pubdata.identity import service as identity
from pubdata.identity.service import Principal
from pubdata.ledger import service as ledger


class ContractRefused(PermissionDenied):
    """A call the contract does not allow (state, window, quota, budget)."""


def terms_of(contract: Contract) -> dict[str, Any]:
    return json.loads(contract.terms)


def propose(session: Session, *, principal: Principal, assignee_id: int, terms: dict[str, Any]) -> Contract:
    """The operator offers terms to a consumer (or, for development, to its partner)."""
    identity.require(principal, "contract.propose", organisation_id=principal.organisation_id)
    if identity.organisation_kind(session, assignee_id) not in ("consumer", "partner"):
        raise InvalidInput("contract.assignee", "A contract is made with a consumer or a partner.")
    terms = {
        "dimensions": [],
        "min_group_size": 10,
        "epsilon": None,
        "epsilon_per_query": None,
        "delta": None,
        "bounds": {},
        "max_contributions": 1,
        "price": None,
        **terms,
    }
    problems = rules.terms_problems(terms)
    if problems:
        raise InvalidInput("contract.terms", "; ".join(problems) + ".")
    for code in terms["resources"]:
        reason = authorization.check_use(session, organisation_id=principal.organisation_id, code=code)
        if reason:
            raise PermissionDenied("authorization.out-of-scope", f"{code} cannot be offered: {reason}.")
    allowed_dimensions = {
        spec.name
        for code in terms["resources"]
        for spec in catalog.fields_of(catalog.public_get(session, code=code))
        if spec.sensitivity == "none"
    }
    wrong = sorted(set(terms["dimensions"]) - allowed_dimensions)
    if wrong:
        raise InvalidInput(
            "contract.dimensions", f"Dimensions must be non-personal fields of the resources: {', '.join(wrong)}."
        )
    valid_from, valid_until = (
        date.fromisoformat(str(terms["valid_from"])),
        date.fromisoformat(str(terms["valid_until"])),
    )
    document = canonical.dumps(terms)
    contract = Contract(
        assigner_id=principal.organisation_id,
        assignee_id=assignee_id,
        terms=document.decode(),
        terms_digest=ledger.hasher(ledger.algorithm(session)).digest(document).hex(),
        state="proposed",
        valid_from=valid_from,
        valid_until=valid_until,
        max_calls=terms["max_calls"],
        max_rows=terms["max_rows"],
        epsilon_budget_micro=round((terms["epsilon"] or 0) * rules.MICRO),
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


def get(session: Session, *, principal: Principal, contract_id: int) -> Contract:
    """A contract, for one of its two parties or an organisation that oversees all."""
    contract = session.get(Contract, contract_id)
    if contract is None or not (
        principal.organisation_id in (contract.assigner_id, contract.assignee_id)
        or identity.sees_all(principal, "contract.read")
    ):
        raise NotFound("contract.not-found", "No such contract.")
    return contract


def get_for_system(session: Session, *, contract_id: int) -> Contract:
    """A contract for the platform's own workers (the job runner), which act for no organisation."""
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise NotFound("contract.not-found", "No such contract.")
    return contract


def list_for(session: Session, *, principal: Principal) -> list[Contract]:
    statement = select(Contract).order_by(Contract.id)
    if not identity.sees_all(principal, "contract.read"):
        statement = statement.where(
            (Contract.assigner_id == principal.organisation_id) | (Contract.assignee_id == principal.organisation_id)
        )
    return list(session.execute(statement).scalars())


def sign(session: Session, *, principal: Principal, contract_id: int) -> Contract:
    contract = get(session, principal=principal, contract_id=contract_id)
    if principal.role != "admin" or principal.organisation_id not in (contract.assigner_id, contract.assignee_id):
        raise PermissionDenied("contract.wrong-signatory", "Only an admin of one of the two parties signs a contract.")
    if contract.state != "proposed":
        raise StateRefused("contract.transition", f"A contract that is {contract.state} cannot be signed.")
    now = clock.now()
    if principal.organisation_id == contract.assigner_id:
        contract.assigner_signed_at = contract.assigner_signed_at or now
    if principal.organisation_id == contract.assignee_id:
        contract.assignee_signed_at = contract.assignee_signed_at or now
    if contract.assigner_signed_at and contract.assignee_signed_at:
        contract.state = rules.next_state(contract.state, "sign")
    ledger.record(
        session,
        actor=principal.actor,
        action="contract.sign",
        subject=contract,
        payload={"terms_digest": contract.terms_digest},
    )
    return contract


def revoke(session: Session, *, principal: Principal, contract_id: int, reason: str) -> Contract:
    contract = get(session, principal=principal, contract_id=contract_id)
    if principal.organisation_id != contract.assigner_id and not identity.may(
        principal, "authorization.manage", organisation_id=None
    ):
        raise PermissionDenied("contract.revoke", "The operator that offered a contract, or the bureau, revokes it.")
    new_state = rules.next_state(contract.state, "revoke")
    if new_state is None:
        raise StateRefused("contract.transition", f"A contract that is {contract.state} cannot be revoked.")
    contract.state = new_state
    ledger.record(
        session, actor=principal.actor, action="contract.revoke", subject=contract, payload={"reason": reason}
    )
    return contract


def refusal_before_call(contract: Contract) -> tuple[str, str] | None:
    return rules.call_refusal(
        state=contract.state, today=clock.today(), valid_from=contract.valid_from, valid_until=contract.valid_until
    )


# One conditional UPDATE, built once (it runs on every call): it moves the counters only if none passes its
# limit, and hands back the row as it left it.
CHARGE = (
    update(Contract)
    .where(
        Contract.id == bindparam("contract"),
        Contract.state == "active",
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
    session: Session, *, actor: Actor, contract_id: int, rows: int, epsilon_micro: int, payload: dict[str, Any]
) -> Contract:
    """Count one call, its rows and its ε — all or nothing, never past the terms — with its ledger entry."""
    contract = session.execute(
        CHARGE, {"contract": contract_id, "rows": rows, "epsilon": epsilon_micro}
    ).scalar_one_or_none()
    if contract is None:
        raise ContractRefused(
            "contract.exhausted",
            "The contract's calls, rows or privacy budget would be exceeded; nothing was released.",
        )
    if contract.calls_used >= contract.max_calls:
        contract.state = rules.next_state(contract.state, "exhaust")
    ledger.record(session, actor=actor, action="contract.call", subject=contract, payload=payload)
    return contract


def expire_due(session: Session, *, actor: Actor) -> list[str]:
    done = []
    for contract in (
        session.execute(select(Contract).where(Contract.state == "active", Contract.valid_until < clock.today()))
        .scalars()
        .all()
    ):
        contract.state = rules.next_state(contract.state, "expire")
        ledger.record(session, actor=actor, action="contract.expire", subject=contract)
        done.append(f"contract {contract.id} expired")
    return done


def record_of(session: Session, *, principal: Principal, contract_id: int) -> dict[str, Any]:
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
    live = select(Contract).where(Contract.state.in_(("proposed", "active")))
    done, operating = [], {}
    for contract in session.execute(live.order_by(Contract.id)).scalars().all():
        if contract.assigner_id not in operating:
            operating[contract.assigner_id] = authorization.operating(session, operator_id=contract.assigner_id)
        if not operating[contract.assigner_id]:
            contract.state = rules.next_state(contract.state, "revoke")
            ledger.record(
                session,
                actor=actor,
                action="contract.revoke",
                subject=contract,
                payload={"reason": "the operator's authorization has ended"},
            )
            done.append(f"contract {contract.id} revoked: the operator's authorization has ended")
    return done


def odrl(session: Session, *, principal: Principal, contract_id: int) -> dict[str, Any]:
    contract = get(session, principal=principal, contract_id=contract_id)
    names = identity.organisation_names(session, {contract.assigner_id, contract.assignee_id})
    return rules.odrl(
        contract.id,
        assigner=names[contract.assigner_id],
        assignee=names[contract.assignee_id],
        terms=terms_of(contract),
    )
