"""Product decisions, pure: kinds, the product and subscription state tables, the security checklist."""

from __future__ import annotations

from pubdata.common.lifecycle import Lifecycle, State
from pubdata.contracts.rules import FREE_PURPOSES, PURPOSES

KINDS: dict[str, tuple[str, str]] = {
    "query_template": ("查询模板", "Query template"),
    "verification": ("核验服务", "Verification"),
    "credit_profile": ("企业信用画像", "Enterprise credit profile"),
    "statistical_table": ("统计数据表", "Statistical table"),
    "private_set": ("隐私求交", "Private set intersection"),
    "labelled_lookup": ("匿踪标签查询", "Labelled lookup"),
    "joint_scoring": ("密态联合评分", "Encrypted joint scoring"),
}
PER_SUBJECT_KINDS = ("verification", "credit_profile")  # each answer is about one subject: consent needed
# Run by the consumer's client through a privacy protocol (``privacy.runs``), never by ``products.calls``: the
# kind and the protocol it runs.
PROTOCOL_KINDS: dict[str, str] = {
    "private_set": "psi",
    "labelled_lookup": "labelled_lookup",
    "joint_scoring": "joint_scoring",
}
# The client's command for each protocol (``pubdata-client match|lookup|score CODE FILE``).
# What a subject's consent can be for: a per-subject product, joint scoring (identified: every subject scored
# needs one), and a set restricted to consenting subjects (``SetMembers.consent``; a consent for a set that is
# not restricted is simply never asked for).
CONSENT_KINDS = (*PER_SUBJECT_KINDS, *PROTOCOL_KINDS)
CLIENT_COMMANDS: dict[str, str] = {"psi": "match", "labelled_lookup": "lookup", "joint_scoring": "score"}
PROTOCOLS: dict[str, tuple[str, str]] = {
    "psi": ("隐私求交（ECDH-PSI）", "Private set intersection (ECDH-PSI)"),
    "labelled_lookup": ("匿踪标签查询（OPRF）", "Labelled lookup (OPRF)"),
    "joint_scoring": ("密态联合评分（CKKS）", "Encrypted joint scoring (CKKS)"),
}
DELIVERY: dict[str, tuple[str, str]] = {
    "api": ("接口调用", "API calls"),
    "batch": ("批量文件", "Batch file"),
    "table": ("数据表下载", "Table download"),
}
# The security review's checklist (安全审查清单): every item must pass before a bureau reviewer approves.
CHECKLIST: dict[str, tuple[str, str]] = {
    "minimisation": ("数据最小化", "Data minimisation"),
    "output_rule": ("输出规则", "Output rule"),
    "reidentification": ("再识别风险", "Re-identification risk"),
    "consent": ("授权需求", "Consent need"),
    "purpose_fit": ("用途相符", "Purpose fit"),
}


class ProductState(State):
    DEVELOPMENT = "development", "开发中", "In development"
    REVIEW = "review", "安全审查中", "Security review"
    APPROVED = "approved", "审查通过", "Review passed"
    REGISTERING = "registering", "登记中", "Registering"
    REGISTERED = "registered", "已登记", "Registered"
    LISTED = "listed", "已上架", "Listed"
    DELISTED = "delisted", "已下架", "Delisted"
    CANCELLED = "cancelled", "已注销", "Cancelled"


