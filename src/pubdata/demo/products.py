"""The demo's products and services (三(五)): the two pilots end to end, through the real services.

- Inclusive finance (普惠金融): the partner's approved scenario plan over the enterprise libraries; its
  企业信用画像 (the pilot's scorecard, ``products.definitions.DEFAULT_PROFILE``) reviewed by the bureau,
  registered and listed; the rural commercial bank (bank.admin) subscribed, its contract signed by both; the
  consents of the demo's subject enterprises from their own accounts, letters for a few more; a batch of profile
  calls.
- Urban governance (城市治理): the operator's scenario plan over the population library for public governance; a
  differentially private statistics template (residents of a chosen district by age band); the city management
  bureau (city.admin) subscribed; one call.

``prepare`` runs in the middle of the demo's story (the resources are registered, the products' public notice
must have time to run); ``build`` at its end. Idempotent like the rest of the demo: every step looks for what is
already there (a scenario by its name, a product by its name, a subscription by its consumer and product) and
only does what is missing; the calls run only while their contract is unused.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from pubdata.catalog import service as catalog
from pubdata.common import clock
from pubdata.common.errors import Refused
from pubdata.contracts import service as contracts
from pubdata.demo import pilot, usage
from pubdata.demo.usage import principal
from pubdata.identity import service as identity
from pubdata.identity.access import Principal
from pubdata.platform import Platform
from pubdata.privacy import consent
from pubdata.privacy.schemas import ConsentIn, LetterIn
from pubdata.products import calls, subscriptions
from pubdata.products import definitions as d
from pubdata.products import service as products
from pubdata.products.schemas import ProductIn
from pubdata.scenarios import service as scenarios

if TYPE_CHECKING:
    from pubdata.products.models import Product

CHECKLIST_NOTES = {
    "minimisation": "只输出评分、等级和理由码，不输出任何明细记录或金额。",
    "output_rule": "逐户应答仅限已取得授权的企业；统计模板按差分隐私发布。",
    "reidentification": "输出不含自然人信息，无法据此识别法定代表人。",
    "consent": "逐户产品每次调用均核验企业授权。",
    "purpose_fit": "用途与已批准的场景建设方案一致。",
}
PROFILE_NAME = "企业信用画像"
PROFILE_DESCRIPTION = (
    "依据纳税信用等级、社保缴纳、水电缴费、行政处罚、电子证照和登记信息，为取得授权的企业逐户给出信用评分（0–100）、"
    "等级和理由码，供银行小微企业贷前审查使用；不提供任何明细记录。"
)
URBAN_SCENARIO = {
    "name": "城市治理人口分布统计",
    "field": "urban_governance",
    "users": "市城市管理局的网格化管理和公共服务规划人员",
    "resources": [pilot.POPULATION],
    "purpose": "public_governance",
    "benefit": "按区县和年龄段掌握常住人口结构，优化养老、托育、环卫和公共设施布局。",
    "risk": {
        "personal_information": "medium",
        "sensitive_personal": "none",
        "minors": "low",
        "cross_department": "none",
        "per_subject_output": "none",
        "external_delivery": "low",
    },
}
URBAN_NAME = "分区县分年龄段常住人口统计"
URBAN_DESCRIPTION = "选择一个区县，得到其各年龄段的常住人口数；结果加入差分隐私噪声，每次调用消耗固定隐私预算。"
DISTRICTS = ("贵池区", "东至县", "石台县", "青阳县")
URBAN_TEMPLATE = {
    "kind": "query_template",
    "resources": [pilot.POPULATION],
    "sql": ("SELECT age_band, count(*) AS persons FROM cz_rk_0001 WHERE district = :district GROUP BY age_band"),
    "parameters": [
        {
            "name": "district",
            "label": {"zh": "区县", "en": "District"},
            "type": "string",
            "choices": list(DISTRICTS),
            "description": {"zh": "要统计的区县。", "en": "The district counted."},
        }
    ],
    "outputs": [
        {"name": "age_band", "label": {"zh": "年龄段", "en": "Age band"}},
        {"name": "persons", "label": {"zh": "常住人口数（含噪声）", "en": "Residents (noisy)"}},
    ],
    "output_rule": "dp",
    "min_group_size": 10,
}
LETTERS = 3  # enterprises without an account whose signed letters the bank records
BATCHES = 3  # profile calls the bank makes


def prepare(platform: Platform) -> None:
    """The scenarios and the products, reviewed and accepted for registration (their public notice starts)."""
    operator, partner, bureau = (
        principal(platform, login) for login in ("operator.admin", "partner.admin", "bureau.admin")
    )
    finance = usage.approve_partner_scenario(platform, partner=partner, bureau=bureau)
    urban = _scenario(platform, operator, bureau, URBAN_SCENARIO)
    _product(
        platform,
        developer=partner,
        scenario_id=finance,
        name=PROFILE_NAME,
        kind="credit_profile",
        description=PROFILE_DESCRIPTION,
        purposes=["industry"],
        definition=d.DEFAULT_PROFILE.document(),
    )
    _product(
        platform,
        developer=operator,
        scenario_id=urban,
        name=URBAN_NAME,
        kind="query_template",
        description=URBAN_DESCRIPTION,
        purposes=["public_governance"],
        definition=URBAN_TEMPLATE,
    )


def build(platform: Platform) -> list[dict[str, Any]]:
    """After the products' notice: listed, subscribed, signed, consented and called. What demo-accounts.json
    lists of them."""
    operator = principal(platform, "operator.admin")
    listed: list[dict[str, Any]] = []
    for name, login, purpose, use in (
        (PROFILE_NAME, "bank.admin", "industry", "小微企业贷款贷前审查：了解申请企业的纳税、社保和守法经营情况。"),
        (URBAN_NAME, "city.admin", "public_governance", "养老、托育和公共设施按各年龄段人口规模规划。"),
    ):
        product = _listed(platform, operator, name)
        if product is None:
            continue
        consumer = principal(platform, login)
        contract_id = _subscribed(platform, operator, consumer, product, purpose=purpose, use=use)
        listed.append({"product": product.code, "name": name, "consumer_login": login, "contract": contract_id})
    by_name = {item["name"]: item for item in listed}
    if PROFILE_NAME in by_name:
        codes = _consents(platform, by_name[PROFILE_NAME]["product"])
        _profile_calls(platform, by_name[PROFILE_NAME], codes)
        by_name[PROFILE_NAME]["try"] = f"POST /api/v1/products/{by_name[PROFILE_NAME]['product']}/calls " + (
            '{"subjects": ["' + codes[0] + '"]}' if codes else '{"subjects": [...]}'
        )
    if URBAN_NAME in by_name:
        _urban_call(platform, by_name[URBAN_NAME])
        by_name[URBAN_NAME]["try"] = (
            f"POST /api/v1/products/{by_name[URBAN_NAME]['product']}/calls " + '{"parameters": {"district": "贵池区"}}'
        )
    return listed


# --- scenarios -------------------------------------------------------------------------------------------------


def _scenario(platform: Platform, proposer: Principal, bureau: Principal, spec: dict[str, Any]) -> int:
    """A scenario plan proposed, agreed by each department whose data it uses, approved by the bureau — once."""
    with platform.read() as session:
        found = [s for s in scenarios.scenarios_for(session, principal=proposer) if s.name == spec["name"]]
    plan = found[0] if found else None
    if plan is None:
        with platform.command() as session:
            plan = scenarios.create_scenario(session, principal=proposer, **spec)
    if plan.state == "draft":
        with platform.command() as session:
            plan = scenarios.submit_scenario(session, principal=proposer, scenario_id=plan.id)
    if plan.state != "approved":
        usage.agree_and_approve(platform, scenario_id=plan.id, bureau=bureau)
    return plan.id


# --- products --------------------------------------------------------------------------------------------------


def _find(platform: Platform, who: Principal, name: str) -> Product | None:
    with platform.read() as session:
        return next((p for p in products.listing(session, principal=who) if p.name == products.name_clean(name)), None)


def _product(
    platform: Platform,
    *,
    developer: Principal,
    scenario_id: int,
    name: str,
    kind: str,
    description: str,
    purposes: list[str],
    definition: dict[str, Any],
) -> None:
    """Created, reviewed by the bureau and accepted for registration: the tick registers it after its notice."""
    bureau, operator = principal(platform, "bureau.admin"), principal(platform, "operator.admin")
    product = _find(platform, developer, name)
    if product is None:
        body = ProductIn(
            scenario_id=scenario_id,
            name=name,
            kind=kind,
            description=description,
            delivery="api",
            purposes=purposes,
            definition=products.parse_definition(definition),
        )
        with platform.command() as session:
            product = products.create(session, principal=developer, body=body)
    code = product.code
    if product.state == "development":
        with platform.command() as session:
            products.submit_review(session, principal=developer, code=code)
        product = _find(platform, developer, name)
    if product is not None and product.state == "review":
        checklist = {item: {"passed": True, "note": note} for item, note in CHECKLIST_NOTES.items()}
        with platform.command() as session:
            products.review(session, principal=bureau, code=code, decision="approve", checklist=checklist)
        product = _find(platform, developer, name)
    if product is not None and product.state == "approved":
        with platform.command() as session:
            application = products.submit_registration(session, principal=operator, code=code)
        with platform.command() as session:
            products.review_registration(
                session, principal=bureau, registration_id=application.id, decision="accept", reason=None
            )


def _listed(platform: Platform, operator: Principal, name: str) -> Product | None:
    """The product, listed by the operator's admin once registered; None while its notice still runs."""
    product = _find(platform, operator, name)
    if product is None:
        return None
    if product.state == "registered":
        with platform.command() as session:
            product = products.list_product(session, principal=operator, code=product.code)
    return product if product.state == "listed" else None


