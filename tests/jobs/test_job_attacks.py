"""Attack jobs: code that tries to leave the sandbox, run against real bubblewrap.

The first half runs each attack straight in the isolation layer — no import check in front, because the
sandbox must hold even when a reviewer misses something. Each probe reports what happened in
``/output/verdict.txt``; a probe that got through writes ``ALLOWED``. The second half goes through the whole
job path with code that passes the import check (reaching ``os`` through pandas), and checks the job fails or
is blocked, naming its rule, with nothing left behind.
"""

from __future__ import annotations

import hashlib
import os
import socket
import textwrap
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.jobs import isolation, outputs
from pubdata.jobs.rules import Limits
from tests.scenarios import run_next_job
from tests.scenarios import submit_job as submit

LIMITS = Limits(wall_seconds=10, cpu_seconds=10, memory_bytes=1 << 30, file_bytes=1 << 20, processes=32)
PROBE = """\
import os, socket, threading, pathlib, sys
def attack():
{body}
try:
    result = attack()
    verdict = "ALLOWED" if result is None else str(result)
except BaseException as error:
    verdict = "refused " + type(error).__name__
open("/output/verdict.txt", "w").write(verdict)
"""

ATTACKS = {
    "tcp to the platform's PostgreSQL": "socket.create_connection(('127.0.0.1', 5432), timeout=3)",
    "tcp to the outside": "socket.create_connection(('1.1.1.1', 443), timeout=3)",
    "dns lookup": "socket.getaddrinfo('pypi.org', 443)",
    "udp datagram": "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b'x', ('8.8.8.8', 53))",
    "unix socket of the database": "s = socket.socket(socket.AF_UNIX); s.connect('/var/run/postgresql/.s.PGSQL.5432')",
    "overwrite the table": "open('/data/t.parquet', 'wb').write(b'x')",
    "new file beside the data": "open('/data/extra.parquet', 'wb').write(b'x')",
    "overwrite its own script": "open('/job/main.py', 'w').write('')",
    "write at the root": "open('/escape', 'w').write('x')",
    "climb out of the output folder": "open('/output/../escape', 'w').write('x')",
    "write into the platform's Python": (
        f"open({os.path.join(os.path.dirname(os.__file__), 'evil.py')!r}, 'w').write('x')"
    ),
    "read the host's passwords": "return open('/etc/passwd').read()[:20]",
    "read the host's root home": "return os.listdir('/root/.ssh')",
    "see the host's processes": (
        "pids = [p for p in os.listdir('/proc') if p.isdigit()]\nreturn None if "
        "len(pids) > 20 else 'refused ' + str(len(pids))"
    ),
    "server environment": (
        "return 'refused' if set(os.environ) <= {'PATH', 'HOME', 'LANG', 'OMP_NUM_THREADS', "
        "'OPENBLAS_NUM_THREADS', 'MPLCONFIGDIR', 'PWD'} else None"
    ),
    "become root again": "os.setuid(0)",
    "signal a host process": "os.kill(1, 9)",
    "hard link the data into the output": "os.link('/data/t.parquet', '/output/copy.parquet')",
    "fork bomb": (
        "pids = []\nwhile True:\n    pids.append(os.fork())\n    if pids[-1] == 0:\n        import "
        "time; time.sleep(30); os._exit(0)"
    ),
    "thread bomb": "import time\nwhile True:\n    threading.Thread(target=time.sleep, args=(30,)).start()",
    "memory bomb": "block = bytearray(8 << 30)",
    "file bigger than the limit": "open('/output/big.bin', 'wb').write(b'0' * (4 << 20))",
    "fill the private /tmp": "open('/tmp/fill', 'wb').write(b'0' * (200 << 20))",
}


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "t.parquet"
    duckdb.sql(f"COPY (SELECT range AS id FROM range(100)) TO '{path}' (FORMAT parquet)")
    return path


def probe(tmp_path: Path, table: Path, body: str, limits: Limits = LIMITS) -> tuple[isolation.Outcome, str]:
    script = tmp_path / "main.py"
    script.write_text(PROBE.format(body=textwrap.indent(body, "    ")), encoding="utf-8")
    outcome = isolation.run(script=script, tables={"t": table}, output_dir=tmp_path / "output", limits=limits)
    verdict = tmp_path / "output" / "verdict.txt"
    return outcome, verdict.read_text() if verdict.exists() else f"no verdict (exit {outcome.exit_code})"


def leftovers(run_uid: int | None) -> list[int]:
    """Processes of this run's own user id still alive: after a run there must be none. Only this run's: other
    runs (another test worker's) may be alive at the same moment under other ids of the range."""
    assert run_uid is not None, "the suite runs as root, so every run has a user id of its own"
    return isolation.processes_of(run_uid)


def test_a_harmless_probe_is_allowed(tmp_path, table):
    """The harness itself can tell: reading its own table is allowed and says so."""
    outcome, verdict = probe(tmp_path, table, "open('/data/t.parquet', 'rb').read(4)")
    assert (outcome.exit_code, verdict) == (0, "ALLOWED")


