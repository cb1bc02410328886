"""Registration decisions, pure: the state table, the notice period, registration numbers."""

from __future__ import annotations

from datetime import date

from pubdata.common.workdays import Deadline, add_working_days

KINDS: dict[str, tuple[str, str]] = {
    "first": ("首次登记", "First registration"),
    "change": ("变更登记", "Change registration"),
    "cancel": ("注销登记", "Cancellation"),
}

STATES: dict[str, tuple[str, str]] = {
    "submitted": ("待审核", "Awaiting review"),
    "notice": ("公示中", "Public notice"),
    "registered": ("已登记", "Registered"),
    "returned": ("退回补正", "Returned for correction"),
    "rejected": ("不予登记", "Rejected"),
}

# submitted → accept → notice → (notice period over) → registered; or returned / rejected.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("submitted", "accept"): "notice",
    ("submitted", "return"): "returned",
    ("submitted", "reject"): "rejected",
    ("notice", "reject"): "rejected",  # an objection upheld during the notice period
    ("notice", "finalize"): "registered",
}
DECISIONS = ("accept", "return", "reject")
OPEN_STATES = ("submitted", "notice")

# The public notice period after the bureau accepts an application, in working days
# (《公共数据资源登记管理暂行办法》 asks for a public notice; ten working days here, one constant to change).
NOTICE_WORKING_DAYS = 10

NUMBER_PREFIX = {"resource": "ZY", "product": "CP"}


def next_state(state: str, action: str) -> str | None:
    return TRANSITIONS.get((state, action))


def notice_ends(accepted_on: date) -> Deadline:
    """The last day of the public notice."""
    return add_working_days(accepted_on, NOTICE_WORKING_DAYS)


def notice_over(*, today: date, notice_until: date) -> bool:
    return today > notice_until


def reason_needed(decision: str) -> bool:
    """A return or a rejection must say why, so the department can act on it."""
    return decision in ("return", "reject")


def registration_number(*, subject_kind: str, year: int, serial: int) -> str:
    """e.g. ``CZZY2026000001``: city, what is registered, year, serial within the year."""
    return f"CZ{NUMBER_PREFIX[subject_kind]}{year}{serial:06d}"
