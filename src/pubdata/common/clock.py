"""The one clock the whole platform reads.

Nearly every rule of the plan is a deadline (5 working days, 3 months, 30 days, 3 years), so tests and the
demo must be able to say what "now" is. Nothing in pubdata calls ``datetime.now()`` directly.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_lock = threading.Lock()
_offset = timedelta(0)
_frozen: datetime | None = None


def _system_now() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    """The platform's current time, timezone-aware in UTC."""
    frozen = _frozen
    if frozen is not None:
        return frozen
    return _system_now() + _offset


def today() -> date:
    """Today's date as the city sees it (Asia/Shanghai)."""
    return now().astimezone(SHANGHAI).date()


def parse_moment(text: str) -> datetime:
    """Read ``2026-12-28`` (midnight in Shanghai) or a full ISO time; naive times are Shanghai local."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(UTC)


def start_at(moment: datetime) -> None:
    """Let time run from ``moment`` on (used by ``serve --now``)."""
    global _offset, _frozen
    with _lock:
        _frozen = None
        _offset = _aware(moment) - _system_now()


def freeze(moment: datetime) -> None:
    """Stop time at ``moment`` (tests, ``demo --now``)."""
    global _frozen
    with _lock:
        _frozen = _aware(moment)


def advance(delta: timedelta) -> None:
    """Move the clock forward, whether frozen or running."""
    global _offset, _frozen
    with _lock:
        if _frozen is not None:
            _frozen = _frozen + delta
        else:
            _offset = _offset + delta


def reset() -> None:
    """Back to the real time."""
    global _offset, _frozen
    with _lock:
        _offset, _frozen = timedelta(0), None


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Freeze the clock for a block, then restore whatever clock was in force."""
    global _offset, _frozen
    saved = (_offset, _frozen)
    freeze(moment)
    try:
        yield
    finally:
        with _lock:
            _offset, _frozen = saved


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the clock needs a timezone-aware time")
    return moment.astimezone(UTC)
