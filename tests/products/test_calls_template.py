"""Calling a query template (三(五)3, 6): the consumer sends parameter values, never SQL; the call is governed like
a query — the product on offer, the caller's own contract generated from its subscription, the parameters typed
and in range, the output rule — and every refusal is recorded."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pubdata.app import create_app
from pubdata.common import clock
from pubdata.common.errors import Refused
from pubdata.contracts import service as contracts
from pubdata.ledger.models import LedgerEntry
from pubdata.products import calls, subscriptions
from pubdata.products import service as products
from pubdata.products.schemas import ProductRevision
from pubdata.products.subscriptions import Application
from tests.products.builders import approved_scenario, operating_city
from tests.scenarios import AS_CLI, PASSED_CHECKLIST, listed_product, make_account, principal, registered_product, run

TEMPLATE = {
    "kind": "query_template",
    "resources": ["CZ-RK-0001"],
    "sql": "SELECT district, count(*) AS persons FROM cz_rk_0001 WHERE district = :district GROUP BY district",
    "parameters": [
        {
            "name": "district",
            "label": {"zh": "区县", "en": "District"},
            "type": "string",
            "choices": ["贵池区", "东至县", "石台县", "青阳县"],
        }
    ],
    "outputs": [
        {"name": "district", "label": {"zh": "所属区县", "en": "District"}},
        {"name": "persons", "label": {"zh": "人数", "en": "Persons"}},
    ],
}


def subscribed(platform, login: str, code: str, *, max_calls: int = 50) -> int:
    """``login``'s consumer applies for ``code``, the operator approves, its admin signs: the contract's id."""
    today = clock.today()
    application = Application("industry", "了解各区县家庭规模", max_calls, today, today + timedelta(days=300))
    applied = run(
        platform, subscriptions.apply, principal=principal(platform, login), code=code, application=application
    )
    approved = run(
        platform, subscriptions.approve, principal=principal(platform, "operator.admin"), subscription_id=applied.id
    )
    run(platform, contracts.sign, principal=principal(platform, login), contract_id=approved.contract_id)
    return approved.contract_id


@pytest.fixture
def world(platform, city):
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    code = listed_product(
        platform,
        developer_login="operator.admin",
        scenario_id=scenario,
        definition=TEMPLATE,
        kind="query_template",
        name="分区县家庭人口统计",
        purposes=("industry",),
    )
    bank = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=366)
    make_account(platform, kind="consumer", name="池州九华银行", login="other.admin", days=366)
    return {**city, "code": code, "bank": bank, "contract_id": subscribed(platform, "bank.admin", code)}


def call(platform, world, login="bank.admin", **parameters) -> calls.Answer:
    return calls.call(
        platform,
        principal=principal(platform, login),
        code=world["code"],
        request=calls.Request(parameters=parameters or None),
        engine=platform.query_engine,
    )


def refused(platform, world, login="bank.admin", **parameters) -> Refused:
    with pytest.raises(Refused) as caught:
        call(platform, world, login, **parameters)
    return caught.value


def entries(platform, action: str) -> list[dict]:
    with platform.read() as session:
        found = session.execute(select(LedgerEntry).where(LedgerEntry.action == action).order_by(LedgerEntry.seq))
        return [{"subject": row.subject, "payload": json.loads(row.payload)} for row in found.scalars()]


def calls_used(platform, contract_id: int) -> int:
    with platform.read() as session:
        return contracts.get(session, principal=AS_CLI, contract_id=contract_id).calls_used


def test_a_template_answers_its_declared_outputs_in_chinese_and_counts_one_call(platform, world):
    answer = call(platform, world, district="贵池区")
    assert answer.columns == ["district", "persons"]
    assert answer.labels == [("所属区县", "District"), ("人数", "Persons")]
    assert all(row[1] >= 10 for row in answer.rows)  # the output rule: no group under the minimum size
    assert calls_used(platform, world["contract_id"]) == 1
    (entry,) = [e for e in entries(platform, "contract.call") if e["subject"] == f"contract:{world['contract_id']}"]
    with platform.read() as session:
        product = products.offerable(session, code=world["code"])
    assert entry["payload"]["definition"] == product.definition_digest
    assert "贵池区" not in json.dumps(entry["payload"], ensure_ascii=False)  # the values' digest only


@pytest.mark.parametrize(
    ("parameters", "problem"), [({"district": 5}, "type"), ({"district": "合肥市"}, "range"), ({}, "missing")]
)
def test_parameters_of_the_wrong_type_out_of_range_or_missing_are_refused_and_recorded(
    platform, world, parameters, problem
):
    error = refused(platform, world, **parameters)
    assert error.rule == "product.parameter", problem
    assert error.params["parameter"] == "district"
    assert calls_used(platform, world["contract_id"]) == 0
    assert [e["payload"]["rule"] for e in entries(platform, "sandbox.query-refused")] == ["product.parameter"]


def test_a_delisted_product_is_refused_and_recorded(platform, world):
    run(
        platform,
        products.delist,
        principal=principal(platform, "operator.admin"),
        code=world["code"],
        reason="暂停服务",
    )
    assert refused(platform, world, district="贵池区").rule == "product.not-listed"
    assert [e["payload"]["rule"] for e in entries(platform, "product.call-refused")] == ["product.not-listed"]


def test_a_product_changed_since_its_review_is_refused_and_recorded(platform, world):
    changed = {
        **TEMPLATE,
        "sql": TEMPLATE["sql"].replace("GROUP BY district", "AND district <> '东至县' GROUP BY district"),
    }
    run(
        platform,
        products.revise,
        principal=principal(platform, "operator.admin"),
        code=world["code"],
        body=ProductRevision(definition=products.parse_definition(changed)),
    )
    assert refused(platform, world, district="贵池区").rule == "product.changed"
    assert [e["payload"]["rule"] for e in entries(platform, "product.call-refused")] == ["product.changed"]


def test_a_consumer_without_a_contract_of_its_own_cannot_call(platform, world):
    """The other bank holds no subscription: the bank's contract is not its to use, whatever it sends."""
    assert refused(platform, world, login="other.admin", district="贵池区").rule == "call.no-contract"
    assert [e["payload"]["rule"] for e in entries(platform, "product.call-refused")] == ["call.no-contract"]


