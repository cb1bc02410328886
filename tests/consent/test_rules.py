"""Consent's decisions without a database: the period, which consent answers a call, and a letter's shape."""

from __future__ import annotations

from datetime import date

import pytest

from pubdata.privacy import rules
from pubdata.privacy.rules import Standing

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("valid_from", "latest"),
    [
        (date(2026, 3, 2), date(2027, 3, 1)),
        (date(2026, 1, 1), date(2026, 12, 31)),
        (date(2028, 2, 29), date(2029, 2, 28)),  # a leap day's year ends on the last day of February
    ],
)
def test_a_consent_lasts_at_most_a_year(valid_from, latest):
    assert rules.latest_end(valid_from) == latest


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "problem"),
    [
        (date(2026, 3, 2), date(2027, 3, 1), None),
        (date(2026, 3, 2), date(2026, 3, 2), None),  # one day
        (date(2026, 2, 1), date(2026, 6, 30), None),  # a letter signed last month still runs
        (date(2026, 3, 2), date(2027, 3, 2), "consent.period-too-long"),
        (date(2026, 3, 5), date(2026, 3, 4), "consent.period-order"),
        (date(2025, 6, 1), date(2026, 3, 1), "consent.period-over"),
    ],
)
def test_the_period_a_consent_may_have(valid_from, valid_until, problem):
    assert rules.period_problem(valid_from=valid_from, valid_until=valid_until, today=TODAY) == problem


def standing(id_: int, state: str, valid_from: date, valid_until: date) -> Standing:
    return Standing(id_, state, valid_from, valid_until)


YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def test_a_call_without_any_consent_is_missing():
    assert rules.standing_refusal([], TODAY) == (None, "consent.missing")


def test_the_consent_in_force_today_answers():
    live = standing(3, "granted", *YEAR)
    assert rules.standing_refusal([standing(1, "revoked", *YEAR), live], TODAY) == (live, None)


def test_of_two_in_force_the_longer_running_answers():
    short = standing(1, "granted", date(2026, 1, 1), date(2026, 3, 31))
    long = standing(2, "granted", date(2026, 3, 1), date(2027, 2, 28))
    assert rules.standing_refusal([short, long], TODAY)[0] == long


@pytest.mark.parametrize(
    ("found", "rule"),
    [
        ([standing(1, "revoked", *YEAR)], "consent.revoked"),
        ([standing(1, "expired", date(2025, 1, 1), date(2025, 12, 31))], "consent.expired"),
        # its window passed, the scheduler has not marked it yet: expired all the same
        ([standing(1, "granted", date(2025, 3, 2), date(2026, 3, 1))], "consent.expired"),
        ([standing(1, "granted", date(2026, 4, 1), date(2026, 12, 31))], "consent.not-yet-valid"),
        # the latest one decides what is said: revoked after an older one expired
        (
            [standing(1, "expired", date(2025, 1, 1), date(2025, 12, 31)), standing(2, "revoked", *YEAR)],
            "consent.revoked",
        ),
    ],
)
def test_why_a_call_is_refused(found, rule):
    assert rules.standing_refusal(found, TODAY) == (None, rule)


def test_the_scheduler_expires_only_granted_consents_past_their_last_day():
    assert rules.expired_by(state="granted", valid_until=date(2026, 3, 1), today=TODAY)
    assert not rules.expired_by(state="granted", valid_until=TODAY, today=TODAY)
    assert not rules.expired_by(state="revoked", valid_until=date(2026, 3, 1), today=TODAY)


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\x89PNG\r\n\x1a\n\x00", "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
        (b"PK\x03\x04", None),
        (b"<html>", None),
        (b"", None),
    ],
)
def test_a_letter_is_a_pdf_or_an_image(head, kind):
    assert rules.letter_format(head) == kind


@pytest.mark.parametrize(
    ("text", "ok"),
    [("a" * 64, True), ("0123456789abcdef" * 4, True), ("A" * 64, False), ("a" * 63, False), ("g" * 64, False)],
)
def test_a_letter_digest_is_sm3_in_lowercase_hex(text, ok):
    assert rules.is_sm3_digest(text) is ok


def test_a_representative_name_is_judged_by_its_shape_only():
    assert rules.rep_name_problem("王伟") is None
    assert rules.rep_name_problem("") == "consent.letter-rep-name"
    assert rules.rep_name_problem("王" * 51) == "consent.letter-rep-name"
