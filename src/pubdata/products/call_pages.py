"""The consumer's product pages: its subscriptions and their contracts, the application form, and the call form —
a typed form for a query template's parameters, a list (typed or a CSV upload) of credit codes for a per-subject
product — whose answer is shown in a table with Chinese headers and downloads as CSV or XLSX, from the kept
answer (post, redirect, get: a refresh never calls, nor charges, again). The operator's list of applications
to approve or reject."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.common import messages, store
from pubdata.common.bounds import RowId
from pubdata.common.errors import Refused
from pubdata.contracts import rules as contract_rules
from pubdata.contracts import service as contracts
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import PagePrincipal
from pubdata.platform import Platform
from pubdata.products import calls, rules, subscriptions
from pubdata.products import service as products
from pubdata.products.call_routes import ProductCode
from pubdata.products.models import Product, Subscription
from pubdata.queries import console, exports
from pubdata.web import uploads
from pubdata.web.deps import PlatformDep, ReadSession, attachment
from pubdata.web.forms import day, number
from pubdata.web.render import act_on, check_csrf, language, redirect, render

router = APIRouter(include_in_schema=False)
UPLOAD_BYTES = 512 * 1024  # a list of credit codes: 1,000 of them are under 20 KiB


# --- subscriptions -------------------------------------------------------------------------------------------


def _product_by_id(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    assert product is not None
    return product


@dataclass(frozen=True)
class Line:
    """One subscription as the pages list it."""

    subscription: Subscription
    product: Product
    consumer: str
    contract: Any  # Contract | None
    can_sign: bool
    actions: set[str]


OFFERED = {"approve": "subscription.decide", "reject": "subscription.decide", "withdraw": "subscription.withdraw"}


def _lines(session: Session, principal: Principal, found: list[Subscription]) -> list[Line]:
    names = identity.organisation_names(session, {s.consumer_id for s in found})
    lines = []
    for subscription in found:
        contract = (
            contracts.get(session, principal=principal, contract_id=subscription.contract_id)
            if subscription.contract_id
            else None
        )
        lines.append(
            Line(
                subscription,
                _product_by_id(session, subscription.product_id),
                names.get(subscription.consumer_id, ""),
                contract,
                contract is not None and contracts.awaiting_signature(principal, contract),
                access.actions(principal, subscription, OFFERED, rules.SUBSCRIPTION),
            )
        )
    return lines


def _context() -> dict[str, Any]:
    return {
        "purposes": contract_rules.PURPOSES,
        "subscription_states": rules.SUBSCRIPTION.labels(),
        "contract_states": contract_rules.STATES,
        "kinds": rules.KINDS,
    }


@router.get("/products/subscriptions", response_class=HTMLResponse)
def subscriptions_page(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    """A consumer's subscriptions and their contracts; an operator's applications to decide; a regulator's all."""
    found = subscriptions.list_for(session, principal=principal)
    context = {"lines": _lines(session, principal, found), **_context()}
    return render(request, "products/calls/subscriptions.html", context)


def _subscription_page(
    request: Request, session: Session, principal: Principal, subscription_id: int, *, error: Refused | None = None
) -> HTMLResponse:
    subscription = subscriptions.get(session, principal=principal, subscription_id=subscription_id)
    (line,) = _lines(session, principal, [subscription])
    context = {
        "line": line,
        "operator": identity.organisation_names(session, {subscription.operator_id})[subscription.operator_id],
        "can_call": line.contract is not None
        and line.contract.state in (contract_rules.C.ACTIVE, contract_rules.C.EXHAUSTED)
        and access.may(principal, "product.call", line.contract),
        "error": error,
        **_context(),
    }
    return render(request, "products/calls/subscription.html", context, status_code=error.status if error else 200)


@router.get("/products/subscriptions/{subscription_id}", response_class=HTMLResponse)
def subscription_page(
    request: Request, session: ReadSession, principal: PagePrincipal, subscription_id: RowId
) -> HTMLResponse:
    return _subscription_page(request, session, principal, subscription_id)