P = ProductState
LIFECYCLE = Lifecycle(
    rule="product.transition",
    name=("数据产品", "product"),
    states=ProductState,
    start=P.DEVELOPMENT,
    events={
        "submit_review": ("提交安全审查", "submit for security review"),
        "approve": ("审查通过", "pass the review"),
        "return": ("退回修改", "return"),
        "submit_registration": ("提交登记", "submit for registration"),
        "register": ("登记", "register"),
        "registration_returned": ("登记退回", "have its registration returned"),
        "list": ("上架", "list"),
        "delist": ("下架", "delist"),
        "revise": ("修改定义", "change its definition"),
        "cancel": ("注销", "cancel"),
    },
    transitions={
        (P.DEVELOPMENT, "submit_review"): P.REVIEW,
        (P.REVIEW, "approve"): P.APPROVED,
        (P.REVIEW, "return"): P.DEVELOPMENT,
        (P.APPROVED, "submit_registration"): P.REGISTERING,
        (P.REGISTERING, "register"): P.REGISTERED,
        (P.REGISTERING, "registration_returned"): P.APPROVED,
        (P.REGISTERED, "list"): P.LISTED,
        (P.LISTED, "delist"): P.DELISTED,
        (P.DELISTED, "list"): P.LISTED,
        (P.REGISTERED, "delist"): P.DELISTED,
        # A reviewed definition changed: back to development, then review and a change registration.
        (P.DEVELOPMENT, "revise"): P.DEVELOPMENT,
        (P.APPROVED, "revise"): P.DEVELOPMENT,
        (P.REGISTERED, "revise"): P.DEVELOPMENT,
        (P.LISTED, "revise"): P.DEVELOPMENT,
        (P.DELISTED, "revise"): P.DEVELOPMENT,
        (P.DELISTED, "cancel"): P.CANCELLED,
        (P.REGISTERED, "cancel"): P.CANCELLED,
    },
)


class ReviewState(State):
    OPEN = "open", "待审查", "Awaiting review"
    APPROVED = "approved", "审查通过", "Passed"
    RETURNED = "returned", "退回修改", "Returned"


V = ReviewState
# One security review of one definition: the bureau reviewer's sign-off (``ledger.signoff``, one side) passes it.
REVIEW = Lifecycle(
    rule="product_review.transition",
    name=("安全审查", "security review"),
    states=ReviewState,
    start=V.OPEN,
    events={"approve": ("审查通过", "pass"), "return": ("退回修改", "return")},
    transitions={(V.OPEN, "approve"): V.APPROVED, (V.OPEN, "return"): V.RETURNED},
)
REVIEW_STATES = REVIEW.labels()
STATES = LIFECYCLE.labels()
# Where the operator's workbench and the product page put a product: still its developer's, with the bureau, public.
PUBLIC_STATES = (P.LISTED.value,)
CHECKLIST_NOTE_MAX = 1000


def checklist_problem(answers: dict[str, dict[str, object]]) -> str | None:
    """The first checklist item not passed with a note (the reviewer approves only when every item passed), or
    None."""
    for item in CHECKLIST:
        answer = answers.get(item) or {}
        if answer.get("passed") is not True or not str(answer.get("note") or "").strip():
            return item
    return None


def purposes_problem(purposes: list[str], *, scenario_purpose: str) -> str | None:
    """A purpose the product may not be offered for: each is the scenario's, or free of charge (三(六))."""
    for purpose in purposes:
        if purpose not in PURPOSES or (purpose != scenario_purpose and purpose not in FREE_PURPOSES):
            return purpose
    return None


def code_for(serial: int) -> str:
    """A product's code: ``CP-0001``."""
    return f"CP-{serial:04d}"


class SubscriptionState(State):
    APPLIED = "applied", "待审批", "Applied"
    APPROVED = "approved", "已批准", "Approved"
    REJECTED = "rejected", "未批准", "Rejected"
    WITHDRAWN = "withdrawn", "已撤回", "Withdrawn"


U = SubscriptionState
SUBSCRIPTION = Lifecycle(
    rule="subscription.transition",
    name=("订阅申请", "subscription"),
    states=SubscriptionState,
    start=U.APPLIED,
    events={"approve": ("批准", "approve"), "reject": ("不予批准", "reject"), "withdraw": ("撤回", "withdraw")},
    transitions={
        (U.APPLIED, "approve"): U.APPROVED,
        (U.APPLIED, "reject"): U.REJECTED,
        (U.APPLIED, "withdraw"): U.WITHDRAWN,
    },
)
