"""Isolated runs with bubblewrap: untrusted code next to the data, and nothing else within reach.

Inside a run the process sees: the system's ``/usr``, the Python that runs the platform (read-only, so
pandas, numpy, duckdb, scikit-learn and statsmodels are there), its own script at ``/job``, the contract's
tables read-only at ``/data/<table>.parquet``, its own writable ``/output``, and a small private ``/tmp``.
No network (its own empty network namespace), no other process (its own PID namespace), no ``/etc``, no
home, no platform database, no other data. Limits come from ``rules.Limits``: wall time (the whole run is
killed), CPU time, address space, the size of any one file written, and processes — the run executes as a
fresh unprivileged user id, so the kernel's per-user process limit stops a fork bomb. A seccomp filter
(``seccomp_filter``) denies the system calls that reach past those walls: namespaces, mounts, tracing other
processes, the kernel's keyrings, BPF, perf events, kernel modules and the like. If bubblewrap or libseccomp
cannot run, nothing runs: there is no unisolated fallback.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pubdata.common.errors import Refused
from pubdata.common.messages import Phrase, declare
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


declare(
    labels={
        "isolation.no_seccomp": (
            "无法加载 libseccomp（{problem}），不能为作业设置系统调用过滤；作业被拒绝，不会在无过滤的情况下运行",
            "libseccomp cannot be used ({problem}), so the job's system calls cannot be filtered; jobs are refused, "
            "not run unfiltered",
        ),
    }
)

# --- the seccomp filter --------------------------------------------------------------------------------
# Built with libseccomp (Debian's libseccomp2) through ctypes: the Python binding (python3-seccomp) is built
# for Debian's own interpreter and cannot be imported by the platform's Python, while the C library's API is
# stable since 2.x and is all this needs. The compiled classic-BPF program goes to bubblewrap on a file
# descriptor (``--seccomp FD``); bubblewrap loads it (with no_new_privs) just before it starts the job.

SCMP_ACT_KILL_PROCESS = 0x80000000
SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_FLTATR_ACT_BADARCH = 2
SCMP_CMP_NE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_MASKED_EQ = 1, 4, 5, 7
SCMP_ARCH_X86_64 = 0xC000003E  # AUDIT_ARCH_X86_64


def _errno(number: int) -> int:
    """SCMP_ACT_ERRNO(number): the call fails with that error and does nothing."""
    return 0x00050000 | (number & 0xFFFF)


# Denied outright with EPERM. The list follows Docker's default profile and Flatpak's (bubblewrap's own
# example) filter: each reaches past a wall the sandbox builds, or is kernel attack surface no job needs.
DENIED_SYSCALLS: dict[str, str] = {
    # namespaces and mounts: the sandbox's walls are namespaces and mounts, so a job may make neither
    **dict.fromkeys(("unshare", "setns", "mount", "umount2", "pivot_root", "chroot"), "namespaces and mounts"),
    # other processes' memory and execution
    **dict.fromkeys(
        ("ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise"),
        "other processes",
    ),
    # the kernel's keyrings are shared beyond the sandbox (no key namespace)
    **dict.fromkeys(("keyctl", "add_key", "request_key"), "kernel keyrings"),
    # programs and probes loaded into the kernel
    **dict.fromkeys(("bpf", "perf_event_open", "userfaultfd", "lookup_dcookie", "fanotify_init"), "kernel probes"),
    # io_uring performs system calls the filter never sees
    **dict.fromkeys(("io_uring_setup", "io_uring_enter", "io_uring_register"), "io_uring"),
    # the kernel itself: modules, kexec, reboot, swap, clocks, accounting, the kernel log
    **dict.fromkeys(
        (
            "init_module",
            "finit_module",
            "delete_module",
            "create_module",
            "get_kernel_syms",
            "query_module",
            "kexec_load",
            "kexec_file_load",
            "reboot",
            "swapon",
            "swapoff",
            "settimeofday",
            "clock_settime",
            "clock_adjtime",
            "acct",
            "syslog",
            "quotactl",
            "quotactl_fd",
            "nfsservctl",
            "sethostname",
            "setdomainname",
            "vhangup",
        ),
        "the kernel",
    ),
    # hardware and obsolete interfaces: port I/O, 16-bit segments, handles that bypass path checks
    **dict.fromkeys(
        ("iopl", "ioperm", "modify_ldt", "uselib", "ustat", "sysfs", "_sysctl", "open_by_handle_at"),
        "hardware and obsolete",
    ),
    # NUMA placement moves other processes' pages and is a known source of leaks
    **dict.fromkeys(
        ("mbind", "get_mempolicy", "set_mempolicy", "migrate_pages", "move_pages", "set_mempolicy_home_node"),
        "NUMA placement",
    ),
}
# The new mount API answers "not implemented", so a caller falls back to mount(2), which is denied.
NOT_IMPLEMENTED_SYSCALLS = (
    "open_tree",
    "move_mount",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    # clone3 takes its flags in memory, where a filter cannot read them: ENOSYS makes libc fall back to clone,
    # whose flags are checked below.
    "clone3",
)
# clone(2) with any namespace flag (x86_64 passes the flags as the first argument). CLONE_NEWTIME shares
# its bit with the exit signal in clone(2) and is reachable only through unshare and clone3, both denied.
CLONE_NAMESPACE_FLAGS = {
    "CLONE_NEWNS": 0x00020000,
    "CLONE_NEWCGROUP": 0x02000000,
    "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000,
    "CLONE_NEWUSER": 0x10000000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
}
PER_LINUX = 0  # personality(2): only the default; READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE and others weaken ASLR
TERMINAL_IOCTLS = {"TIOCSTI": 0x5412, "TIOCLINUX": 0x541C}  # typing into, or driving, a terminal
ALLOWED_SOCKET_FAMILIES = (1, 2, 10)  # AF_UNIX, AF_INET, AF_INET6; every other family is kernel surface
SOCKET_FAMILY_LIMIT = 64  # families at or above AF_MAX as well as the rest


class _ArgCmp(ctypes.Structure):
    """libseccomp's ``struct scmp_arg_cmp``."""

    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


