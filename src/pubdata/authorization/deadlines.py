"""The authorization's deadlines: what is due soon (reminders for the pages) and what has passed (expiry,
a planned exit's date, a missed rectification), applied once by the scheduler."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.authorization import agreements, rules
from pubdata.authorization.evaluation import open_rectification
from pubdata.authorization.models import Agreement
from pubdata.common import clock
from pubdata.common.actor import Actor
from pubdata.identity.access import Who


def reminders(session: Session, *, principal: Who) -> list[dict[str, Any]]:
    """Renewals due soon (from 4 months before expiry), rectifications due, exits planned: dashboard lines."""
    today = clock.today()
    lines: list[dict[str, Any]] = []
    for agreement in agreements.list_agreements(session, principal=principal):
        if (
            agreement.state == rules.A.ACTIVE
            and agreement.expires_on
            and today >= rules.renewal_reminder_from(agreement.expires_on)
        ):
            due = rules.renewal_due_by(agreement.expires_on)
            lines.append(
                {"agreement_id": agreement.id, "kind": "renewal", "due": due, "expires_on": agreement.expires_on}
            )
        if agreement.state == rules.A.RECTIFYING:
            evaluation = open_rectification(session, agreement.id)
            rectify_by = evaluation.rectification_due if evaluation else None
            lines.append({"agreement_id": agreement.id, "kind": "rectification", "due": rectify_by})
        if agreement.state == rules.A.EXIT_PLANNED:
            lines.append({"agreement_id": agreement.id, "kind": "exit", "due": agreement.exit_on})
    return lines


def apply_deadlines(session: Session, *, actor: Actor) -> list[str]:
    """Expiries, planned exits and missed rectifications, applied once (the scheduler calls this)."""
    today = clock.today()
    done = []
    live = select(Agreement).where(Agreement.state.in_(rules.LIVE_STATES)).order_by(Agreement.id)
    for agreement in session.execute(live).scalars().all():
        reason = None
        if agreement.expires_on and today > agreement.expires_on:
            reason = "expiry"
        elif agreement.state == rules.A.EXIT_PLANNED and agreement.exit_on and today >= agreement.exit_on:
            reason = "early_termination"
        elif agreement.state == rules.A.RECTIFYING:
            evaluation = open_rectification(session, agreement.id)
            if (
                evaluation is not None
                and evaluation.rectified_at is None
                and evaluation.rectification_due is not None
                and today > evaluation.rectification_due
            ):
                reason = "rectification_missed"
        if reason:
            agreements.exit_now(session, actor=actor, agreement=agreement, reason=reason)
            done.append(f"agreement {agreement.id} exited: {reason}")
    return done
