"""The platform's half of private set intersection (pubdata_protocol.psi): pure functions over bytes.

``setup`` is the one that reads the set (the caller caches its bytes per product, set version and key);
``answer`` never sees an item, only the client's blinded points, and raises ``ProtocolError`` for anything
that is not exactly a request for ``items`` points on the curve, before any work for the checkable part.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from private_set_intersection.python import Request, server

from pubdata.common.digest import sm3
from pubdata_protocol import psi
from pubdata_protocol.messages import ProtocolError

KEY_BYTES = 32


def new_key() -> bytes:
    """A fresh secret scalar for P-256, from the library's own generator (in [1, order))."""
    key: bytes = server.CreateWithNewKey(psi.REVEAL_INTERSECTION).GetPrivateKeyBytes()
    if len(key) != KEY_BYTES:  # the library pads to the group order's size; anything else is not our key
        raise ValueError("openmined-psi returned a key of an unexpected size")
    return key


def key_id(key: bytes) -> str:
    """The key's public name: hex SM3 of the compressed P-256 point a·G (as the labelled lookup names its key by
    k·B), so a set version, an offer and a run name the key without showing it."""
    _server(key)  # the same bounds as every other use: 32 bytes, in [1, order)
    public = ec.derive_private_key(int.from_bytes(key, "big"), ec.SECP256R1()).public_key()
    return sm3(public.public_bytes(Encoding.X962, PublicFormat.CompressedPoint))


def _server(key: bytes) -> server:
    if len(key) != KEY_BYTES:
        raise ValueError("a PSI key is 32 bytes")
    try:
        return server.CreateFromKey(key, psi.REVEAL_INTERSECTION)
    except RuntimeError:  # out of [1, order): a stored key that is not one new_key made
        raise ValueError("not a PSI key") from None


def setup(key: bytes, items: Sequence[str], *, set_version: str, min_items: int = psi.MIN_SET_ITEMS) -> bytes:
    """The serialized setup for the set ``items`` of ``set_version`` (canonical, bound to the version, each once;
    padded with decoys to MIN_SET_ITEMS), sized for runs of up to MAX_CLIENT_ITEMS items at ``psi.setup_fpr`` of
    the set's size. ``min_items`` pads further (a consent-restricted set: to its consented subjects' number)."""
    elements = psi.items_of(items, set_version=set_version)
    elements += [
        psi.PAD_PREFIX + os.urandom(32).hex() for _ in range(max(min_items, psi.MIN_SET_ITEMS) - len(elements))
    ]
    fpr = psi.setup_fpr(len(elements))
    message = _server(key).CreateSetupMessage(fpr, psi.MAX_CLIENT_ITEMS, elements, psi.DATA_STRUCTURE)
    data: bytes = message.SerializeToString()
    return data


def answer(key: bytes, message: bytes, *, items: int) -> bytes:
    """The serialized response to a client's request of exactly ``items`` blinded points: each raised to the
    key, in order. ``ProtocolError`` for a message of another size, count or layout, or a point not on P-256."""
    request = Request(reveal_intersection=True, encrypted_elements=psi.request_points(message, items=items))
    try:
        response = _server(key).ProcessRequest(request)
    except RuntimeError:  # "Could not decode point": not on the curve, or not a valid encoding
        raise ProtocolError("malformed") from None
    data: bytes = response.SerializeToString()
    return data
