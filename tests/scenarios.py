"""Builders the tests share: accounts, the platform clock, one command at a time, and the scenarios many domains'
tests start from (a city with registered resources, an operator's signed agreement, a partner's contract) —
all made through the real services, in the platform's own units of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import duckdb
from fastapi.testclient import TestClient

from pubdata import scheduler
from pubdata.app import create_app
from pubdata.authorization import agreements, partners
from pubdata.authorization.schemas import Scope
from pubdata.catalog import service as catalog
from pubdata.catalog.schemas import ResourceIn
from pubdata.common import clock
from pubdata.common.actor import CLI
from pubdata.identity import service as identity
from pubdata.identity.access import PlatformItself, Principal
from pubdata.jobs import worker
from pubdata.jobs.rules import Limits
from pubdata.ledger import service as ledger
from pubdata.platform import Platform
from pubdata.privacy import consent
from pubdata.privacy.schemas import ConsentIn
from pubdata.products import service as products
from pubdata.products.schemas import ProductIn
from pubdata.scenarios import service as scenario_plans
from tests.data import csv_text, person_rows, resource_body

PASSWORD = "correct-horse-battery"
AS_CLI = PlatformItself(CLI)
SELECTION = {
    key: "见招标文件附件" for key in ("capability", "credibility", "knowledge", "environment", "responsibility")
}
DIMENSIONS = ("security", "performance", "scenario_benefit", "public_welfare")
SCORES = {d: {"score": 85, "evidence": "评估报告"} for d in DIMENSIONS}
# Scores that call for each result under the default evaluation rule (pass ≥ 60 each and mean ≥ 70; fail < 50).
SCORES_FOR = {
    result: {d: {"score": score, "evidence": "评估报告"} for d in DIMENSIONS}
    for result, score in (("pass", 85), ("rectify", 55), ("fail", 30))
}
MODEL_SCRIPT = """\
import json
import pandas as pd
from sklearn.linear_model import LinearRegression

people = pd.read_parquet("/data/cz_rk_0001.parquet")
people["year"] = pd.to_datetime(people["birth_date"]).dt.year
model = LinearRegression().fit(people[["year"]], people["household_size"])
json.dump({"coefficient": float(model.coef_[0]), "intercept": float(model.intercept_), "rows": len(people)},
          open("/output/output-1.json", "w"))
print("model fitted")
"""
# What MODEL_SCRIPT declares: one JSON record with the model's two numbers and the rows it saw.
MODEL_OUTPUTS = [
    {
        "format": "json",
        "columns": [
            {"name": "coefficient", "type": "decimal"},
            {"name": "intercept", "type": "decimal"},
            {"name": "rows", "type": "integer"},
        ],
    }
]
TEST_LIMITS = Limits(wall_seconds=60, cpu_seconds=30, memory_bytes=2 << 30, file_bytes=1 << 20, output_bytes=2 << 20)


@dataclass
class Account:
    organisation_id: int
    user_id: int
    login: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_account(
    platform: Platform, *, kind: str, name: str, login: str, role: str = "admin", days: int = 30
) -> Account:
    with platform.command() as session:
        organisation = identity.find_organisation(session, name=name) or identity.create_organisation(
            session, principal=AS_CLI, kind=kind, name=name
        )
        user = identity.create_user(
            session,
            principal=AS_CLI,
            organisation_id=organisation.id,
            login=login,
            display_name=login,
            role=role,
            password=PASSWORD,
        )
        _, token = identity.issue_token(session, principal=AS_CLI, user_id=user.id, name="test", days=days)
        return Account(organisation.id, user.id, login, token)


def ledger_size(platform: Platform) -> int:
    with platform.read() as session:
        return ledger.size(session)


def at(day: str) -> None:
    clock.freeze(clock.parse_moment(day + "T10:00:00"))


def log_in_page(client: TestClient, login: str, password: str = PASSWORD) -> str:
    """Log ``client`` in through the login form, as a browser does (the pages take no bearer token); the form's
    CSRF token, for the forms the test posts next."""
    client.get("/login")
    csrf = client.cookies["pubdata_csrf"]
    answer = client.post(
        "/login", data={"login": login, "password": password, "csrf_token": csrf}, follow_redirects=False
    )
    assert answer.status_code == 303, (login, answer.status_code)
    return csrf


def page_client(platform: Platform, login: str) -> tuple[TestClient, str]:
    """A browser's session on the pages as ``login``, and its CSRF token."""
    client = TestClient(create_app(platform))
    return client, log_in_page(client, login)


