"""The Merkle arithmetic against a plain reading of RFC 6962 §2.1, with no database."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pubdata.ledger import merkle

SM3 = merkle.Hasher("sm3")
SHA256 = merkle.Hasher("sha256")


def reference_root(h: merkle.Hasher, leaves: list[bytes]) -> bytes:
    """MTH exactly as RFC 6962 §2.1 writes it, recursing over the leaf data."""
    if not leaves:
        return h.empty_root()
    if len(leaves) == 1:
        return h.leaf(leaves[0])
    k = merkle.split_point(len(leaves))
    return h.node(reference_root(h, leaves[:k]), reference_root(h, leaves[k:]))


def stored_tree(h: merkle.Hasher, leaves: list[bytes]) -> tuple[dict[tuple[int, int], bytes], list[bytes]]:
    """What the ledger stores while appending: perfect nodes and the right edge."""
    nodes: dict[tuple[int, int], bytes] = {}
    frontier: list[bytes] = []
    for index, data in enumerate(leaves):
        leaf = h.leaf(data)
        nodes[(0, index)] = leaf
        for level, idx, node_hash in merkle.append_leaf(h, frontier, index, leaf):
            nodes[(level, idx)] = node_hash
    return nodes, frontier


leaf_lists = st.lists(st.binary(max_size=8), min_size=1, max_size=70)


def test_sm3_is_the_standard_function():
    # GB/T 32905-2016 example 1: SM3("abc").
    assert SM3.digest(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_leaf_and_node_prefixes_differ():
    assert SHA256.leaf(b"ab") != SHA256.digest(b"ab")
    assert SHA256.node(b"a", b"b") != SHA256.leaf(b"ab")


@settings(max_examples=60, deadline=None)
@given(leaf_lists)
def test_stored_nodes_and_right_edge_give_the_rfc_root(leaves):
    nodes, frontier = stored_tree(SM3, leaves)
    expected = reference_root(SM3, leaves)
    assert merkle.root(SM3, len(leaves), lambda level, idx: nodes[(level, idx)]) == expected
    assert merkle.frontier_root(SM3, frontier) == expected
    assert [len(frontier)] == [len(merkle.frontier_levels(len(leaves)))]


@settings(max_examples=60, deadline=None)
@given(leaf_lists, st.data())
def test_every_inclusion_proof_verifies_and_a_changed_one_does_not(leaves, data):
    nodes, _ = stored_tree(SHA256, leaves)
    get = lambda level, idx: nodes[(level, idx)]  # noqa: E731
    size = data.draw(st.integers(1, len(leaves)))
    index = data.draw(st.integers(0, size - 1))
    root = merkle.root(SHA256, size, get)
    path = merkle.inclusion_path(SHA256, index, size, get)
    leaf = SHA256.leaf(leaves[index])
    assert merkle.verify_inclusion(SHA256, index, size, leaf, path, root)
    assert not merkle.verify_inclusion(SHA256, index, size, SHA256.leaf(leaves[index] + b"!"), path, root)
    if path:
        bent = [bytes(32)] + path[1:]
        assert not merkle.verify_inclusion(SHA256, index, size, leaf, bent, root)
    if size > 1:
        assert (
            not merkle.verify_inclusion(SHA256, (index + 1) % size, size, leaf, path, root)
            or leaves[index] == leaves[(index + 1) % size]
        )


@settings(max_examples=60, deadline=None)
@given(leaf_lists, st.data())
def test_every_consistency_proof_verifies_and_a_rewritten_prefix_does_not(leaves, data):
    nodes, _ = stored_tree(SM3, leaves)
    get = lambda level, idx: nodes[(level, idx)]  # noqa: E731
    second = data.draw(st.integers(1, len(leaves)))
    first = data.draw(st.integers(1, second))
    path = merkle.consistency_path(SM3, first, second, get)
    first_root, second_root = merkle.root(SM3, first, get), merkle.root(SM3, second, get)
    assert merkle.verify_consistency(SM3, first, second, first_root, second_root, path)
    forged_first = reference_root(SM3, [b"forged"] + leaves[1:first])
    if forged_first != first_root:
        assert not merkle.verify_consistency(SM3, first, second, forged_first, second_root, path)


def test_proofs_read_few_stored_nodes():
    """A proof in a million-leaf tree reads O(log n) hashes, not the log."""
    keys = merkle.needed_nodes(lambda get: merkle.inclusion_path(SM3, 123_457, 1_000_003, get))
    assert len(keys) <= 2 * 20 * 20
    keys = merkle.needed_nodes(lambda get: merkle.consistency_path(SM3, 777_777, 1_000_003, get))
    assert len(keys) <= 2 * 20 * 20


@pytest.mark.parametrize("index,size", [(-1, 4), (4, 4), (0, 0)])
def test_inclusion_outside_the_tree_is_refused(index, size):
    with pytest.raises(ValueError):
        merkle.inclusion_path(SM3, index, size, lambda level, idx: b"")


def test_unknown_hash_is_refused():
    with pytest.raises(ValueError, match="unknown ledger hash"):
        merkle.Hasher("md5")
