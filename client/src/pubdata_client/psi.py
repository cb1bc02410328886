"""The consumer's half of private set intersection (pubdata_protocol.psi), on the consumer's machine.

A run holds a fresh secret key of its own, so two runs over the same items send unrelated points and the
platform cannot link them; the items themselves never leave this object.
"""

from __future__ import annotations

from collections.abc import Sequence

from private_set_intersection.python import Response, client

from pubdata_protocol import psi
from pubdata_protocol.messages import ProtocolError


class PsiRun:
    """One run over ``items`` (at most MAX_CLIENT_ITEMS) for the offer's ``set_version``: ``message()`` to send,
    ``matches()`` on the answer and that version's setup (the items are bound to it, ``psi.bound``)."""

    def __init__(self, items: Sequence[str], *, set_version: str) -> None:
        if not 1 <= len(items) <= psi.MAX_CLIENT_ITEMS:
            raise ValueError(f"a PSI run asks about 1 to {psi.MAX_CLIENT_ITEMS} items, not {len(items)}")
        self._items = [psi.bound(item, set_version=set_version) for item in items]
        self._client = client.CreateWithNewKey(psi.REVEAL_INTERSECTION)
        self._message: bytes | None = None

    @property
    def items(self) -> int:
        return len(self._items)

    def message(self) -> bytes:
        """The serialized request: ``H(x)^b`` for each item, in order (made once; the same bytes after)."""
        if self._message is None:
            self._message = bytes(self._client.CreateRequest(self._items).SerializeToString())
        return self._message

    def matches(self, setup: bytes, answer: bytes) -> list[bool]:
        """Whether each item, in order, is in the set the setup was made from (false positives at FPR per run).
        ``ProtocolError`` for a setup or answer that is not this construction's, or not for this many items."""
        server_setup = psi.parse_setup(setup)
        response = Response(encrypted_elements=psi.response_points(answer, items=len(self._items)))
        try:
            found = self._client.GetIntersection(server_setup, response)
        except RuntimeError:
            raise ProtocolError("malformed") from None
        members = set(found)
        return [index in members for index in range(len(self._items))]
