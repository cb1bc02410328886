"""A product's lifecycle (三(五), 三(四)6): built under an approved scenario covering its resources, inside its
operator's scope; security review by the bureau; registration with its public notice; listed; any change to
the reviewed definition takes it off offer until it is reviewed and registered again; an operator's exit
delists all its products."""

from __future__ import annotations

import pytest

from pubdata.authorization import agreements
from pubdata.authorization.schemas import Scope
from pubdata.common.errors import Refused
from pubdata.ledger import service as ledger
from pubdata.ledger.verify import verify
from pubdata.products import service as products
from pubdata.products.schemas import ProductIn, ProductRevision
from tests.products.builders import BOTH, POPULATION, approved_scenario, operating_city, scenario_approved_before
from tests.scenarios import (
    PASSED_CHECKLIST,
    at,
    listed_product,
    principal,
    read,
    registered_product,
    reviewed_product,
    run,
    tick,
)


def _body(scenario_id: int, definition: dict, purposes: tuple[str, ...] = ("industry",)) -> ProductIn:
    return ProductIn(
        scenario_id=scenario_id,
        name="分区人口统计",
        kind="query_template",
        description="按区县统计常住人口数。",
        delivery="api",
        purposes=list(purposes),
        definition=products.parse_definition(definition),
    )


def _refused(platform, command, **kwargs) -> Refused:
    with pytest.raises(Refused) as refused:
        run(platform, command, **kwargs)
    return refused.value


def _listed(platform, scenario_id: int, login: str = "operator.admin") -> str:
    return listed_product(
        platform,
        developer_login=login,
        scenario_id=scenario_id,
        definition=POPULATION,
        kind="query_template",
        name="分区人口统计",
        purposes=("industry",),
    )


def test_a_product_goes_from_development_through_review_and_registration_to_the_list(platform, city):
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    code = _listed(platform, scenario)
    product = read(platform, products.offerable, code=code)
    assert product.state == "listed"
    assert product.registration_number.startswith("CZCP")
    assert product.reviewed_digest == product.definition_digest == products.definition_of(product).digest
    assert product.operator_id == city["operator"].organisation_id
    with platform.read() as session:
        (review,) = products.reviews_of(session, product)
        assert review.state == "approved" and review.definition_digest == product.definition_digest
        history = products.registrations_of(session, product)
        assert [(one.kind, one.state) for one in history] == [("first", "registered")]
        assert products.checklist_of(review) == PASSED_CHECKLIST and review.reviewed_by is not None
        # Every row the lifecycle changed is as its latest ledger entry recorded it.
        report = verify(session, public_keys=platform.public_keys)
        assert report.ok, report.problems


def test_a_partner_builds_a_product_for_the_operator_that_admitted_it(platform, city):
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    code = _listed(platform, scenario, login="partner.admin")
    product = read(platform, products.offerable, code=code)
    assert product.developer_id == city["partner"].organisation_id
    assert product.operator_id == city["operator"].organisation_id


def test_a_scenario_not_approved_is_refused(platform, city):
    operating_city(platform, city)
    draft = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry", state="submitted")
    error = _refused(
        platform, products.create, principal=principal(platform, "operator.admin"), body=_body(draft, POPULATION)
    )
    assert error.rule == "product.scenario-not-approved"


def test_a_scenario_not_covering_every_resource_is_refused_and_recorded(platform, city):
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    with platform.read() as session:
        before = ledger.size(session)
    error = _refused(
        platform, products.create, principal=principal(platform, "operator.admin"), body=_body(scenario, BOTH)
    )
    assert error.rule == "product.scenario-uncovered" and "CZ-CG-0001" in error.detail
    with platform.read() as session:
        assert ledger.size(session) == before + 1  # the refusal is kept, although nothing was made


def test_a_resource_outside_the_operators_scope_is_refused(platform, city):
    operating_city(platform, city, scope=Scope(resources=("CZ-RK-0001",), max_grade="general-4"))
    scenario = scenario_approved_before(platform, codes=("CZ-RK-0001", "CZ-CG-0001"), purpose="industry")
    error = _refused(
        platform, products.create, principal=principal(platform, "operator.admin"), body=_body(scenario, BOTH)
    )
    assert error.rule == "authorization.out-of-scope"


def test_a_partner_may_not_use_what_its_own_admission_does_not_reach(platform, city):
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001", "CZ-CG-0001"), purpose="industry")
    error = _refused(
        platform, products.create, principal=principal(platform, "partner.admin"), body=_body(scenario, BOTH)
    )
    assert error.rule == "authorization.out-of-scope"


def test_a_purpose_outside_the_scenarios_is_refused_but_free_purposes_are_allowed(platform, city):
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="public_governance")
    operator = principal(platform, "operator.admin")
    error = _refused(platform, products.create, principal=operator, body=_body(scenario, POPULATION, ("industry",)))
    assert error.rule == "product.purpose-outside"
    made = run(platform, products.create, principal=operator, body=_body(scenario, POPULATION, ("public_welfare",)))
    assert made.code.startswith("CP-")


