"""What the reports read, through the other domains' services only.

Transparency (公开透明): without login, each registered resource with the products built on it, the signed
contracts that use it, and its calls per month — each month's figure opens to the ledger entries it counts, and
each entry to its proof, which the reader's browser checks itself (``/ledger/verify/{seq}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from pubdata.catalog import service as catalog
from pubdata.common import clock
from pubdata.common.errors import Refused
from pubdata.contracts import service as contracts
from pubdata.identity import service as identity
from pubdata.ledger import public as ledger_public
from pubdata.products import service as products

MONTHS_SHOWN = 12
ENTRIES_SHOWN = 500


@dataclass(frozen=True)
class Transparency:
    """One registered resource as the public sees its use."""

    resource: Any
    provider: str
    products: list[Any]  # products.service.PublicProduct
    uses: list[Any]  # contracts.service.ResourceUse, signed ones only
    months: list[tuple[str, int]]  # the last twelve months, oldest first, with their calls

    @property
    def calls(self) -> int:
        return sum(calls for _, calls in self.months)


def last_months(today: date, count: int = MONTHS_SHOWN) -> list[str]:
    year, month = today.year, today.month
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def transparency(session: Session, *, code: str) -> Transparency:
    resource = catalog.public_get(session, code=code)
    using = [item for item in products.public_list(session) if code in dict(item.resources)]
    counted = contracts.calls_on_resources(session, codes={code})
    months = [(month, counted.get(month, 0)) for month in last_months(clock.today())]
    provider = identity.organisation_names(session, {resource.provider_id}).get(resource.provider_id, "")
    return Transparency(resource, provider, using, contracts.public_uses_of_resource(session, code=code), months)


def public_resources(session: Session) -> list[Transparency]:
    """Every registered resource's transparency, by code (the public catalogue's order)."""
    found, _ = catalog.search_public(session, filters=catalog.Filters(), limit=1000)
    return [transparency(session, code=resource.code) for resource in found]


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """A month of the city's calendar (``2026-11``) as its first and the next month's first moment, in UTC."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise Refused("reports.month", month=month[:20]) from None
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return clock.parse_moment(first.isoformat()), clock.parse_moment(following.isoformat())


def month_entries(session: Session, *, code: str, month: str) -> list[ledger_public.PublicEntry]:
    """The ledger entries a month's call count on ``code``'s page counts, in their public view."""
    catalog.public_get(session, code=code)
    since, until = month_bounds(month)
    found = contracts.call_entries(session, code=code, since=since, until=until, limit=ENTRIES_SHOWN)
    return ledger_public.view(session, found)
