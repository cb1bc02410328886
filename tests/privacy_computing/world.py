"""The privacy-computing test world: the legal-entity registry and the tax credit ratings registered, the operator
authorized for them, three listed protocol products (private set of enterprises rated A, a labelled lookup of the
latest rating, a joint score) and a verification, a bank subscribed to them, and helpers to run each protocol's
client half exactly as pubdata-client does (the client package's cores), through the services."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from pubdata.authorization.schemas import Scope
from pubdata.catalog import service as catalog
from pubdata.common import clock
from pubdata.common.ids import credit_code_check_char
from pubdata.contracts import service as contracts
from pubdata.ledger.models import LedgerEntry
from pubdata.privacy import consent, runs
from pubdata.privacy.schemas import ConsentIn
from pubdata.products import subscriptions
from pubdata.products.subscriptions import Application
from pubdata_client.lookup import LookupRun
from pubdata_client.psi import PsiRun
from pubdata_protocol import messages as wire
from tests.data import csv_text, resource_body
from tests.scenarios import (
    AS_CLI,
    Account,
    approved_scenario,
    at,
    listed_product,
    make_account,
    principal,
    registered_resource,
    run,
    signed_agreement,
    subject_account,
    tick,
)

LEGAL = "CZ-FR-0001"
RATINGS = "CZ-XY-0005"
PENALTIES = "CZ-XY-0004"
REGISTRY_FIELDS = [
    {"name": "credit_code", "label": "统一社会信用代码", "format": "credit_code", "required": True},
    {"name": "name", "label": "企业名称", "required": True},
    {"name": "status", "label": "登记状态", "required": True},
]
RATING_FIELDS = [
    {"name": "credit_code", "label": "统一社会信用代码", "format": "credit_code", "required": True},
    {"name": "rating_year", "label": "评价年度", "type": "integer", "required": True},
    {"name": "rating", "label": "纳税信用等级", "required": True},
]


PENALTY_FIELDS = [
    {"name": "credit_code", "label": "统一社会信用代码", "format": "credit_code", "required": True},
    {"name": "decision_date", "label": "处罚决定日期", "type": "date", "required": True},
    {"name": "fine_amount", "label": "罚没金额", "type": "decimal"},
]


def credit_code(serial: int) -> str:
    first17 = f"91341702MA{serial:07d}"
    return first17 + credit_code_check_char(first17)


ENTERPRISES = [credit_code(n) for n in range(1, 61)]
OUTSIDERS = [credit_code(n) for n in range(500, 540)]  # credit codes the registry never heard of


def ratings_rows(seed: int = 7) -> list[dict[str, str]]:
    """Two years of ratings for the first 50 enterprises; the latest is what the products use."""
    rng = random.Random(seed)
    rows = []
    for code in ENTERPRISES[:50]:
        for year in (2024, 2025):
            rows.append(
                {
                    "credit_code": code,
                    "rating_year": str(year),
                    "rating": rng.choice("ABBMCD" if year == 2024 else "AABMCD"),
                }
            )
    return rows


def latest_ratings(rows: list[dict[str, str]]) -> dict[str, str]:
    latest: dict[str, tuple[int, str]] = {}
    for row in rows:
        year = int(row["rating_year"])
        if row["credit_code"] not in latest or latest[row["credit_code"]][0] < year:
            latest[row["credit_code"]] = (year, row["rating"])
    return {code: rating for code, (_, rating) in latest.items()}


PRIVATE_SET = {
    "kind": "private_set",
    "resources": [RATINGS],
    "members": {
        "resource": RATINGS,
        "key_field": "credit_code",
        "latest_by": "rating_year",
        "conditions": [{"field": "rating", "op": "=", "value": "A"}],
    },
}
LOOKUP = {
    "kind": "labelled_lookup",
    "resources": [RATINGS],
    "members": {"resource": RATINGS, "key_field": "credit_code", "latest_by": "rating_year"},
    "label": {
        "source": "field",
        "field": "rating",
        "words": {"zh": "最近一年纳税信用等级", "en": "Latest tax credit rating"},
    },
}
SCORING = {
    "kind": "joint_scoring",
    "resources": [LEGAL, RATINGS],
    "public": [{"feature": "tax_credit_level", "weight": 0.5, "mean": 2.0, "scale": 1.0}],
    "private": [
        {
            "name": "income",
            "words": {"zh": "年收入（万元）", "en": "Annual income (10k yuan)"},
            "weight": 0.8,
            "mean": 100.0,
            "scale": 50.0,
        },
        {"name": "overdue", "words": {"zh": "逾期次数", "en": "Times overdue"}, "weight": -0.6},
    ],
    "bias": 0.25,
    "output": "linear",
}
VERIFICATION = {"kind": "verification", "resources": [LEGAL], "check": "entity_active", "thresholds": {}}


def register_data(platform) -> list[dict[str, str]]:
    registry = [
        {"credit_code": code, "name": f"池州恒瑞{n}号商贸有限公司", "status": "存续"}
        for n, code in enumerate(ENTERPRISES, 1)
    ]
    registered_resource(
        platform,
        resource_body(
            code=LEGAL,
            name="法人基础信息库",
            fields=REGISTRY_FIELDS,
            sector="market_regulation",
            base_library="legal_entity",
        ),
        registry,
    )
    rows = ratings_rows()
    registered_resource(
        platform,
        resource_body(
            code=RATINGS, name="纳税信用评价结果", fields=RATING_FIELDS, sector="taxation", base_library="legal_entity"
        ),
        rows,
    )
    registered_resource(
        platform,
        resource_body(
            code=PENALTIES,
            name="行政处罚信息",
            fields=PENALTY_FIELDS,
            sector="market_regulation",
            base_library="legal_entity",
        ),
        penalty_rows(),
    )
    return rows


def penalty_rows() -> list[dict[str, str]]:
    """Enterprise n (n ≤ 10) has n % 4 penalties dated 2025, and one from 2020 that the last 3 years leave out."""
    rows = []
    for n, code in enumerate(ENTERPRISES[:10], start=1):
        rows += [
            {"credit_code": code, "decision_date": f"2025-0{k + 1}-15", "fine_amount": "1000"} for k in range(n % 4)
        ]
        rows.append({"credit_code": code, "decision_date": "2020-06-01", "fine_amount": "500"})
    return rows


def subscribed(platform, login: str, code: str, *, max_calls: int = 50) -> int:
    today = clock.today()
    application = Application("industry", "贷前筛查申请企业", max_calls, today, today + timedelta(days=300))
    applied = run(
        platform, subscriptions.apply, principal=principal(platform, login), code=code, application=application
    )
    approved = run(
        platform, subscriptions.approve, principal=principal(platform, "operator.admin"), subscription_id=applied.id
    )
    run(platform, contracts.sign, principal=principal(platform, login), contract_id=approved.contract_id)
    return approved.contract_id


def grant(platform, subject_login: str, consumer: Account, product_code: str) -> int:
    today = clock.today()
    body = ConsentIn(
        consumer_id=consumer.organisation_id,
        product_code=product_code,
        purpose="industry",
        valid_from=today,
        valid_until=today + timedelta(days=200),
    )
    return run(platform, consent.grant, principal=principal(platform, subject_login), body=body).id


def build_world(platform, *, quota_calls: int = 50) -> dict[str, Any]:
    rows = register_data(platform)
    at("2026-01-20")  # the registrations' public notice is over
    assert tick(platform)
    agreement = signed_agreement(
        platform,
        day="2026-01-21",
        scope=Scope(resources=("CZ-RK-0001", LEGAL, RATINGS, PENALTIES), max_grade="general-4"),
    )
    scenario = approved_scenario(
        platform,
        proposer_login="operator.admin",
        codes=(LEGAL, RATINGS, PENALTIES),
        purpose="industry",
        field="industry",
    )
    codes = {}
    for name, definition, title in (
        ("psi", PRIVATE_SET, "纳税信用 A 级企业隐私求交"),
        ("lookup", LOOKUP, "纳税信用等级匿踪查询"),
        ("scoring", SCORING, "小微企业密态联合评分"),
        ("verify", VERIFICATION, "企业登记状态核验"),
    ):
        codes[name] = listed_product(
            platform,
            developer_login="operator.admin",
            scenario_id=scenario,
            definition=definition,
            kind=definition["kind"],
            name=title,
            purposes=("industry",),
        )
    bank = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=366)
    make_account(platform, kind="consumer", name="池州九华银行", login="other.admin", days=366)
    contracts_by = {
        name: subscribed(platform, "bank.admin", codes[name], max_calls=quota_calls)
        for name in ("psi", "lookup", "scoring")
    }
    for n in (1, 2, 3):
        subject_account(
            platform, name=f"池州恒瑞{n}号商贸有限公司", login=f"subject{n}.admin", credit_code=ENTERPRISES[n - 1]
        )
        grant(platform, f"subject{n}.admin", bank, codes["scoring"])
    return {
        "codes": codes,
        "contracts": contracts_by,
        "bank": bank,
        "rows": rows,
        "agreement": agreement,
        "scenario": scenario,
    }


def reload_ratings(platform, rows: list[dict[str, str]]) -> None:
    """A new data version of the ratings (the department loads again)."""
    with platform.read() as session:
        resource = catalog.public_get(session, code=RATINGS)
    path = platform.settings.data_dir / f"{RATINGS}-2.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    catalog.load(
        platform,
        principal=principal(platform, "police.admin"),
        resource_id=resource.id,
        domain_dir=platform.settings.domain_dir,
        source_format="csv",
        path=path,
    )


# --- the services, as the routes call them -------------------------------------------------------------------


def offer(platform, code: str, login: str = "bank.admin") -> wire.Offer:
    return runs.offer(
        platform,
        principal=principal(platform, login),
        code=code,
        engine=platform.query_engine,
        domain_dir=platform.settings.domain_dir,
        sealer=platform.sealer,
    )


def setup(platform, code: str, set_version: str, login: str = "bank.admin") -> runs.Setup:
    return runs.setup_bytes(
        platform,
        principal=principal(platform, login),
        code=code,
        set_version=set_version,
        engine=platform.query_engine,
        domain_dir=platform.settings.domain_dir,
        sealer=platform.sealer,
    )


def run_request(platform, code: str, request: wire.RunRequest, login: str = "bank.admin") -> wire.RunAnswer:
    return runs.run(
        platform,
        principal=principal(platform, login),
        code=code,
        request=request,
        engine=platform.query_engine,
        domain_dir=platform.settings.domain_dir,
        sealer=platform.sealer,
    )


def request_for(offered: wire.Offer, protocol: str, message: bytes, items: int, **changed: Any) -> wire.RunRequest:
    values = {
        "protocol": protocol,
        "set_version": offered.set_version,
        "key_id": offered.key_id,
        "nonce": wire.new_nonce(),
        "items": items,
        "message": wire.encode(message),
    }
    return wire.RunRequest.model_validate(values | changed)


def match(platform, code: str, items: list[str], login: str = "bank.admin") -> tuple[list[bool], wire.RunAnswer]:
    offered = offer(platform, code, login)
    fetched = setup(platform, code, offered.set_version, login)
    client = PsiRun(items, set_version=offered.set_version)
    answer = run_request(platform, code, request_for(offered, "psi", client.message(), len(items)), login)
    return client.matches(fetched.data, wire.decode(answer.message, limit=wire.MAX_RUN_MESSAGE)), answer


def lookup(platform, code: str, items: list[str], login: str = "bank.admin") -> tuple[list[str | None], wire.RunAnswer]:
    offered = offer(platform, code, login)
    fetched = setup(platform, code, offered.set_version, login)
    client = LookupRun(items, set_version=offered.set_version)
    answer = run_request(platform, code, request_for(offered, "labelled_lookup", client.message(), len(items)), login)
    labels = client.labels(
        fetched.data,
        wire.decode(answer.message, limit=wire.MAX_RUN_MESSAGE),
        set_version=offered.set_version,
        key_id=str(offered.key_id),
    )
    return labels, answer


def entries(platform, action: str) -> list[dict[str, Any]]:
    with platform.read() as session:
        found = session.execute(
            select(LedgerEntry).where(LedgerEntry.action == action).order_by(LedgerEntry.seq)
        ).scalars()
        return [{"subject": e.subject, "actor": e.actor, "payload": json.loads(e.payload)} for e in found]


def contract_of(platform, contract_id: int) -> Any:
    with platform.read() as session:
        return contracts.get(session, principal=AS_CLI, contract_id=contract_id)
