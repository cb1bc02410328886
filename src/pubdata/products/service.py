"""Product commands (数据产品和服务): create, revise, security review, registration, listing; and what a call may
offer (``offerable``). One command, one transaction, its ledger entry.

A product is built under an approved scenario of its operator, from resources that scenario covers and that the
operator's (and a partner developer's) authorization reaches. Its definition is stored as canonical JSON with its
digest; the bureau's security review signs that digest off (``ledger.signoff``, one side), and a call runs only
while the definition is still the one reviewed. Registration goes through the registration workflow (first,
change, cancellation, with its public notice); the scheduler finalises it, and ends the listing of every product
of an operator whose authorization no longer allows use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pubdata.authorization import agreements, scope
from pubdata.authorization import rules as authorization_rules
from pubdata.catalog import service as catalog
from pubdata.common import canonical, clock
from pubdata.common.actor import PUBLIC, SYSTEM, Actor
from pubdata.common.bounds import INT4_MAX
from pubdata.common.errors import RefusalEntry, Refused
from pubdata.common.messages import Text
from pubdata.common.names import clean, clean_prose
from pubdata.contracts.rules import PURPOSES
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import PlatformItself, Principal, Who
from pubdata.jobs import rules as job_rules
from pubdata.jobs import service as jobs
from pubdata.ledger import public as ledger_public
from pubdata.ledger import service as ledger
from pubdata.ledger import signoff
from pubdata.products import compute, rules
from pubdata.products.definitions import Definition, StatisticalTable
from pubdata.products.models import Product, ProductReview
from pubdata.products.schemas import ProductIn, ProductRevision, PublishTableIn
from pubdata.registration import rules as registration_rules
from pubdata.registration import service as registration
from pubdata.scenarios import rules as scenario_rules
from pubdata.scenarios import service as scenarios

if TYPE_CHECKING:
    from pubdata.registration.models import Objection, Registration
    from pubdata.scenarios.models import Scenario

SUBJECT = "product"
P = rules.ProductState
DEFINITION: TypeAdapter[Any] = TypeAdapter(Definition)
# The bureau reviewer's sign-off of one security review: one side, the bureau; it passes the review.
REVIEW_SIGN_OFF = signoff.SignOff(
    sides=("bureau",), action="product.review.sign", lifecycle=rules.REVIEW, event="approve"
)


# --- reading ------------------------------------------------------------------------------------------------


def definition_of(product: Product) -> Definition:
    """The product's definition, as stored (canonical JSON)."""
    return DEFINITION.validate_python(json.loads(product.definition))


def parse_definition(document: Any) -> Definition:
    """A definition from a form or a file: refused with the first problem when it is not one."""
    try:
        return DEFINITION.validate_python(document)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "definition"
        raise Refused("product.definition", where=where, field="definition") from None


def purposes_of(product: Product) -> list[str]:
    return list(json.loads(product.purposes))


def resources_of(product: Product) -> tuple[str, ...]:
    return tuple(definition_of(product).resources)


def _find(session: Session, code: str) -> Product | None:
    if not isinstance(code, str) or len(code) > 32:
        return None
    return session.scalar(select(Product).where(Product.code == code))


def find(session: Session, *, code: str) -> Product | None:
    """The product of that code, if there is one (no permission checked: the caller decides what to show)."""
    return _find(session, code)


def get(session: Session, *, principal: Who, code: str, permission: str = "product.read") -> Product:
    """A product, for its operator, its developer and the regulators (404 for anyone else)."""
    product = _find(session, code)
    if product is None:
        raise Refused("product.not-found", what=Text(Product.guard.what))
    access.require(principal, permission, product)
    return product


def listing(session: Session, *, principal: Who) -> list[Product]:
    """The products the caller may see, newest first: its own (operator, developer) or, for a regulator, all."""
    statement = access.visible(select(Product), principal, Product).order_by(Product.id.desc())
    return list(session.execute(statement).scalars())


def reviews_of(session: Session, product: Product) -> list[ProductReview]:
    """A product's security reviews, newest first (its page's review history)."""
    statement = select(ProductReview).where(ProductReview.product_id == product.id).order_by(ProductReview.id.desc())
    return list(session.execute(statement).scalars())


def checklist_of(review: ProductReview) -> dict[str, dict[str, Any]]:
    return dict(json.loads(review.checklist or "{}"))


def open_review(session: Session, product: Product) -> ProductReview | None:
    return session.scalar(
        select(ProductReview).where(ProductReview.product_id == product.id, ProductReview.state == rules.V.OPEN.value)
    )


def _scenario(session: Session, scenario_id: int) -> Scenario | None:
    try:
        return scenarios.get_scenario(session, principal=PlatformItself(SYSTEM), scenario_id=scenario_id)
    except Refused:
        return None


def scenario_of(session: Session, product: Product) -> Scenario:
    found = _scenario(session, product.scenario_id)
    assert found is not None, "a product's scenario is a foreign key"
    return found


