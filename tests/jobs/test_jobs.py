"""Development on mock data and jobs on the real data, on both databases, with real bubblewrap.

A partner writes code against mock data, submits it, the operator's reviewer approves it, it runs isolated,
its output is checked and held, the operator's reviewer and the bureau release it, and only then does the
partner download it — every step in the ledger. Jobs survive a restart; refusals name their rule.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from pubdata.app import create_app
from pubdata.authorization import evaluation
from pubdata.authorization.models import Agreement
from pubdata.common.actor import SYSTEM
from pubdata.common.clock import SHANGHAI
from pubdata.jobs import isolation, outputs, worker
from pubdata.jobs.models import Job
from pubdata.ledger.models import LedgerEntry
from tests.scenarios import MODEL_SCRIPT, PASSWORD, page_client, principal, real_ids, run, run_next_job
from tests.scenarios import submit_job as submit

SIDES = ("operator", "bureau")


def approved_and_run(platform, client, deal, code: str, **kwargs) -> dict:
    submitted = submit(client, deal["partner"], deal["contract_id"], code, **kwargs)
    assert submitted.status_code == 201, submitted.text
    job_id = submitted.json()["id"]
    reviewed = client.post(
        f"/api/v1/jobs/{job_id}/review", headers=deal["operator"].headers, json={"approve": True, "note": "代码已审"}
    )
    assert reviewed.json()["state"] == "approved", reviewed.text
    assert run_next_job(platform).job_id == job_id
    return client.get(f"/api/v1/jobs/{job_id}", headers=deal["partner"].headers).json()


def test_a_partner_develops_on_mock_data_that_has_the_schema_and_no_real_person(platform, partner_deal):
    with TestClient(create_app(platform)) as client:
        answer = client.post(
            "/api/v1/dev/queries",
            headers=partner_deal["partner"].headers,
            json={
                "contract_id": partner_deal["contract_id"],
                "sql": "SELECT id_number, full_name, district, household_size FROM cz_rk_0001 LIMIT 200",
            },
        )
        assert answer.status_code == 200, answer.text
        rows = answer.json()["rows"]
        assert answer.json()["columns"] == ["id_number", "full_name", "district", "household_size"] and len(rows) == 200
        assert not {row[0] for row in rows} & real_ids(platform)
        assert all(1 <= row[3] <= 6 for row in rows)  # inside the real range
        script = client.post(
            "/api/v1/dev/runs",
            headers=partner_deal["partner"].headers,
            json={
                "contract_id": partner_deal["contract_id"],
                "code": MODEL_SCRIPT,
                "requirements": ["pandas", "scikit-learn"],
            },
        )
        assert script.status_code == 200, script.text
        result = script.json()
        assert result["exit_code"] == 0, result["log"]
        (model,) = result["files"]
        assert model["name"] == "output-1.json" and json.loads(model["preview"])["rows"] == 1000
    with platform.read() as session:
        actions = session.scalars(select(LedgerEntry.action).where(LedgerEntry.action.like("sandbox.dev-%"))).all()
    assert actions == ["sandbox.dev-query", "sandbox.dev-run"]


def test_a_reviewed_job_runs_isolated_is_held_released_twice_and_downloaded_by_the_submitter(platform, partner_deal):
    deal = partner_deal
    with TestClient(create_app(platform)) as client:
        job = approved_and_run(platform, client, deal, MODEL_SCRIPT)
        assert job["state"] == "held", job
        assert "files" not in job and "exit_code" not in job  # sealed from the submitter until released
        reviewed = client.get(f"/api/v1/jobs/{job['id']}", headers=deal["operator"].headers).json()
        assert [item["name"] for item in reviewed["files"]] == ["output-1.json", "run.log"]
        assert reviewed["findings"] == [] and reviewed["exit_code"] == 0
        early = client.get(f"/api/v1/jobs/{job['id']}/output", headers=deal["partner"].headers)
        assert early.status_code == 409 and early.json()["rule"] == "job.not-released"
        held_log = client.get(f"/api/v1/jobs/{job['id']}/log", headers=deal["partner"].headers)
        assert held_log.status_code == 403 and held_log.json()["rule"] == "job.log-held"
        assert "model fitted" in client.get(f"/api/v1/jobs/{job['id']}/log", headers=deal["operator"].headers).text
        refused = client.post(f"/api/v1/jobs/{job['id']}/release", headers=deal["partner"].headers)
        assert refused.status_code == 403
        once = client.post(f"/api/v1/jobs/{job['id']}/release", headers=deal["operator"].headers).json()
        assert once["state"] == "held" and once["operator_released_at"]
        twice = client.post(f"/api/v1/jobs/{job['id']}/release", headers=deal["bureau"].headers).json()
        assert twice["state"] == "released"
        # The audit view of jobs shows both releases, in Shanghai time.
        audit, _ = page_client(platform, "bureau.admin")
        exported = audit.get("/audit/jobs.csv").content.decode("utf-8-sig")
        (row,) = [row for row in csv.reader(io.StringIO(exported)) if row[0] == f"#{job['id']}"]
        shanghai = [datetime.fromisoformat(twice[f"{side}_released_at"]).astimezone(SHANGHAI) for side in SIDES]
        assert row[-3:-1] == [moment.strftime("%Y-%m-%d %H:%M") for moment in shanghai]
        released = client.get(f"/api/v1/jobs/{job['id']}", headers=deal["partner"].headers).json()
        assert [item["name"] for item in released["files"]] == ["output-1.json", "run.log"]
        assert "findings" not in released and "previews" not in released
        other = client.get(f"/api/v1/jobs/{job['id']}/output", headers=deal["operator"].headers)
        assert other.status_code == 403 and other.json()["rule"] == "job.not-submitter"
        download = client.get(f"/api/v1/jobs/{job['id']}/output", headers=deal["partner"].headers)
        assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(download.content))
        assert sorted(archive.namelist()) == ["output-1.json", "run.log"]
        assert json.loads(archive.read("output-1.json"))["rows"] == 20
        record = client.get(f"/api/v1/jobs/{job['id']}/record", headers=deal["partner"].headers)
        assert record.headers["content-disposition"].startswith("attachment")
        actions = [entry["action"] for entry in record.json()["ledger"]]
    assert actions == [
        "job.submit",
        "job.approve",
        "job.start",
        "job.hold",
        "job.release",
        "job.release",
        "job.download",
    ]
    with platform.read() as session:
        contract_call = session.scalar(select(LedgerEntry).where(LedgerEntry.action == "contract.call"))
        assert json.loads(contract_call.payload)["job"] == job["id"]


def test_a_sql_job_is_checked_like_a_query_and_its_table_held(platform, partner_deal):
    with TestClient(create_app(platform)) as client:
        refused = submit(
            client,
            partner_deal["partner"],
            partner_deal["contract_id"],
            "SELECT id_number FROM cz_rk_0001",
            kind="sql",
            requirements=(),
        )
        assert refused.status_code == 403 and refused.json()["rule"] == "sql.sensitive-column"
        job = approved_and_run(
            platform,
            client,
            partner_deal,
            "SELECT count(*) AS n, avg(household_size) AS mean_size FROM cz_rk_0001",
            kind="sql",
            requirements=(),
            outputs=[
                {
                    "format": "parquet",
                    "columns": [{"name": "n", "type": "integer"}, {"name": "mean_size", "type": "decimal"}],
                    "count_column": "n",
                }
            ],
        )
        assert job["state"] == "held", job
        reviewed = client.get(f"/api/v1/jobs/{job['id']}", headers=partner_deal["operator"].headers).json()
    table, _log = reviewed["files"]
    assert table["name"] == "output-1.parquet" and table["rows"] == 1
    (preview,) = reviewed["previews"]
    assert [column["name"] for column in preview["columns"]] == ["n", "mean_size"]
    assert preview["columns"][0]["min"] == 20  # a count, not sensitive-looking: shown in the profile


def test_outputs_with_personal_data_or_small_groups_are_blocked_and_the_submitter_told_nothing_more(
    platform, partner_deal
):
    leak = (
        "import pandas as pd\npd.read_parquet('/data/cz_rk_0001.parquet')[['district', "
        "'phone']].to_csv('/output/output-1.csv', index=False)\n"
    )
    small = (
        "import pandas as pd\np = pd.read_parquet('/data/cz_rk_0001.parquet')\n"
        "p.groupby('district').size().rename('count').reset_index().to_csv('/output/output-1.csv', index=False)\n"
    )
    printed = (
        "import pandas as "
        "pd\nprint(pd.read_parquet('/data/cz_rk_0001.parquet')['id_number'].tolist())\nopen('/output/output-1.csv', "
        "'w').write('district,count\\n')\n"
    )
    declared = [
        {"format": "csv", "columns": [{"name": "district", "type": "string"}, {"name": "phone", "type": "string"}]},
        {"format": "csv", "columns": [{"name": "district", "type": "string"}, {"name": "count", "type": "integer"}]},
        {"format": "csv", "columns": [{"name": "district", "type": "string"}, {"name": "count", "type": "integer"}]},
    ]
    with TestClient(create_app(platform)) as client:
        blocked = [
            approved_and_run(platform, client, partner_deal, code, requirements=("pandas",), outputs=[output])
            for code, output in zip((leak, small, printed), declared, strict=True)
        ]
        assert [job["state"] for job in blocked] == ["blocked"] * 3
        assert all(job["outcome_rule"] == "job.output-check" for job in blocked)
        assert {job["outcome_detail"] for job in blocked} == {"The job did not pass the output check."}
        reviewed = [
            client.get(f"/api/v1/jobs/{job['id']}", headers=partner_deal["operator"].headers).json() for job in blocked
        ]
        assert ("output-1.csv", "identifiers", "phone", ["mobile"]) in [
            (item["file"], item["what"], item["column"], item["kinds"]) for item in reviewed[0]["findings"]
        ]
        assert [item["what"] for item in reviewed[1]["findings"]] == ["small-group"]
        assert [(item["file"], item["kinds"]) for item in reviewed[2]["findings"]] == [("run.log", ["resident_id"])]
        release = client.post(f"/api/v1/jobs/{blocked[0]['id']}/release", headers=partner_deal["operator"].headers)
        assert release.status_code == 409
    everything = json.dumps(reviewed, ensure_ascii=False)
    assert not any(value in everything for value in real_ids(platform))  # findings name columns, never values
    assert all(cell == outputs.MASK for row in reviewed[0]["previews"][0]["rows"] for cell in row[1:])


def test_submission_refusals_name_their_rule(platform, partner_deal):
    deal = partner_deal
    cases = [
        ("import os\nos.system('id')\n", ["pandas"], "job.import-not-allowed"),
        ("import requests\n", ["requests"], "job.requirement-not-allowed"),
        ("x = __import__('socket')\n", [], "job.dynamic-code"),
        ("().__class__.__bases__[0].__subclasses__()\n", [], "job.dynamic-code"),
        ("def broken(:\n", [], "job.syntax"),
    ]
    with TestClient(create_app(platform)) as client:
        for code, requirements, rule in cases:
            answer = submit(client, deal["partner"], deal["contract_id"], code, requirements=requirements)
            assert (answer.status_code, answer.json()["rule"]) == (422, rule), code
        job = submit(client, deal["partner"], deal["contract_id"], MODEL_SCRIPT).json()
        by_partner = client.post(
            f"/api/v1/jobs/{job['id']}/review", headers=deal["partner"].headers, json={"approve": True}
        )
        assert by_partner.status_code == 403
        no_reason = client.post(
            f"/api/v1/jobs/{job['id']}/review", headers=deal["operator"].headers, json={"approve": False}
        )
        assert no_reason.json()["rule"] == "job.review-note"
        rejected = client.post(
            f"/api/v1/jobs/{job['id']}/review",
            headers=deal["operator"].headers,
            json={"approve": False, "note": "请勿输出明细"},
        )
        assert rejected.json()["state"] == "rejected"
        again = client.post(
            f"/api/v1/jobs/{job['id']}/review", headers=deal["operator"].headers, json={"approve": True}
        )
        assert again.status_code == 409 and again.json()["rule"] == "job.transition"
        assert run_next_job(platform) is None  # nothing approved: nothing runs
        hidden = client.get(f"/api/v1/jobs/{job['id']}", headers=deal["security"].headers)
        assert hidden.status_code == 404


def test_jobs_survive_a_restart_run_again_or_fail_never_half_released(platform, partner_deal):
    with TestClient(create_app(platform)) as client:
        job_id = submit(client, partner_deal["partner"], partner_deal["contract_id"], MODEL_SCRIPT).json()["id"]
        client.post(f"/api/v1/jobs/{job_id}/review", headers=partner_deal["operator"].headers, json={"approve": True})
    with platform.command() as session:  # the server dies after starting the job
        assert worker.start_next(session, actor=SYSTEM, domain_dir=platform.settings.domain_dir).job_id == job_id
    assert run(platform, worker.recover, actor=SYSTEM) == [f"job {job_id} will run again"]
    assert run_next_job(platform).job_id == job_id
    with platform.command() as session:
        job = session.get(Job, job_id)
        assert (job.state, job.attempts) == ("held", 2)
        calls = session.scalars(select(LedgerEntry).where(LedgerEntry.action == "contract.call")).all()
        assert len(calls) == 1  # the second attempt is the same call
        job.state, job.attempts = "running", 2  # interrupted a second time (a crash, written behind the platform)
    assert run(platform, worker.recover, actor=SYSTEM) == [f"job {job_id} failed after 2 interrupted runs"]
    with platform.read() as session:
        assert session.get(Job, job_id).outcome_rule == "job.interrupted"


def test_a_job_is_refused_not_run_when_bubblewrap_cannot_run(platform, partner_deal, monkeypatch):
    monkeypatch.setattr(isolation, "BWRAP", "bwrap-not-installed")
    with TestClient(create_app(platform)) as client:
        job = approved_and_run(platform, client, partner_deal, MODEL_SCRIPT)
        assert (job["state"], job["outcome_rule"]) == ("failed", "job.run-failed")  # the submitter's, generic
        reviewed = client.get(f"/api/v1/jobs/{job['id']}", headers=partner_deal["operator"].headers).json()
        assert reviewed["outcome_rule"] == "sandbox.isolation-unavailable"
        dev = client.post(
            "/api/v1/dev/runs",
            headers=partner_deal["partner"].headers,
            json={
                "contract_id": partner_deal["contract_id"],
                "code": MODEL_SCRIPT,
                "requirements": ["pandas", "scikit-learn"],
            },
        )
        assert dev.status_code == 503 and dev.json()["rule"] == "sandbox.isolation-unavailable"


def test_an_approved_job_does_not_run_after_the_operator_exits(platform, partner_deal):
    from datetime import datetime

    with TestClient(create_app(platform)) as client:
        job_id = submit(client, partner_deal["partner"], partner_deal["contract_id"], MODEL_SCRIPT).json()["id"]
        client.post(f"/api/v1/jobs/{job_id}/review", headers=partner_deal["operator"].headers, json={"approve": True})
    with platform.read() as session:
        agreement = session.scalars(select(Agreement)).one()
    security = principal(platform, "security.admin")
    incident = run(
        platform,
        evaluation.report_incident,
        principal=security,
        agreement_id=agreement.id,
        occurred_at=datetime(2026, 1, 4, 22, tzinfo=UTC),
        description="接口被越权调用，导致数据泄露",
    )
    run(
        platform,
        evaluation.decide_incident,
        principal=principal(platform, "bureau.admin"),
        incident_id=incident.id,
        bad_impact=True,
    )
    assert run_next_job(platform).job_id == job_id
    with platform.read() as session:
        job = session.get(Job, job_id)
        assert (job.state, job.outcome_rule) == ("failed", "authorization.out-of-scope")
        assert not outputs.workspace(platform.settings.domain_dir, job_id).root.exists()  # it never started


def test_rejecting_a_job_on_its_page_asks_for_confirmation_and_a_reason(platform, partner_deal):
    with TestClient(create_app(platform)) as client:
        job = submit(client, partner_deal["partner"], partner_deal["contract_id"], MODEL_SCRIPT).json()
        client.get("/login")
        csrf = client.cookies["pubdata_csrf"]
        client.post("/login", data={"login": "operator.admin", "password": PASSWORD, "csrf_token": csrf})
        page = client.get(f"/jobs/{job['id']}")
        assert 'name="confirm"' in page.text and 'name="reason"' in page.text
        unticked = client.post(f"/jobs/{job['id']}/do/reject", data={"csrf_token": csrf, "reason": "请勿输出明细"})
        assert unticked.status_code == 422 and 'data-rule="web.confirm-needed"' in unticked.text
        silent = client.post(f"/jobs/{job['id']}/do/reject", data={"csrf_token": csrf, "confirm": "yes"})
        assert silent.status_code == 422 and 'data-rule="web.reason-needed"' in silent.text
        with platform.read() as session:
            assert session.get(Job, job["id"]).state == "submitted"  # nothing done by a refused form
        done = client.post(
            f"/jobs/{job['id']}/do/reject", data={"csrf_token": csrf, "confirm": "yes", "reason": "请勿输出明细"}
        )
        assert done.status_code == 200 and "作业代码已退回。" in done.text
        with platform.read() as session:
            assert session.get(Job, job["id"]).state == "rejected"
