"""Contracts API: propose, sign, revoke, read (with counters), export as ODRL; and the pubdata ODRL profile's
documents (``profile``), public."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse, Response

from pubdata.common.bounds import RowId
from pubdata.contracts import odrl as profile_files
from pubdata.contracts import service
from pubdata.contracts.models import Contract
from pubdata.contracts.schemas import ContractIn, ContractOut, RevokeIn
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.web.deps import CommandSession, ReadSession

router = APIRouter(prefix="/api/v1", tags=["contracts"])
profile = APIRouter(prefix="/odrl", tags=["public"])


class JsonLd(JSONResponse):
    media_type = "application/ld+json"


JSON_LD_OBJECT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/ld+json": {"schema": {"type": "object"}}}}
}
TURTLE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/turtle": {}}}}


@router.post("/contracts", response_model=ContractOut, status_code=status.HTTP_201_CREATED)
def propose(body: ContractIn, session: CommandSession, principal: ApiPrincipal) -> Contract:
    return service.propose(session, principal=principal, assignee_id=body.assignee_id, terms=body.terms)


@router.get("/contracts", response_model=list[ContractOut])
def list_contracts(session: ReadSession, principal: ApiPrincipal) -> list[Contract]:
    return service.list_for(session, principal=principal)


@router.get("/contracts/{contract_id}", response_model=ContractOut)
def get_contract(contract_id: RowId, session: ReadSession, principal: ApiPrincipal) -> Contract:
    return service.get(session, principal=principal, contract_id=contract_id)


@router.post("/contracts/{contract_id}/signatures", response_model=ContractOut)
def sign(contract_id: RowId, session: CommandSession, principal: ApiPrincipal) -> Contract:
    return service.sign(session, principal=principal, contract_id=contract_id)


@router.post("/contracts/{contract_id}/revocation", response_model=ContractOut)
def revoke(contract_id: RowId, body: RevokeIn, session: CommandSession, principal: ApiPrincipal) -> Contract:
    return service.revoke(session, principal=principal, contract_id=contract_id, reason=body.reason)


@router.get("/contracts/{contract_id}/record")
def record(contract_id: RowId, session: ReadSession, principal: ApiPrincipal) -> dict[str, Any]:
    """The record of every run under the contract: its ledger entries, oldest first."""
    return service.record_of(session, principal=principal, contract_id=contract_id)


@router.get("/contracts/{contract_id}/odrl", response_class=JsonLd, responses=JSON_LD_OBJECT)
def odrl(contract_id: RowId, session: ReadSession, principal: ApiPrincipal) -> JsonLd:
    """The contract as a W3C ODRL 2.2 Agreement (JSON-LD) under the pubdata ODRL profile."""
    return JsonLd(service.odrl(session, principal=principal, contract_id=contract_id))


def _profile_file(name: str) -> Response:
    file, media_type = profile_files.FILES[name]
    return Response(profile_files.text_of(file), media_type=media_type)


@profile.get("/profile", response_class=Response, responses=TURTLE)
def profile_vocabulary() -> Response:
    """The pubdata ODRL profile: its actions, left operands and purpose categories (Turtle)."""
    return _profile_file("profile")


@profile.get("/context.jsonld", response_class=JsonLd, responses=JSON_LD_OBJECT)
def profile_context() -> Response:
    """The profile's JSON-LD context, which a contract's ODRL names after W3C's ODRL context."""
    return _profile_file("context.jsonld")


@profile.get("/shapes.ttl", response_class=Response, responses=TURTLE)
def profile_shapes() -> Response:
    """SHACL shapes of the ODRL 2.2 Information Model's constraints, and this profile's, for validators."""
    return _profile_file("shapes.ttl")
