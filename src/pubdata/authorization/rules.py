"""Authorization decisions, pure: the agreement's state table, the plan's deadlines, scope checks.

Numbers from the plan (三(四)): a 3-year term from signing; renewal applied for at least 3 months before
expiry; an exit plan at least 3 months ahead; rectification within 30 days, and a second rectify, a fail or
a missed deadline ends the licence; an incident with bad impact ends it.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from pubdata.catalog import rules as catalog_rules

TERM = relativedelta(years=3)
RENEWAL_NOTICE = relativedelta(months=3)
EXIT_NOTICE = relativedelta(months=3)
REMINDER_FROM = relativedelta(months=4)
RECTIFICATION_DAYS = 30

MODE = "whole+sector"  # 整体授权 + 分领域协同

STATES: dict[str, tuple[str, str]] = {
    "draft": ("待签署", "Awaiting signatures"),
    "active": ("运营中", "Active"),
    "renewal_requested": ("续期审核中", "Renewal requested"),
    "rectifying": ("限期整改", "Rectifying"),
    "suspended": ("暂停", "Suspended"),
    "exit_planned": ("退出准备中", "Exit planned"),
    "exited": ("已退出", "Exited"),
}

# (state, event) -> new state. Exit is reachable from every live state; exited is final.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "sign"): "active",
    ("active", "request_renewal"): "renewal_requested",
    ("renewal_requested", "approve_renewal"): "active",
    ("renewal_requested", "refuse_renewal"): "active",
    ("active", "pass"): "active",
    ("renewal_requested", "pass"): "renewal_requested",
    ("active", "rectify"): "rectifying",
    ("renewal_requested", "rectify"): "rectifying",
    ("rectifying", "pass"): "active",
    ("rectifying", "rectify"): "exited",  # a second rectify ends the licence
    ("active", "suspend"): "suspended",
    ("rectifying", "suspend"): "suspended",
    ("suspended", "resume"): "active",
    ("active", "plan_exit"): "exit_planned",
    ("renewal_requested", "plan_exit"): "exit_planned",
}
LIVE_STATES = ("active", "renewal_requested", "rectifying", "suspended", "exit_planned")
for _state in LIVE_STATES:
    TRANSITIONS[(_state, "fail")] = "exited"
    TRANSITIONS[(_state, "exit")] = "exited"

# States in which the operator and its partners may use data. Rectifying, suspended and exited block all.
USABLE_STATES = ("active", "renewal_requested", "exit_planned")

EXIT_REASONS: dict[str, tuple[str, str]] = {
    "expiry": ("期满未续期", "Term ended without renewal"),
    "early_termination": ("提前解除协议", "Early termination"),
    "evaluation_failed": ("评估未通过", "Evaluation failed"),
    "rectification_failed": ("整改后再次评估为限期整改或未通过", "Rectification failed"),
    "rectification_missed": ("未在期限内完成整改", "Rectification deadline missed"),
    "incident": ("发生造成不良影响的数据安全事件", "Data-security incident with bad impact"),
    "violation": ("其他违反协议的情形", "Other violation"),
}

EVALUATION_DIMENSIONS: dict[str, tuple[str, str]] = {
    "security": ("安全评估", "Security"),
    "performance": ("绩效评价", "Performance"),
    "scenario_benefit": ("场景效益", "Scenario benefit"),
    "public_welfare": ("公益服务", "Public-welfare service"),
}
EVALUATION_RESULTS: dict[str, tuple[str, str]] = {
    "pass": ("通过", "Pass"),
    "fail": ("未通过", "Fail"),
    "rectify": ("限期整改", "Rectify"),
}

# 三(一): the conditions an operator is selected on, each with evidence.
SELECTION_CONDITIONS: dict[str, tuple[str, str]] = {
    "capability": (
        "具备数据资源加工、运营所需的管理和技术服务能力，经营和信用状况良好",
        "Management and technical capability; sound business and credit",
    ),
    "credibility": ("具有公信力和行业影响力", "Credibility and standing in the digital economy"),
    "knowledge": ("熟悉公共数据管理和开发利用的法规政策", "Knows the laws and policies on public data"),
    "environment": ("具备数据安全管理的环境和条件", "Secure environment and facilities for data"),
    "responsibility": (
        "明确数据安全负责人和管理部门，建立内部管理和安全保障制度",
        "Named security officer, department and internal rules",
    ),
}

PARTNER_STATES: dict[str, tuple[str, str]] = {
    "admitted": ("已准入", "Admitted"),
    "suspended": ("已暂停", "Suspended"),
    "removed": ("已移除", "Removed"),
}
PARTNER_TRANSITIONS = {
    ("admitted", "suspend"): "suspended",
    ("suspended", "resume"): "admitted",
    ("admitted", "remove"): "removed",
    ("suspended", "remove"): "removed",
}


def next_state(state: str, event: str) -> str | None:
    return TRANSITIONS.get((state, event))


def expiry(signed_on: date) -> date:
    """The last day of the term: 3 years from signing."""
    return signed_on + TERM - timedelta(days=1)


def renewal_due_by(expires_on: date) -> date:
    """The last day a renewal application is accepted: three months before expiry."""
    return expires_on - RENEWAL_NOTICE


def renewal_reminder_from(expires_on: date) -> date:
    return expires_on - REMINDER_FROM


def earliest_exit(today: date) -> date:
    """An exit plan takes effect no sooner than three months after it is submitted."""
    return today + EXIT_NOTICE


def rectification_due(decided_on: date) -> date:
    return decided_on + timedelta(days=RECTIFICATION_DAYS)


def renewed_expiry(expires_on: date) -> date:
    """A renewal adds a new 3-year term after the current one."""
    return expires_on + TERM


def missing_dimensions(scores: dict[str, object]) -> list[str]:
    return [dimension for dimension in EVALUATION_DIMENSIONS if dimension not in scores]


def scope_covers(scope: dict, *, code: str, sector: str, grade: str) -> bool:
    """Whether an agreement's (or partner's) scope reaches a resource: named, or in a named sector, within its grade limit."""
    if not catalog_rules.loadable(grade):
        return False
    within_grade = catalog_rules.stricter(grade, scope.get("max_grade", "general-4")) == scope.get(
        "max_grade", "general-4"
    )
    named = code in scope.get("resources", []) or sector in scope.get("sectors", [])
    return named and within_grade


def scope_within(inner: dict, outer: dict, *, resource_sectors: dict[str, str]) -> list[str]:
    """What of ``inner`` goes beyond ``outer`` (a partner's scope against its operator's), as sentences.

    ``resource_sectors`` gives the sector of each resource ``inner`` names, since the operator may hold a
    resource through its sector rather than by name.
    """
    wider: list[str] = []
    outside = sorted(
        code
        for code in inner.get("resources", [])
        if code not in outer.get("resources", []) and resource_sectors.get(code) not in outer.get("sectors", [])
    )
    if outside:
        wider.append(f"resources outside the operator's scope: {', '.join(outside)}")
    extra_sectors = sorted(set(inner.get("sectors", [])) - set(outer.get("sectors", [])))
    if extra_sectors:
        wider.append(f"sectors outside the operator's scope: {', '.join(extra_sectors)}")
    outer_grade = outer.get("max_grade", "general-4")
    if catalog_rules.stricter(inner.get("max_grade", outer_grade), outer_grade) != outer_grade:
        wider.append(f"grade limit {inner.get('max_grade')} is above the operator's {outer_grade}")
    return wider