def principal(platform: Platform, login: str) -> Principal:
    with platform.read() as session:
        return identity.principal_of(session, login=login)


def run(platform: Platform, command: Callable[..., Any], **kwargs: Any) -> Any:
    """One command in one transaction, as a route would."""
    with platform.command() as session:
        return command(session, **kwargs)


def read(platform: Platform, query: Callable[..., Any], **kwargs: Any) -> Any:
    with platform.read() as session:
        return query(session, **kwargs)


def tick(platform: Platform) -> list[str]:
    return scheduler.tick(platform).changes


def registered_resource(platform: Platform, body: dict[str, Any], rows: list[dict[str, str]]) -> None:
    """The police describe ``body``, load ``rows`` and apply; the bureau accepts it (its notice starts)."""
    police, bureau = principal(platform, "police.admin"), principal(platform, "bureau.admin")
    resource = run(platform, catalog.describe, principal=police, body=ResourceIn.model_validate(body))
    path = platform.settings.data_dir / f"{body['code']}.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    catalog.load(
        platform,
        principal=police,
        resource_id=resource.id,
        domain_dir=platform.settings.domain_dir,
        source_format="csv",
        path=path,
    )
    application = run(platform, catalog.submit_registration, principal=police, resource_id=resource.id, kind="first")
    run(
        platform,
        catalog.review_registration,
        principal=bureau,
        registration_id=application.id,
        decision="accept",
        reason=None,
    )


def loaded_version(platform: Platform, code: str, rows: list[dict[str, str]]) -> None:
    """The police load a new version of their resource ``code``."""
    path = platform.settings.data_dir / f"{code}-again.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    with platform.read() as session:
        resource_id = catalog.find_id(session, code=code)
    catalog.load(
        platform,
        principal=principal(platform, "police.admin"),
        resource_id=resource_id,
        domain_dir=platform.settings.domain_dir,
        source_format="csv",
        path=path,
    )


def registered_resources(platform: Platform, codes_and_sectors: tuple[tuple[str, str], ...], rows: int = 20) -> None:
    """Each of the police's person tables, registered as ``registered_resource`` does."""
    for code, sector in codes_and_sectors:
        registered_resource(platform, resource_body(code=code, sector=sector), person_rows(rows))


def city(platform: Platform) -> dict[str, Account]:
    """A bureau, a department with two registered resources, an operator and a partner."""
    at("2025-12-01")
    accounts = {
        "bureau": make_account(platform, kind="bureau", name="池州市数据资源局", login="bureau.admin", days=366),
        "police": make_account(platform, kind="provider", name="池州市公安局", login="police.admin", days=366),
        "operator": make_account(
            platform, kind="operator", name="池州数据运营有限公司", login="operator.admin", days=366
        ),
        "partner": make_account(
            platform, kind="partner", name="池州普惠金融科技有限公司", login="partner.admin", days=366
        ),
        "security": make_account(platform, kind="security", name="池州市委网信办", login="security.admin", days=366),
    }
    registered_resources(platform, (("CZ-RK-0001", "public_security"), ("CZ-CG-0001", "urban_management")))
    at("2025-12-31")
    assert len(tick(platform)) == 2
    return accounts


