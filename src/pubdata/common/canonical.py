"""Canonical JSON: the exact bytes that get hashed into the ledger.

Sorted keys, no whitespace, UTF-8, no NaN. Times become ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC, dates ISO,
bytes lowercase hex, so a row read back from SQLite or PostgreSQL canonicalises to the same bytes it had when
it was written.
"""

from __future__ import annotations

import enum
import json
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any


def format_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("canonical times must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def plain(value: Any) -> Any:
    """Turn a value into plain JSON types, deterministically."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("canonical JSON has no NaN or infinity")
        return value
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    raise TypeError(f"cannot canonicalise a {type(value).__name__}")


def dumps(value: Any) -> bytes:
    """Canonical bytes of ``value``."""
    return json.dumps(
        plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
