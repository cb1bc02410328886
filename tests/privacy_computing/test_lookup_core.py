"""The labelled lookup's core against a plain dict lookup on synthetic credit codes: members get their labels,
others None; another key, another set version or a tampered row gives nothing; a malformed message is refused.
Real PyNaCl (libsodium) and real SM3/SM4-GCM throughout."""

from __future__ import annotations

import hashlib

import nacl.bindings as sodium
import pytest

from pubdata.common.ids import synthetic_credit_code
from pubdata.privacy import lookup
from pubdata_client.lookup import LookupRun
from pubdata_protocol import oprf
from pubdata_protocol.messages import MAX_ITEMS_PER_RUN, ProtocolError

BANDS = ("A", "B", "C", "M", "D", "纳税信用A级")
VERSION = hashlib.sha256(b"set version 1").hexdigest()
OTHER_VERSION = hashlib.sha256(b"set version 2").hexdigest()


def code(serial: int) -> str:
    return synthetic_credit_code("330100", f"{serial:08d}")


# The published set: 300 enterprises with a rating; the bank asks about 40 of them and 40 others.
SET = {code(serial): BANDS[serial % len(BANDS)] for serial in range(300)}
ASKED = [code(serial) for serial in range(260, 340)]
KEY = lookup.new_key()
TABLE = lookup.table(KEY, set_version=VERSION, entries=SET.items())


def run_lookup(items, *, key=KEY, table=TABLE, set_version=VERSION, key_id=None):
    run = LookupRun(items, set_version=set_version)
    answer = lookup.evaluate(key, run.message(), items=len(items))
    return run.labels(table, answer, set_version=set_version, key_id=key_id or lookup.key_id(KEY))


def test_labels_match_a_plain_dict_lookup():
    assert run_lookup(ASKED) == [SET.get(item) for item in ASKED]
    assert sum(label is not None for label in run_lookup(ASKED)) == 40


def test_each_item_is_blinded_afresh_and_shows_nothing_of_itself():
    """The same item twice gives two unrelated points, neither its hash to the group."""
    run = LookupRun([ASKED[0], ASKED[0]], set_version=VERSION)
    first, second = run.message()[:32], run.message()[32:]
    assert first != second
    assert oprf.hash_to_group(ASKED[0], bytes.fromhex(VERSION)) not in (first, second)
    assert (
        run.labels(TABLE, lookup.evaluate(KEY, run.message(), items=2), set_version=VERSION, key_id=lookup.key_id(KEY))
        == [SET[ASKED[0]]] * 2
    )


def test_an_evaluation_under_another_key_learns_nothing():
    assert run_lookup(ASKED, key=lookup.new_key()) == [None] * len(ASKED)


def test_a_table_under_another_key_learns_nothing():
    """The table is another key's but claims this one's name: no row opens."""
    other = lookup.table(lookup.new_key(), set_version=VERSION, entries=SET.items())
    forged = other[:37] + bytes.fromhex(lookup.key_id(KEY)) + other[69:]
    assert run_lookup(ASKED, table=forged) == [None] * len(ASKED)


def test_a_table_of_another_set_version_is_refused():
    other = lookup.table(KEY, set_version=OTHER_VERSION, entries=SET.items())
    with pytest.raises(ProtocolError, match="set version"):
        run_lookup(ASKED, table=other)
    with pytest.raises(ProtocolError, match="key"):
        run_lookup(ASKED, key_id="0" * 64)


def test_rows_relabelled_as_another_version_do_not_open():
    """Rewriting the header's set version moves every row to a version it was not sealed for."""
    other = lookup.table(KEY, set_version=OTHER_VERSION, entries=SET.items())
    relabelled = other[:5] + bytes.fromhex(VERSION) + other[37:]
    assert run_lookup(ASKED, table=relabelled) == [None] * len(ASKED)


