"""The labelled lookup's shared construction (匿踪标签查询): a 2HashDH OPRF in the prime-order subgroup of
edwards25519, and the encrypted label table both sides read alike. ``docs/privacy-computing.md`` gives the
argument; the server half is ``pubdata.privacy.lookup``, the client half ``pubdata_client.lookup``.

Every group operation is libsodium's (through ``nacl.bindings``): no curve arithmetic is written here.

- H1(v, x) = from_uniform(u0) + from_uniform(u1), (u0, u1) = expand_message_xmd(SM3, DST_H1, v ‖ x) (RFC 9380
  §5.3.1, 64 bytes), v the set version: two Elligator 2 maps added, because one map reaches only about half the
  group and is distinguishable from a random oracle; the sum is indifferentiable from one (RFC 9380's
  ``hash_to_curve``). The set version is hashed in so one evaluation opens one version's row: a consumer pays
  again to see an item in the next version, however long the key lives.
- F_k(v, x) = H2(v, x, k·H1(v, x)) with H2 = SM3 over a domain tag, the set version, the item and the point.
- From F: HKDF-SM3 (info names the set version) → a 16-byte lookup tag and a 16-byte SM4 key.
- A row: tag ‖ SM4-GCM(key, IV 0, pad(label), AAD = domain ‖ set_version ‖ tag) ‖ GCM tag. Each key seals
  exactly one message (one item in one set version), so a fixed IV never repeats under a key.
"""

from __future__ import annotations

import os
import struct
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

import nacl.bindings as sodium
import nacl.exceptions
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from pubdata_protocol.messages import ProtocolError

POINT = 32  # an encoded edwards25519 point
SCALAR = 32  # a scalar mod ℓ, little-endian
TAG = 16  # the lookup tag of a row
KEY = 16  # SM4
GCM_TAG = 16
MAX_ITEM_BYTES = 256  # a credit code or resident ID is 18; anything far longer is not an item
MAX_LABEL_BYTES = 255  # a label's UTF-8, behind one length byte

DST_H1 = b"PUBDATA-LOOKUP-V1-edwards25519_XMD:SM3_ELL2-libsodium_RO_"
DST_H2 = b"PUBDATA-LOOKUP-V1-H2"
DST_KDF = b"PUBDATA-LOOKUP-V1-KDF"
DST_AAD = b"PUBDATA-LOOKUP-V1-ROW"

MAGIC = b"PDLT"  # pubdata labelled table
FORMAT = 1
# magic, format, set_version (32 raw bytes), key_id (32 raw bytes), rows, label width (bytes of label, unpadded)
HEADER = struct.Struct(">4sB32s32sIH")
_IV = bytes(12)


# ---- the group: libsodium's ed25519 core ---------------------------------------------------------------------


