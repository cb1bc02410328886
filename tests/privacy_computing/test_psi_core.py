"""Private set intersection's two halves (pubdata.privacy.psi, pubdata_client.psi) against a plain computation,
without a database or HTTP: bytes in, bytes out, as the frame and the client call them.

The false-positive bound: a setup is built so that a run of MAX_CLIENT_ITEMS (50,000) items has at most FPR
(1e-9) chance of any false match; openmined-psi's GCS hashes into max(m, n)·m/FPR values, so for the sets here
(n ≤ 5,000 server items) one client item falsely matches with probability n·FPR/m² ≈ 2·10⁻¹⁵, and a 1,000-item
run about 2·10⁻¹² — negligible, so the tests compare exactly.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from private_set_intersection.python import DataStructure, ServerSetup, server

from pubdata.common.ids import synthetic_credit_code, synthetic_resident_id
from pubdata.privacy import psi
from pubdata_client.psi import PsiRun
from pubdata_protocol import psi as shared
from pubdata_protocol.messages import MAX_ITEMS_PER_RUN, ProtocolError

P256_P = 2**256 - 2**224 + 2**192 + 2**96 - 1
VERSION = "ab" * 32  # a set version: the items are bound to it on both sides
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B


def credit_codes(count: int, *, start: int = 0) -> list[str]:
    return [synthetic_credit_code("341702", f"{start + i:08d}") for i in range(count)]


def resident_ids(count: int) -> list[str]:
    born = date(1970, 1, 1)
    return [synthetic_resident_id("341702", born + timedelta(days=i // 500), i % 500) for i in range(count)]


@pytest.fixture(scope="module")
def rated() -> tuple[bytes, list[str], bytes]:
    """A set of 3,000 credit codes (the rated enterprises) under one key, and its setup."""
    key = psi.new_key()
    items = credit_codes(3000)
    return key, items, psi.setup(key, items, set_version=VERSION)


def applicants(members: list[str], *, count: int, seed: int) -> list[str]:
    """``count`` items, about half from ``members`` and half credit codes outside it, shuffled."""
    rng = random.Random(seed)
    inside = rng.sample(members, count // 2)
    outside = credit_codes(count - len(inside), start=50_000_000)
    mixed = inside + outside
    rng.shuffle(mixed)
    return mixed


def run(key: bytes, setup: bytes, items: list[str]) -> list[bool]:
    client = PsiRun(items, set_version=VERSION)
    return client.matches(setup, psi.answer(key, client.message(), items=len(items)))


def test_matches_are_the_plain_intersection_of_credit_codes(rated):
    key, members, setup = rated
    asked = applicants(members, count=1000, seed=1)
    expected = [item in set(members) for item in asked]
    assert sum(expected) == 500
    assert run(key, setup, asked) == expected


def test_matches_are_the_plain_intersection_of_resident_ids():
    key = psi.new_key()
    people = resident_ids(5000)
    listed = people[::3]  # e.g. persons with social-insurance arrears
    setup = psi.setup(key, listed, set_version=VERSION)
    asked = random.Random(2).sample(people, 800)
    assert run(key, setup, asked) == [person in set(listed) for person in asked]


def test_items_match_in_their_canonical_form_on_both_sides():
    """A resident ID's check letter typed in lower case, a code with full-width characters or spaces from a
    spreadsheet: the same item on both sides."""
    key = psi.new_key()
    person = next(p for p in resident_ids(2000) if p.endswith("X"))
    code = credit_codes(1)[0]
    setup = psi.setup(key, [person, code], set_version=VERSION)
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code)  # ０１… full-width forms
    assert run(key, setup, [person.lower(), f"  {wide} ", code[:-1] + "?"]) == [True, True, False]


def test_a_run_of_one_item_works(rated):
    key, members, setup = rated
    assert run(key, setup, [members[7]]) == [True]
    assert run(key, setup, credit_codes(1, start=70_000_000)) == [False]


def test_a_client_with_another_server_key_learns_nothing(rated):
    """Every asked item is in the set, yet a setup and an answer made under different keys match none of them
    (beyond the FPR): H(x)^b raised to another key a' unblinds to H(x)^a', which the setup of H(y)^a lacks."""
    key, members, setup = rated
    asked = members[:300]
    other = psi.new_key()
    assert not any(run(other, setup, asked))  # the answer under another key
    assert not any(run(key, psi.setup(other, members, set_version=VERSION), asked))  # the setup under another key
    assert all(run(key, setup, asked))  # and the matching pair finds all of them


def test_a_small_set_is_padded_with_decoys_no_client_can_ask_for():
    """openmined-psi cannot build its GCS for a few items at this FPR; the setup pads to MIN_SET_ITEMS with
    decoys ("pad:" and lower-case hex) that canonical items never equal, even asked for verbatim."""
    key = psi.new_key()
    code = credit_codes(1)[0]
    setup = psi.setup(key, [code], set_version=VERSION)
    assert shared.approximate_set_size(setup) == pytest.approx(shared.MIN_SET_ITEMS, rel=0.1)
    assert run(key, setup, [code, shared.PAD_PREFIX + "0" * 64]) == [True, False]
    empty = psi.setup(key, [], set_version=VERSION)
    assert run(key, empty, [code]) == [False]


def test_the_setup_shows_about_how_large_the_set_is_and_counts_each_item_once():
    key = psi.new_key()
    items = credit_codes(2500)
    setup = psi.setup(key, items + items[:1000], set_version=VERSION)
    assert shared.approximate_set_size(setup) == pytest.approx(2500, rel=0.05)
    assert run(key, setup, items[:3]) == [True] * 3


def test_the_platform_sees_blinded_points_and_their_count_only(rated):
    """What reaches ``answer``: no item, in any form the platform could recompute without the client's key.
    Its size depends on the count alone; the same items asked twice give unrelated points (a fresh key per
    run), so runs cannot be linked; and each point is neither H(x) nor H(x)^a (the setup's elements)."""
    key, members, setup = rated
    asked = members[:200]
    first, second = PsiRun(asked, set_version=VERSION).message(), PsiRun(asked, set_version=VERSION).message()
    others = PsiRun(members[200:400], set_version=VERSION).message()
    assert len(first) == len(second) == len(others) == shared.request_bytes(200)
    for item in asked:
        assert item.encode() not in first and item.encode("utf-16-le") not in first
    points = set(shared.request_points(first, items=200))
    assert points.isdisjoint(shared.request_points(second, items=200))
    # the server with key 1 computes H(x)^1 = H(x) itself; the server's own key gives H(x)^a
    for exponent in (1, int.from_bytes(key, "big")):
        hashed = server.CreateFromKey(exponent.to_bytes(32, "big"), False)
        bound = [shared.bound(item, set_version=VERSION) for item in asked]  # what the points hash
        raw = hashed.CreateSetupMessage(0.5, 200, bound, DataStructure.RAW).raw.encrypted_elements
        assert points.isdisjoint(raw) and len(raw) == 200
    answered = psi.answer(key, first, items=200)
    assert len(answered) == shared.response_bytes(200)


def invalid_x() -> bytes:
    """An x coordinate below p with no point on P-256 (x³ − 3x + b a non-residue mod p)."""
    x = 1
    while pow((x**3 - 3 * x + P256_B) % P256_P, (P256_P - 1) // 2, P256_P) != P256_P - 1:
        x += 1
    return x.to_bytes(32, "big")


@pytest.fixture(scope="module")
def request_of_three() -> bytes:
    return PsiRun(credit_codes(3), set_version=VERSION).message()


def edits(message: bytes) -> dict[str, tuple[bytes, int]]:
    """Ways a request for three items goes wrong, each with the item count it declares."""
    element = shared.ELEMENT_BYTES
    last = len(message) - element
    return {
        "truncated": (message[:-1], 3),
        "one byte more": (message + b"\x00", 3),
        "declares fewer": (message, 2),
        "declares more": (message, 4),
        "no items": (b"", 0),
        "empty message": (b"", 1),
        "counts only": (b"\x08\x01", 1),
        "size only": (message[:last], 3),
        "reveal off": (b"\x08\x00" + message[2:], 3),
        "another field": (message[:last] + b"\x1a\x21" + message[last + 2 :], 3),
        "a longer element": (message[:last] + b"\x12\x22" + message[last + 2 :], 3),
        "uncompressed prefix": (message[:last] + b"\x12\x21\x04" + message[last + 3 :], 3),
        "point at infinity": (message[:last] + b"\x12\x21\x00" + message[last + 3 :], 3),
        "x beyond p": (message[:last] + b"\x12\x21\x02" + b"\xff" * 32, 3),
        "x not on the curve": (message[:last] + b"\x12\x21\x02" + invalid_x(), 3),
        "garbage": (bytes(range(256)) * 3, 3),
        "over the run limit": (message, MAX_ITEMS_PER_RUN + 1),
        "a negative count": (message, -3),
    }


@pytest.mark.parametrize("case", list(edits(b"\x08\x01" + b"\x12\x21\x02" + b"\x00" * 32).keys()))
def test_a_malformed_or_miscounted_request_is_a_protocol_error(rated, request_of_three, case):
    key, _, _ = rated
    message, items = edits(request_of_three)[case]
    with pytest.raises(ProtocolError):
        psi.answer(key, message, items=items)


def test_an_oversize_request_is_refused_by_its_size_before_any_work(rated):
    key, _, _ = rated
    oversize = b"\x08\x01" + (b"\x12\x21\x02" + b"\x00" * 32) * (MAX_ITEMS_PER_RUN + 1)
    with pytest.raises(ProtocolError, match="item count"):
        psi.answer(key, oversize, items=MAX_ITEMS_PER_RUN + 1)
    with pytest.raises(ProtocolError, match="size"):
        psi.answer(key, oversize, items=MAX_ITEMS_PER_RUN)


def test_the_client_refuses_an_answer_or_setup_that_is_not_this_construction(rated):
    key, members, setup = rated
    client = PsiRun(members[:3], set_version=VERSION)
    answer = psi.answer(key, client.message(), items=3)
    bad_answers = [answer[:-1], answer + answer[:35], answer[:35] * 2, b"\x12" + answer[1:], b""]
    for bad in bad_answers:
        with pytest.raises(ProtocolError):
            client.matches(setup, bad)
    other = server.CreateFromKey(key, True)
    bloom = other.CreateSetupMessage(shared.FPR, 3, members[:200], DataStructure.BLOOM_FILTER).SerializeToString()
    raw = other.CreateSetupMessage(shared.FPR, 3, members[:200], DataStructure.RAW).SerializeToString()
    for bad in [b"", b"\xff\xff", bloom, raw, setup + b"\x00", setup[:-5]]:
        with pytest.raises(ProtocolError):
            client.matches(bad, answer)
    assert client.matches(setup, answer) == [True] * 3


def test_a_run_asks_about_one_to_the_run_limit_items():
    with pytest.raises(ValueError):
        PsiRun([], set_version=VERSION)
    with pytest.raises(ValueError):
        PsiRun(["X"] * (MAX_ITEMS_PER_RUN + 1), set_version=VERSION)


def test_a_server_key_is_32_bytes_in_the_group_order():
    keys = {psi.new_key() for _ in range(4)}
    assert len(keys) == 4 and all(len(key) == psi.KEY_BYTES for key in keys)
    for bad in (b"\x00" * 32, b"\xff" * 32, b"\x01" * 31):
        with pytest.raises(ValueError):
            psi.setup(bad, ["A"], set_version=VERSION)
        with pytest.raises(ValueError):
            psi.key_id(bad)


def test_a_key_is_named_by_a_digest_of_its_public_point():
    key, other = psi.new_key(), psi.new_key()
    named = psi.key_id(key)
    assert named == psi.key_id(key) != psi.key_id(other)
    assert len(named) == 64 and int(named, 16) >= 0 and named != key.hex()


def test_the_hash_range_stays_an_int64_for_any_set_the_platform_serves(rated):
    """openmined-psi's GCS hashes into max(m, n)·m/fpr values, an int64 that wraps negative past 2⁶³ (above
    about 184,000 items at 1e-9); setup_fpr raises the rate just enough to stay under 2⁶², so a 1M-item set's
    full run has about 1.1e-8 chance of any false match. The library's formula is pinned on a real setup here,
    and the arithmetic checked for sets up to 40M."""
    _, members, setup = rated
    gcs = ServerSetup.FromString(setup).gcs
    largest = max(shared.MAX_CLIENT_ITEMS, len(members))
    assert gcs.hash_range == int(largest * shared.MAX_CLIENT_ITEMS / shared.setup_fpr(len(members)))
    assert shared.setup_fpr(len(members)) == shared.FPR == shared.setup_fpr(90_000)
    for size in (100_000, 200_000, 1_000_000, 40_000_000):
        fpr = shared.setup_fpr(size)
        assert fpr > shared.FPR and max(size, shared.MAX_CLIENT_ITEMS) * shared.MAX_CLIENT_ITEMS / fpr <= 2**62
    assert shared.setup_fpr(1_000_000) == pytest.approx(1.08e-8, rel=0.01)
    # what the client computes from the setup alone: a full run's chance of a false match, about n·fpr/max(m, n)
    assert shared.run_fpr(setup) == pytest.approx(len(members) * shared.FPR / shared.MAX_CLIENT_ITEMS, rel=0.05)
