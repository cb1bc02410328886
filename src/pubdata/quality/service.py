"""Quality-ticket commands (三(三)3): file a ticket against a resource version, the department's answer (late ones
accepted and recorded late), the filer's confirmation or reopening, withdrawal; the scheduler's overdue flags;
and recomputing provisional deadlines when a year's calendar table is loaded.

Each command checks its permission and writes its ledger entry in the caller's transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pubdata.calendar import rules as calendar_rules
from pubdata.calendar import service as calendar
from pubdata.catalog import service as catalog
from pubdata.common import clock
from pubdata.common.actor import Actor
from pubdata.common.errors import Refused
from pubdata.common.messages import Phrase, Text
from pubdata.common.names import clean_prose
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Principal, Who
from pubdata.jobs import rules as job_rules
from pubdata.ledger import service as ledger
from pubdata.quality import rules
from pubdata.quality.models import QualityRound, QualityTicket

TEXT_FIELDS = {
    "description": "quality.description",
    "answer": "quality.answer",
    "reason": "quality.reopen_reason",
}


def _checked_text(text: str, *, field: str, blank: bool = False) -> str:
    """A ticket's words are read by both sides and shown on workbenches: text holding anything shaped like a
    resident ID or a mobile number (after NFKC, separators stripped, encodings opened) is refused, naming the
    rule; a ticket points at rows and columns by number instead."""
    text = clean_prose(text, field=field, max_length=rules.MAX_DESCRIPTION, blank=blank)
    if job_rules.holds_identifier(text):
        raise Refused("quality.personal", what=Phrase(TEXT_FIELDS[field]), field=field)
    return text


def _refuse(problem: str | None, field: str) -> None:
    if problem is not None:
        raise Refused("quality.where", problem=Phrase(problem), field=field)


def _round(session: Session, ticket: QualityTicket, number: int | None = None) -> QualityRound:
    found = session.scalar(
        select(QualityRound).where(QualityRound.ticket_id == ticket.id, QualityRound.number == (number or ticket.round))
    )
    assert found is not None, "a ticket always has its running round"
    return found


def _open_round(
    session: Session, ticket: QualityTicket, *, number: int, working_days: int, reason: str = ""
) -> QualityRound:
    opened_on = clock.today()
    deadline = calendar.deadline(session, opened_on, working_days)
    opened = QualityRound(
        ticket_id=ticket.id,
        number=number,
        provider_id=ticket.provider_id,
        filer_id=ticket.filer_id,
        opened_on=opened_on,
        opened_reason=reason,
        working_days=working_days,
        due=deadline.due,
        provisional=deadline.provisional,
    )
    session.add(opened)
    return opened


def file_ticket(
    session: Session,
    *,
    principal: Principal,
    resource_code: str,
    version: int | None,
    kind: str,
    rows: str,
    columns: list[int],
    description: str,
    working_days: int = rules.ANSWER_WORKING_DAYS,
) -> QualityTicket:
    """The operator, a partner, a consumer or the bureau files a ticket against a registered resource's version
    (its current one by default); the providing department has ``working_days`` working days to answer."""
    access.require(principal, "quality.file", access.own_organisation(principal))
    if kind not in rules.KINDS:
        raise Refused("quality.kind", field="kind")
    ranges, problem = rules.parse_rows(rows)
    _refuse(problem, "rows")
    description = _checked_text(description, field="description")
    resource = catalog.public_get(session, code=resource_code)
    _refuse(rules.columns_problem(columns, len(catalog.fields_of(resource))), "columns")
    found = catalog.version_numbered(session, resource, version)
    if found is None:
        raise Refused("quality.version", field="version")
    ticket = QualityTicket(
        resource_id=resource.id,
        version_id=found.id,
        provider_id=resource.provider_id,
        filer_id=principal.organisation_id,
        filed_by=principal.user_id,
        kind=kind,
        rows=rules.rows_text(ranges),
        columns=json.dumps(sorted(columns)),
        description=description,
        state=rules.TICKET.initial,
        round=1,
        filed_at=clock.now(),
    )
    session.add(ticket)
    session.flush()
    opened = _open_round(session, ticket, number=1, working_days=working_days)
    ledger.record(
        session,
        actor=principal.actor,
        action="quality.filed",
        subject=ticket,
        payload={"resource": resource.code, "version": found.number, "kind": kind},
    )
    _record_round(session, principal.actor, opened, "quality.round-opened")
    return ticket


def _record_round(session: Session, actor: Actor, row: QualityRound, action: str, **extra: object) -> None:
    payload = {"round": row.number, "due": row.due.isoformat(), "provisional": row.provisional, **extra}
    ledger.record(session, actor=actor, action=action, subject=row, payload=payload)


def get_ticket(session: Session, *, principal: Who, ticket_id: int, permission: str = "quality.read") -> QualityTicket:
    return access.load(session, principal, QualityTicket, ticket_id, permission)


def answer_ticket(
    session: Session, *, principal: Who, ticket_id: int, answer: str, fixed_version: int | None = None
) -> QualityTicket:
    """The providing department answers, optionally with the new version of the data that fixes it. An answer
    after the deadline is accepted and recorded late."""
    ticket = get_ticket(session, principal=principal, ticket_id=ticket_id, permission="quality.answer")
    answer = _checked_text(answer, field="answer")
    rules.TICKET.apply(ticket, "answer")
    running = _round(session, ticket)
    if fixed_version is not None:
        resource, filed = catalog.version_of(session, ticket.version_id)
        fixed = catalog.version_numbered(session, resource, fixed_version)
        if fixed is None or fixed.number <= filed.number:
            raise Refused("quality.fixed-version", field="fixed_version")
        running.fixed_version_id = fixed.id
    today = clock.today()
    running.answer, running.answered_by = answer, principal.user_id
    running.answered_at, running.answered_on = clock.now(), today
    running.late = rules.late(due=running.due, answered_on=today)
    ledger.record(session, actor=principal.actor, action="quality.answered", subject=ticket)
    _record_round(session, principal.actor, running, "quality.round-answered", late=running.late)
    return ticket


def _end_round(session: Session, principal: Who, ticket: QualityTicket, event: str, outcome: str) -> QualityRound:
    rules.TICKET.apply(ticket, event)
    running = _round(session, ticket)
    running.outcome, running.outcome_at = outcome, clock.now()
    return running


def confirm_ticket(session: Session, *, principal: Who, ticket_id: int) -> QualityTicket:
    """The filer confirms the fix: the ticket closes."""
    ticket = get_ticket(session, principal=principal, ticket_id=ticket_id, permission="quality.confirm")
    running = _end_round(session, principal, ticket, "confirm", "confirmed")
    ticket.closed_at = running.outcome_at
    ledger.record(session, actor=principal.actor, action="quality.confirmed", subject=ticket)
    _record_round(session, principal.actor, running, "quality.round-closed", outcome="confirmed")
    return ticket


def withdraw_ticket(session: Session, *, principal: Who, ticket_id: int) -> QualityTicket:
    """The filer withdraws a ticket not yet answered."""
    ticket = get_ticket(session, principal=principal, ticket_id=ticket_id, permission="quality.confirm")
    running = _end_round(session, principal, ticket, "withdraw", "withdrawn")
    ticket.closed_at = running.outcome_at
    ledger.record(session, actor=principal.actor, action="quality.withdrawn", subject=ticket)
    _record_round(session, principal.actor, running, "quality.round-closed", outcome="withdrawn")
    return ticket


def reopen_ticket(
    session: Session,
    *,
    principal: Who,
    ticket_id: int,
    reason: str,
    working_days: int = rules.ANSWER_WORKING_DAYS,
) -> QualityTicket:
    """The filer is not satisfied: a new round opens with its own deadline, counted from today."""
    ticket = get_ticket(session, principal=principal, ticket_id=ticket_id, permission="quality.confirm")
    reason = _checked_text(reason, field="reason")
    ended = _end_round(session, principal, ticket, "reopen", "reopened")
    _record_round(session, principal.actor, ended, "quality.round-closed", outcome="reopened")
    ticket.round += 1
    ledger.record(session, actor=principal.actor, action="quality.reopened", subject=ticket)
    opened = _open_round(session, ticket, number=ticket.round, working_days=working_days, reason=reason)
    _record_round(session, principal.actor, opened, "quality.round-opened")
    return ticket


# --- what is due ----------------------------------------------------------------------------------------


def _unanswered():  # noqa: ANN202 - a select over rounds still waiting for the department
    return (
        select(QualityRound)
        .join(QualityTicket, QualityTicket.id == QualityRound.ticket_id)
        .where(QualityTicket.state == rules.T.OPEN.value, QualityRound.number == QualityTicket.round)
    )


def flag_overdue(session: Session, *, actor: Actor) -> list[str]:
    """The scheduler flags every round past its deadline and still unanswered, once."""
    statement = _unanswered().where(QualityRound.due < clock.today(), QualityRound.overdue_flagged_at.is_(None))
    changes = []
    for row in session.execute(statement).scalars():
        row.overdue_flagged_at = clock.now()
        _record_round(session, actor, row, "quality.overdue")
        changes.append(f"quality ticket {row.ticket_id} overdue (due {row.due.isoformat()})")
    return changes


def recompute_deadlines(session: Session, *, actor: Actor, calendar: calendar_rules.WorkCalendar, year: int) -> int:
    """A year's table was loaded: every provisional deadline is counted again on the calendar now in force,
    and an answer already given is judged late or on time against the new deadline."""
    statement = select(QualityRound).where(QualityRound.provisional.is_(True), QualityRound.outcome.is_(None))
    changed = 0
    for row in session.execute(statement).scalars():
        deadline = calendar.add_working_days(row.opened_on, row.working_days)
        if (deadline.due, deadline.provisional) == (row.due, row.provisional):
            continue
        was = row.due
        row.due, row.provisional = deadline.due, deadline.provisional
        if row.answered_on is not None:
            row.late = rules.late(due=row.due, answered_on=row.answered_on)
        elif row.overdue_flagged_at is not None and not rules.overdue(
            state=rules.T.OPEN.value, due=row.due, today=clock.today()
        ):
            row.overdue_flagged_at = None
        _record_round(session, actor, row, "quality.due-recomputed", was=was.isoformat(), year=year)
        changed += 1
    return changed


@dataclass(frozen=True)
class TicketRow:
    """A ticket as a list shows it: with its resource, its running round, and who is on either side."""

    ticket: QualityTicket
    running: QualityRound
    resource_code: str
    resource_name: str
    department: str
    filer: str

    @property
    def overdue(self) -> bool:
        return rules.overdue(state=self.ticket.state, due=self.running.due, today=clock.today())


def tickets_for(
    session: Session,
    *,
    principal: Who,
    state: str | None = None,
    overdue_only: bool = False,
    provider_id: int | None = None,
    limit: int = 500,
) -> list[TicketRow]:
    """The tickets ``principal`` may see (a filer's own, a department's to answer, the regulators' all),
    newest first, with their running rounds."""
    statement = access.visible(select(QualityTicket, QualityRound), principal, QualityTicket).join(
        QualityRound,
        (QualityRound.ticket_id == QualityTicket.id) & (QualityRound.number == QualityTicket.round),
    )
    if state is not None:
        statement = statement.where(QualityTicket.state == state)
    if overdue_only:
        statement = statement.where(QualityTicket.state == rules.T.OPEN.value, QualityRound.due < clock.today())
    if provider_id is not None:
        statement = statement.where(QualityTicket.provider_id == provider_id)
    found = session.execute(statement.order_by(QualityTicket.id.desc()).limit(limit)).all()
    return _rows(session, [(ticket, running) for ticket, running in found])


def _rows(session: Session, found: list[tuple[QualityTicket, QualityRound]]) -> list[TicketRow]:
    resources = catalog.codes_and_names(session, {ticket.resource_id for ticket, _ in found})
    names = identity.organisation_names(session, {o for t, _ in found for o in (t.provider_id, t.filer_id)})
    return [
        TicketRow(ticket, running, *resources[ticket.resource_id], names[ticket.provider_id], names[ticket.filer_id])
        for ticket, running in found
    ]


def row_of(session: Session, ticket: QualityTicket) -> TicketRow:
    return _rows(session, [(ticket, _round(session, ticket))])[0]


def fixed_version_numbers(session: Session, ticket: QualityTicket) -> list[int]:
    """The versions of the ticket's resource loaded after the one it is about: what an answer may attach."""
    resource, filed = catalog.version_of(session, ticket.version_id)
    return catalog.version_numbers_after(session, resource, filed.number)


def rounds_of(session: Session, ticket: QualityTicket) -> list[QualityRound]:
    statement = select(QualityRound).where(QualityRound.ticket_id == ticket.id).order_by(QualityRound.number)
    return list(session.execute(statement).scalars())


def counts(session: Session, *, principal: Who) -> dict[str, int]:
    """How many tickets ``principal`` sees in each state, and how many are overdue."""
    statement = access.visible(select(QualityTicket.state, func.count()), principal, QualityTicket)
    found: dict[str, int] = {state: count for state, count in session.execute(statement.group_by(QualityTicket.state))}
    overdue = _unanswered().where(QualityRound.due < clock.today()).with_only_columns(func.count(QualityRound.id))
    found["overdue"] = session.scalar(access.visible(overdue, principal, QualityTicket)) or 0
    return found


def ticket_count(session: Session, *, filer_id: int | None = None) -> int:
    """How many tickets there are (filed by ``filer_id``'s organisation)."""
    statement = select(func.count(QualityTicket.id))
    if filer_id is not None:
        statement = statement.where(QualityTicket.filer_id == filer_id)
    return session.scalar(statement) or 0


def is_overdue(running: QualityRound, ticket: QualityTicket, today: date | None = None) -> bool:
    return rules.overdue(state=ticket.state, due=running.due, today=today or clock.today())


def kind_name(kind: str) -> Text:
    return Text(rules.KINDS[kind])


def todos(session: Session, *, principal: Principal) -> list[tuple[str, int, str]]:
    """What waits for ``principal`` here, as (label key, count, page) for its workbench: a department's tickets
    to answer and those overdue; the bureau's overdue tickets city-wide; a filer's answers to confirm."""
    kind, own = principal.organisation_kind, principal.organisation_id
    found = []
    if kind == "provider":
        waiting = tickets_for(session, principal=principal, state=rules.T.OPEN.value, provider_id=own)
        found += [
            ("workbench.quality.to_answer", len(waiting), "/quality?state=open"),
            ("workbench.quality.overdue", sum(1 for row in waiting if row.overdue), "/quality?overdue=1"),
        ]
    if kind == "bureau":
        overdue = tickets_for(session, principal=principal, overdue_only=True)
        found.append(("workbench.quality.overdue_city", len(overdue), "/quality?overdue=1"))
    if access.may(principal, "quality.file", access.own_organisation(principal)):
        answered = select(func.count(QualityTicket.id)).where(
            QualityTicket.filer_id == own, QualityTicket.state == rules.T.ANSWERED.value
        )
        found.append(("workbench.quality.to_confirm", session.scalar(answered) or 0, "/quality?state=answered"))
    return found
