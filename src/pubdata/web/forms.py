"""Reading the values people type into forms: lists, dates and numbers, refused with a rule when malformed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from pydantic import ValidationError

from pubdata.common.bounds import INT8_MAX, in_row_id_range
from pubdata.common.errors import Refused
from pubdata.common.messages import Phrase

N = TypeVar("N", int, float)


def items(text: object) -> list[str]:
    """``CZ-RK-0001, CZ-FR-0001`` (commas, full-width commas or lines) → the non-empty items."""
    return [part.strip() for part in str(text or "").replace("，", ",").replace("\n", ",").split(",") if part.strip()]


def texts(values: list[Any]) -> list[str]:
    """A repeated field's typed values (``getlist``); a file sent in its place is not a value."""
    return [value for value in values if isinstance(value, str)]


def ascii_number(text: object, *, most_digits: int) -> int | None:
    """A whole number typed in ASCII digits (at most ``most_digits``), or None: "²" and "٣" are digits to
    ``str.isdigit`` but not numbers a page asks for."""
    value = str(text or "").strip()
    if not value or len(value) > most_digits or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def day(text: object) -> date:
    try:
        return date.fromisoformat(str(text or ""))
    except ValueError:
        raise Refused("web.date") from None


def number(form: Mapping[str, Any], key: str, kind: Callable[[str], N] = int) -> N | None:
    """The number typed in ``key``, or None when the field is empty."""
    text = str(form.get(key) or "").strip()
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        raise Refused("web.number", field=key) from None
    if isinstance(value, int) and not -INT8_MAX <= value <= INT8_MAX:  # no column holds it
        raise Refused("web.number", field=key)
    return value


def row_id(form: Mapping[str, Any], key: str) -> int | None:
    """The row id typed or chosen in ``key``, or None when empty; one no row can have is refused, not looked
    up (PostgreSQL's ``integer`` ends at 2^31 − 1)."""
    value = number(form, key)
    if value is not None and not in_row_id_range(value):
        raise Refused("web.number", field=key)
    return value


def validation_refusal(error: ValidationError) -> Refused:
    """A form's values that do not fit their model, as one refusal naming each field (never the value)."""
    problems = [
        Phrase("form.field_problem", {"field": ".".join(str(part) for part in item["loc"]), "problem": item["msg"]})
        for item in error.errors()
    ]
    return Refused("web.form-invalid", problems=problems)


def confirmed(form: Mapping[str, Any], *, reason_key: str = "reason") -> str:
    """An irreversible action's confirmation (the ``confirm_reason`` macro): the box ticked and a reason written,
    or refused before anything is done. The reason, stripped."""
    if str(form.get("confirm") or "") != "yes":
        raise Refused("web.confirm-needed")
    reason = str(form.get(reason_key) or "").strip()
    if not reason:
        raise Refused("web.reason-needed")
    return reason
