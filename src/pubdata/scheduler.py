"""Time-driven transitions: each domain's "what is due now" in one place, applied idempotently.

``pubdata tick`` runs it once (cron, tests); ``pubdata serve`` runs it every minute. Running it twice in a
row changes nothing more the second time.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from pubdata.authorization import service as authorization
from pubdata.catalog import service as catalog
from pubdata.common.actor import SYSTEM
from pubdata.contracts import service as contracts


def tick(session: Session) -> list[str]:
    """Apply everything due; returns a line per change. The caller commits."""
    done: list[str] = []
    done += [f"resource registered: {number}" for number in catalog.finalise_due(session, actor=SYSTEM)]
    done += authorization.apply_deadlines(session, actor=SYSTEM)
    done += contracts.expire_due(session, actor=SYSTEM)
    done += contracts.end_with_authorization(session, actor=SYSTEM)
    return done
