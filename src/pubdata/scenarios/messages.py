"""Demands' and scenario plans' words: refusals, ledger actions and labels (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare

REFUSALS: dict[str, tuple[int, str, str]] = {
    "demand.not-found": (404, "没有找到该{what}。", "No such {what}."),
    "demand.purpose": (
        422,
        "用途类别须为公共治理、公益事业、产业发展或行业发展之一。",
        "The purpose category must be public governance, public welfare, industry or sector development.",
    ),
    "demand.not-operating": (
        403,
        "只有持有有效授权运营协议的运营机构才能答复数据需求。",
        "Only an operator holding a live authorization agreement answers data demands.",
    ),
    "demand.answer": (
        422,
        "请以场景建设方案答复，或说明理由不予承接。",
        "Answer with a scenario plan, or refuse with a reason.",
    ),
    "demand.refusal-reason": (422, "不予承接须说明理由。", "A refusal needs its reason."),
    "demand.scenario-not-own": (
        422,
        "只能以本运营机构自己的场景建设方案答复。",
        "Answer only with one of your own operator's scenario plans.",
    ),
    "scenario.not-found": (404, "没有找到该{what}。", "No such {what}."),
    "scenario.field": (422, "请从列表中选择应用领域。", "Choose the field from the list."),
    "scenario.purpose": (
        422,
        "用途类别须为公共治理、公益事业、产业发展或行业发展之一。",
        "The purpose category must be public governance, public welfare, industry or sector development.",
    ),
    "scenario.no-resources": (422, "请列出方案使用的数据资源代码。", "List the resource codes the plan uses."),
    "scenario.out-of-scope": (
        403,
        "以下数据资源不在本机构的授权范围内：{codes}。",
        "These resources are outside your organisation's authorized scope: {codes}.",
    ),
    "scenario.no-operator": (
        422,
        "本机构不是任何运营机构准入的合伙人，不能提出场景建设方案。",
        "Your organisation is not an admitted partner of any operator, so it cannot propose a scenario plan.",
    ),
    "scenario.which-operator": (
        422,
        "本机构是多个运营机构的合伙人，请选择方案所属的运营机构。",
        "Your organisation is a partner of several operators: choose the operator the plan is for.",
    ),
    "scenario.risk-incomplete": (
        422,
        "风险评估清单尚有未填写的项目：{missing}。",
        "The risk checklist has unanswered items: {missing}.",
    ),
    "scenario.risk-unknown": (
        422,
        "风险评估清单中有无法识别的项目或等级：{items}。",
        "The risk checklist names unknown items or levels: {items}.",
    ),
    "scenario.incomplete": (
        422,
        "提交评审前请写明：{missing}。",
        "Before submitting, fill in: {missing}.",
    ),
    "scenario.not-draft": (409, "只有草稿状态的方案可以修改。", "Only a draft plan can be changed."),
    "scenario.not-under-review": (
        409,
        "只能对评审中的方案提出部门意见。",
        "Opinions are given only on a plan under review.",
    ),
    "scenario.not-department": (
        403,
        "本部门不提供该方案使用的任何数据资源。",
        "Your department provides none of the resources this plan uses.",
    ),
    "scenario.opinion": (422, "部门意见须为同意或不同意。", "The opinion is agree or disagree."),
    "scenario.opinion-reason": (422, "不同意须说明理由。", "A disagreement needs its reason."),
    "scenario.opinions-pending": (
        409,
        "还有 {count} 个数据提供部门未提出意见，暂不能批准。",
        "{count} providing department(s) have not given their opinion yet: the plan cannot be approved.",
    ),
    "scenario.override-reason": (
        422,
        "有部门不同意，批准须写明理由。",
        "A department disagrees: approving anyway needs the bureau's reason.",
    ),
    "scenario.reason-required": (422, "不予批准须说明理由。", "A rejection needs its reason."),
    "scenario.not-approved": (
        409,
        "该场景建设方案尚未获批准。",
        "This scenario plan has not been approved.",
    ),
    "scenario.not-covered": (
        403,
        "没有已批准的场景建设方案覆盖以下数据资源：{codes}。真实数据的查询和作业须有覆盖其资源的已批准方案。",
        "No approved scenario plan covers these resources: {codes}. Queries and jobs on the real data need an "
        "approved scenario plan covering their resources.",
    ),
}
ACTIONS: dict[str, tuple[str, str]] = {
    "demand.post": ("发布数据需求", "Data demand posted"),
    "demand.answer": ("答复数据需求", "Data demand answered"),
    "demand.close": ("关闭数据需求", "Data demand closed"),
    "scenario.create": ("新建场景建设方案", "Scenario plan created"),
    "scenario.edit": ("修改场景建设方案", "Scenario plan changed"),
    "scenario.submit": ("提交场景建设方案评审", "Scenario plan submitted"),
    "scenario.opinion": ("部门提出意见", "Department's opinion given"),
    "scenario.opinion.withdraw": ("方案修改，部门意见失效", "Opinion withdrawn with the plan's revision"),
    "scenario.approve": ("批准场景建设方案", "Scenario plan approved"),
    "scenario.reject": ("不予批准场景建设方案", "Scenario plan rejected"),
    "scenario.revise": ("退回修改场景建设方案", "Scenario plan revised"),
    "scenario.use-refused": ("拒绝无已批准场景的使用", "Use without an approved scenario refused"),
}
LABELS: dict[str, tuple[str, str]] = {
    "subject.data_demand": ("数据需求", "Data demand"),
    "subject.scenario": ("场景建设方案", "Scenario plan"),
    "subject.scenario_opinion": ("部门意见", "Department opinion"),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
