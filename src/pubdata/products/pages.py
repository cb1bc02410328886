"""Product pages: the public product list and product pages (with the objection form during a notice), the
operator's product workbench, the bureau's security-review queue and its product registrations."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from pubdata.billing import service as billing
from pubdata.common.bounds import RowId
from pubdata.common.errors import Refused
from pubdata.contracts.rules import PURPOSES
from pubdata.identity import access
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import MaybePagePrincipal, PagePrincipal
from pubdata.products import definitions, rules, service
from pubdata.products.models import Product
from pubdata.products.schemas import ProductIn, ProductRevision, PublishTableIn
from pubdata.registration import rules as registration_rules
from pubdata.scenarios import rules as scenario_rules
from pubdata.web.deps import PlatformDep, ReadSession
from pubdata.web.forms import confirmed, validation_refusal
from pubdata.web.render import act_on, check_csrf, render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Long = Annotated[str, Form(max_length=20000)]
Texts = Annotated[list[str], Form()]
VOCAB = {
    "rules": rules,
    "purposes": PURPOSES,
    "fields": scenario_rules.FIELDS,
    "registration_rules": registration_rules,
    "scenario_rules": scenario_rules,
}


def _definition(text: str) -> Any:
    try:
        document = json.loads(text or "")
    except ValueError:
        raise Refused("product.definition", where="JSON", field="definition") from None
    return service.parse_definition(document)


def _validated(model: type, **values: Any) -> Any:
    try:
        return model(**values)
    except ValidationError as error:
        raise validation_refusal(error) from None


def _status(error: Refused | None) -> int:
    return error.status if error else 200


# --- public -------------------------------------------------------------------------------------------------


@router.get("/products", response_class=HTMLResponse)
def public_products(request: Request, session: ReadSession, principal: MaybePagePrincipal) -> HTMLResponse:
    """Every listed product, and the products whose registration is under public notice."""
    listed = service.public_list(session)
    context = {
        "products": listed,
        "notices": service.public_notices(session),
        "prices": billing.price_views(session, {found.product.id for found in listed}),
        "describe_tariff": billing.describe_tariff,
        **VOCAB,
    }
    return render(request, "products/public_list.html", context)


# --- the operator's (and a partner's) product workbench --------------------------------------------------------


def _manage_page(
    request: Request, session: Session, principal: Principal, *, error: Refused | None = None
) -> HTMLResponse:
    own = service.listing(session, principal=principal)
    by_state: dict[str, list[Product]] = {}
    for product in own:
        by_state.setdefault(product.state, []).append(product)
    context = {
        "by_state": [(state, by_state[state]) for state in rules.STATES if state in by_state],
        "actions": {product.code: service.actions_for(principal, product) for product in own},
        "scenarios": service.scenario_choices(session, principal=principal),
        "may_develop": access.may(principal, "product.develop", access.own_organisation(principal)),
        "error": error,
        **VOCAB,
    }
    return render(request, "products/manage.html", context, status_code=_status(error))


@router.get("/products/manage", response_class=HTMLResponse)
def manage(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    return _manage_page(request, session, principal)


@router.post("/products/new", response_class=HTMLResponse)
def create(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    csrf_token: Text,
    scenario_id: Text = "",
    name: Annotated[str, Form(max_length=1000)] = "",
    kind: Annotated[str, Form(max_length=100)] = "",
    description: Long = "",
    delivery: Annotated[str, Form(max_length=100)] = "",
    purposes: Texts = [],  # noqa: B006 - FastAPI reads the form's list
    definition: Long = "",
) -> Response:
    check_csrf(request, csrf_token)

    def command(command_session: Session) -> Product:
        if not (scenario_id.isascii() and scenario_id.isdigit() and len(scenario_id) < 10):
            raise Refused("product.scenario-not-approved", field="scenario_id")
        body = _validated(
            ProductIn,
            scenario_id=int(scenario_id),
            name=name,
            kind=kind,
            description=description,
            delivery=delivery,
            purposes=purposes,
            definition=_definition(definition),
        )
        return service.create(command_session, principal=principal, body=body)

    return act_on(
        platform,
        command,
        action="create",
        then=lambda product: f"/products/{product.code}",
        notice="notice.product-created",
        show=lambda error: _manage_page(request, session, principal, error=error),
    )


@router.post("/products/statistical-tables", response_class=HTMLResponse)
def publish_table(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    csrf_token: Text,
    job_id: Text = "",
    output: Annotated[str, Form(max_length=1000)] = "",
    code: Annotated[str, Form(max_length=100)] = "",
    scenario_id: Text = "",
    name: Annotated[str, Form(max_length=1000)] = "",
    description: Long = "",
    purposes: Texts = [],  # noqa: B006
) -> Response:
    """A released job output published as a statistical table, or a new version of one."""
    check_csrf(request, csrf_token)

    def number(text: str) -> int | None:
        return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 10 else None

    def command(command_session: Session) -> Product:
        if number(job_id) is None:
            raise Refused("product.job-not-released", field="job_id")
        body = _validated(
            PublishTableIn,
            job_id=number(job_id),
            output=output,
            code=code or None,
            scenario_id=number(scenario_id),
            name=name or None,
            description=description or None,
            purposes=purposes or None,
        )
        return service.publish_table(command_session, principal=principal, body=body)

    return act_on(
        platform,
        command,
        action="publish",
        then=lambda product: f"/products/{product.code}",
        notice="notice.product-created",
        show=lambda error: _manage_page(request, session, principal, error=error),
    )


# --- the bureau's security reviews and product registrations ---------------------------------------------------


def _reviews_page(
    request: Request, session: Session, principal: Principal, *, error: Refused | None = None
) -> HTMLResponse:
    queue = service.review_queue(session, principal=principal)
    context = {
        "queue": [
            (product, review, service.definition_of(product).document(), service.public_of(session, product))
            for product, review in queue
        ],
        "error": error,
        **VOCAB,
    }
    return render(request, "products/reviews.html", context, status_code=_status(error))


@router.get("/products/reviews", response_class=HTMLResponse)
def reviews(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    return _reviews_page(request, session, principal)


def _registrations_page(
    request: Request, session: Session, principal: Principal, *, error: Refused | None = None
) -> HTMLResponse:
    context = {"queue": service.registration_queue(session, principal=principal), "error": error, **VOCAB}
    return render(request, "products/registrations.html", context, status_code=_status(error))


@router.get("/products/registrations", response_class=HTMLResponse)
def registrations(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    return _registrations_page(request, session, principal)


@router.post("/products/registrations/{registration_id}/decide", response_class=HTMLResponse)
def decide(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    registration_id: RowId,
    csrf_token: Text,
    decision: Text = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)

    def command(command_session: Session) -> object:
        why = confirmed({"confirm": confirm, "reason": reason}) if decision == "reject" else reason
        return service.review_registration(
            command_session, principal=principal, registration_id=registration_id, decision=decision, reason=why
        )

    return act_on(
        platform,
        command,
        action="decide",
        then="/products/registrations",
        notice="notice.registration-decided",
        show=lambda error: _registrations_page(request, session, principal, error=error),
    )


@router.post("/products/registrations/objections/{objection_id}/answer", response_class=HTMLResponse)
def answer_objection(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    objection_id: RowId,
    csrf_token: Text,
    answer: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    return act_on(
        platform,
        lambda command: service.answer_objection(
            command, principal=principal, objection_id=objection_id, answer=answer, reason=reason
        ),
        action="answer",
        then="/products/registrations",
        notice="notice.objection-answered",
        show=lambda error: _registrations_page(request, session, principal, error=error),
    )


# --- one product ----------------------------------------------------------------------------------------------


def _product_page(
    request: Request,
    session: Session,
    principal: Principal | None,
    code: str,
    *,
    error: Refused | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    """The product's page: everything, with its actions, for its parties and the regulators; for anyone else
    what the public sees (listed, or under public notice with the objection form)."""
    product = service.find(session, code=code)
    party = product is not None and principal is not None and access.may(principal, "product.read", product)
    if not party:
        view = service.public_view(session, code=code)
        context = {
            "public": view.public,
            "view": view,
            "definition": service.definition_of(view.public.product).document(),
            "described": definitions.describe(service.definition_of(view.public.product)),
            "error": error,
            "values": {key: value for key, value in (values or {}).items() if key == "reason"},
            **VOCAB,
        }
        return render(request, "products/public_product.html", context, status_code=_status(error))
    assert product is not None
    public = service.public_of(session, product)
    context = {
        "public": public,
        "product": product,
        "definition": service.definition_of(product).document(),
        "described": definitions.describe(service.definition_of(product)),
        "scenario": service.scenario_of(session, product),
        "reviews": service.reviews_of(session, product),
        "registrations": service.registrations_of(session, product),
        "notice": next((one for one in service.registrations_of(session, product) if one.state == "notice"), None),
        "actions": service.actions_for(principal, product),
        "checklist_of": service.checklist_of,
        "error": error,
        **VOCAB,
    }
    return render(request, "products/product.html", context, status_code=_status(error))


@router.get("/products/{code}", response_class=HTMLResponse)
def product_page(request: Request, session: ReadSession, principal: MaybePagePrincipal, code: str) -> HTMLResponse:
    return _product_page(request, session, principal, code)


@router.post("/products/{code}/objections", response_class=HTMLResponse)
def file_objection(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    code: str,
    csrf_token: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=1000)] = "",
    contact: Annotated[str, Form(max_length=1000)] = "",
    reason: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    """Anyone, logged in or not, objects to a product's registration under notice."""
    check_csrf(request, csrf_token)
    values = {"name": name, "contact": contact, "reason": reason}
    return act_on(
        platform,
        lambda command: service.file_objection(command, code=code, name=name, contact=contact, reason=reason),
        action="object",
        then=f"/products/{code}",
        notice="notice.objection-filed",
        show=lambda error: _product_page(request, session, None, code, error=error, values=values),
    )


