"""Red-team findings on products: each test fails on the code before its fix."""

from __future__ import annotations

import json

import pytest

from pubdata.common import clock
from pubdata.common.errors import Refused
from pubdata.products import service as products
from pubdata.scenarios.models import Scenario
from tests.products.builders import POPULATION, approved_scenario, operating_city
from tests.products.test_compute_templates import TEMPLATE, call, calls_used
from tests.products.test_lifecycle import _body, _refused
from tests.queries.test_console_http import bank_city
from tests.scenarios import make_account, principal, run


@pytest.fixture
def bank(platform):
    return bank_city(platform)


def _other_partners_scenario(platform, *, codes: tuple[str, ...]) -> int:
    """An approved plan of the operator proposed by another of its partners (written as the row the scenarios
    domain keeps)."""
    other = make_account(platform, kind="partner", name="池州另一合作方有限公司", login="other.admin", days=366)
    operator = principal(platform, "operator.admin")
    with platform.command() as session:
        scenario = Scenario(
            code="CJ-OTHER-1",
            proposer_id=other.organisation_id,
            operator_id=operator.organisation_id,
            proposed_by=principal(platform, "other.admin").user_id,
            name="另一合作方的场景",
            field="inclusive_finance",
            users="辖区银行",
            resources=json.dumps(list(codes)),
            purpose="industry",
            benefit="缓解小微企业融资难",
            risk="{}",
            risk_level="low",
            state="approved",
            created_at=clock.now(),
        )
        session.add(scenario)
        session.flush()
        return scenario.id


def test_a_partner_may_not_build_under_another_partners_scenario(platform, city):
    operating_city(platform, city)
    approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")  # the operator's own plan covers it
    foreign = _other_partners_scenario(platform, codes=("CZ-RK-0001",))
    error = _refused(
        platform, products.create, principal=principal(platform, "partner.admin"), body=_body(foreign, POPULATION)
    )
    assert error.rule == "product.scenario-operator"


@pytest.mark.parametrize("values", [{"district": "\ud800"}, {"district": "贵池区\x00"}, {"\ud800": "x"}])
def test_a_value_or_name_that_is_not_text_is_refused_never_a_500(platform, bank, values):
    with pytest.raises(Refused) as refused:
        call(platform, bank, TEMPLATE, values)
    assert refused.value.rule == "product.parameter"
    assert refused.value.params["problem"].key in ("product.parameter.text", "product.parameter.unknown")
    assert "\ud800" not in str(refused.value.params["parameter"])
    assert calls_used(platform, bank["aggregate"]) == 0


def test_a_product_never_registered_nor_listed_is_unknown_to_a_caller(platform, city):
    """``offerable`` answers whoever calls a product's code: one the public has never seen is not found, not
    'not listed' (which told its code exists and where it stands)."""
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    product = run(
        platform, products.create, principal=principal(platform, "operator.admin"), body=_body(scenario, POPULATION)
    )
    with platform.read() as session:
        with pytest.raises(Refused) as refused:
            products.offerable(session, code=product.code)
        with pytest.raises(Refused) as unknown:
            products.offerable(session, code="CZCP-NOSUCH")
    assert refused.value.rule == unknown.value.rule == "product.not-found"
    assert refused.value.status == 404


@pytest.mark.parametrize("raw", [[{"district": "贵池区"}], "district", 5, None])
def test_values_that_are_no_object_are_refused_by_rule(raw):
    """A caller's values other than an object (a list of objects hashed as names raised TypeError: a 500)."""
    from pubdata.products import definitions as d

    with pytest.raises(Refused) as refused:
        d.checked_values(TEMPLATE.parameters, raw)
    assert refused.value.rule == "product.parameter"