def recorded_agreement(platform: Platform, *, day: str = "2026-01-05", scope: Scope | None = None) -> Any:
    """The bureau's record of its agreement with the operator, signed by nobody yet."""
    at(day)
    bureau, operator = principal(platform, "bureau.admin"), principal(platform, "operator.admin")
    return run(
        platform,
        agreements.record_agreement,
        principal=bureau,
        operator_id=operator.organisation_id,
        tender_reference="CZZB-2025-001",
        selection=SELECTION,
        scope=scope or Scope(resources=("CZ-RK-0001",), sectors=("urban_management",), max_grade="general-4"),
        security_duties="落实数据安全主体责任",
    )


def signed_agreement(platform: Platform, *, day: str = "2026-01-05", scope: Scope | None = None) -> Any:
    agreement = recorded_agreement(platform, day=day, scope=scope)
    run(platform, agreements.sign, principal=principal(platform, "bureau.admin"), agreement_id=agreement.id)
    return run(platform, agreements.sign, principal=principal(platform, "operator.admin"), agreement_id=agreement.id)


# A bank's contract for the population library: district counts of at least 10 people; and its DP twin.
BANK_TERMS = {
    "resources": ["CZ-RK-0001"],
    "purpose": "public_governance",
    "valid_from": "2026-01-05",
    "valid_until": "2026-12-31",
    "max_calls": 10,
    "max_rows": 1000,
    "output_rule": "aggregate",
    "dimensions": ["district"],
    "min_group_size": 10,
}
BANK_DP_TERMS = {
    **BANK_TERMS,
    "output_rule": "dp",
    "max_calls": 100,
    "epsilon": 1.0,
    "epsilon_per_query": 0.25,
    "delta": 1e-6,
    "bounds": {"household_size": [1, 10]},
}


PARTNER_TERMS = {
    "resources": ["CZ-RK-0001"],
    "purpose": "industry",
    "valid_from": "2026-01-05",
    "valid_until": "2026-12-31",
    "max_calls": 50,
    "max_rows": 10000,
    "output_rule": "aggregate",
    "dimensions": ["district"],
    "min_group_size": 10,
}


def signed_contract(platform: Platform, operator: Account, assignee: Account, terms: dict[str, Any]) -> dict:
    """The operator proposes ``terms`` to ``assignee`` over the API and both sign."""
    with TestClient(create_app(platform)) as client:
        proposed = client.post(
            "/api/v1/contracts",
            headers=operator.headers,
            json={"assignee_id": assignee.organisation_id, "terms": terms},
        )
        assert proposed.status_code == 201, proposed.text
        contract = proposed.json()
        client.post(f"/api/v1/contracts/{contract['id']}/signatures", headers=operator.headers)
        signed = client.post(f"/api/v1/contracts/{contract['id']}/signatures", headers=assignee.headers).json()
    assert signed["state"] == "active", signed
    return signed


def partner_deal(platform: Platform, accounts: dict[str, Account], *, scenario: bool = True) -> dict[str, Any]:
    """The operator holds CZ-RK-0001, admits its partner, and both have signed a development contract; with
    ``scenario``, the partner's scenario plan for CZ-RK-0001 is approved (what its real queries and jobs need)."""
    agreement = signed_agreement(platform)
    run(
        platform,
        partners.admit_partner,
        principal=principal(platform, "operator.admin"),
        agreement_id=agreement.id,
        partner_id=accounts["partner"].organisation_id,
        scope=Scope(resources=("CZ-RK-0001",), max_grade="general-4"),
    )
    signed = signed_contract(platform, accounts["operator"], accounts["partner"], PARTNER_TERMS)
    found: dict[str, Any] = {"contract_id": signed["id"], **accounts}
    if scenario:
        found["scenario_id"] = approved_scenario(
            platform, proposer_login="partner.admin", codes=("CZ-RK-0001",), purpose="industry", field="industry"
        )
    return found


