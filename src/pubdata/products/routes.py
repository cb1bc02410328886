"""Products API: create, revise, security review, registration, listing; the bureau's product registrations;
and the public product list (no login)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, ConfigDict, Field

from pubdata.billing import service as billing
from pubdata.billing.schemas import PublicPriceOut
from pubdata.common import messages
from pubdata.common.bounds import RowId
from pubdata.common.names import Prose
from pubdata.contracts.rules import PURPOSES
from pubdata.identity import service as identity
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.products import rules, schemas, service
from pubdata.products.models import Product
from pubdata.scenarios import rules as scenario_rules
from pubdata.web.deps import CommandSession, ReadSession

router = APIRouter(prefix="/api/v1", tags=["products"])
public = APIRouter(prefix="/api/v1/public", tags=["public"])
Code = Annotated[str, Path(max_length=32, description="The product's code, e.g. CP-0001")]
ZH = "zh-CN"


def _zh(vocabulary: dict[str, tuple[str, str]], code: str) -> str:
    return messages.pick(vocabulary[code], ZH) if code in vocabulary else code


def product_out(session, product: Product, *, with_reviews: bool = True) -> schemas.ProductOut:  # noqa: ANN001
    state = rules.LIFECYCLE.state_of(product)
    reviews = service.reviews_of(session, product) if with_reviews else []
    return schemas.ProductOut(
        code=product.code,
        name=product.name,
        kind=product.kind,
        kind_name=_zh(rules.KINDS, product.kind),
        state=product.state,
        state_name=state.zh,
        operator_id=product.operator_id,
        operator=identity.organisation_names(session, {product.operator_id}).get(product.operator_id, ""),
        developer_id=product.developer_id,
        scenario_id=product.scenario_id,
        description=product.description,
        delivery=product.delivery,
        purposes=service.purposes_of(product),
        definition=service.definition_of(product).document(),
        definition_digest=product.definition_digest,
        reviewed_digest=product.reviewed_digest,
        version=product.version,
        registration_number=product.registration_number,
        listed_at=product.listed_at,
        delisted_at=product.delisted_at,
        reviews=[
            schemas.ReviewOut(
                id=review.id,
                definition_digest=review.definition_digest,
                state=review.state,
                checklist=service.checklist_of(review),
                reason=review.reason,
                requested_at=review.requested_at,
                reviewed_at=review.reviewed_at,
            )
            for review in reviews
        ],
    )


def public_out(found: service.PublicProduct, price: billing.PriceView | None) -> schemas.PublicProductOut:
    product = found.product
    return schemas.PublicProductOut(
        code=product.code,
        name=product.name,
        kind=product.kind,
        kind_name=_zh(rules.KINDS, product.kind),
        operator=found.operator,
        field=found.field,
        field_name=_zh(scenario_rules.FIELDS, found.field),
        resources=[schemas.ResourceUsed(code=code, name=name) for code, name in found.resources],
        registration_number=product.registration_number,
        delivery=product.delivery,
        delivery_name=_zh(rules.DELIVERY, product.delivery),
        purposes=found.purposes,
        purpose_names=[_zh(PURPOSES, purpose) for purpose in found.purposes],
        description=product.description,
        version=product.version,
        price=PublicPriceOut.of(price),
    )


@router.post("/products", response_model=schemas.ProductOut, status_code=status.HTTP_201_CREATED)
def create(body: schemas.ProductIn, session: CommandSession, principal: ApiPrincipal) -> schemas.ProductOut:
    """The operator, or a partner it admitted, starts a product under an approved scenario plan."""
    return product_out(session, service.create(session, principal=principal, body=body))


@router.post("/products/statistical-tables", response_model=schemas.ProductOut, status_code=status.HTTP_201_CREATED)
def publish_table(body: schemas.PublishTableIn, session: CommandSession, principal: ApiPrincipal) -> schemas.ProductOut:
    """A job output released by both sides, as a statistical table (a new version when ``code`` is given)."""
    return product_out(session, service.publish_table(session, principal=principal, body=body))


@router.get("/products", response_model=list[schemas.ProductOut])
def listing(session: ReadSession, principal: ApiPrincipal) -> list[schemas.ProductOut]:
    return [product_out(session, p, with_reviews=False) for p in service.listing(session, principal=principal)]


@router.get("/products/{code}", response_model=schemas.ProductOut)
def get(code: Code, session: ReadSession, principal: ApiPrincipal) -> schemas.ProductOut:
    return product_out(session, service.get(session, principal=principal, code=code))


@router.post("/products/{code}/revise", response_model=schemas.ProductOut)
def revise(
    code: Code, body: schemas.ProductRevision, session: CommandSession, principal: ApiPrincipal
) -> schemas.ProductOut:
    return product_out(session, service.revise(session, principal=principal, code=code, body=body))


@router.post("/products/{code}/submit-review", response_model=schemas.ProductOut)
def submit_review(code: Code, session: CommandSession, principal: ApiPrincipal) -> schemas.ProductOut:
    review = service.submit_review(session, principal=principal, code=code)
    return product_out(session, session.get_one(Product, review.product_id))


@router.post("/products/{code}/review", response_model=schemas.ProductOut)
def review(code: Code, body: schemas.ReviewIn, session: CommandSession, principal: ApiPrincipal) -> schemas.ProductOut:
    """A bureau reviewer's decision, with the checklist (every item passed, with a note, to approve)."""
    done = service.review(
        session,
        principal=principal,
        code=code,
        decision=body.decision,
        checklist={item: answer.model_dump() for item, answer in body.checklist.items()},
        reason=body.reason,
    )
    return product_out(session, session.get_one(Product, done.product_id))


class RegistrationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    subject_id: int
    kind: str
    state: str
    submitted_at: object
    decided_at: object | None
    reason: str | None
    notice_until: object | None
    registered_at: object | None
    number: str | None


@router.post("/products/{code}/register", response_model=RegistrationOut, status_code=status.HTTP_201_CREATED)
def register(
    code: Code, body: schemas.RegistrationIn, session: CommandSession, principal: ApiPrincipal
) -> RegistrationOut:
    """The operator's admin applies for first, change (chosen by the platform when ``kind`` is left out) or
    cancellation registration."""
    application = service.submit_registration(
        session, principal=principal, code=code, kind=body.kind, reason=body.reason
    )
    return RegistrationOut.model_validate(application)


@router.get("/products/{code}/registrations", response_model=list[RegistrationOut])
def registrations(code: Code, session: ReadSession, principal: ApiPrincipal) -> list[RegistrationOut]:
    product = service.get(session, principal=principal, code=code)
    return [RegistrationOut.model_validate(one) for one in service.registrations_of(session, product)]


@router.post("/products/{code}/list", response_model=schemas.ProductOut)
def list_product(code: Code, session: CommandSession, principal: ApiPrincipal) -> schemas.ProductOut:
    return product_out(session, service.list_product(session, principal=principal, code=code))


@router.post("/products/{code}/delist", response_model=schemas.ProductOut)
def delist(code: Code, body: schemas.ReasonIn, session: CommandSession, principal: ApiPrincipal) -> schemas.ProductOut:
    return product_out(session, service.delist(session, principal=principal, code=code, reason=body.reason))


# --- the bureau's review of product registrations -----------------------------------------------------------


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    decision: str = Field(description="accept, return or reject")
    reason: Prose | None = Field(default=None, max_length=1000)


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: str = Field(description="upheld or dismissed")
    reason: str = Field(max_length=5000)


@router.get("/product-registrations", response_model=list[RegistrationOut])
def registration_queue(session: ReadSession, principal: ApiPrincipal) -> list[RegistrationOut]:
    return [
        RegistrationOut.model_validate(one.application)
        for one in service.registration_queue(session, principal=principal)
    ]


@router.post("/product-registrations/{registration_id}/decision", response_model=RegistrationOut)
def decide(
    registration_id: RowId, body: DecisionIn, session: CommandSession, principal: ApiPrincipal
) -> RegistrationOut:
    application = service.review_registration(
        session, principal=principal, registration_id=registration_id, decision=body.decision, reason=body.reason
    )
    return RegistrationOut.model_validate(application)


@router.post("/product-registrations/objections/{objection_id}/answer", status_code=status.HTTP_200_OK)
def answer_objection(
    objection_id: RowId, body: AnswerIn, session: CommandSession, principal: ApiPrincipal
) -> dict[str, object]:
    objection = service.answer_objection(
        session, principal=principal, objection_id=objection_id, answer=body.answer, reason=body.reason
    )
    return {"id": objection.id, "answer": objection.answer}


# --- public -------------------------------------------------------------------------------------------------


@public.get("/products", response_model=list[schemas.PublicProductOut])
def public_products(session: ReadSession) -> list[schemas.PublicProductOut]:
    """Every listed product (no login): name, kind, operator, field, resources used, registration number,
    delivery form and purpose categories, each code with its Chinese name."""
    listed = service.public_list(session)
    prices = billing.price_views(session, {found.product.id for found in listed})
    return [public_out(found, prices.get(found.product.id)) for found in listed]


@public.get("/products/{code}", response_model=schemas.PublicProductOut)
def public_product(code: Code, session: ReadSession) -> schemas.PublicProductOut:
    found = service.public_view(session, code=code).public
    return public_out(found, billing.price_views(session, {found.product.id}).get(found.product.id))


class ObjectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=1000, description="The objector's name or organisation (never published).")
    contact: str = Field(max_length=1000, description="A mobile, a landline or an e-mail (never published).")
    reason: str = Field(max_length=20000, description="The grounds of the objection.")


@public.post("/products/{code}/objections", status_code=status.HTTP_201_CREATED)
def file_objection(code: Code, body: ObjectionIn, session: CommandSession) -> dict[str, object]:
    """Anyone objects, without logging in, while the product's registration is under public notice."""
    service.file_objection(session, code=code, name=body.name, contact=body.contact, reason=body.reason)
    notice = service.public_view(session, code=code).notice
    return {"filed": True, "notice_until": notice.notice_until if notice else None}
