"""Masking rules for showing a sensitive value outside the domain store (脱敏), pure functions.

``name`` 刘**, ``id_number`` 3417**********1234, ``mobile`` 139****5917, ``partial`` keeps the first and last
quarter, ``full`` shows nothing but stars, ``none`` shows the value (only for non-sensitive fields).

Which rule applies is the column's declaration (``FieldSpec.masking``, defaulted from its sensitivity and
format), never the look of a value: 房地产业 in a non-sensitive column is shown as it is, and a declared name
column is masked even if a value does not look like a name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence


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


# A token of free text, as a log or a printed table separates them: letters, digits, Han characters, dashes.
TOKEN = re.compile(r"[\w\-]+")


def mask_known(text: str, known: Mapping[str, str]) -> str:
    """``text`` with every token that is a known value of a column declared sensitive (``known``: value → that
    column's masking rule) masked by its column's rule: free text (a run's log) has no columns of its own, so
    a value is masked for the declared column it came from, whatever it looks like — and nothing else is."""
    if not known:
        return text
    return TOKEN.sub(lambda match: RULES[known[match[0]]](match[0]) if match[0] in known else match[0], text)


def mask_rows(rows: Sequence[Sequence[object]], rules: Sequence[str]) -> list[tuple[object, ...]]:
    """Rows of a table whose columns carry the declared masking ``rules`` (one per column, ``none`` to show)."""
    return [
        tuple(value if rule == "none" else mask(rule, value) for value, rule in zip(row, rules, strict=True))
        for row in rows
    ]