def submit_job(
    client: TestClient,
    account: Account,
    contract_id: int,
    code: str,
    kind: str = "python",
    requirements: tuple[str, ...] = ("pandas", "scikit-learn"),
    outputs: list[dict[str, Any]] | None = None,
) -> Any:
    """Submit a job over the API, declaring ``outputs`` (by default what MODEL_SCRIPT writes)."""
    return client.post(
        "/api/v1/jobs",
        headers=account.headers,
        json={
            "contract_id": contract_id,
            "title": "户规模模型",
            "kind": kind,
            "code": code,
            "requirements": list(requirements),
            "outputs": MODEL_OUTPUTS if outputs is None else outputs,
        },
    )


def run_next_job(platform: Platform, *, limits: Limits = TEST_LIMITS) -> worker.Ran | None:
    """The job worker's step, as ``pubdata serve`` takes it."""
    return worker.execute_next(platform, domain_dir=platform.settings.domain_dir, limits=limits)


def real_ids(platform: Platform) -> set[str]:
    """The resident IDs in the domain's population file: what must never leave it."""
    path = next((platform.settings.domain_dir / "resources").rglob("*.parquet"))
    return {row[0] for row in duckdb.sql(f"SELECT id_number FROM read_parquet('{path}')").fetchall()}


def submitted_for_registration(platform: Platform, code: str = "CZ-RK-0090", name: str = "流动人口登记信息") -> Any:
    """The police's new resource waiting for the bureau's review: described, loaded and submitted."""
    police = principal(platform, "police.admin")
    body = ResourceIn.model_validate(resource_body(code=code, name=name))
    resource = run(platform, catalog.describe, principal=police, body=body)
    path = platform.settings.data_dir / f"{code}.csv"
    path.write_text(csv_text(person_rows(20)), encoding="utf-8")
    catalog.load(
        platform,
        principal=police,
        resource_id=resource.id,
        domain_dir=platform.settings.domain_dir,
        source_format="csv",
        path=path,
    )
    return run(platform, catalog.submit_registration, principal=police, resource_id=resource.id, kind="first")


# --- products (数据产品) --------------------------------------------------------------------------------------

# A security review's checklist with every item passed, each with its reviewer's note.
PASSED_CHECKLIST = {
    item: {"passed": True, "note": "已核对：符合要求"}
    for item in ("minimisation", "output_rule", "reidentification", "consent", "purpose_fit")
}


def reviewed_product(
    platform: Platform,
    *,
    developer_login: str,
    scenario_id: int,
    definition: Any,
    kind: str,
    name: str,
    purposes: Any,
    reviewer_login: str = "bureau.admin",
) -> str:
    """A product created by ``developer_login`` under ``scenario_id`` whose security review a bureau reviewer
    passed: its code."""
    developer = principal(platform, developer_login)
    body = ProductIn(
        scenario_id=scenario_id,
        name=name,
        kind=kind,
        description=f"{name}：按经审查的定义计算，只提供结果。",
        delivery="table" if kind == "statistical_table" else "api",
        purposes=list(purposes),
        definition=products.parse_definition(definition if isinstance(definition, dict) else definition.document()),
    )
    code = run(platform, products.create, principal=developer, body=body).code
    run(platform, products.submit_review, principal=developer, code=code)
    run(
        platform,
        products.review,
        principal=principal(platform, reviewer_login),
        code=code,
        decision="approve",
        checklist=PASSED_CHECKLIST,
    )
    return code


def registered_product(platform: Platform, code: str, *, operator_login: str = "operator.admin") -> str:
    """The operator applies to register its reviewed product, the bureau accepts it, and the clock moves past
    the public notice so that the scheduler's tick registers it. The clock stays there."""
    application = run(platform, products.submit_registration, principal=principal(platform, operator_login), code=code)
    accepted = run(
        platform,
        products.review_registration,
        principal=principal(platform, "bureau.admin"),
        registration_id=application.id,
        decision="accept",
        reason=None,
    )
    clock.freeze(clock.parse_moment(f"{accepted.notice_until.isoformat()}T10:00:00") + timedelta(days=1))
    assert any(number.startswith("product registered: CZCP") for number in tick(platform))
    return code