# --- the scenario and the scope a product is built within ---------------------------------------------------


def _approved_scenario(session: Session, *, scenario_id: int) -> Scenario:
    try:
        return scenarios.approved(session, scenario_id=scenario_id)
    except Refused:
        raise Refused("product.scenario-not-approved", field="scenario_id") from None


def _admitted_partner(session: Session, *, principal: Principal, operator_id: int) -> bool:
    """Is the caller's organisation a partner admitted by this operator?"""
    return any(
        held.held_as == "partner" and held.operator_id == operator_id and held.state == authorization_rules.P.ADMITTED
        for held in scope.held_scopes(session, principal=principal)
    )


def _check_scenario(
    session: Session,
    *,
    actor: Actor,
    scenario_id: int,
    developer_id: int,
    developer_kind: str,
    codes: tuple[str, ...],
    developer: Principal | None = None,
) -> Scenario:
    """The approved scenario a product is built under: its operator's (a partner builds for the operator that
    admitted it), covering every resource the definition reads, each inside the operator's and the partner's
    authorization. A refusal about the scope is recorded (a use outside the authorized scope)."""
    scenario = _approved_scenario(session, scenario_id=scenario_id)
    if developer_kind == "operator" and scenario.operator_id != developer_id:
        raise Refused("product.scenario-operator", field="scenario_id")
    if (
        developer is not None
        and developer_kind == "partner"
        and not _admitted_partner(session, principal=developer, operator_id=scenario.operator_id)
    ):
        raise Refused("product.scenario-operator", field="scenario_id")
    if scenario.proposer_id not in (scenario.operator_id, developer_id):  # another partner's plan is not this one's
        raise Refused("product.scenario-operator", field="scenario_id")
    uncovered = [code for code in codes if code not in scenarios.resources_of(scenario)]
    if uncovered:
        entry = RefusalEntry(actor, "product.refused", f"scenario:{scenario.id}", {"uncovered": uncovered})
        raise Refused("product.scenario-uncovered", codes="、".join(uncovered), field="definition", entry=entry)
    # The scenario gate every use of the data passes: an approved plan of the operator, proposed by it or by
    # this developer (a partner builds under its operator's plans and its own, not another partner's).
    scenarios.require_covering(
        session, operator_id=scenario.operator_id, organisation_id=developer_id, codes=codes, actor=actor
    )
    scope.require_uses(
        session,
        actor=actor,
        operator_id=scenario.operator_id,
        organisation_id=developer_id,
        organisation_kind=developer_kind,
        codes=codes,
    )
    return scenario


def _check_purposes(purposes: list[str], scenario: Scenario) -> list[str]:
    chosen = list(dict.fromkeys(purposes))
    if not chosen:
        raise Refused("product.purposes", field="purposes")
    wrong = rules.purposes_problem(chosen, scenario_purpose=scenario.purpose)
    if wrong is not None:
        if wrong not in PURPOSES:
            raise Refused("product.purposes", field="purposes")
        raise Refused(
            "product.purpose-outside",
            purpose=Text(PURPOSES[wrong]),
            scenario_purpose=Text(PURPOSES.get(scenario.purpose, (scenario.purpose, scenario.purpose))),
            field="purposes",
        )
    return chosen


def _check_definition(session: Session, definition: Definition) -> None:
    """The review-time constraint check (``products.compute``): a template's SQL through the governed planner
    with its declared parameters, a per-subject product's fields in its resources; refusals name the rule."""
    compute.check_definition(session, definition)


def _store_definition(product: Product, definition: Definition) -> None:
    product.definition = canonical.dumps(definition.document()).decode("utf-8")
    product.definition_digest = definition.digest


# --- creating and changing ------------------------------------------------------------------------------------


def _next_code(session: Session) -> str:
    serial = (session.scalar(select(func.max(Product.id))) or 0) + 1
    while session.scalar(select(Product.id).where(Product.code == rules.code_for(serial))) is not None:
        serial += 1
    return rules.code_for(serial)


