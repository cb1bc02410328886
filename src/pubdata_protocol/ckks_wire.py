"""The bytes of TenSEAL's messages, read before TenSEAL or SEAL sees them: its protobuf wrappers (a vector's
chunks, sizes and scale; a context's parameters and keys), and a bound on what each SEAL object inside inflates
to. SEAL inflates a zstd or zlib stream without a cap on its output, so a few megabytes could decompress to
gigabytes before any check of the result runs; the bound is computed from the compressed stream's own framing
(a zstd block regenerates at most 128 KiB), and an object that could exceed the bound is refused unread.

Everything here is plain parsing of bytes into ``ProtocolError`` or values; nothing is decompressed but zlib,
which is read with an output cap.
"""

from __future__ import annotations

import struct
import zlib

from pubdata_protocol.messages import ProtocolError

SEAL_MAGIC = 0xA15E
SEAL_HEADER = struct.Struct("<HBBBBHQ")  # magic, header size, version major, minor, compression, reserved, size
ZSTD_MAGIC = 0xFD2FB528
ZSTD_BLOCK_MAX = 128 * 1024  # the most one zstd block regenerates (the format's Block_Maximum_Size)
COMPRESSION_NONE, COMPRESSION_ZLIB, COMPRESSION_ZSTD = 0, 1, 2

Field = tuple[int, int, int | bytes]  # field number, wire type, value (varint as int, the others as bytes)


def fields(data: bytes) -> list[Field]:
    """A protobuf message's fields in order, or ``ProtocolError`` for a truncated one or a group."""
    out: list[Field] = []
    at = 0
    while at < len(data):
        tag, at = varint(data, at)
        number, wire = tag >> 3, tag & 7
        value: int | bytes
        if wire == 0:
            value, at = varint(data, at)
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            value, at = _take(data, at, width)
        elif wire == 2:
            length, at = varint(data, at)
            value, at = _take(data, at, length)
        else:
            raise ProtocolError("malformed")
        out.append((number, wire, value))
    return out


def vector_fields(data: bytes) -> tuple[list[int], list[bytes], float]:
    """TenSEAL's ``CKKSVectorProto``: sizes (1, packed or not), ciphertexts (2), scale (3, a double); any other
    field or wire type is ``ProtocolError``."""
    sizes: list[int] = []
    chunks: list[bytes] = []
    scale = 0.0
    for number, wire, value in fields(data):
        if (number, wire) == (1, 2) and isinstance(value, bytes):
            sizes += _packed(value)
        elif (number, wire) == (1, 0) and isinstance(value, int):
            sizes.append(value)
        elif (number, wire) == (2, 2) and isinstance(value, bytes):
            chunks.append(value)
        elif (number, wire) == (3, 1) and isinstance(value, bytes):
            (scale,) = struct.unpack("<d", value)
        else:
            raise ProtocolError("malformed")
    return sizes, chunks, scale


# TenSEAL's context: TenSEALContextProto {1 parameters, 2 public {1 public key, 2 flags, 3 scale, 4 relin keys,
# 5 Galois keys}, 3 private {1 secret key, 2 and 3 flags}, 4 encryption type}: the SEAL objects by name.
_TOP = {(1, 2): "parameters", (2, 2): "public", (3, 2): "private", (4, 0): None}
_PUBLIC = {(1, 2): "public_key", (2, 0): None, (3, 1): None, (4, 2): "relin_keys", (5, 2): "galois_keys"}
_PRIVATE = {(1, 2): "secret_key", (2, 0): None, (3, 0): None}


def context_objects(data: bytes) -> dict[str, bytes]:
    """The SEAL objects a TenSEAL context carries, by name (``parameters``, ``public_key``, ``relin_keys``,
    ``galois_keys``, ``secret_key``; an empty one left out), or ``ProtocolError`` for any other field."""
    objects: dict[str, bytes] = {}
    for name, value in _named(data, _TOP):
        if name in ("public", "private"):
            objects.update(_named(value, _PUBLIC if name == "public" else _PRIVATE))
        else:
            objects[name] = value
    return {name: value for name, value in objects.items() if value}


