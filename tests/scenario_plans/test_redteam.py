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