def test_an_evaluation_for_one_version_opens_no_row_of_the_next():
    """However long the key lives, a consumer pays again to see an item in a new version: its old OPRF output
    derives no tag of the new table (the set version is hashed into the group element the server multiplies)."""
    other = lookup.table(KEY, set_version=OTHER_VERSION, entries=SET.items())
    parsed = oprf.parse_table(other, set_version=OTHER_VERSION, key_id=lookup.key_id(KEY))
    old, new = bytes.fromhex(VERSION), bytes.fromhex(OTHER_VERSION)
    for item in ASKED[:40]:
        evaluated = oprf.multiply(KEY, oprf.hash_to_group(item, old))  # what the client unblinds, for the old one
        for output in (oprf.finalize(item, old, evaluated), oprf.finalize(item, new, evaluated)):
            assert parsed.find(oprf.row_secrets(output, new)[0]) is None
            assert parsed.find(oprf.row_secrets(output, old)[0]) is None
    run = LookupRun(ASKED, set_version=VERSION)
    answer = lookup.evaluate(KEY, run.message(), items=len(ASKED))
    with pytest.raises(ProtocolError, match="set version"):
        run.labels(other, answer, set_version=OTHER_VERSION, key_id=lookup.key_id(KEY))


def test_rows_of_two_versions_are_unlinkable():
    other = lookup.table(KEY, set_version=OTHER_VERSION, entries=SET.items())
    size = oprf.row_size(max(len(b.encode()) for b in BANDS))
    tags = {TABLE[i : i + 16] for i in range(oprf.HEADER.size, len(TABLE), size)}
    assert len(tags) == max(len(SET), lookup.MIN_TABLE_ROWS)  # the set's rows and the decoys
    assert not tags & {other[i : i + 16] for i in range(oprf.HEADER.size, len(other), size)}


@pytest.mark.parametrize("where", ["ciphertext", "gcm tag", "tag"])
def test_a_tampered_row_does_not_open(where):
    item = ASKED[0]
    version = bytes.fromhex(VERSION)
    output = oprf.finalize(item, version, oprf.multiply(KEY, oprf.hash_to_group(item, version)))  # the client's
    tag, _ = oprf.row_secrets(output, version)
    parsed = oprf.parse_table(TABLE, set_version=VERSION, key_id=lookup.key_id(KEY))
    start = oprf.HEADER.size + TABLE[oprf.HEADER.size :].index(parsed.find(tag))
    offset = {"ciphertext": 17, "gcm tag": oprf.row_size(parsed.width) - 1, "tag": 15}[where]
    tampered = bytearray(TABLE)
    tampered[start + offset] ^= 0x01
    assert run_lookup([item]) == [SET[item]]
    assert run_lookup([item], table=bytes(tampered)) == [None]


def test_labels_are_padded_to_one_width():
    """Every row is the same size, whatever its label's length; the header names the width."""
    table = lookup.table(KEY, set_version=VERSION, entries=[(code(1), ""), (code(2), "x" * 40)], label_width=64)
    assert len(table) == oprf.HEADER.size + lookup.MIN_TABLE_ROWS * oprf.row_size(64)  # padded with decoys
    assert run_lookup([code(1), code(2), code(3)], table=table) == ["", "x" * 40, None]
    with pytest.raises(ValueError, match="width"):
        lookup.table(KEY, set_version=VERSION, entries=[(code(1), "x" * 65)], label_width=64)


def test_an_empty_set_answers_none():
    table = lookup.table(KEY, set_version=VERSION, entries=[])
    assert run_lookup(ASKED[:3], table=table) == [None, None, None]


def test_an_item_twice_in_the_set_is_refused():
    with pytest.raises(ValueError, match="twice"):
        lookup.table(KEY, set_version=VERSION, entries=[(code(1), "A"), (code(1), "B")])


def test_the_key_is_named_by_its_commitment_not_shown():
    assert lookup.key_id(KEY) == hashlib.new("sm3", sodium.crypto_scalarmult_ed25519_base_noclamp(KEY)).hexdigest()
    assert KEY.hex() not in TABLE.hex()
    assert lookup.key_id(KEY) != lookup.key_id(lookup.new_key())


def test_expand_message_xmd_follows_rfc9380():
    """The expander is RFC 9380's: with SHA-256 it gives the RFC's test vectors (Appendix K.1)."""
    dst = b"QUUX-V01-CS02-with-expander-SHA256-128"
    sha256 = (lambda *parts: hashlib.sha256(b"".join(parts)).digest(), 64)
    assert oprf.expand_message_xmd(b"", dst, 32, hash=sha256).hex() == (
        "68a985b87eb6b46952128911f2a4412bbc302a9d759667f87f7a21d803f07235"
    )
    assert oprf.expand_message_xmd(b"abc", dst, 32, hash=sha256).hex() == (
        "d8ccab23b5985ccea865c6c97b6e5b8350e794e603b4b97902f53a8a0d605615"
    )


