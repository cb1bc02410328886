"""Isolated runs with bubblewrap: untrusted code next to the data, and nothing else within reach.

Inside a run the process sees: the system's ``/usr``, the Python that runs the platform (read-only, so
pandas, numpy, duckdb, scikit-learn and statsmodels are there), its own script at ``/job``, the contract's
tables read-only at ``/data/<table>.parquet``, its own writable ``/output``, and a small private ``/tmp``.
No network (its own empty network namespace), no other process (its own PID namespace), no ``/etc``, no
home, no platform database, no other data. Limits come from ``rules.Limits``: wall time (the whole run is
killed), CPU time, address space, the size of any one file written, and processes — the run executes as a
fresh unprivileged user id, so the kernel's per-user process limit stops a fork bomb. If bubblewrap cannot
run, nothing runs: there is no unisolated fallback.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pubdata.common.errors import Refused
from pubdata.common.messages import Phrase
from pubdata.jobs.rules import Limits

BWRAP = "bwrap"
TOOLS_PATH = "/usr/bin:/bin"  # prlimit and setpriv (util-linux): the system's own, never one found on a changed PATH
# The system every isolated process sees: /usr read-only (with /bin, /lib, /lib64 as its links), /proc, /dev.
SYSTEM_MOUNTS = (
    *("--ro-bind", "/usr", "/usr"),
    *("--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64"),
    *("--proc", "/proc", "--dev", "/dev"),
)
RUN_UID_RANGE = (200_000, 299_999)  # ids no account uses: each run gets its own, so runs do not share a limit


class IsolationUnavailable(Refused):
    """The sandbox cannot be built on this machine; the job is refused rather than run unisolated."""


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    timed_out: bool
    log: str  # stdout and stderr, the last ``limits.log_bytes`` of them
    run_uid: int | None = None  # the user id the run had to itself (None when the service is not root)

    @property
    def signal_name(self) -> str | None:
        """The signal that ended the run: bubblewrap reports its child's as 128 + the signal's number."""
        number = -self.exit_code if self.exit_code < 0 else self.exit_code - 128 if self.exit_code > 128 else 0
        try:
            return signal.Signals(number).name
        except ValueError:
            return None


def check_available() -> None:
    """Raise ``IsolationUnavailable`` unless an empty, networkless bubblewrap sandbox starts here."""
    binary = shutil.which(BWRAP)
    if binary is None:
        raise IsolationUnavailable("sandbox.isolation-unavailable", problem=Phrase("isolation.no_bwrap"))
    missing = [
        tool
        for tool in ("prlimit", *(["setpriv"] if os.geteuid() == 0 else []))
        if shutil.which(tool, path=TOOLS_PATH) is None
    ]
    if missing:
        raise IsolationUnavailable(
            "sandbox.isolation-unavailable", problem=Phrase("isolation.no_tools", {"tools": missing})
        )
    probe = subprocess.run(
        [
            binary,
            "--unshare-net",
            "--unshare-pid",
            *SYSTEM_MOUNTS,
            "/usr/bin/true",
        ],
        capture_output=True,
        timeout=30,
    )
    if probe.returncode != 0:
        stderr = probe.stderr.decode(errors="replace").strip()[:200]
        raise IsolationUnavailable(
            "sandbox.isolation-unavailable", problem=Phrase("isolation.no_sandbox", {"problem": stderr})
        )


def _parents(path: Path) -> list[str]:
    return [str(parent) for parent in reversed(path.parents) if str(parent) != "/"]


def _python_mounts() -> list[str]:
    """The platform's own Python, read-only at the same paths, with 0755 parents (the sandbox makes 0700 ones)."""
    arguments, made = [], set()
    for root in dict.fromkeys(
        [Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent.parent]
    ):
        for parent in _parents(root):
            if parent not in made and parent != "/tmp" and not parent.startswith(("/usr",)):
                arguments += ["--perms", "0755", "--dir", parent]
                made.add(parent)
        if not str(root).startswith("/usr/"):
            arguments += ["--ro-bind", str(root), str(root)]
    return arguments


def _process_limit(limits: Limits) -> int:
    """As root the run gets a fresh user id, so the limit is the run's own. Otherwise the kernel counts every
    process of the service's user, so the run may add ``limits.processes`` to what is already running."""
    if os.geteuid() == 0:
        return limits.processes
    return sum(threads for _, uid, threads in _tasks() if uid == os.getuid()) + limits.processes


