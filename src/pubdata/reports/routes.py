"""Reports API: the annual operation report — its figures drafted from the facts, the operator's submission and
the bureau's decision."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, ConfigDict, Field

from pubdata.common.bounds import RowId
from pubdata.common.names import Prose
from pubdata.identity import access
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.reports import annual
from pubdata.web.deps import CommandSession, ReadSession

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
Year = Annotated[int, Path(ge=2000, le=2100)]


class SubmitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=2000, le=2100)
    benefits: Prose = Field(min_length=1, max_length=10000)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    accept: bool
    reason: Prose = Field(default="", max_length=5000)


def _out(report: Any) -> dict[str, Any]:
    return {
        "id": report.id,
        "operator_id": report.operator_id,
        "year": report.year,
        "state": report.state,
        "figures_digest": report.figures_digest,
        "figures": annual.snapshot(report),
        "reason": report.reason,
    }


@router.post("/annual", status_code=status.HTTP_201_CREATED)
def submit(body: SubmitIn, session: CommandSession, principal: ApiPrincipal) -> dict[str, Any]:
    """The operator submits its report on a year that is over (once; again only after a return)."""
    return _out(annual.submit(session, principal=principal, year=body.year, benefits=body.benefits))


@router.post("/annual/{report_id}/decision")
def decide(report_id: RowId, body: DecisionIn, session: CommandSession, principal: ApiPrincipal) -> dict[str, Any]:
    """The bureau accepts the report or returns it with its reasons."""
    found = annual.decide(session, principal=principal, report_id=report_id, accept=body.accept, reason=body.reason)
    return _out(found)


@router.get("/annual/{operator_id}/{year}")
def figures(operator_id: RowId, year: Year, session: ReadSession, principal: ApiPrincipal) -> dict[str, Any]:
    """The figures of an operator's year as the facts give them now, and its report if submitted."""
    access.require(principal, "reports.read", access.OrganisationRef(operator_id))
    found = annual.draft(session, operator_id=operator_id, year=year)
    report = annual.report_of(session, operator_id=operator_id, year=year)
    return {"year": year, "figures": found.document(), "report": _out(report) if report else None}
