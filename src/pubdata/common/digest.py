"""SM3 (GB/T 32905), the platform's digest for documents that are signed or pinned."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import hashes

from pubdata.common import canonical


def sm3(data: bytes) -> str:
    """The lowercase hex SM3 digest of ``data``."""
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def of_document(document: Any) -> str:
    """The SM3 digest of a document's canonical JSON: the bytes every party signs."""
    return sm3(canonical.dumps(document))
