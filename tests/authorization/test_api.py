"""The authorization API on both databases: grant, sign, admit, check scope, evaluate, exit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from tests.scenarios import SCORES, SCORES_FOR, SELECTION, at


@pytest.fixture
def client(platform, city):
    with TestClient(create_app(platform)) as test_client:
        yield test_client


def test_an_agreement_through_the_api(client, city):
    bureau, operator, partner = city["bureau"], city["operator"], city["partner"]
    at("2026-01-05")
    body = {
        "operator_id": operator.organisation_id,
        "tender_reference": "CZZB-2025-001",
        "selection": SELECTION,
        "scope": {"resources": ["CZ-RK-0001"], "sectors": ["urban_management"]},
        "security_duties": "落实数据安全主体责任",
    }
    assert client.post("/api/v1/agreements", headers=operator.headers, json=body).status_code == 403
    agreement = client.post("/api/v1/agreements", headers=bureau.headers, json=body).json()
    assert agreement["state"] == "draft" and agreement["scope"]["max_grade"] == "general-4"
    assert (
        client.post(f"/api/v1/agreements/{agreement['id']}/signatures", headers=city["security"].headers).json()["rule"]
        == "authorization.wrong-signatory"
    )
    hidden = client.post(f"/api/v1/agreements/{agreement['id']}/signatures", headers=partner.headers)
    assert hidden.status_code == 404 and hidden.json()["rule"] == "authorization.not-found"
    client.post(f"/api/v1/agreements/{agreement['id']}/signatures", headers=bureau.headers)
    signed = client.post(f"/api/v1/agreements/{agreement['id']}/signatures", headers=operator.headers).json()
    assert (signed["state"], signed["expires_on"]) == ("active", "2029-01-04")

    wide = client.post(
        f"/api/v1/agreements/{agreement['id']}/partners",
        headers=operator.headers,
        json={"partner_id": partner.organisation_id, "scope": {"sectors": ["taxation"]}},
    )
    assert wide.status_code == 422 and wide.json()["rule"] == "authorization.partner-scope-too-wide"
    admitted = client.post(
        f"/api/v1/agreements/{agreement['id']}/partners",
        headers=operator.headers,
        json={"partner_id": partner.organisation_id, "scope": {"resources": ["CZ-CG-0001"]}},
    )
    assert admitted.status_code == 201
    assert client.get("/api/v1/scope-check/CZ-CG-0001", headers=partner.headers).json() == {
        "resource": "CZ-CG-0001",
        "allowed": True,
    }
    refused = client.get("/api/v1/scope-check/CZ-RK-0001", headers=partner.headers)
    assert refused.status_code == 403 and refused.json()["rule"] == "authorization.out-of-scope"
    assert client.get("/api/v1/ledger/entries?limit=1").json()[0]["action"] == "authorization.use-refused"

    partial = client.post(
        f"/api/v1/agreements/{agreement['id']}/evaluations",
        headers=bureau.headers,
        json={"period": "2026", "scores": {"security": SCORES["security"]}, "result": "pass"},
    )
    assert partial.status_code == 422 and partial.json()["rule"] == "authorization.evaluation-dimensions"
    failed = client.post(
        f"/api/v1/agreements/{agreement['id']}/evaluations",
        headers=bureau.headers,
        json={"period": "2026", "scores": SCORES_FOR["fail"], "result": "fail"},
    )
    assert failed.status_code == 201
    assert client.get("/api/v1/me", headers=operator.headers).status_code == 401
    assert client.get("/api/v1/scope-check/CZ-CG-0001", headers=partner.headers).status_code == 401
    assert (
        client.get(f"/api/v1/agreements/{agreement['id']}", headers=bureau.headers).json()["exit_reason"]
        == "evaluation_failed"
    )
