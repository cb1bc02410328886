"""Sandbox API: ``POST /api/v1/queries`` answers the released result or a refusal naming the rule."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from pubdata.identity.dependencies import ApiPrincipal
from pubdata.sandbox import service
from pubdata.sandbox.engine import DuckDBEngine
from pubdata.web.deps import PlatformDep, SessionDep

router = APIRouter(prefix="/api/v1", tags=["sandbox"])
ENGINE = DuckDBEngine()


class QueryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contract_id: int
    sql: str = Field(min_length=1, max_length=20000)


class QueryOut(BaseModel):
    columns: list[str]
    rows: list[list[Any]]


@router.post("/queries", response_model=QueryOut)
def run_query(body: QueryIn, session: SessionDep, platform: PlatformDep, principal: ApiPrincipal):
    result = service.run_query(session, principal=principal, contract_id=body.contract_id, sql=body.sql,
                               domain_dir=platform.settings.domain_dir, engine=ENGINE)
    session.commit()
    return QueryOut(columns=result.columns, rows=[list(row) for row in result.rows])
