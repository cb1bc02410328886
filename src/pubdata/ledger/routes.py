"""Ledger API. Tree head, entries and proofs are public (no login); payloads need the auditor's right."""

from __future__ import annotations

from fastapi import APIRouter, Query

from pubdata.identity import service as identity
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.ledger import schemas, service
from pubdata.web.deps import PlatformDep, SessionDep

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])


@router.get("/tree-head", response_model=schemas.TreeHeadOut)
def tree_head(session: SessionDep, platform: PlatformDep):
    head = service.current_tree_head(session, platform.signer)
    session.commit()
    return schemas.TreeHeadOut.of(head)


@router.get("/entries", response_model=list[schemas.EntryOut])
def list_entries(
    session: SessionDep, before: int | None = Query(default=None, ge=0), limit: int = Query(default=50, ge=1, le=500)
):
    return [schemas.EntryOut.of(entry) for entry in service.latest_entries(session, limit=limit, before=before)]


@router.get("/entries/{seq}", response_model=schemas.EntryWithProof)
def entry_with_proof(seq: int, session: SessionDep, platform: PlatformDep):
    entry = service.get_entry(session, seq)
    head = service.current_tree_head(session, platform.signer)
    path = service.inclusion_proof(session, seq=seq, tree_size=head.size)
    session.commit()
    return schemas.EntryWithProof(
        entry=schemas.EntryOut.of(entry),
        tree_head=schemas.TreeHeadOut.of(head),
        inclusion_proof=schemas.InclusionProofOut(
            leaf_index=seq, tree_size=head.size, audit_path=[p.hex() for p in path]
        ),
    )


@router.get("/consistency", response_model=schemas.ConsistencyOut)
def consistency(session: SessionDep, first: int = Query(ge=1), second: int = Query(ge=1)):
    path = service.consistency_proof(session, first=first, second=second)
    return schemas.ConsistencyOut(
        first=first,
        second=second,
        first_root=service.root_at(session, first).hex(),
        second_root=service.root_at(session, second).hex(),
        hash_algorithm=service.algorithm(session),
        consistency_path=[p.hex() for p in path],
    )


@router.get("/entries/{seq}/payload", response_model=schemas.PayloadOut)
def entry_payload(seq: int, session: SessionDep, principal: ApiPrincipal):
    identity.require(principal, "ledger.read-payload", organisation_id=None, what="ledger entry")
    entry = service.get_entry(session, seq)
    # Reading a payload is a data access, so it is itself recorded.
    service.record(session, actor=principal.actor, action="ledger.payload.read", subject=f"ledger_entry:{seq}")
    session.commit()
    return schemas.PayloadOut(seq=seq, payload=service.payload_of(entry))
