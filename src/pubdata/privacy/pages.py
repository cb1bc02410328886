"""Consent pages: the subject's consents and their uses (granting, revoking), the consumer's consents (recording a
signed letter), one consent with every use of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from pubdata.common import clock, store
from pubdata.common.bounds import RowId
from pubdata.common.errors import Refused
from pubdata.contracts import rules as contract_rules
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import PagePrincipal
from pubdata.privacy import consent as service
from pubdata.privacy import rules
from pubdata.privacy.schemas import BatchLetterIn, ConsentIn, LetterBatchIn, LetterIn
from pubdata.web import uploads
from pubdata.web.deps import PlatformDep, ReadSession
from pubdata.web.forms import confirmed, day, row_id, validation_refusal
from pubdata.web.render import act_on, check_csrf, redirect, render

router = APIRouter(include_in_schema=False)


def _consents_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    error: Refused | None = None,
    typed_letter: dict[str, str] | None = None,
) -> HTMLResponse:
    items = service.shown(session, service.list_for(session, principal=principal))
    own = access.own_organisation(principal)
    can_grant = access.may(principal, "consent.grant", own)
    can_record = access.may(principal, "consent.record-letter", own)
    today = clock.today()
    context = {
        "items": items,
        "revocable": {
            item.consent.id
            for item in items
            if rules.LIFECYCLE.allows(item.consent.state, "revoke")
            and service.may(session, principal, "consent.revoke", item.consent)
        },
        "uses": service.uses_out(session, service.recent_uses(session, principal=principal)),
        "can_grant": can_grant,
        "can_record": can_record,
        "is_subject": principal.organisation_kind == "subject",
        "consumers": identity.organisations_of_kind(session, "consumer") if can_grant else {},
        "products": service.consentable_products(session) if can_grant or can_record else [],
        "purposes": contract_rules.PURPOSES,
        "states": rules.STATES,
        "via": rules.VIA,
        "checks_left": service.letter_checks_left(
            session, principal=principal, checks_per_day=request.app.state.platform.settings.letter_checks_per_day
        )
        if can_record
        else None,
        "batch_max": rules.LETTER_BATCH_MAX,
        "default_from": today.isoformat(),
        "default_until": rules.latest_end(today).isoformat(),
        "letter": typed_letter or {},
        "error": error,
    }
    return render(request, "consent/consents.html", context, status_code=error.status if error else 200)


@router.get("/consents", response_class=HTMLResponse)
def consents_page(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    return _consents_page(request, session, principal)


def _consent_in(form: Any) -> ConsentIn:
    values = {
        "consumer_id": row_id(form, "consumer_id"),
        "product_code": str(form.get("product_code") or ""),
        "purpose": str(form.get("purpose") or ""),
        "valid_from": day(form.get("valid_from")),
        "valid_until": day(form.get("valid_until")),
    }
    try:
        return ConsentIn.model_validate(values)
    except ValidationError as error:
        raise validation_refusal(error) from None


@router.post("/consents", response_class=HTMLResponse)
async def grant(request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    return act_on(
        platform,
        lambda command: service.grant(command, principal=principal, body=_consent_in(form)),
        action="grant",
        then=lambda consent: f"/consents/{consent.id}",
        show=lambda error: _consents_page(request, session, principal, error=error),
        notice="notice.consent_granted",
    )


def _letter_in(fields: dict[str, str]) -> LetterIn:
    values: dict[str, Any] = {
        "credit_code": fields.get("credit_code", ""),
        "legal_rep_name": fields.get("legal_rep_name", ""),
        "product_code": fields.get("product_code", ""),
        "purpose": fields.get("purpose", ""),
        "valid_from": day(fields.get("valid_from")),
        "valid_until": day(fields.get("valid_until")),
        "letter_sm3": fields.get("letter_sm3", "").strip() or None,
    }
    try:
        return LetterIn.model_validate(values)
    except ValidationError as error:
        raise validation_refusal(error) from None


async def _record_letter(request: Request, platform: PlatformDep, principal: Principal) -> Any:
    access.require(principal, "consent.record-letter", access.own_organisation(principal))
    received = await uploads.receive(
        request,
        store.scratch_for(platform.settings.domain_dir),
        file_field="letter",
        before_file=lambda fields: check_csrf(request, fields.get("csrf_token", "")),
    )
    try:
        digest = await run_in_threadpool(service.letter_digest, received.path)
    finally:
        received.path.unlink(missing_ok=True)
    # What the page types back if refused: never the legal representative's name.
    request.state.letter_fields = {k: v for k, v in received.fields.items() if k in LETTER_KEPT}
    return await run_in_threadpool(
        service.record_letter,
        platform,
        principal=principal,
        body=_letter_in(received.fields),
        engine=platform.query_engine,
        letter_sm3=digest,
        checks_per_day=platform.settings.letter_checks_per_day,
    )


LETTER_KEPT = ("credit_code", "product_code", "purpose", "valid_from", "valid_until", "letter_sm3")


@router.post("/consents/letters", response_class=HTMLResponse)
async def record_letter(request: Request, platform: PlatformDep, principal: PagePrincipal) -> Response:
    """The consumer's letter form (multipart: the file, or its digest typed). A refusal shows the page again with
    what was typed, but the legal representative's name."""
    try:
        consent = await _record_letter(request, platform, principal)
    except Refused as error:
        if error.status == 404 or error.rule == "web.csrf":
            raise
        typed = getattr(request.state, "letter_fields", None)
        with platform.read() as session:
            return _consents_page(request, session, principal, error=error, typed_letter=typed)
    return redirect(
        f"/consents/{consent.id}", secure=platform.settings.secure_cookies, notice="notice.consent_recorded"
    )