@router.post("/products/subscriptions/{subscription_id}/do/{action}", response_class=HTMLResponse)
async def subscription_act(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    subscription_id: RowId,
    action: str,
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    reason = str(form.get("reason") or "")

    def sign(command: Session) -> Any:
        subscription = subscriptions.get(command, principal=principal, subscription_id=subscription_id)
        if subscription.contract_id is None:
            raise Refused("contract.proposed")
        return contracts.sign(command, principal=principal, contract_id=subscription.contract_id)

    commands = {
        "approve": lambda command: subscriptions.approve(command, principal=principal, subscription_id=subscription_id),
        "reject": lambda command: subscriptions.reject(
            command, principal=principal, subscription_id=subscription_id, reason=reason
        ),
        "withdraw": lambda command: subscriptions.withdraw(
            command, principal=principal, subscription_id=subscription_id
        ),
        "sign": sign,
    }
    notices = {"approve": "subscription.approved", "sign": "subscription.signed"}
    return act_on(
        platform,
        commands.get(action),
        action=action,
        then=f"/products/subscriptions/{subscription_id}",
        show=lambda error: _subscription_page(request, session, principal, subscription_id, error=error),
        notice=notices.get(action, "notice.done"),
    )


def _product(session: Session, principal: Principal, code: str) -> Product:
    """The product a page is about: listed (anyone may see it), one the caller's organisation has applied for,
    or one it may read (its operator, its developer, the regulators); else 404, like a product that does not
    exist."""
    found = session.scalar(select(Product).where(Product.code == code))
    if found is not None and (
        found.state == rules.P.LISTED
        or session.scalar(
            select(Subscription.id).where(
                Subscription.product_id == found.id, Subscription.consumer_id == principal.organisation_id
            )
        )
        is not None
        or access.may(principal, "product.read", found)
    ):
        return found
    raise Refused("product.not-found", what=messages.Text(Product.guard.what))


def _apply_page(
    request: Request, session: Session, principal: Principal, code: str, *, error: Refused | None = None
) -> HTMLResponse:
    product = _product(session, principal, code)
    context = {
        "product": product,
        "product_purposes": json.loads(product.purposes or "[]"),
        "error": error,
        **_context(),
    }
    return render(request, "products/calls/apply.html", context, status_code=error.status if error else 200)


@router.get("/products/{code}/subscribe", response_class=HTMLResponse)
def apply_page(request: Request, session: ReadSession, principal: PagePrincipal, code: ProductCode) -> HTMLResponse:
    return _apply_page(request, session, principal, code)


@router.post("/products/{code}/subscribe", response_class=HTMLResponse)
async def apply(
    request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal, code: ProductCode
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))

    def command(command_session: Session) -> Subscription:
        application = subscriptions.Application(
            str(form.get("purpose") or ""),
            str(form.get("use") or ""),
            number(form, "max_calls") or 0,
            day(form.get("valid_from")),
            day(form.get("valid_until")),
        )
        return subscriptions.apply(command_session, principal=principal, code=code, application=application)

    return act_on(
        platform,
        command,
        action="apply",
        then=lambda subscription: f"/products/subscriptions/{subscription.id}",
        show=lambda error: _apply_page(request, session, principal, code, error=error),
        notice="subscription.applied",
    )


# --- calls ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A template's parameter as the call form shows it."""

    name: str
    label: str
    type: str
    low: Any = None
    high: Any = None
    choices: tuple[Any, ...] = ()
    default: Any = None
    help: str = ""


def parameter_fields(definition: Any, lang: str) -> list[Field]:
    """A template's declared parameters, in the page's words."""
    return [
        Field(
            parameter.name,
            messages.pick((parameter.label.zh, parameter.label.en), lang),
            parameter.type,
            parameter.minimum,
            parameter.maximum,
            tuple(parameter.choices or ()),
            parameter.default,
            messages.pick((parameter.description.zh, parameter.description.en), lang),
        )
        for parameter in getattr(definition, "parameters", ()) or ()
    ]


