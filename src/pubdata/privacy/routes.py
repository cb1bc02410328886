"""Consent API: a subject grants and revokes; a consumer records a signed letter (its SM3 digest, or the file);
each sees its own consents and their uses."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from pubdata.common import store
from pubdata.common.bounds import RowId
from pubdata.common.errors import Refused
from pubdata.identity import access
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.platform import Platform
from pubdata.privacy import consent as service
from pubdata.privacy.schemas import BatchOut, ConsentIn, ConsentOut, LetterBatchIn, LetterIn, RevokeIn, UseOut
from pubdata.web import uploads
from pubdata.web.deps import CommandSession, PlatformDep, ReadSession

router = APIRouter(prefix="/api/v1", tags=["consent"])

LETTER_FIELDS = {
    name: info.description or name for name, info in LetterIn.model_fields.items() if name not in ("letter_sm3",)
}
LETTER_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": LetterIn.model_json_schema()},
            **uploads.form_body(LETTER_FIELDS)["requestBody"]["content"],
        },
    }
}


@router.post("/consents", response_model=ConsentOut, status_code=status.HTTP_201_CREATED)
def grant(body: ConsentIn, session: CommandSession, principal: ApiPrincipal) -> dict[str, Any]:
    """The data subject, from its own account, authorizes a consumer to use a product for a purpose and period."""
    consent = service.grant(session, principal=principal, body=body)
    return service.as_out(service.shown(session, [consent])[0])


def _letter_in(values: dict[str, Any]) -> LetterIn:
    try:
        return LetterIn.model_validate(values)
    except ValidationError as error:
        raise RequestValidationError(error.errors()) from None


async def _received_letter(request: Request, platform: Platform, principal: Principal) -> tuple[LetterIn, str | None]:
    """The letter's fields and, when a file was sent (multipart/form-data), its SM3 digest; the file is removed
    once digested. Whether the caller may record letters is settled before the body is read."""
    access.require(principal, "consent.record-letter", access.own_organisation(principal))
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        received = await uploads.receive(request, store.scratch_for(platform.settings.domain_dir))
        try:
            digest = await run_in_threadpool(service.letter_digest, received.path)
        finally:
            received.path.unlink(missing_ok=True)
        fields: dict[str, Any] = {key: value for key, value in received.fields.items() if value != ""}
        return _letter_in(fields), digest
    try:
        values = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise Refused("http.malformed-json") from None
    if not isinstance(values, dict):
        raise RequestValidationError([{"loc": ("body",), "msg": "an object is expected", "type": "dict_type"}])
    return _letter_in(values), None


@router.post(
    "/consents/letters", response_model=ConsentOut, status_code=status.HTTP_201_CREATED, openapi_extra=LETTER_BODY
)
async def record_letter(request: Request, platform: PlatformDep, principal: ApiPrincipal) -> dict[str, Any]:
    """A consumer records a subject's signed authorization letter: JSON with the letter's SM3 digest, or
    multipart/form-data with the file (a PDF or an image; only its digest is kept). The subject is checked
    against the legal-entity registry inside the domain; a letter that does not match is refused and recorded,
    and counts against the consumer's daily letter checks."""
    body, digest = await _received_letter(request, platform, principal)
    consent = await run_in_threadpool(
        service.record_letter,
        platform,
        principal=principal,
        body=body,
        engine=platform.query_engine,
        letter_sm3=digest,
        checks_per_day=platform.settings.letter_checks_per_day,
    )
    with platform.read() as session:
        return service.as_out(service.shown(session, [consent])[0])


@router.post("/consents/letters/batch", response_model=BatchOut, status_code=status.HTTP_201_CREATED)
async def record_letters(body: LetterBatchIn, platform: PlatformDep, principal: ApiPrincipal) -> dict[str, Any]:
    """A consumer records a batch of signed authorization letters (up to 1,000: a bank's applicants) for one
    product, purpose and period, each with the subject's credit code, its legal representative's name as the
    letter writes it (checked, never kept) and the letter file's SM3 digest. All or none: a letter that does not
    match the registry refuses the batch, naming its position only. Each letter counts one of today's checks."""
    settings = platform.settings
    consents = await run_in_threadpool(
        service.record_letters,
        platform,
        principal=principal,
        body=body,
        engine=platform.query_engine,
        checks_per_day=settings.letter_checks_per_day,
    )
    with platform.read() as session:
        left = service.letter_checks_left(session, principal=principal, checks_per_day=settings.letter_checks_per_day)
        return {"consents": [service.as_out(item) for item in service.shown(session, consents)], "checks_left": left}


@router.post("/consents/{consent_id}/revoke", response_model=ConsentOut)
def revoke(
    consent_id: RowId, session: CommandSession, principal: ApiPrincipal, body: RevokeIn | None = None
) -> dict[str, Any]:
    """The subject (or the consumer, of its own) revokes a consent: later calls about the subject are refused."""
    consent = service.revoke(session, principal=principal, consent_id=consent_id, reason=body.reason if body else "")
    return service.as_out(service.shown(session, [consent])[0])


@router.get("/consents", response_model=list[ConsentOut])
def list_consents(session: ReadSession, principal: ApiPrincipal) -> list[dict[str, Any]]:
    """The caller's consents: a subject's (by its credit code, letters included), a consumer's own."""
    return [service.as_out(item) for item in service.shown(session, service.list_for(session, principal=principal))]


@router.get("/consents/{consent_id}", response_model=ConsentOut)
def get_consent(consent_id: RowId, session: ReadSession, principal: ApiPrincipal) -> dict[str, Any]:
    consent = service.get(session, principal=principal, consent_id=consent_id)
    return service.as_out(service.shown(session, [consent])[0])


@router.get("/consents/{consent_id}/uses", response_model=list[UseOut])
def uses(consent_id: RowId, session: ReadSession, principal: ApiPrincipal) -> list[dict[str, Any]]:
    """Every use of a consent: when, which consumer, which product, under which contract."""
    return service.uses_out(session, service.uses_of(session, principal=principal, consent_id=consent_id))
