"""Signers: SM2 (GB/T 32918, the default) through GmSSL's ``gmssl-pyx`` binding, and Ed25519 from ``cryptography``.

An SM2 signature here is the standard's: over the message M with the signer's Z value for the default user ID
``1234567812345678`` (e = SM3(Z ‖ M)), DER-encoded (r, s) — exactly what ``openssl dgst -sm3 -verify`` and
``gmssl sm2verify`` check for a message file M. Keys are kept and published in the standard containers: the
public key as a SubjectPublicKeyInfo (id-ecPublicKey, curve sm2 1.2.156.10197.1.301), the private key as
PKCS#8, both PEM, so OpenSSL and GmSSL read them. Tree heads already written by an Ed25519 key keep verifying:
a signature is checked with the algorithm stored beside it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import gmssl_pyx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHMS = ("sm2", "ed25519")
SM2_DEFAULT_ID = b"1234567812345678"

# The fixed DER prefixes of an SM2 key on the one curve SM2 defines: ``cryptography`` cannot parse the sm2
# curve, and a key of fixed shape needs no ASN.1 parser — a byte that differs is refused, never guessed at.
_SM2_SPKI = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")
_SM2_PKCS8 = bytes.fromhex("308187020100301306072a8648ce3d020106082a811ccf5501822d046d306b0201010420")
_SM2_PKCS8_PUBLIC = bytes.fromhex("a144034200")


class Signer(Protocol):
    algorithm: str
    key_id: str
    public_key: bytes

    def sign(self, message: bytes) -> bytes: ...

    def public_key_pem(self) -> str: ...


@dataclass(frozen=True)
class PublicKey:
    """A key signatures are checked with: its algorithm and its bytes (SM2: the 65-byte point 04 ‖ x ‖ y;
    Ed25519: the 32 raw bytes)."""

    algorithm: str
    key: bytes

    @property
    def key_id(self) -> str:
        return key_id(self.algorithm, self.key)

    def pem(self) -> str:
        return public_key_pem(self.algorithm, self.key)

    def verify(self, signature: bytes, message: bytes) -> bool:
        return verify_signature(self.algorithm, self.key, signature, message)


def key_id(algorithm: str, public_key: bytes) -> str:
    """A short name for a public key: the first 16 hex digits of its SM3 (SM2) or SHA-256 (Ed25519) digest."""
    if algorithm == "sm2":
        return gmssl_pyx.sm3_hash(public_key).hex()[:16]
    return hashlib.sha256(public_key).hexdigest()[:16]


def verify_signature(algorithm: str, public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is ``algorithm``'s signature of ``message`` by ``public_key``; never raises."""
    if algorithm == "sm2":
        return _sm2_verify(public_key, signature, message)
    if algorithm == "ed25519":
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True
    return False


# The curve's a, b and base point (GB/T 32918.5), which the signer's Z value hashes.
_SM2_CURVE = bytes.fromhex(
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"
    "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"
    "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
    "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"
)


@lru_cache(maxsize=256)
def sm2_z(public_key: bytes, user_id: bytes = SM2_DEFAULT_ID) -> bytes:
    """Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (GB/T 32918.2 §5.5) for a 65-byte public point."""
    return gmssl_pyx.sm3_hash((len(user_id) * 8).to_bytes(2, "big") + user_id + _SM2_CURVE + public_key[1:])


def sm2_digest(public_key: bytes, message: bytes) -> bytes:
    """e = SM3(Z ‖ M): what an SM2 signature of ``message`` signs. The binding's own message API recomputes Z
    and reloads the key on every call (ten times slower, docs/benchmarks.md); the digest API with Z kept
    per key gives the same signatures."""
    return gmssl_pyx.sm3_hash(sm2_z(public_key) + message)


