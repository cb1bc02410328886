"""Data files checked against the digest the catalogue recorded when they were loaded.

A version's Parquet file is immutable; the catalogue keeps its size and its digest (SM3 by default: the
ledger's hash). Before an engine, a job or the mock generator reads a file, ``check`` compares the file with
that record. The first check in a process hashes the whole file, streaming (files can be gigabytes); a passed
check is remembered by the file's identity on disk — device, inode, size, modification and change times —
so later opens cost one ``stat``. Anything that changes the bytes changes one of those (an in-place edit
moves ``st_ctime_ns``, which no user program can set back), and a changed identity is hashed again.

A file that is missing, unreadable, of another size or another digest is refused with ``data.damaged``,
naming the resource and the version: it is platform state, the same for every question, never an answer.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives import hashes

from pubdata.common.errors import Refused

CHUNK_BYTES = 4 << 20
# The catalogue's digests are the ledger's hash; OpenSSL's through hashlib releases the GIL while it hashes,
# so a long first check does not hold up the server's other threads. cryptography's is the fallback.
_CRYPTOGRAPHY = {"sm3": hashes.SM3, "sha256": hashes.SHA256}

MISSING, UNREADABLE, SIZE, DIGEST = "missing", "unreadable", "size", "digest"
PROBLEMS = (MISSING, UNREADABLE, SIZE, DIGEST)
# What each problem means, for a person reading `pubdata ledger verify --data`.
SAYS = {
    MISSING: "is missing",
    UNREADABLE: "cannot be read",
    SIZE: "has another size than recorded",
    DIGEST: "does not match its recorded checksum",
}


@dataclass(frozen=True)
class Recorded:
    """A version's file as the catalogue recorded it: where it is (relative to the domain), its size, its digest
    and the hash that made it, and what it is the data of."""

    file: str
    size: int
    checksum: str
    algorithm: str
    resource: str  # the resource's code
    version: int  # the version's number
    version_id: int


@dataclass(frozen=True)
class Damage:
    """What a check found wrong with a version's file (``problem`` is one of ``PROBLEMS``)."""

    recorded: Recorded
    problem: str


class DataDamaged(Refused):
    """A version's file is not the file the catalogue recorded."""

    def __init__(self, damage: Damage) -> None:
        super().__init__("data.damaged", resource=damage.recorded.resource, version=damage.recorded.version)
        self.damage = damage
        self.alerted = False  # set by whoever raised its alert, so a refusal passing two units alerts once


Identity = tuple[int, int, int, int, int]  # st_dev, st_ino, st_size, st_mtime_ns, st_ctime_ns


def _identity(status: os.stat_result) -> Identity:
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def digest_of(path: Path, algorithm: str) -> str:
    """The hex digest of a file, read in chunks into one buffer (constant memory, whatever its size)."""
    with path.open("rb", buffering=0) as handle:
        return _digest_of(handle, algorithm)


def _digest_of(handle: BinaryIO, algorithm: str) -> str:
    try:
        digest = hashlib.new(algorithm)
    except ValueError:  # an OpenSSL without it in hashlib
        fallback = hashes.Hash(_CRYPTOGRAPHY[algorithm]())
        _stream(handle, fallback.update)
        return fallback.finalize().hex()
    _stream(handle, digest.update)
    return digest.hexdigest()


def _stream(handle: BinaryIO, update: Callable[[memoryview], object]) -> None:
    buffer = bytearray(CHUNK_BYTES)
    view = memoryview(buffer)
    while read := handle.readinto(buffer):  # type: ignore[attr-defined]
        update(view[:read])


class FileChecks:
    """The checks a process has made: for each file (by device and inode, whatever path names it), its identity
    on disk when it was hashed and what the hash found — passed, or its damage, so a damaged gigabyte is not
    hashed again for every refused query. ``hashed`` counts how often each file was read in full."""

    def __init__(self) -> None:
        self._known: dict[tuple[int, int], tuple[Identity, str, str | None]] = {}
        self._locks: dict[tuple[int, int], threading.Lock] = {}
        self._lock = threading.Lock()
        self.hashed: Counter[tuple[int, int]] = Counter()

    def hashes_of(self, path: Path) -> int:
        """How often this process read the file now at ``path`` in full."""
        status = os.stat(path)
        return self.hashed[(status.st_dev, status.st_ino)]

    def remembered(self, path: Path) -> bool:
        """Is a passed check remembered for this file as it is on disk now?"""
        try:
            identity = _identity(os.stat(path))
        except OSError:
            return False
        kept = self._known.get(identity[:2])
        return kept is not None and kept[0] == identity and kept[2] is None

    def check(self, path: Path, recorded: Recorded) -> None:
        """Refuse with ``DataDamaged`` unless the file is the one recorded; hash it only if its identity on disk
        is not the one remembered from an earlier check. The same file checked at once is hashed once."""
        damage = self.damage(path, recorded)
        if damage is not None:
            raise DataDamaged(damage)

    def damage(self, path: Path, recorded: Recorded) -> Damage | None:
        """What is wrong with the file, or None: the check without the refusal (``ledger verify --data``)."""
        try:
            identity = _identity(os.stat(path))  # follows a symbolic link: the file it names now
        except FileNotFoundError:
            return Damage(recorded, MISSING)
        except OSError:
            return Damage(recorded, UNREADABLE)
        if identity[2] != recorded.size:
            return Damage(recorded, SIZE)
        key = identity[:2]
        known, damage = self._known_result(key, identity, recorded)
        if known:
            return damage
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            known, damage = self._known_result(key, identity, recorded)
            if known:
                return damage  # another thread hashed it meanwhile
            try:
                with path.open("rb", buffering=0) as handle:
                    opened = _identity(os.fstat(handle.fileno()))
                    found = _digest_of(handle, recorded.algorithm)
                    after = _identity(os.fstat(handle.fileno()))
            except FileNotFoundError:
                return Damage(recorded, MISSING)
            except OSError:
                return Damage(recorded, UNREADABLE)
            self.hashed[opened[:2]] += 1
            problem = None if found == recorded.checksum else DIGEST
            if opened[2] != recorded.size:
                problem = SIZE
            if opened == after:  # not changed while it was read: what was found is of this identity
                self._known[opened[:2]] = (opened, recorded.checksum, problem)
        return None if problem is None else Damage(recorded, problem)

    def _known_result(self, key: tuple[int, int], identity: Identity, recorded: Recorded) -> tuple[bool, Damage | None]:
        """Whether an earlier check of this very identity against this digest is known, and what it found."""
        kept = self._known.get(key)
        if kept is None or kept[:2] != (identity, recorded.checksum):
            return False, None
        return True, None if kept[2] is None else Damage(recorded, kept[2])


# The process's remembered checks: every engine, job start and mock generator of this process shares them.
CHECKS = FileChecks()


def check(path: Path, recorded: Recorded | None) -> None:
    """``CHECKS.check``, for a file the catalogue recorded (None: a file the platform made itself, mock data)."""
    if recorded is not None:
        CHECKS.check(path, recorded)
