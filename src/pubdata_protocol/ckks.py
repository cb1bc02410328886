"""Encrypted joint scoring (密态联合评分): the CKKS parameters both sides use, the logistic polynomial, and the
checks the platform applies to what a consumer sends — its public context and its ciphertexts.

Packing is by column: one ciphertext per private feature, slot i holding applicant i, so the score of every
applicant is computed slot-wise with no rotation and no Galois keys. The platform multiplies each ciphertext by
a plain weight (one level), adds its plain part, and for the logistic evaluates a cubic (two more levels, one
ciphertext × ciphertext product each, hence relinearisation keys). Three levels at a 2^40 scale fit
N = 8192 within 128-bit security (at most 218 bits of coefficient modulus): 60 + 3 × 40 + 38 = 218; the first
prime leaves 20 bits above the scale for the result, the last is the key-switching prime.
(docs/privacy-computing.md (Encrypted joint scoring) gives the measured precision.)

Both sides import this module (the client to make its keys, the server to check them), so it imports no server
code; TenSEAL is the only library beyond the standard one.
"""

from __future__ import annotations

import math
from typing import Any

import tenseal as ts
import tenseal.sealapi  # registers SEAL's types, so a context's parameters can be read

from pubdata_protocol.ckks_wire import context_objects, inflated_size, vector_fields
from pubdata_protocol.messages import MAX_CIPHERTEXT, MAX_CONTEXT, MAX_SLOTS, CkksParameters, ProtocolError

PARAMETERS = CkksParameters(poly_modulus_degree=8192, coeff_mod_bit_sizes=(60, 40, 40, 40, 38), global_scale_bits=40)
SCALE = float(2**PARAMETERS.global_scale_bits)
SLOTS = PARAMETERS.poly_modulus_degree // 2
# What TenSEAL's C++ exceptions become through pybind11 (invalid_argument → ValueError, out_of_range →
# IndexError, bad_alloc → MemoryError, any other → RuntimeError): bytes it cannot parse raise one of these.
LIBRARY_ERRORS = (ValueError, RuntimeError, TypeError, IndexError, OverflowError, MemoryError)
EXPECTED = ("CKKS", PARAMETERS.poly_modulus_degree, PARAMETERS.coeff_mod_bit_sizes, SCALE)
assert SLOTS == MAX_SLOTS

# sigmoid(z) ≈ 0.5 + 0.15584·z − 0.0016341·z³ on [−8, 8]: the odd cubic of least maximum error there (measured:
# 0.0896, against 0.114 for Kim et al.'s least-squares 0.5 + 0.15012·z − 0.001593·z³). Coefficients from degree 0
# up. Outside [−8, 8] it leaves [0, 1], so a product's weights must keep the linear score inside (the docs say how).
# A product's weights on the consumer's features: below 2^20 in magnitude, and a non-zero one at least 2^-20 (a
# smaller one encodes to zero at the scale 2^40 and makes a transparent product). Checked when a joint scoring is
# defined (products.definitions) and again on every run (privacy.scoring).
WEIGHT_BOUND = 2.0**20
MIN_WEIGHT = 2.0**-20


def weight_fits(weight: float) -> bool:
    """Whether a weight is one the evaluation can carry: 0, or between MIN_WEIGHT and WEIGHT_BOUND in magnitude."""
    size = abs(weight)
    return size == 0 or MIN_WEIGHT <= size < WEIGHT_BOUND  # false for NaN and ±∞


LOGISTIC = (0.5, 0.15584, 0.0, -0.0016341)
LOGISTIC_ERROR = 0.0897  # max |polynomial − sigmoid| on [−8, 8]
LOGISTIC_DOMAIN = 8.0


def logistic(z: float) -> float:
    """The polynomial in plain arithmetic: what the encrypted logistic approximates slot by slot."""
    return sum(c * z**k for k, c in enumerate(LOGISTIC))


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def new_secret_context() -> ts.Context:
    """A fresh key pair under PARAMETERS, with relinearisation keys (the logistic needs them), no Galois keys."""
    context = ts.context(
        ts.SCHEME_TYPE.CKKS,
        poly_modulus_degree=PARAMETERS.poly_modulus_degree,
        coeff_mod_bit_sizes=list(PARAMETERS.coeff_mod_bit_sizes),
    )
    context.global_scale = SCALE
    context.generate_relin_keys()
    return context


def public_bytes(context: ts.Context) -> bytes:
    """What the platform receives: the relinearisation keys and the parameters, no secret key, no public key (the
    platform encrypts nothing: its plain part is added as a plaintext), no Galois keys."""
    data: bytes = context.serialize(
        save_public_key=False, save_secret_key=False, save_galois_keys=False, save_relin_keys=True
    )
    return data


def _parameters_of(context: ts.Context) -> tuple[str, int, tuple[int, ...], float]:
    """The scheme, ring degree, coefficient moduli (bits, the key-switching prime last) and scale it carries."""
    parms = context.seal_context().data.key_context_data().parms()
    moduli = tuple(q.bit_count() for q in parms.coeff_modulus())
    return parms.scheme().name, parms.poly_modulus_degree(), moduli, context.global_scale


