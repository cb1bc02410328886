"""Registration commands, in the caller's transaction, each with its ledger entry."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pubdata.common import canonical, clock
from pubdata.common.actor import Actor
from pubdata.common.errors import Refused
from pubdata.common.messages import Text
from pubdata.identity import access
from pubdata.identity.access import Who
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
        raise Refused("registration.kind", kind=kind)
    if open_for(session, subject_kind=subject_kind, subject_id=subject_id) is not None:
        raise Refused("registration.already-open")
    registration = Registration(
        subject_kind=subject_kind,
        subject_id=subject_id,
        kind=kind,
        state=rules.LIFECYCLE.initial,
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


def get_for_review(session: Session, *, principal: Who, registration_id: int, subject_kind: str) -> Registration:
    """An application of one kind of subject, for those who review registrations (404 otherwise)."""
    application = access.load(session, principal, Registration, registration_id, "registration.review")
    if application.subject_kind != subject_kind:
        raise Refused("registration.not-found", what=Text(Registration.guard.what))
    return application


def decide(
    session: Session, *, actor: Actor, registration: Registration, decision: str, reason: str | None
) -> Registration:
    """The bureau accepts (public notice starts), returns for correction, or rejects; the caller checked that
    the actor reviews registrations."""
    if decision not in rules.DECISIONS:
        raise Refused("registration.decision")
    if rules.reason_needed(decision) and not (reason or "").strip():
        raise Refused("registration.reason-required")
    new_state = rules.LIFECYCLE.apply(registration, decision)
    registration.decided_at = clock.now()
    registration.reason = (reason or "").strip() or None
    if new_state == rules.S.NOTICE:
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
        Registration.subject_kind == subject_kind,
        Registration.state == rules.S.NOTICE.value,
        Registration.notice_until < today,
    )
    return list(session.execute(statement.order_by(Registration.id)).scalars())


def finalise(session: Session, *, actor: Actor, registration: Registration) -> Registration:
    """After the notice period: registered, with a registration number."""
    if not rules.LIFECYCLE.allows(registration.state, "finalise") or registration.notice_until is None:
        raise rules.LIFECYCLE.refusal(registration.state, "finalise")
    if not rules.notice_over(today=clock.today(), notice_until=registration.notice_until):
        raise Refused("registration.notice-running", until=registration.notice_until)
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
    rules.LIFECYCLE.apply(registration, "finalise")
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
    statement = select(Registration).where(
        Registration.subject_kind == subject_kind, Registration.state == rules.S.NOTICE.value
    )
    return list(session.execute(statement.order_by(Registration.notice_until)).scalars())


AWAITING_REVIEW, IN_NOTICE = rules.S.SUBMITTED.value, rules.S.NOTICE.value


def counts_by_state(session: Session, *, subject_kind: str, subject_ids: set[int] | None = None) -> dict[str, int]:
    """How many applications about ``subject_kind`` (those of ``subject_ids``, when given) are in each state."""
    statement = (
        select(Registration.state, func.count())
        .where(Registration.subject_kind == subject_kind)
        .group_by(Registration.state)
    )
    if subject_ids is not None:
        statement = statement.where(Registration.subject_id.in_(subject_ids))
    return {state: count for state, count in session.execute(statement).all()}


def subjects_of(session: Session, ids: set[int], *, subject_kind: str) -> dict[int, int]:
    """The subject (of ``subject_kind``) each of these applications is about: application id → subject id."""
    statement = select(Registration.id, Registration.subject_id).where(
        Registration.id.in_(ids), Registration.subject_kind == subject_kind
    )
    return {id_: subject for id_, subject in session.execute(statement).all()}
