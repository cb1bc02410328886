"""The labelled lookup's client half (匿踪标签查询), on the consumer's machine: blind the items, unblind the
platform's evaluation, and open the matching rows of the set version's label table locally. The items never
leave this process; the platform sees only one random-looking group element per item.

    run = LookupRun(items, set_version=offer.set_version)
    answer = ...send run.message()...            # the platform multiplies each point by its key
    labels = run.labels(table, answer, set_version=offer.set_version, key_id=offer.key_id)

The construction is ``pubdata_protocol.oprf``'s (``docs/privacy-computing.md``).
"""

from __future__ import annotations

from collections.abc import Sequence

import nacl.bindings as sodium

from pubdata_protocol import oprf
from pubdata_protocol.messages import MAX_ITEMS_PER_RUN, ProtocolError


class LookupRun:
    """One run's items and their blinding scalars (a fresh r per item, so no two blinded points are related),
    for the set version offered: an evaluation opens that version's rows only."""

    def __init__(self, items: Sequence[str], *, set_version: str) -> None:
        if not 1 <= len(items) <= MAX_ITEMS_PER_RUN:
            raise ValueError(f"a lookup run asks about 1 to {MAX_ITEMS_PER_RUN} items")
        self.items = list(items)
        self.set_version = set_version
        self._version = oprf.set_version_bytes(set_version)
        self._blinds = [oprf.random_scalar() for _ in self.items]
        self._message = b"".join(
            oprf.multiply(blind, oprf.hash_to_group(item, self._version))
            for item, blind in zip(self.items, self._blinds, strict=True)
        )

    def message(self) -> bytes:
        """r·H1(x) for each item, 32 bytes each, in order."""
        return self._message

    def labels(self, table: bytes, answer: bytes, *, set_version: str, key_id: str) -> list[str | None]:
        """Each item's label, or None if it is not in the set (or the answer came from another key): the table
        must be the offered set version's and key's (``ProtocolError`` otherwise), and so must the answer."""
        if set_version != self.set_version:
            raise ProtocolError("another set version")
        parsed = oprf.parse_table(table, set_version=set_version, key_id=key_id)
        if len(answer) != len(self.items) * oprf.POINT:
            raise ProtocolError("wrong item count")
        found: list[str | None] = []
        for index, (item, blind) in enumerate(zip(self.items, self._blinds, strict=True)):
            evaluated = oprf.multiply(
                sodium.crypto_core_ed25519_scalar_invert(blind), answer[index * oprf.POINT : (index + 1) * oprf.POINT]
            )
            found.append(_label(parsed, oprf.finalize(item, self._version, evaluated)))
        return found


def _label(table: oprf.Table, output: bytes) -> str | None:
    tag, key = oprf.row_secrets(output, table.set_version)
    row = table.find(tag)
    return None if row is None else oprf.open_row(row, key, table.set_version, table.width)
