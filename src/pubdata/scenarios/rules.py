"""Demand and scenario decisions, pure: their state tables, the answer deadline, the risk checklist's level."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pubdata.calendar.rules import WorkCalendar
from pubdata.common.lifecycle import Lifecycle, State

# The fields a scenario serves (应用领域); the plan's pilots are inclusive finance and urban governance (一(二)).
FIELDS: dict[str, tuple[str, str]] = {
    "inclusive_finance": ("普惠金融", "Inclusive finance"),
    "urban_governance": ("城市治理", "Urban governance"),
    "public_service": ("公共服务", "Public services"),
    "healthcare": ("医疗健康", "Healthcare"),
    "transport": ("交通出行", "Transport"),
    "ecology": ("生态环保", "Ecology and environment"),
    "industry": ("产业发展", "Industrial development"),
    "other": ("其他", "Other"),
}

# How many working days the operator has to answer a demand (configurable: ``Settings.demand_answer_days``).
DEMAND_ANSWER_WORKING_DAYS = 10


class DemandState(State):
    POSTED = "posted", "待答复", "Posted"
    ANSWERED = "answered", "已答复", "Answered"
    CLOSED = "closed", "已关闭", "Closed"


D = DemandState
DEMAND = Lifecycle(
    rule="demand.transition",
    name=("数据需求", "data demand"),
    states=DemandState,
    start=D.POSTED,
    events={"answer": ("答复", "answer"), "close": ("关闭", "close")},
    transitions={(D.POSTED, "answer"): D.ANSWERED, (D.ANSWERED, "close"): D.CLOSED, (D.POSTED, "close"): D.CLOSED},
)


class ScenarioState(State):
    DRAFT = "draft", "草稿", "Draft"
    SUBMITTED = "submitted", "评审中", "Under review"
    APPROVED = "approved", "已批准", "Approved"
    REJECTED = "rejected", "未批准", "Rejected"


S = ScenarioState
SCENARIO = Lifecycle(
    rule="scenario.transition",
    name=("场景建设方案", "scenario plan"),
    states=ScenarioState,
    start=S.DRAFT,
    events={
        "submit": ("提交评审", "submit"),
        "approve": ("批准", "approve"),
        "reject": ("不予批准", "reject"),
        "revise": ("修改后重新提交", "revise"),
    },
    transitions={
        (S.DRAFT, "submit"): S.SUBMITTED,
        (S.SUBMITTED, "approve"): S.APPROVED,
        (S.SUBMITTED, "reject"): S.REJECTED,
        (S.REJECTED, "revise"): S.DRAFT,
    },
)

# --- the answer deadline ---------------------------------------------------------------------------------


def answer_due(posted_on: date, working_days: int, calendar: WorkCalendar) -> date:
    """The last day the operator may answer a demand posted on ``posted_on``: ``working_days`` working days
    later on the working-day calendar in force (``posted_on`` itself not counted)."""
    return calendar.add_working_days(posted_on, working_days).due


def overdue(*, state: str, answer_due: date, today: date) -> bool:
    """A demand still unanswered after its answer day."""
    return state == D.POSTED.value and today > answer_due


def answered_late(*, answer_due: date, answered_on: date | None, today: date) -> bool:
    """Whether a demand missed its answer day: answered after it, or still unanswered past it."""
    return (answered_on or today) > answer_due


ANSWERS: dict[str, tuple[str, str]] = {
    "scenario": ("以场景建设方案答复", "Answered with a scenario plan"),
    "refused": ("说明理由不予承接", "Refused with a reason"),
}


# --- the risk checklist (风险评估) -------------------------------------------------------------------------

# Each item of the checklist is answered with one of these levels.
RISK_ANSWERS: dict[str, tuple[str, str]] = {
    "none": ("不涉及", "Not involved"),
    "low": ("低", "Low"),
    "medium": ("中", "Medium"),
    "high": ("高", "High"),
}
RISK_CHECKLIST: dict[str, tuple[str, str]] = {
    "personal_information": ("涉及个人信息", "Personal information involved"),
    "sensitive_personal": ("涉及敏感个人信息", "Sensitive personal information involved"),
    "minors": ("涉及未成年人信息", "Information on minors involved"),
    "cross_department": ("跨部门数据关联", "Linking data across departments"),
    "per_subject_output": ("按主体逐一输出结果", "Output per data subject"),
    "external_delivery": ("向平台外交付结果", "Results delivered outside the platform"),
}
# Items where any involvement at all makes the plan high-risk (GB/T 43697: sensitive personal information,
# and minors' information is treated as sensitive).
ALWAYS_HIGH = ("sensitive_personal", "minors")
RISK_LEVELS: dict[str, tuple[str, str]] = {
    "low": ("低风险", "Low risk"),
    "medium": ("中风险", "Medium risk"),
    "high": ("高风险", "High risk"),
}


def risk_problems(answers: Mapping[str, object]) -> tuple[list[str], list[str]]:
    """What is wrong with a checklist's answers: (items left unanswered, items named that the checklist lacks
    or answered with an unknown level)."""
    missing = [item for item in RISK_CHECKLIST if item not in answers]
    wrong = sorted(
        str(item) for item, level in answers.items() if item not in RISK_CHECKLIST or level not in RISK_ANSWERS
    )
    return missing, wrong


def risk_level(answers: Mapping[str, str]) -> str:
    """The plan's risk level from its checklist: high when any item is high, or sensitive personal or minors'
    information is involved at all; medium when any item is medium or three or more are low; else low.
    Unanswered items count as not involved (``risk_problems`` says which are missing)."""
    levels = {item: answers.get(item, "none") for item in RISK_CHECKLIST}
    if "high" in levels.values() or any(levels[item] != "none" for item in ALWAYS_HIGH):
        return "high"
    if "medium" in levels.values() or sum(1 for level in levels.values() if level == "low") >= 3:
        return "medium"
    return "low"


# --- departments' opinions and the bureau's decision ------------------------------------------------------

OPINIONS: dict[str, tuple[str, str]] = {
    "agree": ("同意", "Agree"),
    "disagree": ("不同意", "Disagree"),
}


def decision_problem(
    *, approve: bool, departments: set[int], opinions: Mapping[int, str], reason: str
) -> tuple[str, dict[str, Any]] | None:
    """Why the bureau may not decide so now, or None. Approval waits for every providing department's opinion;
    approving over a department's disagreement, and any rejection, needs the bureau's reason."""
    if not approve:
        return None if reason else ("scenario.reason-required", {})
    waiting = departments - set(opinions)
    if waiting:
        return "scenario.opinions-pending", {"count": len(waiting)}
    if any(opinion == "disagree" for opinion in opinions.values()) and not reason:
        return "scenario.override-reason", {}
    return None
