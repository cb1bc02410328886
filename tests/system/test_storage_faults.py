"""A full or read-only store is the platform's fault, said so: 507 or 503 with the reason (problem+json to an API
client, an error page to a browser, one line and a non-zero exit on the command line), logged, and nothing lost
or half-written. The disk is real: a small tmpfs mounted over the domain, full for real, then made read-only."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sqlite3
import subprocess
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pubdata.app import create_app
from pubdata.catalog.loading import file_digest
from pubdata.catalog.models import ResourceVersion
from pubdata.cli import EX_IOERR
from pubdata.common import store
from pubdata.config import Settings
from pubdata.ledger import service as ledger
from pubdata.platform import open_platform
from pubdata.web.render import CSRF_COOKIE
from tests.data import csv_text, person_rows, resource_body
from tests.scenarios import PASSWORD, ledger_size, make_account
from tests.servers import cli, files_under

DISK = 2 * 1024 * 1024


@pytest.fixture
def small_domain(settings):
    """The domain on a 2 MiB tmpfs of its own (the control database stays on the ordinary disk)."""
    domain = settings.domain_dir
    domain.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK},mode=0755", "tmpfs", str(domain)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"a small disk needs a tmpfs mount, which needs root: {mounted.stderr!r}")
    yield domain
    subprocess.run(["umount", "-l", str(domain)], check=True)


def _read_only(domain: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(domain)], check=True)


def _big_csv(path: Path, copies: int) -> Path:
    block = csv_text(person_rows(1000)).split("\n", 1)[1]
    with path.open("w", encoding="utf-8") as sink:
        sink.write(csv_text(person_rows(1)).split("\n", 1)[0] + "\n")
        for _ in range(copies):
            sink.write(block)
    return path


def _setup(settings):
    platform = open_platform(settings)
    police = make_account(platform, kind="provider", name="池州市公安局", login="police.admin")
    client = TestClient(create_app(platform))
    resource = client.post("/api/v1/resources", headers=police.headers, json=resource_body()).json()
    first = client.post(
        f"/api/v1/resources/{resource['id']}/versions",
        headers=police.headers,
        files={"file": ("people.csv", csv_text(person_rows(20)).encode())},
    )
    assert first.status_code == 201, first.text
    return platform, client, police, resource


def _only_the_first_version(platform) -> None:
    domain = platform.settings.domain_dir
    with platform.read() as session:
        versions = list(session.execute(select(ResourceVersion)).scalars())
        hasher = ledger.hasher(ledger.algorithm(session))
    assert [version.number for version in versions] == [1]
    assert files_under(domain) == [domain / versions[0].file_name]
    assert file_digest(domain / versions[0].file_name, hasher) == versions[0].checksum


def test_an_upload_to_a_full_disk_is_507_and_leaves_nothing(settings, small_domain, tmp_path, caplog):
    platform, client, police, resource = _setup(settings)
    before = ledger_size(platform)
    big = _big_csv(tmp_path / "big.csv", 60).read_bytes()  # about 5 MiB: more than the disk holds
    assert len(big) > DISK
    path = f"/api/v1/resources/{resource['id']}/versions"
    with caplog.at_level(logging.ERROR, logger="pubdata.store"):
        zh = client.post(path, headers=police.headers, files={"file": ("people.csv", big)})
        en = client.post(path, headers={**police.headers, "Accept-Language": "en"}, files={"file": ("people.csv", big)})
    for response in (zh, en):
        assert response.status_code == 507, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["rule"] == "storage.full"
    assert "磁盘空间已满" in zh.json()["detail"] and "no space left" in en.json()["detail"]
    assert any("ENOSPC" in line for line in caplog.messages)
    assert ledger_size(platform) == before
    _only_the_first_version(platform)
    client.close()
    platform.close()


def test_a_read_only_disk_is_503_to_the_api_and_an_error_page_to_a_browser(settings, small_domain):
    platform, client, police, resource = _setup(settings)
    # The department's page: logged in, with its form's CSRF token, as a browser sends it.
    assert client.get("/login").status_code == 200
    logged_in = client.post(
        "/login",
        data={"login": "police.admin", "password": PASSWORD, "csrf_token": client.cookies.get(CSRF_COOKIE)},
        follow_redirects=False,
    )
    assert logged_in.status_code == 303, logged_in.text
    before = ledger_size(platform)
    _read_only(small_domain)
    response = client.post(
        f"/api/v1/resources/{resource['id']}/versions",
        headers={**police.headers, "Accept-Language": "en"},
        files={"file": ("people.csv", csv_text(person_rows(20, seed=3)).encode())},
    )
    assert response.status_code == 503 and response.json()["rule"] == "storage.unavailable", response.text
    assert "read-only file system" in response.json()["detail"]
    page = client.post(
        f"/catalog/resources/{resource['id']}/load",
        data={"csrf_token": client.cookies.get(CSRF_COOKIE)},
        files={"file": ("people.csv", csv_text(person_rows(20, seed=4)).encode())},
    )
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert "文件系统只读" in page.text
    assert ledger_size(platform) == before
    _only_the_first_version(platform)
    client.close()
    platform.close()


def test_the_cli_says_a_full_or_read_only_disk_in_one_line(settings, small_domain, tmp_path):
    platform, client, _, _ = _setup(settings)
    client.close()
    platform.close()
    # The file comes from outside the domain; what fills the disk is the load's own Parquet file (distinct
    # people, so that it does not compress to nothing: about 2.7 MiB).
    big = tmp_path / "big.csv"
    big.write_text(csv_text(person_rows(160_000)), encoding="utf-8")
    loading = cli(settings, "load", "CZ-RK-0001", str(big), "--as", "police.admin")
    out, err = loading.communicate(timeout=600)
    assert loading.returncode == EX_IOERR, (out, err)
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1 and "storage.full" in lines[0], out
    assert "Traceback" not in out + err
    _read_only(small_domain)
    loading = cli(settings, "load", "CZ-RK-0001", str(big), "--as", "police.admin")
    out, err = loading.communicate(timeout=600)
    assert loading.returncode == EX_IOERR and "storage.unavailable" in out and "Traceback" not in out + err
    platform = open_platform(settings)
    _only_the_first_version(platform)
    platform.close()


def test_storage_faults_are_told_from_other_errors_at_every_layer(tmp_path):
    assert store.fault_of(OSError(errno.ENOSPC, "No space left on device")).status == 507
    assert store.fault_of(OSError(errno.EDQUOT, "Disk quota exceeded")).rule == "storage.full"
    assert store.fault_of(OSError(errno.EROFS, "Read-only file system")).status == 503
    assert store.fault_of(ConnectionRefusedError(errno.ECONNREFUSED, "refused")) is None
    assert store.fault_of(ValueError("no")) is None
    assert store.fault_of(sqlite3.OperationalError("database or disk is full")).rule == "storage.full"
    assert store.fault_of(duckdb.IOException('Could not write file "x": No space left on device')).status == 507
    assert store.fault_of(duckdb.ParserException("syntax error")) is None
    # The engine's errors that quote the data are never read as a fault, whatever the data says.
    for quoting in ("SELECT 'no space left on device'::INT", "SELECT 'read-only file system'::DATE"):
        with pytest.raises(duckdb.ConversionException) as conversion:
            duckdb.sql(quoting).fetchall()
        assert store.fault_of(conversion.value) is None
    wrapped = RuntimeError("while loading")
    wrapped.__cause__ = OSError(errno.EROFS, "Read-only file system")
    assert store.fault_of(wrapped).rule == "storage.unavailable"


def test_a_full_disk_under_the_control_database_is_507_and_commits_nothing(tmp_path):
    """SQLite, the embedded control plane, in a data directory on a disk that fills up: the command's commit
    fails, rolls back, and the client hears 507, not a 500."""
    data = tmp_path / "data"
    data.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(data)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"a small disk needs a tmpfs mount, which needs root: {mounted.stderr!r}")
    try:
        platform = open_platform(Settings(data_dir=data))
        police = make_account(platform, kind="provider", name="池州市公安局", login="police.admin")
        before = ledger_size(platform)
        with (data / "ballast").open("wb") as ballast:  # every free block taken
            with contextlib.suppress(OSError):
                while True:
                    ballast.write(b"\0" * (1 << 20))
                    ballast.flush()
        rest = os.open(data / "ballast", os.O_WRONLY)
        with contextlib.suppress(OSError):  # and the last few bytes
            os.posix_fallocate(rest, 0, 64 << 20)
        os.close(rest)
        with TestClient(create_app(platform)) as client:
            response = client.post("/api/v1/resources", headers=police.headers, json=resource_body())
            assert response.status_code == 507, response.text
            assert response.json()["rule"] == "storage.full"
            (data / "ballast").unlink()
            assert ledger_size(platform) == before
            listed = client.get("/api/v1/resources", headers=police.headers)
            assert listed.status_code == 200 and listed.json() == []
        platform.close()
    finally:
        subprocess.run(["umount", "-l", str(data)], check=True)


def test_versions_on_another_disk_than_the_uploads_still_load(settings):
    """``resources/`` mounted apart from ``incoming/``: a version cannot be linked across, so it is copied in
    beside its name and linked there, leaving nothing else behind."""
    resources = settings.domain_dir / "resources"
    resources.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(resources)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"a second disk needs a tmpfs mount, which needs root: {mounted.stderr!r}")
    try:
        platform, client, _, _ = _setup(settings)
        _only_the_first_version(platform)
        client.close()
        platform.close()
    finally:
        subprocess.run(["umount", "-l", str(resources)], check=True)
