"""Masking rules for showing a sensitive value outside the domain store (脱敏), pure functions.

``name`` 刘**, ``id_number`` 3417**********1234, ``mobile`` 139****5917, ``partial`` keeps the first and last
quarter, ``full`` shows nothing but stars, ``none`` shows the value (only for non-sensitive fields).
"""

from __future__ import annotations

from collections.abc import Callable


def mask_name(value: str) -> str:
    return value[:1] + "*" * max(len(value) - 1, 1)


def mask_id_number(value: str) -> str:
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_mobile(value: str) -> str:
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_partial(value: str) -> str:
    keep = len(value) // 4
    if keep == 0:
        return "*" * len(value)
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def mask_full(value: str) -> str:
    return "*" * min(len(value), 8) if value else ""


RULES: dict[str, Callable[[str], str]] = {
    "none": lambda value: value,
    "name": mask_name,
    "id_number": mask_id_number,
    "mobile": mask_mobile,
    "partial": mask_partial,
    "full": mask_full,
}


def mask(rule: str, value: object) -> str | None:
    if value is None:
        return None
    return RULES[rule](str(value))