def _sm3(*parts: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    for part in parts:
        digest.update(part)
    return digest.finalize()


def expand_message_xmd(
    message: bytes, dst: bytes, length: int, *, hash: tuple[Callable[..., bytes], int] = (_sm3, 64)
) -> bytes:
    """RFC 9380 §5.3.1: ``length`` uniform bytes from ``message``. ``hash`` is (the function of its parts, its
    block size): SM3 (32-byte output, 64-byte block) unless a test checks the RFC's SHA-256 vectors."""
    function, block = hash
    b0_input = [bytes(block), message, length.to_bytes(2, "big"), b"\x00"]
    dst_prime = dst + bytes([len(dst)])
    b0 = function(*b0_input, dst_prime)
    ell = -(-length // len(b0))
    if ell > 255 or len(dst) > 255:
        raise ValueError("expand_message_xmd: too long")
    blocks = [function(b0, b"\x01", dst_prime)]
    for i in range(2, ell + 1):
        mixed = (int.from_bytes(b0, "big") ^ int.from_bytes(blocks[-1], "big")).to_bytes(len(b0), "big")
        blocks.append(function(mixed, bytes([i]), dst_prime))
    return b"".join(blocks)[:length]


def item_bytes(item: str) -> bytes:
    """An item's UTF-8, compared exactly (both sides normalise before they get here)."""
    data = item.encode("utf-8")
    if not data or len(data) > MAX_ITEM_BYTES:
        raise ValueError(f"an item is 1 to {MAX_ITEM_BYTES} bytes of UTF-8")
    return data


def _versioned(set_version: bytes, item: str) -> bytes:
    data = item_bytes(item)
    if len(set_version) != 32:
        raise ValueError("a set version is 32 bytes")
    return set_version + len(data).to_bytes(2, "big") + data


def hash_to_group(item: str, set_version: bytes) -> bytes:
    """H1: the item of a set version as an element of the prime-order subgroup (from_uniform clears the
    cofactor)."""
    uniform = expand_message_xmd(_versioned(set_version, item), DST_H1, 64)
    return sodium.crypto_core_ed25519_add(
        sodium.crypto_core_ed25519_from_uniform(uniform[:32]),
        sodium.crypto_core_ed25519_from_uniform(uniform[32:]),
    )


def random_scalar() -> bytes:
    """A uniform nonzero scalar mod ℓ: 64 random bytes reduced (bias below 2^-250); PyNaCl has no scalar_random."""
    while True:
        scalar = sodium.crypto_core_ed25519_scalar_reduce(os.urandom(64))
        if any(scalar):
            return scalar


def check_scalar(scalar: bytes) -> bytes:
    """A key must be a canonical nonzero scalar (what ``random_scalar`` makes)."""
    if len(scalar) != SCALAR or not any(scalar):
        raise ValueError("a scalar is 32 nonzero bytes")
    if sodium.crypto_core_ed25519_scalar_reduce(scalar + bytes(32)) != scalar:
        raise ValueError("a scalar is reduced mod ℓ")
    return scalar


def multiply(scalar: bytes, point: bytes) -> bytes:
    """scalar·point, or ``ProtocolError``. libsodium's noclamp multiplication refuses an encoding that is not
    canonical, not on the curve, of small order (the identity included) or outside the prime-order subgroup, and
    a result that is the identity; so every point that crosses the wire is checked by the one call that uses it."""
    if len(point) != POINT:
        raise ProtocolError("malformed")
    try:
        return sodium.crypto_scalarmult_ed25519_noclamp(scalar, point)
    except nacl.exceptions.CryptoError:
        raise ProtocolError("not a group element") from None


def multiply_all(scalar: bytes, message: bytes, *, items: int) -> bytes:
    """scalar·P for each of the ``items`` 32-byte points in ``message``; ``ProtocolError`` for any other shape."""
    if isinstance(items, bool) or not isinstance(items, int) or items < 1:
        raise ProtocolError("wrong item count")
    if len(message) != items * POINT:
        raise ProtocolError("wrong item count")
    view = memoryview(message)
    return b"".join(multiply(scalar, bytes(view[i : i + POINT])) for i in range(0, len(message), POINT))


def commitment(key: bytes) -> bytes:
    """k·B, the public commitment to a key (never sent; its SM3 is the key's name)."""
    return sodium.crypto_scalarmult_ed25519_base_noclamp(check_scalar(key))


def key_id(key: bytes) -> str:
    return _sm3(commitment(key)).hex()


# ---- from the OPRF output to a row ---------------------------------------------------------------------------


def finalize(item: str, set_version: bytes, evaluated: bytes) -> bytes:
    """H2(v, x, k·H1(v, x)): the OPRF output F_k(v, x)."""
    return _sm3(DST_H2, _versioned(set_version, item), evaluated)


def set_version_bytes(set_version: str) -> bytes:
    if len(set_version) != 64 or set_version != set_version.lower():
        raise ValueError("a set version is 64 lowercase hex digits")
    return bytes.fromhex(set_version)


def row_secrets(output: bytes, set_version: bytes) -> tuple[bytes, bytes]:
    """(lookup tag, SM4 key) from F_k(x), bound to the set version so rows of two versions are unlinkable."""
    derived = HKDF(hashes.SM3(), TAG + KEY, salt=None, info=DST_KDF + set_version).derive(output)
    return derived[:TAG], derived[TAG:]


def _aad(set_version: bytes, tag: bytes) -> bytes:
    return DST_AAD + set_version + tag


def label_bytes(label: str) -> bytes:
    data = label.encode("utf-8")
    if len(data) > MAX_LABEL_BYTES:
        raise ValueError(f"a label is at most {MAX_LABEL_BYTES} bytes of UTF-8")
    return data


def seal_row(output: bytes, set_version: bytes, label: bytes, width: int) -> bytes:
    """One row: tag ‖ SM4-GCM of (length byte ‖ label ‖ zero padding to ``width``) ‖ GCM tag."""
    tag, key = row_secrets(output, set_version)
    plain = bytes([len(label)]) + label + bytes(width - len(label))
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(_IV)).encryptor()
    encryptor.authenticate_additional_data(_aad(set_version, tag))
    sealed = encryptor.update(plain) + encryptor.finalize()
    return tag + sealed + encryptor.tag


def row_size(width: int) -> int:
    return TAG + 1 + width + GCM_TAG


def open_row(row: bytes, key: bytes, set_version: bytes, width: int) -> str | None:
    """The row's label, or None if it does not open (tampered, moved, another version or key)."""
    tag, sealed, mac = row[:TAG], row[TAG:-GCM_TAG], row[-GCM_TAG:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(_IV, mac)).decryptor()
    decryptor.authenticate_additional_data(_aad(set_version, tag))
    try:
        plain = decryptor.update(sealed) + decryptor.finalize()
    except InvalidTag:
        return None
    length = plain[0]
    if length > width or any(plain[1 + length :]):
        return None
    try:
        return plain[1 : 1 + length].decode("utf-8")
    except UnicodeDecodeError:
        return None


# ---- the table -----------------------------------------------------------------------------------------------


def pack_table(*, set_version: str, key_id: str, width: int, rows: list[bytes]) -> bytes:
    """The header and the rows sorted by tag (so the table's order says nothing of the set's order). Two equal
    tags mean one item twice (or a 2^-128 accident): refused rather than served ambiguous."""
    if not 0 <= width <= MAX_LABEL_BYTES:
        raise ValueError("label width")
    rows.sort()
    for previous, current in zip(rows, rows[1:], strict=False):
        if previous[:TAG] == current[:TAG]:
            raise ValueError("an item appears twice in the set")
    header = HEADER.pack(MAGIC, FORMAT, set_version_bytes(set_version), bytes.fromhex(key_id), len(rows), width)
    return header + b"".join(rows)


@dataclass(frozen=True)
class Table:
    """A parsed label table: its header and a view of its rows (binary search, no copy)."""

    set_version: bytes
    key_id: bytes
    rows: int
    width: int
    body: memoryview

    def find(self, tag: bytes) -> bytes | None:
        size = row_size(self.width)
        index = bisect_left(_Tags(self.body, size, self.rows), tag)
        if index < self.rows and bytes(self.body[index * size : index * size + TAG]) == tag:
            return bytes(self.body[index * size : (index + 1) * size])
        return None


class _Tags:
    """The rows' tags as a sequence, read on demand, for ``bisect``."""

    def __init__(self, body: memoryview, size: int, rows: int) -> None:
        self._body, self._size, self._rows = body, size, rows

    def __len__(self) -> int:
        return self._rows

    def __getitem__(self, index: int) -> bytes:
        start = index * self._size
        return bytes(self._body[start : start + TAG])


def parse_table(data: bytes, *, set_version: str, key_id: str) -> Table:
    """The table, checked against the set version and key the client was offered, or ``ProtocolError``."""
    if len(data) < HEADER.size:
        raise ProtocolError("malformed table")
    magic, version, table_version, table_key, rows, width = HEADER.unpack_from(data)
    if magic != MAGIC or version != FORMAT or width > MAX_LABEL_BYTES:
        raise ProtocolError("malformed table")
    if table_version != set_version_bytes(set_version):
        raise ProtocolError("another set version")
    if table_key != bytes.fromhex(key_id):
        raise ProtocolError("another key")
    if len(data) != HEADER.size + rows * row_size(width):
        raise ProtocolError("malformed table")
    return Table(table_version, table_key, rows, width, memoryview(data)[HEADER.size :])
