"""Subscriptions (订阅申请): a consumer applies for a listed product — purpose, use, a quota of calls and a
validity — and withdraws it if it changes its mind; the operator offering the product approves or rejects it with
a reason. Approving generates the usage contract from the product (``contracts.service.propose``: the product's
resources, the purpose, the window, the quotas, the output rule of its definition, the product's code and
reviewed digest) and signs the operator's side; the consumer's admin signs the other, and calls run under it.

Pure decisions first (what an application must be, the terms a product's contract carries), then the commands.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.common import clock
from pubdata.common.actor import SYSTEM
from pubdata.common.errors import Refused
from pubdata.common.names import clean_prose
from pubdata.contracts import rules as contract_rules
from pubdata.contracts import service as contracts
from pubdata.contracts.schemas import QUOTA_LIMIT, ProductTerms, Terms
from pubdata.identity import access
from pubdata.identity.access import PlatformItself, Principal, Who
from pubdata.ledger import service as ledger
from pubdata.products import rules
from pubdata.products import service as products
from pubdata.products.models import Product, Subscription

MAX_CALLS = 1_000_000  # calls one subscription may ask for
MAX_VALIDITY = timedelta(days=3 * 366)  # a subscription is renewed, not granted for ever
# What one call may answer: a batch of at most this many subjects, or a template's rows.
ROWS_PER_CALL = 1000
USE_MAX_LENGTH = 2000


# --- decisions, pure ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Application:
    """What a consumer asks for: a purpose (``contracts.rules.PURPOSES``), its use, a quota and a validity."""

    purpose: str
    use: str
    max_calls: int
    valid_from: date
    valid_until: date


def purpose_allowed(purpose: str, *, product_purposes: list[str], scenario_purpose: str) -> bool:
    """A product is subscribed for one of its purposes that fits its scenario: the scenario's own category, or a
    free-of-charge one (三(六)), as the product itself was allowed (``rules.purposes_problem``)."""
    return (
        purpose in contract_rules.PURPOSES
        and purpose in product_purposes
        and (purpose == scenario_purpose or purpose in contract_rules.FREE_PURPOSES)
    )


def application_refusal(
    application: Application, *, product_purposes: list[str], scenario_purpose: str, today: date
) -> tuple[str, dict[str, Any]] | None:
    """The rule (and its parameters) an application breaks, or None."""
    if not purpose_allowed(application.purpose, product_purposes=product_purposes, scenario_purpose=scenario_purpose):
        return "subscription.purpose", {"purpose": application.purpose}
    if not 1 <= application.max_calls <= MAX_CALLS:
        return "subscription.quota", {"most": MAX_CALLS}
    start, end = application.valid_from, application.valid_until
    if start < today or end < start or end - start > MAX_VALIDITY:
        return "subscription.window", {}
    if not application.use.strip():
        return "subscription.use", {}
    return None


# The output rule a definition declares: the terms a query template's answers are released under. A per-subject
# product answers exactly its declared fields, about subjects who consented, and keeps the defaults.
OUTPUT_FIELDS = ("output_rule", "min_group_size", "epsilon_per_query", "delta", "bounds", "max_contributions")
MAX_EPSILON = 10.0  # contracts.rules.terms_problems: a contract's whole budget
# A DP template that declares no ε per call spends this on each (and δ, for its counts' thresholds).
DEFAULT_EPSILON_PER_CALL = 0.5
DEFAULT_DELTA = 1e-6


def output_terms(definition: Any, *, max_calls: int) -> dict[str, Any]:
    """The output rule's terms from a product's definition (whatever it leaves out keeps the contract's default).
    A DP template's budget is its ε per call for every call the quota allows, at most a contract's whole budget."""
    declared: dict[str, Any] = {}
    for name in OUTPUT_FIELDS:
        value = getattr(definition, name, None)
        if value is not None:
            declared[name] = value
    rule = getattr(definition, "output", None)  # a nested output rule, when the definition groups it so
    if rule is not None:
        for name in OUTPUT_FIELDS:
            value = getattr(rule, name, None)
            if value is None and name == "output_rule":
                value = getattr(rule, "kind", None) or getattr(rule, "rule", None)
            if value is None and name == "epsilon_per_query":
                value = getattr(rule, "epsilon", None)
            if value is not None:
                declared[name] = value
    if isinstance(declared.get("bounds"), dict):
        declared["bounds"] = {key: tuple(pair) for key, pair in declared["bounds"].items()}
    if declared.get("output_rule") == "dp":
        per_call = float(declared.get("epsilon_per_query") or DEFAULT_EPSILON_PER_CALL)
        declared["epsilon_per_query"] = per_call
        declared["epsilon"] = min(MAX_EPSILON, round(per_call * max_calls, 6))
        declared.setdefault("delta", DEFAULT_DELTA)
    return declared


def terms_for(
    *, product_code: str, definition: Any, definition_digest: str, application: Application, purpose: str
) -> Terms:
    """The usage contract's terms generated from a product and an application."""
    return Terms.model_validate(
        {
            "resources": list(definition.resources),
            "purpose": purpose,
            "valid_from": application.valid_from,
            "valid_until": application.valid_until,
            "max_calls": application.max_calls,
            "max_rows": min(application.max_calls * ROWS_PER_CALL, QUOTA_LIMIT),
            **output_terms(definition, max_calls=application.max_calls),
            "product": ProductTerms(code=product_code, definition_digest=definition_digest),
        }
    )


# --- commands ----------------------------------------------------------------------------------------------


def _purposes(product: Product) -> list[str]:
    return [str(purpose) for purpose in json.loads(product.purposes or "[]")]


def application_of(subscription: Subscription) -> Application:
    return Application(
        subscription.purpose,
        subscription.use,
        subscription.max_calls,
        subscription.valid_from,
        subscription.valid_until,
    )


def apply(session: Session, *, principal: Principal, code: str, application: Application) -> Subscription:
    """A consumer applies for a listed product."""
    access.require(principal, "subscription.apply", access.own_organisation(principal))
    product = products.offerable(session, code=code)
    scenario = products.scenario_of(session, product)
    use = clean_prose(application.use, field="use", max_length=USE_MAX_LENGTH)
    application = Application(
        application.purpose, use, application.max_calls, application.valid_from, application.valid_until
    )
    found = application_refusal(
        application, product_purposes=_purposes(product), scenario_purpose=scenario.purpose, today=clock.today()
    )
    if found is not None:
        rule, params = found
        raise Refused(rule, **params)
    waiting = select(Subscription.id).where(
        Subscription.product_id == product.id,
        Subscription.consumer_id == principal.organisation_id,
        Subscription.state == rules.SUBSCRIPTION.initial,
    )
    if session.execute(waiting).first() is not None:
        raise Refused("subscription.pending")
    subscription = Subscription(
        product_id=product.id,
        consumer_id=principal.organisation_id,
        operator_id=product.operator_id,
        applied_by=principal.user_id,
        purpose=application.purpose,
        use=use,
        max_calls=application.max_calls,
        valid_from=application.valid_from,
        valid_until=application.valid_until,
        state=rules.SUBSCRIPTION.initial,
        applied_at=clock.now(),
    )
    session.add(subscription)
    ledger.record(
        session,
        actor=principal.actor,
        action="subscription.apply",
        subject=subscription,
        payload={"product": product.code, "purpose": application.purpose, "max_calls": application.max_calls},
    )
    return subscription


def get(
    session: Session, *, principal: Who, subscription_id: int, permission: str = "subscription.read"
) -> Subscription:
    return access.load(session, principal, Subscription, subscription_id, permission)


def list_for(session: Session, *, principal: Who, state: str | None = None) -> list[Subscription]:
    """The subscriptions the caller may see (a consumer its own, an operator those of its products), newest first."""
    statement = access.visible(select(Subscription), principal, Subscription)
    if state is not None:
        statement = statement.where(Subscription.state == state)
    return list(session.execute(statement.order_by(Subscription.id.desc())).scalars())


def approve(session: Session, *, principal: Principal, subscription_id: int) -> Subscription:
    """The operator approves: the contract is generated from the product as it is offered now, and the operator
    signs its side; the consumer's admin signs the other."""
    subscription = get(session, principal=principal, subscription_id=subscription_id, permission="subscription.decide")
    if not rules.SUBSCRIPTION.allows(subscription.state, "approve"):
        raise rules.SUBSCRIPTION.refusal(subscription.state, "approve")
    product = session.get(Product, subscription.product_id)
    assert product is not None
    product = products.offerable(session, code=product.code)
    scenario = products.scenario_of(session, product)
    application = application_of(subscription)
    if not purpose_allowed(application.purpose, product_purposes=_purposes(product), scenario_purpose=scenario.purpose):
        raise Refused("subscription.purpose", purpose=application.purpose)
    if application.valid_until < clock.today():
        raise Refused("subscription.window")
    terms = terms_for(
        product_code=product.code,
        definition=products.definition_of(product),
        definition_digest=product.definition_digest,
        application=application,
        purpose=application.purpose,
    )
    contract = contracts.propose(session, principal=principal, assignee_id=subscription.consumer_id, terms=terms)
    session.flush()
    contracts.sign(session, principal=principal, contract_id=contract.id)
    rules.SUBSCRIPTION.apply(subscription, "approve")
    subscription.contract_id = contract.id
    subscription.decided_at, subscription.decided_by = clock.now(), principal.user_id
    ledger.record(
        session,
        actor=principal.actor,
        action="subscription.approve",
        subject=subscription,
        payload={"contract": contract.id, "terms_digest": contract.terms_digest},
    )
    return subscription


def reject(session: Session, *, principal: Principal, subscription_id: int, reason: str) -> Subscription:
    subscription = get(session, principal=principal, subscription_id=subscription_id, permission="subscription.decide")
    reason = clean_prose(reason, field="reason", max_length=1000)
    if not reason:
        raise Refused("subscription.reason")
    rules.SUBSCRIPTION.apply(subscription, "reject")
    subscription.reason = reason
    subscription.decided_at, subscription.decided_by = clock.now(), principal.user_id
    ledger.record(
        session, actor=principal.actor, action="subscription.reject", subject=subscription, payload={"reason": reason}
    )
    return subscription


def withdraw(session: Session, *, principal: Principal, subscription_id: int) -> Subscription:
    subscription = get(
        session, principal=principal, subscription_id=subscription_id, permission="subscription.withdraw"
    )
    rules.SUBSCRIPTION.apply(subscription, "withdraw")
    subscription.decided_at = clock.now()
    ledger.record(session, actor=principal.actor, action="subscription.withdraw", subject=subscription)
    return subscription


def contract_id_for(session: Session, *, consumer_id: int, product_id: int) -> int | None:
    """The contract a consumer calls a product under: that of its newest approved subscription to it whose
    contract is live or used up (a used-up one refuses the call by its own rule), else the newest one's."""
    statement = (
        select(Subscription.contract_id)
        .where(
            Subscription.consumer_id == consumer_id,
            Subscription.product_id == product_id,
            Subscription.state == rules.SubscriptionState.APPROVED.value,
            Subscription.contract_id.is_not(None),
        )
        .order_by(Subscription.id.desc())
    )
    found = [contract_id for contract_id in session.execute(statement).scalars() if contract_id is not None]
    if not found:
        return None
    every = PlatformItself(SYSTEM)  # the states only: the caller's own contracts, found through its subscriptions
    states = {
        contract_id: contracts.get(session, principal=every, contract_id=contract_id).state for contract_id in found
    }
    usable = (contract_rules.C.ACTIVE.value, contract_rules.C.PROPOSED.value, contract_rules.C.EXHAUSTED.value)
    return next((contract_id for contract_id in found if states.get(contract_id) in usable), found[0])


# --- figures for the workbenches ------------------------------------------------------------------------------


def awaiting_decision(session: Session, *, principal: Principal) -> list[int]:
    """The applications the caller may decide now (an operator's admin: those for its products)."""
    return [
        subscription.id
        for subscription in list_for(session, principal=principal, state=rules.SUBSCRIPTION.initial)
        if access.may(principal, "subscription.decide", subscription)
    ]


def awaiting_signature(session: Session, *, principal: Principal) -> list[int]:
    """The approved subscriptions whose contract waits for the caller's signature."""
    found = []
    for subscription in list_for(session, principal=principal, state=rules.SubscriptionState.APPROVED.value):
        if subscription.contract_id is None or subscription.consumer_id != principal.organisation_id:
            continue
        contract = contracts.get(session, principal=principal, contract_id=subscription.contract_id)
        if contracts.awaiting_signature(principal, contract):
            found.append(subscription.id)
    return found


def calls_this_month(session: Session, *, principal: Principal) -> dict[str, int]:
    """The calls made this month (Asia/Shanghai) under the caller's product contracts, by product name."""
    month = clock.now().astimezone(clock.SHANGHAI).strftime("%Y-%m")
    counted: dict[str, int] = {}
    for subscription in list_for(session, principal=principal, state=rules.SubscriptionState.APPROVED.value):
        if subscription.contract_id is None:
            continue
        product = session.get(Product, subscription.product_id)
        if product is None:
            continue
        calls = contracts.calls_per_month(session, contract_ids=[subscription.contract_id]).get(month, 0)
        counted[product.name] = counted.get(product.name, 0) + calls
    return counted
