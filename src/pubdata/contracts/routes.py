"""Contracts API: propose, sign, revoke, read (with counters), export as ODRL."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from pubdata.common.bounds import RowId
from pubdata.contracts import service
from pubdata.contracts.models import Contract
from pubdata.contracts.schemas import ContractIn, ContractOut, RevokeIn
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.web.deps import CommandSession, ReadSession

router = APIRouter(prefix="/api/v1", tags=["contracts"])


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


@router.get("/contracts/{contract_id}/odrl")
def odrl(contract_id: RowId, session: ReadSession, principal: ApiPrincipal) -> dict[str, Any]:
    """The terms as W3C ODRL 2.2 JSON-LD."""
    return service.odrl(session, principal=principal, contract_id=contract_id)
