"""What the products tests start from: a city whose operator holds a signed agreement, an admitted partner, an
approved scenario plan, and definitions over the city's two registered resources."""

from __future__ import annotations

import json
from typing import Any

from pubdata.authorization import partners
from pubdata.authorization.schemas import Scope
from pubdata.common import clock
from pubdata.platform import Platform
from pubdata.scenarios import service as scenario_plans
from pubdata.scenarios.models import Scenario
from tests import scenarios
from tests.scenarios import principal, run, signed_agreement

# The population by district, one district a call: a reviewed template's definition.
POPULATION = {
    "kind": "query_template",
    "resources": ["CZ-RK-0001"],
    "sql": "SELECT district, COUNT(*) AS persons FROM cz_rk_0001 WHERE district = :district GROUP BY district",
    "parameters": [{"name": "district", "label": {"zh": "区县", "en": "District"}, "type": "string", "max_length": 20}],
    "outputs": [
        {"name": "district", "label": {"zh": "区县", "en": "District"}},
        {"name": "persons", "label": {"zh": "常住人口数", "en": "Residents"}},
    ],
}
BOTH = {**POPULATION, "resources": ["CZ-RK-0001", "CZ-CG-0001"]}


def approved_scenario(
    platform: Platform,
    *,
    operator_login: str = "operator.admin",
    codes: tuple[str, ...],
    purpose: str,
    state: str = "approved",
) -> int:
    """The operator's inclusive-finance scenario plan over ``codes``: approved through the real services, or
    only submitted (``state="submitted"``)."""
    if state == "approved":
        return scenarios.approved_scenario(
            platform, proposer_login=operator_login, codes=codes, purpose=purpose, field="inclusive_finance"
        )
    proposer = principal(platform, operator_login)
    plan = run(
        platform,
        scenario_plans.create_scenario,
        principal=proposer,
        name="普惠金融企业信用评价场景",
        field="inclusive_finance",
        users="辖区银行",
        resources=list(codes),
        purpose=purpose,
        benefit="缓解小微企业融资难",
        risk=scenarios.LOW_RISK,
    )
    run(platform, scenario_plans.submit_scenario, principal=proposer, scenario_id=plan.id)
    return int(plan.id)


def scenario_approved_before(platform: Platform, *, codes: tuple[str, ...], purpose: str) -> int:
    """An approved plan of the operator whose resources its scope no longer reaches (approved under an earlier
    scope): written as the row the scenarios domain would have kept, since its service now refuses such a plan."""
    operator = principal(platform, "operator.admin")
    with platform.command() as session:
        scenario = Scenario(
            code=f"CJ-OLD-{len(codes)}",
            proposer_id=operator.organisation_id,
            operator_id=operator.organisation_id,
            proposed_by=operator.user_id,
            name="普惠金融企业信用评价场景",
            field="inclusive_finance",
            users="辖区银行",
            resources=json.dumps(list(codes)),
            purpose=purpose,
            benefit="缓解小微企业融资难",
            risk="{}",
            risk_level="low",
            state="approved",
            created_at=clock.now(),
        )
        session.add(scenario)
        session.flush()
        return scenario.id


def operating_city(platform: Platform, city: dict[str, Any], *, scope: Scope | None = None) -> dict[str, Any]:
    """The city with the operator's signed agreement (both resources, unless ``scope`` says otherwise) and its
    partner admitted for CZ-RK-0001."""
    agreement = signed_agreement(platform, scope=scope)
    run(
        platform,
        partners.admit_partner,
        principal=principal(platform, "operator.admin"),
        agreement_id=agreement.id,
        partner_id=city["partner"].organisation_id,
        scope=Scope(resources=("CZ-RK-0001",), max_grade="general-4"),
    )
    return {**city, "agreement": agreement}
