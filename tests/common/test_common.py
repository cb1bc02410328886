"""Common pieces: identifiers, canonical JSON, the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pubdata.common import canonical, clock
from pubdata.common.ids import credit_code_check_char, is_credit_code, is_resident_id, resident_id_check_char


def test_credit_code_with_right_check_character_passes():
    first17 = "91341700MA0000001"
    assert is_credit_code(first17 + credit_code_check_char(first17))


def test_credit_code_with_wrong_check_character_fails():
    first17 = "91341700MA0000001"
    wrong = "1" if credit_code_check_char(first17) != "1" else "2"
    assert not is_credit_code(first17 + wrong)


@pytest.mark.parametrize("code", ["91341700MA000000", "91341700IA0000001X", "91341700ma0000001X", ""])
def test_credit_code_of_wrong_shape_fails(code):
    assert not is_credit_code(code)


def test_resident_id_checksum_and_birth_date():
    first17 = "34170219900307123"
    good = first17 + resident_id_check_char(first17)
    assert is_resident_id(good)
    wrong_check = first17 + ("0" if good[-1] != "0" else "1")
    assert not is_resident_id(wrong_check)
    bad_date = "34170219900230123"
    assert not is_resident_id(bad_date + resident_id_check_char(bad_date))


def test_canonical_json_is_sorted_compact_utf8():
    moment = datetime(2026, 12, 28, 1, 2, 3, 4, tzinfo=UTC)
    assert (
        canonical.dumps({"b": 1, "a": "池州", "t": moment})
        == '{"a":"池州","b":1,"t":"2026-12-28T01:02:03.000004Z"}'.encode()
    )


def test_canonical_json_refuses_nan_and_naive_times():
    with pytest.raises(ValueError):
        canonical.dumps({"x": float("nan")})
    with pytest.raises(ValueError):
        canonical.dumps({"t": datetime(2026, 1, 1)})


def test_clock_can_be_frozen_advanced_and_reset():
    moment = clock.parse_moment("2026-12-28")
    clock.freeze(moment)
    assert clock.now() == datetime(2026, 12, 27, 16, tzinfo=UTC)
    assert clock.today().isoformat() == "2026-12-28"
    clock.advance(timedelta(days=3))
    assert clock.today().isoformat() == "2026-12-31"
    clock.reset()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_running_clock_starts_at_the_given_moment():
    clock.start_at(clock.parse_moment("2030-01-01T08:00:00"))
    assert clock.now().astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H") == "2030-01-01 08"


def test_a_digit_only_unicode_calls_a_digit_is_no_id_and_no_crash():
    from pubdata.common import ids

    assert ids.is_resident_id("110101199003071²3X") is False  # "²".isdigit() is True; int("²") fails
    assert ids.is_resident_id("١١٠١٠١١٩٩٠٠٣٠٧١٢٣X") is False  # Arabic-Indic digits
