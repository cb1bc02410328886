"""The evaluation rule, pure: the result a set of scores calls for, and when another result may stand."""

from __future__ import annotations

import pytest

from pubdata.authorization import evaluation, rules
from pubdata.common import messages
from pubdata.config import Settings

RULE = rules.EvaluationRule()


def scores(*values: int) -> dict[str, int]:
    return dict(zip(rules.EVALUATION_DIMENSIONS, values, strict=True))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (scores(85, 85, 85, 85), "pass"),
        (scores(60, 80, 70, 70), "pass"),  # every dimension ≥ 60, mean exactly 70
        (scores(59, 100, 100, 100), "rectify"),  # one dimension below 60, however high the rest
        (scores(60, 60, 60, 60), "rectify"),  # every dimension ≥ 60 but a mean below 70
        (scores(50, 50, 50, 50), "rectify"),  # a mean of exactly 50 does not fail
        (scores(49, 49, 49, 49), "fail"),
        (scores(10, 10, 10, 10), "fail"),
    ],
)
def test_the_result_the_scores_call_for(given, expected):
    assert rules.implied_result(given, RULE) == expected


def test_another_result_stands_only_with_a_written_reason():
    tens = scores(10, 10, 10, 10)
    assert not rules.result_agrees("pass", tens, RULE, override_reason="")
    assert not rules.result_agrees("pass", tens, RULE, override_reason="  \n ")
    assert rules.result_agrees("pass", tens, RULE, override_reason="评分系录入错误，已附复核报告")
    assert rules.result_agrees("fail", tens, RULE, override_reason="")


def test_the_thresholds_are_the_citys_to_set():
    strict = rules.EvaluationRule(pass_each=80, pass_mean=90, fail_mean=70)
    assert rules.implied_result(scores(85, 85, 85, 85), strict) == "rectify"
    assert rules.implied_result(scores(65, 65, 65, 65), strict) == "fail"
    configured = evaluation.rule_of(Settings(evaluation_pass_each=80, evaluation_pass_mean=90, evaluation_fail_mean=70))
    assert configured == strict
    assert evaluation.rule_of(Settings()) == RULE  # the settings' defaults are the rule's
    with pytest.raises(ValueError):
        rules.EvaluationRule(pass_mean=40, fail_mean=50)


def test_the_rule_is_stated_in_both_languages():
    assert RULE.phrase().localized("zh-CN") == (
        "通过须各维度均不低于 60 分且平均分不低于 70 分；平均分低于 50 分为未通过；其余为限期整改"
    )
    assert "at least 60" in RULE.phrase().localized("en")
    assert messages.is_refusal("authorization.evaluation-disagrees")


def test_an_evaluation_recorded_before_its_rule_columns_existed_keeps_its_recorded_state():
    """Revision 0014 added ``override_reason`` and ``rule``; an evaluation recorded before it must still match its
    ledger entry after the upgrade (``ledger verify``), so unset they are not part of the state."""
    from pubdata.authorization.models import Evaluation

    old = Evaluation(id=1, agreement_id=1, override_reason=None, rule=None)
    assert "rule" not in old.audit_state() and "override_reason" not in old.audit_state()
    judged = Evaluation(id=2, agreement_id=1, override_reason="现场核查", rule="each≥60, mean≥70")
    assert judged.audit_state()["rule"] == "each≥60, mean≥70" and judged.audit_state()["override_reason"] == "现场核查"
