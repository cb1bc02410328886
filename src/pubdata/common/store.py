"""The data directory as a store: each process's folder for work in progress, the lock that keeps a version file
and its row together, tidying what a killed process left behind, and storage faults as refusals.

Work in progress (an upload being received, a load's scratch folder, the Parquet file a load writes before it
is recorded) lives in ``domain/incoming/<owner>/``, and ``run/<owner>.lock`` (beside the domain, in the data
directory: the domain holds data only) is held with ``flock`` for as long as its process lives. The kernel
drops the lock when the process dies, however it dies, so "is the owner alive?" is one non-blocking ``flock``:
no pid file to go stale, no pid reuse to fool it, no age to guess. A version file is linked into
``resources/`` just before its row commits; that window is covered by a shared lock on ``run/store.lock``, and
tidying takes it exclusively, so it never sees a file whose row is about to commit.

Tidying runs on every start (``platform.open_platform``: the server and each command), and is safe while other
processes run: it removes only what a dead process owned, or what no process of this version owns at all.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import re
import secrets
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pubdata.common.errors import Refused
from pubdata.common.messages import Text, declare

log = logging.getLogger("pubdata.store")

INCOMING = "incoming"
STORE_LOCK = "store.lock"


def _locks(domain_dir: Path) -> Path:
    """Where the locks live: ``run/`` in the data directory, which holds the domain."""
    folder = domain_dir.parent / "run"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


# What a version file is called (``catalog.service.record_version``): only these are ever tidied.
VERSION_FILE = re.compile(r"^(v\d+-[0-9a-f]{16}\.parquet|\.v\d+-[0-9a-f]{16}\.parquet\.[0-9a-f]{32}\.partial)$")
# How long tidying waits for loads being recorded in other processes before it leaves version files alone.
STORE_LOCK_PATIENCE = 10.0
MAX_LOGGED = 100  # files of one removed folder logged one by one

FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
REASONS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("磁盘空间已满", "no space left on the device"),
    errno.EDQUOT: ("超出磁盘配额", "disk quota exceeded"),
    errno.EFBIG: ("文件超过允许的大小", "file size limit exceeded"),
    errno.EROFS: ("文件系统只读", "read-only file system"),
    errno.EACCES: ("没有写入权限", "permission denied"),
    errno.EPERM: ("没有写入权限", "operation not permitted"),
    errno.EIO: ("存储读写出错", "input/output error"),
}
OTHER_REASON = ("存储读写出错", "storage error")

declare(
    refusals={
        "storage.full": (
            507,
            "平台的存储空间不足（{reason}），本次操作未做任何更改，请联系平台管理员。",
            "The platform's storage is full ({reason}); nothing was changed. Please tell the platform's administrator.",
        ),
        "storage.unavailable": (
            503,
            "平台的存储暂时无法写入（{reason}），本次操作未做任何更改，请稍后再试或联系平台管理员。",
            "The platform's storage cannot be written now ({reason}); nothing was changed. Try again later or "
            "tell the platform's administrator.",
        ),
    }
)


# --- storage faults ------------------------------------------------------------------------------------


class StorageFault(Refused):
    """The store (disk or database) could not keep what it was asked to: never the client's fault."""

    def __init__(self, number: int | None, where: str | None = None) -> None:
        reason = REASONS.get(number, OTHER_REASON) if number is not None else OTHER_REASON
        super().__init__("storage.full" if number in FULL else "storage.unavailable", reason=Text(reason))
        self.errno, self.where = number, where

    @property
    def code(self) -> str:
        return errno.errorcode.get(self.errno, "?") if self.errno is not None else "?"


# What the engines and databases say instead of an errno.
_MESSAGES = (
    ("no space left", errno.ENOSPC),
    ("database or disk is full", errno.ENOSPC),
    ("disk quota exceeded", errno.EDQUOT),
    ("file too large", errno.EFBIG),
    ("read-only file system", errno.EROFS),
    ("readonly database", errno.EROFS),
    ("disk i/o error", errno.EIO),
    ("permission denied", errno.EACCES),
)
# PostgreSQL's SQLSTATEs for a full disk, too many files or a read-only server.
_SQLSTATES = {"53100": errno.ENOSPC, "53000": errno.ENOSPC, "25006": errno.EROFS}