def create(session: Session, *, principal: Principal, body: ProductIn) -> Product:
    """The operator, or a partner it admitted, starts a product under one of the operator's approved scenarios."""
    access.require(principal, "product.develop", access.own_organisation(principal))
    if principal.organisation_kind not in ("operator", "partner"):  # a platform account builds no product
        raise Refused("product.scenario-operator", field="scenario_id")
    if body.kind not in rules.KINDS:
        raise Refused("product.kind", field="kind")
    if body.definition.kind != body.kind:
        raise Refused("product.kind-mismatch", field="definition")
    if body.delivery not in rules.DELIVERY:
        raise Refused("product.delivery", field="delivery")
    definition = body.definition
    scenario = _check_scenario(
        session,
        actor=principal.actor,
        scenario_id=body.scenario_id,
        developer_id=principal.organisation_id,
        developer_kind=principal.organisation_kind,
        codes=tuple(definition.resources),
        developer=principal,
    )
    _check_table(session, principal=principal, definition=definition, operator_id=scenario.operator_id)
    purposes = _check_purposes(body.purposes, scenario)
    _check_definition(session, definition)
    product = Product(
        code=_next_code(session),
        operator_id=scenario.operator_id,
        developer_id=principal.organisation_id,
        scenario_id=scenario.id,
        kind=body.kind,
        name=body.name,
        description=body.description,
        delivery=body.delivery,
        purposes=json.dumps(purposes),
        version=1,
        state=rules.LIFECYCLE.initial,
        created_by=principal.user_id,
        created_at=clock.now(),
    )
    _store_definition(product, definition)
    session.add(product)
    ledger.record(
        session,
        actor=principal.actor,
        action="product.create",
        subject=product,
        payload={"definition_digest": product.definition_digest, "scenario": scenario.code},
    )
    return product


def revise(session: Session, *, principal: Principal, code: str, body: ProductRevision) -> Product:
    """Change the description or the definition. A product past its review goes back to development: what was
    reviewed (``reviewed_digest``) stays as it was, so it is offered no more until it is reviewed again and a
    change registration is done."""
    product = get(session, principal=principal, code=code, permission="product.develop")
    if not rules.LIFECYCLE.allows(product.state, "revise"):
        raise rules.LIFECYCLE.refusal(product.state, "revise")
    if registration.open_for(session, subject_kind=SUBJECT, subject_id=product.id) is not None:
        raise Refused("product.registration-open", code=product.code)  # a cancellation under way
    changed = False
    if body.description is not None and body.description != product.description:
        product.description, changed = body.description, True
    if body.definition is not None and body.definition.digest != product.definition_digest:
        definition = body.definition
        if definition.kind != product.kind:
            raise Refused("product.kind-mismatch", field="definition")
        _check_table(session, principal=principal, definition=definition, operator_id=product.operator_id)
        _check_scenario(
            session,
            actor=principal.actor,
            scenario_id=product.scenario_id,
            developer_id=product.developer_id,
            developer_kind=_kind_of(session, product.developer_id),
            codes=tuple(definition.resources),
        )
        _check_definition(session, definition)
        if product.reviewed_digest is not None:
            product.version += 1
        _store_definition(product, definition)
        changed = True
    if not changed:
        raise Refused("product.no-change")
    if product.listed_at is not None and product.state == P.LISTED:
        product.delisted_at = clock.now()
    rules.LIFECYCLE.apply(product, "revise")
    ledger.record(
        session,
        actor=principal.actor,
        action="product.revise",
        subject=product,
        payload={"definition_digest": product.definition_digest, "version": product.version},
    )
    return product


def _kind_of(session: Session, organisation_id: int) -> str:
    return identity.organisation_kind(session, organisation_id) or ""


# --- security review (安全审查) -----------------------------------------------------------------------------


def submit_review(session: Session, *, principal: Principal, code: str) -> ProductReview:
    """The developer hands the definition, as it stands, to the bureau's security review."""
    product = get(session, principal=principal, code=code, permission="product.develop")
    if not rules.LIFECYCLE.allows(product.state, "submit_review"):
        raise rules.LIFECYCLE.refusal(product.state, "submit_review")
    _check_scenario(
        session,
        actor=principal.actor,
        scenario_id=product.scenario_id,
        developer_id=product.developer_id,
        developer_kind=_kind_of(session, product.developer_id),
        codes=resources_of(product),
    )
    _check_definition(session, definition_of(product))
    review = ProductReview(
        product_id=product.id,
        operator_id=product.operator_id,
        definition_digest=product.definition_digest,
        checklist="{}",
        state=rules.REVIEW.initial,
        requested_by=principal.user_id,
        requested_at=clock.now(),
    )
    session.add(review)
    ledger.record(
        session,
        actor=principal.actor,
        action="product.review.request",
        subject=review,
        payload={"definition_digest": review.definition_digest},
    )
    rules.LIFECYCLE.apply(product, "submit_review")
    ledger.record(session, actor=principal.actor, action="product.submit-review", subject=product)
    return review


def review_document(product: Product, review: ProductReview, answers: dict[str, Any]) -> dict[str, Any]:
    """What the bureau reviewer signs: this product's definition, by its digest, and the checklist's answers."""
    return {
        "product": product.code,
        "version": product.version,
        "definition_digest": review.definition_digest,
        "checklist": answers,
    }


def _answers(checklist: dict[str, Any]) -> dict[str, dict[str, Any]]:
    answers = {}
    for item in rules.CHECKLIST:
        given = checklist.get(item)
        if given is None:
            continue
        passed = given.get("passed") if isinstance(given, dict) else getattr(given, "passed", False)
        note = given.get("note") if isinstance(given, dict) else getattr(given, "note", "")
        note = clean_prose(str(note or ""), field="note", max_length=rules.CHECKLIST_NOTE_MAX)
        answers[item] = {"passed": passed is True, "note": note}
    return answers