def typed_parameters(definition: Any, form: Any) -> dict[str, Any]:
    """The form's values for the template's parameters, as typed: the service binds and checks them (a number
    where a number is declared, a date, a choice), refusing by the parameter's name."""
    values: dict[str, Any] = {}
    for parameter in getattr(definition, "parameters", ()) or ():
        text = str(form.get(f"p_{parameter.name}") or "").strip()
        if not text:
            continue
        kind = str(getattr(parameter, "type", "string"))
        if kind == "integer":
            try:
                values[parameter.name] = int(text)
            except ValueError:
                values[parameter.name] = text  # refused by the service, naming the parameter
        elif kind == "decimal":
            try:
                values[parameter.name] = float(text)
            except ValueError:
                values[parameter.name] = text
        elif kind == "boolean":
            values[parameter.name] = text in ("true", "1", "yes", "on")
        else:
            values[parameter.name] = text
    return values


def value_words(definition: Any, lang: str) -> dict[str, dict[Any, str]]:
    """For each output whose values are codes (a verification's answer, a profile's band and reason codes), the
    words each code is shown with."""
    pick = 0 if lang == "zh-CN" else 1
    words: dict[str, dict[Any, str]] = {}
    spec = getattr(definition, "spec", None)
    if spec is not None:
        words["result"] = {code: (zh, en)[pick] for code, zh, en in spec.answers}
    bands = getattr(definition, "bands", None)
    if bands is not None:
        from pubdata.products.definitions import NO_RECORD_BAND

        words["band"] = {band.code: (band.label.zh, band.label.en)[pick] for band in (*bands, NO_RECORD_BAND)}
        reasons = [
            reason
            for factor in definition.factors
            for reason in (factor.negative, factor.positive)
            if reason is not None
        ]
        words["reasons"] = {reason.code: (reason.text.zh, reason.text.en)[pick] for reason in reasons}
    return words


def shown_rows(columns: list[str], rows: list[tuple[Any, ...]], words: dict[str, dict[Any, str]]) -> list[tuple]:
    """An answer's rows as the page and its files show them: codes by their words, lists joined."""

    def shown(column: str, value: Any) -> Any:
        known = words.get(column, {})
        if isinstance(value, list | tuple):
            return "；".join(str(known.get(item, item)) for item in value)
        return known.get(value, value)

    return [tuple(shown(column, value) for column, value in zip(columns, row, strict=False)) for row in rows]


def codes_from_text(text: str) -> list[str]:
    """Credit codes typed one per line (or separated by commas or spaces)."""
    return [part for part in text.replace("，", ",").replace(",", " ").split() if part]