def _named(data: bytes, known: dict[tuple[int, int], str | None]) -> list[tuple[str, bytes]]:
    out = []
    for number, wire, value in fields(data):
        if (number, wire) not in known:
            raise ProtocolError("malformed")
        name = known[(number, wire)]
        if name is not None and isinstance(value, bytes):
            out.append((name, value))
    return out


def inflated_size(obj: bytes) -> int:
    """The most bytes SEAL can inflate this serialised object to, or ``ProtocolError`` when it is not one: a SEAL
    header whose size is the object's, then the members uncompressed, in zlib (read with a cap) or in zstd
    (bounded by its framing: raw and RLE blocks state their size, a compressed block yields at most 128 KiB)."""
    if len(obj) < SEAL_HEADER.size:
        raise ProtocolError("malformed")
    magic, header_size, _, _, compression, _, size = SEAL_HEADER.unpack_from(obj)
    if magic != SEAL_MAGIC or header_size != SEAL_HEADER.size or size != len(obj):
        raise ProtocolError("malformed")
    body = obj[SEAL_HEADER.size :]
    if compression == COMPRESSION_NONE:
        return len(body)
    if compression == COMPRESSION_ZSTD:
        return _zstd_bound(body)
    if compression == COMPRESSION_ZLIB:
        return _zlib_size(body)
    raise ProtocolError("malformed")


def _zlib_size(body: bytes, cap: int = 64 * 1024 * 1024) -> int:
    inflater = zlib.decompressobj()
    try:
        size = len(inflater.decompress(body, cap))
    except zlib.error:
        raise ProtocolError("malformed") from None
    return size if not inflater.unconsumed_tail else cap + 1


def _zstd_bound(body: bytes) -> int:
    """Frames in sequence (SEAL writes one; the decoder reads on): each one's blocks' regenerated sizes."""
    total, at = 0, 0
    while at < len(body):
        bound, at = _zstd_frame(body, at)
        total += bound
    return total


def _zstd_frame(body: bytes, at: int) -> tuple[int, int]:
    magic, at = _take(body, at, 4)
    if int.from_bytes(magic, "little") != ZSTD_MAGIC:
        raise ProtocolError("malformed")  # a skippable frame or none: SEAL writes neither
    descriptor, at = _take(body, at, 1)
    flags = descriptor[0]
    content_size_flag, single_segment, checksum, dictionary = flags >> 6, flags >> 5 & 1, flags >> 2 & 1, flags & 3
    if flags & 0x08:
        raise ProtocolError("malformed")  # the reserved bit
    header = (0 if single_segment else 1) + (0, 1, 2, 4)[dictionary]
    header += (1 if single_segment else 0, 2, 4, 8)[content_size_flag]
    _, at = _take(body, at, header)
    bound = 0
    while True:
        raw, at = _take(body, at, 3)
        block = int.from_bytes(raw, "little")
        last, kind, size = block & 1, block >> 1 & 3, block >> 3
        if kind == 0:  # raw: its bytes follow
            _, at = _take(body, at, size)
            bound += size
        elif kind == 1:  # RLE: one byte, repeated size times
            _, at = _take(body, at, 1)
            bound += size
        elif kind == 2:  # compressed: its bytes follow, regenerating at most a block
            _, at = _take(body, at, size)
            bound += ZSTD_BLOCK_MAX
        else:
            raise ProtocolError("malformed")
        if last:
            break
    _, at = _take(body, at, 4 if checksum else 0)
    return bound, at


def _take(data: bytes, at: int, count: int) -> tuple[bytes, int]:
    if count < 0 or at + count > len(data):
        raise ProtocolError("malformed")
    return data[at : at + count], at + count


def _packed(value: bytes) -> list[int]:
    numbers, at = [], 0
    while at < len(value):
        number, at = varint(value, at)
        numbers.append(number)
    return numbers


def varint(data: bytes, at: int) -> tuple[int, int]:
    """A protobuf varint at ``at`` (at most 10 bytes) and the offset after it."""
    number = 0
    for shift in range(0, 70, 7):
        if at >= len(data):
            raise ProtocolError("malformed")
        byte = data[at]
        at += 1
        number |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return number, at
    raise ProtocolError("malformed")
