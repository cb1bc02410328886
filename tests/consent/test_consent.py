"""Consent end to end on both databases: a subject grants and revokes, a consumer records a letter checked
against the registry, calls require a consent in force and record its uses, and each side sees only its own."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pubdata.app import create_app
from pubdata.common.digest import sm3
from pubdata.common.errors import Refused
from pubdata.ledger.models import LedgerEntry
from pubdata.platform import Platform
from pubdata.privacy import consent, rules
from pubdata.privacy.schemas import ConsentIn, LetterIn
from tests import scenarios
from tests.consent.conftest import (
    ACTIVE,
    CLOSED,
    DELISTED,
    OTHER,
    PROFILE,
    TEMPLATE,
    UNKNOWN_CODE,
    VERIFY,
    World,
    listed,
)

DIGEST = sm3(b"%PDF-1.7 a signed letter")


def grant(platform: Platform, world: World, *, product: str = VERIFY, purpose: str = "industry", **period) -> int:
    return scenarios.granted_consent(
        platform,
        subject_login="firm.admin",
        consumer_id=world.accounts["bank"].organisation_id,
        product_code=world.codes.get(product, product),
        purpose=purpose,
        valid_from=period.get("valid_from", "2026-03-02"),
        valid_until=period.get("valid_until", "2026-12-31"),
    )


def letter(world: World, **changes) -> LetterIn:
    values = {
        "credit_code": OTHER.code,
        "legal_rep_name": OTHER.rep,
        "product_code": world.codes[VERIFY],
        "purpose": "industry",
        "valid_from": "2026-03-02",
        "valid_until": "2026-12-31",
        "letter_sm3": DIGEST,
    }
    return LetterIn.model_validate(values | changes)


def record_letter(platform: Platform, world: World, login: str = "bank.admin", **changes):
    return consent.record_letter(
        platform,
        principal=scenarios.principal(platform, login),
        body=letter(world, **changes),
        engine=platform.query_engine,
    )


def require(platform: Platform, world: World, codes, *, product: str = VERIFY, purpose="industry", login="bank.admin"):
    with platform.read() as session:
        return consent.require(
            session,
            consumer_id=world.accounts[login.split(".")[0]].organisation_id,
            product_id=world.products[product],
            purpose=purpose,
            credit_codes=codes,
        )


def checks_left(platform: Platform, login: str = "bank.admin") -> int:
    return scenarios.read(platform, consent.letter_checks_left, principal=scenarios.principal(platform, login))


def refusal_of(call) -> Refused:
    with pytest.raises(Refused) as raised:
        call()
    return raised.value


def entries(platform: Platform, action: str) -> list[LedgerEntry]:
    with platform.read() as session:
        return list(session.execute(select(LedgerEntry).where(LedgerEntry.action == action)).scalars())


# --- granting and requiring ---------------------------------------------------------------------------------


def test_a_granted_consent_answers_the_call_it_covers(platform, world):
    consent_id = grant(platform, world)
    found = require(platform, world, [ACTIVE.code])
    assert found[ACTIVE.code].id == consent_id
    [entry] = entries(platform, "consent.grant")
    assert json.loads(entry.payload)["credit_code"] == ACTIVE.code


@pytest.mark.parametrize(
    ("case", "rule"),
    [
        ("none", "consent.missing"),
        ("other consumer", "consent.missing"),
        ("other product", "consent.missing"),
        ("other purpose", "consent.missing"),
        ("revoked", "consent.revoked"),
        ("expired", "consent.expired"),
        ("not yet", "consent.not-yet-valid"),
    ],
)
def test_a_call_without_a_consent_in_force_is_refused_naming_the_subject_and_recorded(platform, world, case, rule):
    if case != "none":
        period = {"valid_from": "2026-04-01"} if case == "not yet" else {}
        consent_id = grant(platform, world, product=PROFILE if case == "other product" else VERIFY, **period)
        if case == "revoked":
            firm = scenarios.principal(platform, "firm.admin")
            scenarios.run(platform, consent.revoke, principal=firm, consent_id=consent_id)
        if case == "expired":
            scenarios.at("2027-01-01")
    login = "bank2.admin" if case == "other consumer" else "bank.admin"
    purpose = "public_welfare" if case == "other purpose" else "industry"
    before = len(entries(platform, "consent.refused"))
    error = refusal_of(lambda: require(platform, world, [ACTIVE.code], purpose=purpose, login=login))
    assert error.rule == rule
    assert error.extra == {"position": 1, "credit_code": ACTIVE.code}
    assert "第 1 个主体" in error.detail
    recorded = entries(platform, "consent.refused")
    assert len(recorded) == before + 1
    assert json.loads(recorded[-1].payload) | {"consumer": 0} == {
        "rule": rule,
        "consumer": 0,
        "product": world.products[VERIFY],
        "purpose": purpose,
        "position": 1,
        "credit_code": ACTIVE.code,
    }


def test_a_batch_names_the_first_subject_without_consent_by_its_place_in_the_request(platform, world):
    grant(platform, world)
    error = refusal_of(lambda: require(platform, world, [ACTIVE.code, ACTIVE.code, OTHER.code]))
    assert (error.rule, error.extra) == ("consent.missing", {"position": 3, "credit_code": OTHER.code})


def test_the_scheduler_marks_a_consent_expired_after_its_last_day(platform, world):
    consent_id = grant(platform, world, valid_until="2026-03-31")
    scenarios.at("2026-03-31")
    assert not any(line.startswith("consent") for line in scenarios.tick(platform))
    scenarios.at("2026-04-01")
    assert f"consent {consent_id} expired" in scenarios.tick(platform)
    with platform.read() as session:
        assert session.get(consent.Consent, consent_id).state == "expired"
    assert refusal_of(lambda: require(platform, world, [ACTIVE.code])).rule == "consent.expired"


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"valid_until": "2027-03-02"}, "consent.period-too-long"),
        ({"valid_until": "2026-03-01"}, "consent.period-order"),
        ({"product": TEMPLATE}, "consent.product"),
        ({"product": DELISTED}, "consent.product"),
        ({"product": "CP-9999"}, "consent.product"),
        ({"purpose": "public_governance"}, "consent.purpose"),
        ({"purpose": "gossip"}, "consent.purpose-unknown"),
    ],
)
def test_a_grant_the_rules_do_not_allow_is_refused(platform, world, changes, rule):
    if changes.get("product") in (TEMPLATE, DELISTED):
        world.codes[changes["product"]] = listed(platform, changes["product"])  # the clock moves on with it
    assert refusal_of(lambda: grant(platform, world, **changes)).rule == rule


def test_a_second_overlapping_grant_is_refused_until_the_first_is_revoked(platform, world):
    first = grant(platform, world)
    assert refusal_of(lambda: grant(platform, world, valid_from="2026-06-01")).rule == "consent.overlap"
    scenarios.run(platform, consent.revoke, principal=scenarios.principal(platform, "firm.admin"), consent_id=first)
    assert grant(platform, world, valid_from="2026-06-01") != first


def test_only_a_subject_grants_and_only_to_a_consumer(platform, world):
    body = ConsentIn(
        consumer_id=world.accounts["bank"].organisation_id,
        product_code=world.codes[VERIFY],
        purpose="industry",
        valid_from="2026-03-02",
        valid_until="2026-12-31",
    )
    bank = scenarios.principal(platform, "bank.admin")
    assert refusal_of(lambda: scenarios.run(platform, consent.grant, principal=bank, body=body)).rule == (
        "identity.permission"
    )
    firm = scenarios.principal(platform, "firm.admin")
    to_operator = body.model_copy(update={"consumer_id": world.accounts["operator"].organisation_id})
    assert refusal_of(lambda: scenarios.run(platform, consent.grant, principal=firm, body=to_operator)).rule == (
        "consent.consumer"
    )


# --- uses -------------------------------------------------------------------------------------------------------


def test_uses_are_recorded_in_the_callers_transaction_and_the_subject_sees_every_one(platform, world):
    consent_id = grant(platform, world)
    bank = scenarios.principal(platform, "bank.admin")
    for _ in range(2):
        with platform.command() as session:
            found = consent.require(
                session,
                consumer_id=bank.organisation_id,
                product_id=world.products[VERIFY],
                purpose="industry",
                credit_codes=[ACTIVE.code],
            )
            consent.record_uses(session, consents=found.values(), contract_id=world.contract_id, actor=bank.actor)
    [*_, entry] = entries(platform, "consent.use")
    assert len(entries(platform, "consent.use")) == 2
    assert json.loads(entry.payload)["consents"] == [consent_id]
    assert entry.subject == f"contract:{world.contract_id}"
    with TestClient(create_app(platform)) as client:
        firm = world.accounts["firm"]
        uses = client.get(f"/api/v1/consents/{consent_id}/uses", headers=firm.headers).json()
        assert [(use["consumer"], use["product_code"], use["contract_id"]) for use in uses] == [
            ("池州农村商业银行", world.codes[VERIFY], world.contract_id)
        ] * 2
        [listed] = client.get("/api/v1/consents", headers=firm.headers).json()
        assert listed["uses"] == 2
        # The bank sees its own consent's uses; the other bank, nothing of it.
        assert (
            len(client.get(f"/api/v1/consents/{consent_id}/uses", headers=world.accounts["bank"].headers).json()) == 2
        )
        other = world.accounts["bank2"].headers
        for path in (f"/api/v1/consents/{consent_id}", f"/api/v1/consents/{consent_id}/uses"):
            answer = client.get(path, headers=other)
            assert answer.status_code == 404 and answer.json()["rule"] == "consent.not-found", path
        assert client.post(f"/api/v1/consents/{consent_id}/revoke", headers=other).status_code == 404
        assert client.get("/api/v1/consents", headers=other).json() == []


def test_a_consent_of_another_consumer_cannot_be_used(platform, world):
    grant(platform, world)
    found = require(platform, world, [ACTIVE.code])
    other = scenarios.principal(platform, "bank2.admin")
    with platform.command() as session:
        error = refusal_of(
            lambda: consent.record_uses(
                session, consents=found.values(), contract_id=world.contract_id, actor=other.actor
            )
        )
    assert error.rule == "consent.other-consumer"


# --- letters ----------------------------------------------------------------------------------------------------


def test_a_letter_that_matches_the_registry_is_recorded_by_its_digest_only(platform, world):
    recorded = record_letter(platform, world, legal_rep_name=f" {OTHER.rep[0]} {OTHER.rep[1:]} ")  # spaces do not count
    assert (recorded.via, recorded.letter_sm3, recorded.subject_credit_code) == ("letter", DIGEST, OTHER.code)
    assert require(platform, world, [OTHER.code])[OTHER.code].id == recorded.id
    with platform.read() as session:
        every = list(session.execute(select(LedgerEntry.payload)).scalars())
    assert not [payload for payload in every if OTHER.rep in payload]  # the name is nowhere in the ledger
    [entry] = entries(platform, "consent.letter")
    assert json.loads(entry.payload)["outcome"] == "matched"


def test_a_letter_for_an_enterprise_with_an_account_is_the_enterprises_to_see_and_revoke(platform, world):
    recorded = record_letter(platform, world, credit_code=ACTIVE.code, legal_rep_name=ACTIVE.rep)
    firm = scenarios.principal(platform, "firm.admin")
    assert [c.id for c in scenarios.read(platform, consent.list_for, principal=firm)] == [recorded.id]
    scenarios.run(platform, consent.revoke, principal=firm, consent_id=recorded.id, reason="不再合作")
    assert refusal_of(lambda: require(platform, world, [ACTIVE.code])).rule == "consent.revoked"


@pytest.mark.parametrize(
    "changes",
    [
        {"legal_rep_name": "欧阳不是"},  # another name
        {"credit_code": UNKNOWN_CODE},  # no such entity
        {"credit_code": CLOSED.code, "legal_rep_name": CLOSED.rep},  # no longer active
        {"legal_rep_name": ACTIVE.rep},  # another entity's representative
    ],
)
def test_a_letter_that_does_not_match_is_refused_alike_recorded_and_counted(platform, world, changes):
    before = checks_left(platform)
    error = refusal_of(lambda: record_letter(platform, world, **changes))
    assert (error.rule, error.status, error.detail_in("en")) == (
        "consent.letter-mismatch",
        403,
        "The letter does not match the registry entry and was not recorded; the check is in the ledger and counts "
        "against today's letter checks.",
    )
    [entry] = entries(platform, "consent.letter-refused")
    payload = json.loads(entry.payload)
    assert payload["outcome"] == "not-matched" and payload["letter_sm3"] == DIGEST
    assert changes.get("legal_rep_name", OTHER.rep) not in entry.payload
    after = checks_left(platform)
    assert after == before - 1
    with platform.read() as session:
        assert session.scalars(select(consent.Consent)).all() == []


def test_letter_checks_are_limited_per_consumer_and_day(platform, world, monkeypatch):
    monkeypatch.setattr(rules, "LETTER_CHECKS_PER_DAY", 2)
    for _ in range(2):
        assert (
            refusal_of(lambda: record_letter(platform, world, legal_rep_name="欧阳不是")).rule
            == "consent.letter-mismatch"
        )
    assert refusal_of(lambda: record_letter(platform, world)).rule == "consent.letter-limit"
    assert record_letter(platform, world, login="bank2.admin").consumer_id == world.accounts["bank2"].organisation_id
    scenarios.at("2026-03-03")
    assert record_letter(platform, world).via == "letter"


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"credit_code": OTHER.code[:-1] + ("0" if OTHER.code[-1] != "0" else "1")}, "consent.credit-code"),
        ({"letter_sm3": "xyz"}, "consent.letter-digest"),
        ({"letter_sm3": None}, "consent.letter-missing"),
        ({"legal_rep_name": "   "}, "consent.letter-rep-name"),
        ({"purpose": "public_governance"}, "consent.purpose"),
        ({"valid_until": "2027-06-30"}, "consent.period-too-long"),
    ],
)
def test_a_malformed_letter_is_refused_before_the_registry_is_read(platform, world, changes, rule):
    assert refusal_of(lambda: record_letter(platform, world, **changes)).rule == rule
    assert checks_left(platform) == rules.LETTER_CHECKS_PER_DAY
    assert entries(platform, "consent.letter-refused") == []


def test_a_letter_for_another_consumer_is_refused_and_recorded(platform, world):
    other = world.accounts["bank2"].organisation_id
    assert refusal_of(lambda: record_letter(platform, world, consumer_id=other)).rule == "consent.other-consumer"
    assert json.loads(entries(platform, "consent.letter-refused")[0].payload)["outcome"] == "other-consumer"


def test_the_api_takes_the_letter_file_and_keeps_its_digest(platform, world):
    bank = world.accounts["bank"].headers
    fields = {k: str(v) for k, v in letter(world).model_dump(exclude={"letter_sm3", "consumer_id"}).items()}
    pdf = b"%PDF-1.7\n" + b"x" * 5000
    with TestClient(create_app(platform)) as client:
        answer = client.post("/api/v1/consents/letters", headers=bank, data=fields, files={"file": ("letter.pdf", pdf)})
        assert answer.status_code == 201, answer.text
        assert answer.json()["letter_sm3"] == sm3(pdf)
        text = client.post(
            "/api/v1/consents/letters",
            headers=bank | {"Accept-Language": "en"},
            data=fields | {"credit_code": ACTIVE.code, "legal_rep_name": ACTIVE.rep},
            files={"file": ("letter.txt", b"hello")},
        )
        assert (text.status_code, text.json()["rule"]) == (422, "consent.letter-format")
        as_json = client.post(
            "/api/v1/consents/letters",
            headers=bank,
            json=fields | {"credit_code": ACTIVE.code, "legal_rep_name": ACTIVE.rep, "letter_sm3": DIGEST},
        )
        assert as_json.status_code == 201, as_json.text
        assert client.get("/api/v1/consents", headers=bank).json()[0]["letter_sm3"] == DIGEST
    assert not list((platform.settings.domain_dir / "incoming").rglob("upload-*"))  # the file is gone


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/consents", {"consumer_id": 0}),
        (
            "post",
            "/api/v1/consents",
            {"consumer_id": 2**40, "product_code": "x", "purpose": "y", "valid_from": "2026-01-01", "valid_until": "x"},
        ),
        ("post", "/api/v1/consents", "not json"),
        ("post", "/api/v1/consents/letters", "{"),
        ("post", "/api/v1/consents/letters", []),
        ("post", "/api/v1/consents/letters", {"credit_code": "x" * 40}),
        (
            "post",
            "/api/v1/consents/letters",
            {
                "credit_code": "1",
                "legal_rep_name": "a",
                "product_code": "b",
                "purpose": "c",
                "valid_from": "2026-03-02",
                "valid_until": "2026-03-02",
                "letter_sm3": "z" * 64,
            },
        ),
        ("post", "/api/v1/consents/99999999999/revoke", None),
        ("get", "/api/v1/consents/0", None),
        ("get", "/api/v1/consents/2147483647/uses", None),
    ],
)
def test_no_input_makes_a_server_error(platform, world, method, path, body):
    with TestClient(create_app(platform)) as client:
        headers = world.accounts["bank"].headers
        if isinstance(body, str):
            answer = client.request(method, path, headers=headers | {"Content-Type": "application/json"}, content=body)
        else:
            answer = client.request(method, path, headers=headers, json=body)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text)
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["rule"]


def test_a_letter_file_over_the_limit_is_refused_by_its_size(platform, world):
    bank = world.accounts["bank"].headers
    fields = {k: str(v) for k, v in letter(world).model_dump(exclude={"letter_sm3", "consumer_id"}).items()}
    big = b"%PDF-1.7\n" + b"x" * rules.LETTER_MAX_BYTES
    with TestClient(create_app(platform)) as client:
        answer = client.post("/api/v1/consents/letters", headers=bank, data=fields, files={"file": ("l.pdf", big)})
        assert (answer.status_code, answer.json()["rule"]) == (413, "consent.letter-size")
        huger = client.post("/api/v1/consents/letters", headers=bank, data=fields, files={"file": ("l.pdf", big + big)})
        assert (huger.status_code, huger.json()["rule"]) == (413, "http.body-too-large")
    assert checks_left(platform) == rules.LETTER_CHECKS_PER_DAY


def test_a_data_subjects_account_is_named_by_its_credit_code(platform, world):
    from pubdata.identity import service as identity

    with platform.command() as session:
        error = refusal_of(
            lambda: identity.create_organisation(session, principal=scenarios.AS_CLI, kind="subject", name="无代码企业")
        )
    assert error.rule == "identity.subject-credit-code"
