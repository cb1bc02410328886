"""Quality-ticket API: file, list, read; the department's answer; the filer's confirmation, reopening and
withdrawal. Refusals answer problem+json."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from pubdata.common.bounds import RowId
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.quality import scores, service
from pubdata.quality.models import QualityTicket
from pubdata.quality.schemas import AnswerIn, ReopenIn, TicketIn, TicketOut, WeightsIn
from pubdata.web.deps import CommandSession, PlatformDep, ReadSession

router = APIRouter(prefix="/api/v1/quality", tags=["quality"])
State = Annotated[str | None, Query(pattern="^(open|answered|closed)$")]
Year = Annotated[int, Query(ge=2000, le=2100)]


def ticket_out(session: ReadSession, ticket: QualityTicket) -> TicketOut:
    row = service.row_of(session, ticket)
    return TicketOut.of(row, service.rounds_of(session, ticket))


@router.post("/tickets", response_model=TicketOut, status_code=status.HTTP_201_CREATED)
def file_ticket(body: TicketIn, session: CommandSession, platform: PlatformDep, principal: ApiPrincipal) -> TicketOut:
    ticket = service.file_ticket(
        session,
        principal=principal,
        resource_code=body.resource,
        version=body.version,
        kind=body.kind,
        rows=body.rows,
        columns=body.columns,
        description=body.description,
        working_days=platform.settings.quality_answer_days,
    )
    return ticket_out(session, ticket)


@router.get("/tickets", response_model=list[TicketOut])
def list_tickets(
    session: ReadSession, principal: ApiPrincipal, state: State = None, overdue: bool = False
) -> list[TicketOut]:
    """The tickets the caller sees: its own filings, its department's to answer, or (regulators) all."""
    rows = service.tickets_for(session, principal=principal, state=state, overdue_only=overdue)
    return [TicketOut.of(row) for row in rows]


@router.get("/tickets/{ticket_id}", response_model=TicketOut)
def get_ticket(ticket_id: RowId, session: ReadSession, principal: ApiPrincipal) -> TicketOut:
    return ticket_out(session, service.get_ticket(session, principal=principal, ticket_id=ticket_id))


@router.post("/tickets/{ticket_id}/answer", response_model=TicketOut)
def answer(ticket_id: RowId, body: AnswerIn, session: CommandSession, principal: ApiPrincipal) -> TicketOut:
    ticket = service.answer_ticket(
        session, principal=principal, ticket_id=ticket_id, answer=body.answer, fixed_version=body.fixed_version
    )
    return ticket_out(session, ticket)


@router.post("/tickets/{ticket_id}/confirm", response_model=TicketOut)
def confirm(ticket_id: RowId, session: CommandSession, principal: ApiPrincipal) -> TicketOut:
    return ticket_out(session, service.confirm_ticket(session, principal=principal, ticket_id=ticket_id))


@router.post("/tickets/{ticket_id}/reopen", response_model=TicketOut)
def reopen(
    ticket_id: RowId, body: ReopenIn, session: CommandSession, platform: PlatformDep, principal: ApiPrincipal
) -> TicketOut:
    ticket = service.reopen_ticket(
        session,
        principal=principal,
        ticket_id=ticket_id,
        reason=body.reason,
        working_days=platform.settings.quality_answer_days,
    )
    return ticket_out(session, ticket)


@router.post("/tickets/{ticket_id}/withdraw", response_model=TicketOut)
def withdraw(ticket_id: RowId, session: CommandSession, principal: ApiPrincipal) -> TicketOut:
    return ticket_out(session, service.withdraw_ticket(session, principal=principal, ticket_id=ticket_id))


@router.get("/scores")
def contribution_scores(session: ReadSession, principal: ApiPrincipal, year: Year) -> dict[str, object]:
    """Every providing department's contribution score for ``year``, ranked, with its indicators' values and
    points and the weights (and their version) it was computed with."""
    found = scores.ranking(session, principal=principal, year=year)
    return {
        "year": found.year,
        "as_of": found.as_of,
        "weights": {"version": found.weights.version, "weights": found.weights.weights, "total": found.weights.total},
        "ranking": [
            {
                "rank": row.rank,
                "department_id": row.department_id,
                "department": row.department,
                "values": row.score.values,
                "points": row.score.parts,
                "total": row.score.total,
            }
            for row in found.rows
        ],
    }


@router.put("/score-weights", status_code=status.HTTP_201_CREATED)
def set_weights(body: WeightsIn, session: CommandSession, principal: ApiPrincipal) -> dict[str, object]:
    """The bureau's weights for the contribution score; they must sum to the total they state."""
    found = scores.set_weights(session, principal=principal, weights=body.weights, total=body.total, note=body.note)
    return {"version": found.version, "weights": found.weights, "total": found.total}