def _subscribed(
    platform: Platform, operator: Principal, consumer: Principal, product: Product, *, purpose: str, use: str
) -> int | None:
    """The consumer's approved subscription's contract, signed by both; applied for and approved if missing."""
    with platform.read() as session:
        found = [
            s
            for s in subscriptions.list_for(session, principal=consumer)
            if s.product_id == product.id and s.state in ("applied", "approved")
        ]
    subscription = found[0] if found else None
    if subscription is None:
        today = clock.today()
        application = subscriptions.Application(purpose, use, 1000, today, today + timedelta(days=365))
        with platform.command() as session:
            subscription = subscriptions.apply(session, principal=consumer, code=product.code, application=application)
    if subscription.state == "applied":
        with platform.command() as session:
            subscription = subscriptions.approve(session, principal=operator, subscription_id=subscription.id)
    contract_id = subscription.contract_id
    if contract_id is None:
        return None
    with platform.read() as session:
        contract = contracts.get(session, principal=consumer, contract_id=contract_id)
        waiting = contracts.awaiting_signature(consumer, contract)
    if waiting:
        with platform.command() as session:
            contracts.sign(session, principal=consumer, contract_id=contract_id)
    return contract_id


# --- consents and calls ----------------------------------------------------------------------------------------


def _enterprises(platform: Platform, count: int) -> list[tuple[str, str]]:
    """Active enterprises of the pilot's legal-entity library: (credit code, legal representative), for the
    letters the bank records (the platform itself reads the domain here, as the registry check does)."""
    with platform.read() as session:
        _, recorded = catalog.data_of(session, code=pilot.LEGAL_ENTITIES)
    path = Path(platform.settings.domain_dir) / recorded.file
    rows = duckdb.execute(
        "SELECT credit_code, legal_rep_name FROM read_parquet(?) WHERE status = '存续' ORDER BY credit_code LIMIT ?",
        [str(path), count],
    ).fetchall()
    return [(str(code), str(name)) for code, name in rows]


