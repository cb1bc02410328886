"""A killed load leaves nothing behind after the next start: not the raw upload, not a scratch folder, not a
pending or unregistered version file; and tidying never touches a committed version or a live process's work."""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
from sqlalchemy import select

from pubdata.catalog import service as catalog
from pubdata.catalog.loading import file_digest
from pubdata.catalog.models import ResourceVersion
from pubdata.catalog.schemas import ResourceIn
from pubdata.common import store
from pubdata.ledger import service as ledger
from pubdata.platform import open_platform
from tests.data import csv_text, person_rows, resource_body
from tests.scenarios import make_account, principal, run
from tests.servers import cli, environment, files_under, served, wait_until

BOUNDARY = "pubdata-test-boundary"

KILLED_BEFORE_COMMIT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from pubdata.catalog import service
    from pubdata.config import Settings
    from pubdata.identity import service as identity
    from pubdata.platform import open_platform

    original = service.record_version

    def record_then_die(session, **kwargs):
        version = original(session, **kwargs)
        session.flush()  # the version file is in place and its row written, but never committed
        print("recorded, not committed", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    service.record_version = record_then_die
    platform = open_platform(Settings())
    with platform.read() as session:
        police = identity.principal_of(session, login="police.admin")
        resource_id = service.find_id(session, code="CZ-RK-0001")
    service.load(
        platform, principal=police, resource_id=resource_id, domain_dir=platform.settings.domain_dir,
        source_format="csv", path=Path(sys.argv[1]),
    )
    """
)

HOLDS_ITS_WORK = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from pubdata.common import store

    domain = Path(sys.argv[1])
    folder = store.scratch_for(domain)
    (folder / "upload-in-progress").write_bytes(b"half an upload")
    # A development run's workspace (mock data), in the process's folder under work/.
    (store.owned_folder(domain, domain.parent / "work") / "dev-1-abc-1").mkdir()
    with store.recording_version(domain):
        print(folder, flush=True)
        sys.stdin.read()  # alive until the test closes its stdin (or kills it)
    """
)


def _big_csv(path: Path, copies: int) -> None:
    """Many rows, quickly: the same thousand people over and over (a load checks rows, not uniqueness)."""
    block = csv_text(person_rows(1000)).split("\n", 1)[1]
    with path.open("w", encoding="utf-8") as sink:
        sink.write(csv_text(person_rows(1)).split("\n", 1)[0] + "\n")
        for _ in range(copies):
            sink.write(block)


def _first_version(platform, tmp_path: Path) -> int:
    make_account(platform, kind="provider", name="池州市公安局", login="police.admin")
    police = principal(platform, "police.admin")
    resource = run(platform, catalog.describe, principal=police, body=ResourceIn.model_validate(resource_body()))
    first = tmp_path / "first.csv"
    first.write_text(csv_text(person_rows(50)), encoding="utf-8")
    _, version = catalog.load(
        platform,
        principal=police,
        resource_id=resource.id,
        domain_dir=platform.settings.domain_dir,
        source_format="csv",
        path=first,
    )
    assert version is not None
    return resource.id


def _upload_started_then_server_killed(settings, resource_id: int, token: str, csv: Path) -> None:
    """A department uploads a large file through the API; the server is killed while it is being received."""
    content = csv.read_bytes()
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="people.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    incoming = settings.domain_dir / "incoming"
    with served(settings) as (server, port), socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(
            (
                f"POST /api/v1/resources/{resource_id}/versions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                f"Content-Length: {len(head) + len(content) + len(tail)}\r\n\r\n"
            ).encode()
            + head
            + content[: 1 << 20]
        )
        wait_until(lambda: any(p.name.startswith("upload-") and p.stat().st_size for p in files_under(incoming)))
        server.send_signal(signal.SIGKILL)
        server.wait()