def review(
    session: Session, *, principal: Principal, code: str, decision: str, checklist: dict[str, Any], reason: str = ""
) -> ProductReview:
    """A bureau reviewer (admin or reviewer) approves, every checklist item passed with a note, signing the
    definition's digest; or returns it with a reason. Nobody reviews a product of their own organisation."""
    product = _find(session, code)
    if product is None:
        raise Refused("product.not-found", what=Text(Product.guard.what))
    if principal.organisation_id in (product.developer_id, product.operator_id):
        raise Refused("product.own-review")
    access.require(principal, "product.read", product)  # 404 for those who may not see it
    access.require(principal, "product.review")  # 403 for the bureau's members, who see but do not review
    if decision not in ("approve", "return"):
        raise Refused("product.review-decision", field="decision")
    current = open_review(session, product)
    if current is None or product.state != P.REVIEW:
        raise rules.LIFECYCLE.refusal(product.state, decision)
    answers = _answers(checklist)
    current.checklist = canonical.dumps(answers).decode("utf-8")
    current.reviewed_by, current.reviewed_at = principal.user_id, clock.now()
    if decision == "return":
        text = clean_prose(reason or "", field="reason", max_length=2000)
        if not text:
            raise Refused("product.review-reason", field="reason")
        current.reason, current.decision = text, "return"
        rules.REVIEW.apply(current, "return")
        ledger.record(
            session, actor=principal.actor, action="product.review.return", subject=current, payload={"reason": text}
        )
        rules.LIFECYCLE.apply(product, "return")
        ledger.record(session, actor=principal.actor, action="product.returned", subject=product)
        return current
    missing = rules.checklist_problem(answers)
    if missing is not None:
        raise Refused("product.checklist", item=Text(rules.CHECKLIST[missing]), field=f"checklist.{missing}")
    if current.definition_digest != product.definition_digest:  # cannot happen: a product in review is not revised
        raise Refused("product.changed", code=product.code)
    _check_definition(session, definition_of(product))
    current.decision = "approve"
    current.reason = clean_prose(reason or "", field="reason", max_length=2000) or None
    signoff.sign(
        session,
        actor=principal.actor,
        spec=REVIEW_SIGN_OFF,
        subject=current,
        side="bureau",
        document=review_document(product, current, answers),
        payload={"definition_digest": current.definition_digest},
    )
    product.reviewed_digest = current.definition_digest
    rules.LIFECYCLE.apply(product, "approve")
    ledger.record(
        session,
        actor=principal.actor,
        action="product.approved",
        subject=product,
        payload={"reviewed_digest": product.reviewed_digest},
    )
    return current


def review_queue(session: Session, *, principal: Who) -> list[tuple[Product, ProductReview]]:
    """Products waiting for their security review, oldest request first: the bureau's queue."""
    access.require(principal, "product.review")
    statement = (
        select(Product, ProductReview)
        .join(ProductReview, ProductReview.product_id == Product.id)
        .where(ProductReview.state == rules.V.OPEN.value, Product.state == P.REVIEW.value)
        .order_by(ProductReview.requested_at, ProductReview.id)
    )
    return [(product, review) for product, review in session.execute(statement).all()]


# --- registration (登记) ------------------------------------------------------------------------------------


def description_of(session: Session, product: Product) -> dict[str, Any]:
    """The product as a registration records it."""
    scenario = scenario_of(session, product)
    return {
        "code": product.code,
        "name": product.name,
        "kind": product.kind,
        "description": product.description,
        "delivery": product.delivery,
        "purposes": purposes_of(product),
        "scenario": scenario.code,
        "field": scenario.field,
        "resources": list(resources_of(product)),
        "version": product.version,
        "definition_digest": product.definition_digest,
        "reviewed_digest": product.reviewed_digest,
    }


def submit_registration(
    session: Session, *, principal: Principal, code: str, kind: str | None = None, reason: str = ""
) -> Registration:
    """The operator applies to register its reviewed product: a first registration, a change registration (a
    product registered before whose definition changed and passed review again), or a cancellation (with why)."""
    product = get(session, principal=principal, code=code, permission="product.register")
    chosen = kind or ("change" if product.registration_number else "first")
    if chosen not in registration_rules.KINDS:
        raise Refused("registration.kind", kind=chosen)
    submission = description_of(session, product)
    if chosen == "cancel":
        if not rules.LIFECYCLE.allows(product.state, "cancel"):
            raise rules.LIFECYCLE.refusal(product.state, "cancel")
        text = clean_prose(reason or "", field="reason", max_length=2000)
        if not text:
            raise Refused("product.cancel-reason", field="reason")
        submission["reason"] = text
    else:
        if not rules.LIFECYCLE.allows(product.state, "submit_registration"):
            raise rules.LIFECYCLE.refusal(product.state, "submit_registration")
        if (chosen == "change") != (product.registration_number is not None):
            raise Refused("product.registration-kind", field="kind")
        if product.reviewed_digest != product.definition_digest:
            raise Refused("product.changed", code=product.code)
    application = registration.submit(
        session,
        actor=principal.actor,
        subject_kind=SUBJECT,
        subject_id=product.id,
        kind=chosen,
        applicant_id=product.operator_id,
        submission=submission,
    )
    if chosen != "cancel":
        rules.LIFECYCLE.apply(product, "submit_registration")
        ledger.record(session, actor=principal.actor, action="product.submit-registration", subject=product)
    return application


