"""Attacks on the privacy-computing products by a consumer who read the code (the red team's probes, kept as
regression tests): each one fails if the attack it names works again."""

from __future__ import annotations

import pytest

from pubdata_client.psi import PsiRun
from pubdata_protocol import messages as wire
from tests.privacy_computing.world import (
    ENTERPRISES,
    build_world,
    latest_ratings,
    offer,
    reload_ratings,
    request_for,
    run_request,
    setup,
)


@pytest.fixture
def world(platform, city):
    return build_world(platform)


def test_a_psi_answer_bought_once_does_not_answer_for_a_later_set_version(platform, world):
    """Attack: the bank pays for one run over its applicants, keeps the unblinded points, and tests them against
    every later data version's setup (same server key) without asking again: membership for free, forever.
    The items are bound to the set version on both sides, so an old answer matches nothing in a new setup."""
    code = world["codes"]["psi"]
    items = ENTERPRISES[40:60]
    first = offer(platform, code)
    client = PsiRun(items, set_version=first.set_version)
    answer = run_request(platform, code, request_for(first, "psi", client.message(), len(items)))
    old = wire.decode(answer.message, limit=wire.MAX_RUN_MESSAGE)
    assert client.matches(setup(platform, code, first.set_version).data, old) == [
        latest_ratings(world["rows"]).get(item) == "A" for item in items
    ]
    rows = [dict(row, rating="A") if row["rating_year"] == "2025" else row for row in world["rows"]]
    reload_ratings(platform, rows)
    second = offer(platform, code)
    assert second.set_version != first.set_version and second.key_id == first.key_id
    now = latest_ratings(rows)
    assert any(now.get(item) == "A" for item in items)
    assert not any(client.matches(setup(platform, code, second.set_version).data, old))


def _points_message(points: list[bytes]) -> bytes:
    return b"\x08\x01" + b"".join(b"\x12\x21" + point for point in points)


