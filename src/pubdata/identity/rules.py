"""Identity decisions, pure: organisation kinds, roles, the permission table, password and token rules.

Deny by default: a permission not in the table is refused. ``identity.access`` applies the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pubdata.common.messages import Phrase

# DESIGN.md §2
ORGANISATION_KINDS: dict[str, tuple[str, str]] = {
    "bureau": ("市数据资源局", "City data resources bureau"),
    "provider": ("数据提供部门", "Data-providing department"),
    "operator": ("运营机构", "Licensed operator"),
    "partner": ("合伙人", "Partner"),
    "consumer": ("数据使用方", "Data consumer"),
    "pricing": ("市发展改革委", "Pricing authority"),
    "finance": ("市财政局", "Finance bureau"),
    "market": ("市市场监管局", "Market regulation bureau"),
    "audit": ("市审计局", "Audit bureau"),
    "security": ("网信办/公安局", "Security supervision"),
    "subject": ("数据主体（企业）", "Data subject (enterprise)"),
}

ROLES: dict[str, tuple[str, str]] = {
    "admin": ("管理员", "Administrator"),
    "member": ("成员", "Member"),
    "reviewer": ("审核员", "Reviewer"),
}

PASSWORD_MIN_LENGTH = 10
TOKEN_PREFIX = "pdt"


@dataclass(frozen=True)
class Grant:
    """A permission for an organisation kind and role (``*``: any), reaching ``any`` object, objects the
    caller's organisation is a party to (``own``), or objects where it holds one named role."""

    kind: str
    role: str
    reach: str

    def matches(self, kind: str, role: str) -> bool:
        return self.kind in ("*", kind) and self.role in ("*", role)


ANYONE_OWN = Grant("*", "*", "own")
BUREAU_STAFF = (Grant("bureau", "admin", "any"), Grant("bureau", "reviewer", "any"))
OPERATOR_REVIEWERS = (Grant("operator", "admin", "operator"), Grant("operator", "reviewer", "operator"))