def fault_of(error: BaseException) -> StorageFault | None:
    """The storage fault behind ``error`` (or its causes), or None if it is something else."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found = _fault_here(current)
        if found is not None:
            return found
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return None


def _fault_here(error: BaseException) -> StorageFault | None:
    if isinstance(error, StorageFault):
        return error
    if isinstance(error, OSError) and not isinstance(error, (ConnectionError, TimeoutError)) and error.errno:
        return StorageFault(error.errno, str(error.filename) if error.filename else None)
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate in _SQLSTATES:
        return StorageFault(_SQLSTATES[sqlstate])
    # Only the engines' I/O errors are read for their words: their other errors (a conversion, a malformed CSV
    # line) quote the data, and a department's value saying "no space left" is not a full disk.
    if isinstance(error, (duckdb.IOException, sqlite3.OperationalError)):
        text = str(error).lower()
        for words, number in _MESSAGES:
            if words in text:
                return StorageFault(number)
    return None


def log_fault(fault: StorageFault, what: str) -> None:
    """One line for the operator: which fault, where; never what was being written."""
    log.error("storage fault during %s: %s%s", what, fault.code, f" at {fault.where}" if fault.where else "")


# --- this process's folder for work in progress ----------------------------------------------------------


@dataclass
class _Owned:
    folder: Path
    lock_fd: int


_owned: dict[Path, _Owned] = {}
_users: dict[Path, int] = {}  # open platforms per domain in this process: the last to close gives the folder up
_owned_guard = threading.Lock()


def attach(domain_dir: Path) -> None:
    """A platform on ``domain_dir`` opened in this process (``release`` when it closes)."""
    key = domain_dir.resolve()
    with _owned_guard:
        _users[key] = _users.get(key, 0) + 1


def scratch_for(domain_dir: Path) -> Path:
    """This process's folder for work in progress under ``domain_dir`` (made, and its lock taken, on first use)."""
    key = domain_dir.resolve()
    with _owned_guard:
        owned = _owned.get(key)
        if owned is None or not owned.folder.is_dir():
            if owned is not None:
                os.close(owned.lock_fd)
            owned = _owned[key] = _claim(key / INCOMING, _locks(key))
        return owned.folder


def owned_folder(domain_dir: Path, area: Path) -> Path:
    """This process's folder in another scratch area of the data directory (development runs' workspaces under
    ``work/``), named like, and living as long as, its folder in the domain, and tidied with it."""
    folder = area / scratch_for(domain_dir).name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def release(domain_dir: Path) -> None:
    """Give up this process's folder (it should be empty by now) and its lock once the last platform on it
    in this process closes."""
    key = domain_dir.resolve()
    with _owned_guard:
        _users[key] = _users.get(key, 1) - 1
        if _users[key] > 0:
            return
        del _users[key]
        owned = _owned.pop(key, None)
    if owned is None:
        return
    shutil.rmtree(owned.folder, ignore_errors=True)
    with contextlib.suppress(OSError):
        (_locks(domain_dir.resolve()) / f"{owned.folder.name}.lock").unlink()
    os.close(owned.lock_fd)


def _claim(incoming: Path, locks: Path) -> _Owned:
    incoming.mkdir(parents=True, exist_ok=True)
    while True:
        name = f"p{os.getpid()}-{secrets.token_hex(4)}"
        lock_path = locks / f"{name}.lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        # A tidier may have opened the new lock file before this flock and removed it meanwhile: only a lock on
        # the file still at that path counts, else try another name.
        fcntl.flock(fd, fcntl.LOCK_EX)
        if _same_file(fd, lock_path):
            folder = incoming / name
            folder.mkdir(mode=0o700)
            return _Owned(folder, fd)
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