def test_an_exhausted_quota_refuses_the_next_call_and_records_it(platform, world):
    operator = principal(platform, "operator.admin")
    run(platform, contracts.revoke, principal=operator, contract_id=world["contract_id"], reason="改签单次合约")
    single = subscribed(platform, "bank.admin", world["code"], max_calls=1)
    call(platform, world, district="贵池区")
    error = refused(platform, world, district="贵池区")
    assert error.rule == "contract.exhausted"
    assert calls_used(platform, single) == 1
    assert "contract.exhausted" in [e["payload"]["rule"] for e in entries(platform, "product.call-refused")]


def test_subjects_sent_to_a_template_are_refused(platform, world):
    with pytest.raises(Refused) as caught:
        calls.call(
            platform,
            principal=principal(platform, "bank.admin"),
            code=world["code"],
            request=calls.Request(subjects=("91341700MA00000001",)),
            engine=platform.query_engine,
        )
    assert caught.value.rule == "call.subjects-unexpected"


def test_the_api_calls_a_template_with_parameters_and_no_input_is_a_server_error(platform, world):
    path = f"/api/v1/products/{world['code']}/calls"
    with TestClient(create_app(platform)) as client:
        answered = client.post(path, headers=world["bank"].headers, json={"parameters": {"district": "东至县"}})
        assert answered.status_code == 200, answered.text
        body = answered.json()
        assert body["columns"] == ["district", "persons"] and body["labels"] == ["所属区县", "人数"]
        for wrong in (
            {"parameters": "x"},
            {"parameters": {"district": [1]}},
            {"extra": 1},
            {"parameters": {"district": 2.5}},
        ):
            answer = client.post(path, headers=world["bank"].headers, json=wrong)
            assert 400 <= answer.status_code < 500, (wrong, answer.status_code, answer.text)
        assert client.post("/api/v1/products/CP-9999/calls", headers=world["bank"].headers, json={}).status_code == 404
        assert client.post("/api/v1/products/bad code!/calls", headers=world["bank"].headers).status_code in (404, 422)
        assert client.post(path, json={"parameters": {"district": "东至县"}}).status_code == 401


def test_a_contract_for_the_definition_before_a_change_is_not_used_for_the_new_one(platform, world):
    """Revised, reviewed, registered again and listed: the product is on offer, but the bank's contract names the
    definition it subscribed to — it applies again for the new one."""
    operator, bureau = principal(platform, "operator.admin"), principal(platform, "bureau.admin")
    changed = {
        **TEMPLATE,
        "sql": TEMPLATE["sql"].replace("GROUP BY district", "AND district <> '东至县' GROUP BY district"),
    }
    code = world["code"]
    run(
        platform,
        products.revise,
        principal=operator,
        code=code,
        body=ProductRevision(definition=products.parse_definition(changed)),
    )
    run(platform, products.submit_review, principal=operator, code=code)
    run(platform, products.review, principal=bureau, code=code, decision="approve", checklist=PASSED_CHECKLIST)
    registered_product(platform, code)
    run(platform, products.list_product, principal=operator, code=code)
    assert refused(platform, world, district="贵池区").rule == "call.contract-stale"
    assert "call.contract-stale" in [e["payload"]["rule"] for e in entries(platform, "product.call-refused")]
    subscribed(platform, "bank.admin", code)
    assert call(platform, world, district="贵池区").columns == ["district", "persons"]
