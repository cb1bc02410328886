"""Private set intersection (隐私求交), the construction both sides share: openmined-psi's ECDH protocol on P-256.

The server holds a secret scalar ``a`` and its set ``Y``; the client a fresh secret ``b`` per run and its items
``X``. The setup is a Golomb-compressed set (GCS) of ``H(y)^a`` for every ``y`` in ``Y``, fetched once per set
version; a run sends ``H(x)^b`` for each ``x`` (the server sees only those blinded points, and how many), the
server answers ``H(x)^{ab}`` in the same order, and the client strips ``b`` to get ``H(x)^a`` and tests it
against the setup. ``docs/privacy-computing.md`` gives what each side learns.

The wire bytes are openmined-psi's own protobuf messages (``Request``, ``Response``, ``ServerSetup``). Both
sides check their exact layout here before handing them to the library, so a message of the wrong size, count,
shape or field is a ``ProtocolError`` before any curve arithmetic is done on it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from google.protobuf.message import DecodeError  # type: ignore[import-untyped]  # no stubs installed
from private_set_intersection.python import DataStructure, ServerSetup

from pubdata_protocol.messages import MAX_ITEMS_PER_RUN, ProtocolError

# Probability that a run of MAX_CLIENT_ITEMS items reports any item as a member that is not, for sets up to
# HASH_RANGE_LIMIT · FPR / MAX_CLIENT_ITEMS ≈ 92,000 items; above that the GCS's hash range
# (an int64 in openmined-psi: max(m, n)·m/fpr, wrapping to a negative number past 2⁶³) is capped and the rate
# grows with the set: setup_fpr. 1e-9 costs about 10 bits per set item over 1e-6: a wrong "yes" is a bank told
# an applicant is on a list it is not on, so we pay the bytes.
FPR = 1e-9
HASH_RANGE_LIMIT = 2**62  # below the int64 limit with room for the library's floating-point rounding
# GCS over a Bloom filter: at the same fpr and client size the GCS takes 44–52 bits per set item, the library's
# Bloom filter about 66 bits per element of max(m, n), so 410 KB for any set up to 50,000 items (164 bits per
# item at 20,000), and the client's test is as fast (openmined-psi 2.0.6, benchmarks/privacy_psi.py).
DATA_STRUCTURE = DataStructure.GCS
DATA_STRUCTURE_FIELD = "gcs"  # the ServerSetup oneof it fills
# The client learns which of its items matched (not only how many): that is the product.
REVEAL_INTERSECTION = True
# The client set size a setup is built for: the most items one run may ask about.
MAX_CLIENT_ITEMS = MAX_ITEMS_PER_RUN

POINT_BYTES = 33  # a compressed P-256 point: 0x02 or 0x03, then x
POINT_PREFIXES = (0x02, 0x03)
# The protobuf layout of each message, written out so it is checked rather than parsed leniently:
# Request: field 1 (reveal_intersection, varint) = 1, then field 2 (bytes) once per point.
REQUEST_HEADER = b"\x08\x01"
REQUEST_ELEMENT_TAG = b"\x12\x21"
# Response: field 1 (bytes) once per point, in the request's order.
RESPONSE_ELEMENT_TAG = b"\x0a\x21"
ELEMENT_BYTES = 2 + POINT_BYTES
# The fewest elements a setup holds: a smaller set is padded with random decoys. openmined-psi 2.0.6's GCS fails
# to build below about 140 elements at this FPR and client size (its Golomb divisor grows past what it encodes),
# and the padding also hides how small a small set is. A decoy is ``pad:`` and 64 lower-case hex digits, which no
# canonical (upper-case) item equals, so no client can ask for one.
MIN_SET_ITEMS = 1024
PAD_PREFIX = "pad:"
MAX_SETUP_BYTES = 256 * 1024 * 1024  # a GCS of 40M items at this FPR; far above any set the platform serves


def setup_fpr(set_items: int) -> float:
    """The fpr a setup over ``set_items`` elements is built with, and the bound on a full run's chance of any
    false match: FPR, or what the capped hash range allows for a large set (about 1.1e-8 at 1M items)."""
    largest = max(MAX_CLIENT_ITEMS, set_items, MIN_SET_ITEMS)
    return max(FPR, largest * MAX_CLIENT_ITEMS / HASH_RANGE_LIMIT)


def run_fpr(data: bytes, *, items: int = MAX_CLIENT_ITEMS) -> float:
    """The chance a run of ``items`` items against this setup falsely matches any, as the client computes it
    from the setup alone (each item collides with one of about n hashes in a range of hash_range)."""
    gcs = parse_setup(data).gcs
    hash_range: int = gcs.hash_range
    return min(1.0, items * approximate_set_size(data) / hash_range)


def canonical(item: str) -> str:
    """The form an item is matched in, alike on both sides: NFKC (full-width digits and letters from a
    spreadsheet become ASCII), no surrounding spaces, upper case (a resident ID's check letter ``x``)."""
    return unicodedata.normalize("NFKC", item).strip().upper()


def check_count(items: int) -> None:
    if not 1 <= items <= MAX_CLIENT_ITEMS:
        raise ProtocolError("item count")


def request_bytes(items: int) -> int:
    """The exact size of a request for ``items`` items."""
    return len(REQUEST_HEADER) + ELEMENT_BYTES * items


def response_bytes(items: int) -> int:
    return ELEMENT_BYTES * items


def points(body: bytes, *, tag: bytes, items: int) -> list[bytes]:
    """The ``items`` compressed points of a run message's body (after any header), each behind ``tag``, or
    ``ProtocolError``. Only the encoding is checked here; whether a point is on the curve the library checks."""
    if len(body) != ELEMENT_BYTES * items:
        raise ProtocolError("size")
    out: list[bytes] = []
    for start in range(0, len(body), ELEMENT_BYTES):
        if body[start : start + 2] != tag or body[start + 2] not in POINT_PREFIXES:
            raise ProtocolError("malformed")
        out.append(body[start + 2 : start + ELEMENT_BYTES])
    return out


def request_points(message: bytes, *, items: int) -> list[bytes]:
    """The blinded points of a client's request, which must hold exactly ``items``."""
    check_count(items)
    if len(message) != request_bytes(items):
        raise ProtocolError("size")
    if message[: len(REQUEST_HEADER)] != REQUEST_HEADER:
        raise ProtocolError("malformed")
    return points(message[len(REQUEST_HEADER) :], tag=REQUEST_ELEMENT_TAG, items=items)


def response_points(message: bytes, *, items: int) -> list[bytes]:
    check_count(items)
    return points(message, tag=RESPONSE_ELEMENT_TAG, items=items)


def parse_setup(data: bytes) -> ServerSetup:
    """A server setup of this construction (a GCS; no raw list, no Bloom filter), or ``ProtocolError``."""
    if not data or len(data) > MAX_SETUP_BYTES:
        raise ProtocolError("size")
    setup = ServerSetup()
    try:
        setup.ParseFromString(data)
    except DecodeError:
        raise ProtocolError("malformed") from None
    if setup.WhichOneof("data_structure") != DATA_STRUCTURE_FIELD or setup.SerializeToString() != data:
        raise ProtocolError("malformed")
    if not 0 < setup.gcs.div < 64 or not 0 < setup.gcs.hash_range < 2**63:
        raise ProtocolError("malformed")
    return setup


def approximate_set_size(data: bytes) -> int:
    """About how many items the set has, as anyone holding the setup can tell: each costs ``div`` remainder bits
    and about two bits of unary quotient in the GCS. A set under MIN_SET_ITEMS reads as about that many."""
    gcs = parse_setup(data).gcs
    bits: bytes = gcs.bits
    div: int = gcs.div
    return round(len(bits) * 8 / (div + 2))


def bound(item: str, *, set_version: str) -> str:
    """The element an item is hashed as in one set version: the version, a colon, the canonical item. The
    server key outlives a set version (a new data version keeps it), so without this a client that paid for
    one run would keep ``H(x)^a`` and test it against every later version's setup for free; bound, an answer
    opens only the version it was asked for (as the labelled lookup's H1(v, x) does). A decoy (``pad:``) never
    equals a bound item, which starts with 64 hex digits."""
    if len(set_version) != 64 or any(c not in "0123456789abcdef" for c in set_version):
        raise ValueError("a set version is 64 lower-case hex digits")
    return f"{set_version}:{canonical(item)}"


def items_of(values: Sequence[str], *, set_version: str) -> list[str]:
    """The server's set as its elements: each item canonical and bound to the set version, once, in first-seen
    order."""
    return list(dict.fromkeys(bound(value, set_version=set_version) for value in values))
