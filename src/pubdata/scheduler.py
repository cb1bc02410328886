"""Time-driven transitions: each domain's "what is due now", each in a command of its own.

``pubdata tick`` runs it once (cron, tests); ``pubdata serve`` runs it every minute. Running it twice in a
row changes nothing more the second time. Domains run in order — an operator's exit comes before the
contracts that end with it — and one domain failing (logged) neither rolls back nor stops the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from pubdata.authorization import deadlines as authorization
from pubdata.billing import service as billing
from pubdata.catalog import service as catalog
from pubdata.common.actor import SYSTEM, Actor
from pubdata.contracts import service as contracts
from pubdata.db import UnitOfWork
from pubdata.privacy import consent
from pubdata.products import service as products
from pubdata.quality import service as quality

log = logging.getLogger("pubdata.scheduler")
Deadlines = Callable[[Session, Actor], list[str]]


def _catalog(session: Session, actor: Actor) -> list[str]:
    return [f"resource registered: {number}" for number in catalog.finalise_due(session, actor=actor)]


def _contracts(session: Session, actor: Actor) -> list[str]:
    return contracts.expire_due(session, actor=actor) + contracts.end_with_authorization(session, actor=actor)


def _products(session: Session, actor: Actor) -> list[str]:
    return products.finalise_due(session, actor=actor) + products.delist_with_authorization(session, actor=actor)


DOMAINS: tuple[tuple[str, Deadlines], ...] = (
    ("catalog", _catalog),
    ("authorization", lambda session, actor: authorization.apply_deadlines(session, actor=actor)),
    ("contracts", _contracts),
    ("products", _products),
    ("consent", lambda session, actor: consent.expire_due(session, actor=actor)),
    # 三(三)3: a quality ticket still unanswered after the end of its last working day is flagged, once.
    ("quality", lambda session, actor: quality.flag_overdue(session, actor=actor)),
    # At a year's start, each operator's revenue above the year before's ceiling comes off the new one's; a price
    # or cap taking effect may end a price flag.
    (
        "billing",
        lambda session, actor: billing.close_years(session, actor=actor) + billing.reflag_all(session, actor=actor),
    ),
)


@dataclass(frozen=True)
class DomainTick:
    domain: str
    changes: list[str] = field(default_factory=list)
    failed: bool = False

    def line(self) -> str:
        if self.failed:
            return f"{self.domain}: failed (see the log); nothing of it was changed"
        return f"{self.domain}: {len(self.changes)} change(s)" + "".join(f"\n  {item}" for item in self.changes)


@dataclass(frozen=True)
class Tick:
    domains: list[DomainTick]

    @property
    def changes(self) -> list[str]:
        return [change for domain in self.domains for change in domain.changes]


def tick(units: UnitOfWork, *, actor: Actor = SYSTEM) -> Tick:
    """Apply everything due, one domain per command."""
    done = []
    for name, apply in DOMAINS:
        try:
            with units.command() as session:
                changes = apply(session, actor)
        except Exception:
            log.exception("the %s deadlines failed", name)
            done.append(DomainTick(name, failed=True))
        else:
            done.append(DomainTick(name, changes))
    return Tick(done)