def _registration_returned(session: Session, *, actor: Actor, application: Registration, action: str) -> None:
    product = session.get_one(Product, application.subject_id)
    if application.kind == "cancel" or product.state != P.REGISTERING:
        return
    rules.LIFECYCLE.apply(product, "registration_returned")
    ledger.record(session, actor=actor, action=action, subject=product, payload={"registration": application.id})


def review_registration(
    session: Session, *, principal: Who, registration_id: int, decision: str, reason: str | None
) -> Registration:
    """The bureau accepts a product's application (its public notice starts), returns it, or rejects it."""
    application = registration.get_for_review(
        session, principal=principal, registration_id=registration_id, subject_kind=SUBJECT
    )
    application = registration.decide(
        session, actor=principal.actor, registration=application, decision=decision, reason=reason
    )
    if decision in ("return", "reject"):
        _registration_returned(
            session, actor=principal.actor, application=application, action=f"product.registration-{decision}"
        )
    return application


def answer_objection(session: Session, *, principal: Who, objection_id: int, answer: str, reason: str) -> Objection:
    """The bureau answers an objection to a product's application; upheld, the application goes back."""
    access.require(principal, "registration.review")
    objection = registration.get_objection(
        session, principal=principal, objection_id=objection_id, subject_kind=SUBJECT
    )
    objection, application = registration.answer_objection(
        session, actor=principal.actor, objection=objection, answer=answer, reason=reason
    )
    if application.state == registration_rules.S.RETURNED:
        _registration_returned(
            session, actor=principal.actor, application=application, action="product.registration-return"
        )
    return objection


def finalise_due(session: Session, *, actor: Actor) -> list[str]:
    """Register every product whose public notice is over (the scheduler calls this); idempotent."""
    done = []
    for application in registration.due_for_finalising(session, subject_kind=SUBJECT, today=clock.today()):
        application = registration.finalise(session, actor=actor, registration=application)
        assert application.number is not None, "finalise assigns the registration number"
        product = session.get_one(Product, application.subject_id)
        if application.kind == "cancel":
            if product.state == P.LISTED:
                _delist(session, actor=actor, product=product, reason="cancelled")
            rules.LIFECYCLE.apply(product, "cancel")
        else:
            if application.kind == "first":
                product.registration_number = application.number
            rules.LIFECYCLE.apply(product, "register")
        ledger.record(
            session,
            actor=actor,
            action=f"product.registered-{application.kind}",
            subject=product,
            payload={"number": application.number},
        )
        done.append(f"product registered: {application.number}")
    return done


def registrations_of(session: Session, product: Product) -> list[Registration]:
    return registration.history(session, subject_kind=SUBJECT, subject_id=product.id)


@dataclass(frozen=True)
class RegistrationReview:
    """A product's application as the bureau reviews it: the product, what it asks to register, objections."""

    application: Registration
    product: Product
    submission: dict[str, Any]
    objections: list[Objection]

    @property
    def unanswered(self) -> int:
        return sum(1 for objection in self.objections if objection.answer is None)


def registration_queue(session: Session, *, principal: Who) -> list[RegistrationReview]:
    """Open product registrations, oldest first, with their objections: the bureau's inbox for products."""
    access.require(principal, "registration.review")
    applications = registration.open_list(session, subject_kind=SUBJECT)
    objections = registration.objections_of(session, [application.id for application in applications])
    products = _products_by_id(session, {application.subject_id for application in applications})
    return [
        RegistrationReview(
            application,
            products[application.subject_id],
            registration.submission_of(application),
            objections[application.id],
        )
        for application in applications
    ]


def registration_review_count(session: Session, *, principal: Who) -> int:
    access.require(principal, "registration.review")
    return registration.counts_by_state(session, subject_kind=SUBJECT).get(registration.AWAITING_REVIEW, 0)


def objections_to_answer(session: Session, *, principal: Who) -> int:
    access.require(principal, "registration.review")
    return registration.unanswered_total(session, subject_kind=SUBJECT)


def _products_by_id(session: Session, ids: set[int]) -> dict[int, Product]:
    if not ids:
        return {}
    return {product.id: product for product in session.execute(select(Product).where(Product.id.in_(ids))).scalars()}


