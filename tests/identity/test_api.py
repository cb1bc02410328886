"""The HTTP API on both databases: authentication, permissions, bad input, ledger endpoints."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.common import clock
from pubdata.ledger import merkle
from pubdata.ledger.signing import verify_signature
from tests.scenarios import PASSWORD, ledger_size, make_account

PROBLEM = "application/problem+json"


@pytest.fixture
def client(platform):
    with TestClient(create_app(platform)) as test_client:
        yield test_client


@pytest.fixture
def bureau(platform):
    return make_account(platform, kind="bureau", name="池州市数据资源局", login="bureau.admin")


@pytest.fixture
def operator(platform):
    return make_account(platform, kind="operator", name="池州数据运营有限公司", login="operator.admin")


def assert_problem(response, status: int, rule: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["rule"] == rule and body["status"] == status and body["detail"]
    return body


def test_health_and_openapi(client):
    assert client.get("/healthz").json()["status"] == "ok"
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/ledger/tree-head" in paths and "/api/v1/organisations" in paths


def test_request_without_token_is_refused(client):
    response = client.get("/api/v1/me")
    assert_problem(response, 401, "identity.no-credentials")
    assert response.headers["www-authenticate"] == "Bearer"


def test_wrong_token_is_refused(client, operator):
    forged = operator.token[:-4] + "AAAA"
    assert_problem(client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}), 401, "identity.bad-token")
    assert_problem(client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}), 401, "identity.bad-token")


def test_expired_token_is_refused(client, platform):
    account = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=1)
    assert client.get("/api/v1/me", headers=account.headers).status_code == 200
    clock.freeze(clock.now() + timedelta(days=1, seconds=1))
    assert_problem(client.get("/api/v1/me", headers=account.headers), 401, "identity.token-expired")


def test_revoked_token_is_refused_at_once(client, operator):
    tokens = client.get("/api/v1/tokens", headers=operator.headers).json()
    assert client.delete(f"/api/v1/tokens/{tokens[0]['id']}", headers=operator.headers).status_code == 200
    assert_problem(client.get("/api/v1/me", headers=operator.headers), 401, "identity.token-revoked")


def test_token_is_shown_once_and_works(client, operator):
    issued = client.post("/api/v1/tokens", json={"name": "script", "days": 7}, headers=operator.headers)
    assert issued.status_code == 201
    token = issued.json()["token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()["login"] == "operator.admin"
    listed = client.get("/api/v1/tokens", headers=operator.headers).json()
    assert all("token" not in item and "secret_hash" not in item for item in listed)


def test_another_organisations_objects_answer_404(client, bureau, operator, platform):
    bank = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin")
    for path in (
        f"/api/v1/organisations/{bank.organisation_id}",
        f"/api/v1/organisations/{bank.organisation_id}/users",
        f"/api/v1/users/{bank.user_id}",
    ):
        body = assert_problem(client.get(path, headers=operator.headers), 404, "identity.not-found")
        assert "池州农村商业银行" not in json.dumps(body, ensure_ascii=False)
    missing = assert_problem(
        client.get("/api/v1/organisations/999", headers=operator.headers), 404, "identity.not-found"
    )
    assert (
        missing["detail"]
        == client.get(f"/api/v1/organisations/{bank.organisation_id}", headers=operator.headers).json()["detail"]
    )
    assert_problem(
        client.post(
            f"/api/v1/organisations/{bank.organisation_id}/users",
            headers=operator.headers,
            json={"login": "intruder", "display_name": "x", "role": "admin", "password": PASSWORD},
        ),
        404,
        "identity.not-found",
    )
    assert [org["id"] for org in client.get("/api/v1/organisations", headers=operator.headers).json()] == [
        operator.organisation_id
    ]


def test_bureau_admin_sees_all_and_creates_organisations_and_users(client, bureau, operator):
    assert len(client.get("/api/v1/organisations", headers=bureau.headers).json()) == 2
    created = client.post(
        "/api/v1/organisations", headers=bureau.headers, json={"kind": "provider", "name": "池州市公安局"}
    )
    assert created.status_code == 201
    org_id = created.json()["id"]
    user = client.post(
        f"/api/v1/organisations/{org_id}/users",
        headers=bureau.headers,
        json={"login": "police.admin", "display_name": "数据专员", "role": "admin", "password": PASSWORD},
    )
    assert user.status_code == 201 and "password" not in user.text and "argon2" not in user.text


def test_member_may_not_create_users_in_its_own_organisation(client, platform, operator):
    member = make_account(
        platform, kind="operator", name="池州数据运营有限公司", login="operator.member", role="member"
    )
    response = client.post(
        f"/api/v1/organisations/{operator.organisation_id}/users",
        headers=member.headers,
        json={"login": "newbie", "display_name": "x", "role": "member", "password": PASSWORD},
    )
    assert_problem(response, 403, "identity.permission")


def test_operator_may_not_create_organisations(client, operator):
    assert_problem(
        client.post("/api/v1/organisations", headers=operator.headers, json={"kind": "partner", "name": "某公司"}),
        403,
        "identity.permission",
    )


def test_deactivated_user_is_refused_the_same_second(client, bureau, operator):
    assert (
        client.patch(f"/api/v1/users/{operator.user_id}", headers=bureau.headers, json={"active": False}).status_code
        == 200
    )
    assert_problem(client.get("/api/v1/me", headers=operator.headers), 401, "identity.token-revoked")


@pytest.mark.parametrize(
    "body,content_type,status,rule",
    [
        (b'{"kind": "provider", "name": ', "application/json", 400, "http.malformed-json"),
        (b'{"kind": "provider", "name": "x", "colour": "red"}', "application/json", 422, "http.validation"),
        (b'{"kind": "wizard", "name": "x"}', "application/json", 422, "identity.organisation-kind"),
        (
            b'{"kind": "partner", "name": "x", "credit_code": "91341700MA0000001A"}',
            "application/json",
            422,
            "identity.credit-code",
        ),
        (b'{"kind": "provider", "name": "' + b"x" * 2_000_000 + b'"}', "application/json", 413, "http.body-too-large"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(client, platform, bureau, body, content_type, status, rule):
    before = ledger_size(platform)
    response = client.post(
        "/api/v1/organisations", content=body, headers={**bureau.headers, "Content-Type": content_type}
    )
    assert_problem(response, status, rule)
    assert ledger_size(platform) == before
    assert len(client.get("/api/v1/organisations", headers=bureau.headers).json()) == 1


def test_duplicate_login_is_a_conflict(client, bureau):
    body = {"login": "bureau.admin", "display_name": "x", "role": "member", "password": PASSWORD}
    assert_problem(
        client.post(f"/api/v1/organisations/{bureau.organisation_id}/users", headers=bureau.headers, json=body),
        409,
        "identity.login-taken",
    )


def test_validation_errors_do_not_echo_the_input(client, bureau):
    secret_looking = "341702199003071234"
    response = client.post("/api/v1/tokens", headers=bureau.headers, json={"name": "x", "days": secret_looking})
    assert response.status_code == 422
    assert secret_looking not in response.text


# --- ledger endpoints -------------------------------------------------------------------------------


def test_tree_head_is_public_and_its_signature_verifies(client, bureau):
    head = client.get("/api/v1/ledger/tree-head").json()
    assert head["size"] == ledger_size(client.app.state.platform) and head["hash_algorithm"] == "sm3"
    assert head["signature_algorithm"] == "sm2"
    assert verify_signature(
        "sm2",
        base64.b64decode(head["public_key"]),
        base64.b64decode(head["signature"]),
        head["signed_message"].encode(),
    )
    assert json.loads(head["signed_message"])["root_hash"] == head["root_hash"]


def test_entry_with_inclusion_proof_verifies_independently(client, bureau, operator):
    """Anyone verifies the public leaf hash; the auditor also recomputes it from the leaf's document."""
    size = client.get("/api/v1/ledger/tree-head").json()["size"]
    h = merkle.Hasher("sm3")
    for seq in range(size):
        answer = client.get(f"/api/v1/ledger/entries/{seq}").json()
        leaf = bytes.fromhex(answer["entry"]["leaf_hash"])
        document = client.get(f"/api/v1/ledger/entries/{seq}/payload", headers=bureau.headers).json()["document"]
        assert h.leaf(document.encode()) == leaf
        path = [bytes.fromhex(p) for p in answer["inclusion_proof"]["audit_path"]]
        root = bytes.fromhex(answer["tree_head"]["root_hash"])
        assert merkle.verify_inclusion(h, seq, answer["tree_head"]["size"], leaf, path, root)
        assert "payload" not in answer["entry"]


