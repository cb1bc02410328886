"""The privacy-computing messages (JSON over the HTTP API; binary parts base64-encoded), one shape each side
validates. Every size is bounded here, so an oversize message is refused by its shape before any of it is
decoded, and a message names the set version and key it was made for, so one made for another is refused.

The flow of each protocol (``docs/privacy-computing.md``):

- ``GET  /api/v1/products/{code}/privacy``            → ``Offer``: the current set version, key, limits;
- ``GET  /api/v1/products/{code}/privacy/setup``      → the set version's setup (PSI) or encrypted label table
  (labelled lookup), binary, fetched once per version (headers ``X-Pubdata-Set-Version``, ``X-Pubdata-Key-Id``);
- ``POST /api/v1/products/{code}/privacy/keys``       ``KeyIn`` → ``KeyOut``: a consumer's public CKKS context;
- ``POST /api/v1/products/{code}/privacy/runs``       ``RunRequest`` → ``RunAnswer`` (PSI, labelled lookup), or
  ``ScoringRequest`` → ``ScoringAnswer`` (joint scoring).
"""

from __future__ import annotations

import base64
import binascii
import os
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Protocol = Literal["psi", "labelled_lookup", "joint_scoring"]
PROTOCOLS: tuple[str, ...] = ("psi", "labelled_lookup", "joint_scoring")
ItemKind = Literal["credit_code", "resident_id"]
Output = Literal["linear", "logistic"]

MAX_ITEMS_PER_RUN = 50_000  # items one PSI or lookup run may ask about
MAX_SLOTS = 4096  # applicants one scoring run packs into each ciphertext (CKKS, N = 8192)
MAX_PRIVATE_FEATURES = 16
# Encoded sizes (base64 text), generous for the largest legal message of each kind and far below the API's limit.
MAX_RUN_MESSAGE = 4 * ((MAX_ITEMS_PER_RUN * 40 + 4096) // 3 + 1)
MAX_CONTEXT = 16 * 1024 * 1024  # a public CKKS context (about 2 MB at N = 8192, with relinearisation keys)
MAX_CIPHERTEXT = 2 * 1024 * 1024  # one CKKS vector (about 0.4 MB fresh at N = 8192)
NONCE_HEX = 32  # 16 random bytes, hex: a run is answered once per contract and nonce

Hex64 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Nonce = Annotated[str, Field(pattern=rf"^[0-9a-f]{{{NONCE_HEX}}}$")]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
CreditCode = Annotated[str, Field(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")]
B64 = r"^[A-Za-z0-9+/]*={0,2}$"


class ProtocolError(ValueError):
    """A message that is not what its protocol sends: malformed, oversize, or made for another set or key. The
    server answers it with one refusal that says no more than that."""


def encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def decode(text: str, *, limit: int) -> bytes:
    """A base64 field's bytes, or ``ProtocolError``: never more than ``limit`` encoded characters are read."""
    if len(text) > limit:
        raise ProtocolError("oversize")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ProtocolError("malformed") from None


def new_nonce() -> str:
    return os.urandom(NONCE_HEX // 2).hex()


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class CkksParameters(_Message):
    """The CKKS parameters a product's scoring runs under; the client makes its context with exactly these."""

    poly_modulus_degree: int = Field(ge=4096, le=32768)
    coeff_mod_bit_sizes: tuple[int, ...] = Field(min_length=2, max_length=12)
    global_scale_bits: int = Field(ge=20, le=60)


class Feature(_Message):
    """A feature the consumer supplies, encrypted (scoring): its name and its words."""

    name: Identifier
    zh: str = Field(max_length=100)
    en: str = Field(max_length=200)


class Offer(_Message):
    """What a product's privacy protocol runs on now, for one consumer's contract."""

    wire_version: int  # pubdata_protocol.VERSION on the server's side
    product: str = Field(max_length=32)
    protocol: Protocol
    contract_id: int
    set_version: Hex64
    key_id: Hex64 | None = None  # the server's key for this version (PSI, lookup); scoring: the consumer's own
    item_kind: ItemKind = "credit_code"
    max_items_per_run: int = Field(ge=1, le=MAX_ITEMS_PER_RUN)
    items_left: int = Field(ge=0)  # of the contract's quota (its rows)
    setup_bytes: int | None = Field(default=None, ge=0)  # PSI setup or label table, to fetch once
    # PSI: the false-positive rate the setup was built for, and the client set size it allows per run.
    fpr: float | None = None
    features: tuple[Feature, ...] = ()  # scoring: the consumer's features, in the order it sends them
    output: Output | None = None  # scoring
    ckks: CkksParameters | None = None  # scoring
    label: Feature | None = None  # labelled lookup: what the label is


class RunRequest(_Message):
    """One PSI or labelled-lookup run: the client's blinded message for ``items`` items."""

    protocol: Literal["psi", "labelled_lookup"]
    set_version: Hex64
    key_id: Hex64
    nonce: Nonce
    items: int = Field(ge=1, le=MAX_ITEMS_PER_RUN)
    message: str = Field(max_length=MAX_RUN_MESSAGE, pattern=B64)


class RunAnswer(_Message):
    run_id: int
    protocol: Literal["psi", "labelled_lookup"]
    set_version: Hex64
    key_id: Hex64
    items: int
    message: str


class KeyIn(_Message):
    """A consumer's public CKKS context (no secret key), registered once; runs name it by ``key_id``."""

    context: str = Field(max_length=MAX_CONTEXT, pattern=B64)


class KeyOut(_Message):
    key_id: Hex64  # SM3 of the context's bytes
    bytes: int


class ScoringRequest(_Message):
    """One joint-scoring run: the subjects (credit codes, in slot order) and one ciphertext per feature."""

    protocol: Literal["joint_scoring"] = "joint_scoring"
    set_version: Hex64
    key_id: Hex64
    nonce: Nonce
    subjects: tuple[CreditCode, ...] = Field(min_length=1, max_length=MAX_SLOTS)
    features: dict[Identifier, Annotated[str, Field(max_length=MAX_CIPHERTEXT, pattern=B64)]] = Field(
        min_length=1, max_length=MAX_PRIVATE_FEATURES
    )


class ScoringAnswer(_Message):
    run_id: int
    set_version: Hex64
    key_id: Hex64
    subjects: int
    output: Output
    score: str  # one CKKS vector: slot i is subject i's score (or its approximate logistic)
