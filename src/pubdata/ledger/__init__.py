"""Tamper-evident ledger (可追溯): an append-only Merkle log with signed tree heads."""

from pubdata.ledger import messages as _messages  # noqa: F401 - declares the ledger's words

# What other domains may import, besides ``service``, ``schemas``, ``rules`` and ``messages``.
PUBLIC = ("audited", "signoff", "merkle", "public", "signing", "keys")
