"""The job sandbox's seccomp filter, through real bubblewrap: denied calls fail with their errno inside the job.

Each probe calls the kernel through ctypes with arguments that would *not* fail with EPERM without the filter
(``unshare(0)`` and ``ptrace(PTRACE_TRACEME)`` succeed, ``mount`` on a missing folder is ENOENT, an unknown
``keyctl`` command is EOPNOTSUPP, ``perf_event_open(NULL)`` is EFAULT), so an EPERM is the filter's answer.
The probe writes what the kernel said to ``/output/verdict.txt``.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.jobs import isolation
from pubdata.jobs.rules import Limits
from tests.scenarios import MODEL_SCRIPT, run_next_job
from tests.scenarios import submit_job as submit

LIMITS = Limits(wall_seconds=20, cpu_seconds=20, memory_bytes=2 << 30, file_bytes=1 << 20, processes=32)
PROBE = """\
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def call(number, *arguments):
    result = libc.syscall(ctypes.c_long(number), *[ctypes.c_long(argument) for argument in arguments])
    return result, ctypes.get_errno()
{body}
answer, number = result
verdict = "ALLOWED" if answer >= 0 else errno.errorcode.get(number, str(number))
open("/output/verdict.txt", "w").write(verdict)
"""

# name → (the probe's code, setting ``result`` to (return value, errno)), the errno the filter answers
DENIED = {
    "unshare": ("result = call(272, 0)", "EPERM"),
    "unshare a user namespace": ("result = call(272, 0x10000000)", "EPERM"),
    "setns": ("result = call(308, 0, 0)", "EPERM"),
    "mount": (
        "result = libc.mount(b'none', b'/no-such-folder', b'tmpfs', 0, None), ctypes.get_errno()",
        "EPERM",
    ),
    "umount2": ("result = libc.umount2(b'/no-such-folder', 0), ctypes.get_errno()", "EPERM"),
    "pivot_root": ("result = call(155, 0, 0)", "EPERM"),
    "chroot": ("result = libc.chroot(b'/tmp'), ctypes.get_errno()", "EPERM"),
    "ptrace": ("result = call(101, 0, 0, 0, 0)", "EPERM"),  # PTRACE_TRACEME
    "process_vm_readv": ("result = call(310, os.getpid(), 0, 0, 0, 0, 0)", "EPERM"),
    "process_vm_writev": ("result = call(311, os.getpid(), 0, 0, 0, 0, 0)", "EPERM"),
    "keyctl": ("result = call(250, 0x7FFF, 0, 0, 0, 0)", "EPERM"),
    "add_key": ("result = call(248, 0, 0, 0, 0, 0)", "EPERM"),
    "request_key": ("result = call(249, 0, 0, 0, 0)", "EPERM"),
    "bpf": ("result = call(321, 0x7FFF, 0, 0)", "EPERM"),
    "perf_event_open": ("result = call(298, 0, 0, -1, -1, 0)", "EPERM"),
    "userfaultfd": ("result = call(323, 0)", "EPERM"),
    "kexec_load": ("result = call(246, 0, 0, 0, 0)", "EPERM"),
    "init_module": ("result = call(175, 0, 0, 0)", "EPERM"),
    "finit_module": ("result = call(313, -1, 0, 0)", "EPERM"),
    "delete_module": ("result = call(176, 0, 0)", "EPERM"),
    "io_uring_setup": ("result = call(425, 1, 0)", "EPERM"),
    "clone with CLONE_NEWUSER": (
        # SIGCHLD | CLONE_NEWUSER; should it ever succeed, the child leaves at once
        "result = call(56, 17 | 0x10000000, 0, 0, 0, 0)\nif result[0] == 0:\n    os._exit(0)",
        "EPERM",
    ),
    "clone with CLONE_NEWNET": (
        "result = call(56, 17 | 0x40000000, 0, 0, 0, 0)\nif result[0] == 0:\n    os._exit(0)",
        "EPERM",
    ),
    "clone3": ("result = call(435, 0, 0)", "ENOSYS"),
    "personality READ_IMPLIES_EXEC": ("result = call(135, 0x0400000)", "EPERM"),
    "personality ADDR_NO_RANDOMIZE": ("result = call(135, 0x0040000)", "EPERM"),
    "a netlink socket": ("result = call(41, 16, 3, 0)", "EAFNOSUPPORT"),
    "a packet socket": ("result = call(41, 17, 3, 0)", "EAFNOSUPPORT"),
    "open_tree": ("result = call(428, -100, 0, 0)", "ENOSYS"),
}


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "t.parquet"
    duckdb.sql(f"COPY (SELECT range AS id FROM range(100)) TO '{path}' (FORMAT parquet)")
    return path


def probe(tmp_path: Path, table: Path, body: str) -> tuple[isolation.Outcome, str]:
    script = tmp_path / "main.py"
    script.write_text(PROBE.format(body=body), encoding="utf-8")
    outcome = isolation.run(script=script, tables={"t": table}, output_dir=tmp_path / "output", limits=LIMITS)
    verdict = tmp_path / "output" / "verdict.txt"
    return outcome, verdict.read_text() if verdict.exists() else f"no verdict (exit {outcome.exit_code})"


@pytest.mark.parametrize("name", list(DENIED))
def test_a_denied_system_call_fails_inside_the_job_with_its_errno(tmp_path, table, name):
    body, expected = DENIED[name]
    outcome, verdict = probe(tmp_path, table, body)
    assert (outcome.exit_code, verdict) == (0, expected), f"{name}: {verdict}\n{outcome.log}"


def test_the_probe_can_tell_an_allowed_call(tmp_path, table):
    """The same harness reports a call the filter lets through (getpid), so the EPERMs above are the filter's."""
    outcome, verdict = probe(tmp_path, table, "result = call(39)")
    assert (outcome.exit_code, verdict) == (0, "ALLOWED")


