"""Sealed until release (leak class 9): before both releases the submitter sees a job's state and what it
handed in — no file name, size, row count, exit code, finding, column name or log — in API answers, pages
and the run record; reviewers see findings and masked previews, never a raw value. Real bubblewrap, real
DuckDB, SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.jobs import rules
from pubdata.jobs.models import Job
from tests.scenarios import page_client, run_next_job
from tests.scenarios import submit_job as submit

# The scripts spell the marks they print and the names they write as pieces, so that what the submitter
# handed in (its code, visible to it) never contains what only the run makes. File names come from
# /job/outputs.json, as the platform names them.
GROUPS = """\
import json
import pandas as pd
names = json.load(open("/job/outputs.json"))
people = pd.read_parquet("/data/cz_rk_0001.parquet")
groups = people.groupby("district").size().rename("persons").reset_index()
groups = groups[groups["persons"] >= 10]
groups.to_csv("/output/" + names[0], index=False)
open("/output/" + names[1], "w").write("groups" + " written\\n")
print("LOG-" + "MARKER-7731", len(people))
"""
GROUPS_OUTPUTS = [
    {
        "format": "csv",
        "columns": [{"name": "district", "type": "string"}, {"name": "persons", "type": "integer"}],
        "count_column": "persons",
    },
    {"format": "txt"},
]
# The attack run's job: every file declared and every check to pass on its face, the real IDs and names
# inside, disguised — and an undeclared column, a file nobody declared, and IDs in the log. Only pandas is
# imported: the hex of reversed IDs, the names spaced out, IDs in Parquet metadata (pandas keeps attrs there).
SMUGGLER = """\
import json
import pandas as pd
names = json.load(open("/job/outputs.json"))
people = pd.read_parquet("/data/cz_rk_0001.parquet")
out = pd.DataFrame({
    "district": people["district"],
    "note": [v[::-1].encode().hex() for v in people["id_number"]],
    "SECRET_" + "COLUMN_QQ": people["full_name"].str.join(" "),
})
out.to_csv("/output/" + names[0], index=False)
table = pd.DataFrame({"district": ["x"], "persons": [20]})
table.attrs = {"k": ",".join(people["id_number"])}
table.to_parquet("/output/" + names[1], index=False)
open("/output/EXTRA-" + "FILE-ZZ.CSV", "w").write("\\n".join(v[:17] for v in people["id_number"]))
print("LOG-" + "MARKER-8842", list(people["full_name"]))
"""
SMUGGLER_OUTPUTS = [
    {"format": "csv", "columns": [{"name": "district", "type": "string"}, {"name": "note", "type": "string"}]},
    {
        "format": "parquet",
        "columns": [{"name": "district", "type": "string"}, {"name": "persons", "type": "integer"}],
        "count_column": "persons",
    },
]
FAILING = """\
import pandas as pd
people = pd.read_parquet("/data/cz_rk_0001.parquet")
for number, name in zip(people["id_number"], people["full_name"]):
    print("bad" + " row", number, name)
raise SystemExit(3)
"""


def people(platform) -> tuple[set[str], set[str]]:
    import duckdb

    path = next((platform.settings.domain_dir / "resources").rglob("*.parquet"))
    rows = duckdb.sql(f"SELECT id_number, full_name FROM read_parquet('{path}')").fetchall()
    return {row[0] for row in rows}, {row[1] for row in rows}


def submitted_and_run(platform, client, deal, code, outputs, requirements=("pandas",)) -> int:
    answer = submit(client, deal["partner"], deal["contract_id"], code, requirements=requirements, outputs=outputs)
    assert answer.status_code == 201, answer.text
    job_id = answer.json()["id"]
    reviewed = client.post(
        f"/api/v1/jobs/{job_id}/review", headers=deal["operator"].headers, json={"approve": True, "note": "可以运行"}
    )
    assert reviewed.status_code == 200, reviewed.text
    assert run_next_job(platform).job_id == job_id
    return job_id


def logged_in(platform, login: str) -> TestClient:
    return page_client(platform, login)[0]


def page(platform, login: str, path: str) -> str:
    answer = logged_in(platform, login).get(path)
    assert answer.status_code in (200, 403, 409), answer.text
    return answer.text


def what_the_submitter_sees(client, deal, job_id) -> dict[str, str]:
    """Every answer the partner can get about one job, as text: the API with its token, the pages logged in."""
    headers = deal["partner"].headers
    pages = logged_in(client.app.state.platform, "partner.admin")
    job_page = pages.get(f"/jobs/{job_id}").text
    assert 'data-testid="state"' in job_page and 'data-testid="sealed"' in job_page
    return {
        "api job": client.get(f"/api/v1/jobs/{job_id}", headers=headers).text,
        "api list": client.get("/api/v1/jobs", headers=headers).text,
        "api log": client.get(f"/api/v1/jobs/{job_id}/log", headers=headers).text,
        "api output": client.get(f"/api/v1/jobs/{job_id}/output", headers=headers).text,
        "api record": client.get(f"/api/v1/jobs/{job_id}/record", headers=headers).text,
        "page job": job_page,
        "page list": pages.get("/jobs").text,
        "page record": pages.get(f"/jobs/{job_id}/record.json").text,
        "page download": pages.get(f"/jobs/{job_id}/output.zip").text,
    }


def run_facts(platform, job_id) -> list[str]:
    """What the run produced, from the job's own row: none of it may reach the submitter before release."""
    with platform.read() as session:
        job = session.get(Job, job_id)
        manifest = json.loads(job.manifest)
    facts = [item["sha256"] for item in manifest.get("files", [])] + [manifest["run"]]
    facts += [f'"bytes": {item["bytes"]}' for item in manifest.get("files", [])]
    if manifest.get("log"):
        facts += [manifest["log"]["sha256"]]
    return facts