PERMISSIONS: dict[str, tuple[Grant, ...]] = {
    "organisation.create": (Grant("bureau", "admin", "any"),),
    "organisation.read": (ANYONE_OWN, Grant("bureau", "*", "any"), Grant("audit", "*", "any")),
    # An organisation's signing key is its own admin's to register (the bureau's admin may, for it).
    "organisation.register-key": (Grant("*", "admin", "own"), Grant("bureau", "admin", "any")),
    "user.create": (Grant("*", "admin", "own"), Grant("bureau", "admin", "any")),
    "user.read": (ANYONE_OWN, Grant("bureau", "admin", "any"), Grant("audit", "*", "any")),
    "user.update": (Grant("*", "admin", "own"), Grant("bureau", "admin", "any")),
    # A password is its user's own to change.
    "user.change-password": (Grant("*", "*", "user"),),
    # A token is its user's alone.
    "token.manage": (Grant("*", "*", "user"),),
    # The catalogue (DESIGN.md §2): departments describe, load and submit their own resources; the bureau
    # reviews registrations; the auditor reads everything.
    "catalog.describe": (Grant("provider", "admin", "own"), Grant("provider", "member", "own")),
    "catalog.read": (Grant("provider", "*", "own"), Grant("bureau", "*", "any"), Grant("audit", "*", "any")),
    "catalog.load": (Grant("provider", "admin", "own"), Grant("provider", "member", "own")),
    "catalog.submit": (Grant("provider", "admin", "own"),),
    "catalog.preview": (Grant("provider", "*", "own"), *BUREAU_STAFF, Grant("audit", "*", "any")),
    "registration.review": BUREAU_STAFF,
    # Source connections (数据源连接): the bureau's admin approves and disables them; a department sees and
    # loads from its own; the bureau and the auditor see them all. Nobody sees a password.
    "source.manage": (Grant("bureau", "admin", "any"),),
    "source.read": (Grant("bureau", "*", "any"), Grant("audit", "*", "any"), Grant("provider", "*", "own")),
    "source.use": (Grant("provider", "admin", "own"), Grant("provider", "member", "own")),
    # Authorization (授权运营): the bureau grants, evaluates and ends; the operator signs and runs its side.
    "authorization.manage": (Grant("bureau", "admin", "any"),),
    "authorization.evaluate": BUREAU_STAFF,
    "authorization.read": (
        Grant("bureau", "*", "any"),
        Grant("audit", "*", "any"),
        Grant("security", "*", "any"),
        Grant("market", "*", "any"),  # market regulation oversees the licensed operators
        Grant("operator", "*", "own"),
    ),
    # The security office (网信办/公安局) oversees every incident, drill and risk assessment and records its
    # findings; the bureau and the auditor see them too.
    "authorization.oversee": (Grant("security", "*", "any"), Grant("bureau", "*", "any"), Grant("audit", "*", "any")),
    "authorization.security-finding": (Grant("security", "admin", "any"), Grant("security", "reviewer", "any")),
    "authorization.sign-for-bureau": (Grant("bureau", "admin", "any"),),
    "authorization.sign-for-operator": (Grant("operator", "admin", "operator"),),
    "authorization.operate": (Grant("operator", "admin", "own"),),
    # What its own organisation is authorized to use: the operator's agreements, a partner's admissions.
    "authorization.own-scope": (Grant("operator", "*", "own"), Grant("partner", "*", "own")),
    "authorization.report-incident": (
        Grant("security", "*", "any"),
        Grant("bureau", "*", "any"),
        Grant("operator", "admin", "own"),
    ),
    # Usage contracts: the operator offers; each side's admin signs; the parties see their own, the regulators
    # all; the operator that offered it, or the bureau, revokes it.
    "contract.propose": (Grant("operator", "admin", "own"),),
    # The pricing authority checks contracts against fee caps, the finance bureau counts their revenue.
    "contract.read": (
        ANYONE_OWN,
        Grant("bureau", "*", "any"),
        Grant("audit", "*", "any"),
        Grant("pricing", "*", "any"),
        Grant("finance", "*", "any"),
    ),
    "contract.sign-as-assigner": (Grant("*", "admin", "assigner"),),
    "contract.sign-as-assignee": (Grant("*", "admin", "assignee"),),
    "contract.revoke": (Grant("*", "*", "assigner"), Grant("bureau", "admin", "any")),
    # Using the data: only the assignee queries the real data and submits jobs; in development (mock data)
    # the operator that offered the contract may too.
    "query.run": (Grant("*", "*", "assignee"),),
    "query.develop": (Grant("*", "*", "assignee"), Grant("*", "*", "assigner")),
    "job.submit": (Grant("*", "*", "assignee"),),
    # Jobs: the operator's reviewer reads the code first; the operator's reviewer and the bureau both release
    # outputs (each side its own release); only the submitter downloads them.
    "job.read": (ANYONE_OWN, Grant("bureau", "*", "any"), Grant("audit", "*", "any")),
    "job.review": OPERATOR_REVIEWERS,
    "job.release": (*OPERATOR_REVIEWERS, *BUREAU_STAFF),
    "job.release-for-operator": OPERATOR_REVIEWERS,
    "job.release-for-bureau": BUREAU_STAFF,
    "job.download": (Grant("*", "*", "submitter"),),
    # Whoever signs for an organisation may submit the signature it made off-platform with its own key.
    "ledger.present-signature": (Grant("*", "admin", "any"), Grant("*", "reviewer", "any")),
    # Payloads can hold personal data, so only the regulator and the auditor read them.
    "ledger.read-payload": (*BUREAU_STAFF, Grant("audit", "*", "any")),
    # Products (数据产品): the operator and its partners develop them (each its own); the bureau's staff review
    # them; the operator's admin applies for registration and lists them; the operator's or the bureau's admin
    # delists; the regulators read them all.
    "product.read": (
        Grant("operator", "*", "own"),
        Grant("partner", "*", "own"),
        Grant("bureau", "*", "any"),
        Grant("audit", "*", "any"),
        # The pricing authority caps every product's fee; the market regulator checks its published price.
        Grant("pricing", "*", "any"),
        Grant("market", "*", "any"),
    ),
    "product.develop": (
        Grant("operator", "admin", "own"),
        Grant("operator", "member", "own"),
        Grant("partner", "admin", "own"),
        Grant("partner", "member", "own"),
    ),
    "product.review": BUREAU_STAFF,
    "product.register": (Grant("operator", "admin", "operator"),),
    "product.list": (Grant("operator", "admin", "operator"),),
    "product.delist": (Grant("operator", "admin", "operator"), Grant("bureau", "admin", "any")),
    # Subscriptions and calls (products.subscriptions, products.calls): a consumer applies for a listed product
    # and withdraws its application; the operator offering it approves or rejects; only the assignee of the
    # contract generated from it calls the product.
    "subscription.apply": (Grant("consumer", "*", "own"),),
    "subscription.read": (ANYONE_OWN, Grant("bureau", "*", "any"), Grant("audit", "*", "any")),
    "subscription.decide": (Grant("operator", "admin", "operator"),),
    "subscription.withdraw": (Grant("consumer", "*", "consumer"),),
    "product.call": (Grant("consumer", "*", "assignee"),),
    # Scenarios (数据供需与场景建设方案): consumers and departments post demands, which their poster closes; the
    # operator reads and answers them all; the operator and its partners propose scenario plans, each providing
    # department gives its opinion (its own admin), the bureau decides; the regulators read everything.
    "demand.post": tuple(Grant(kind, role, "own") for kind in ("consumer", "provider") for role in ("admin", "member")),
    "demand.read": (
        ANYONE_OWN,
        Grant("operator", "*", "any"),
        Grant("bureau", "*", "any"),
        Grant("audit", "*", "any"),
    ),
    "demand.answer": (Grant("operator", "admin", "any"), Grant("operator", "member", "any")),
    "demand.close": (Grant("*", "admin", "own"), Grant("*", "member", "own")),
    "scenario.propose": tuple(
        Grant(kind, role, "own") for kind in ("operator", "partner") for role in ("admin", "member")
    ),
    "scenario.read": (ANYONE_OWN, Grant("bureau", "*", "any"), Grant("audit", "*", "any")),
    "scenario.edit": (Grant("*", "admin", "proposer"), Grant("*", "member", "proposer")),
    "scenario.opinion": (Grant("provider", "admin", "own"),),
    "scenario.decide": BUREAU_STAFF,
}

