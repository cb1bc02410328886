"""The labelled lookup's server half (匿踪标签查询): the OPRF key, the encrypted label table of a set version, and
the evaluation of a consumer's blinded items. Pure functions over bytes (no database, no HTTP); the governance
around them is ``privacy.runs``. The construction is ``pubdata_protocol.oprf``'s.

The platform sees only the blinded points of a run, so it learns how many items were asked and nothing of
which; the consumer opens only the rows whose OPRF output it obtained, one evaluation per item, each charged.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from pubdata_protocol import oprf
from pubdata_protocol.messages import MAX_ITEMS_PER_RUN, ProtocolError

CHUNK = 20_000  # entries a worker seals at a time: large enough to amortise pickling, small enough to balance
# The fewest rows a table holds: a smaller set is padded with decoy rows (random bytes of a row's size, which no
# OPRF output's tag finds but by a 2^-128 accident). The header and the size then say nothing of how small a
# small set is; for a consent-restricted set that is how many of the consumer's consented subjects are members,
# which a consumer must learn only by a charged run (as a PSI setup pads to psi.MIN_SET_ITEMS).
MIN_TABLE_ROWS = 1024
DST_DECOY = b"PUBDATA-LOOKUP-V1-DECOY"


def new_key() -> bytes:
    """A fresh OPRF key: a uniform nonzero scalar of the ed25519 prime-order group (32 bytes, secret)."""
    return oprf.random_scalar()


def key_id(key: bytes) -> str:
    """The key's public name: hex SM3 of k·B."""
    return oprf.key_id(key)


def table(
    key: bytes,
    *,
    set_version: str,
    entries: Iterable[tuple[str, str]],
    label_width: int | None = None,
    workers: int = 1,
    min_rows: int = MIN_TABLE_ROWS,
) -> bytes:
    """The set version's encrypted label table from its (item, label) pairs.

    ``label_width`` pads every label to one length (default: the longest label), so a row's size says nothing
    of its label; a product should fix it so the width says nothing of the data either. ``workers`` > 1 seals in
    that many processes (spawned, so it is safe from a threaded server): the cost is one scalar multiplication
    and two hashes to the group per item, about 2,700 items a second per core here. ``min_rows`` pads beyond
    MIN_TABLE_ROWS (a consent-restricted set: to its consented subjects' number, so the size says nothing of
    how many of them are members).
    """
    oprf.check_scalar(key)
    version = oprf.set_version_bytes(set_version)
    pairs = [(_checked(item), oprf.label_bytes(label)) for item, label in entries]
    width = max((len(label) for _, label in pairs), default=0) if label_width is None else label_width
    if any(len(label) > width for _, label in pairs):
        raise ValueError("a label is longer than the table's label width")
    if workers > 1 and len(pairs) > CHUNK:
        rows = _sealed_in_processes(key, version, width, pairs, workers)
        _check_workers(key, version, width, pairs[0], rows)
    else:
        rows = seal_rows(key, version, width, pairs)
    rows += [
        _decoy(key, version, index, oprf.row_size(width)) for index in range(len(rows), max(min_rows, MIN_TABLE_ROWS))
    ]
    return oprf.pack_table(set_version=set_version, key_id=key_id(key), width=width, rows=rows)


def _decoy(key: bytes, version: bytes, index: int, size: int) -> bytes:
    """A decoy row: pseudo-random bytes from the key, the set version and the row's index (HKDF-SM3), so a build
    is the same whoever builds it and however many workers seal it, and no one without the key tells a decoy
    from a row."""
    info = DST_DECOY + version + index.to_bytes(4, "big")
    return HKDF(hashes.SM3(), size, salt=None, info=info).derive(key)


def _checked(item: str) -> str:
    oprf.item_bytes(item)  # refuses an empty or oversize item before any work
    return item


def seal_rows(key: bytes, version: bytes, width: int, pairs: list[tuple[str, bytes]]) -> list[bytes]:
    """The rows of ``pairs`` (a worker's unit; public so a spawned process can find it)."""
    rows = []
    for item, label in pairs:
        evaluated = oprf.multiply(key, oprf.hash_to_group(item, version))
        rows.append(oprf.seal_row(oprf.finalize(item, version, evaluated), version, label, width))
    return rows


def _chunks(pairs: list[tuple[str, bytes]]) -> Iterator[list[tuple[str, bytes]]]:
    iterator = iter(pairs)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def _sealed_in_processes(
    key: bytes, version: bytes, width: int, pairs: list[tuple[str, bytes]], workers: int
) -> list[bytes]:
    rows: list[bytes] = []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(seal_rows, key, version, width, chunk) for chunk in _chunks(pairs)]
        for future in futures:
            rows.extend(future.result())
    return rows


def _check_workers(key: bytes, version: bytes, width: int, first: tuple[str, bytes], rows: list[bytes]) -> None:
    """The spawned workers import the code afresh: if it changed on disk since this process started, they seal
    rows this process (and its clients) would never find. One row sealed here must be among theirs."""
    if seal_rows(key, version, width, [first])[0] not in rows:
        raise RuntimeError("the label table's worker processes ran other code than this process")


def evaluate(key: bytes, message: bytes, *, items: int) -> bytes:
    """k·P for each of the consumer's ``items`` blinded points, or ``ProtocolError`` for a message that is not
    exactly that many valid elements of the prime-order group (identity and small-order points refused)."""
    oprf.check_scalar(key)
    if isinstance(items, bool) or not isinstance(items, int) or not 1 <= items <= MAX_ITEMS_PER_RUN:
        raise ProtocolError("wrong item count")
    return oprf.multiply_all(key, message, items=items)