def test_odd_shapes_over_http_are_4xx_and_never_charged(platform, world):
    """Attack: every body an attacker can shape (types, sizes, points off the curve or of small order, base64
    edge cases) answers a 4xx and charges nothing."""
    from fastapi.testclient import TestClient

    from pubdata.app import create_app
    from pubdata_client.lookup import LookupRun
    from tests.privacy_computing.world import contract_of

    headers = world["bank"].headers
    with TestClient(create_app(platform)) as client:
        for name, protocol in (("psi", "psi"), ("lookup", "labelled_lookup")):
            code = world["codes"][name]
            offered = wire.Offer.model_validate(client.get(f"/api/v1/products/{code}/privacy", headers=headers).json())
            if protocol == "psi":
                good = PsiRun(ENTERPRISES[:3], set_version=offered.set_version).message()
                messages = [
                    _points_message([b"\x02" + b"\xff" * 32] * 3),  # x ≥ p
                    _points_message([b"\x04" + b"\x00" * 32] * 3),
                ]
            else:
                good = LookupRun(ENTERPRISES[:3], set_version=offered.set_version).message()
                small_order = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
                messages = [b"\x00" * 96, b"\xff" * 96, b"\x01" + b"\x00" * 95, small_order * 3]
            body = {
                "protocol": protocol,
                "set_version": offered.set_version,
                "key_id": offered.key_id,
                "nonce": wire.new_nonce(),
                "items": 3,
                "message": wire.encode(good),
            }
            shapes = [{**body, "message": wire.encode(m), "nonce": wire.new_nonce()} for m in messages]
            shapes += [
                {**body, "items": value, "nonce": wire.new_nonce()}
                for value in ("3x", 3.5, 10**40, -(10**40), True, None, [3], {"n": 3}, 2, 4, 1e308)
            ]
            shapes += [
                {**body, "message": text, "nonce": wire.new_nonce()}
                for text in ("====", "A===", "ＡＡＡＡ", "AAAA\n", "AA==AA==", "é", "\u0000" * 4, 5, None)
            ]
            shapes += [
                {**body, "nonce": wire.new_nonce().upper()},
                {**body, "nonce": "0" * 31 + "é"},
                {**body, "key_id": offered.set_version, "nonce": wire.new_nonce()},
                {**body, "set_version": str(offered.key_id), "nonce": wire.new_nonce()},
                {**body, "protocol": None},
                {**body, "protocol": "PSI"},
            ]
            for shape in shapes:
                answered = client.post(f"/api/v1/products/{code}/privacy/runs", headers=headers, json=shape)
                assert 400 <= answered.status_code < 500, (shape, answered.status_code, answered.text[:300])
            for version in ("A" * 64, offered.set_version + "0", "é" * 64, ""):
                fetched = client.get(
                    f"/api/v1/products/{code}/privacy/setup", params={"set_version": version}, headers=headers
                )
                assert 400 <= fetched.status_code < 500, (version, fetched.status_code)
            assert contract_of(platform, world["contracts"][name]).calls_used == 0
        code = world["codes"]["scoring"]
        scoring = {
            "protocol": "joint_scoring",
            "set_version": "0" * 64,
            "key_id": "0" * 64,
            "nonce": wire.new_nonce(),
            "subjects": [ENTERPRISES[0]],
            "features": {"income": "AAAA", "overdue": "AAAA"},
        }
        shapes = [
            {**scoring, "subjects": []},
            {**scoring, "subjects": [ENTERPRISES[0]] * (wire.MAX_SLOTS + 1)},
            {**scoring, "subjects": [ENTERPRISES[0].lower()]},
            {**scoring, "subjects": "ABC"},
            {**scoring, "features": {}},
            {**scoring, "features": {"Income": "AAAA"}},
            {**scoring, "features": {"income": 5}},
            {**scoring, "features": [["income", "AAAA"]]},
        ]
        for shape in shapes:
            answered = client.post(f"/api/v1/products/{code}/privacy/runs", headers=headers, json=shape)
            assert 400 <= answered.status_code < 500, (str(shape)[:200], answered.status_code, answered.text[:300])
        fetched = client.get(
            f"/api/v1/products/{code}/privacy/setup", params={"set_version": "0" * 64}, headers=headers
        )
        assert 400 <= fetched.status_code < 500


def test_one_nonce_sent_twice_at_once_is_answered_once_and_charged_once(platform, world):
    """Attack: the same run (one nonce) posted from several threads at once, hoping each is answered (a replay
    that slips between the read step's check and the write) or one fails with a 500."""
    from concurrent.futures import ThreadPoolExecutor

    from pubdata.common.errors import Refused
    from tests.privacy_computing.world import contract_of

    code = world["codes"]["psi"]
    offered = offer(platform, code)
    setup(platform, code, offered.set_version)
    client = PsiRun(ENTERPRISES[:5], set_version=offered.set_version)
    request = request_for(offered, "psi", client.message(), 5)

    def attempt(_: int) -> str:
        try:
            run_request(platform, code, request)
        except Refused as refused:
            return refused.rule
        return "answered"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = sorted(pool.map(attempt, range(4)))
    assert outcomes == ["answered"] + ["privacy.replayed"] * 3
    contract = contract_of(platform, world["contracts"]["psi"])
    assert (contract.calls_used, contract.rows_used) == (1, 5)


def test_the_protocol_page_tells_a_consumer_nothing_of_the_sets_exact_size(platform, world):
    """Attack: the bank reads its product page after the set is built. The page showed the set version's exact
    item count, which the setup's padding hides (a PSI set reads as about 1,024 below that), and for a
    consent-restricted set it tells how many of the bank's own consented subjects are members (with one
    consent: whether that subject is on the list) without a charged run. Only the product's operator and the
    bureau see the count."""
    from pubdata.privacy import run_views
    from pubdata.products import service as products
    from tests.scenarios import principal

    code = world["codes"]["psi"]
    offer(platform, code)  # builds the set version
    shown = {}
    with platform.read() as session:
        product = products.find(session, code=code)
        for login in ("bank.admin", "other.admin", "operator.admin", "bureau.admin"):
            shown[login] = run_views.protocol_view(session, principal=principal(platform, login), product=product)
    assert shown["bank.admin"].items is None and shown["other.admin"].items is None
    assert shown["operator.admin"].items == shown["bureau.admin"].items is not None
    assert shown["bank.admin"].set_version is not None  # the version itself is what the client is told anyway