# --- consent (授权): a data subject grants and revokes its own consents and sees them and their uses; a consumer
# records signed letters and sees (and may withdraw) the consents it holds; the regulators and the auditor read.
PERMISSIONS |= {
    "consent.grant": (Grant("subject", "*", "own"),),
    "consent.revoke": (Grant("subject", "*", "subject"), Grant("consumer", "admin", "consumer")),
    "consent.read": (
        Grant("subject", "*", "own"),
        Grant("consumer", "*", "own"),
        Grant("bureau", "*", "any"),
        Grant("audit", "*", "any"),
    ),
    "consent.record-letter": (Grant("consumer", "admin", "own"), Grant("consumer", "member", "own")),
}


# --- billing (三(六)): the pricing authority (with the bureau) sets ceilings and caps; the operator's admin prices
# its products within them; consumers see their own statements, the operator those of its consumers; the
# market regulator, the finance bureau, the bureau and the auditor see everything.
BILLING_OVERSIGHT = tuple(Grant(kind, "*", "any") for kind in ("pricing", "market", "finance", "bureau", "audit"))
PERMISSIONS |= {
    "billing.set-ceiling": (Grant("pricing", "admin", "any"), Grant("pricing", "member", "any")),
    "billing.set-cap": (Grant("pricing", "admin", "any"), Grant("pricing", "member", "any")),
    "billing.set-price": (Grant("operator", "admin", "operator"),),
    "billing.read": (*BILLING_OVERSIGHT, Grant("operator", "*", "own")),
    "billing.revenue": (*BILLING_OVERSIGHT, Grant("operator", "*", "own")),
    "billing.statement": (*BILLING_OVERSIGHT, Grant("consumer", "*", "own")),
    "billing.bill": (Grant("operator", "*", "own"),),
    "billing.reconcile": BILLING_OVERSIGHT,
}

# --- data quality (三(三)3) and the calendar: the operator, its partners, consumers and the bureau file tickets
# against registered resources; the providing department answers; the filer confirms, reopens or withdraws; the
# bureau and the auditor see them all. The bureau's admin loads each year's holiday table.
PERMISSIONS |= {
    "quality.file": tuple(
        Grant(kind, role, "own")
        for kind in ("operator", "partner", "consumer", "bureau")
        for role in ("admin", "member", "reviewer")
    ),
    "quality.read": (ANYONE_OWN, Grant("bureau", "*", "any"), Grant("audit", "*", "any")),
    "quality.answer": (Grant("provider", "admin", "department"), Grant("provider", "member", "department")),
    "quality.confirm": tuple(Grant("*", role, "filer") for role in ("admin", "member", "reviewer")),
    "calendar.manage": (Grant("bureau", "admin", "any"),),
    # 四: the bureau scores each department's data supply; the auditor reads the scores; a department its own.
    "quality.scores": (Grant("bureau", "*", "any"), Grant("audit", "*", "any")),
    "quality.set-weights": (Grant("bureau", "admin", "any"),),
    # 三(八)3: the audit bureau reads the catalogue and all usage; the bureau too.
    "audit.read": (Grant("audit", "*", "any"), Grant("bureau", "*", "any")),
    # 三(九): the operator's admin submits its annual report; the bureau's staff decide; the regulators read.
    "reports.submit": (Grant("operator", "admin", "own"),),
    "reports.read": (
        Grant("operator", "*", "own"),
        Grant("bureau", "*", "any"),
        Grant("audit", "*", "any"),
        Grant("security", "*", "any"),
        Grant("finance", "*", "any"),
    ),
    "reports.decide": BUREAU_STAFF,
}

