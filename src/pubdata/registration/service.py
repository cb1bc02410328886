"""Registration commands, in the caller's transaction, each with its ledger entry."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pubdata.calendar import service as calendar
from pubdata.common import canonical, clock, names
from pubdata.common.actor import Actor
from pubdata.common.errors import Refused
from pubdata.common.messages import Text
from pubdata.identity import access
from pubdata.identity.access import Who
from pubdata.ledger import service as ledger
from pubdata.registration import rules
from pubdata.registration.models import Objection, Registration


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
    was_in_notice = registration.state == rules.S.NOTICE
    new_state = rules.LIFECYCLE.apply(registration, decision)
    registration.decided_at = clock.now()
    registration.reason = (reason or "").strip() or None
    if new_state == rules.S.NOTICE:
        registration.notice_until = rules.notice_ends(clock.today(), calendar.current(session))
    ledger.record(
        session,
        actor=actor,
        action=f"registration.{decision}",
        subject=registration,
        payload={"reason": registration.reason},
    )
    if was_in_notice:  # rejected during its notice: its open objections close with it
        _close_open(session, actor=actor, registration=registration, reason=registration.reason or "")
    return registration


def due_for_finalising(session: Session, *, subject_kind: str, today: date) -> list[Registration]:
    """Applications whose notice is over and that no unanswered objection holds back."""
    unanswered = select(Objection.id).where(Objection.registration_id == Registration.id, Objection.answer.is_(None))
    statement = select(Registration).where(
        Registration.subject_kind == subject_kind,
        Registration.state == rules.S.NOTICE.value,
        Registration.notice_until < today,
        ~unanswered.exists(),
    )
    return list(session.execute(statement.order_by(Registration.id)).scalars())


def finalise(session: Session, *, actor: Actor, registration: Registration) -> Registration:
    """After the notice period: registered, with a registration number."""
    if not rules.LIFECYCLE.allows(registration.state, "finalise") or registration.notice_until is None:
        raise rules.LIFECYCLE.refusal(registration.state, "finalise")
    if not rules.notice_over(today=clock.today(), notice_until=registration.notice_until):
        raise Refused("registration.notice-running", until=registration.notice_until)
    waiting = unanswered_count(session, registration.id)
    if not rules.finalisable(unanswered_objections=waiting):
        raise Refused("registration.objection-unanswered", n=waiting)
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


def first_registered(session: Session, ids: set[int], *, subject_kind: str) -> dict[int, datetime]:
    """When each of these subjects was first registered (those never registered are left out)."""
    statement = (
        select(Registration.subject_id, func.min(Registration.registered_at))
        .where(
            Registration.subject_id.in_(ids),
            Registration.subject_kind == subject_kind,
            Registration.kind == "first",
            Registration.registered_at.is_not(None),
        )
        .group_by(Registration.subject_id)
    )
    return {subject: moment for subject, moment in session.execute(statement).all() if moment is not None}


# --- objections during the public notice -----------------------------------------------------------------


def in_notice_for(session: Session, *, subject_kind: str, subject_id: int) -> Registration | None:
    """The subject's application in its public notice, if one is (its notice may be over, not yet finalised)."""
    return session.scalar(
        select(Registration).where(
            Registration.subject_kind == subject_kind,
            Registration.subject_id == subject_id,
            Registration.state == rules.S.NOTICE.value,
        )
    )


def file_objection(
    session: Session, *, actor: Actor, registration: Registration, name: str, contact: str, reason: str
) -> Objection:
    """Anyone objects to an application while its notice runs. The objector's name and contact are kept for
    the bureau only: the entry carries neither (and its action is PERSONAL, since the row it records holds
    them)."""
    if not rules.objection_open(today=clock.today(), notice_until=registration.notice_until, state=registration.state):
        if registration.notice_until is None:  # never in a public notice
            raise Refused("registration.not-found", what=Text(Registration.guard.what))
        raise Refused("registration.objection-closed", until=registration.notice_until)
    clean_name = _objector_name(name)
    clean_contact = rules.contact_of(contact)
    if clean_contact is None:
        raise Refused("registration.objection-contact", field="contact")
    clean_reason = _objection_reason(reason)
    waiting = list(
        session.scalars(
            select(Objection).where(Objection.registration_id == registration.id, Objection.answer.is_(None))
        )
    )
    # The same objector again, while their objection waits: it is the one objection, filed once. The answer is
    # the same as for a new one, so it tells nobody whether that contact has objected.
    again = next((waiting_one for waiting_one in waiting if waiting_one.contact == clean_contact), None)
    if again is not None:
        return again
    if len(waiting) >= rules.MAX_OPEN_OBJECTIONS:
        raise Refused("registration.objection-limit", limit=rules.MAX_OPEN_OBJECTIONS)
    objection = Objection(
        registration_id=registration.id,
        name=clean_name,
        contact=clean_contact,
        reason=clean_reason,
        filed_at=clock.now(),
    )
    session.add(objection)
    ledger.record(
        session,
        actor=actor,
        action="registration.objection.file",
        subject=objection,
        payload={"registration": registration.id},
    )
    return objection


