"""Queries API: governed queries under a contract, and SQL on mock data for development."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from pubdata.common.bounds import RowId
from pubdata.engines.base import Result
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.queries import service
from pubdata.web.deps import PlatformDep

router = APIRouter(prefix="/api/v1", tags=["queries"])


class QueryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contract_id: RowId
    sql: str = Field(min_length=1, max_length=20000)


class QueryOut(BaseModel):
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = Field(default=False, description="More rows than the contract has left: these are the first.")
    privacy: dict[str, Any] | None = Field(
        default=None, description="A DP answer: the ε it spent, how groups were chosen, each output's noise."
    )

    @classmethod
    def of(cls, result: Result) -> QueryOut:
        """A result as JSON carries it: a number JSON cannot hold (NaN, ±∞) is null."""
        return cls(
            columns=result.columns,
            rows=[[_json_value(value) for value in row] for row in result.rows],
            truncated=result.truncated,
            privacy=result.privacy,
        )


def _json_value(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


@router.post("/queries", response_model=QueryOut, response_model_exclude_defaults=True)
def run_query(body: QueryIn, platform: PlatformDep, principal: ApiPrincipal) -> QueryOut:
    """A governed query: its transactions are the query path's own (a read step, then one write step)."""
    result = service.run_query(
        platform, principal=principal, contract_id=body.contract_id, sql=body.sql, engine=platform.query_engine
    )
    return QueryOut.of(result)


@router.post("/dev/queries", response_model=QueryOut, response_model_exclude_defaults=True)
def dev_query(body: QueryIn, platform: PlatformDep, principal: ApiPrincipal) -> QueryOut:
    """SQL on the contract's mock data: for writing and trying queries before they touch real rows."""
    result = service.dev_query(
        platform,
        principal=principal,
        contract_id=body.contract_id,
        sql=body.sql,
        domain_dir=platform.settings.domain_dir,
        mock_dir=platform.settings.mock_dir,
        engine=platform.mock_engine,
    )
    return QueryOut.of(result)