# --- listing (上架) -----------------------------------------------------------------------------------------


def _check_offer(session: Session, product: Product) -> None:
    """What a listed product must still be, every time it is offered: the reviewed definition, an approved
    scenario, its operator's authorization reaching every resource."""
    if product.reviewed_digest != product.definition_digest:
        raise Refused("product.changed", code=product.code)
    try:
        scenarios.approved(session, scenario_id=product.scenario_id)
    except Refused:
        raise Refused("product.scenario", code=product.code) from None
    for code in resources_of(product):
        if scope.check_use(session, organisation_id=product.operator_id, code=code) is not None:
            raise Refused("product.out-of-scope", code=product.code)


def list_product(session: Session, *, principal: Principal, code: str) -> Product:
    """The operator's admin lists a registered (or delisted) product on the public product list."""
    product = get(session, principal=principal, code=code, permission="product.list")
    if not rules.LIFECYCLE.allows(product.state, "list"):
        raise rules.LIFECYCLE.refusal(product.state, "list")
    open_application = registration.open_for(session, subject_kind=SUBJECT, subject_id=product.id)
    if open_application is not None:  # a cancellation under way
        raise Refused("product.cancellation-open", code=product.code)
    _check_offer(session, product)
    rules.LIFECYCLE.apply(product, "list")
    product.listed_at, product.delisted_at = clock.now(), None
    ledger.record(session, actor=principal.actor, action="product.list", subject=product)
    return product


def _delist(session: Session, *, actor: Actor, product: Product, reason: str) -> None:
    rules.LIFECYCLE.apply(product, "delist")
    product.delisted_at = clock.now()
    ledger.record(session, actor=actor, action="product.delist", subject=product, payload={"reason": reason})


def delist(session: Session, *, principal: Principal, code: str, reason: str) -> Product:
    """The operator's admin takes its product off the list, or the bureau's admin any product; with a reason."""
    product = get(session, principal=principal, code=code, permission="product.delist")
    if not rules.LIFECYCLE.allows(product.state, "delist"):
        raise rules.LIFECYCLE.refusal(product.state, "delist")
    text = clean_prose(reason or "", field="reason", max_length=2000)
    if not text:
        raise Refused("product.delist-reason", field="reason")
    _delist(session, actor=principal.actor, product=product, reason=text)
    return product


def delist_with_authorization(session: Session, *, actor: Actor) -> list[str]:
    """Every listed product of an operator whose authorization no longer allows use (exited, terminated,
    suspended, rectifying) is delisted by the platform, with the reason; the scheduler calls this."""
    listed = select(Product).where(Product.state == P.LISTED.value).order_by(Product.id)
    usable: dict[int, bool] = {}
    done: list[str] = []
    for product in session.execute(listed).scalars().all():
        if product.operator_id not in usable:
            usable[product.operator_id] = _operator_usable(session, product.operator_id, actor=actor)
        if not usable[product.operator_id]:
            _delist(session, actor=actor, product=product, reason="the operator's authorization has ended")
            done.append(f"product {product.code} delisted: the operator's authorization has ended")
    return done


def _operator_usable(session: Session, operator_id: int, *, actor: Actor) -> bool:
    """Does the operator hold an agreement under which the data may be used today (active, renewing, exiting
    later)? Rectifying, suspended, exited or terminated: no."""
    every = agreements.list_agreements(session, principal=PlatformItself(actor))
    return any(
        agreement.operator_id == operator_id and agreement.state in authorization_rules.USABLE_STATES
        for agreement in every
    )


def offerable(session: Session, *, code: str) -> Product:
    """The listed product a subscription or a call may use now: listed, its definition the one reviewed, its
    scenario still approved, its operator's authorization reaching its resources; else the refusal says which."""
    product = _find(session, code)
    if product is None or (product.registration_number is None and product.listed_at is None):
        # Never registered nor listed: the public has never seen it, so its state is nobody's to learn here.
        raise Refused("product.not-found", what=Text(Product.guard.what))
    if product.reviewed_digest is not None and product.reviewed_digest != product.definition_digest:
        raise Refused("product.changed", code=product.code)  # whatever its state: changed since its review
    if product.state != P.LISTED:
        raise Refused("product.not-listed", code=product.code)
    _check_offer(session, product)
    return product


# --- the released statistical table (统计数据表) -----------------------------------------------------------


def _released_output(session: Session, *, principal: Principal, job_id: int, output: str) -> tuple[Any, str]:
    if not 1 <= job_id <= INT4_MAX:  # no job has such a number
        raise Refused("product.job-not-released", field="job_id")
    job = jobs.get(session, principal=principal, job_id=job_id)
    if job.state != job_rules.J.RELEASED or job.operator_released_at is None or job.bureau_released_at is None:
        raise Refused("product.job-not-released", field="job_id")
    files = json.loads(job.manifest or "{}").get("files", [])
    digest = next((item["sha256"] for item in files if item.get("name") == output), None)
    if digest is None:
        raise Refused("product.job-output", output=output, field="output")
    return job, digest