def _libseccomp() -> ctypes.CDLL:
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    library = ctypes.CDLL(name, use_errno=True)
    library.seccomp_init.argtypes, library.seccomp_init.restype = [ctypes.c_uint32], ctypes.c_void_p
    library.seccomp_release.argtypes, library.seccomp_release.restype = [ctypes.c_void_p], None
    library.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
    library.seccomp_arch_native.argtypes, library.seccomp_arch_native.restype = [], ctypes.c_uint32
    library.seccomp_syscall_resolve_name_arch.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
    library.seccomp_rule_add_exact_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    ]
    library.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    return library


class SeccompUnavailable(Exception):
    """libseccomp is missing or refused the filter: the caller refuses the job."""


def _checked(code: int, what: str) -> None:
    if code < 0:
        raise SeccompUnavailable(f"{what}: {os.strerror(-code)}")


def seccomp_filter(sink: int) -> None:
    """Write the job's compiled seccomp filter (classic BPF) to the file descriptor ``sink``.

    Everything not named here is allowed: the job is ordinary Python with pandas, numpy and DuckDB, and an
    allow-list would break with each new library or libc. A call from another architecture — i386 through
    ``int 0x80``, or the x32 ABI's numbers on x86_64 — kills the process, since none of these rules would
    see it.
    """
    try:
        library = _libseccomp()
    except (OSError, AttributeError) as error:
        raise SeccompUnavailable(str(error)) from None
    native = library.seccomp_arch_native()
    if native != SCMP_ARCH_X86_64:
        # The clone flag's argument position and the x32 check are x86_64's; other machines need their review.
        raise SeccompUnavailable(f"architecture {native:#x} is not supported")
    context = library.seccomp_init(SCMP_ACT_ALLOW)
    if not context:
        raise SeccompUnavailable("seccomp_init failed")
    try:
        _checked(library.seccomp_attr_set(context, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS), "bad-arch action")

        def deny(name: str, action: int, *conditions: tuple[int, int, int, int]) -> None:
            number = library.seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name.encode())
            if number < 0:
                return  # not a system call of x86_64 (create_module, get_kernel_syms …): nothing to deny
            array = (_ArgCmp * max(len(conditions), 1))(*(_ArgCmp(*condition) for condition in conditions))
            _checked(library.seccomp_rule_add_exact_array(context, action, number, len(conditions), array), name)

        for name in DENIED_SYSCALLS:
            deny(name, _errno(errno.EPERM))
        for name in NOT_IMPLEMENTED_SYSCALLS:
            deny(name, _errno(errno.ENOSYS))
        for flag in CLONE_NAMESPACE_FLAGS.values():
            deny("clone", _errno(errno.EPERM), (0, SCMP_CMP_MASKED_EQ, flag, flag))
        deny("personality", _errno(errno.EPERM), (0, SCMP_CMP_NE, PER_LINUX, 0))
        for request in TERMINAL_IOCTLS.values():
            deny("ioctl", _errno(errno.EPERM), (1, SCMP_CMP_MASKED_EQ, 0xFFFFFFFF, request))
        for family in range(SOCKET_FAMILY_LIMIT):
            if family not in ALLOWED_SOCKET_FAMILIES:
                deny("socket", _errno(errno.EAFNOSUPPORT), (0, SCMP_CMP_EQ, family, 0))
        deny("socket", _errno(errno.EAFNOSUPPORT), (0, SCMP_CMP_GE, SOCKET_FAMILY_LIMIT, 0))
        _checked(library.seccomp_export_bpf(context, sink), "export")
    finally:
        library.seccomp_release(context)