SEALED_WORDS = ("output-1", "output-2", "run.log", "exit_code", "rows_total", "findings", "log_preview", "previews")


def assert_sealed(seen: dict[str, str], forbidden: list[str]) -> None:
    for where, text in seen.items():
        for word in (*SEALED_WORDS, *forbidden):
            assert word not in text, f"{word!r} reached the submitter in {where}"


@pytest.mark.parametrize("state", [state.value for state in rules.JobState])
def test_the_view_rule_seals_every_state_but_released_from_everyone_but_reviewers(state):
    record = {key: f"<{key}>" for key in rules.REVIEWER_FIELDS | {"organisation_id", "some_new_field"}}
    record |= {"state": state, "outcome_rule": "job.exit-code", "outcome_detail": "The run ended with exit code 3."}
    for viewer in ("submitter", "observer"):
        shown = rules.job_view(record, viewer=viewer)
        assert "some_new_field" not in shown  # a field nobody listed is sealed by default
        if state == rules.J.RELEASED:
            assert shown["files"] == "<files>" and "findings" not in shown and "log_preview" not in shown
        else:
            assert set(shown) <= rules.SUBMISSION_FIELDS
            assert not {"files", "exit_code", "started_at", "finished_at", "attempts", "findings"} & set(shown)
            assert "exit code" not in json.dumps(shown)
            assert shown["outcome_rule"] == rules.SEALED_OUTCOMES.get(state)
    reviewer = rules.job_view(record, viewer="reviewer")
    assert reviewer["outcome_detail"] == "The run ended with exit code 3." and reviewer["findings"] == "<findings>"
    assert "some_new_field" not in reviewer


def test_happy_path_declared_reviewed_run_previewed_released_twice_downloaded_sealed_until_the_second(
    platform, partner_deal
):
    deal = partner_deal
    ids, names = people(platform)
    with TestClient(create_app(platform)) as client:
        job_id = submitted_and_run(platform, client, deal, GROUPS, GROUPS_OUTPUTS)
        forbidden = [*run_facts(platform, job_id), "LOG-MARKER-7731", "groups written"]
        mine = client.get(f"/api/v1/jobs/{job_id}", headers=deal["partner"].headers).json()
        assert mine["state"] == "held" and mine["outputs"][0]["count_column"] == "persons"
        assert_sealed(what_the_submitter_sees(client, deal, job_id), forbidden)

        reviewer = client.get(f"/api/v1/jobs/{job_id}", headers=deal["operator"].headers).json()
        assert reviewer["findings"] == []
        table, text = reviewer["previews"]
        assert [column["name"] for column in table["columns"]] == ["district", "persons"]
        assert all(row[1].isdigit() and int(row[1]) >= 10 for row in table["rows"])
        assert text["lines"] == ["groups written"]
        review_page = page(platform, "operator.admin", f"/jobs/{job_id}")
        assert (
            'data-testid="preview"' in review_page and "LOG-MARKER-7731" in review_page
        )  # the masked log, for reviewers

        first = client.post(f"/api/v1/jobs/{job_id}/release", headers=deal["operator"].headers)
        assert first.json()["state"] == "held"
        assert_sealed(what_the_submitter_sees(client, deal, job_id), forbidden)  # one release is not enough

        second = client.post(f"/api/v1/jobs/{job_id}/release", headers=deal["bureau"].headers)
        assert second.json()["state"] == "released"
        released = client.get(f"/api/v1/jobs/{job_id}", headers=deal["partner"].headers).json()
        assert [item["name"] for item in released["files"]] == ["output-1.csv", "output-2.txt", "run.log"]
        download = client.get(f"/api/v1/jobs/{job_id}/output", headers=deal["partner"].headers)
        operation = client.get("/openapi.json").json()["paths"]["/api/v1/jobs/{job_id}/output"]["get"]
        assert download.headers["content-type"].split(";")[0] in operation["responses"]["200"]["content"]
        archive = zipfile.ZipFile(io.BytesIO(download.content))
        assert sorted(archive.namelist()) == ["output-1.csv", "output-2.txt", "run.log"]
        assert archive.read("output-1.csv").decode().startswith("district,persons")
        assert b"LOG-MARKER-7731" in archive.read("run.log")
    everything = json.dumps(reviewer, ensure_ascii=False) + review_page
    assert not any(value in everything for value in ids | names)


