"""The licensed operator develops and runs jobs itself, on its own scope, under the governance a partner has: an
internal development contract it offers to itself (inside its agreement's scope), mock data for development,
and jobs on the real data reviewed by another of its reviewers and released by it and by the bureau. Outside
its scope — a resource it does not hold, or after its agreement's term — every use is refused."""

from __future__ import annotations

import io
import json
import zipfile

from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.authorization.schemas import Scope
from pubdata.jobs import service as jobs_service
from pubdata.jobs.models import Job
from pubdata.platform import Platform
from tests.scenarios import (
    MODEL_SCRIPT,
    PARTNER_TERMS,
    approved_scenario,
    at,
    ledger_size,
    make_account,
    page_client,
    principal,
    run_next_job,
    signed_agreement,
    submit_job,
)

OPERATOR = "池州数据运营有限公司"
# The operator's own terms: its agreement (signed 2026-01-05) runs until 2029-01-04; these run past it.
OWN_TERMS = {**PARTNER_TERMS, "valid_until": "2029-06-30"}
GROUPED = "SELECT district, count(*) AS persons FROM cz_rk_0001 GROUP BY district"


def logged_in(platform: Platform, login: str) -> tuple[TestClient, str]:
    return page_client(platform, login)


def own_contract(client: TestClient, operator, terms: dict) -> dict:
    proposed = client.post(
        "/api/v1/contracts", headers=operator.headers, json={"assignee_id": operator.organisation_id, "terms": terms}
    )
    assert proposed.status_code == 201, proposed.text
    signed = client.post(f"/api/v1/contracts/{proposed.json()['id']}/signatures", headers=operator.headers)
    assert signed.status_code == 200, signed.text
    return signed.json()


def test_the_operator_develops_on_mock_data_and_runs_a_sealed_job_on_its_own_scope(platform, city):
    # The agreement reaches CZ-RK-0001 only: CZ-CG-0001 (urban management) is registered but not the operator's.
    signed_agreement(platform, scope=Scope(resources=("CZ-RK-0001",), max_grade="general-4"))
    operator, bureau = city["operator"], city["bureau"]
    reviewer = make_account(platform, kind="operator", name=OPERATOR, login="operator.reviewer", role="reviewer")
    with TestClient(create_app(platform)) as client:
        contract = own_contract(client, operator, OWN_TERMS)
        # One signature by the operator's admin signs both sides: it is both parties.
        assert contract["state"] == "active"
        assert contract["assigner_id"] == contract["assignee_id"] == operator.organisation_id

        mock = client.post(
            "/api/v1/dev/queries", headers=operator.headers, json={"contract_id": contract["id"], "sql": GROUPED}
        )
        assert mock.status_code == 200, mock.text
        assert mock.json()["columns"] == ["district", "persons"] and mock.json()["rows"]
        dev_run = client.post(
            "/api/v1/dev/runs",
            headers=operator.headers,
            json={"contract_id": contract["id"], "code": MODEL_SCRIPT, "requirements": ["pandas", "scikit-learn"]},
        )
        assert dev_run.status_code == 200, dev_run.text
        assert dev_run.json()["exit_code"] == 0, dev_run.json()["log"]
        real = client.post(
            "/api/v1/queries", headers=operator.headers, json={"contract_id": contract["id"], "sql": GROUPED}
        )
        assert real.status_code == 200, real.text
        assert all(row[1] >= 10 for row in real.json()["rows"])  # the contract's output rule holds for it too

        # Its jobs on the real data need an approved scenario plan covering their resources, as a partner's do.
        unplanned = submit_job(client, operator, contract["id"], MODEL_SCRIPT)
        assert unplanned.status_code == 403 and unplanned.json()["rule"] == "scenario.not-covered"
        approved_scenario(
            platform, proposer_login="operator.admin", codes=("CZ-RK-0001",), purpose="industry", field="industry"
        )
        submitted = submit_job(client, operator, contract["id"], MODEL_SCRIPT)
        assert submitted.status_code == 201, submitted.text
        job_id = submitted.json()["id"]
        # Its submitter's workbench does not count it as a review to give; another reviewer's does.
        with platform.read() as session:
            job = session.get(Job, job_id)
            assert not jobs_service.awaiting_review(principal(platform, "operator.admin"), job)
            assert jobs_service.awaiting_review(principal(platform, "operator.reviewer"), job)
        # On the pages too: its submitter is offered no review; another reviewer is.
        own_page = logged_in(platform, "operator.admin")[0].get(f"/jobs/{job_id}").text
        assert "/do/approve" not in own_page and 'data-testid="sealed"' in own_page
        assert f"/jobs/{job_id}/do/approve" in logged_in(platform, "operator.reviewer")[0].get(f"/jobs/{job_id}").text
        # Its submitter does not review its own code; another reviewer of the operator does.
        own_review = client.post(
            f"/api/v1/jobs/{job_id}/review", headers=operator.headers, json={"approve": True, "note": "好"}
        )
        assert own_review.status_code == 403 and own_review.json()["rule"] == "job.own-review"
        reviewed = client.post(
            f"/api/v1/jobs/{job_id}/review", headers=reviewer.headers, json={"approve": True, "note": "可以运行"}
        )
        assert reviewed.status_code == 200, reviewed.text
        assert run_next_job(platform).job_id == job_id

        held = client.get(f"/api/v1/jobs/{job_id}", headers=operator.headers).json()
        assert held["state"] == "held" and "files" not in held  # sealed from its submitter until both releases
        own_release = client.post(f"/api/v1/jobs/{job_id}/release", headers=operator.headers)
        assert own_release.status_code == 403 and own_release.json()["rule"] == "job.own-release"
        assert client.post(f"/api/v1/jobs/{job_id}/release", headers=reviewer.headers).status_code == 200
        assert client.get(f"/api/v1/jobs/{job_id}/output", headers=operator.headers).status_code == 409
        released = client.post(f"/api/v1/jobs/{job_id}/release", headers=bureau.headers)
        assert released.json()["state"] == "released"
        output = client.get(f"/api/v1/jobs/{job_id}/output", headers=operator.headers)
        assert output.status_code == 200
        with zipfile.ZipFile(io.BytesIO(output.content)) as archive:
            assert json.loads(archive.read("output-1.json"))["rows"] == 20


