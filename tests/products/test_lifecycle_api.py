"""The products API: each command over HTTP, refusals as problem+json in Chinese by default."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.common import clock
from pubdata.registration import service as registration
from tests.products.builders import BOTH, POPULATION, approved_scenario, operating_city
from tests.scenarios import PASSED_CHECKLIST, tick


def _body(scenario: int, definition: dict) -> dict:
    return {
        "scenario_id": scenario,
        "name": "分区人口统计",
        "kind": "query_template",
        "description": "按区县统计常住人口数。",
        "delivery": "api",
        "purposes": ["industry"],
        "definition": definition,
    }


def test_a_product_through_the_api_from_creation_to_the_public_list(platform, city):
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    operator, bureau = city["operator"].headers, city["bureau"].headers
    with TestClient(create_app(platform)) as client:
        uncovered = client.post("/api/v1/products", headers=operator, json=_body(scenario, BOTH))
        assert uncovered.status_code == 422
        assert uncovered.headers["content-type"].startswith("application/problem+json")
        assert (
            uncovered.json()["rule"] == "product.scenario-uncovered"
            and "场景建设方案不包括" in uncovered.json()["detail"]
        )
        created = client.post("/api/v1/products", headers=operator, json=_body(scenario, POPULATION))
        assert created.status_code == 201, created.text
        code = created.json()["code"]
        assert created.json()["state_name"] == "开发中" and created.json()["kind_name"] == "查询模板"
        assert client.post(f"/api/v1/products/{code}/submit-review", headers=operator).json()["state"] == "review"
        own = client.post(
            f"/api/v1/products/{code}/review",
            headers=operator,
            json={"decision": "approve", "checklist": PASSED_CHECKLIST},
        )
        assert own.status_code == 403 and own.json()["rule"] == "product.own-review"
        approved = client.post(
            f"/api/v1/products/{code}/review",
            headers=bureau,
            json={"decision": "approve", "checklist": PASSED_CHECKLIST},
        )
        assert approved.status_code == 200 and approved.json()["state"] == "approved"
        assert approved.json()["reviewed_digest"] == approved.json()["definition_digest"]
        unregistered = client.post(f"/api/v1/products/{code}/list", headers=operator)
        assert unregistered.status_code == 409 and unregistered.json()["rule"] == "product.transition"
        application = client.post(f"/api/v1/products/{code}/register", headers=operator, json={})
        assert application.status_code == 201 and application.json()["kind"] == "first"
        queue = client.get("/api/v1/product-registrations", headers=bureau).json()
        assert [item["id"] for item in queue] == [application.json()["id"]]
        accepted = client.post(
            f"/api/v1/product-registrations/{application.json()['id']}/decision",
            headers=bureau,
            json={"decision": "accept"},
        )
        assert accepted.json()["state"] == "notice"
        assert client.get(f"/api/v1/public/products/{code}").status_code == 200  # under notice: public
        objection = {"name": "赵六", "contact": "zhao@example.com", "reason": "用途说明不够清楚"}
        filed = client.post(f"/api/v1/public/products/{code}/objections", json=objection)
        assert filed.status_code == 201 and filed.json()["filed"] is True and "zhao" not in filed.text
        (waiting,) = [item for item in client.get("/api/v1/product-registrations", headers=bureau).json()]
        assert waiting["state"] == "notice"
        with platform.read() as session:
            (objection_row,) = registration.objections_of(session, [waiting["id"]])[waiting["id"]]
        answered = client.post(
            f"/api/v1/product-registrations/objections/{objection_row.id}/answer",
            headers=bureau,
            json={"answer": "dismissed", "reason": "说明已补充"},
        )
        assert answered.status_code == 200 and answered.json()["answer"] == "dismissed"
        assert [item["code"] for item in client.get("/api/v1/products", headers=operator).json()] == [code]
        clock.freeze(clock.now() + timedelta(days=30))
        tick(platform)
        listed = client.post(f"/api/v1/products/{code}/list", headers=operator)
        assert listed.status_code == 200 and listed.json()["registration_number"].startswith("CZCP")
        assert [item["code"] for item in client.get("/api/v1/public/products").json()] == [code]
        no_reason = client.post(f"/api/v1/products/{code}/delist", headers=operator, json={"reason": ""})
        assert no_reason.status_code == 422 and no_reason.json()["rule"] == "product.delist-reason"
        delisted = client.post(f"/api/v1/products/{code}/delist", headers=bureau, json={"reason": "监管要求"})
        assert delisted.json()["state"] == "delisted"
        assert client.get("/api/v1/public/products").json() == []
        assert client.get("/api/v1/products/CP-9999", headers=operator).status_code == 404