def test_the_attack_run_is_blocked_the_submitter_learns_nothing_and_reviewers_see_no_raw_value(platform, partner_deal):
    deal = partner_deal
    ids, names = people(platform)
    with TestClient(create_app(platform)) as client:
        job_id = submitted_and_run(platform, client, deal, SMUGGLER, SMUGGLER_OUTPUTS, ("pandas",))
        mine = client.get(f"/api/v1/jobs/{job_id}", headers=deal["partner"].headers).json()
        assert (mine["state"], mine["outcome_rule"]) == ("blocked", "job.output-check")
        assert mine["outcome_detail"] == "The job did not pass the output check."
        forbidden = [*run_facts(platform, job_id), "LOG-MARKER-8842", "SECRET_COLUMN_QQ", "EXTRA-FILE-ZZ"]
        assert_sealed(what_the_submitter_sees(client, deal, job_id), forbidden)

        reviewer = client.get(f"/api/v1/jobs/{job_id}", headers=deal["operator"].headers).json()
        bureau_page = page(platform, "bureau.admin", f"/jobs/{job_id}")
        assert 'data-testid="findings"' in bureau_page
        log = client.get(f"/api/v1/jobs/{job_id}/log", headers=deal["bureau"].headers).text
    found = {(item["file"], item["what"]) for item in reviewer["findings"]}
    assert {
        ("output-1.csv", "columns"),
        ("output-1.csv", "identifiers"),
        ("output-2.parquet", "metadata"),
        ("EXTRA-FILE-ZZ.CSV", "undeclared-file"),
        ("run.log", "identifiers"),
    } <= found, found
    kinds = {kind for item in reviewer["findings"] for kind in item["kinds"]}
    assert {"resident_id", "name"} <= kinds
    shown = json.dumps(reviewer, ensure_ascii=False) + bureau_page + log
    assert not any(value in shown for value in ids | names | {value[:17] for value in ids})
    assert "LOG-MARKER-8842" not in log  # the line with the names is masked whole


def test_a_failed_runs_log_reaches_reviewers_masked_and_the_submitter_not_at_all(platform, partner_deal):
    deal = partner_deal
    ids, names = people(platform)
    with TestClient(create_app(platform)) as client:
        job_id = submitted_and_run(platform, client, deal, FAILING, [{"format": "txt"}])
        mine = client.get(f"/api/v1/jobs/{job_id}", headers=deal["partner"].headers).json()
        assert (mine["state"], mine["outcome_rule"]) == ("failed", "job.run-failed")
        assert_sealed(what_the_submitter_sees(client, deal, job_id), ["bad row", "exit code 3"])
        texts = []
        for account in (deal["operator"], deal["bureau"]):
            log = client.get(f"/api/v1/jobs/{job_id}/log", headers=account.headers)
            assert log.status_code == 200 and log.text.count("＊＊＊") >= 20
            texts += [log.text, page(platform, account.login, f"/jobs/{job_id}")]
        reviewer = client.get(f"/api/v1/jobs/{job_id}", headers=deal["operator"].headers).json()
        assert reviewer["exit_code"] == 3 and reviewer["outcome_rule"] == "job.exit-code"
    assert not any(value in text for text in texts for value in ids | names)