# What SEAL may inflate a context's or a ciphertext's objects to (ckks_wire.inflated_size): about 2.4 times what
# a legitimate one needs (a public context's keys bound at 3.2 MB, a fresh ciphertext's at 0.66 MB).
MAX_INFLATED_CONTEXT = 8 * 1024 * 1024
MAX_INFLATED_CIPHERTEXT = 1024 * 1024


def _load_context(data: bytes, *, secret: bool) -> ts.Context:
    """TenSEAL's context from bytes whose wrapper and objects were read first: a secret key or Galois keys where
    none belong are refused before anything is loaded, and so is an object that could inflate past the bound."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise ProtocolError("malformed")
    if len(data) > MAX_CONTEXT:
        raise ProtocolError("oversize")
    objects = context_objects(bytes(data))
    if "secret_key" in objects and not secret:
        raise ProtocolError("secret key")
    if "galois_keys" in objects:
        raise ProtocolError("galois keys")
    if sum(inflated_size(obj) for obj in objects.values()) > MAX_INFLATED_CONTEXT:
        raise ProtocolError("oversize")
    try:
        return ts.context_from(bytes(data))
    except LIBRARY_ERRORS:
        raise ProtocolError("malformed") from None


def _check_context(context: ts.Context, *, secret: bool) -> ts.Context:
    try:
        parameters = _parameters_of(context)
        is_private = context.has_secret_key()
        has_galois = context.has_galois_keys()
        has_relin = context.has_relin_keys()
    except LIBRARY_ERRORS:
        raise ProtocolError("malformed") from None
    if parameters != EXPECTED:
        raise ProtocolError("parameters")
    if is_private != secret:
        raise ProtocolError("secret key" if is_private else "no secret key")
    if has_galois:  # column packing needs no rotation: a Galois key only enlarges what could be done
        raise ProtocolError("galois keys")
    if not has_relin:
        raise ProtocolError("no relinearisation keys")
    # The flags a context carries are the sender's; the platform's evaluation sets its own.
    context.auto_relin = True
    context.auto_rescale = True
    context.auto_mod_switch = True
    return context


def public_context(data: bytes) -> ts.Context:
    """A consumer's public context, or ``ProtocolError``: refused when it is malformed or oversize, holds a
    secret key, has other parameters or scale, carries Galois keys, or lacks relinearisation keys."""
    return check_public(_load_context(data, secret=False))


def check_public(context: ts.Context) -> ts.Context:
    """A loaded context's checks (``public_context`` without the bytes' own)."""
    return _check_context(context, secret=False)


def secret_context(data: bytes) -> ts.Context:
    """The consumer's own context (its secret key included), checked alike; used by the client only."""
    return _check_context(_load_context(data, secret=True), secret=True)


def fresh_vector(context: ts.Context, data: bytes, *, count: int) -> ts.CKKSVector:
    """A ciphertext as a consumer's encryption makes it, or ``ProtocolError``: a TenSEAL vector of ``count``
    slots (1 ≤ count ≤ 4,096) in one SEAL ciphertext of two polynomials at the top level (the context's first
    parameters), at the scale 2^40, in NTT form, not transparent (its mask not zero). SEAL's own load checks
    that its coefficients are valid for the context; a ciphertext made under other parameters fails there or on
    its level."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise ProtocolError("malformed")
    if len(data) > MAX_CIPHERTEXT:
        raise ProtocolError("oversize")
    if not 1 <= count <= SLOTS:
        raise ProtocolError("count")
    sizes, chunks, scale = vector_fields(bytes(data))
    # TenSEAL encodes the platform's plaintexts at the scale the vector's wrapper names, not its ciphertext's:
    # a wrapper with another would make SEAL refuse mid-computation, so it is checked before anything is loaded.
    if len(chunks) != 1 or scale != SCALE:
        raise ProtocolError("not a fresh ciphertext")
    if sizes != [count]:
        raise ProtocolError("count")
    if inflated_size(chunks[0]) > MAX_INFLATED_CIPHERTEXT:
        raise ProtocolError("oversize")
    try:
        vector = ts.ckks_vector_from(context, bytes(data))
        ciphertexts = vector.data.ciphertext()
    except LIBRARY_ERRORS:
        raise ProtocolError("malformed") from None
    first = context.seal_context().data.first_parms_id()
    if len(ciphertexts) != 1 or not _fresh(ciphertexts[0], first):
        raise ProtocolError("not a fresh ciphertext")
    return vector


def _fresh(ciphertext: Any, first: Any) -> bool:  # a SEAL ciphertext and parms_id (untyped bindings)
    return bool(
        ciphertext.size() == 2
        and list(ciphertext.parms_id()) == list(first)
        and ciphertext.scale == SCALE
        and ciphertext.is_ntt_form()
        and not ciphertext.is_transparent()  # a zero mask: SEAL refuses any product or sum of it
        and ciphertext.poly_modulus_degree() == PARAMETERS.poly_modulus_degree
    )
