"""Calling a product (三(五)6): governed like a query — the product on offer, the caller's contract generated
from its subscription, every subject's consent, parameters typed and in range, the counters, the consents' uses
and the call's ledger entry in one transaction — and every refusal recorded."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.authorization.schemas import Scope
from pubdata.common import clock
from pubdata.common.errors import Refused
from pubdata.common.ids import credit_code_check_char
from pubdata.contracts import service as contracts
from pubdata.identity import service as identity
from pubdata.privacy import consent
from pubdata.privacy.schemas import ConsentIn
from pubdata.products import calls, subscriptions
from pubdata.products import service as products
from pubdata.products.subscriptions import Application
from tests.data import person_name, resource_body
from tests.scenarios import (
    AS_CLI,
    PASSWORD,
    Account,
    approved_scenario,
    at,
    listed_product,
    make_account,
    principal,
    read,
    registered_resource,
    run,
    signed_agreement,
    tick,
)

REGISTRY_FIELDS = [
    {"name": "credit_code", "label": "统一社会信用代码", "format": "credit_code", "required": True},
    {"name": "name", "label": "企业名称", "required": True},
    {"name": "legal_rep_name", "label": "法定代表人姓名", "format": "person_name", "sensitivity": "personal"},
    {"name": "status", "label": "登记状态", "required": True},
]


def credit_code(serial: int) -> str:
    first17 = f"91341702MA{serial:07d}"
    return first17 + credit_code_check_char(first17)


SUBJECTS = [credit_code(n) for n in range(1, 13)]
GRANTED, CLOSED, NO_CONSENT = SUBJECTS[0], SUBJECTS[1], SUBJECTS[2]
VERIFICATION = {"kind": "verification", "resources": ["CZ-FR-0001"], "check": "entity_active", "thresholds": {}}


def _registry(platform) -> None:
    rng = random.Random(5)
    rows = [
        {
            "credit_code": code,
            "name": f"池州恒瑞{serial}号商贸有限公司",
            "legal_rep_name": person_name(rng),
            "status": "注销" if code == CLOSED else "存续",
        }
        for serial, code in enumerate(SUBJECTS, start=1)
    ]
    body = resource_body(
        code="CZ-FR-0001",
        name="法人基础信息库",
        fields=REGISTRY_FIELDS,
        sector="market_regulation",
        base_library="legal_entity",
    )
    registered_resource(platform, body, rows)


def subject_account(platform, *, name: str, login: str, code: str) -> Account:
    with platform.command() as session:
        organisation = identity.create_organisation(
            session, principal=AS_CLI, kind="subject", name=name, credit_code=code
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
        _, token = identity.issue_token(session, principal=AS_CLI, user_id=user.id, name="test", days=366)
        return Account(organisation.id, user.id, login, token)


def subscribed(platform, login: str, code: str, *, purpose: str = "industry", max_calls: int = 50) -> int:
    """``login``'s consumer applies for ``code``, the operator approves, its admin signs: the contract's id."""
    today = clock.today()
    application = Application(purpose, "贷前核验企业登记状态", max_calls, today, today + timedelta(days=300))
    applied = run(
        platform, subscriptions.apply, principal=principal(platform, login), code=code, application=application
    )
    approved = run(
        platform, subscriptions.approve, principal=principal(platform, "operator.admin"), subscription_id=applied.id
    )
    run(platform, contracts.sign, principal=principal(platform, login), contract_id=approved.contract_id)
    return approved.contract_id


def grant(platform, login: str, consumer: Account, product_code: str, **period) -> int:
    today = clock.today()
    body = ConsentIn(
        consumer_id=consumer.organisation_id,
        product_code=product_code,
        purpose="industry",
        valid_from=period.get("valid_from", today),
        valid_until=period.get("valid_until", today + timedelta(days=200)),
    )
    return run(platform, consent.grant, principal=principal(platform, login), body=body).id


@pytest.fixture
def world(platform, city):
    """The city with the legal-entity registry; the operator authorized for it and the population library; a listed
    verification and template; a bank subscribed to both; its first subject's consent from its own account."""
    _registry(platform)
    at("2026-01-20")  # the registry's public notice is over
    assert tick(platform)
    agreement = signed_agreement(
        platform, day="2026-01-21", scope=Scope(resources=("CZ-RK-0001", "CZ-FR-0001"), max_grade="general-4")
    )
    assert agreement.state == "active"
    scenario = approved_scenario(
        platform,
        proposer_login="operator.admin",
        codes=("CZ-RK-0001", "CZ-FR-0001"),
        purpose="industry",
        field="industry",
    )
    verify = listed_product(
        platform,
        developer_login="operator.admin",
        scenario_id=scenario,
        definition=VERIFICATION,
        kind="verification",
        name="企业登记状态核验",
        purposes=("industry",),
    )
    bank = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=366)
    other = make_account(platform, kind="consumer", name="池州九华银行", login="other.admin", days=366)
    subject_account(platform, name="池州恒瑞1号商贸有限公司", login="subject.admin", code=GRANTED)
    subject_account(platform, name="池州恒瑞2号商贸有限公司", login="closed.admin", code=CLOSED)
    contract_id = subscribed(platform, "bank.admin", verify)
    grant(platform, "subject.admin", bank, verify)
    grant(platform, "closed.admin", bank, verify)
    return {
        **city,
        "verify": verify,
        "bank": bank,
        "other": other,
        "contract_id": contract_id,
    }