def test_the_operator_is_refused_every_use_outside_its_scope(platform, city):
    signed_agreement(platform, scope=Scope(resources=("CZ-RK-0001",), max_grade="general-4"))
    operator = city["operator"]
    with TestClient(create_app(platform)) as client:
        before = ledger_size(platform)
        outside = client.post(
            "/api/v1/contracts",
            headers=operator.headers,
            json={
                "assignee_id": operator.organisation_id,
                "terms": {**OWN_TERMS, "resources": ["CZ-CG-0001"], "dimensions": None},
            },
        )
        assert outside.status_code == 403 and outside.json()["rule"] == "authorization.out-of-scope"
        assert ledger_size(platform) == before  # nothing proposed
        # Another operator's organisation (or any other kind than consumer and partner) is no assignee.
        security = client.post(
            "/api/v1/contracts",
            headers=operator.headers,
            json={"assignee_id": city["security"].organisation_id, "terms": OWN_TERMS},
        )
        assert security.status_code == 422 and security.json()["rule"] == "contract.assignee"

        contract = own_contract(client, operator, OWN_TERMS)
        other_table = client.post(
            "/api/v1/dev/queries",
            headers=operator.headers,
            json={"contract_id": contract["id"], "sql": "SELECT count(*) AS n FROM cz_cg_0001"},
        )
        assert other_table.status_code in (403, 422) and other_table.json()["rule"].startswith("sql.")

        # After its agreement's term the contract's own window is no help: the scope refuses every use.
        at("2029-02-01")
        colleague = make_account(platform, kind="operator", name=OPERATOR, login="operator.dev")  # a live token
        for path in ("/api/v1/dev/queries", "/api/v1/queries"):
            late = client.post(path, headers=colleague.headers, json={"contract_id": contract["id"], "sql": GROUPED})
            assert late.status_code == 403 and late.json()["rule"] == "authorization.out-of-scope", late.text
        late_job = submit_job(client, colleague, contract["id"], MODEL_SCRIPT)
        assert late_job.status_code == 403 and late_job.json()["rule"] == "authorization.out-of-scope"


def test_the_operator_proposes_its_internal_contract_and_develops_in_the_console(platform, city):
    signed_agreement(platform, scope=Scope(resources=("CZ-RK-0001",), max_grade="general-4"))
    pages, csrf = logged_in(platform, "operator.admin")
    listing = pages.get("/contracts").text
    assert "本机构（内部开发合约）" in listing
    form = {
        "assignee_id": str(city["operator"].organisation_id),
        "resources": "CZ-RK-0001",
        "purpose": "industry",
        "output_rule": "aggregate",
        "valid_from": "2026-01-05",
        "valid_until": "2026-12-31",
        "max_calls": "50",
        "max_rows": "10000",
        "dimensions": "district",
        "min_group_size": "10",
        "csrf_token": csrf,
    }
    proposed = pages.post("/contracts", data=form, follow_redirects=False)
    assert proposed.status_code == 303, proposed.text
    page = proposed.headers["location"]
    assert pages.post(f"{page}/do/sign", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert "生效" in pages.get(page).text
    contract_id = page.rsplit("/", 1)[1]
    console = pages.get(f"/console?contract_id={contract_id}")
    assert console.status_code == 200 and "cz_rk_0001" in console.text
    answer = pages.post(
        "/console", data={"contract_id": contract_id, "sql": GROUPED, "data": "mock", "csrf_token": csrf}
    )
    assert answer.status_code == 200 and 'role="alert"' not in answer.text
