"""Contracts API: propose, sign, revoke, read (with counters), export as ODRL."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from pubdata.common.stored import FromJsonText
from pubdata.contracts import service
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.web.deps import SessionDep, committed

router = APIRouter(prefix="/api/v1", tags=["contracts"])


class TermsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resources: list[str] = Field(min_length=1, max_length=100)
    purpose: str
    valid_from: date
    valid_until: date
    max_calls: int
    max_rows: int
    output_rule: str = "aggregate"
    dimensions: list[str] = Field(default_factory=list)
    min_group_size: int = 10
    epsilon: float | None = None
    epsilon_per_query: float | None = None
    delta: float | None = None
    bounds: dict[str, list[float]] = Field(default_factory=dict)
    max_contributions: int = 1


class ContractIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee_id: int
    terms: TermsIn


class RevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=1000)


class ContractOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    assigner_id: int
    assignee_id: int
    state: str
    terms: Annotated[dict[str, Any], FromJsonText]
    terms_digest: str
    valid_from: date
    valid_until: date
    calls_used: int
    max_calls: int
    rows_used: int
    max_rows: int
    epsilon_spent_micro: int
    epsilon_budget_micro: int
    assigner_signed_at: datetime | None
    assignee_signed_at: datetime | None


@router.post("/contracts", response_model=ContractOut, status_code=status.HTTP_201_CREATED)
def propose(body: ContractIn, session: SessionDep, principal: ApiPrincipal):
    terms = json.loads(body.terms.model_dump_json())
    return committed(session, service.propose(session, principal=principal, assignee_id=body.assignee_id, terms=terms))


@router.get("/contracts", response_model=list[ContractOut])
def list_contracts(session: SessionDep, principal: ApiPrincipal):
    return service.list_for(session, principal=principal)


@router.get("/contracts/{contract_id}", response_model=ContractOut)
def get_contract(contract_id: int, session: SessionDep, principal: ApiPrincipal):
    return service.get(session, principal=principal, contract_id=contract_id)


@router.post("/contracts/{contract_id}/signatures", response_model=ContractOut)
def sign(contract_id: int, session: SessionDep, principal: ApiPrincipal):
    return committed(session, service.sign(session, principal=principal, contract_id=contract_id))


@router.post("/contracts/{contract_id}/revocation", response_model=ContractOut)
def revoke(contract_id: int, body: RevokeIn, session: SessionDep, principal: ApiPrincipal):
    return committed(session, service.revoke(session, principal=principal, contract_id=contract_id, reason=body.reason))


@router.get("/contracts/{contract_id}/record")
def record(contract_id: int, session: SessionDep, principal: ApiPrincipal) -> dict[str, Any]:
    """The record of every run under the contract: its ledger entries, oldest first."""
    return service.record_of(session, principal=principal, contract_id=contract_id)


@router.get("/contracts/{contract_id}/odrl")
def odrl(contract_id: int, session: SessionDep, principal: ApiPrincipal) -> dict[str, Any]:
    """The terms as W3C ODRL 2.2 JSON-LD."""
    return service.odrl(session, principal=principal, contract_id=contract_id)
