"""Reading the values people type into forms: lists, dates and numbers, refused with a rule when malformed."""

from __future__ import annotations

from datetime import date

from pubdata.common.errors import InvalidInput


def items(text: object) -> list[str]:
    """``CZ-RK-0001, CZ-FR-0001`` (commas, full-width commas or lines) → the non-empty items."""
    return [part.strip() for part in str(text or "").replace("，", ",").replace("\n", ",").split(",") if part.strip()]


def day(text: object) -> date:
    try:
        return date.fromisoformat(str(text or ""))
    except ValueError:
        raise InvalidInput("web.date", "Give dates as YYYY-MM-DD.") from None