def test_a_label_table_does_not_tell_a_small_sets_exact_size():
    """Attack: the bank reads a consent-restricted label table's header (or the offer's setup bytes): one row
    per member, so with one consent it learned whether that subject is in the set without a charged run. A
    table is padded with decoy rows to MIN_TABLE_ROWS, as a PSI setup is to MIN_SET_ITEMS."""
    from pubdata.privacy import lookup
    from pubdata_client.lookup import LookupRun
    from pubdata_protocol import oprf

    key, version = lookup.new_key(), "cd" * 32
    empty = lookup.table(key, set_version=version, entries=[], label_width=8)
    one = lookup.table(key, set_version=version, entries=[(ENTERPRISES[0], "A")], label_width=8)
    assert len(empty) == len(one) == oprf.HEADER.size + lookup.MIN_TABLE_ROWS * oprf.row_size(8)
    named = {"set_version": version, "key_id": lookup.key_id(key)}
    assert oprf.parse_table(one, **named).rows == oprf.parse_table(empty, **named).rows == lookup.MIN_TABLE_ROWS
    client = LookupRun(ENTERPRISES[:2], set_version=version)
    answer = lookup.evaluate(key, client.message(), items=2)
    assert client.labels(one, answer, set_version=version, key_id=lookup.key_id(key)) == ["A", None]


def test_a_contracts_record_does_not_give_away_the_sets_size_by_its_digests(platform, world):
    """Attack: the bank reads its contract's record (payload digests only) and brute-forces the one field of the
    setup fetch's entry it does not know: the set version's exact size. Everything else in that payload it was
    told (product, protocol, set version, key, the bytes it downloaded). The entry under the contract no longer
    carries the size; the set's build entry, on the set version, keeps it for the auditors."""
    from sqlalchemy import select

    from pubdata.common import canonical
    from pubdata.contracts import service as contracts
    from pubdata.ledger.models import LedgerHead
    from pubdata.ledger.service import hasher
    from tests.scenarios import principal

    code = world["codes"]["psi"]
    offered = offer(platform, code)
    fetched = setup(platform, code, offered.set_version)
    with platform.read() as session:
        record = contracts.record_of(
            session, principal=principal(platform, "bank.admin"), contract_id=world["contracts"]["psi"]
        )
        h = hasher(session.execute(select(LedgerHead)).scalar_one().algorithm)
    (entry,) = [e for e in record["ledger"] if e["action"] == "privacy.setup"]
    known = {
        "product": code,
        "protocol": "psi",
        "set_version": fetched.set_version,
        "key_id": fetched.key_id,
        "bytes": len(fetched.data),
    }
    guesses = [known] + [known | {"items": n} for n in range(5000)]
    found = [g for g in guesses if h.digest(canonical.dumps(g)).hex() == entry["payload_digest"]]
    assert found == [known]


def test_a_consent_restricted_set_is_padded_to_its_consented_subjects_number():
    """Attack: a bank with 3,000 consents (above the fixed padding) reads from the setup's size how many of its
    consented subjects are members. The build pads a consent-restricted set to the consented subjects' number
    (``sets.build_bytes`` passes it), so the size is the same whichever of them are members."""
    from pubdata.privacy import lookup, psi
    from pubdata_protocol import oprf
    from pubdata_protocol import psi as shared

    key, version = lookup.new_key(), "cd" * 32
    table = lookup.table(key, set_version=version, entries=[(ENTERPRISES[0], "A")], label_width=8, min_rows=3000)
    assert len(table) == oprf.HEADER.size + 3000 * oprf.row_size(8)
    few = psi.setup(psi.new_key(), ENTERPRISES[:2], set_version=version, min_items=3000)
    assert shared.approximate_set_size(few) == pytest.approx(3000, rel=0.05)
