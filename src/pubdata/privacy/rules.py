"""Consent decisions, pure: the state table of a data subject's authorization (授权), its period, which consent
answers a per-subject call, and what an authorization letter must be before its subject is checked."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from pubdata.common.lifecycle import Lifecycle, State

VIA: dict[str, tuple[str, str]] = {
    "account": ("主体在线授权", "Granted by the subject online"),
    "letter": ("书面授权书", "Signed authorization letter"),
}


class ConsentState(State):
    GRANTED = "granted", "有效", "Granted"
    EXPIRED = "expired", "已过期", "Expired"
    REVOKED = "revoked", "已撤回", "Revoked"


C = ConsentState
LIFECYCLE = Lifecycle(
    rule="consent.transition",
    name=("授权", "consent"),
    states=ConsentState,
    start=C.GRANTED,
    events={"expire": ("到期", "expire"), "revoke": ("撤回", "revoke")},
    transitions={(C.GRANTED, "expire"): C.EXPIRED, (C.GRANTED, "revoke"): C.REVOKED},
)
STATES = LIFECYCLE.labels()

# --- the period ---------------------------------------------------------------------------------------------

MAX_PERIOD_YEARS = 1  # a consent lasts at most a year; the subject grants it again after that


def latest_end(valid_from: date) -> date:
    """The last day a consent starting on ``valid_from`` may run to: the day before the same date a year on
    (29 February starts a period ending on 28 February)."""
    try:
        anniversary = valid_from.replace(year=valid_from.year + MAX_PERIOD_YEARS)
    except ValueError:  # 29 February
        anniversary = date(valid_from.year + MAX_PERIOD_YEARS, 3, 1)
    return anniversary - timedelta(days=1)


def period_problem(*, valid_from: date, valid_until: date, today: date) -> str | None:
    """Why a period cannot be granted (a refusal rule), or None: it ends before it starts, runs longer than a
    year, or is already over. A letter signed earlier may start in the past, as long as it still runs."""
    if valid_until < valid_from:
        return "consent.period-order"
    if valid_until > latest_end(valid_from):
        return "consent.period-too-long"
    if valid_until < today:
        return "consent.period-over"
    return None


# --- which consent answers a call ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """What a call needs to know of one consent: its state and its window (and its id, to name the one chosen)."""

    id: int
    state: str
    valid_from: date
    valid_until: date


def in_force(consent: Standing, today: date) -> bool:
    return consent.state == C.GRANTED.value and consent.valid_from <= today <= consent.valid_until


def standing_refusal(found: Sequence[Standing], today: date) -> tuple[Standing | None, str | None]:
    """Among the consents of one subject for one consumer, product and purpose: the one in force today (the
    latest ending, if several are), or None with the rule a call is refused by — ``consent.missing`` when there
    is none, ``consent.not-yet-valid`` when one starts later, else what became of the latest one (revoked or
    expired: by its state, or by its window having passed before the scheduler marked it)."""
    live = [consent for consent in found if in_force(consent, today)]
    if live:
        return max(live, key=lambda consent: (consent.valid_until, consent.id)), None
    if not found:
        return None, "consent.missing"
    if any(consent.state == C.GRANTED.value and consent.valid_from > today for consent in found):
        return None, "consent.not-yet-valid"
    latest = max(found, key=lambda consent: consent.id)
    return None, "consent.revoked" if latest.state == C.REVOKED.value else "consent.expired"


def expired_by(*, state: str, valid_until: date, today: date) -> bool:
    """Is a granted consent past its last day (the scheduler then marks it expired)?"""
    return state == C.GRANTED.value and valid_until < today


# --- authorization letters ------------------------------------------------------------------------------------

# The legal-entity library (法人库) a letter's subject is checked against: registered, active, and led by the
# legal representative the letter names. Its columns as the catalogue publishes them.
REGISTRY = "CZ-FR-0001"
REGISTRY_CODE, REGISTRY_REP, REGISTRY_STATUS = "credit_code", "legal_rep_name", "status"
ACTIVE_STATUS = "存续"

LETTER_MAX_BYTES = 8 << 20  # a scanned, signed letter: a few pages of PDF or an image
# What a letter file starts with: PDF, PNG, JPEG (the formats a scanner or a phone gives).
LETTER_FORMATS: dict[str, bytes] = {"pdf": b"%PDF-", "png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff"}
LETTER_HEAD_BYTES = max(len(magic) for magic in LETTER_FORMATS.values())
# Letter checks a consumer may make in a day (Asia/Shanghai): each one reads the registry, matched or not. The
# default of ``Settings.letter_checks_per_day``: a bank's day of applications (a batch of 1,000 letters, and as
# many again for corrections). The bound still matters: each check tells the consumer whether a name leads an
# enterprise, so it caps how many guesses about the registry's personal data a consumer can try in a day.
LETTER_CHECKS_PER_DAY = 2000
# Letters in one batch (``consent.record_letters``): a bank's applications of a day, checked in one query.
LETTER_BATCH_MAX = 1000
REP_NAME_MAX = 50

_SM3_HEX = re.compile(r"^[0-9a-f]{64}$")


def letter_format(head: bytes) -> str | None:
    """The letter's format from its first bytes, or None for anything else."""
    return next((name for name, magic in LETTER_FORMATS.items() if head.startswith(magic)), None)


def is_sm3_digest(text: str) -> bool:
    """A letter's SM3 digest as the platform keeps it: 64 lowercase hexadecimal characters."""
    return bool(_SM3_HEX.match(text))


def rep_name_problem(name: str) -> str | None:
    """Why a typed legal representative's name cannot be checked (a rule), or None. Only its shape is judged
    here; whether it is the registry's is decided inside the domain and never said."""
    if not name or len(name) > REP_NAME_MAX:
        return "consent.letter-rep-name"
    return None


def first_duplicate(codes: Sequence[str]) -> tuple[int, int] | None:
    """The first position (from 1) whose credit code an earlier letter of the batch already names, with that
    earlier position; None when every code is named once. A subject has one consent per consumer, product and
    purpose at a time, so a batch names it once."""
    seen: dict[str, int] = {}
    for position, code in enumerate(codes, start=1):
        if code in seen:
            return position, seen[code]
        seen[code] = position
    return None


def positions_text(positions: Sequence[int], *, shown: int = 20) -> str:
    """Positions as a refusal's sentence lists them: the first ``shown``, then how many more."""
    text = ", ".join(str(position) for position in positions[:shown])
    more = len(positions) - shown
    return f"{text} (+{more})" if more > 0 else text