# What each permission lets one do, as a refusal names it to the person refused (zh-CN, English).
PERMISSION_NAMES: dict[str, tuple[str, str]] = {
    "organisation.create": ("新建机构", "create organisations"),
    "organisation.read": ("查看机构", "see organisations"),
    "organisation.register-key": ("登记机构签名密钥", "register an organisation's signing key"),
    "user.create": ("新建用户", "create users"),
    "user.read": ("查看用户", "see users"),
    "user.update": ("修改用户", "change users"),
    "token.manage": ("管理 API 令牌", "manage API tokens"),
    "user.change-password": ("修改密码", "change passwords"),
    "catalog.describe": ("编目数据资源", "describe data resources"),
    "catalog.read": ("查看数据资源", "see data resources"),
    "catalog.load": ("导入数据", "load data"),
    "catalog.submit": ("提交登记申请", "submit registrations"),
    "catalog.preview": ("预览数据", "preview data"),
    "registration.review": ("审核登记申请", "review registrations"),
    "source.manage": ("管理数据源连接", "manage source connections"),
    "source.read": ("查看数据源连接", "see source connections"),
    "source.use": ("使用数据源连接", "use source connections"),
    "authorization.manage": ("管理授权运营协议", "manage operation agreements"),
    "authorization.evaluate": ("评估运营机构", "evaluate the operator"),
    "authorization.read": ("查看授权运营协议", "see operation agreements"),
    "authorization.sign-for-bureau": ("代表数据资源局签署", "sign for the bureau"),
    "authorization.sign-for-operator": ("代表运营机构签署", "sign for the operator"),
    "authorization.operate": ("履行运营机构职责", "act as the operator"),
    "authorization.report-incident": ("报告安全事件", "report security incidents"),
    "authorization.oversee": ("监督安全事件与演练", "oversee incidents and drills"),
    "authorization.security-finding": ("记录安全监督意见", "record security findings"),
    "authorization.own-scope": ("查看本机构的授权范围", "see your organisation's authorized scope"),
    "contract.propose": ("提出使用合约", "propose contracts"),
    "contract.read": ("查看使用合约", "see contracts"),
    "contract.sign-as-assigner": ("以提供方身份签署合约", "sign contracts as the assigner"),
    "contract.sign-as-assignee": ("以使用方身份签署合约", "sign contracts as the assignee"),
    "contract.revoke": ("撤销使用合约", "revoke contracts"),
    "query.run": ("查询真实数据", "query the real data"),
    "query.develop": ("用模拟数据开发", "develop on mock data"),
    "job.submit": ("提交作业", "submit jobs"),
    "job.read": ("查看作业", "see jobs"),
    "job.review": ("审核作业代码", "review job code"),
    "job.release": ("放行作业结果", "release job outputs"),
    "job.release-for-operator": ("代表运营机构放行", "release for the operator"),
    "job.release-for-bureau": ("代表数据资源局放行", "release for the bureau"),
    "job.download": ("下载作业结果", "download job outputs"),
    "ledger.present-signature": ("提交线下签名", "present signatures"),
    "ledger.read-payload": ("查看存证内容", "read ledger payloads"),
    # Products
    "product.read": ("查看数据产品", "see products"),
    "product.develop": ("开发数据产品", "develop products"),
    "product.review": ("安全审查数据产品", "review products' security"),
    "product.register": ("申请数据产品登记", "apply for product registration"),
    "product.list": ("上架数据产品", "list products"),
    "product.delist": ("下架数据产品", "delist products"),
    # Subscriptions and calls
    "subscription.apply": ("申请订阅数据产品", "apply for products"),
    "subscription.read": ("查看订阅申请", "see subscriptions"),
    "subscription.decide": ("审批订阅申请", "decide subscriptions"),
    "subscription.withdraw": ("撤回订阅申请", "withdraw subscriptions"),
    "product.call": ("调用数据产品", "call products"),
    "demand.post": ("发布数据需求", "post data demands"),
    "demand.read": ("查看数据需求", "see data demands"),
    "demand.answer": ("答复数据需求", "answer data demands"),
    "demand.close": ("关闭数据需求", "close data demands"),
    "scenario.propose": ("提出场景建设方案", "propose scenario plans"),
    "scenario.read": ("查看场景建设方案", "see scenario plans"),
    "scenario.edit": ("修改和提交场景建设方案", "change and submit scenario plans"),
    "scenario.opinion": ("对场景建设方案提出部门意见", "give a department's opinion on scenario plans"),
    "scenario.decide": ("审批场景建设方案", "approve or reject scenario plans"),
}