def test_consistency_proof_verifies(client, bureau, operator):
    first = client.get("/api/v1/ledger/tree-head").json()
    client.post("/api/v1/tokens", json={"name": "more"}, headers=operator.headers)
    second = client.get("/api/v1/ledger/tree-head").json()
    proof = client.get(f"/api/v1/ledger/consistency?first={first['size']}&second={second['size']}").json()
    assert proof["first_root"] == first["root_hash"] and proof["second_root"] == second["root_hash"]
    h = merkle.Hasher("sm3")
    path = [bytes.fromhex(p) for p in proof["consistency_path"]]
    assert merkle.verify_consistency(
        h, first["size"], second["size"], bytes.fromhex(first["root_hash"]), bytes.fromhex(second["root_hash"]), path
    )


def test_bad_proof_ranges_are_refused(client, bureau):
    assert_problem(client.get("/api/v1/ledger/entries/999"), 404, "ledger.no-such-entry")
    assert_problem(client.get("/api/v1/ledger/consistency?first=5&second=2"), 422, "ledger.proof-range")
    assert_problem(client.get("/api/v1/ledger/consistency?first=0&second=2"), 422, "http.validation")


def test_payloads_are_for_the_regulator_and_the_auditor_and_reading_one_is_recorded(client, platform, bureau, operator):
    assert_problem(client.get("/api/v1/ledger/entries/0/payload"), 401, "identity.no-credentials")
    assert_problem(client.get("/api/v1/ledger/entries/0/payload", headers=operator.headers), 403, "identity.permission")
    before = ledger_size(platform)
    answer = client.get("/api/v1/ledger/entries/0/payload", headers=bureau.headers)
    assert answer.status_code == 200 and answer.json()["payload"]["kind"] == "bureau"
    latest = client.get("/api/v1/ledger/entries?limit=1").json()[0]
    assert ledger_size(platform) == before + 1 and latest["action"] == "ledger.payload.read"
