"""The security review (安全审查): a bureau reviewer — never the product's developer or operator — goes through
the checklist and signs the definition's digest off, or returns it with a reason; then registration with its
public notice and objections, as for resources."""

from __future__ import annotations

import json

import pytest

from pubdata.common.errors import Refused
from pubdata.ledger import signoff
from pubdata.products import service as products
from pubdata.products.schemas import ProductIn
from tests.products.builders import POPULATION, approved_scenario, operating_city
from tests.scenarios import PASSED_CHECKLIST, make_account, principal, read, reviewed_product, run, tick

BUREAU = "池州市数据资源局"


def _in_review(platform, city, login: str = "operator.admin") -> str:
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    developer = principal(platform, login)
    body = ProductIn(
        scenario_id=scenario,
        name="分区人口统计",
        kind="query_template",
        description="按区县统计常住人口数。",
        delivery="api",
        purposes=["industry"],
        definition=products.parse_definition(POPULATION),
    )
    code = run(platform, products.create, principal=developer, body=body).code
    run(platform, products.submit_review, principal=developer, code=code)
    return code


def _review(platform, login: str, code: str, **kwargs):
    decision = kwargs.pop("decision", "approve")
    checklist = kwargs.pop("checklist", PASSED_CHECKLIST)
    return run(
        platform,
        products.review,
        principal=principal(platform, login),
        code=code,
        decision=decision,
        checklist=checklist,
        **kwargs,
    )


def _state(platform, code: str) -> str:
    return read(platform, products.get, principal=principal(platform, "bureau.admin"), code=code).state


def test_a_bureau_reviewer_passes_the_checklist_and_signs_the_definitions_digest(platform, city):
    code = _in_review(platform, city)
    make_account(platform, kind="bureau", name=BUREAU, login="bureau.reviewer", role="reviewer")
    review = _review(platform, "bureau.reviewer", code)
    assert review.state == "approved"
    with platform.read() as session:
        product = products.get(session, principal=principal(platform, "operator.admin"), code=code)
        assert product.state == "approved" and product.reviewed_digest == product.definition_digest
        signed = signoff.signed_sides(session, subject=review)
        document = products.review_document(product, review, json.loads(review.checklist))
    assert set(signed) == {"bureau"}
    assert document["definition_digest"] == product.definition_digest


def test_the_developer_does_not_review_its_own_product(platform, city):
    code = _in_review(platform, city, login="partner.admin")
    for login in ("partner.admin", "operator.admin"):
        with pytest.raises(Refused) as refused:
            _review(platform, login, code)
        assert refused.value.rule == "product.own-review"
    assert _state(platform, code) == "review"


def test_no_one_outside_the_bureaus_reviewers_reviews(platform, city):
    code = _in_review(platform, city)
    with pytest.raises(Refused) as refused:
        _review(platform, "security.admin", code)
    assert refused.value.status == 404  # another organisation's product: as if it did not exist
    make_account(platform, kind="bureau", name=BUREAU, login="bureau.member", role="member")
    with pytest.raises(Refused) as refused:
        _review(platform, "bureau.member", code)
    assert refused.value.rule == "identity.permission"
    assert _state(platform, code) == "review"


def test_every_checklist_item_must_pass_with_a_note(platform, city):
    code = _in_review(platform, city)
    missing_note = {**PASSED_CHECKLIST, "consent": {"passed": True, "note": " "}}
    failed = {**PASSED_CHECKLIST, "reidentification": {"passed": False, "note": "存在再识别风险"}}
    for checklist in (missing_note, failed, {}):
        with pytest.raises(Refused) as refused:
            _review(platform, "bureau.admin", code, checklist=checklist)
        assert refused.value.rule == "product.checklist"
    assert _state(platform, code) == "review"


def test_a_returned_product_goes_back_to_development_with_the_reason(platform, city):
    code = _in_review(platform, city)
    with pytest.raises(Refused) as refused:
        _review(platform, "bureau.admin", code, decision="return", checklist={})
    assert refused.value.rule == "product.review-reason"
    review = _review(platform, "bureau.admin", code, decision="return", checklist={}, reason="输出字段过细，请合并")
    assert review.state == "returned" and review.reason == "输出字段过细，请合并"
    assert _state(platform, code) == "development"
    # Changed and submitted again, it is a new review of the new definition.
    run(platform, products.submit_review, principal=principal(platform, "operator.admin"), code=code)
    with platform.read() as session:
        product = products.get(session, principal=principal(platform, "bureau.admin"), code=code)
        assert [one.state for one in products.reviews_of(session, product)] == ["open", "returned"]


def test_a_returned_registration_sends_the_product_back_to_approved(platform, city):
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
    operator, bureau = principal(platform, "operator.admin"), principal(platform, "bureau.admin")
    application = run(platform, products.submit_registration, principal=operator, code=code)
    assert _state(platform, code) == "registering"
    run(
        platform,
        products.review_registration,
        principal=bureau,
        registration_id=application.id,
        decision="return",
        reason="产品说明不完整",
    )
    assert _state(platform, code) == "approved"
    # Applied again and accepted; an objection upheld during the notice returns it too.
    application = run(platform, products.submit_registration, principal=operator, code=code)
    run(
        platform,
        products.review_registration,
        principal=bureau,
        registration_id=application.id,
        decision="accept",
        reason=None,
    )
    objection = run(
        platform, products.file_objection, code=code, name="张三", contact="13912345678", reason="该产品说明与实际不符"
    )
    assert not any("product registered" in change for change in tick(platform))  # the notice still runs
    run(
        platform,
        products.answer_objection,
        principal=bureau,
        objection_id=objection.id,
        answer="upheld",
        reason="说明需修改",
    )
    assert _state(platform, code) == "approved"


def test_only_the_operators_admin_applies_for_registration(platform, city):
    code = _in_review(platform, city, login="partner.admin")
    _review(platform, "bureau.admin", code)
    with pytest.raises(Refused) as refused:
        run(platform, products.submit_registration, principal=principal(platform, "partner.admin"), code=code)
    assert refused.value.rule == "identity.permission"