def listed_product(
    platform: Platform,
    *,
    developer_login: str,
    scenario_id: int,
    definition: Any,
    kind: str,
    name: str,
    purposes: Any,
    operator_login: str = "operator.admin",
) -> str:
    """A product through its whole lifecycle by the real services: created by ``developer_login`` under the
    approved ``scenario_id``, passed by a bureau reviewer, registered (accepted, public notice over, finalised by
    the tick — the clock moves past the notice and stays there) and listed by the operator's admin: its code."""
    code = reviewed_product(
        platform,
        developer_login=developer_login,
        scenario_id=scenario_id,
        definition=definition,
        kind=kind,
        name=name,
        purposes=purposes,
    )
    registered_product(platform, code, operator_login=operator_login)
    run(platform, products.list_product, principal=principal(platform, operator_login), code=code)
    return code


# Every item of the risk checklist answered: a plan on personal information with little else involved.
LOW_RISK = {
    "personal_information": "low",
    "sensitive_personal": "none",
    "minors": "none",
    "cross_department": "none",
    "per_subject_output": "none",
    "external_delivery": "none",
}


def _admin_of(session: Any, organisation_id: int) -> Principal:
    users = identity.list_users(session, principal=AS_CLI, organisation_id=organisation_id)
    admin = next(user for user in users if user.role == "admin" and user.active)
    return identity.principal_for(session, admin)


def approved_scenario(
    platform: Platform,
    *,
    proposer_login: str,
    codes: tuple[str, ...] | list[str],
    purpose: str,
    field: str,
    name: str = "普惠金融信用服务场景",
) -> int:
    """A scenario plan over ``codes`` proposed by ``proposer_login`` (the operator or its partner), submitted,
    agreed by every providing department's admin and approved by the bureau — through the real services. Its id."""
    proposer = principal(platform, proposer_login)
    scenario = run(
        platform,
        scenario_plans.create_scenario,
        principal=proposer,
        name=name,
        field=field,
        users="辖区内商业银行的信贷审批人员",
        resources=list(codes),
        purpose=purpose,
        benefit="提升小微企业贷款审批效率",
        risk=LOW_RISK,
    )
    run(platform, scenario_plans.submit_scenario, principal=proposer, scenario_id=scenario.id)
    with platform.read() as session:
        plan = scenario_plans.get_scenario(session, principal=AS_CLI, scenario_id=scenario.id)
        departments = [
            _admin_of(session, department) for department in sorted(scenario_plans.departments_of(session, plan))
        ]
        bureau = _admin_of(session, next(iter(identity.organisations_of_kind(session, "bureau"))))
    for department in departments:
        run(platform, scenario_plans.give_opinion, principal=department, scenario_id=scenario.id, opinion="agree")
    run(platform, scenario_plans.decide_scenario, principal=bureau, scenario_id=scenario.id, approve=True)
    return int(scenario.id)


# --- consent (授权) of data subjects -----------------------------------------------------------------------------


def subject_account(platform: Platform, *, name: str, login: str, credit_code: str, days: int = 366) -> Account:
    """An enterprise's own account (organisation kind ``subject``), named by its unified social credit code."""
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
        _, token = identity.issue_token(session, principal=AS_CLI, user_id=user.id, name="test", days=days)
        return Account(organisation.id, user.id, login, token)


def granted_consent(
    platform: Platform,
    *,
    subject_login: str,
    consumer_id: int,
    product_code: str,
    purpose: str,
    valid_from: str,
    valid_until: str,
) -> int:
    """The subject ``subject_login`` grants ``consumer_id`` the use of a listed per-subject product from its own
    account (``privacy.consent.grant``): the consent's id."""
    body = ConsentIn.model_validate(
        {
            "consumer_id": consumer_id,
            "product_code": product_code,
            "purpose": purpose,
            "valid_from": valid_from,
            "valid_until": valid_until,
        }
    )
    return run(platform, consent.grant, principal=principal(platform, subject_login), body=body).id
