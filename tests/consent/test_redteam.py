"""Red team: text no database or UTF-8 can hold (a lone surrogate, JSON's ``\\ud800``) or a control character in
any string of the new commands' bodies is a 4xx problem+json, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from tests.consent.conftest import ACTIVE, VERIFY

BAD = ("\\ud800", "\\u0000", "\\u001b[31m")


def _bodies(world):
    bank = world.accounts["bank"].organisation_id
    code = world.codes[VERIFY]
    yield (
        "firm",
        "/api/v1/consents",
        {
            "consumer_id": bank,
            "product_code": code,
            "purpose": "industry",
            "valid_from": "2026-03-02",
            "valid_until": "2026-06-30",
        },
    )
    yield (
        "bank",
        "/api/v1/consents/letters",
        {
            "credit_code": ACTIVE.code,
            "legal_rep_name": ACTIVE.rep,
            "product_code": code,
            "purpose": "industry",
            "valid_from": "2026-03-02",
            "valid_until": "2026-06-30",
            "letter_sm3": "a" * 64,
        },
    )
    yield (
        "bank",
        "/api/v1/demands",
        {
            "title": "企业数据",
            "data_wanted": "企业登记",
            "use": "信贷",
            "purpose": "industry",
        },
    )
    yield (
        "operator",
        "/api/v1/scenarios",
        {
            "name": "场景",
            "field": "inclusive_finance",
            "users": "银行",
            "resources": ["CZ-FR-0001"],
            "purpose": "industry",
            "benefit": "融资",
            "risk": {},
        },
    )


def _raw(value):
    import json

    return json.dumps(value, ensure_ascii=True)


@pytest.mark.parametrize("bad", BAD)
def test_no_string_of_a_new_body_makes_a_server_error(platform, world, bad):
    with TestClient(create_app(platform)) as client:
        for who, path, body in _bodies(world):
            for key, value in body.items():
                if not isinstance(value, str):
                    continue
                text = _raw(body).replace(_raw(value), '"' + _raw(value)[1:-1] + bad + '"', 1)
                headers = world.accounts[who].headers | {"Content-Type": "application/json"}
                answer = client.post(path, headers=headers, content=text)
                assert 400 <= answer.status_code < 500, (path, key, answer.status_code, answer.text[:300])
                assert answer.headers["content-type"].startswith("application/problem+json"), (path, key)


def test_a_profile_reads_only_the_fields_it_declares(platform, world):
    """A scorecard without the years since establishment answers over a registry that has no such field (the
    profile's SQL read ``established_date`` whatever its factors, so every call failed generically)."""
    from pubdata.engines.duckdb import DuckDBEngine
    from pubdata.products import compute
    from pubdata.products import service as products
    from tests.consent.conftest import CLOSED, PROFILE

    with platform.read() as session:
        definition = products.definition_of(products.find(session, code=world.codes[PROFILE]))
        answers = compute.answer_subjects(
            session,
            definition=definition,
            credit_codes=[ACTIVE.code, CLOSED.code],
            engine=DuckDBEngine(store=platform.settings.domain_dir),
        )
    assert [answer.fields["band"] for answer in answers] == ["A", "C"]
    assert set(answers[0].fields) == {"credit_code", "score", "band", "reasons"}
