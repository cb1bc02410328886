"""Quality-ticket API: file, list, read; the department's answer; the filer's confirmation, reopening and
withdrawal. Refusals answer problem+json."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from pubdata.common.bounds import RowId
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.quality import service
from pubdata.quality.models import QualityTicket
from pubdata.quality.schemas import AnswerIn, ReopenIn, TicketIn, TicketOut
from pubdata.web.deps import CommandSession, PlatformDep, ReadSession

router = APIRouter(prefix="/api/v1/quality", tags=["quality"])
State = Annotated[str | None, Query(pattern="^(open|answered|closed)$")]


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
