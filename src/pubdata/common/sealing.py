"""Secrets the platform must use again but never show: sealed with SM4-GCM under a key in the data directory.

A department database's password is needed at every load, so it cannot be hashed like a user's; it is sealed
instead. SM4 (GB/T 32907-2016) in GCM mode, from ``cryptography``: the mode authenticates, so a sealed value
edited in the database fails to open rather than opening to something else, and each value is bound to
what it belongs to (``context``), so one row's sealed password copied into another's does not open either.
The key is made on first use, readable by the owner only, beside the ledger's signing key.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KEY_BYTES = 16  # SM4's block and key size
NONCE_BYTES = 12
TAG_BYTES = 16
PREFIX = "sm4gcm:"


class SealBroken(Exception):
    """A sealed value that does not open: edited, moved to another row, or sealed under another key."""


class Sealer:
    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("an SM4 key is 16 bytes")
        self._key = key

    def seal(self, secret: str, *, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        encryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(context.encode("utf-8"))
        body = encryptor.update(secret.encode("utf-8")) + encryptor.finalize()
        return PREFIX + base64.b64encode(nonce + body + encryptor.tag).decode("ascii")

    def open(self, sealed: str, *, context: str) -> str:
        if not sealed.startswith(PREFIX):
            raise SealBroken("not a sealed value")
        try:
            raw = base64.b64decode(sealed[len(PREFIX) :], validate=True)
        except ValueError:
            raise SealBroken("not a sealed value") from None
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise SealBroken("not a sealed value")
        nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(context.encode("utf-8"))
        try:
            return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
        except (InvalidTag, UnicodeDecodeError):
            raise SealBroken("the sealed value does not open") from None

    @classmethod
    def load_or_create(cls, path: Path) -> Sealer:
        """The data directory's sealing key; made on first run, readable by the owner only."""
        if path.exists():
            return cls(path.read_bytes())
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: another process of the platform never reads half a key, and
        # if two make one at once, both use the one that got there first.
        draft = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(KEY_BYTES))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
        return cls(path.read_bytes())