@pytest.mark.parametrize("name", list(ATTACKS))
def test_attack_job_is_stopped_by_the_sandbox(tmp_path, table, name):
    digest = hashlib.sha256(table.read_bytes()).hexdigest()
    outcome, verdict = probe(tmp_path, table, ATTACKS[name])
    stopped_by_a_limit = outcome.timed_out or outcome.signal_name is not None
    assert verdict.startswith("refused") or stopped_by_a_limit, f"{name}: {verdict}\n{outcome.log}"
    assert hashlib.sha256(table.read_bytes()).hexdigest() == digest
    assert not (tmp_path / "escape").exists() and not Path("/escape").exists()
    assert (
        not (tmp_path / "output" / "big.bin").exists()
        or (tmp_path / "output" / "big.bin").stat().st_size <= LIMITS.file_bytes
    )
    assert leftovers(outcome.run_uid) == [], "a process of the run outlived it"


def test_the_sandbox_has_no_network_even_to_a_listener_on_the_host(tmp_path, table):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    try:
        outcome, verdict = probe(tmp_path, table, f"socket.create_connection(('127.0.0.1', {port}), timeout=3)")
    finally:
        listener.close()
    assert verdict.startswith("refused"), verdict


def test_a_cpu_burner_is_stopped_at_its_limit(tmp_path, table):
    limits = Limits(wall_seconds=30, cpu_seconds=2, memory_bytes=1 << 30, file_bytes=1 << 20)
    outcome, _ = probe(tmp_path, table, "while True:\n    pass", limits)
    assert (
        outcome.signal_name in ("SIGXCPU", "SIGKILL") and not outcome.timed_out
    )  # the CPU limit, long before the wall


def test_a_sleeper_is_stopped_at_its_wall_time(tmp_path, table):
    limits = Limits(wall_seconds=2, cpu_seconds=10, memory_bytes=1 << 30, file_bytes=1 << 20)
    outcome, _ = probe(tmp_path, table, "import time\ntime.sleep(60)", limits)
    assert outcome.timed_out and leftovers(outcome.run_uid) == []


# --- through the whole job path, with code that passes the import check ---------------------------------

JOB_ATTACKS = {
    "network through pandas": ("import pandas as pd\npd.read_csv('http://127.0.0.1:5432/')\n", ("failed",), None),
    "fork bomb through pandas' os": (
        (
            "import pandas as pd\nfork = pd.io.common.os.fork\nwhile True:\n    try:\n        fork()\n    except "
            "OSError:\n        pass\n"
        ),
        ("failed",),
        ("job.cpu-limit", "job.time-limit", "job.killed"),
    ),
    "write outside the output folder": (
        "import pathlib\npathlib.Path('/job/stolen.csv').write_text('x')\n",
        ("failed",),
        ("job.exit-code",),
    ),
    "symlink to the real data in the output": (
        "import pathlib\npathlib.Path('/output/people.parquet').symlink_to('/data/cz_rk_0001.parquet')\n",
        ("blocked",),
        ("job.output-check",),
    ),
    "copy of the raw table as output": (
        "import pandas as pd\npd.read_parquet('/data/cz_rk_0001.parquet').to_parquet('/output/people.parquet')\n",
        ("blocked",),
        ("job.output-check",),
    ),
    "file larger than allowed": (
        "import pathlib\npathlib.Path('/output/big.bin').write_bytes(b'0' * (4 << 20))\n",
        ("failed",),
        ("job.file-size-limit",),
    ),
}


@pytest.mark.parametrize("name", list(JOB_ATTACKS))
def test_attack_job_through_the_job_path_fails_or_is_blocked(platform, partner_deal, name):
    code, states, rules = JOB_ATTACKS[name]
    limits = Limits(wall_seconds=10, cpu_seconds=5, memory_bytes=2 << 30, file_bytes=1 << 20, output_bytes=2 << 20)
    with TestClient(create_app(platform)) as client:
        answer = submit(client, partner_deal["partner"], partner_deal["contract_id"], code, requirements=["pandas"])
        assert answer.status_code == 201, answer.text
        job_id = answer.json()["id"]
        client.post(f"/api/v1/jobs/{job_id}/review", headers=partner_deal["operator"].headers, json={"approve": True})
        ran = run_next_job(platform, limits=limits)
        job = client.get(f"/api/v1/jobs/{job_id}", headers=partner_deal["operator"].headers).json()
        assert job["state"] in states, job
        if rules:
            assert job["outcome_rule"] in rules, job
        assert client.get(f"/api/v1/jobs/{job_id}/output", headers=partner_deal["partner"].headers).status_code == 409
    assert not (outputs.workspace(platform.settings.domain_dir, job_id).root / "stolen.csv").exists()
    assert leftovers(ran.run_uid) == []
