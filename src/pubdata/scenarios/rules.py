"""Demand and scenario decisions, pure: their state tables, the answer deadline, the risk checklist's level."""

from __future__ import annotations

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
