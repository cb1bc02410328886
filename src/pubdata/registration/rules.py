"""Registration decisions, pure: the state table, the notice period, registration numbers."""

from __future__ import annotations

from datetime import date

from pubdata.common.lifecycle import Lifecycle, State
from pubdata.common.workdays import Deadline, add_working_days

KINDS: dict[str, tuple[str, str]] = {
    "first": ("首次登记", "First registration"),
    "change": ("变更登记", "Change registration"),
    "cancel": ("注销登记", "Cancellation"),
}


class RegistrationState(State):
    SUBMITTED = "submitted", "待审核", "Awaiting review"
    NOTICE = "notice", "公示中", "Public notice"
    REGISTERED = "registered", "已登记", "Registered"
    RETURNED = "returned", "退回补正", "Returned for correction"
    REJECTED = "rejected", "不予登记", "Rejected"


S = RegistrationState
# submitted → accept → notice → (notice period over) → registered; or returned / rejected.
LIFECYCLE = Lifecycle(
    rule="registration.transition",
    name=("登记申请", "registration"),
    states=RegistrationState,
    start=S.SUBMITTED,
    events={
        "accept": ("受理并公示", "accept"),
        "return": ("退回补正", "return"),
        "reject": ("不予登记", "reject"),
        "finalise": ("公示期满登记", "finalise"),
    },
    transitions={
        (S.SUBMITTED, "accept"): S.NOTICE,
        (S.SUBMITTED, "return"): S.RETURNED,
        (S.SUBMITTED, "reject"): S.REJECTED,
        (S.NOTICE, "reject"): S.REJECTED,  # an objection upheld during the notice period
        (S.NOTICE, "finalise"): S.REGISTERED,
    },
)
STATES = LIFECYCLE.labels()
DECISIONS = ("accept", "return", "reject")
OPEN_STATES = ("submitted", "notice")

# The public notice period after the bureau accepts an application, in working days
# (《公共数据资源登记管理暂行办法》 asks for a public notice; ten working days here, one constant to change).
NOTICE_WORKING_DAYS = 10

NUMBER_PREFIX = {"resource": "ZY", "product": "CP"}


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
