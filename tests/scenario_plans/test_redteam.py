"""Red team: a demand is listed publicly, so a mobile or ID number typed into it never reaches the list."""

from __future__ import annotations

import pytest

from tests.scenario_plans import test_demands as demands

market = demands.market  # the fixture: the operator, a bank and the API
post = demands.post

MOBILE = "13912345678"
RESIDENT_ID = "34170219900307123X"


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("use", f"信贷审批，联系人手机 {MOBILE}"),
        ("data_wanted", f"身份证号 {RESIDENT_ID} 的企业法人信息"),
        ("title", "联系 139-1234-5678"),
        ("use", "联系１３９１２３４５６７８"),  # full-width digits are the same number
    ],
)
def test_a_demand_with_a_mobile_or_an_id_number_is_refused_and_not_listed(platform, market, field, text):
    refused = post(market, **{field: text})
    assert refused.status_code == 422, refused.text
    assert refused.json()["rule"] == "demand.personal"
    assert MOBILE not in refused.text and RESIDENT_ID not in refused.text
    assert market["client"].get("/api/v1/public/demands").json() == []


def test_a_demand_with_ordinary_numbers_is_posted(platform, market):
    assert post(market, use="2025 年度 300 户小微企业信用贷款审批").status_code == 201


def test_a_plan_whose_resource_left_the_catalogue_since_submission_is_not_approved(platform, city):
    """Opinions are asked of the departments of the resources in the catalogue: one cancelled after submission
    had nobody left to ask, and the plan was approved over it. Approval checks the scope again."""
    from sqlalchemy import update

    from pubdata.catalog.models import Resource
    from pubdata.common.errors import Refused
    from pubdata.scenarios import service as plans
    from tests.products.builders import approved_scenario, operating_city
    from tests.scenarios import principal, run

    operating_city(platform, city)
    scenario_id = approved_scenario(platform, codes=("CZ-RK-0001", "CZ-CG-0001"), purpose="industry", state="submitted")
    with platform.command() as session:  # the row the catalogue keeps once a cancellation is registered
        session.execute(update(Resource).where(Resource.code == "CZ-CG-0001").values(state="cancelled"))
    department = principal(platform, "police.admin")
    run(platform, plans.give_opinion, principal=department, scenario_id=scenario_id, opinion="agree")
    with pytest.raises(Refused) as refused:
        run(
            platform,
            plans.decide_scenario,
            principal=principal(platform, "bureau.admin"),
            scenario_id=scenario_id,
            approve=True,
        )
    assert refused.value.rule == "scenario.out-of-scope" and "CZ-CG-0001" in refused.value.detail
