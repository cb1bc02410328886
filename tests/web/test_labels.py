"""What an undeclared label looks like on a page (``page_label``), and a recorded rule (``rule_sentence``)."""

from __future__ import annotations

from pubdata.web.render import page_label, rule_sentence


def test_an_undeclared_label_shows_its_key_for_the_page_tests_to_find():
    assert page_label("nav.home", "zh-CN") == "首页"
    assert page_label("nav.no-such-label", "zh-CN") == "nav.no-such-label"


def test_a_recorded_rule_reads_as_its_sentence_when_it_needs_no_parameters():
    assert rule_sentence("web.csrf", "zh-CN") == "表单已过期或来自其他网站；请刷新页面后重新提交。"
    assert rule_sentence("web.number", "zh-CN") is None  # it names a field the record does not keep
    assert rule_sentence(None, "zh-CN") is None
