"""Ledger API. Tree head, entries and proofs are public (no login), in the public view of ``ledger.public``;
payloads, and the documents leaves hash, need the auditor's right."""

from __future__ import annotations

import base64

from fastapi import APIRouter, Query, status
from fastapi.responses import PlainTextResponse

from pubdata.common.bounds import INT8_MAX, Seq
from pubdata.common.errors import Refused
from pubdata.identity import access
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.ledger import public, schemas, service, signoff
from pubdata.web.deps import CommandSession, PlatformDep, ReadSession

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])


@router.get("/tree-head", response_model=schemas.TreeHeadOut)
def tree_head(session: CommandSession, platform: PlatformDep) -> schemas.TreeHeadOut:
    """The current tree head, signed (and kept, once per size: a signing is a write)."""
    return schemas.TreeHeadOut.of(service.current_tree_head(session, platform.signer))


@router.get(
    "/public-key",
    response_class=PlainTextResponse,
    responses={200: {"content": {"application/x-pem-file": {"schema": {"type": "string"}}}}},
)
def public_key(platform: PlatformDep) -> PlainTextResponse:
    """The key tree heads are signed with now, as PEM: ``openssl dgst -sm3 -verify`` reads it (docs/ledger.md)."""
    return PlainTextResponse(platform.signer.public_key_pem(), media_type="application/x-pem-file")


@router.get("/entries", response_model=list[schemas.EntryOut])
def list_entries(
    session: ReadSession,
    before: int | None = Query(default=None, ge=0, le=INT8_MAX),
    limit: int = Query(default=50, ge=1, le=500),
) -> list[schemas.EntryOut]:
    entries = service.latest_entries(session, limit=limit, before=before)
    return [schemas.EntryOut.of(entry) for entry in public.view(session, entries)]


@router.get("/entries/{seq}", response_model=schemas.EntryWithProof)
def entry_with_proof(seq: Seq, session: CommandSession, platform: PlatformDep) -> schemas.EntryWithProof:
    entry = service.get_entry(session, seq)
    head = service.current_tree_head(session, platform.signer)
    path = service.inclusion_proof(session, seq=seq, tree_size=head.size)
    return schemas.EntryWithProof(
        entry=schemas.EntryOut.of(public.view(session, [entry])[0]),
        tree_head=schemas.TreeHeadOut.of(head),
        inclusion_proof=schemas.InclusionProofOut(
            leaf_index=seq, tree_size=head.size, audit_path=[p.hex() for p in path]
        ),
    )


@router.get("/consistency", response_model=schemas.ConsistencyOut)
def consistency(
    session: ReadSession, first: int = Query(ge=1, le=INT8_MAX), second: int = Query(ge=1, le=INT8_MAX)
) -> schemas.ConsistencyOut:
    path = service.consistency_proof(session, first=first, second=second)
    return schemas.ConsistencyOut(
        first=first,
        second=second,
        first_root=service.root_at(session, first).hex(),
        second_root=service.root_at(session, second).hex(),
        hash_algorithm=service.algorithm(session),
        consistency_path=[p.hex() for p in path],
    )


@router.post("/signatures", response_model=schemas.PresentedOut, status_code=status.HTTP_201_CREATED)
def present_signature(
    body: schemas.SignatureIn, session: CommandSession, principal: ApiPrincipal
) -> schemas.PresentedOut:
    """An organisation that holds its own key submits its SM2 signature of a sign-off statement; its next
    signing command (agreement, contract, job release) uses it."""
    access.require(principal, "ledger.present-signature")
    try:
        signature = base64.b64decode(body.signature, validate=True)
    except ValueError:
        raise Refused("ledger.bad-signature", key_id="—") from None
    presented = signoff.present(session, actor=principal.actor, statement_text=body.statement, signature=signature)
    return schemas.PresentedOut(
        subject=presented.subject, side=presented.side, key_id=presented.key_id, presented_at=presented.presented_at
    )


@router.get("/entries/{seq}/payload", response_model=schemas.PayloadOut)
def entry_payload(seq: Seq, session: CommandSession, principal: ApiPrincipal) -> schemas.PayloadOut:
    access.require(principal, "ledger.read-payload")
    entry = service.get_entry(session, seq)
    # Reading a payload is a data access, so it is itself recorded.
    service.record(session, actor=principal.actor, action="ledger.payload.read", subject=f"ledger_entry:{seq}")
    return schemas.PayloadOut(
        seq=seq, payload=service.payload_of(entry), document=service.document_of(entry).decode("utf-8")
    )