def test_the_hash_to_group_lands_in_the_prime_order_group():
    version = bytes.fromhex(VERSION)
    point = oprf.hash_to_group(code(7), version)
    assert sodium.crypto_core_ed25519_is_valid_point(point)
    assert point == oprf.hash_to_group(code(7), version) != oprf.hash_to_group(code(8), version)
    assert point != oprf.hash_to_group(code(7), bytes.fromhex(OTHER_VERSION))


IDENTITY = bytes([1]) + bytes(31)
ORDER_8 = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
NOT_CANONICAL = b"\xff" * 31 + b"\x7f"  # y ≥ p


def test_points_outside_the_prime_order_group_are_refused():
    good = LookupRun([code(1)], set_version=VERSION).message()
    mixed = sodium.crypto_core_ed25519_add(good, ORDER_8)  # on the curve, outside the subgroup
    for bad in (IDENTITY, ORDER_8, bytes(32), NOT_CANONICAL, mixed):
        with pytest.raises(ProtocolError):
            lookup.evaluate(KEY, good + bad, items=2)


@pytest.mark.parametrize(
    ("message", "items"),
    [
        (b"", 1),  # empty
        (bytes(31), 1),  # short
        (LookupRun([code(1), code(2)], set_version=VERSION).message(), 1),  # more points than items
        (LookupRun([code(1)], set_version=VERSION).message(), 2),  # fewer
        (LookupRun([code(1)], set_version=VERSION).message() + b"\x00", 1),  # a stray byte
        (LookupRun([code(1)], set_version=VERSION).message(), 0),
        (LookupRun([code(1)], set_version=VERSION).message(), MAX_ITEMS_PER_RUN + 1),  # oversize
    ],
    # Named, not by value: the blinded points are random, and pytest-xdist's workers must collect the same ids.
    ids=["empty", "short", "more points", "fewer points", "stray byte", "no items", "oversize"],
)
def test_malformed_messages_are_refused(message, items):
    with pytest.raises(ProtocolError):
        lookup.evaluate(KEY, message, items=items)


def test_a_malformed_answer_or_table_is_refused_by_the_client():
    run = LookupRun([code(1)], set_version=VERSION)
    answer = lookup.evaluate(KEY, run.message(), items=1)
    key_id = lookup.key_id(KEY)
    for bad_answer in (answer + answer, IDENTITY, ORDER_8):
        with pytest.raises(ProtocolError):
            run.labels(TABLE, bad_answer, set_version=VERSION, key_id=key_id)
    for bad_table in (TABLE[:-1], b"XXXX" + TABLE[4:], TABLE[:10]):
        with pytest.raises(ProtocolError, match="malformed"):
            run.labels(bad_table, answer, set_version=VERSION, key_id=key_id)


def test_a_key_must_be_a_reduced_nonzero_scalar():
    for bad in (bytes(32), b"\xff" * 32, bytes(31)):
        with pytest.raises(ValueError):
            lookup.key_id(bad)


def test_a_run_asks_about_one_to_the_limit_of_items():
    with pytest.raises(ValueError):
        LookupRun([], set_version=VERSION)
    with pytest.raises(ValueError):
        LookupRun([""], set_version=VERSION)
    with pytest.raises(ValueError):
        LookupRun([code(1)], set_version="not a version")


def test_a_table_built_in_two_processes_equals_one_built_in_one(monkeypatch):
    monkeypatch.setattr(lookup, "CHUNK", 100)
    assert lookup.table(KEY, set_version=VERSION, entries=SET.items(), workers=2) == TABLE


def test_a_table_whose_workers_ran_other_code_is_refused(monkeypatch):
    """Spawned workers import the construction afresh; here this process's differs from theirs (as after an
    upgrade on disk), and the build fails instead of serving rows no client would find."""
    monkeypatch.setattr(lookup, "CHUNK", 100)
    monkeypatch.setattr(oprf, "DST_H2", b"another construction")
    with pytest.raises(RuntimeError, match="other code"):
        lookup.table(KEY, set_version=VERSION, entries=SET.items(), workers=2)
