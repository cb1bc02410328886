"""The world consent tests start from: a city whose legal-entity registry (CZ-FR-0001) is registered, two banks
(one with a signed contract), an enterprise with its own account, and listed products.

The products are a TEMPORARY FIXTURE (``_temporary_products``): rows inserted directly, until the products
helper's branch gives ``tests/scenarios.py::listed_product`` (create → security review → registration →
listed); then they are made through it and this fixture goes."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

import pytest

from pubdata.common import clock
from pubdata.common.ids import credit_code_check_char
from pubdata.identity import service as identity
from pubdata.platform import Platform
from pubdata.products.models import Product
from pubdata.scenarios.models import Scenario
from tests import scenarios
from tests.data import person_name, resident_id, resource_body
from tests.scenarios import AS_CLI, PASSWORD, Account

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


def subject_account(platform: Platform, *, name: str, login: str, credit_code: str) -> Account:
    """An enterprise's own account (organisation kind ``subject``), named by its credit code."""
    with platform.command() as session:
        organisation = identity.create_organisation(
            session, principal=AS_CLI, kind="subject", name=name, credit_code=credit_code
        )
        user = identity.create_user(
            session,
            principal=AS_CLI,
            organisation_id=organisation.id,
            login=login,
            display_name=login,
            role="admin",
            password=PASSWORD,
        )
        _, token = identity.issue_token(session, principal=AS_CLI, user_id=user.id, name="test", days=366)
        return Account(organisation.id, user.id, login, token)


VERIFY, PROFILE, TEMPLATE, DELISTED = "CP-0001", "CP-0002", "CP-0003", "CP-0004"


def _temporary_products(platform: Platform, operator: Account) -> dict[str, int]:
    """TEMPORARY FIXTURE, to be replaced by tests/scenarios.py::listed_product once the products branch is merged:
    a scenario and four products inserted as rows — two listed per-subject products (a verification, a credit
    profile), a listed query template (no consent needed) and a delisted verification."""
    now = clock.now()
    with platform.command() as session:
        scenario = Scenario(
            code="SC-0001",
            proposer_id=operator.organisation_id,
            operator_id=operator.organisation_id,
            proposed_by=operator.user_id,
            name="普惠金融授信",
            field="inclusive_finance",
            users="银行",
            resources=json.dumps(["CZ-FR-0001"]),
            purpose="industry",
            benefit="小微企业授信",
            risk="{}",
            state="approved",
            created_at=now,
        )
        session.add(scenario)
        session.flush()
        ids = {}
        for code, kind, state, name in (
            (VERIFY, "verification", "listed", "企业登记状态核验"),
            (PROFILE, "credit_profile", "listed", "企业信用画像"),
            (TEMPLATE, "query_template", "listed", "区县企业统计"),
            (DELISTED, "verification", "delisted", "旧版核验"),
        ):
            product = Product(
                code=code,
                operator_id=operator.organisation_id,
                developer_id=operator.organisation_id,
                scenario_id=scenario.id,
                kind=kind,
                name=name,
                description=name,
                delivery="api",
                purposes=json.dumps(["industry", "public_welfare"]),
                definition="{}",
                definition_digest="0" * 64,
                reviewed_digest="0" * 64,
                version=1,
                state=state,
                created_by=operator.user_id,
                created_at=now,
            )
            session.add(product)
            session.flush()
            ids[code] = product.id
        return ids


@dataclass
class World:
    accounts: dict[str, Account]
    products: dict[str, int]
    contract_id: int


@pytest.fixture
def world(platform: Platform) -> World:
    accounts: dict[str, Any] = dict(scenarios.city(platform))
    scenarios.at("2026-01-02")
    _registry(platform)
    scenarios.at("2026-02-05")
    changes = scenarios.tick(platform)
    assert any(change.startswith("resource registered") for change in changes), changes
    accounts["bank"] = scenarios.make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin")
    accounts["bank2"] = scenarios.make_account(platform, kind="consumer", name="池州银行", login="bank2.admin")
    accounts["firm"] = subject_account(platform, name=ACTIVE.name, login="firm.admin", credit_code=ACTIVE.code)
    scenarios.signed_agreement(platform, day="2026-02-06")
    contract = scenarios.signed_contract(platform, accounts["operator"], accounts["bank"], scenarios.BANK_TERMS)
    products = _temporary_products(platform, accounts["operator"])
    scenarios.at("2026-03-02")
    return World(accounts, products, contract["id"])
