"""The scenarios' pure decisions: the answer deadline on China's calendar, the risk checklist's level, the
bureau's decision rule and the two lifecycles — no database."""

from __future__ import annotations

from datetime import date

import pytest

from pubdata.calendar.rules import WorkCalendar
from pubdata.common.errors import Refused
from pubdata.config import Settings
from pubdata.scenarios import rules

NONE = dict.fromkeys(rules.RISK_CHECKLIST, "none")


def test_a_demand_is_due_ten_working_days_after_posting_skipping_the_national_day_holiday():
    # Posted on Monday 2025-09-29: 30 Sep works, 1–8 Oct are the holiday, Saturday 11 Oct works: 10 days on 20 Oct.
    assert rules.answer_due(date(2025, 9, 29), 10, WorkCalendar()) == date(2025, 10, 20)
    assert rules.answer_due(date(2025, 9, 29), 1, WorkCalendar()) == date(2025, 9, 30)
    assert rules.DEMAND_ANSWER_WORKING_DAYS == 10


def test_a_demand_is_overdue_only_while_unanswered_after_its_day():
    due = date(2026, 3, 13)
    assert not rules.overdue(state="posted", answer_due=due, today=due)
    assert rules.overdue(state="posted", answer_due=due, today=date(2026, 3, 14))
    assert not rules.overdue(state="answered", answer_due=due, today=date(2026, 4, 1))
    assert rules.answered_late(answer_due=due, answered_on=date(2026, 3, 16), today=date(2026, 4, 1))
    assert not rules.answered_late(answer_due=due, answered_on=due, today=date(2026, 4, 1))


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        (NONE, "low"),
        ({**NONE, "personal_information": "low", "cross_department": "low"}, "low"),
        ({**NONE, "personal_information": "low", "cross_department": "low", "external_delivery": "low"}, "medium"),
        ({**NONE, "per_subject_output": "medium"}, "medium"),
        ({**NONE, "external_delivery": "high"}, "high"),
        ({**NONE, "sensitive_personal": "low"}, "high"),  # sensitive personal information: high at any involvement
        ({**NONE, "minors": "low"}, "high"),
    ],
)
def test_the_risk_level_follows_from_the_checklist(answers, level):
    assert rules.risk_level(answers) == level


def test_the_checklist_names_unanswered_and_unknown_items():
    assert rules.risk_problems(NONE) == ([], [])
    missing, wrong = rules.risk_problems({"personal_information": "low", "weather": "high", "minors": "maybe"})
    assert "sensitive_personal" in missing and "personal_information" not in missing
    assert wrong == ["minors", "weather"]
    assert len(rules.RISK_CHECKLIST) >= 6


def test_the_bureau_approves_only_after_every_department_and_overrides_a_disagreement_only_with_a_reason():
    both = {1, 2}
    assert rules.decision_problem(approve=True, departments=both, opinions={1: "agree"}, reason="") == (
        "scenario.opinions-pending",
        {"count": 1},
    )
    agreed = {1: "agree", 2: "agree"}
    assert rules.decision_problem(approve=True, departments=both, opinions=agreed, reason="") is None
    split = {1: "agree", 2: "disagree"}
    assert rules.decision_problem(approve=True, departments=both, opinions=split, reason="")[0] == (
        "scenario.override-reason"
    )
    assert rules.decision_problem(approve=True, departments=both, opinions=split, reason="符合试点要求") is None
    assert rules.decision_problem(approve=False, departments=both, opinions={}, reason="")[0] == (
        "scenario.reason-required"
    )
    assert rules.decision_problem(approve=False, departments=both, opinions={}, reason="范围过宽") is None


class Row:
    def __init__(self, state: str) -> None:
        self.state = state


def test_a_closed_demand_takes_no_answer_and_a_rejected_plan_returns_to_draft():
    demand = Row("posted")
    rules.DEMAND.apply(demand, "close")
    with pytest.raises(Refused) as refused:
        rules.DEMAND.apply(demand, "answer")
    assert refused.value.rule == "demand.transition"
    plan = Row("draft")
    for event, state in (("submit", "submitted"), ("reject", "rejected"), ("revise", "draft"), ("submit", "submitted")):
        assert rules.SCENARIO.apply(plan, event) == state
    rules.SCENARIO.apply(plan, "approve")
    assert rules.SCENARIO.events_from(plan.state) == []  # an approved plan is final


def test_the_answer_days_setting_defaults_to_the_rule():
    assert Settings().demand_answer_days == rules.DEMAND_ANSWER_WORKING_DAYS
