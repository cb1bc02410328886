"""Subscribing (三(五)6): a consumer applies for a listed product; the operator approves — the usage contract is
generated from the product and both sides sign — or rejects with a reason; the consumer may withdraw."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pubdata.common import clock
from pubdata.common.errors import Refused
from pubdata.contracts import service as contracts
from pubdata.ledger import service as ledger
from pubdata.products import service as products
from pubdata.products import subscriptions
from pubdata.products.subscriptions import Application
from tests.products.builders import approved_scenario, operating_city
from tests.scenarios import listed_product, make_account, principal, read, run

POPULATION = {
    "kind": "query_template",
    "resources": ["CZ-RK-0001"],
    "sql": "SELECT district, count(*) AS persons FROM cz_rk_0001 GROUP BY district",
    "outputs": [
        {"name": "district", "label": {"zh": "所属区县", "en": "District"}},
        {"name": "persons", "label": {"zh": "人数", "en": "Persons"}},
    ],
}


@pytest.fixture
def offered(platform, city):
    """The city's operator lists a population template for industry; a bank and another consumer exist."""
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    code = listed_product(
        platform,
        developer_login="operator.admin",
        scenario_id=scenario,
        definition=POPULATION,
        kind="query_template",
        name="分区人口统计",
        purposes=("industry", "public_welfare"),
    )
    bank = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=366)
    other = make_account(platform, kind="consumer", name="池州市城市管理局", login="city.admin", days=366)
    return {**city, "code": code, "bank": bank, "other": other}


def _application(**changed) -> Application:
    today = clock.today()
    values = {
        "purpose": "industry",
        "use": "小微企业授信前了解区域人口规模",
        "max_calls": 100,
        "valid_from": today,
        "valid_until": today + timedelta(days=180),
    }
    return Application(**(values | changed))


def _apply(platform, login="bank.admin", code=None, **changed):
    return run(
        platform,
        subscriptions.apply,
        principal=principal(platform, login),
        code=code,
        application=_application(**changed),
    )


def _refused(platform, command, **kwargs) -> Refused:
    with pytest.raises(Refused) as refused:
        run(platform, command, **kwargs)
    return refused.value


def test_approval_generates_the_contract_from_the_product_and_both_sides_sign(platform, offered):
    code = offered["code"]
    applied = _apply(platform, code=code)
    assert applied.state == "applied" and applied.contract_id is None
    operator, bank = principal(platform, "operator.admin"), principal(platform, "bank.admin")
    approved = run(platform, subscriptions.approve, principal=operator, subscription_id=applied.id)
    assert approved.state == "approved" and approved.contract_id is not None
    product = read(platform, products.offerable, code=code)
    with platform.read() as session:
        contract = contracts.get(session, principal=bank, contract_id=approved.contract_id)
        terms = contracts.terms_of(contract)
        assert contract.assigner_id == offered["operator"].organisation_id
        assert contract.assignee_id == offered["bank"].organisation_id
        assert contract.state == "proposed" and contract.assigner_signed_at is not None
        assert contract.assignee_signed_at is None
        assert contracts.awaiting_signature(bank, contract)
        assert subscriptions.awaiting_signature(session, principal=bank) == [applied.id]
    assert terms.product is not None
    assert (terms.product.code, terms.product.definition_digest) == (code, product.definition_digest)
    assert terms.resources == ("CZ-RK-0001",) and terms.purpose == "industry"
    assert (terms.valid_from, terms.valid_until, terms.max_calls) == (
        applied.valid_from,
        applied.valid_until,
        100,
    )
    signed = run(platform, contracts.sign, principal=bank, contract_id=approved.contract_id)
    assert signed.state == "active"
    with platform.read() as session:
        assert (
            subscriptions.contract_id_for(session, consumer_id=bank.organisation_id, product_id=product.id)
            == approved.contract_id
        )
        actions = [
            entry["action"] for entry in ledger.entries_for_subject(session, subject=f"subscription:{applied.id}")
        ]
    assert actions == ["subscription.apply", "subscription.approve"]


def test_the_operator_rejects_with_a_reason_and_the_consumer_may_withdraw(platform, offered):
    operator = principal(platform, "operator.admin")
    first = _apply(platform, code=offered["code"])
    refused = _refused(platform, subscriptions.reject, principal=operator, subscription_id=first.id, reason=" ")
    assert refused.rule == "subscription.reason"
    rejected = run(
        platform, subscriptions.reject, principal=operator, subscription_id=first.id, reason="用途说明不充分"
    )
    assert (rejected.state, rejected.reason, rejected.contract_id) == ("rejected", "用途说明不充分", None)
    second = _apply(platform, code=offered["code"])
    withdrawn = run(
        platform, subscriptions.withdraw, principal=principal(platform, "bank.admin"), subscription_id=second.id
    )
    assert withdrawn.state == "withdrawn"
    again = _refused(platform, subscriptions.approve, principal=operator, subscription_id=second.id)
    assert again.rule == "subscription.transition"


@pytest.mark.parametrize(
    ("changed", "rule"),
    [
        ({"purpose": "sector"}, "subscription.purpose"),  # not one the product is offered for
        ({"max_calls": 0}, "subscription.quota"),
        ({"valid_until_days": -1}, "subscription.window"),
        ({"use": "   "}, "subscription.use"),
    ],
)
def test_an_application_outside_the_products_offer_is_refused(platform, offered, changed, rule):
    if "valid_until_days" in changed:  # the parameter's dict is shared by every database's run: read, never pop
        changed = {"valid_until": clock.today() + timedelta(days=changed["valid_until_days"])}
    refused = _refused(
        platform,
        subscriptions.apply,
        principal=principal(platform, "bank.admin"),
        code=offered["code"],
        application=_application(**changed),
    )
    assert refused.rule == rule


def test_one_application_waits_at_a_time_and_others_do_not_see_it(platform, offered):
    applied = _apply(platform, code=offered["code"])
    assert (
        _refused(
            platform,
            subscriptions.apply,
            principal=principal(platform, "bank.admin"),
            code=offered["code"],
            application=_application(),
        ).rule
        == "subscription.pending"
    )
    other = principal(platform, "city.admin")
    for command in (subscriptions.get, subscriptions.withdraw):
        assert _refused(platform, command, principal=other, subscription_id=applied.id).status == 404
    with platform.read() as session:
        assert subscriptions.list_for(session, principal=other) == []
        assert [s.id for s in subscriptions.list_for(session, principal=principal(platform, "operator.admin"))] == [
            applied.id
        ]
        assert subscriptions.awaiting_decision(session, principal=principal(platform, "operator.admin")) == [applied.id]
    # the consumer cannot decide its own application
    assert (
        _refused(
            platform, subscriptions.approve, principal=principal(platform, "bank.admin"), subscription_id=applied.id
        ).status
        == 403
    )


def test_a_product_not_on_offer_cannot_be_applied_for(platform, offered):
    operator = principal(platform, "operator.admin")
    run(platform, products.delist, principal=operator, code=offered["code"], reason="数据更新暂停")
    refused = _refused(
        platform,
        subscriptions.apply,
        principal=principal(platform, "bank.admin"),
        code=offered["code"],
        application=_application(),
    )
    assert refused.rule == "product.not-listed"
