"""The world consent tests start from: a city whose legal-entity registry (CZ-FR-0001) is registered, two banks
(one with a signed contract), an enterprise with its own account, and listed products.

The products go through their whole lifecycle by the real services (``tests.scenarios.listed_product``), under
a scenario plan from ``tests.products.builders.approved_scenario``."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from pubdata.authorization.schemas import Scope
from pubdata.common import clock
from pubdata.common.ids import credit_code_check_char
from pubdata.platform import Platform
from pubdata.products import service as products
from tests import scenarios
from tests.data import person_name, resident_id, resource_body
from tests.products.builders import approved_scenario
from tests.scenarios import Account, subject_account

REGISTRY_FIELDS = [
    {"name": "credit_code", "label": "统一社会信用代码", "format": "credit_code", "required": True},
    {"name": "name", "label": "企业名称", "required": True},
    {"name": "legal_rep_name", "label": "法定代表人姓名", "format": "person_name", "sensitivity": "personal"},
    {
        "name": "legal_rep_id",
        "label": "法定代表人身份证号码",
        "format": "resident_id",
        "sensitivity": "sensitive",
        "pipl_category": "identity_document",
    },
    {"name": "status", "label": "登记状态", "required": True},
]


def _code(serial: int) -> str:
    first17 = f"91341702MA{serial:07d}"
    return first17 + credit_code_check_char(first17)


@dataclass(frozen=True)
class Entity:
    code: str
    name: str
    rep: str
    status: str


def registry_rows(count: int = 12) -> list[Entity]:
    rng = random.Random(13)
    taken: set[str] = set()
    found = []
    for serial in range(1, count + 1):
        rep = person_name(rng)
        while rep in taken:
            rep = person_name(rng)
        taken.add(rep)
        found.append(Entity(_code(serial), f"池州恒瑞{serial}号商贸有限公司", rep, "注销" if serial == 2 else "存续"))
    return found


ENTITIES = registry_rows()
ACTIVE, CLOSED = ENTITIES[0], ENTITIES[1]  # the subject with its own account; an entity no longer active
OTHER = ENTITIES[2]  # an active entity without an account
UNKNOWN_CODE = _code(999)  # well formed, in no registry


def _registry(platform: Platform) -> None:
    rng = random.Random(5)
    rows = [
        {
            "credit_code": e.code,
            "name": e.name,
            "legal_rep_name": e.rep,
            "legal_rep_id": resident_id(rng),
            "status": e.status,
        }
        for e in ENTITIES
    ]
    body = resource_body(
        code="CZ-FR-0001",
        name="法人基础信息库",
        fields=REGISTRY_FIELDS,
        sector="market_regulation",
        base_library="legal_entity",
    )
    scenarios.registered_resource(platform, body, rows)


# A scorecard over the registry alone (its status), as compute defines one.
PROFILE_RULES: dict[str, Any] = {
    "factors": [
        {
            "feature": "registration_active",
            "weight": 100,
            "cuts": [0.5],
            "points": [0, 100],
            "negative": {"code": "NOT_ACTIVE", "text": {"zh": "登记状态非存续", "en": "Not active"}},
        }
    ],
    "bands": [
        {"code": "A", "minimum": 80, "label": {"zh": "良好", "en": "Good"}},
        {"code": "C", "minimum": 0, "label": {"zh": "关注", "en": "Watch"}},
    ],
}
DEFINITIONS = {
    "verify": ("企业登记状态核验", {"kind": "verification", "resources": ["CZ-FR-0001"], "check": "entity_active"}),
    "profile": ("企业信用画像", {"kind": "credit_profile", "resources": ["CZ-FR-0001"], **PROFILE_RULES}),
    "template": (
        "区县企业统计",
        {
            "kind": "query_template",
            "resources": ["CZ-FR-0001"],
            "sql": None,
            "outputs": [
                {"name": "status", "label": {"zh": "登记状态", "en": "Status"}},
                {"name": "firms", "label": {"zh": "企业数", "en": "Firms"}},
            ],
        },
    ),
    "delisted": ("旧版核验", {"kind": "verification", "resources": ["CZ-FR-0001"], "check": "entity_active"}),
}


def listed(platform: Platform, role: str) -> str:
    """One of the products (``DEFINITIONS``) through its whole lifecycle (``tests.scenarios.listed_product``),
    under an approved scenario plan of the operator; "delisted" is delisted again. Its code."""
    name, definition = DEFINITIONS[role]
    if definition.get("sql", "") is None:
        definition = definition | {"sql": TEMPLATE_SQL}
    code = scenarios.listed_product(
        platform,
        developer_login="operator.admin",
        scenario_id=approved_scenario(platform, codes=("CZ-FR-0001",), purpose="industry"),
        definition=definition,
        kind=str(definition["kind"]),
        name=name,
        purposes=("industry", "public_welfare"),
    )
    if role == "delisted":
        operator = scenarios.principal(platform, "operator.admin")
        scenarios.run(platform, products.delist, principal=operator, code=code, reason="已由新版替代")
    return code


def product_id(platform: Platform, code: str) -> int:
    with platform.read() as session:
        found = products.find(session, code=code)
        assert found is not None
        return found.id


TEMPLATE_SQL = "SELECT status, count(*) AS firms FROM cz_fr_0001 GROUP BY status"


@dataclass
class World:
    accounts: dict[str, Account]
    products: dict[str, int]  # VERIFY, PROFILE → product id (tests add TEMPLATE, DELISTED with ``listed``)
    contract_id: int
    codes: dict[str, str]  # VERIFY, PROFILE, TEMPLATE, DELISTED → product code


@pytest.fixture
def world(platform: Platform) -> World:
    scenarios.at("2025-12-01")
    accounts: dict[str, Any] = {
        login.split(".")[0]: scenarios.make_account(platform, kind=kind, name=name, login=login, days=366)
        for kind, name, login in (
            ("bureau", "池州市数据资源局", "bureau.admin"),
            ("provider", "池州市公安局", "police.admin"),
            ("operator", "池州数据运营有限公司", "operator.admin"),
        )
    }
    scenarios.registered_resources(platform, (("CZ-RK-0001", "public_security"),))
    _registry(platform)
    scenarios.at("2025-12-31")
    assert len(scenarios.tick(platform)) == 2
    accounts["bank"] = scenarios.make_account(
        platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=366
    )
    accounts["bank2"] = scenarios.make_account(
        platform, kind="consumer", name="池州银行", login="bank2.admin", days=366
    )
    accounts["firm"] = subject_account(platform, name=ACTIVE.name, login="firm.admin", credit_code=ACTIVE.code)
    scenarios.signed_agreement(platform, day="2026-01-05", scope=SCOPE)
    contract = scenarios.signed_contract(platform, accounts["operator"], accounts["bank"], scenarios.BANK_TERMS)
    codes = {role: listed(platform, role) for role in (VERIFY, PROFILE)}
    assert clock.today() < date(2026, 3, 2), clock.today()
    scenarios.at("2026-03-02")
    return World(accounts, {role: product_id(platform, code) for role, code in codes.items()}, contract["id"], codes)


SCOPE = Scope(resources=("CZ-RK-0001", "CZ-FR-0001"), max_grade="general-4")
# The products by role; the world maps each to the code the platform gave it.
VERIFY, PROFILE, TEMPLATE, DELISTED = "verify", "profile", "template", "delisted"