def _sm2_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    if len(public_key) != 65 or public_key[0] != 4 or not signature:
        return False
    try:
        return bool(gmssl_pyx.sm2_verify_sm3_digest(public_key[1:], sm2_digest(public_key, message), signature))
    except gmssl_pyx.GmsslInnerError:  # a malformed signature or a point off the curve
        return False


# --- PEM ---------------------------------------------------------------------------------------------


def _pem(label: str, der: bytes) -> str:
    body = base64.b64encode(der).decode()
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n"


def _unpem(label: str, text: str) -> bytes:
    found = re.fullmatch(rf"\s*-----BEGIN {label}-----\s+([A-Za-z0-9+/=\s]+?)\s*-----END {label}-----\s*", text)
    if found is None:
        raise ValueError(f"not a PEM {label}")
    return base64.b64decode("".join(found.group(1).split()), validate=True)


def public_key_pem(algorithm: str, public_key: bytes) -> str:
    if algorithm == "sm2":
        return _pem("PUBLIC KEY", _SM2_SPKI + public_key)
    key = Ed25519PublicKey.from_public_bytes(public_key)
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_key_pem(text: str) -> PublicKey:
    """An SM2 or Ed25519 public key from its PEM SubjectPublicKeyInfo; ValueError if it is neither, or an SM2
    point that is not on the curve."""
    der = _unpem("PUBLIC KEY", text)
    if der.startswith(_SM2_SPKI) and len(der) == len(_SM2_SPKI) + 65 and der[len(_SM2_SPKI)] == 4:
        point = der[len(_SM2_SPKI) :]
        try:
            gmssl_pyx.normalize_sm2_public_key(point)
            gmssl_pyx.sm2_encrypt(point[1:], b"\x00")  # GmSSL refuses a point that is not on the curve
        except (gmssl_pyx.GmsslInnerError, ValueError) as error:
            raise ValueError("the SM2 public key is not a point on the curve") from error
        return PublicKey("sm2", point)
    try:
        key = serialization.load_der_public_key(der)
    except (ValueError, TypeError) as error:
        raise ValueError("not an SM2 or Ed25519 public key") from error
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an SM2 or Ed25519 public key")
    return PublicKey("ed25519", key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


# --- signers -----------------------------------------------------------------------------------------


def _write_owner_only(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


class SM2Signer:
    algorithm = "sm2"

    def __init__(self, private_key: bytes, public_key: bytes) -> None:
        if len(private_key) != 32 or len(public_key) != 65 or public_key[0] != 4:
            raise ValueError("an SM2 key is a 32-byte scalar and a 65-byte uncompressed point")
        self._private = private_key
        self.public_key = public_key
        self.key_id = key_id("sm2", public_key)

    def __repr__(self) -> str:  # the private key never reaches a log line through a repr
        return f"SM2Signer(key_id={self.key_id!r})"

    @classmethod
    def generate(cls) -> SM2Signer:
        public, private = gmssl_pyx.sm2_key_generate()
        return cls(private, b"\x04" + public)

    def sign(self, message: bytes) -> bytes:
        return gmssl_pyx.sm2_sign_sm3_digest(self._private, sm2_digest(self.public_key, message))

    def public_key_pem(self) -> str:
        return public_key_pem("sm2", self.public_key)

    def private_key_pem(self) -> str:
        return _pem("PRIVATE KEY", _SM2_PKCS8 + self._private + _SM2_PKCS8_PUBLIC + self.public_key)

    @classmethod
    def from_private_key_pem(cls, text: str) -> SM2Signer:
        der = _unpem("PRIVATE KEY", text)
        head, tail = len(_SM2_PKCS8), len(_SM2_PKCS8) + 32
        if (
            len(der) != tail + len(_SM2_PKCS8_PUBLIC) + 65
            or not der.startswith(_SM2_PKCS8)
            or der[tail : tail + len(_SM2_PKCS8_PUBLIC)] != _SM2_PKCS8_PUBLIC
        ):
            raise ValueError("not an SM2 PKCS#8 private key with its public key")
        signer = cls(der[head:tail], der[tail + len(_SM2_PKCS8_PUBLIC) :])
        if not signer.public().verify(signer.sign(b"pubdata key check"), b"pubdata key check"):
            raise ValueError("the SM2 private key does not match its public key")
        return signer

    def public(self) -> PublicKey:
        return PublicKey("sm2", self.public_key)

    @classmethod
    def load_or_create(cls, path: Path) -> SM2Signer:
        """A key kept in the data directory; made on first use, readable by the owner only."""
        if path.exists():
            return cls.from_private_key_pem(path.read_text())
        signer = cls.generate()
        _write_owner_only(path, signer.private_key_pem().encode())
        return signer


class Ed25519Signer:
    algorithm = "ed25519"

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.key_id = key_id("ed25519", self.public_key)

    def __repr__(self) -> str:
        return f"Ed25519Signer(key_id={self.key_id!r})"

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.public_key).decode()

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def public_key_pem(self) -> str:
        return public_key_pem("ed25519", self.public_key)

    def public(self) -> PublicKey:
        return PublicKey("ed25519", self.public_key)

    @classmethod
    def load_or_create(cls, path: Path) -> Ed25519Signer:
        """The data directory's signing key; made on first run, readable by the owner only."""
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError(f"{path} does not hold an Ed25519 key")
            return cls(key)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        _write_owner_only(path, pem)
        return cls(key)


LEDGER_KEY_FILES = {"sm2": "ledger-sm2.pem", "ed25519": "ledger-ed25519.pem"}


def ledger_signer(keys_dir: Path, setting: str | None) -> SM2Signer | Ed25519Signer:
    """The key tree heads are signed with. ``setting`` None: SM2 for a new data directory, Ed25519 for one that
    already signs with an Ed25519 key and has no SM2 key; a named algorithm is used (and made) as asked."""
    if setting is None:
        has = {name: (keys_dir / file).exists() for name, file in LEDGER_KEY_FILES.items()}
        setting = "ed25519" if has["ed25519"] and not has["sm2"] else "sm2"
    path = keys_dir / LEDGER_KEY_FILES[setting]
    return SM2Signer.load_or_create(path) if setting == "sm2" else Ed25519Signer.load_or_create(path)


def ledger_public_keys(keys_dir: Path) -> dict[str, PublicKey]:
    """Every key the data directory has signed tree heads with (the current one and any earlier one), by id."""
    keys: list[PublicKey] = []
    if (keys_dir / LEDGER_KEY_FILES["sm2"]).exists():
        keys.append(SM2Signer.load_or_create(keys_dir / LEDGER_KEY_FILES["sm2"]).public())
    if (keys_dir / LEDGER_KEY_FILES["ed25519"]).exists():
        keys.append(Ed25519Signer.load_or_create(keys_dir / LEDGER_KEY_FILES["ed25519"]).public())
    return {key.key_id: key for key in keys}


class KeyStore:
    """The organisations' private keys the platform holds in the demo: ``keys/organisations/<id>-sm2.pem``,
    owner-only, never in the database or a log line. ``enabled`` False (production) holds none."""

    def __init__(self, folder: Path, *, enabled: bool) -> None:
        self.folder = folder
        self.enabled = enabled

    def __repr__(self) -> str:
        return f"KeyStore({self.folder!s}, enabled={self.enabled})"

    def _path(self, organisation_id: int) -> Path:
        return self.folder / f"{int(organisation_id)}-sm2.pem"

    def create(self, organisation_id: int) -> SM2Signer:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.folder.chmod(0o700)
        path = self._path(organisation_id)
        # An earlier transaction may have made the file and then rolled back its registration.
        path.unlink(missing_ok=True)
        return SM2Signer.load_or_create(path)

    def load(self, organisation_id: int) -> SM2Signer | None:
        path = self._path(organisation_id)
        return SM2Signer.from_private_key_pem(path.read_text()) if path.exists() else None
