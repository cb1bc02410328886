"""The demo city: organisations of every kind, their users and API tokens, and the pilot data catalogue.

``pubdata demo`` builds it idempotently through the real services (every step is a ledger entry) and writes
``DATA_DIR/demo-accounts.json`` so anyone can log in or drive the API by hand. Later capabilities add their
own steps to ``build``; they never replace it.

The first build plays the last sixteen weeks of the city's history: it starts 110 days ago (or just after the
newest ledger entry, so the ledger's times only move forward), describes, loads and submits the pilot resources,
the bureau accepts them; thirty days later their public notice is over and the scheduler registers them, the
bureau authorizes the operator, the pilots' products go through their security review to registration, and the
pricing authority caps them within the operator's maximum permitted revenue, which the operator prices under
(``demo.billing``); a month ago the products' notice is over: they are listed, subscribed, consented and called
(``demo.products``), and the month to now is played as their daily use, metered call by call; now the rest of
the story runs (contracts, a job, privacy computing). Times in the ledger are therefore real moments of that
story, in order.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from pubdata import scheduler
from pubdata.authorization import agreements, partners
from pubdata.authorization.schemas import Scope
from pubdata.catalog import service as catalog
from pubdata.catalog.schemas import ResourceIn
from pubdata.common import clock
from pubdata.common.actor import Actor
from pubdata.common.errors import Refused
from pubdata.common.ids import credit_code_check_char
from pubdata.demo import billing, pilot, privacy, products, quality, usage
from pubdata.demo import security as demo_security
from pubdata.demo.timeline import Timeline
from pubdata.demo.usage import principal
from pubdata.identity import service as identity
from pubdata.identity.access import PlatformItself
from pubdata.ledger import service as ledger
from pubdata.platform import Platform

ACCOUNTS_FILE = "demo-accounts.json"
DEMO_ACTOR = Actor(label="demo")
AS_DEMO = PlatformItself(DEMO_ACTOR)


COMPANY, AGENCY = "91341700MA", "11341700MB"  # a credit code's first ten: 91… a company, 11… an agency (机关)


def _credit_code(serial: int, *, prefix: str = COMPANY) -> str:
    """A well-formed unified social credit code; contracts name their parties by it (urn:uscc:…)."""
    first17 = f"{prefix}{serial:07d}"
    return first17 + credit_code_check_char(first17)


@dataclass(frozen=True)
class DemoOrganisation:
    kind: str
    name: str
    login: str
    display_name: str
    credit_code: str | None = None
    role: str = "admin"


ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    DemoOrganisation("bureau", identity.BOOTSTRAP_ORGANISATION, "bureau.admin", "数据资源局管理员"),
    DemoOrganisation("provider", "池州市公安局", "police.admin", "公安局数据专员"),
    DemoOrganisation("provider", "池州市自然资源和规划局", "land.admin", "自然资源局数据专员"),
    DemoOrganisation("operator", "池州数据运营有限公司", "operator.admin", "运营机构管理员", _credit_code(1)),
    DemoOrganisation("partner", "池州普惠金融科技有限公司", "partner.admin", "合伙人管理员", _credit_code(2)),
    DemoOrganisation("consumer", "池州农村商业银行", "bank.admin", "农商行信贷部", _credit_code(3)),
    DemoOrganisation("consumer", "池州市城市管理局", "city.admin", "城市管理局业务员", _credit_code(1, prefix=AGENCY)),
    DemoOrganisation("pricing", "池州市发展和改革委员会", "pricing.admin", "发改委价格处"),
    DemoOrganisation("finance", "池州市财政局", "finance.admin", "财政局资产处"),
    DemoOrganisation("market", "池州市市场监督管理局", "market.admin", "市场监管局价格监督"),
    DemoOrganisation("audit", "池州市审计局", "audit.admin", "审计局审计员"),
    DemoOrganisation("security", "池州市委网信办", "security.admin", "网信办安全监督"),
    *(DemoOrganisation("provider", name, login, f"{name}数据专员") for name, login in pilot.EXTRA_PROVIDERS),
    # Data subjects with their own accounts (数据主体（企业）): the first three active limited companies of the
    # pilot's legal-entity library (CZ-FR-0001) as `pubdata demo` generates it (scale 1, seed 2026), by their
    # credit codes. Another scale generates other enterprises: these accounts remain, their codes then unlisted.
    DemoOrganisation(
        "subject", "东至县美正大酒店有限公司", "meizheng.admin", "美正大酒店财务负责人", "91341721MALD87XXXK"
    ),
    DemoOrganisation(
        "subject", "池州市贵池区润禾置业有限公司", "runhe.admin", "润禾置业财务负责人", "91341702MAMKU4JA2G"
    ),
    DemoOrganisation(
        "subject", "池州市贵池区皖德汽车销售有限公司", "wande.admin", "皖德汽车财务负责人", "91341700668998368H"
    ),
)
# Long enough that a demo built in December files a quality ticket across the National Day holiday
# (``demo.quality``), and one built in its last working week another into the next year.
HISTORY = timedelta(days=110)
# When the story's products start: after the resources' public notice (ten working days, which a Spring Festival
# or a National Day holiday lengthens by a week or more), leaving their own notice time to run before they are
# listed, a month before now.
PRODUCTS_AFTER = timedelta(days=30)
LISTED_AFTER = HISTORY - timedelta(days=30)


def _load(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    return {item["login"]: item for item in json.loads(path.read_text("utf-8")).get("accounts", [])}


def build(platform: Platform, *, scale: float = 1.0) -> dict:
    """Create whatever of the demo is missing; returns what ``demo-accounts.json`` holds."""
    path = platform.settings.data_dir / ACCOUNTS_FILE
    known = _load(path)
    now = clock.now()
    with platform.read() as session:
        last = ledger.last_recorded_at(session)
    start = max(now - HISTORY, last or now - HISTORY)
    accounts = []
    # The accounts open at the story's start; their tokens live ``token_days`` from now.
    token_days = min(366, platform.settings.token_days + max(0, (now - start).days))
    with clock.frozen_at(min(start, now)):
        with platform.command() as session:
            identity.bootstrap(session, actor=DEMO_ACTOR)
        for spec in ORGANISATIONS:
            with platform.command() as session:
                accounts.append(_ensure_account(session, spec, known.get(spec.login, {}), token_days))
        _build_catalog(platform, scale=scale)
    # Quality tickets are filed on the registered resources from the end of their notice on (``demo.quality``);
    # the security duties start with the operator's authorization (``demo.security``).
    authorized_at, listed_at = min(start + PRODUCTS_AFTER, now), min(start + LISTED_AFTER, now)
    stories = quality.steps(platform, start=start, last=listed_at)
    stories += demo_security.steps(platform, authorized=authorized_at)
    timeline = Timeline(platform, stories, last=listed_at)
    timeline.play_until(start + PRODUCTS_AFTER)
    # The middle of the story: the resources' notice is over; the operator is authorized and the pilots' products
    # are reviewed and accepted for registration, so that their own notice is over by now.
    with clock.frozen_at(min(start + PRODUCTS_AFTER, now)):
        scheduler.tick(platform)
        _authorize_operator(platform)
        products.prepare(platform)
        privacy.prepare(platform)
        billing.prepare(platform)
    # A month ago: the products are listed, subscribed and first called; then a month of their use.
    timeline.play_until(listed_at)
    with clock.frozen_at(listed_at):
        scheduler.tick(platform)
        offered = products.build(platform)
    billing.month(platform, since=listed_at, until=now, listed=offered)
    with clock.frozen_at(now):
        scheduler.tick(platform)
        _authorize_operator(platform)
        contracts = usage.build(platform)
        bank_token = next(account["token"] for account in accounts if account["login"] == "bank.admin")
        offered += privacy.build(platform, bank_token=bank_token)
        quality.today(platform)
    document = {
        "note": "Demo data only. Each account: its organisation, kind, a login and password for the web pages, "
        "and an API token. Each contract: its consumer (log in as consumer_login) and something to try with it. "
        "Each product: its code, its subscriber and a call to try.",
        "accounts": accounts,
        "contracts": contracts,
        "products": offered,
        "billing": billing.accounts_note(platform),
        "quality": quality.accounts_note(platform),
        "reports": _reports_note(platform),
    }
    _write_private(path, json.dumps(document, ensure_ascii=False, indent=2))
    return document


def _reports_note(platform: Platform) -> dict[str, str]:
    """What demo-accounts.json says of transparency, audit and the annual report: where to look."""
    operator, year = principal(platform, "operator.admin"), clock.today().year
    return {
        "transparency": "/transparency/CZ-RK-0001 (no login): its calls by month, each entry's proof checked in "
        "your browser on /ledger/verify/SEQ",
        "audit": "/audit/calls (audit.admin): every call with its governed plan; CSV of the metadata",
        "annual_report": f"/reports/annual/{operator.organisation_id}/{year} and .pdf (operator.admin, bureau.admin):"
        f" {year}'s draft from the facts, submitted once the year is over",
        "disclosure": f"/disclosure/{year} (no login): the year so far, from the same facts",
        "security": "/security (security.admin, operator.admin, bureau.admin): cycles, drills, assessments",
    }


def _build_catalog(platform: Platform, *, scale: float) -> None:
    """Describe, load, submit and accept every pilot resource that has not got that far yet."""
    logins = {spec.name: spec.login for spec in ORGANISATIONS}
    sources: dict[str, Path] | None = None
    folder = platform.settings.data_dir / "demo-sources"
    bureau = principal(platform, "bureau.admin")
    try:
        for item in pilot.PILOT_RESOURCES:
            body = ResourceIn.model_validate(item.description)
            department = principal(platform, logins[item.provider])
            with platform.command() as session:
                resource_id = catalog.find_id_or_none(session, code=body.code)
                if resource_id is None:
                    resource_id = catalog.describe(session, principal=department, body=body).id
            with platform.read() as session:
                resource = catalog.get(session, principal=department, resource_id=resource_id)
            if resource.current_version is None:
                sources = sources or pilot.write_sources(folder, scale=scale)
                result, version = catalog.load(
                    platform,
                    principal=department,
                    resource_id=resource_id,
                    domain_dir=platform.settings.domain_dir,
                    source_format="csv",
                    path=sources[body.code],
                )
                if version is None:
                    raise RuntimeError(f"the demo's own data for {body.code} was refused: {result.problems[:3]}")
            with platform.command() as session:
                resource = catalog.get(session, principal=department, resource_id=resource_id)
                if resource.state == "draft":
                    catalog.submit_registration(session, principal=department, resource_id=resource_id, kind="first")
            with platform.command() as session:
                for application in catalog.registrations(session, principal=bureau, resource_id=resource_id):
                    if application.state == "submitted":
                        catalog.review_registration(
                            session, principal=bureau, registration_id=application.id, decision="accept", reason=None
                        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# The two pilots (一(二)): inclusive finance (普惠金融) and urban governance (城市治理).
PILOT_SCOPE = Scope(
    resources=(
        pilot.POPULATION,
        pilot.LEGAL_ENTITIES,
        pilot.E_LICENCES,
        pilot.SPATIAL_GRID,
        pilot.MACRO_ECONOMY,
        pilot.TAX_PAYMENTS,
        pilot.SOCIAL_INSURANCE,
        pilot.UTILITY_PAYMENTS,
        pilot.PENALTIES,
        pilot.TAX_CREDIT_RATINGS,
    ),
    max_grade="general-4",
)
# The partner develops inclusive-finance products: enterprise data and credit records only.
PARTNER_SCOPE = Scope(
    resources=(
        pilot.LEGAL_ENTITIES,
        pilot.E_LICENCES,
        pilot.TAX_PAYMENTS,
        pilot.SOCIAL_INSURANCE,
        pilot.UTILITY_PAYMENTS,
        pilot.PENALTIES,
        pilot.TAX_CREDIT_RATINGS,
    ),
    max_grade="general-4",
)
SELECTION_EVIDENCE = {
    "capability": "公开招标评审报告第3章：数据加工与运营能力、经营及信用状况",
    "credibility": "数据要素流通体系建设案例与行业评价",
    "knowledge": "法规政策培训记录与考核结果",
    "environment": "等级保护三级测评报告、机房与隐私计算平台说明",
    "responsibility": "数据安全负责人任命文件与内部管理制度汇编",
}


def _authorize_operator(platform: Platform) -> None:
    """The bureau authorizes the operator for the two pilots, both sign, and the operator admits its partner."""
    bureau, operator = principal(platform, "bureau.admin"), principal(platform, "operator.admin")
    with platform.command() as session:
        live = [a for a in agreements.list_agreements(session, principal=bureau) if a.state != "exited"]
        agreement = (
            live[0]
            if live
            else agreements.record_agreement(
                session,
                principal=bureau,
                operator_id=operator.organisation_id,
                tender_reference="CZGGZY-2025-0917",
                selection=SELECTION_EVIDENCE,
                scope=PILOT_SCOPE,
                security_duties="履行数据安全主体责任；原始数据不出域、数据可用不可见；定期开展应急演练和风险评估。",
                partner_conditions="熟悉普惠金融或城市治理业务，具备数据安全管理制度，接受运营机构统一管理。",
            )
        )
    if agreement.state == "draft":
        for signer in (bureau, operator):
            with platform.command() as session:
                agreements.sign(session, principal=signer, agreement_id=agreement.id)
    partner = principal(platform, "partner.admin")
    with platform.command() as session:
        if not any(p.organisation_id == partner.organisation_id for p in partners.partners_of(session, agreement.id)):
            partners.admit_partner(
                session,
                principal=operator,
                agreement_id=agreement.id,
                partner_id=partner.organisation_id,
                scope=PARTNER_SCOPE,
            )


def _ensure_account(session: Session, spec: DemoOrganisation, known: dict, token_days: int) -> dict:
    organisation = identity.find_organisation(session, name=spec.name) or identity.create_organisation(
        session, principal=AS_DEMO, kind=spec.kind, name=spec.name, credit_code=spec.credit_code
    )
    user = identity.find_user(session, login=spec.login)
    password = known.get("password")
    if user is None:
        password = _password()
        user = identity.create_user(
            session,
            principal=AS_DEMO,
            organisation_id=organisation.id,
            login=spec.login,
            display_name=spec.display_name,
            role=spec.role,
            password=password,
        )
    elif not password or not _password_works(session, spec.login, password):
        password = _password()
        identity.reset_password(session, principal=AS_DEMO, user_id=user.id, password=password)
    token = known.get("token")
    if not token or not _token_works(session, token):
        _, token = identity.issue_token(session, principal=AS_DEMO, user_id=user.id, name="demo", days=token_days)
    return {
        "organisation": spec.name,
        "organisation_id": organisation.id,
        "kind": spec.kind,
        "login": spec.login,
        "password": password,
        "token": token,
    }


def _password() -> str:
    return "demo-" + secrets.token_urlsafe(9)


def _password_works(session: Session, login: str, password: str) -> bool:
    try:
        identity.authenticate(session, login=login, password=password)
    except Refused:  # any refusal means "issue a new one"
        return False
    return True


def _token_works(session: Session, token: str) -> bool:
    try:
        identity.principal_from_token(session, token)
    except Refused:
        return False
    return True


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
