"""A released statistical table as a product: the job's released output, pinned by its digest, read as it was
released; a job not released, or a file changed since, is no table."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.common.errors import Refused
from pubdata.products import compute
from pubdata.products import definitions as d
from tests.scenarios import run_next_job
from tests.scenarios import submit_job as submit

SQL = "SELECT count(*) AS n, avg(household_size) AS mean_size FROM cz_rk_0001"
OUTPUTS = [
    {
        "format": "parquet",
        "columns": [{"name": "n", "type": "integer"}, {"name": "mean_size", "type": "decimal"}],
        "count_column": "n",
    }
]


def held_job(platform, client, deal) -> tuple[int, str]:
    submitted = submit(client, deal["partner"], deal["contract_id"], SQL, kind="sql", requirements=(), outputs=OUTPUTS)
    assert submitted.status_code == 201, submitted.text
    job_id = submitted.json()["id"]
    review = {"approve": True, "note": "已审"}
    client.post(f"/api/v1/jobs/{job_id}/review", headers=deal["operator"].headers, json=review)
    assert run_next_job(platform).job_id == job_id
    path = platform.settings.domain_dir / "jobs" / str(job_id) / "output" / "output-1.parquet"
    return job_id, hashlib.sha256(path.read_bytes()).hexdigest()


def table(job_id: int, digest: str) -> d.StatisticalTable:
    return d.StatisticalTable(resources=("CZ-RK-0001",), job_id=job_id, output="output-1.parquet", output_digest=digest)


def test_a_released_output_is_read_as_a_table_and_a_held_or_changed_one_is_refused(platform, partner_deal):
    deal = partner_deal
    domain = platform.settings.domain_dir
    with TestClient(create_app(platform)) as client:
        job_id, digest = held_job(platform, client, deal)
        with platform.read() as session, pytest.raises(Refused) as held:
            compute.check_definition(session, table(job_id, digest), domain_dir=domain)
        assert held.value.rule == "product.table-output"
        for side in ("operator", "bureau"):
            client.post(f"/api/v1/jobs/{job_id}/release", headers=deal[side].headers)
    with platform.read() as session:
        compute.check_definition(session, table(job_id, digest), domain_dir=domain)
        columns, rows = compute.table_rows(session, definition=table(job_id, digest), domain_dir=domain)
        assert columns == ["n", "mean_size"] and rows[0][0] == 20
        with pytest.raises(Refused):
            compute.table_rows(session, definition=table(job_id, "0" * 64), domain_dir=domain)
    path = domain / "jobs" / str(job_id) / "output" / "output-1.parquet"
    path.write_bytes(path.read_bytes() + b"\0")
    with platform.read() as session, pytest.raises(Refused) as changed:
        compute.table_rows(session, definition=table(job_id, digest), domain_dir=domain)
    assert changed.value.rule == "product.table-output"
