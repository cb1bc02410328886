"""Registration commands, in the caller's transaction, each with its ledger entry."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pubdata.common import canonical, clock
from pubdata.common.actor import Actor
from pubdata.common.errors import InvalidInput, NotFound, StateRefused
from pubdata.ledger import service as ledger
from pubdata.registration import rules
from pubdata.registration.models import Registration


def open_for(session: Session, *, subject_kind: str, subject_id: int) -> Registration | None:
    return session.scalar(
        select(Registration).where(
            Registration.subject_kind == subject_kind,
            Registration.subject_id == subject_id,
            Registration.state.in_(rules.OPEN_STATES),
        )
    )


def submit(
    session: Session,
    *,
    actor: Actor,
    subject_kind: str,
    subject_id: int,
    kind: str,
    applicant_id: int,
    submission: dict[str, Any],
) -> Registration:
    if kind not in rules.KINDS:
        raise InvalidInput("registration.kind", f"Unknown registration kind {kind}.")
    if open_for(session, subject_kind=subject_kind, subject_id=subject_id) is not None:
        raise StateRefused(
            "registration.already-open", "A registration for this is already under review or in public notice."
        )
    registration = Registration(
        subject_kind=subject_kind,
        subject_id=subject_id,
        kind=kind,
        state="submitted",
        applicant_id=applicant_id,
        submission=canonical.dumps(submission).decode("utf-8"),
        submitted_at=clock.now(),
    )
    session.add(registration)
    ledger.record(
        session,
        actor=actor,
        action=f"registration.{kind}.submit",
        subject=registration,
        payload={"subject": f"{subject_kind}:{subject_id}"},
    )
    return registration


def get(session: Session, registration_id: int) -> Registration:
    registration = session.get(Registration, registration_id)
    if registration is None:
        raise NotFound("registration.not-found", "No such registration.")
    return registration


def decide(session: Session, *, actor: Actor, registration_id: int, decision: str, reason: str | None) -> Registration:
    """The bureau accepts (public notice starts), returns for correction, or rejects."""
    registration = get(session, registration_id)
    if decision not in rules.DECISIONS:
        raise InvalidInput("registration.decision", f"Decide with one of {', '.join(rules.DECISIONS)}.")
    if rules.reason_needed(decision) and not (reason or "").strip():
        raise InvalidInput("registration.reason-required", "Say why, so the department can correct it.")
    new_state = rules.next_state(registration.state, decision)
    if new_state is None:
        raise StateRefused(
            "registration.transition", f"A registration that is {registration.state} cannot be {decision}ed."
        )
    registration.state = new_state
    registration.decided_at = clock.now()
    registration.reason = (reason or "").strip() or None
    if new_state == "notice":
        registration.notice_until = rules.notice_ends(clock.today()).day
    ledger.record(
        session,
        actor=actor,
        action=f"registration.{decision}",
        subject=registration,
        payload={"reason": registration.reason},
    )
    return registration


def due_for_finalising(session: Session, *, subject_kind: str, today: date) -> list[Registration]:
    statement = select(Registration).where(
        Registration.subject_kind == subject_kind, Registration.state == "notice", Registration.notice_until < today
    )
    return list(session.execute(statement.order_by(Registration.id)).scalars())


def finalise(session: Session, *, actor: Actor, registration_id: int) -> Registration:
    """After the notice period: registered, with a registration number."""
    registration = get(session, registration_id)
    if registration.state != "notice" or registration.notice_until is None:
        raise StateRefused(
            "registration.transition", f"A registration that is {registration.state} cannot be finalised."
        )
    if not rules.notice_over(today=clock.today(), notice_until=registration.notice_until):
        raise StateRefused(
            "registration.notice-running", f"The public notice runs until {registration.notice_until.isoformat()}."
        )
    now = clock.now()
    year = now.astimezone(clock.SHANGHAI).year
    prefix = rules.registration_number(subject_kind=registration.subject_kind, year=year, serial=0)[:-6]
    serial = (
        session.scalar(select(func.count()).select_from(Registration).where(Registration.number.like(f"{prefix}%")))
        or 0
    )
    registration.number = rules.registration_number(
        subject_kind=registration.subject_kind, year=year, serial=serial + 1
    )
    registration.state = "registered"
    registration.registered_at = now
    ledger.record(
        session,
        actor=actor,
        action="registration.finalise",
        subject=registration,
        payload={"number": registration.number},
    )
    return registration


def history(session: Session, *, subject_kind: str, subject_id: int) -> list[Registration]:
    statement = select(Registration).where(
        Registration.subject_kind == subject_kind, Registration.subject_id == subject_id
    )
    return list(session.execute(statement.order_by(Registration.id)).scalars())


def submission_of(registration: Registration) -> dict[str, Any]:
    return json.loads(registration.submission)


def open_list(session: Session, *, subject_kind: str) -> list[Registration]:
    statement = select(Registration).where(
        Registration.subject_kind == subject_kind, Registration.state.in_(rules.OPEN_STATES)
    )
    return list(session.execute(statement.order_by(Registration.submitted_at)).scalars())


def in_notice(session: Session, *, subject_kind: str) -> list[Registration]:
    statement = select(Registration).where(Registration.subject_kind == subject_kind, Registration.state == "notice")
    return list(session.execute(statement.order_by(Registration.notice_until)).scalars())