# --- consent (授权)
PERMISSION_NAMES |= {
    "consent.grant": ("授权数据使用方", "grant consent"),
    "consent.revoke": ("撤回授权", "revoke consent"),
    "consent.read": ("查看授权及其使用记录", "see consents and their uses"),
    "consent.record-letter": ("记录书面授权书", "record authorization letters"),
}


# --- billing
PERMISSION_NAMES |= {
    "billing.set-ceiling": ("核定最高准许收入", "set maximum permitted revenues"),
    "billing.set-cap": ("制定上限收费标准", "set fee caps"),
    "billing.set-price": ("确定收费标准", "set prices"),
    "billing.read": ("查看收费标准", "see prices and caps"),
    "billing.revenue": ("查看收入与最高准许收入", "see revenue against the ceiling"),
    "billing.statement": ("查看对账单", "see statements"),
    "billing.bill": ("查看本机构使用方的对账单", "see your consumers' statements"),
    "billing.reconcile": ("核对计量与账单", "reconcile the meter with the statements"),
    "quality.file": ("提出数据质量问题", "file quality tickets"),
    "quality.read": ("查看数据质量问题", "see quality tickets"),
    "quality.answer": ("答复数据质量问题", "answer quality tickets"),
    "quality.confirm": ("确认或重新打开数据质量问题", "confirm or reopen quality tickets"),
    "calendar.manage": ("导入年度放假安排表", "load the year's holiday table"),
    "quality.scores": ("查看各部门贡献评价", "see the departments' contribution scores"),
    "quality.set-weights": ("设定贡献评价权重", "set the contribution score's weights"),
    "audit.read": ("审计查阅", "read for the audit"),
    "reports.submit": ("提交年度运营报告", "submit annual reports"),
    "reports.read": ("查看年度运营报告", "see annual reports"),
    "reports.decide": ("审核年度运营报告", "decide annual reports"),
}


def permission_name(permission: str) -> tuple[str, str]:
    """A permission's words; one without a name (a bug the identity tests catch) is shown as its code."""
    return PERMISSION_NAMES.get(permission, (permission, permission))


def allows(*, kind: str, role: str, permission: str, held: frozenset[str] | None) -> bool:
    """May someone of ``kind``/``role`` do ``permission``? ``held`` is the set of roles their organisation holds
    in the object (empty: none), or None for an act on the platform as a whole, which only ``any`` reaches.
    Deny by default: a permission not in the table is refused."""
    for grant in PERMISSIONS.get(permission, ()):
        if not grant.matches(kind, role):
            continue
        if grant.reach == "any" or (held and (grant.reach == "own" or grant.reach in held)):
            return True
    return False


def password_problem(password: str, *, login: str) -> Phrase | None:
    """Why a password is refused, or None."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return Phrase("password.too_short", {"n": PASSWORD_MIN_LENGTH})
    if login.lower() in password.lower():
        return Phrase("password.contains_login")
    return None


def token_usable(*, now: datetime, expires_at: datetime, revoked_at: datetime | None) -> str | None:
    """Why a token can no longer be used (a rule name), or None."""
    if revoked_at is not None:
        return "identity.token-revoked"
    if now >= expires_at:
        return "identity.token-expired"
    return None


def token_expiry(*, now: datetime, days: int) -> datetime:
    if not 1 <= days <= 366:
        raise ValueError("a token lives between 1 and 366 days")
    return now + timedelta(days=days)


def split_token(raw: str) -> tuple[str, str] | None:
    """``pdt_<public id>_<secret>`` → (public id, secret), or None when it is not shaped like a token."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]