def codes_from_csv(path: Path) -> list[str]:
    """The first column of an uploaded CSV: a header row (not shaped like a code) is skipped."""
    raw = path.read_bytes()[: UPLOAD_BYTES + 1]
    if len(raw) > UPLOAD_BYTES:
        raise Refused("call.upload-unreadable", most=UPLOAD_BYTES // 1024)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Refused("call.upload-unreadable", most=UPLOAD_BYTES // 1024)
    cells = [row[0].strip() for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
    if cells and len(cells[0]) != 18:
        cells = cells[1:]
    return cells


def _call_page(
    request: Request,
    session: Session,
    principal: Principal,
    code: str,
    *,
    error: Refused | None = None,
    kept: exports.Kept | None = None,
    token: str | None = None,
    subjects_text: str = "",
) -> HTMLResponse:
    product = _product(session, principal, code)
    if product.kind in rules.PROTOCOL_KINDS:  # run with pubdata-client: its page says how
        return RedirectResponse(f"/products/{product.code}/privacy", status_code=303)  # type: ignore[return-value]
    definition = products.definition_of(product)
    lang = language(request)
    contract_id = subscriptions.contract_id_for(session, consumer_id=principal.organisation_id, product_id=product.id)
    contract = contracts.get(session, principal=principal, contract_id=contract_id) if contract_id else None
    typed_form = dict(kept.form) if kept else {}
    context = {
        "product": product,
        "per_subject": product.kind in rules.PER_SUBJECT_KINDS,
        "fields": parameter_fields(definition, lang),
        "contract": contract,
        "calls_left": contracts.counters(contract)["calls_left"] if contract else 0,
        "kept": kept,
        "token": token,
        "asked": typed_form,
        "subjects_text": subjects_text or typed_form.get("subjects", ""),
        "error": error,
        **_context(),
    }
    return render(request, "products/calls/call.html", context, status_code=error.status if error else 200)


@router.get("/products/{code}/call", response_class=HTMLResponse)
def call_page(
    request: Request, session: ReadSession, principal: PagePrincipal, code: ProductCode, answer: str | None = None
) -> HTMLResponse:
    """The call form; with ``answer``, the answer just given, shown again from the kept answer."""
    kept = exports.taken(principal, answer) if answer else None
    return _call_page(request, session, principal, code, kept=kept, token=answer)


def _ask(
    request: Request, platform: Platform, principal: Principal, code: str, form: Any, subjects: list[str] | None
) -> Response:
    """Call, keep the answer, and redirect to its page; a refusal shows the form again with what was typed."""
    with platform.read() as session:
        product = _product(session, principal, code)
        definition = products.definition_of(product)
    per_subject = product.kind in rules.PER_SUBJECT_KINDS
    request_ = calls.Request(
        parameters=None if per_subject else typed_parameters(definition, form) or None,
        subjects=tuple(subjects or ()) if per_subject else None,
    )
    try:
        answer = calls.call(
            platform,
            principal=principal,
            code=code,
            request=request_,
            engine=platform.query_engine,
            domain_dir=platform.settings.domain_dir,
        )
    except Refused as error:
        if error.status == 404:
            raise
        with platform.read() as session:
            return _call_page(request, session, principal, code, error=error, subjects_text="\n".join(subjects or ()))
    lang = language(request)
    headers = [messages.pick(label, lang) for label in answer.labels]
    rows = shown_rows(answer.columns, answer.rows, value_words(definition, lang))
    typed = {f"p_{key}": str(value) for key, value in (request_.parameters or {}).items()}
    if per_subject:
        typed["subjects"] = "\n".join(request_.subjects or ())
    token = exports.keep(
        principal,
        contract_id=answer.contract_id,
        headers=headers,
        rows=rows,
        page={"columns": answer.columns, "privacy": answer.privacy, "code": code},
        form=typed,
    )
    return redirect(
        f"/products/{code}/call?answer={token}", secure=platform.settings.secure_cookies, notice="call.answered"
    )


@router.post("/products/{code}/call", response_class=HTMLResponse)
async def call(request: Request, platform: PlatformDep, principal: PagePrincipal, code: ProductCode) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    subjects = codes_from_text(str(form.get("subjects") or ""))
    return await run_in_threadpool(_ask, request, platform, principal, code, form, subjects)


@router.post("/products/{code}/call/upload", response_class=HTMLResponse)
async def call_upload(request: Request, platform: PlatformDep, principal: PagePrincipal, code: ProductCode) -> Response:
    """A CSV of credit codes, streamed into the domain's scratch folder (after the CSRF token), read, removed."""
    received = await uploads.receive(
        request,
        store.scratch_for(platform.settings.domain_dir),
        before_file=lambda fields: check_csrf(request, fields.get("csrf_token", "")),
    )
    try:
        subjects = await run_in_threadpool(codes_from_csv, received.path)
    except Refused as error:
        with platform.read() as session:
            return _call_page(request, session, principal, code, error=error)
    finally:
        received.path.unlink(missing_ok=True)
    return await run_in_threadpool(_ask, request, platform, principal, code, received.fields, subjects)


@router.get("/products/{code}/call/export/{token}.{kind}")
def export(code: ProductCode, token: str, kind: str, principal: PagePrincipal) -> Response:
    """The answer the page showed, as a file: from the kept answer, never asked again."""
    kept = exports.taken(principal, token)
    if kept.page.get("code") != code:
        raise Refused("console.export-gone")
    name = f"{code}-answer"
    if kind == "csv":
        return attachment(
            console.csv_bytes(kept.headers, kept.rows), filename=f"{name}.csv", media_type="text/csv; charset=utf-8"
        )
    if kind == "xlsx":
        return attachment(
            console.xlsx_bytes(kept.headers, kept.rows, title=code),
            filename=f"{name}.xlsx",
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    raise Refused("call.export-kind")
