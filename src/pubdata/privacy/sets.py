"""A protocol product's set versions (隐私集合版本): which items (and labels) the set holds now, what version
that is, and its built PSI setup or encrypted label table, cached in the data directory.

- The items come from the domain by the platform's own SQL over each resource's current data version
  (``products.compute.members_query``, run by ``DuckDBEngine.run_platform`` with every value bound).
- ``set_version`` = SM3 over (the definition's digest, each resource's data version and file digest, the key
  id, and for a consent-restricted set the consumer, the purpose and the digest of its consented subjects). A
  new data version, a new key or a consent granted or revoked gives a new set version; a run made for another
  is refused.
- The built file is written aside and renamed into place, one build per (product, set version) at a time (a
  lock in the process and a file lock across processes), and recorded (``PrivacySetVersion``, the ledger's
  ``privacy.set-built``); the next run finds it and does not build again.

Joint scoring has no set: its version is that of the public features it reads (the credit profile's).
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pubdata.common import clock
from pubdata.common.actor import Actor
from pubdata.common.digest import of_document, sm3
from pubdata.db import UnitOfWork
from pubdata.engines.base import Engine, TableRef
from pubdata.ledger import service as ledger
from pubdata.privacy import lookup, psi, rules
from pubdata.privacy.keys import ServerKey
from pubdata.privacy.models import Consent, PrivacySetVersion
from pubdata.products import compute
from pubdata.products import definitions as d

log = logging.getLogger("pubdata.privacy")
FOLDER = "privacy"  # under the domain: the built setups and tables, and consumers' public contexts
PROGRESS_EVERY = 100_000  # items between two progress lines of a large build
_locks: dict[tuple[str, str], threading.Lock] = {}
_locks_guard = threading.Lock()
_verified: dict[str, tuple[int, int]] = {}  # file → (size, mtime) whose digest was checked in this process


@dataclass(frozen=True)
class Version:
    """A set version as the read step computes it: what it is built from, before it is built."""

    product_id: int
    product_code: str
    protocol: str
    set_version: str
    data_digest: str
    key_id: str
    consumer_id: int | None  # a consent-restricted set: whose
    tables: compute.SetTables | None
    consented: tuple[str, ...] | None


@dataclass(frozen=True)
class Built:
    set_version: str
    key_id: str
    items: int
    file: Path
    file_bytes: int
    file_digest: str


def data_digest(tables: Sequence[TableRef]) -> str:
    """The digest of the data versions a set or a score reads: each resource, its version, its file's digest."""
    versions = sorted(
        [t.recorded.resource, t.recorded.version, t.recorded.checksum] for t in tables if t.recorded is not None
    )
    return of_document(versions)


def consented_subjects(session: Session, *, consumer_id: int, product_id: int, purpose: str) -> tuple[str, ...]:
    """The credit codes with a consent in force today for this consumer, product and purpose."""
    today = clock.today()
    found = session.execute(
        select(Consent).where(
            Consent.consumer_id == consumer_id,
            Consent.product_id == product_id,
            Consent.purpose == purpose,
            Consent.state == rules.C.GRANTED.value,
        )
    ).scalars()
    return tuple(
        sorted(
            {
                c.subject_credit_code
                for c in found
                if rules.in_force(rules.Standing(c.id, c.state, c.valid_from, c.valid_until), today)
            }
        )
    )


def version_of(
    session: Session,
    *,
    product: Any,
    definition: d.PrivateSet | d.LabelledLookup,
    protocol: str,
    key: ServerKey,
    consumer_id: int,
    purpose: str,
) -> Version:
    """The read step: the set's current version (no data read: the catalogue's versions, the consents)."""
    tables = compute.set_tables(session, definition)
    digest = data_digest(list(tables.tables.values()))
    document: dict[str, Any] = {"definition": definition.digest, "data": digest, "key_id": key.key_id}
    consented: tuple[str, ...] | None = None
    restricted_to: int | None = None
    if definition.members.consent:
        consented = consented_subjects(session, consumer_id=consumer_id, product_id=product.id, purpose=purpose)
        restricted_to = consumer_id
        document |= {"consumer": consumer_id, "purpose": purpose, "consents": sm3("\n".join(consented).encode())}
    return Version(
        product.id,
        product.code,
        protocol,
        of_document(document),
        digest,
        key.key_id,
        restricted_to,
        tables,
        consented,
    )


def scoring_version(session: Session, *, definition: d.JointScoring) -> str:
    """A joint score's version: its definition and the data versions of the public features it reads."""
    tables = compute.subject_tables(session, definition.profile())
    return of_document({"definition": definition.digest, "data": data_digest(list(tables.values()))})


def _recorded(session: Session, version: Version) -> PrivacySetVersion | None:
    return session.execute(
        select(PrivacySetVersion).where(
            PrivacySetVersion.product_id == version.product_id,
            PrivacySetVersion.set_version == version.set_version,
        )
    ).scalar_one_or_none()