def _consents(platform: Platform, product_code: str) -> list[str]:
    """The subjects the bank may ask about: each demo subject enterprise grants from its own account; letters for
    a few more. Their credit codes."""
    bank = principal(platform, "bank.admin")
    today = clock.today()
    until = today + timedelta(days=300)
    with platform.read() as session:
        subjects = sorted(identity.organisations_of_kind(session, "subject"))
        held = {c.subject_credit_code for c in consent.list_for(session, principal=bank) if c.state == "granted"}
    codes: list[str] = []
    for organisation_id in subjects:
        with platform.read() as session:
            admin = _admin_of(session, organisation_id)
            code = consent.own_credit_code(session, admin) if admin else None
        if admin is None or not code:
            continue
        if code not in held:
            body = ConsentIn(
                consumer_id=bank.organisation_id,
                product_code=product_code,
                purpose="industry",
                valid_from=today,
                valid_until=until,
            )
            with platform.command() as session:
                consent.grant(session, principal=admin, body=body)
        codes.append(code)
    for code, rep in _enterprises(platform, LETTERS + len(codes)):
        if code in codes or len(codes) >= len(subjects) + LETTERS:
            continue
        if code not in held:
            letter = LetterIn(
                credit_code=code,
                legal_rep_name=rep,
                product_code=product_code,
                purpose="industry",
                valid_from=today,
                valid_until=until,
                letter_sm3=_letter_digest(code),
            )
            try:
                consent.record_letter(platform, principal=bank, body=letter, engine=platform.query_engine)
            except Refused:
                continue
        codes.append(code)
    return codes


def _letter_digest(code: str) -> str:
    from pubdata.common.digest import sm3

    return sm3(f"授权书：{code} 授权池州农村商业银行使用企业信用画像，用于贷前审查。".encode())


def _admin_of(session: Any, organisation_id: int) -> Principal | None:
    from pubdata.demo import AS_DEMO

    users = identity.list_users(session, principal=AS_DEMO, organisation_id=organisation_id)
    admin = next((user for user in users if user.role == "admin" and user.active), None)
    return identity.principal_for(session, admin) if admin is not None else None


def _unused(platform: Platform, contract_id: int) -> bool:
    with platform.read() as session:
        return (
            contracts.get(session, principal=principal(platform, "operator.admin"), contract_id=contract_id).calls_used
            == 0
        )


def _profile_calls(platform: Platform, item: dict[str, Any], codes: list[str]) -> None:
    if not codes or item.get("contract") is None or not _unused(platform, item["contract"]):
        return
    bank = principal(platform, "bank.admin")
    for batch in range(BATCHES):
        chosen = tuple(codes[batch::BATCHES] or codes[:1])
        calls.call(
            platform,
            principal=bank,
            code=item["product"],
            request=calls.Request(subjects=chosen),
            engine=platform.query_engine,
        )


def _urban_call(platform: Platform, item: dict[str, Any]) -> None:
    if item.get("contract") is None or not _unused(platform, item["contract"]):
        return
    calls.call(
        platform,
        principal=principal(platform, "city.admin"),
        code=item["product"],
        request=calls.Request(parameters={"district": DISTRICTS[0]}),
        engine=platform.query_engine,
    )
