"""Encrypted joint scoring, the platform's half: Σ weight·ciphertext + plain part, slot by slot, and the
approximate logistic if the product asks for it, over a consumer's ciphertexts under its own public context.

The platform never holds the secret key: what it computes stays encrypted, and the result goes back to the
consumer as one ciphertext. Everything the consumer sent is checked before any arithmetic (``ckks``); a message
that fails is a ``ProtocolError``, and nothing computed afterwards can fail on the consumer's data (its values
are hidden from SEAL too, so an overflow would only garble the consumer's own result). The platform's own
numbers are bounded here, so a product's configuration error is a ``ValueError`` and never a refusal.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

import tenseal as ts

from pubdata_protocol import ckks
from pubdata_protocol.messages import MAX_PRIVATE_FEATURES, ProtocolError

# The platform's numbers stay far inside the 20 bits the first prime leaves above the scale.
PLAIN_BOUND = 2.0**20
# Loading a 2 MB public context (its relinearisation keys) costs more than scoring 4,096 applicants, and a
# consumer registers one key for many runs: the last few loaded stay in memory, keyed by a digest of their bytes.
CONTEXTS_KEPT = 8
_contexts: OrderedDict[bytes, tuple[ts.Context, threading.Lock]] = OrderedDict()
_contexts_lock = threading.Lock()


def score(
    context: bytes,
    ciphertexts: Mapping[str, bytes],
    *,
    weights: Mapping[str, float],
    plain_part: Sequence[float],
    logistic: bool,
) -> bytes:
    """The serialised ciphertext of Σ weights[name]·ct[name] + plain_part per slot (then the logistic cubic if
    ``logistic``), for ``len(plain_part)`` subjects; ``ProtocolError`` for a context or ciphertext that is not
    what the protocol sends, or for features other than the weights name."""
    count = len(plain_part)
    _check_platform_numbers(weights, plain_part)
    if set(ciphertexts) != set(weights) or len(ciphertexts) > MAX_PRIVATE_FEATURES:
        raise ProtocolError("features")
    public, lock = _public_context(context)
    with lock:  # one evaluation at a time per context: TenSEAL does not promise more
        vectors = {name: ckks.fresh_vector(public, data, count=count) for name, data in ciphertexts.items()}
        linear = _linear(vectors, weights, plain_part)
        return (_logistic(linear) if logistic else linear).serialize()


def _public_context(data: bytes) -> tuple[ts.Context, threading.Lock]:
    """The checked context for these bytes, loaded once while it stays among the last few used."""
    if not isinstance(data, bytes | bytearray):
        raise ProtocolError("malformed")
    digest = hashlib.sha256(data).digest()
    with _contexts_lock:
        if digest in _contexts:
            _contexts.move_to_end(digest)
            return _contexts[digest]
    entry = (ckks.public_context(data), threading.Lock())  # refused bytes are never kept
    with _contexts_lock:
        _contexts[digest] = entry
        while len(_contexts) > CONTEXTS_KEPT:
            _contexts.popitem(last=False)
    return entry


def _check_platform_numbers(weights: Mapping[str, float], plain_part: Sequence[float]) -> None:
    if not 1 <= len(plain_part) <= ckks.SLOTS:
        raise ProtocolError("count")  # the subjects are the consumer's: their number is its message's
    numbers = [*weights.values(), *plain_part]
    if not all(isinstance(x, int | float) and math.isfinite(x) and abs(x) < PLAIN_BOUND for x in numbers):
        raise ValueError(f"a joint score's weights and plain part must be finite and below {PLAIN_BOUND:g}")
    if not any(weights.values()):
        # Multiplying by zero would make a transparent ciphertext (SEAL refuses it), and the platform holds no
        # public key to encrypt its plain part alone: a product needs one non-zero weight on a private feature.
        raise ValueError("a joint score needs a non-zero weight on a private feature")


def _linear(
    vectors: Mapping[str, ts.CKKSVector], weights: Mapping[str, float], plain_part: Sequence[float]
) -> ts.CKKSVector:
    """One plain multiplication per feature (one level), then additions; a zero weight drops its feature (a
    product by zero is a transparent ciphertext)."""
    terms = [vectors[name] * float(weight) for name, weight in sorted(weights.items()) if weight != 0]
    total = terms[0]
    for term in terms[1:]:
        total += term
    return total + [float(x) for x in plain_part]


def _logistic(z: ts.CKKSVector) -> ts.CKKSVector:
    """c0 + c1·z + c3·z³ as c0 + z·(c1 + c3·z²): z² and (c3·z) take one level each side by side, their product
    one more, so the cubic costs two levels after the linear score's one."""
    c0, c1, c2, c3 = ckks.LOGISTIC
    assert c2 == 0.0
    return z.square() * (z * c3) + z * c1 + c0