def call(platform, world, code=None, login="bank.admin", **asked) -> calls.Answer:
    return calls.call(
        platform,
        principal=principal(platform, login),
        code=code or world["verify"],
        request=calls.Request(**asked),
        engine=platform.query_engine,
    )


def refused(platform, world, code=None, login="bank.admin", **asked) -> Refused:
    with pytest.raises(Refused) as caught:
        call(platform, world, code, login, **asked)
    return caught.value


def _all(session, action: str) -> list[dict]:
    from sqlalchemy import select

    from pubdata.ledger.models import LedgerEntry

    rows = session.execute(select(LedgerEntry).where(LedgerEntry.action == action).order_by(LedgerEntry.seq)).scalars()
    return [{"subject": row.subject, "payload": json.loads(row.payload)} for row in rows]


def _calls_used(platform, world, contract_key="contract_id") -> int:
    with platform.read() as session:
        return contracts.get(session, principal=AS_CLI, contract_id=world[contract_key]).calls_used


def test_a_batch_answers_each_subject_with_exactly_the_declared_fields(platform, world):
    answer = call(platform, world, subjects=(GRANTED, CLOSED))
    assert answer.columns == ["credit_code", "result"]
    assert answer.rows == [(GRANTED, "yes"), (CLOSED, "no")]
    assert _calls_used(platform, world) == 1
    (entry,) = _all_for(platform, "contract.call", f"contract:{world['contract_id']}")
    payload = entry["payload"]
    product = read(platform, products.offerable, code=world["verify"])
    assert payload["product"] == world["verify"] and payload["definition_digest"] == product.definition_digest
    assert len(payload["request_sm3"]) == 64 and payload["rows"] == 2
    assert GRANTED not in json.dumps(entry) and CLOSED not in json.dumps(entry)
    (used,) = _all_for(platform, "consent.use", f"contract:{world['contract_id']}")
    assert len(used["payload"]["consents"]) == 2


def _all_for(platform, action: str, subject: str) -> list[dict]:
    with platform.read() as session:
        return [entry for entry in _all(session, action) if entry["subject"] == subject]


@pytest.mark.parametrize("case", ["missing", "revoked", "expired", "other-consumer"])
def test_a_subject_without_a_consent_in_force_is_refused_recorded_and_nothing_charged(platform, world, case):
    subject = NO_CONSENT
    login = "bank.admin"
    if case == "revoked":
        subject = GRANTED
        with platform.read() as session:
            (granted,) = [c for c in consent.list_for(session, principal=principal(platform, "subject.admin"))]
        run(
            platform,
            consent.revoke,
            principal=principal(platform, "subject.admin"),
            consent_id=granted.id,
            reason="不再合作",
        )
    elif case == "expired":
        subject = GRANTED
        clock.freeze(clock.now() + timedelta(days=220))
    elif case == "other-consumer":  # the other bank, subscribed itself, relies on the bank's consent
        subject = GRANTED
        subscribed(platform, "other.admin", world["verify"])
        login = "other.admin"
    asked = (subject,) if case == "other-consumer" else (GRANTED if case == "missing" else CLOSED, subject)
    error = refused(platform, world, login=login, subjects=asked)
    expected = {"missing": "consent.missing", "revoked": "consent.revoked", "expired": "consent.expired"}
    assert error.rule == expected.get(case, "consent.missing")
    if case != "expired":  # a subject is named by its place in the request
        assert error.params["position"] == len(asked)
    assert _calls_used(platform, world) == 0
    with platform.read() as session:
        assert _all(session, "consent.refused")


def test_the_api_calls_a_product_with_subjects_and_refuses_malformed_bodies(platform, world):
    with TestClient(create_app(platform)) as client:
        answered = client.post(
            f"/api/v1/products/{world['verify']}/calls", headers=world["bank"].headers, json={"subjects": [GRANTED]}
        )
        assert answered.status_code == 200, answered.text
        body = answered.json()
        assert body["columns"] == ["credit_code", "result"] and body["rows"] == [[GRANTED, "yes"]]
        assert body["labels"][0] == "统一社会信用代码"
        for wrong in ({"subjects": "x"}, {"subjects": [1]}, {"extra": 1}, {"subjects": ["9134"]}):
            answer = client.post(f"/api/v1/products/{world['verify']}/calls", headers=world["bank"].headers, json=wrong)
            assert 400 <= answer.status_code < 500, (wrong, answer.status_code)
        missing = client.post("/api/v1/products/CP-9999/calls", headers=world["bank"].headers, json={})
        assert missing.status_code == 404
