"""RFC 6962 / RFC 9162 Merkle tree arithmetic, pure: no database, no I/O.

Hashes are over a leaf prefix 0x00 and a node prefix 0x01. The log's stored nodes are *perfect* subtrees,
addressed by ``(level, index)``: the node at level L and index i covers leaves ``[i·2^L, (i+1)·2^L)``. Every
hash a proof needs is a perfect subtree or a right edge built from a few of them, so proofs read
O(log² n) stored hashes at worst and never rehash the log.

Functions that read hashes take ``get(level, index) -> bytes``. ``needed_nodes`` runs such a function once
with a recording getter, so the caller can fetch every hash it needs in one query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cryptography.hazmat.primitives import hashes

Getter = Callable[[int, int], bytes]

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"

_ALGORITHMS = {"sm3": hashes.SM3, "sha256": hashes.SHA256}


class Hasher:
    """The log's hash function: SM3 (GB/T 32905) by default, SHA-256 by setting."""

    def __init__(self, name: str) -> None:
        if name not in _ALGORITHMS:
            raise ValueError(f"unknown ledger hash {name!r}; use one of {sorted(_ALGORITHMS)}")
        self.name = name
        self._algorithm = _ALGORITHMS[name]()

    def stream(self) -> hashes.Hash:
        """A fresh hash object, for data too big to hold at once."""
        return hashes.Hash(self._algorithm)

    def digest(self, data: bytes) -> bytes:
        h = hashes.Hash(self._algorithm)
        h.update(data)
        return h.finalize()

    def leaf(self, data: bytes) -> bytes:
        return self.digest(LEAF_PREFIX + data)

    def node(self, left: bytes, right: bytes) -> bytes:
        return self.digest(NODE_PREFIX + left + right)

    def empty_root(self) -> bytes:
        return self.digest(b"")


def split_point(n: int) -> int:
    """The largest power of two smaller than ``n`` (n ≥ 2): where RFC 6962 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def range_hash(hasher: Hasher, lo: int, hi: int, get: Getter) -> bytes:
    """MTH of leaves ``[lo, hi)``; ``lo`` is aligned as RFC 6962's recursion guarantees."""
    n = hi - lo
    if n & (n - 1) == 0:
        level = n.bit_length() - 1
        return get(level, lo >> level)
    k = split_point(n)
    return hasher.node(range_hash(hasher, lo, lo + k, get), range_hash(hasher, lo + k, hi, get))


def root(hasher: Hasher, size: int, get: Getter) -> bytes:
    return hasher.empty_root() if size == 0 else range_hash(hasher, 0, size, get)


def inclusion_path(hasher: Hasher, index: int, size: int, get: Getter) -> list[bytes]:
    """RFC 6962 PATH(index, D[0:size]), leaf side first."""
    if not 0 <= index < size:
        raise ValueError("index must be inside the tree")
    path: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split_point(hi - lo)
        if index < lo + k:
            path.append(range_hash(hasher, lo + k, hi, get))
            hi = lo + k
        else:
            path.append(range_hash(hasher, lo, lo + k, get))
            lo = lo + k
    path.reverse()
    return path


def consistency_path(hasher: Hasher, first: int, second: int, get: Getter) -> list[bytes]:
    """RFC 6962 PROOF(first, D[0:second])."""
    if not 0 < first <= second:
        raise ValueError("need 0 < first <= second")
    path: list[bytes] = []
    lo, hi, m, whole = 0, second, first, True
    while m != hi - lo:
        k = split_point(hi - lo)
        if m <= k:
            path.append(range_hash(hasher, lo + k, hi, get))
            hi = lo + k
        else:
            path.append(range_hash(hasher, lo, lo + k, get))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        path.append(range_hash(hasher, lo, hi, get))
    path.reverse()
    return path


def verify_inclusion(
    hasher: Hasher, index: int, size: int, leaf_hash: bytes, path: list[bytes], root_hash: bytes
) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = hasher.node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = hasher.node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root_hash


def verify_consistency(
    hasher: Hasher, first: int, second: int, first_root: bytes, second_root: bytes, path: list[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2."""
    if first == second:
        return not path and first_root == second_root
    if not 0 < first < second or not path:
        return False
    if first & (first - 1) == 0:
        path = [first_root, *path]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = hasher.node(c, fr), hasher.node(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = hasher.node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0


def needed_nodes(compute: Callable[[Getter], object]) -> set[tuple[int, int]]:
    """The (level, index) keys ``compute`` will read; hash values do not change which ones."""
    keys: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        keys.add((level, index))
        return b"\x00" * 32

    compute(record)
    return keys


# --- appending: the right edge ("frontier") of the tree -------------------------------------------------


def frontier_levels(size: int) -> list[int]:
    """Levels of the perfect subtrees that make up a tree of ``size`` leaves, largest first."""
    return [bit for bit in range(size.bit_length() - 1, -1, -1) if size >> bit & 1]


def append_leaf(hasher: Hasher, frontier: list[bytes], size: int, leaf_hash: bytes) -> Iterable[tuple[int, int, bytes]]:
    """Add leaf number ``size`` to ``frontier`` in place; yield each perfect node (level ≥ 1) it completes."""
    frontier.append(leaf_hash)
    level, index = 0, size
    while index & 1:
        right = frontier.pop()
        left = frontier.pop()
        merged = hasher.node(left, right)
        level, index = level + 1, index >> 1
        frontier.append(merged)
        yield level, index, merged


def frontier_root(hasher: Hasher, frontier: list[bytes]) -> bytes:
    """The root of the tree whose right edge is ``frontier``."""
    if not frontier:
        return hasher.empty_root()
    r = frontier[-1]
    for h in reversed(frontier[:-1]):
        r = hasher.node(h, r)
    return r