@pytest.mark.parametrize(
    "name,body",
    [
        ("the x32 ABI", "call(0x40000000 | 39)"),  # x32's getpid: x86_64's number with the x32 bit
        (
            "i386 through int 0x80",
            textwrap.dedent(
                """\
                import mmap
                page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
                page.write(b"\\xb8\\x14\\x00\\x00\\x00\\xcd\\x80\\xc3")  # mov eax, 20 (getpid); int 0x80; ret
                ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(page)))()"""
            ),
        ),
    ],
)
def test_a_call_from_another_architecture_kills_the_job(tmp_path, table, name, body):
    """The rules are x86_64's; a call under another ABI would pass them unseen, so it ends the process."""
    outcome, verdict = probe(tmp_path, table, body + "\nresult = (0, 0)")
    assert outcome.signal_name == "SIGSYS" and verdict.startswith("no verdict"), (name, verdict, outcome.log)


def test_an_ordinary_job_still_runs_threads_processes_and_libraries(tmp_path, table):
    body = textwrap.dedent(
        """\
        import subprocess, threading
        import duckdb, numpy, pandas
        threads = [threading.Thread(target=numpy.linalg.inv, args=(numpy.eye(50),)) for _ in range(4)]
        [thread.start() for thread in threads]
        [thread.join() for thread in threads]
        child = os.fork()
        if child == 0:
            os._exit(7)
        assert os.waitpid(child, 0)[1] >> 8 == 7
        assert subprocess.run(["/usr/bin/true"]).returncode == 0
        frame = pandas.read_parquet("/data/t.parquet")
        assert duckdb.sql("SELECT sum(id) FROM frame").fetchall() == [(4950,)]
        result = call(135, 0)"""
    )
    outcome, verdict = probe(tmp_path, table, body)
    assert (outcome.exit_code, verdict) == (0, "ALLOWED"), outcome.log


def test_the_filter_is_a_classic_bpf_program(tmp_path):
    program = tmp_path / "filter.bpf"
    with program.open("wb") as sink:
        isolation.seccomp_filter(sink.fileno())
    size = program.stat().st_size
    assert size > 0 and size % 8 == 0  # struct sock_filter is 8 bytes
    assert size // 8 <= 4096  # BPF_MAXINSNS


def test_without_libseccomp_nothing_runs(tmp_path, table, monkeypatch):
    def missing() -> None:
        raise OSError("libseccomp.so.2: cannot open shared object file")

    monkeypatch.setattr(isolation, "_libseccomp", missing)
    with pytest.raises(isolation.IsolationUnavailable) as refused:
        probe(tmp_path, table, "result = call(39)")
    assert refused.value.rule == "sandbox.isolation-unavailable"
    assert "libseccomp" in refused.value.detail_in("en") and "libseccomp" in refused.value.detail_in("zh-CN")
    assert not (tmp_path / "output" / "verdict.txt").exists()


def test_a_job_is_refused_not_run_unfiltered_when_libseccomp_is_missing(platform, partner_deal, monkeypatch):
    def missing() -> None:
        raise OSError("libseccomp.so.2: cannot open shared object file")

    monkeypatch.setattr(isolation, "_libseccomp", missing)
    with TestClient(create_app(platform)) as client:
        job_id = submit(client, partner_deal["partner"], partner_deal["contract_id"], MODEL_SCRIPT).json()["id"]
        client.post(f"/api/v1/jobs/{job_id}/review", headers=partner_deal["operator"].headers, json={"approve": True})
        run_next_job(platform)
        job = client.get(f"/api/v1/jobs/{job_id}", headers=partner_deal["operator"].headers).json()
        sealed = client.get(f"/api/v1/jobs/{job_id}", headers=partner_deal["partner"].headers).json()
    assert (job["state"], job["outcome_rule"]) == ("failed", "sandbox.isolation-unavailable")
    assert sealed["state"] == "failed" and sealed.get("outcome_rule") != "sandbox.isolation-unavailable"


def test_the_filter_is_inherited_by_nothing_but_bubblewrap():
    """The program's file is opened per run and closed after it: no descriptor is left in the service."""
    before = set(os.listdir("/proc/self/fd"))
    with isolation._seccomp_program() as program:
        assert str(program) in os.listdir("/proc/self/fd")
    assert set(os.listdir("/proc/self/fd")) <= before
