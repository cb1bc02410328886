"""What the products tests start from: a city whose operator holds a signed agreement, an admitted partner, an
approved scenario plan, and definitions over the city's two registered resources."""

from __future__ import annotations

import json
from typing import Any

from pubdata.authorization import partners
from pubdata.authorization.schemas import Scope
from pubdata.common import clock
from pubdata.platform import Platform
from pubdata.scenarios.models import Scenario
from tests.scenarios import principal, run, signed_agreement

POPULATION = {
    "kind": "query_template",
    "resources": ["CZ-RK-0001"],
    "sql": "SELECT district, count(*) AS persons FROM cz_rk_0001 GROUP BY district",
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
    """A scenario plan of the operator in ``state`` (until the scenarios domain's builder is merged)."""
    operator = principal(platform, operator_login)
    with platform.command() as session:
        scenario = Scenario(
            code=f"CJ-{clock.now().timestamp():.0f}-{len(codes)}-{purpose[:3]}-{state[:3]}",
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
            state=state,
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