def test_a_killed_load_leaves_nothing_after_the_next_start(settings, tmp_path, caplog):
    platform = open_platform(settings)
    resource_id = _first_version(platform, tmp_path)
    token = make_account(platform, kind="provider", name="池州市公安局", login="police.loader").token
    platform.close()
    big = tmp_path / "big.csv"
    _big_csv(big, 400)  # 400,000 rows: a load of it is well under way when it is killed

    # 1. The server is killed while it receives an upload: the raw file (IDs, names) lies in the domain.
    _upload_started_then_server_killed(settings, resource_id, token, big)
    incoming = settings.domain_dir / "incoming"
    assert any(p.name.startswith("upload-") for p in files_under(incoming))
    # Every start tidies (the server's and each command's): from here on, each start removes the last one's.
    # 2. A load is killed with its version file in place and its row written, before the commit.
    small = tmp_path / "second.csv"
    small.write_text(csv_text(person_rows(30, seed=8)), encoding="utf-8")
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_BEFORE_COMMIT, str(small)],
        env=environment(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL and "recorded, not committed" in killed.stdout, killed.stderr
    left = files_under(settings.domain_dir)
    assert not any(p.name.startswith("upload-") for p in left)
    assert any(p.name.startswith("pending-") for p in left)
    assert len(list((settings.domain_dir / "resources" / str(resource_id)).iterdir())) == 2
    # 3. ``pubdata load`` is killed while it checks a large file: its scratch folder is in the domain.
    loading = cli(settings, "load", "CZ-RK-0001", str(big), "--as", "police.admin")
    wait_until(lambda: any(p.is_dir() and p.name.startswith("load-") for p in incoming.glob("*/*")))
    loading.send_signal(signal.SIGKILL)
    loading.communicate()
    assert any(p.name.startswith("load-") for p in incoming.glob("*/*"))
    assert not any(p.name.startswith("pending-") for p in files_under(incoming))
    assert len(list((settings.domain_dir / "resources" / str(resource_id)).iterdir())) == 1

    with caplog.at_level(logging.WARNING, logger="pubdata.store"):
        platform = open_platform(settings)
    try:
        assert list(incoming.iterdir()) == []
        assert list((settings.data_dir / "run").glob("p*.lock")) == []
        with platform.read() as session:
            versions = list(session.execute(select(ResourceVersion)).scalars())
            hasher = ledger.hasher(ledger.algorithm(session))
        assert [version.number for version in versions] == [1]
        kept = {settings.domain_dir / version.file_name for version in versions}
        assert {p for p in files_under(settings.domain_dir / "resources")} == kept
        # Every committed version still answers, byte for byte what was recorded.
        for version in versions:
            path = settings.domain_dir / version.file_name
            assert file_digest(path, hasher) == version.checksum
            rows = duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()
            assert rows == (version.row_count,)
        with platform.command() as session:
            number, _, previewed = catalog.preview(
                session,
                principal=principal(platform, "police.admin"),
                resource_id=resource_id,
                domain_dir=settings.domain_dir,
            )
        assert number == 1 and len(previewed) == catalog.PREVIEW_ROWS
    finally:
        platform.close()
    removed = [line for line in caplog.messages if "interrupted process" in line]
    assert removed and all(line.endswith("bytes)") and "incoming/p" in line for line in removed)
    raw = {row["id_number"] for row in person_rows(1000)} | {row["full_name"] for row in person_rows(1000)}
    assert not [line for line in caplog.messages if any(value in line for value in raw)]


def test_tidying_leaves_a_live_process_its_work_and_the_version_it_is_recording(settings, monkeypatch):
    platform = open_platform(settings)
    platform.close()
    domain = settings.domain_dir
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDS_ITS_WORK, str(domain)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        folder = Path(holder.stdout.readline().strip())
        # A version file with no row yet, as a load in the other process has it just before its commit.
        recording = domain / "resources" / "1" / "v1-0123456789abcdef.parquet"
        recording.parent.mkdir(parents=True)
        recording.write_bytes(b"PAR1")
        monkeypatch.setattr(store, "STORE_LOCK_PATIENCE", 0.0)
        # A workspace an older version left directly in work/, owned by nobody.
        (settings.work_dir / "dev-2-def-2").mkdir(parents=True)
        again = open_platform(settings)
        again.close()
        assert (folder / "upload-in-progress").read_bytes() == b"half an upload"
        assert recording.exists()
        assert [p.name for p in settings.work_dir.glob("*/*")] == ["dev-1-abc-1"]
        assert not (settings.work_dir / "dev-2-def-2").exists()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate()
    # Its process is gone: now all of it is left over.
    open_platform(settings).close()
    assert not folder.exists() and not recording.exists() and list(settings.work_dir.iterdir()) == []
