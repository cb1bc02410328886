"""Encrypted joint scoring, the platform's half: Σ weight·ciphertext + plain part, slot by slot, and the
approximate logistic if the product asks for it, over a consumer's ciphertexts under its own public context.

The platform never holds the secret key: what it computes stays encrypted, and the result goes back to the
consumer as one ciphertext. Everything the consumer sent is checked before any arithmetic (``ckks``); a message
that fails is a ``ProtocolError``, and nothing computed afterwards can fail on the consumer's data (its values
are hidden from SEAL too, so an overflow would only garble the consumer's own result). The platform's own
numbers are bounded here, so a product's configuration error is a ``ValueError`` and never a refusal.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

import numpy as np
import tenseal as ts

from pubdata_protocol import ckks
from pubdata_protocol.messages import MAX_PRIVATE_FEATURES, ProtocolError

# The product's weights (ckks.weight_fits) are the definition's, checked at its review and on every run alike,
# so a weight out of bounds is the product's configuration error (ValueError), never data-dependent.
WEIGHT_BOUND, MIN_WEIGHT = ckks.WEIGHT_BOUND, ckks.MIN_WEIGHT
# The plain part comes from the domain's data, so nothing about its values may make a run fail (that would tell
# the consumer something of the data): a value beyond ±2^20 is clamped rather than refused. The bound keeps the
# encoder's double arithmetic exact enough for every other slot (one value of 2^50 costs its neighbours 10^-2)
# and the logistic's result inside the 20 bits the first prime leaves; a product's review keeps its scores far
# inside. Only a non-finite value (a platform bug) raises.
PLAIN_BOUND = 2.0**20
# Loading a 2 MB public context (its relinearisation keys) costs more than scoring 4,096 applicants, and a
# consumer registers one key for many runs: the last few loaded stay in memory beside their bytes.
CONTEXTS_KEPT = 8
_contexts: OrderedDict[tuple[int, bytes], tuple[bytes, ts.Context, threading.Lock]] = OrderedDict()
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
    plain = _check_platform_numbers(weights, plain_part)
    if set(ciphertexts) != set(weights) or len(ciphertexts) > MAX_PRIVATE_FEATURES:
        raise ProtocolError("features")
    public, lock = _public_context(context)
    with lock:  # one evaluation at a time per context: TenSEAL does not promise more
        vectors = {name: ckks.fresh_vector(public, data, count=count) for name, data in ciphertexts.items()}
        try:
            linear = _linear(vectors, weights, plain)
            return (_logistic(linear) if logistic else linear).serialize()
        except ckks.LIBRARY_ERRORS:
            # Fresh ciphertexts whose masks cancel under the weights (the same one sent for two features whose
            # weights are opposite, or one crafted to) make a transparent sum, which SEAL refuses and the
            # platform, holding no public key, cannot re-encrypt. Whether that happens depends on the message
            # and the product's weights only, never on the plain part (it touches no mask): no oracle on data.
            raise ProtocolError("evaluation") from None


def _public_context(data: bytes) -> tuple[ts.Context, threading.Lock]:
    """The checked context for these bytes, loaded once while it stays among the last few used. Kept beside its
    bytes and found by their length and last bytes (random key material), then compared whole: a comparison of
    2 MB costs a tenth of a millisecond, a cryptographic digest of them twenty times that."""
    if not isinstance(data, bytes | bytearray):
        raise ProtocolError("malformed")
    bucket = (len(data), bytes(data[-64:]))
    with _contexts_lock:
        kept = _contexts.get(bucket)
        if kept is not None and kept[0] == data:
            _contexts.move_to_end(bucket)
            return kept[1], kept[2]
    context = ckks.public_context(data)  # refused bytes are never kept
    lock = threading.Lock()
    with _contexts_lock:
        _contexts[bucket] = (bytes(data), context, lock)
        while len(_contexts) > CONTEXTS_KEPT:
            _contexts.popitem(last=False)
    return context, lock


def _check_platform_numbers(weights: Mapping[str, float], plain_part: Sequence[float]) -> list[float]:
    """The plain part, clamped to ±PLAIN_BOUND; ValueError for weights out of bounds or a non-finite value."""
    if not 1 <= len(plain_part) <= ckks.SLOTS:
        raise ProtocolError("count")  # the subjects are the consumer's: their number is its message's
    values = [abs(float(w)) for w in weights.values()]
    if not all(ckks.weight_fits(v) for v in values):
        raise ValueError(f"a joint score's weights must be 0 or between {MIN_WEIGHT:g} and {WEIGHT_BOUND:g}")
    if not any(values):
        # Multiplying by zero would make a transparent ciphertext (SEAL refuses it), and the platform holds no
        # public key to encrypt its plain part alone: a product needs one non-zero weight on a private feature.
        raise ValueError("a joint score needs a non-zero weight on a private feature")
    plain = np.asarray(plain_part, dtype=np.float64)  # vectorised: a Python loop over 4,096 costs a tenth of a run
    if plain.shape != (len(plain_part),) or not np.isfinite(plain).all():
        raise ValueError("a joint score's plain part must be finite numbers")
    clamped: list[float] = np.clip(plain, -PLAIN_BOUND, PLAIN_BOUND).tolist()
    return clamped


def _linear(
    vectors: Mapping[str, ts.CKKSVector], weights: Mapping[str, float], plain_part: Sequence[float]
) -> ts.CKKSVector:
    """One plain multiplication per feature (one level), then additions, in place (the vectors are this run's);
    a zero weight drops its feature (a product by zero is a transparent ciphertext)."""
    terms = [vectors[name].mul_(float(weight)) for name, weight in sorted(weights.items()) if weight != 0]
    total = terms[0]
    for term in terms[1:]:
        total.add_(term)
    return total.add_(list(plain_part))


def _logistic(z: ts.CKKSVector) -> ts.CKKSVector:
    """c0 + c1·z + c3·z³ as z²·(c3·z) + c1·z + c0: z² and c3·z take one level each side by side, their product
    one more, so the cubic costs two levels after the linear score's one."""
    c0, c1, c2, c3 = ckks.LOGISTIC
    assert c2 == 0.0
    return z.square() * (z * c3) + z * c1 + c0
