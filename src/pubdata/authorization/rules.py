"""Authorization decisions, pure: the agreement's state table, the plan's deadlines, scope checks.

Numbers from the plan (三(四)): a 3-year term from signing; renewal applied for at least 3 months before
expiry; an exit plan at least 3 months ahead; rectification within 30 days, and a second rectify, a fail or
a missed deadline ends the licence; an incident with bad impact ends it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from pubdata.authorization.schemas import Scope
from pubdata.catalog import rules as catalog_rules
from pubdata.common.lifecycle import Lifecycle, State
from pubdata.common.messages import Phrase

TERM = relativedelta(years=3)
RENEWAL_NOTICE = relativedelta(months=3)
EXIT_NOTICE = relativedelta(months=3)
REMINDER_FROM = relativedelta(months=4)
RECTIFICATION_DAYS = 30

MODE = "whole+sector"  # 整体授权 + 分领域协同
MODES: dict[str, tuple[str, str]] = {
    MODE: ("整体授权与分领域协同运营", "Whole authorization, operated with sector collaboration"),
}


class AgreementState(State):
    DRAFT = "draft", "待签署", "Awaiting signatures"
    ACTIVE = "active", "运营中", "Active"
    RENEWAL_REQUESTED = "renewal_requested", "续期审核中", "Renewal requested"
    RECTIFYING = "rectifying", "限期整改", "Rectifying"
    SUSPENDED = "suspended", "暂停", "Suspended"
    EXIT_PLANNED = "exit_planned", "退出准备中", "Exit planned"
    EXITED = "exited", "已退出", "Exited"


A = AgreementState
LIVE = (A.ACTIVE, A.RENEWAL_REQUESTED, A.RECTIFYING, A.SUSPENDED, A.EXIT_PLANNED)
LIVE_STATES = tuple(state.value for state in LIVE)  # plain strings, as the database compares them
# (state, event) -> new state. Exit is reachable from every live state; exited is final.
AGREEMENT = Lifecycle(
    rule="authorization.transition",
    name=("授权运营协议", "agreement"),
    states=AgreementState,
    start=A.DRAFT,
    events={
        "sign": ("签署", "sign"),
        "request_renewal": ("申请续期", "apply for renewal"),
        "approve_renewal": ("同意续期", "approve the renewal"),
        "refuse_renewal": ("不同意续期", "refuse the renewal"),
        "pass": ("评价通过", "pass an evaluation"),
        "rectify": ("限期整改", "be given a rectification"),
        "suspend": ("暂停", "suspend"),
        "resume": ("恢复", "resume"),
        "plan_exit": ("提交退出方案", "plan an exit"),
        "fail": ("评价未通过", "fail an evaluation"),
        "exit": ("退出", "exit"),
    },
    transitions={
        (A.DRAFT, "sign"): A.ACTIVE,
        (A.ACTIVE, "request_renewal"): A.RENEWAL_REQUESTED,
        (A.RENEWAL_REQUESTED, "approve_renewal"): A.ACTIVE,
        (A.RENEWAL_REQUESTED, "refuse_renewal"): A.ACTIVE,
        (A.ACTIVE, "pass"): A.ACTIVE,
        (A.RENEWAL_REQUESTED, "pass"): A.RENEWAL_REQUESTED,
        (A.ACTIVE, "rectify"): A.RECTIFYING,
        (A.RENEWAL_REQUESTED, "rectify"): A.RECTIFYING,
        (A.RECTIFYING, "pass"): A.ACTIVE,
        (A.RECTIFYING, "rectify"): A.EXITED,  # a second rectify ends the licence
        (A.ACTIVE, "suspend"): A.SUSPENDED,
        (A.RECTIFYING, "suspend"): A.SUSPENDED,
        (A.SUSPENDED, "resume"): A.ACTIVE,
        (A.ACTIVE, "plan_exit"): A.EXIT_PLANNED,
        (A.RENEWAL_REQUESTED, "plan_exit"): A.EXIT_PLANNED,
        **{(state, "fail"): A.EXITED for state in LIVE},
        **{(state, "exit"): A.EXITED for state in LIVE},
    },
)
STATES = AGREEMENT.labels()

# States in which the operator and its partners may use data. Rectifying, suspended and exited block all.
USABLE_STATES = (A.ACTIVE.value, A.RENEWAL_REQUESTED.value, A.EXIT_PLANNED.value)

# What became of an item at handover after exit.
HANDOVER_ACTIONS: dict[str, tuple[str, str]] = {
    "returned": ("已返还", "Returned"),
    "destroyed": ("已销毁", "Destroyed"),
}
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


class PartnerState(State):
    ADMITTED = "admitted", "已准入", "Admitted"
    SUSPENDED = "suspended", "已暂停", "Suspended"
    REMOVED = "removed", "已移除", "Removed"


P = PartnerState
PARTNER = Lifecycle(
    rule="authorization.partner-transition",
    name=("合伙人", "partner"),
    states=PartnerState,
    start=P.ADMITTED,
    events={"suspend": ("暂停", "suspend"), "resume": ("恢复", "resume"), "remove": ("移除", "remove")},
    transitions={
        (P.ADMITTED, "suspend"): P.SUSPENDED,
        (P.SUSPENDED, "resume"): P.ADMITTED,
        (P.ADMITTED, "remove"): P.REMOVED,
        (P.SUSPENDED, "remove"): P.REMOVED,
    },
)
PARTNER_STATES = PARTNER.labels()


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


def missing_dimensions(scores: Mapping[str, object]) -> list[str]:
    return [dimension for dimension in EVALUATION_DIMENSIONS if dimension not in scores]


@dataclass(frozen=True)
class EvaluationRule:
    """How an evaluation's result follows from its scores (三(四)4 names the results, not the thresholds; the
    city sets them: ``PUBDATA_EVALUATION_PASS_EACH`` …, see ``config.Settings``).

    - 通过 (pass): every dimension at least ``pass_each`` and their mean at least ``pass_mean``;
    - 未通过 (fail): the mean below ``fail_mean``;
    - 限期整改 (rectify): anything between.

    An evaluator may decide otherwise only with a written reason, kept with the evaluation and shown with it.
    """

    pass_each: int = 60
    pass_mean: int = 70
    fail_mean: int = 50

    def __post_init__(self) -> None:
        if not 0 <= self.fail_mean <= self.pass_mean <= 100 or not 0 <= self.pass_each <= 100:
            raise ValueError("evaluation thresholds: 0 ≤ fail_mean ≤ pass_mean ≤ 100 and 0 ≤ pass_each ≤ 100")

    def phrase(self) -> Phrase:
        """The rule in words, for a refusal and the evaluation form."""
        return Phrase(
            "agreement.evaluation_rule", {"each": self.pass_each, "mean": self.pass_mean, "fail": self.fail_mean}
        )

    def document(self) -> dict[str, int]:
        """What is kept with each evaluation: the rule it was judged by, should the city change it later."""
        return {"pass_each": self.pass_each, "pass_mean": self.pass_mean, "fail_mean": self.fail_mean}


def mean_score(scores: Mapping[str, int]) -> float:
    return sum(scores.values()) / len(scores) if scores else 0.0


def implied_result(scores: Mapping[str, int], rule: EvaluationRule) -> str:
    """The result the scores call for under ``rule`` (pass, rectify or fail)."""
    mean = mean_score(scores)
    if scores and all(score >= rule.pass_each for score in scores.values()) and mean >= rule.pass_mean:
        return "pass"
    if mean < rule.fail_mean:
        return "fail"
    return "rectify"


def result_agrees(result: str, scores: Mapping[str, int], rule: EvaluationRule, *, override_reason: str) -> bool:
    """A result stands when the scores call for it, or when the evaluator wrote why it departs from them."""
    return result == implied_result(scores, rule) or bool(override_reason.strip())


def scope_holders(*, operator_id: int, organisation_id: int, organisation_kind: str) -> list[int]:
    """Whose authorization must cover a use of the data: the operator's, and a partner's own when a partner
    uses it."""
    return [operator_id] + ([organisation_id] if organisation_kind == "partner" else [])


def scope_covers(scope: Scope, *, code: str, sector: str, grade: str) -> bool:
    """Whether an agreement's (or partner's) scope reaches a resource: named, or in a named sector, within its
    grade limit."""
    if not catalog_rules.loadable(grade):
        return False
    within_grade = catalog_rules.stricter(grade, scope.max_grade) == scope.max_grade
    named = code in scope.resources or sector in scope.sectors
    return named and within_grade


def scope_within(inner: Scope, outer: Scope, *, resource_sectors: dict[str, str]) -> list[Phrase]:
    """What of ``inner`` goes beyond ``outer`` (a partner's scope against its operator's).

    ``resource_sectors`` gives the sector of each resource ``inner`` names, since the operator may hold a
    resource through its sector rather than by name.
    """
    wider: list[Phrase] = []
    outside = sorted(
        code
        for code in inner.resources
        if code not in outer.resources and resource_sectors.get(code) not in outer.sectors
    )
    if outside:
        wider.append(Phrase("scope.resources_outside", {"codes": outside}))
    extra_sectors = sorted(set(inner.sectors) - set(outer.sectors))
    if extra_sectors:
        wider.append(Phrase("scope.sectors_outside", {"sectors": extra_sectors}))
    if catalog_rules.stricter(inner.max_grade, outer.max_grade) != outer.max_grade:
        wider.append(Phrase("scope.grade_above", {"grade": inner.max_grade, "limit": outer.max_grade}))
    return wider


# --- security duties (三(七)): drills and risk assessments on a cycle the bureau sets --------------------------

CYCLE_MONTHS = (1, 60)  # a cycle the bureau may set: monthly to five-yearly
EVIDENCE_MAX = 20  # attachments' digests on one record
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def duty_due(*, last: date | None, since: date, months: int) -> date:
    """When a drill or a risk assessment is next due: ``months`` after the last one, or after the agreement
    started (``since``) when there has been none."""
    return (last or since) + relativedelta(months=months)


def duty_overdue(*, due: date, today: date) -> bool:
    return today > due


def evidence_problem(items: list[tuple[str, str]]) -> str | None:
    """What is wrong with a record's evidence (attachments as name and SM3 digest), as a label key, or None."""
    if len(items) > EVIDENCE_MAX:
        return "security.evidence_too_many"
    if any(not name or len(name) > 100 for name, _ in items):
        return "security.evidence_name"
    if any(not _DIGEST.match(digest) for _, digest in items):
        return "security.evidence_digest"
    return None
