"""Money in integer fen: parsed exactly from what people write, shown as ¥1,234.56, never a float."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pubdata.common.money import Money, MoneyError, format_fen, parse


@pytest.mark.parametrize(
    "text,fen",
    [
        ("¥1,234.56", 123456),
        ("1234.56", 123456),
        ("1234.5", 123450),
        ("1234", 123400),
        ("0.01", 1),
        ("１２３４元", 123400),
        ("￥ 12,345,678.90", 1234567890),
        ("1,000", 100000),
    ],
)
def test_what_people_write_is_read_to_the_fen(text, fen):
    assert parse(text) == Money(fen)


@pytest.mark.parametrize("text", ["", "1.234", "1,23.45", "12,34", "1e3", "0.1.2", "abc", "¥", "1.", ".5", "NaN"])
def test_anything_else_is_refused_not_rounded(text):
    with pytest.raises(MoneyError):
        parse(text)


def test_a_negative_amount_only_where_it_is_allowed():
    with pytest.raises(MoneyError, match="negative"):
        parse("-5.00")
    assert parse("-5.00", allow_negative=True) == Money(-500)


@pytest.mark.parametrize(
    "fen,text", [(123456, "¥1,234.56"), (5, "¥0.05"), (0, "¥0.00"), (-5, "-¥0.05"), (10**11, "¥1,000,000,000.00")]
)
def test_amounts_are_shown_with_thousands_separators_and_two_decimals(fen, text):
    assert format_fen(fen) == text and str(Money(fen)) == text


def test_a_float_is_never_money():
    for make in (
        lambda: Money(1.5),
        lambda: Money.of_yuan(2.5),
        lambda: Money(100).times(1.5),
        lambda: format_fen(0.1),
    ):
        with pytest.raises(TypeError):
            make()
    assert Money.of_yuan(3) + Money(5) - Money(1) == Money(304) and Money(250).times(4) == Money(1000)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_what_is_shown_reads_back_as_the_same_amount(fen):
    assert parse(format_fen(fen), allow_negative=True) == Money(fen)
