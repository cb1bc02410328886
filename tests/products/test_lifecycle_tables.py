"""A released statistical table (统计数据表): a job's output released by both the operator and the bureau,
published as a product pinned to that job, output and digest; publishing it again is a new version, reviewed
again before it is offered."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.common.errors import Refused
from pubdata.products import service as products
from pubdata.products.schemas import PublishTableIn
from tests.products.builders import approved_scenario
from tests.scenarios import PASSED_CHECKLIST, principal, read, run, run_next_job, submit_job

COUNTS = "SELECT district, count(*) AS persons FROM cz_rk_0001 GROUP BY district"
OUTPUTS = [
    {
        "format": "parquet",
        "columns": [{"name": "district", "type": "string"}, {"name": "persons", "type": "integer"}],
        "count_column": "persons",
    }
]


def _held_job(platform, client, deal) -> dict:
    submitted = submit_job(
        client, deal["partner"], deal["contract_id"], COUNTS, kind="sql", requirements=(), outputs=OUTPUTS
    )
    assert submitted.status_code == 201, submitted.text
    job_id = submitted.json()["id"]
    reviewed = client.post(
        f"/api/v1/jobs/{job_id}/review", headers=deal["operator"].headers, json={"approve": True, "note": "代码已审"}
    )
    assert reviewed.json()["state"] == "approved", reviewed.text
    assert run_next_job(platform).job_id == job_id
    job = client.get(f"/api/v1/jobs/{job_id}", headers=deal["operator"].headers).json()
    assert job["state"] == "held", job
    return job


def _released_job(platform, client, deal) -> dict:
    job = _held_job(platform, client, deal)
    client.post(f"/api/v1/jobs/{job['id']}/release", headers=deal["operator"].headers)
    released = client.post(f"/api/v1/jobs/{job['id']}/release", headers=deal["bureau"].headers).json()
    assert released["state"] == "released"
    return job


def _publish(platform, job_id: int, scenario: int, **changes) -> products.Product:
    body = {
        "job_id": job_id,
        "output": "output-1.parquet",
        "scenario_id": scenario,
        "name": "分区人口统计表",
        "description": "各区县常住人口数，按季度更新。",
        "purposes": ["industry"],
        **changes,
    }
    return run(
        platform, products.publish_table, principal=principal(platform, "partner.admin"), body=PublishTableIn(**body)
    )


def test_a_released_output_is_published_as_a_statistical_table_pinned_to_its_digest(platform, partner_deal):
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    with TestClient(create_app(platform)) as client:
        held = _held_job(platform, client, partner_deal)
        with pytest.raises(Refused) as refused:
            _publish(platform, held["id"], scenario)
        assert refused.value.rule == "product.job-not-released"
        client.post(f"/api/v1/jobs/{held['id']}/release", headers=partner_deal["operator"].headers)
        with pytest.raises(Refused) as refused:  # one release of the two is not enough
            _publish(platform, held["id"], scenario)
        assert refused.value.rule == "product.job-not-released"
        client.post(f"/api/v1/jobs/{held['id']}/release", headers=partner_deal["bureau"].headers)
        with pytest.raises(Refused) as refused:
            _publish(platform, held["id"], scenario, output="run.txt")
        assert refused.value.rule == "product.job-output"
        product = _publish(platform, held["id"], scenario)
        files = client.get(f"/api/v1/jobs/{held['id']}", headers=partner_deal["operator"].headers).json()["files"]
    definition = products.definition_of(product)
    assert product.kind == "statistical_table" and product.delivery == "table" and product.version == 1
    assert definition.job_id == held["id"] and definition.output == "output-1.parquet"
    assert definition.output_digest == next(item["sha256"] for item in files if item["name"] == "output-1.parquet")
    assert definition.resources == ("CZ-RK-0001",)
    assert product.operator_id == partner_deal["operator"].organisation_id
    assert json.loads(product.definition)["output_digest"] == definition.output_digest


def test_publishing_the_same_table_again_is_a_new_version_reviewed_again(platform, partner_deal):
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    with TestClient(create_app(platform)) as client:
        first = _released_job(platform, client, partner_deal)
        code = _publish(platform, first["id"], scenario).code
        partner = principal(platform, "partner.admin")
        run(platform, products.submit_review, principal=partner, code=code)
        run(
            platform,
            products.review,
            principal=principal(platform, "bureau.admin"),
            code=code,
            decision="approve",
            checklist=PASSED_CHECKLIST,
        )
        second = _released_job(platform, client, partner_deal)
    product = _publish(platform, second["id"], scenario, code=code)
    assert product.code == code and product.version == 2 and product.state == "development"
    assert products.definition_of(product).job_id == second["id"]
    assert product.reviewed_digest != product.definition_digest
    with pytest.raises(Refused) as refused:
        read(platform, products.offerable, code=code)
    assert refused.value.rule == "product.not-found"  # never registered nor listed: unknown to a caller


def test_a_table_definition_not_pinning_the_released_file_is_refused(platform, partner_deal):
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    with TestClient(create_app(platform)) as client:
        job = _released_job(platform, client, partner_deal)
        body = {
            "scenario_id": scenario,
            "name": "分区人口统计表",
            "kind": "statistical_table",
            "description": "各区县常住人口数。",
            "delivery": "table",
            "purposes": ["industry"],
            "definition": {
                "kind": "statistical_table",
                "resources": ["CZ-RK-0001"],
                "job_id": job["id"],
                "output": "output-1.parquet",
                "output_digest": "0" * 64,
            },
        }
        forged = client.post("/api/v1/products", headers=partner_deal["partner"].headers, json=body)
        assert forged.status_code == 422 and forged.json()["rule"] == "product.job-output"
        body["definition"]["job_id"] = 2**40
        huge = client.post("/api/v1/products", headers=partner_deal["partner"].headers, json=body)
        assert huge.status_code == 409 and huge.json()["rule"] == "product.job-not-released"
