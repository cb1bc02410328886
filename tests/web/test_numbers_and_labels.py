"""How pages write numbers (``num``) and what an undeclared label looks like (``page_label``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pubdata.web.render import num, page_label, rule_sentence


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [
        (216.69410443864228, None, "216.69"),  # the median: two decimals, not fourteen
        (1234567, None, "1,234,567"),
        (1234.5, None, "1,234.5"),
        (5.0, None, "5"),
        (0.5, None, "0.5"),
        (0.000123, None, "0.000123"),
        (1e-06, None, "1e-06"),  # a δ keeps its significant digit
        (Decimal("12.3456"), None, "12.35"),
        ("98765.4321", None, "98,765.43"),
        (3.14159, 2, "3.14"),
        (1234567.891, 1, "1,234,567.9"),
        (None, None, "—"),
        ("***", None, "***"),  # a masked value is shown as it is
    ],
)
def test_numbers_have_separators_and_sensible_decimals(value, digits, shown):
    assert num(value, digits) == shown


def test_an_undeclared_label_shows_its_key_for_the_page_tests_to_find():
    assert page_label("nav.home", "zh-CN") == "首页"
    assert page_label("nav.no-such-label", "zh-CN") == "nav.no-such-label"


def test_a_recorded_rule_reads_as_its_sentence_when_it_needs_no_parameters():
    assert rule_sentence("web.csrf", "zh-CN") == "表单已过期或来自其他网站；请刷新页面后重新提交。"
    assert rule_sentence("web.number", "zh-CN") is None  # it names a field the record does not keep
    assert rule_sentence(None, "zh-CN") is None
