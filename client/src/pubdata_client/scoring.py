"""Encrypted joint scoring, the consumer's half: its CKKS keys, its features encrypted by column (one
ciphertext per feature, slot i = applicant i), and the decryption of the platform's answer. The secret key never
leaves this process: the platform gets the public context (relinearisation keys only) and the ciphertexts."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import tenseal as ts

from pubdata_protocol import ckks, ckks_wire
from pubdata_protocol.messages import MAX_CIPHERTEXT, ProtocolError


def new_keys() -> tuple[bytes, bytes]:
    """(secret context, public context): the first stays with the consumer, the second is registered."""
    context = ckks.new_secret_context()
    secret = context.serialize(save_public_key=True, save_secret_key=True, save_galois_keys=False, save_relin_keys=True)
    return secret, ckks.public_bytes(context)


def encrypt(secret: bytes, columns: Mapping[str, Sequence[float]]) -> dict[str, bytes]:
    """One ciphertext per feature; every column holds the same applicants in the same order (1 to 4,096)."""
    lengths = {len(values) for values in columns.values()}
    if len(lengths) != 1 or not 1 <= lengths.pop() <= ckks.SLOTS:
        raise ValueError(f"every feature needs the same number of applicants, 1 to {ckks.SLOTS}")
    context = ckks.secret_context(secret)
    encrypted = {}
    for name, values in columns.items():
        numbers = [float(x) for x in values]
        if not all(math.isfinite(x) for x in numbers):
            raise ValueError(f"feature {name!r} holds a value that is not a finite number")
        encrypted[name] = ts.ckks_vector(context, numbers).serialize()
    return encrypted


def decrypt(secret: bytes, ciphertext: bytes, count: int) -> list[float]:
    """The first ``count`` slots of the platform's answer; ``ProtocolError`` for bytes that are not one."""
    if not isinstance(ciphertext, bytes | bytearray) or not ciphertext or len(ciphertext) > MAX_CIPHERTEXT:
        raise ProtocolError("malformed")
    chunks = ckks_wire.vector_fields(bytes(ciphertext))[1]
    if len(chunks) != 1 or ckks_wire.inflated_size(chunks[0]) > ckks.MAX_INFLATED_CIPHERTEXT:
        raise ProtocolError("malformed")  # the platform's answer is read as warily as the platform reads ours
    context = ckks.secret_context(secret)
    try:
        vector = ts.ckks_vector_from(context, bytes(ciphertext))
        if vector.size() < count:
            raise ProtocolError("count")
        return [float(x) for x in vector.decrypt()[:count]]
    except ProtocolError:
        raise
    except ckks.LIBRARY_ERRORS:
        raise ProtocolError("malformed") from None
