"""Registration decisions, pure: the state table, the notice period, registration numbers."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from pubdata.calendar.rules import WorkCalendar
from pubdata.common import masking
from pubdata.common.lifecycle import Lifecycle, State

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
        (S.NOTICE, "reject"): S.REJECTED,
        # An objection upheld during the notice sends the application back (see ``OBJECTION_UPHELD``).
        (S.NOTICE, "return"): S.RETURNED,
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


def notice_ends(accepted_on: date, calendar: WorkCalendar) -> date:
    """The last day of the public notice, on the working-day calendar in force."""
    return calendar.add_working_days(accepted_on, NOTICE_WORKING_DAYS).due


def notice_over(*, today: date, notice_until: date) -> bool:
    return today > notice_until


def reason_needed(decision: str) -> bool:
    """A return or a rejection must say why, so the department can act on it."""
    return decision in ("return", "reject")


def registration_number(*, subject_kind: str, year: int, serial: int) -> str:
    """e.g. ``CZZY2026000001``: city, what is registered, year, serial within the year."""
    return f"CZ{NUMBER_PREFIX[subject_kind]}{year}{serial:06d}"


# --- objections during the public notice (异议) ----------------------------------------------------------
# The plan (池州 实施方案 四) has the bureau run registration "按照公共数据资源登记管理要求" and says nothing more
# of objections; the provincial 登记实施细则 and the national 暂行办法 it follows put the notice up so that
# anyone may object while it runs, and register only when no objection stands. So: an objection is filed only
# while the notice runs (until the end of its last day, Asia/Shanghai); the bureau answers each one, upheld or
# dismissed, with a reason; an application with an unanswered objection is not registered when its notice ends;
# an upheld objection sends the application back for correction (退回补正), not to rejection — an objection is
# about what was described, which the department can correct and apply again.
OBJECTION_ANSWERS: dict[str, tuple[str, str]] = {
    "upheld": ("异议成立", "Upheld"),
    "dismissed": ("异议不成立", "Dismissed"),
}
# Set on the open objections of an application that went back (another objection upheld) or was rejected:
# nothing is left to answer.
SUPERSEDED = "superseded"
OBJECTION_STATES: dict[str, tuple[str, str]] = {
    **OBJECTION_ANSWERS,
    SUPERSEDED: ("随申请办结（申请已退回或不予登记）", "Closed with the application (returned or rejected)"),
    "open": ("待答复", "Awaiting answer"),
}
OBJECTION_UPHELD = "return"  # the application's event when an objection is upheld
OBJECTOR_NAME_MAX = 50
CONTACT_MAX = 100
OBJECTION_REASON_MIN = 5
OBJECTION_REASON_MAX = 2000
# An application's unanswered objections: each one holds its registration back until the bureau answers it, so
# anyone could stall every notice with a loop. Beyond this many, a new one waits for the bureau's answers.
MAX_OPEN_OBJECTIONS = 50

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$")


def objection_open(*, today: date, notice_until: date | None, state: str) -> bool:
    """Objections are taken while the notice runs: in its state, up to and including its last day."""
    return state == S.NOTICE and notice_until is not None and today <= notice_until


def contact_of(text: str) -> str | None:
    """A contact someone can be reached at (a mobile, a landline, an e-mail), in one normal form; None if not."""
    value = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if len(value) > CONTACT_MAX:
        return None
    if _MOBILE.match(value) or _LANDLINE.match(value) or _EMAIL.match(value):
        return value
    return None


def masked_contact(contact: str) -> str:
    """What the bureau sees of a contact: a mobile 139****5917, a landline's last four, an e-mail's first
    letter and its domain."""
    if "@" in contact:
        local, _, domain = contact.partition("@")
        return f"{local[:1]}***@{domain}"
    return contact[:3] + "*" * max(len(contact) - 7, 1) + contact[-4:]


def masked_name(name: str) -> str:
    """What the bureau sees of an objector's name: 刘**."""
    return masking.mask_name(name)


def finalisable(*, unanswered_objections: int) -> bool:
    """An application is registered at the end of its notice only when every objection to it was answered."""
    return unanswered_objections == 0
