"""Canonical JSON: the exact bytes that get hashed into the ledger.

Sorted keys, no whitespace, UTF-8, no NaN. Times become ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC, dates ISO,
bytes lowercase hex, so a row read back from SQLite or PostgreSQL canonicalises to the same bytes it had when
it was written.
"""

from __future__ import annotations

import enum
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def format_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("canonical times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _fallback(value: Any) -> Any:
    """What JSON lacks, in one fixed spelling each; anything else is refused."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot canonicalise a {type(value).__name__}")


_encoder = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_fallback
)


def dumps(value: Any) -> bytes:
    """Canonical bytes of ``value``."""
    return _encoder.encode(value).encode("utf-8")