def _tasks() -> Iterator[tuple[int, int, int]]:
    """(pid, real user id, threads) of every process, as ``/proc`` tells them."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            found = int(status.parent.name), int(fields["Uid"].split()[0]), int(fields.get("Threads", "1"))
        except (OSError, KeyError, ValueError):
            continue  # the process ended while we looked
        yield found


def processes_of(low: int, high: int | None = None) -> list[int]:
    """The processes whose user id is ``low`` (or lies from ``low`` to ``high``)."""
    high = low if high is None else high
    return [pid for pid, uid, _ in _tasks() if low <= uid <= high]


def command(
    *, script: Path, tables: dict[str, Path], output_dir: Path, limits: Limits, extra_files: dict[str, Path]
) -> tuple[list[str], int | None]:
    """The command line of one run, and the user id it runs as (None when the service is not root)."""
    run_uid = secrets.randbelow(RUN_UID_RANGE[1] - RUN_UID_RANGE[0]) + RUN_UID_RANGE[0] if os.geteuid() == 0 else None
    arguments = [
        shutil.which("prlimit", path=TOOLS_PATH) or "prlimit",
        f"--nproc={_process_limit(limits)}",
        f"--cpu={limits.cpu_seconds}:{limits.cpu_seconds + 5}",
        f"--as={limits.memory_bytes}",
        f"--fsize={limits.file_bytes}",
        "--core=0",
        "--",
        shutil.which(BWRAP) or BWRAP,
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--setenv",
        "HOME",
        "/tmp",
        "--setenv",
        "LANG",
        "C.UTF-8",
        "--setenv",
        "OMP_NUM_THREADS",
        "1",
        "--setenv",
        "OPENBLAS_NUM_THREADS",
        "1",
        "--setenv",
        "MPLCONFIGDIR",
        "/tmp",
        *SYSTEM_MOUNTS,
        # The private /tmp first: the platform's Python may live under /tmp, and must be mounted on top of it.
        "--size",
        str(64 << 20),
        "--perms",
        "1777",
        "--tmpfs",
        "/tmp",
        *_python_mounts(),
        "--perms",
        "0755",
        "--dir",
        "/job",
        "--ro-bind",
        str(script),
        "/job/main.py",
        *[argument for name, path in extra_files.items() for argument in ("--ro-bind", str(path), f"/job/{name}")],
        "--perms",
        "0755",
        "--dir",
        "/data",
    ]
    for name, path in tables.items():
        arguments += ["--ro-bind", str(path.resolve()), f"/data/{name}.parquet"]
    arguments += ["--bind", str(output_dir), "/output", "--chdir", "/output"]
    if run_uid is not None:
        # Still root inside the sandbox (no user namespace): become a user id of our own, with no capabilities.
        arguments += [
            "--cap-add",
            "CAP_SETUID",
            "--cap-add",
            "CAP_SETGID",
            "/usr/bin/setpriv",
            f"--reuid={run_uid}",
            f"--regid={run_uid}",
            "--clear-groups",
            "--bounding-set=-all",
            "--inh-caps=-all",
            "--no-new-privs",
        ]
    arguments += [sys.executable, "-I", "-B", "/job/main.py"]
    return arguments, run_uid


def run(
    *,
    script: Path,
    tables: dict[str, Path],
    output_dir: Path,
    limits: Limits,
    extra_files: dict[str, Path] | None = None,
) -> Outcome:
    """Run ``script`` isolated; its files land in ``output_dir`` (emptied first)."""
    check_available()
    if output_dir.exists():
        shutil.rmtree(output_dir)
    output_dir.mkdir(parents=True)
    arguments, run_uid = command(
        script=script, tables=tables, output_dir=output_dir, limits=limits, extra_files=extra_files or {}
    )
    if run_uid is not None:
        os.chown(output_dir, run_uid, run_uid)
    for path in [script, *(extra_files or {}).values()]:
        path.chmod(0o644)
    log_path = output_dir.parent / "run.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            arguments, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        timed_out = False
        try:
            process.wait(timeout=limits.wall_seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(process.pid, signal.SIGKILL)  # bwrap dies, and with it the sandbox's whole PID namespace
            process.wait()
    if run_uid is not None:
        _kill_leftovers(run_uid)
        _reclaim(output_dir)
    return Outcome(
        exit_code=process.returncode, timed_out=timed_out, log=_tail(log_path, limits.log_bytes), run_uid=run_uid
    )


def _kill_leftovers(run_uid: int) -> None:
    """The PID namespace dies with the run, but the kernel tears it down in its own time: a fork bomb's
    thousand children can outlive ``wait()`` by a moment. The run's user id is its own, so every process
    of it is the run's: kill them all and wait until none is left."""
    deadline = time.monotonic() + 30
    while (pids := processes_of(run_uid)) and time.monotonic() < deadline:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)


def _reclaim(output_dir: Path) -> None:
    """The outputs now belong to the platform: the run's user id owns nothing after the run."""
    for path in [output_dir, *output_dir.rglob("*")]:
        os.lchown(path, 0, 0)


def _tail(path: Path, size: int) -> str:
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - size))
        return handle.read().decode("utf-8", errors="replace")
