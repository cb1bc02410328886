"""Plain readings of the demo's data, the reference the client's results are checked against: each resource's
current version read directly inside the domain, by Python, not by the platform's own queries."""

from __future__ import annotations

from datetime import timedelta

from pubdata.common import clock
from pubdata.demo import privacy as bank_demo
from pubdata.platform import Platform


def _rows(platform: Platform, code: str, sql: str) -> list[tuple]:
    return bank_demo._domain_rows(platform, code, sql)


def a_rated(platform: Platform) -> set[str]:
    """Enterprises whose latest rating is A, read plainly from the ratings' current version."""
    latest: dict[str, tuple[int, str]] = {}
    for code, year, rating in _rows(platform, "CZ-XY-0005", "SELECT credit_code, rating_year, rating FROM {file}"):
        if code not in latest or year > latest[code][0]:
            latest[code] = (year, rating)
    return {code for code, (_, rating) in latest.items() if rating == "A"}


def penalties_of_members(platform: Platform) -> dict[str, str]:
    today = clock.today()
    since = today.replace(year=today.year - 3, day=min(today.day, 28 if today.month == 2 else 31)) + timedelta(days=1)
    counts: dict[str, int] = {}
    for code, day in _rows(platform, "CZ-XY-0004", "SELECT credit_code, decision_date FROM {file}"):
        if since <= day <= today:
            counts[code] = counts.get(code, 0) + 1
    return {code: str(counts.get(code, 0)) for code in a_rated(platform)}