def _check_table(session: Session, *, principal: Principal, definition: Definition, operator_id: int) -> None:
    """A statistical table pins an output both sides released, by the digest of the file released, of a job run
    under a contract of the product's operator."""
    if not isinstance(definition, StatisticalTable):
        return
    job, digest = _released_output(session, principal=principal, job_id=definition.job_id, output=definition.output)
    if digest != definition.output_digest:
        raise Refused("product.job-output", output=definition.output, field="definition")
    if job.operator_id != operator_id:
        raise Refused("product.job-operator", field="job_id")


def publish_table(session: Session, *, principal: Principal, body: PublishTableIn) -> Product:
    """A released job output as a statistical table: a new product, or a new version of one (``code``): its
    version goes up and it goes back to review."""
    access.require(principal, "product.develop", access.own_organisation(principal))
    job, digest = _released_output(session, principal=principal, job_id=body.job_id, output=body.output)
    if body.code:
        product = get(session, principal=principal, code=body.code, permission="product.develop")
        if product.kind != "statistical_table":
            raise Refused("product.kind-mismatch", field="code")
        if job.operator_id != product.operator_id:
            raise Refused("product.job-operator", field="job_id")
        old = definition_of(product)
        definition = StatisticalTable(resources=old.resources, job_id=job.id, output=body.output, output_digest=digest)
        revision = ProductRevision(description=body.description, definition=definition)
        return revise(session, principal=principal, code=product.code, body=revision)
    if body.scenario_id is None or body.name is None or body.description is None or body.purposes is None:
        raise Refused("product.table-fields", field="name")
    scenario = _approved_scenario(session, scenario_id=body.scenario_id)
    if job.operator_id != scenario.operator_id:
        raise Refused("product.job-operator", field="job_id")
    from pubdata.contracts import service as contracts

    resources = tuple(
        contracts.terms_of(contracts.get(session, principal=principal, contract_id=job.contract_id)).resources
    )
    definition = StatisticalTable(resources=resources, job_id=job.id, output=body.output, output_digest=digest)
    created = ProductIn(
        scenario_id=body.scenario_id,
        name=body.name,
        kind="statistical_table",
        description=body.description,
        delivery="table",
        purposes=body.purposes,
        definition=definition,
    )
    return create(session, principal=principal, body=created)


# --- what the public sees -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicProduct:
    """A listed product as anyone sees it: metadata, the operator's name, the scenario's field, the resources
    used by code and name."""

    product: Product
    operator: str
    field: str
    resources: list[tuple[str, str]]
    purposes: list[str]


def _public(session: Session, products: list[Product]) -> list[PublicProduct]:
    operators = identity.organisation_names(session, {product.operator_id for product in products})
    fields: dict[int, str] = {}
    for scenario_id in {product.scenario_id for product in products}:
        found = _scenario(session, scenario_id)
        fields[scenario_id] = found.field if found is not None else ""
    names = _resource_names(session, {code for product in products for code in resources_of(product)})
    return [
        PublicProduct(
            product,
            operators.get(product.operator_id, ""),
            fields.get(product.scenario_id, ""),
            [(code, names.get(code, code)) for code in resources_of(product)],
            purposes_of(product),
        )
        for product in products
    ]


def public_of(session: Session, product: Product) -> PublicProduct:
    """One product's public metadata (its operator's name, field, resources by name)."""
    return _public(session, [product])[0]


def _resource_names(session: Session, codes: set[str]) -> dict[str, str]:
    """The public catalogue's names of these resources (one no longer in it is shown by its code)."""
    names = {}
    for code in sorted(codes):
        try:
            names[code] = catalog.public_get(session, code=code).name
        except Refused:
            continue
    return names


def public_list(session: Session) -> list[PublicProduct]:
    """Every listed product, by name: the public product list (no login)."""
    statement = select(Product).where(Product.state.in_(rules.PUBLIC_STATES)).order_by(Product.code)
    return _public(session, list(session.execute(statement).scalars()))


def offered_on(session: Session, *, day: date) -> list[PublicProduct]:
    """The products on offer at the end of ``day`` (Asia/Shanghai): listed by then and not delisted by then. A
    year's disclosure lists these, whatever happened to them since."""
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=clock.SHANGHAI)
    statement = select(Product).where(
        Product.listed_at.is_not(None),
        Product.listed_at < end,
        or_(Product.delisted_at.is_(None), Product.delisted_at >= end),
    )
    return _public(session, list(session.execute(statement.order_by(Product.code)).scalars()))


