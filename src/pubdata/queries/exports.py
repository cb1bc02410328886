"""The answers a console page showed, kept for a while so that their page can be shown again (post, redirect,
get: reloading an answer never asks again) and downloaded as CSV or XLSX.

Why keep the answer instead of running the query again for the file: a governed call is charged — a call,
its rows and, under DP, its ε — and a new DP release would be new noise (a second answer to average with the
first). Re-serving from the DP answer cache would cover DP answers only, and would still be a second call on
the ledger. So the page's answer itself is kept, server-side, under a random token that only the user who
asked can redeem, for an hour: the file is byte for byte the answer the page showed (same rows, same
masking, same headers), costs nothing and reveals nothing more. The answer was already recorded in the
ledger when it was asked; a download releases no new data.

Kept in the server's memory, not the database: ``pubdata serve`` is one process, the answers are what the user
has already seen, and losing them on a restart only means asking again. The store is bounded, oldest first:
by answers, by cells in all (memory), and by answers per user, so that one busy user cannot push out everyone
else's.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pubdata.common.errors import Refused
from pubdata.identity.access import Principal

KEEP_SECONDS = 3600
MAX_KEPT = 500
MAX_CELLS = 5_000_000  # about as many values as fit in a few hundred MiB of Python objects
MAX_PER_USER = 20


@dataclass(frozen=True)
class Kept:
    user_id: int
    contract_id: int
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    until: float
    page: dict[str, Any] = field(default_factory=dict)  # what the console showed with it
    form: dict[str, str] = field(default_factory=dict)  # the query as typed


_KEPT: OrderedDict[str, Kept] = OrderedDict()
_LOCK = threading.Lock()


def keep(
    principal: Principal,
    *,
    contract_id: int,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    page: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
) -> str:
    """Keep an answer shown to ``principal``; the token shows its page again and downloads it."""
    token = secrets.token_urlsafe(24)
    kept = Kept(
        principal.user_id,
        contract_id,
        tuple(headers),
        tuple(tuple(r) for r in rows),
        time.monotonic() + KEEP_SECONDS,
        page or {},
        form or {},
    )
    with _LOCK:
        _KEPT[token] = kept
        _bound(principal.user_id)
    return token


def _cells(kept: Kept) -> int:
    return len(kept.headers) * max(len(kept.rows), 1)


def _bound(user_id: int) -> None:
    """Drop the oldest answers past the bounds; the one just kept stays (a page can always be shown)."""
    mine = [token for token, kept in _KEPT.items() if kept.user_id == user_id]
    for token in mine[: max(len(mine) - MAX_PER_USER, 0)]:
        del _KEPT[token]
    total = sum(_cells(kept) for kept in _KEPT.values())
    while len(_KEPT) > 1 and (len(_KEPT) > MAX_KEPT or total > MAX_CELLS):
        _, dropped = _KEPT.popitem(last=False)
        total -= _cells(dropped)


def taken(principal: Principal, token: str) -> Kept:
    """The kept answer, for the user it was shown to only; gone or someone else's, it is not found."""
    with _LOCK:
        kept = _KEPT.get(token)
        if kept is not None and kept.until < time.monotonic():
            del _KEPT[token]
            kept = None
    if kept is None or kept.user_id != principal.user_id:
        raise Refused("console.export-gone")
    return kept
