"""Data files checked against their recorded checksum, on both databases, through the real API.

A version's file substituted (same size, other bytes), truncated or missing is refused with ``data.damaged``
naming the resource and the version, free and recorded; the bureau and the providing department are alerted
once per version; ``pubdata ledger verify --data`` names each; an unchanged file is hashed once per process.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from pubdata.app import create_app
from pubdata.catalog import service as catalog
from pubdata.catalog.models import DataAlert
from pubdata.cli import app as cli_app
from pubdata.engines import files
from pubdata.jobs.models import Job
from pubdata.ledger.models import LedgerEntry
from tests.scenarios import (
    BANK_TERMS,
    MODEL_SCRIPT,
    make_account,
    run_next_job,
    signed_agreement,
    signed_contract,
)
from tests.scenarios import submit_job as submit

TERMS = BANK_TERMS
COUNT = "SELECT count(*) AS n FROM cz_rk_0001"


@pytest.fixture
def deal(platform, city):
    signed_agreement(platform)
    bank = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=366)
    return {"contract": signed_contract(platform, city["operator"], bank, TERMS)["id"], "bank": bank, **city}


def _file(platform, code: str = "CZ-RK-0001") -> Path:
    with platform.read() as session:
        _, recorded = catalog.data_of(session, code=code)
    return platform.settings.domain_dir / recorded.file


def substitute(path: Path) -> None:
    """Other bytes of the same size, written in place (same inode) with the modification time set back: only the
    change time and the digest tell."""
    before = path.stat()
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(b ^ 0xFF for b in data[middle : middle + 16])
    with path.open("r+b") as handle:
        handle.write(data)
    path.chmod(0o444)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns, path.stat().st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )


def truncate(path: Path) -> None:
    path.chmod(0o644)
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def remove(path: Path) -> None:
    path.unlink()


DAMAGES = {"substituted": (substitute, "digest"), "truncated": (truncate, "size"), "missing": (remove, "missing")}


def query(client: TestClient, account, contract: int, sql: str = COUNT, lang: str = "zh-CN"):
    return client.post(
        "/api/v1/queries",
        headers={**account.headers, "Accept-Language": lang},
        json={"contract_id": contract, "sql": sql},
    )


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_file_is_refused_naming_its_version_free_and_alerts_the_bureau_and_department_once(
    platform, deal, damage
):
    damaged, problem = DAMAGES[damage]
    with TestClient(create_app(platform)) as client:
        assert query(client, deal["bank"], deal["contract"]).json() == {"columns": ["n"], "rows": [[20]]}
        damaged(_file(platform))
        for lang, words in (("zh-CN", ("CZ-RK-0001", "第 1 版")), ("en", ("CZ-RK-0001", "version 1"))):
            refused = query(client, deal["bank"], deal["contract"], lang=lang)
            assert refused.status_code == 503, refused.text
            body = refused.json()
            assert body["rule"] == "data.damaged" and "rows" not in body
            assert all(word in body["detail"] for word in words), body
        counters = client.get(f"/api/v1/contracts/{deal['contract']}", headers=deal["bank"].headers).json()
        assert counters["calls_used"] == 1  # the answer before the damage; the refusals are free
        with platform.read() as session:
            refusals = session.scalars(select(LedgerEntry).where(LedgerEntry.action == "sandbox.query-refused")).all()
            assert [json.loads(entry.payload)["rule"] for entry in refusals] == ["data.damaged"] * 2
            assert session.scalar(select(func.count()).select_from(DataAlert)) == 1  # two refusals, one alert
            raised = session.scalars(select(LedgerEntry).where(LedgerEntry.action == "catalog.data-damaged")).all()
            assert [json.loads(entry.payload) for entry in raised] == [
                {"resource": "CZ-RK-0001", "version": 1, "problem": problem}
            ]
        if damage == "substituted":  # hashed when first answered, and once more for the two refusals
            assert files.CHECKS.hashes_of(_file(platform)) == 2
        for account in (deal["bureau"], deal["police"]):
            alerts = client.get("/api/v1/data-alerts", headers=account.headers)
            assert alerts.status_code == 200, alerts.text
            assert [(a["resource"], a["version"], a["problem"], a["provider"]) for a in alerts.json()] == [
                ("CZ-RK-0001", 1, problem, "池州市公安局")
            ]
        assert client.get("/api/v1/data-alerts", headers=deal["bank"].headers).status_code == 403
        assert client.get("/api/v1/data-alerts", headers=deal["operator"].headers).status_code == 403


def test_a_substituted_file_is_refused_under_dp_before_any_epsilon_is_spent(platform, deal):
    contract = signed_contract(
        platform,
        deal["operator"],
        deal["bank"],
        {**TERMS, "output_rule": "dp", "max_calls": 100, "epsilon": 1.0, "epsilon_per_query": 0.25, "delta": 1e-6},
    )["id"]
    with TestClient(create_app(platform)) as client:
        assert query(client, deal["bank"], contract).status_code == 200
        substitute(_file(platform))
        refused = query(client, deal["bank"], contract, sql="SELECT district, count(*) AS n FROM cz_rk_0001 GROUP BY 1")
        assert refused.status_code == 503 and refused.json()["rule"] == "data.damaged"
        spent = client.get(f"/api/v1/contracts/{contract}", headers=deal["bank"].headers).json()
        assert (spent["epsilon_spent_micro"], spent["calls_used"]) == (250_000, 1)


def test_a_damaged_file_is_refused_in_the_preview_and_the_alert_is_on_the_page(platform, deal):
    truncate(_file(platform))
    with TestClient(create_app(platform)) as client:
        listed = client.get("/api/v1/resources", headers=deal["police"].headers).json()
        resource = next(item["id"] for item in listed if item["code"] == "CZ-RK-0001")
        preview = client.get(f"/api/v1/resources/{resource}/preview", headers=deal["police"].headers)
        assert preview.status_code == 503 and preview.json()["rule"] == "data.damaged"
        client.get("/login")
        csrf = client.cookies["pubdata_csrf"]
        login = client.post(
            "/login",
            data={"login": "police.admin", "password": "correct-horse-battery", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert login.status_code == 303, login.text
        page = client.get("/data-alerts")
        assert page.status_code == 200
        assert "CZ-RK-0001" in page.text and 'href="/data-alerts"' in page.text
        assert "文件大小不符" in page.text


def test_a_job_on_a_damaged_file_fails_with_data_damaged_uncharged(platform, partner_deal):
    with TestClient(create_app(platform)) as client:
        job = submit(client, partner_deal["partner"], partner_deal["contract_id"], MODEL_SCRIPT).json()["id"]
        reviewed = client.post(
            f"/api/v1/jobs/{job}/review", headers=partner_deal["operator"].headers, json={"approve": True}
        )
        assert reviewed.json()["state"] == "approved", reviewed.text
        remove(_file(platform))
        assert run_next_job(platform).job_id == job
        with platform.read() as session:
            assert (session.get(Job, job).state, session.get(Job, job).outcome_rule) == ("failed", "data.damaged")
            assert session.scalar(select(func.count()).select_from(DataAlert)) == 1
        counters = client.get(
            f"/api/v1/contracts/{partner_deal['contract_id']}", headers=partner_deal["partner"].headers
        ).json()
        assert counters["calls_used"] == 0
        alerts = client.get("/api/v1/data-alerts", headers=partner_deal["bureau"].headers).json()
        assert [(a["resource"], a["version"], a["problem"]) for a in alerts] == [("CZ-RK-0001", 1, "missing")]


def test_an_unchanged_file_is_hashed_once_per_process_and_again_when_it_changes(platform, deal):
    path = _file(platform)
    with TestClient(create_app(platform)) as client:
        for _ in range(3):
            assert query(client, deal["bank"], deal["contract"]).status_code == 200
        assert files.CHECKS.hashes_of(path) == 1
        assert files.CHECKS.remembered(path)
        os.utime(path)  # another modification time: the same bytes, checked again
        assert not files.CHECKS.remembered(path)
        assert query(client, deal["bank"], deal["contract"]).status_code == 200
        assert files.CHECKS.hashes_of(path) == 2
        assert files.CHECKS.remembered(path)


def test_ledger_verify_data_names_each_damaged_or_missing_file(platform, city, settings, monkeypatch):
    monkeypatch.setenv("PUBDATA_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    args = ["ledger", "verify", "--data", "--data-dir", str(settings.data_dir)]
    intact = runner.invoke(cli_app, args)
    assert intact.exit_code == 0, intact.output
    assert "data files verified: 2 versions" in intact.output
    substitute(_file(platform, "CZ-RK-0001"))
    remove(_file(platform, "CZ-CG-0001"))
    found = runner.invoke(cli_app, args)
    assert found.exit_code == 1, found.output
    said = " ".join(found.output.split())  # as a person reads it, however the terminal wrapped it
    for code, what in (("CZ-RK-0001", "does not match its recorded checksum"), ("CZ-CG-0001", "is missing")):
        assert re.search(rf"resource {code} version 1 \([^)]+\.parquet\) {what}", said), found.output
    assert "2 of 2 versions damaged or missing" in found.output