def _intact(domain_dir: Path, row: PrivacySetVersion) -> Path | None:
    """The built file when it is there and is the file recorded (its digest checked once per process)."""
    path = domain_dir / row.file_name
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    if stat.st_size != row.file_bytes:
        return None
    if _verified.get(str(path)) != (stat.st_size, stat.st_mtime_ns):
        if sm3(path.read_bytes()) != row.file_digest:
            return None
        _verified[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return path


def _built(domain_dir: Path, row: PrivacySetVersion) -> Built | None:
    path = _intact(domain_dir, row)
    if path is None:
        return None
    return Built(row.set_version, row.key_id, row.items, path, row.file_bytes, row.file_digest)


def file_name(version: Version) -> str:
    suffix = "psi-setup" if version.protocol == "psi" else "label-table"
    return f"{FOLDER}/{version.product_code}/{version.set_version}.{suffix}"


@contextmanager
def _one_build(domain_dir: Path, version: Version) -> Iterator[None]:
    """One build of a (product, set version) at a time: threads of this process, then other processes."""
    key = (version.product_code, version.set_version)
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    folder = domain_dir / FOLDER / version.product_code
    folder.mkdir(parents=True, exist_ok=True)
    with lock, open(folder / f".{version.set_version}.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _progress(entries: Sequence[tuple[Any, ...]], what: str) -> Iterator[tuple[str, str]]:
    for done, row in enumerate(entries, start=1):
        if done % PROGRESS_EVERY == 0:
            log.info("%s: %d of %d items", what, done, len(entries))
        yield str(row[0]), "" if row[1] is None else str(row[1])


def build_bytes(
    version: Version, definition: d.PrivateSet | d.LabelledLookup, key: ServerKey, engine: Engine
) -> tuple[bytes, int]:
    """The set's items from the domain and the built setup or label table (the engine and the core holding no
    transaction): the bytes and how many items."""
    assert version.tables is not None
    what = f"privacy set {version.product_code} {version.set_version[:12]}"
    started = time.monotonic()
    rows = compute.set_rows(
        engine, definition, version.tables, consented=list(version.consented) if version.consented is not None else None
    )
    log.info("%s: %d items read in %.1f s", what, len(rows), time.monotonic() - started)
    # A consent-restricted set is padded to the number of the consumer's consented subjects: its members are
    # some of them, and how many must be learnt by a charged run, not from the setup's size.
    least = 0 if version.consented is None else len(version.consented)
    if version.protocol == "psi":
        items = [str(row[0]) for row in rows]
        data = psi.setup(key.secret, items, set_version=version.set_version, min_items=least)
    else:
        entries = _progress(rows, what)
        data = lookup.table(key.secret, set_version=version.set_version, entries=entries, min_rows=least)
    log.info("%s: built, %d bytes, in %.1f s", what, len(data), time.monotonic() - started)
    return data, len(rows)


def write_file(domain_dir: Path, name: str, data: bytes) -> None:
    """Written aside, then renamed into place: a reader never finds half a file."""
    path = domain_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    with open(draft, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(draft, path)


def current(
    units: UnitOfWork,
    *,
    version: Version,
    definition: d.PrivateSet | d.LabelledLookup,
    key: ServerKey,
    engine: Engine,
    domain_dir: Path,
    actor: Actor,
) -> Built:
    """The built file of ``version``: the cached one, or built now (once, whoever else asks at the same time)."""
    with units.read() as session:
        row = _recorded(session, version)
        found = None if row is None else _built(domain_dir, row)
    if found is not None:
        return found
    with _one_build(domain_dir, version):
        with units.read() as session:
            row = _recorded(session, version)
            found = None if row is None else _built(domain_dir, row)
        if found is not None:
            return found
        data, items = build_bytes(version, definition, key, engine)
        name = file_name(version)
        write_file(domain_dir, name, data)
        digest = sm3(data)
        try:
            with units.command() as session:
                _record(
                    session,
                    version,
                    row_id=None if row is None else row.id,
                    items=items,
                    name=name,
                    data=data,
                    digest=digest,
                    actor=actor,
                )
        except IntegrityError:  # another process of the platform recorded it first: the same inputs, the same set
            pass
        return Built(version.set_version, version.key_id, items, domain_dir / name, len(data), digest)


def _record(
    session: Session,
    version: Version,
    *,
    row_id: int | None,
    items: int,
    name: str,
    data: bytes,
    digest: str,
    actor: Actor,
) -> None:
    row = session.get(PrivacySetVersion, row_id) if row_id is not None else None
    if row is None:
        row = PrivacySetVersion(product_id=version.product_id, set_version=version.set_version)
        session.add(row)
    row.consumer_id = version.consumer_id
    row.protocol = version.protocol
    row.key_id = version.key_id
    row.data_digest = version.data_digest
    row.items = items
    row.file_name = name
    row.file_digest = digest
    row.file_bytes = len(data)
    row.built_at = clock.now()
    session.flush()
    ledger.record(
        session,
        actor=actor,
        action="privacy.set-built",
        subject=row,
        payload={
            "product": version.product_code,
            "protocol": version.protocol,
            "set_version": version.set_version,
            "key_id": version.key_id,
            "data_digest": version.data_digest,
            "items": items,
            "file_sm3": digest,
        },
    )