@dataclass(frozen=True)
class PublicView:
    """A product anyone may see: listed, or its application under public notice (with the objection form)."""

    public: PublicProduct
    notice: Registration | None

    @property
    def objection_open(self) -> bool:
        notice = self.notice
        return notice is not None and registration_rules.objection_open(
            today=clock.today(), notice_until=notice.notice_until, state=notice.state
        )


def public_view(session: Session, *, code: str) -> PublicView:
    """A listed product or one under public notice; any other is unknown to the public (404)."""
    product = _find(session, code)
    notice = registration.in_notice_for(session, subject_kind=SUBJECT, subject_id=product.id) if product else None
    if product is None or (product.state not in rules.PUBLIC_STATES and notice is None):
        raise Refused("product.not-found", what=Text(Product.guard.what))
    return PublicView(_public(session, [product])[0], notice)


def public_notices(session: Session) -> list[tuple[Registration, Product]]:
    applications = registration.in_notice(session, subject_kind=SUBJECT)
    products = _products_by_id(session, {application.subject_id for application in applications})
    return [(application, products[application.subject_id]) for application in applications]


def file_objection(session: Session, *, code: str, name: str, contact: str, reason: str) -> Objection:
    """Anyone objects to a product's application while its public notice runs."""
    product = _find(session, code)
    noticed = (
        [
            application
            for application in registration.history(session, subject_kind=SUBJECT, subject_id=product.id)
            if application.notice_until is not None
        ]
        if product is not None
        else []
    )
    if product is None or not noticed or (product.state not in rules.PUBLIC_STATES and noticed[-1].state != "notice"):
        raise Refused("product.not-found", what=Text(Product.guard.what))
    return registration.file_objection(
        session, actor=PUBLIC, registration=noticed[-1], name=name, contact=contact, reason=reason
    )


def public_pages(session: Session, ids: set[int]) -> dict[int, ledger_public.Page]:
    """The public pages of those products that are listed (the public ledger links them)."""
    found = session.execute(
        select(Product.id, Product.name, Product.code).where(
            Product.id.in_(ids), Product.state.in_(rules.PUBLIC_STATES)
        )
    ).all()
    return {id_: ledger_public.Page(name, f"/products/{code}") for id_, name, code in found}


ledger_public.publish("product", public_pages)


# --- the workbenches --------------------------------------------------------------------------------------


def counts_by_state(session: Session, *, principal: Who) -> dict[str, int]:
    statement = access.visible(select(Product.state, func.count()), principal, Product).group_by(Product.state)
    return {state: count for state, count in session.execute(statement).all()}


def review_count(session: Session, *, principal: Who) -> int:
    return len(review_queue(session, principal=principal))


def name_clean(value: str) -> str:
    return clean(value, field="name", max_length=200)


def scenario_choices(session: Session, *, principal: Principal) -> list[Scenario]:
    """The approved scenario plans the caller may build a product under: its own operator's (an operator), or
    those of the operators that admitted it (a partner)."""
    if principal.organisation_kind == "operator":
        operators = {principal.organisation_id}
    elif principal.organisation_kind == "partner":
        operators = {
            held.operator_id
            for held in scope.held_scopes(session, principal=principal)
            if held.held_as == "partner" and held.state == authorization_rules.P.ADMITTED
        }
    else:
        return []
    return [
        scenario
        for scenario in scenarios.scenarios_for(session, principal=PlatformItself(SYSTEM))
        if scenario.state == scenario_rules.S.APPROVED.value
        and scenario.operator_id in operators
        and scenario.proposer_id in {scenario.operator_id, principal.organisation_id}
    ]


def actions_for(principal: Who | None, product: Product) -> set[str]:
    """What the caller may do with the product now (the buttons its page offers)."""
    offered = {
        "submit_review": "product.develop",
        "revise": "product.develop",
        "submit_registration": "product.register",
        "list": "product.list",
        "delist": "product.delist",
        "cancel": "product.register",
    }
    return access.actions(principal, product, offered, rules.LIFECYCLE)


def returned(session: Session, *, principal: Who) -> list[Product]:
    """The caller's products back in development after their last security review returned them."""
    found = [product for product in listing(session, principal=principal) if product.state == P.DEVELOPMENT]
    if not found:
        return []
    latest: dict[int, str] = {}
    statement = (
        select(ProductReview.product_id, ProductReview.state)
        .where(ProductReview.product_id.in_({product.id for product in found}))
        .order_by(ProductReview.id)
    )
    for product_id, state in session.execute(statement).all():
        latest[product_id] = state
    return [product for product in found if latest.get(product.id) == rules.V.RETURNED.value]


def awaiting_listing(session: Session, *, principal: Who) -> list[Product]:
    """The caller's registered products not yet listed (the operator's admin lists them)."""
    return [product for product in listing(session, principal=principal) if product.state == P.REGISTERED]


def by_ids(session: Session, ids: set[int]) -> dict[int, Product]:
    """Products by id, whatever their state (a consent or a call names its product as long as it is kept)."""
    return _products_by_id(session, ids)