def test_a_changed_definition_is_not_offered_until_reviewed_and_registered_again(platform, city):
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    code = _listed(platform, scenario)
    operator = principal(platform, "operator.admin")
    wider = [{**POPULATION["parameters"][0], "max_length": 30}]
    changed = products.parse_definition({**POPULATION, "parameters": wider})
    product = run(platform, products.revise, principal=operator, code=code, body=ProductRevision(definition=changed))
    assert product.state == "development" and product.version == 2
    assert product.reviewed_digest != product.definition_digest
    with platform.read() as session:
        with pytest.raises(Refused) as refused:
            products.offerable(session, code=code)
    assert refused.value.rule == "product.changed"
    # Reviewed again and registered by a change registration, it may be listed again.
    run(platform, products.submit_review, principal=operator, code=code)
    run(
        platform,
        products.review,
        principal=principal(platform, "bureau.admin"),
        code=code,
        decision="approve",
        checklist=PASSED_CHECKLIST,
    )
    registered_product(platform, code)
    run(platform, products.list_product, principal=operator, code=code)
    product = read(platform, products.offerable, code=code)
    with platform.read() as session:
        kinds = [one.kind for one in products.registrations_of(session, product)]
    assert kinds == ["first", "change"]
    assert product.version == 2
    with platform.read() as session:
        assert verify(session, public_keys=platform.public_keys).ok


def test_listing_a_product_not_registered_is_refused(platform, city):
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    code = reviewed_product(
        platform,
        developer_login="operator.admin",
        scenario_id=scenario,
        definition=POPULATION,
        kind="query_template",
        name="分区人口统计",
        purposes=("industry",),
    )
    error = _refused(platform, products.list_product, principal=principal(platform, "operator.admin"), code=code)
    assert error.rule == "product.transition"
    with platform.read() as session:
        with pytest.raises(Refused) as refused:
            products.offerable(session, code=code)
    assert refused.value.rule == "product.not-found"  # never registered nor listed: unknown to a caller


def test_a_delisted_product_is_not_offered(platform, city):
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    code = _listed(platform, scenario)
    error = _refused(platform, products.delist, principal=principal(platform, "operator.admin"), code=code, reason="")
    assert error.rule == "product.delist-reason"
    run(platform, products.delist, principal=principal(platform, "operator.admin"), code=code, reason="数据更新暂停")
    with platform.read() as session:
        with pytest.raises(Refused) as refused:
            products.offerable(session, code=code)
    assert refused.value.rule == "product.not-listed"


def test_the_bureau_admin_may_delist_any_product(platform, city):
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    code = _listed(platform, scenario)
    product = run(
        platform, products.delist, principal=principal(platform, "bureau.admin"), code=code, reason="监管要求"
    )
    assert product.state == "delisted"


def test_an_operators_exit_delists_all_its_products(platform, city):
    deal = operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    first, second = _listed(platform, scenario), _listed(platform, scenario, login="partner.admin")
    run(
        platform,
        agreements.terminate_for_violation,
        principal=principal(platform, "bureau.admin"),
        agreement_id=deal["agreement"].id,
        detail="违规使用数据",
    )
    changes = tick(platform)
    assert {f"product {code} delisted: the operator's authorization has ended" for code in (first, second)} <= set(
        changes
    )
    for code in (first, second):
        with platform.read() as session:
            with pytest.raises(Refused) as refused:
                products.offerable(session, code=code)
        assert refused.value.rule == "product.not-listed"
    assert not any("delisted" in change for change in tick(platform))  # the tick is idempotent
    with platform.read() as session:
        assert verify(session, public_keys=platform.public_keys).ok


def test_a_cancellation_registration_takes_the_product_off_the_list_for_good(platform, city):
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    code = _listed(platform, scenario)
    operator, bureau = principal(platform, "operator.admin"), principal(platform, "bureau.admin")
    error = _refused(platform, products.submit_registration, principal=operator, code=code, kind="cancel", reason="")
    assert error.rule == "product.transition"  # a listed product is delisted before it is cancelled
    run(platform, products.delist, principal=operator, code=code, reason="停止提供")
    error = _refused(platform, products.submit_registration, principal=operator, code=code, kind="cancel", reason="")
    assert error.rule == "product.cancel-reason"
    application = run(
        platform, products.submit_registration, principal=operator, code=code, kind="cancel", reason="停止提供"
    )
    error = _refused(platform, products.list_product, principal=operator, code=code)
    assert error.rule == "product.cancellation-open"
    wider = products.parse_definition({**POPULATION, "parameters": [{**POPULATION["parameters"][0], "max_length": 30}]})
    error = _refused(platform, products.revise, principal=operator, code=code, body=ProductRevision(definition=wider))
    assert error.rule == "product.registration-open"
    run(
        platform,
        products.review_registration,
        principal=bureau,
        registration_id=application.id,
        decision="accept",
        reason=None,
    )
    at("2026-12-31")  # past the notice
    tick(platform)
    product = read(platform, products.get, principal=bureau, code=code)
    assert product.state == "cancelled" and product.registration_number.startswith("CZCP")