NOTICES = {
    "submit-review": "notice.product-review-submitted",
    "review": "notice.product-reviewed",
    "register": "notice.product-registration-submitted",
    "cancel": "notice.product-registration-submitted",
    "list": "notice.product-listed",
    "delist": "notice.product-delisted",
    "revise": "notice.product-revised",
}


def _checklist(form: Any) -> dict[str, dict[str, Any]]:
    return {
        item: {"passed": form.get(f"passed_{item}") == "yes", "note": str(form.get(f"note_{item}") or "")}
        for item in rules.CHECKLIST
    }


@router.post("/products/{code}/do/{action}", response_class=HTMLResponse)
async def act(request: Request, platform: PlatformDep, principal: PagePrincipal, code: str, action: str) -> Response:
    """One of a product's actions, from its page (or the review queue, for ``review``)."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    text = lambda key: str(form.get(key) or "")  # noqa: E731

    commands: dict[str, Any] = {
        "submit-review": lambda s: service.submit_review(s, principal=principal, code=code),
        "review": lambda s: service.review(
            s,
            principal=principal,
            code=code,
            decision=text("decision"),
            checklist=_checklist(form),
            reason=text("reason"),
        ),
        "register": lambda s: service.submit_registration(s, principal=principal, code=code),
        "cancel": lambda s: service.submit_registration(
            s, principal=principal, code=code, kind="cancel", reason=confirmed(form)
        ),
        "list": lambda s: service.list_product(s, principal=principal, code=code),
        "delist": lambda s: service.delist(s, principal=principal, code=code, reason=text("reason")),
        "revise": lambda s: service.revise(
            s,
            principal=principal,
            code=code,
            body=_validated(
                ProductRevision,
                description=text("description") or None,
                definition=_definition(text("definition")) if text("definition").strip() else None,
            ),
        ),
    }
    back = "/products/reviews" if action == "review" else f"/products/{code}"

    def show(error: Refused) -> HTMLResponse:
        with platform.read() as session:
            if action == "review":
                return _reviews_page(request, session, principal, error=error)
            return _product_page(request, session, principal, code, error=error)

    return act_on(
        platform,
        commands.get(action),
        action=action,
        then=back,
        notice=NOTICES.get(action, "notice.done"),
        show=show,
    )
