"""Encrypted joint scoring through the services: the bank registers its public CKKS context, encrypts its
private features by column, and decrypts the platform's answer; the score equals the plain computation over the
domain's public features (the credit profile's) and the definition's weights. Every subject needs its consent;
a context with a secret key, another key, or features other than the definition's are refused."""

from __future__ import annotations

import pytest

from pubdata.common.errors import Refused
from pubdata.privacy import runs
from pubdata.products import definitions
from pubdata.products.definitions import TAX_CREDIT_LEVELS
from pubdata_client import scoring as client
from pubdata_protocol import messages as wire
from tests.privacy_computing.world import ENTERPRISES, SCORING, build_world, contract_of, entries, latest_ratings, offer
from tests.scenarios import principal


@pytest.fixture
def world(platform, city):
    return build_world(platform)


def register(platform, code: str, context: bytes, login: str = "bank.admin") -> wire.KeyOut:
    return runs.register_key(
        platform,
        principal=principal(platform, login),
        code=code,
        body=wire.KeyIn(context=wire.encode(context)),
        domain_dir=platform.settings.domain_dir,
    )


def score(platform, code: str, request: wire.ScoringRequest, login: str = "bank.admin") -> wire.ScoringAnswer:
    return runs.score(
        platform,
        principal=principal(platform, login),
        code=code,
        request=request,
        engine=platform.query_engine,
        domain_dir=platform.settings.domain_dir,
    )


def request_for(offered, key_id: str, subjects, encrypted, **changed) -> wire.ScoringRequest:
    values = {
        "set_version": offered.set_version,
        "key_id": key_id,
        "nonce": wire.new_nonce(),
        "subjects": tuple(subjects),
        "features": {name: wire.encode(data) for name, data in encrypted.items()},
    }
    return wire.ScoringRequest.model_validate(values | changed)


def plain_score(subject: str, latest: dict[str, str], private: dict[str, float]) -> float:
    definition = definitions.parse(SCORING)
    level = TAX_CREDIT_LEVELS.get(latest.get(subject, ""))
    public = definition.plain_part({"tax_credit_level": None if level is None else float(level)})
    return public + sum(definition.weights()[name] * value for name, value in private.items())


def test_the_joint_score_is_the_plain_score_and_the_run_is_charged_per_subject(platform, world):
    code = world["codes"]["scoring"]
    secret, public = client.new_keys()
    key = register(platform, code, public)
    offered = offer(platform, code)
    assert offered.key_id == key.key_id and [f.name for f in offered.features] == ["income", "overdue"]
    subjects = ENTERPRISES[:3]  # the three that consented
    income, overdue = [120.0, 40.0, 300.0], [0.0, 3.0, 1.0]
    encrypted = client.encrypt(secret, {"income": income, "overdue": overdue})
    answer = score(platform, code, request_for(offered, key.key_id, subjects, encrypted))
    scores = client.decrypt(secret, wire.decode(answer.score, limit=wire.MAX_CIPHERTEXT), len(subjects))
    latest = latest_ratings(world["rows"])
    expected = [
        plain_score(s, latest, {"income": i, "overdue": o}) for s, i, o in zip(subjects, income, overdue, strict=True)
    ]
    assert scores == pytest.approx(expected, abs=1e-3)
    contract = contract_of(platform, world["contracts"]["scoring"])
    assert (contract.calls_used, contract.rows_used) == (1, 3)
    (charge,) = [e for e in entries(platform, "contract.call") if e["payload"].get("protocol") == "joint_scoring"]
    assert charge["payload"]["items"] == 3 and charge["payload"]["key_id"] == key.key_id
    assert len(entries(platform, "consent.use")) == 1


def _refused(call, *args, **kwargs) -> Refused:
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)
    return caught.value


def test_scoring_refusals(platform, world):
    code = world["codes"]["scoring"]
    secret, public = client.new_keys()
    assert _refused(register, platform, code, secret).rule == "privacy.message"  # a secret key never comes here
    assert _refused(register, platform, world["codes"]["psi"], public).rule == "privacy.keys-scoring-only"
    key = register(platform, code, public)
    offered = offer(platform, code)
    encrypted = client.encrypt(secret, {"income": [1.0, 2.0], "overdue": [0.0, 1.0]})
    without_consent = request_for(offered, key.key_id, [ENTERPRISES[0], ENTERPRISES[10]], encrypted)
    error = _refused(score, platform, code, without_consent)
    assert error.rule == "consent.missing" and error.params["position"] == 2
    one = client.encrypt(secret, {"income": [1.0, 2.0]})
    assert _refused(score, platform, code, request_for(offered, key.key_id, ENTERPRISES[:2], one)).rule == (
        "privacy.features"
    )
    other_key = request_for(offered, "0" * 64, ENTERPRISES[:2], encrypted)
    assert _refused(score, platform, code, other_key).rule == "privacy.wrong-key"
    stale = request_for(offered, key.key_id, ENTERPRISES[:2], encrypted, set_version="1" * 64)
    assert _refused(score, platform, code, stale).rule == "privacy.stale-set"
    garbage = request_for(offered, key.key_id, ENTERPRISES[:2], {"income": b"\x00" * 64, "overdue": b"\x00" * 64})
    assert _refused(score, platform, code, garbage).rule == "privacy.message"
    repeated = request_for(offered, key.key_id, [ENTERPRISES[0], ENTERPRISES[0]], encrypted)
    assert _refused(score, platform, code, repeated).rule == "privacy.subject-repeated"
    assert contract_of(platform, world["contracts"]["scoring"]).calls_used == 0