BATCH_KEPT = ("product_code", "purpose", "valid_from", "valid_until")


def _letters_of(path: Path) -> list[BatchLetterIn]:
    try:
        return service.letters_from_csv(path)
    finally:
        path.unlink(missing_ok=True)  # the list names persons: it is read once and never kept


async def _record_letters(request: Request, platform: PlatformDep, principal: Principal) -> list[Any]:
    access.require(principal, "consent.record-letter", access.own_organisation(principal))
    received = await uploads.receive(
        request,
        store.scratch_for(platform.settings.domain_dir),
        file_field="letters",
        before_file=lambda fields: check_csrf(request, fields.get("csrf_token", "")),
    )
    request.state.letter_fields = {k: v for k, v in received.fields.items() if k in BATCH_KEPT}
    letters = await run_in_threadpool(_letters_of, received.path)
    values: dict[str, Any] = {key: received.fields.get(key, "") for key in ("product_code", "purpose")}
    values |= {
        "valid_from": day(received.fields.get("valid_from")),
        "valid_until": day(received.fields.get("valid_until")),
    }
    try:
        body = LetterBatchIn.model_validate(values | {"letters": letters})
    except ValidationError as error:
        raise validation_refusal(error) from None
    return await run_in_threadpool(
        service.record_letters,
        platform,
        principal=principal,
        body=body,
        engine=platform.query_engine,
        checks_per_day=platform.settings.letter_checks_per_day,
    )


@router.post("/consents/letters/batch", response_class=HTMLResponse)
async def record_letters(request: Request, platform: PlatformDep, principal: PagePrincipal) -> Response:
    """The consumer's batch form (multipart: a CSV of credit code, legal representative's name and letter
    digest, one letter a row). A refusal shows the page again with the product, purpose and period typed, and
    the reason naming positions or a line; the list itself is never kept nor shown back."""
    try:
        await _record_letters(request, platform, principal)
    except Refused as error:
        if error.status == 404 or error.rule == "web.csrf":
            raise
        typed = getattr(request.state, "letter_fields", None)
        with platform.read() as session:
            return _consents_page(request, session, principal, error=error, typed_letter=typed)
    return redirect("/consents", secure=platform.settings.secure_cookies, notice="notice.letters_recorded")


def _page(
    request: Request, session: Session, principal: Principal, consent_id: RowId, *, error: Refused | None = None
) -> HTMLResponse:
    consent = service.get(session, principal=principal, consent_id=consent_id)
    item = service.shown(session, [consent])[0]
    context = {
        "item": item,
        "consent": consent,
        "uses": service.uses_out(session, service.uses_of(session, principal=principal, consent_id=consent_id)),
        "can_revoke": rules.LIFECYCLE.allows(consent.state, "revoke")
        and service.may(session, principal, "consent.revoke", consent),
        "purposes": contract_rules.PURPOSES,
        "states": rules.STATES,
        "via": rules.VIA,
        "error": error,
    }
    return render(request, "consent/consent.html", context, status_code=error.status if error else 200)


@router.get("/consents/{consent_id}", response_class=HTMLResponse)
def consent_page(request: Request, session: ReadSession, principal: PagePrincipal, consent_id: RowId) -> HTMLResponse:
    return _page(request, session, principal, consent_id)


@router.post("/consents/{consent_id}/do/{action}", response_class=HTMLResponse)
async def act(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    consent_id: RowId,
    action: str,
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    commands = {
        "revoke": lambda command: service.revoke(
            command, principal=principal, consent_id=consent_id, reason=confirmed(form)
        ),
    }
    return act_on(
        platform,
        commands.get(action),
        action=action,
        then=f"/consents/{consent_id}",
        show=lambda error: _page(request, session, principal, consent_id, error=error),
        notice="notice.consent_revoked",
    )