def _objector_name(text: str) -> str:
    try:
        value = names.clean(text or "", field="display_name", max_length=rules.OBJECTOR_NAME_MAX)
    except Refused:
        raise Refused("registration.objection-name", limit=rules.OBJECTOR_NAME_MAX, field="name") from None
    return value


def _objection_reason(text: str) -> str:
    limits: dict[str, Any] = {"min": rules.OBJECTION_REASON_MIN, "max": rules.OBJECTION_REASON_MAX}
    try:
        value = names.clean_prose(text or "", field="reason", max_length=rules.OBJECTION_REASON_MAX, blank=True)
    except Refused as error:
        if error.rule in ("text.blank", "text.too-long"):
            raise Refused("registration.objection-reason", **limits, field="reason") from None
        raise
    if len(value) < rules.OBJECTION_REASON_MIN:
        raise Refused("registration.objection-reason", **limits, field="reason")
    return value


def objections_of(session: Session, registration_ids: list[int]) -> dict[int, list[Objection]]:
    """Each application's objections, oldest first (for those who review registrations)."""
    found: dict[int, list[Objection]] = {registration_id: [] for registration_id in registration_ids}
    statement = select(Objection).where(Objection.registration_id.in_(registration_ids)).order_by(Objection.id)
    for objection in session.execute(statement).scalars():
        found[objection.registration_id].append(objection)
    return found


def unanswered_count(session: Session, registration_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Objection)
            .where(Objection.registration_id == registration_id, Objection.answer.is_(None))
        )
        or 0
    )


def get_objection(session: Session, *, principal: Who, objection_id: int, subject_kind: str) -> Objection:
    """An objection to an application about one kind of subject, for those who review registrations."""
    objection = access.load(session, principal, Objection, objection_id, "registration.review")
    if session.get_one(Registration, objection.registration_id).subject_kind != subject_kind:
        raise Refused("registration.not-found", what=Text(Objection.guard.what))
    return objection


def answer_objection(
    session: Session, *, actor: Actor, objection: Objection, answer: str, reason: str
) -> tuple[Objection, Registration]:
    """The bureau answers an objection; the caller checked that the actor reviews registrations. Upheld, the
    application goes back for correction (``rules.OBJECTION_UPHELD``) and its other open objections close with
    it; the caller applies that to the subject."""
    if answer not in rules.OBJECTION_ANSWERS or not (reason or "").strip():
        raise Refused("registration.objection-answer", field="reason")
    if objection.answer is not None:
        raise Refused("registration.objection-answered")
    registration = session.get_one(Registration, objection.registration_id)
    if registration.state != rules.S.NOTICE:
        raise rules.LIFECYCLE.refusal(registration.state, rules.OBJECTION_UPHELD)
    text = names.clean_prose(reason, field="reason", max_length=1000)
    _close(session, actor=actor, objection=objection, answer=answer, reason=text)
    if answer == "upheld":
        _close_open(session, actor=actor, registration=registration, reason=text)
        rules.LIFECYCLE.apply(registration, rules.OBJECTION_UPHELD)
        registration.decided_at = clock.now()
        registration.reason = text
        ledger.record(
            session,
            actor=actor,
            action="registration.objection-return",
            subject=registration,
            payload={"objection": objection.id},
        )
    return objection, registration


def _close_open(session: Session, *, actor: Actor, registration: Registration, reason: str) -> None:
    for other in objections_of(session, [registration.id])[registration.id]:
        if other.answer is None:
            _close(session, actor=actor, objection=other, answer=rules.SUPERSEDED, reason=reason)


def _close(session: Session, *, actor: Actor, objection: Objection, answer: str, reason: str) -> None:
    objection.answer, objection.answer_reason = answer, reason
    objection.answered_at, objection.answered_by = clock.now(), actor.user_id
    ledger.record(
        session,
        actor=actor,
        action=f"registration.objection.{answer}",
        subject=objection,
        payload={"registration": objection.registration_id, "reason": reason},
    )


def unanswered_total(session: Session, *, subject_kind: str) -> int:
    """How many objections to applications about one kind of subject wait for the bureau's answer."""
    statement = (
        select(func.count())
        .select_from(Objection)
        .join(Registration, Registration.id == Objection.registration_id)
        .where(Registration.subject_kind == subject_kind, Objection.answer.is_(None))
    )
    return session.scalar(statement) or 0