@contextlib.contextmanager
def recording_version(domain_dir: Path) -> Iterator[None]:
    """Held (shared) from linking a version file into place until its row has committed or rolled back."""
    fd = os.open(_locks(domain_dir) / STORE_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


# --- tidying at start ------------------------------------------------------------------------------------


@dataclass
class Tidied:
    removed: list[tuple[str, int]]  # (path relative to the domain, bytes)
    skipped_versions: bool = False


def tidy(domain_dir: Path, referenced: Callable[[], set[str]], *, areas: tuple[Path, ...] = ()) -> Tidied:
    """Remove what no live process is working on and no committed version references: other processes' dead
    folders in ``incoming/`` (uploads, scratch, pending files), anything else left in ``incoming/`` or the old
    upload spool ``tmp/``, and version files in ``resources/`` with no row. ``referenced`` answers the version
    files the database knows (paths relative to the domain); it is asked while no version is being recorded.
    In each of ``areas`` (``owned_folder``), what no live process owns is removed too."""
    done = Tidied([])
    incoming = domain_dir / INCOMING
    if incoming.is_dir():
        _tidy_incoming(domain_dir, incoming, done)
    for area in areas:
        if area.is_dir():
            for entry in sorted(area.iterdir()):
                if not _alive(_locks(domain_dir), entry.name):
                    _remove(area.parent, entry, done)
    spool = domain_dir / "tmp"
    if spool.is_dir():
        for entry in sorted(spool.iterdir()):
            _remove(domain_dir, entry, done)
    resources = domain_dir / "resources"
    if resources.is_dir():
        _tidy_versions(domain_dir, resources, referenced, done)
    for path, size in done.removed:
        log.warning("removed what an interrupted process left: %s (%d bytes)", path, size)
    return done


def _tidy_incoming(domain_dir: Path, incoming: Path, done: Tidied) -> None:
    locks = _locks(domain_dir)
    owners = sorted(entry.name.removesuffix(".lock") for entry in locks.glob("p*.lock"))
    for name in owners:
        _tidy_owner(domain_dir, incoming, locks, name, done)
    for entry in sorted(incoming.iterdir()):
        if entry.name not in owners and entry.exists():
            _remove(domain_dir, entry, done)  # no lock file: its owner died, or an older version left it


def _tidy_owner(domain_dir: Path, incoming: Path, locks: Path, name: str, done: Tidied) -> None:
    lock_path = locks / f"{name}.lock"
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # its process is alive (this one included): its work is in progress
        if not _same_file(fd, lock_path):
            return  # another tidier got there first
        folder = incoming / name
        if folder.exists():
            _remove(domain_dir, folder, done)
        lock_path.unlink(missing_ok=True)
    finally:
        os.close(fd)


def _alive(locks: Path, name: str) -> bool:
    """Is the process that owns ``name`` alive (is its lock held)?"""
    try:
        fd = os.open(locks / f"{name}.lock", os.O_RDWR | os.O_CLOEXEC)
    except (FileNotFoundError, ValueError):
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _tidy_versions(domain_dir: Path, resources: Path, referenced: Callable[[], set[str]], done: Tidied) -> None:
    fd = os.open(_locks(domain_dir) / STORE_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + STORE_LOCK_PATIENCE
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    log.warning("version files not tidied: loads were being recorded in another process")
                    done.skipped_versions = True
                    return
                time.sleep(0.1)
        known = referenced()
        for folder in sorted(resources.iterdir()):
            if not (folder.is_dir() and folder.name.isdigit()):
                continue
            for file in sorted(folder.iterdir()):
                relative = f"resources/{folder.name}/{file.name}"
                if VERSION_FILE.match(file.name) and file.is_file() and relative not in known:
                    _remove(domain_dir, file, done)
    finally:
        os.close(fd)


def _remove(domain_dir: Path, entry: Path, done: Tidied) -> None:
    relative = entry.relative_to(domain_dir).as_posix()
    if entry.is_dir() and not entry.is_symlink():
        files = [(f.relative_to(domain_dir).as_posix(), f.lstat().st_size) for f in entry.rglob("*") if not f.is_dir()]
        shutil.rmtree(entry, ignore_errors=True)
        if entry.exists():
            log.warning("could not remove all of %s", relative)
            return
        # Each file by its path and size, and the folder itself with its total.
        done.removed += files[:MAX_LOGGED]
        size = sum(size for _, size in files)
        relative += f"/ ({len(files)} files" + (", not all listed" if len(files) > MAX_LOGGED else "") + ")"
    else:
        size = entry.lstat().st_size
        try:
            entry.unlink()
        except FileNotFoundError:
            return
        except OSError as error:
            log.warning("could not remove %s: %s", relative, errno.errorcode.get(error.errno or 0, "?"))
            return
    done.removed.append((relative, size))