@contextlib.contextmanager
def _seccomp_program() -> Iterator[int]:
    """An open file holding the compiled filter, read from its start, for bubblewrap's ``--seccomp``."""
    with tempfile.TemporaryFile() as program:
        try:
            seccomp_filter(program.fileno())
        except SeccompUnavailable as error:
            raise IsolationUnavailable(
                "sandbox.isolation-unavailable", problem=Phrase("isolation.no_seccomp", {"problem": str(error)})
            ) from None
        program.flush()
        os.lseek(program.fileno(), 0, os.SEEK_SET)
        yield program.fileno()


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
    with _seccomp_program() as program:  # the filter compiles, and bubblewrap accepts it
        probe = subprocess.run(
            [
                binary,
                "--unshare-net",
                "--unshare-pid",
                "--seccomp",
                str(program),
                *SYSTEM_MOUNTS,
                "/usr/bin/true",
            ],
            capture_output=True,
            timeout=30,
            pass_fds=(program,),
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
    *,
    script: Path,
    tables: dict[str, Path],
    output_dir: Path,
    limits: Limits,
    extra_files: dict[str, Path],
    seccomp_fd: int,
) -> tuple[list[str], int | None]:
    """The command line of one run, and the user id it runs as (None when the service is not root).
    ``seccomp_fd`` is an open file holding the compiled filter; the process must inherit it."""
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
        "--seccomp",
        str(seccomp_fd),
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
    log_path = output_dir.parent / "run.log"
    with _seccomp_program() as program, log_path.open("wb") as log:
        arguments, run_uid = command(
            script=script,
            tables=tables,
            output_dir=output_dir,
            limits=limits,
            extra_files=extra_files or {},
            seccomp_fd=program,
        )
        if run_uid is not None:
            os.chown(output_dir, run_uid, run_uid)
        for path in [script, *(extra_files or {}).values()]:
            path.chmod(0o644)
        process = subprocess.Popen(
            arguments,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            pass_fds=(program,),
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
