"""Running the privacy-computing products through the services (privacy.runs), with the protocol cores and the
client's halves: each answers what a plain computation over the domain's data answers, each run is charged under
the bank's contract with one ledger entry naming its set version, items and who, and every refusal the issue
names is given, recorded, and reveals nothing."""

from __future__ import annotations

import pytest

from pubdata.authorization import agreements
from pubdata.common.errors import Refused
from pubdata.products import calls
from pubdata_client.lookup import LookupRun
from pubdata_client.psi import PsiRun
from pubdata_protocol import messages as wire
from tests.privacy_computing.world import (
    ENTERPRISES,
    OUTSIDERS,
    build_world,
    contract_of,
    entries,
    latest_ratings,
    lookup,
    match,
    offer,
    reload_ratings,
    request_for,
    run_request,
)
from tests.scenarios import principal, run


@pytest.fixture
def world(platform, city):
    return build_world(platform)


def test_a_match_is_the_plain_intersection_and_its_ledger_entry_names_set_version_items_and_who(platform, world):
    latest = latest_ratings(world["rows"])
    items = ENTERPRISES[:55] + OUTSIDERS[:5]
    matched, answer = match(platform, world["codes"]["psi"], items)
    assert matched == [latest.get(item) == "A" for item in items]
    assert any(matched) and not all(matched)
    contract = contract_of(platform, world["contracts"]["psi"])
    assert (contract.calls_used, contract.rows_used) == (1, len(items))
    (charge,) = [e for e in entries(platform, "contract.call") if e["payload"].get("protocol") == "psi"]
    assert charge["payload"]["set_version"] == answer.set_version
    assert charge["payload"]["items"] == len(items) and charge["payload"]["key_id"] == answer.key_id
    assert charge["actor"] == f"user:{world['bank'].user_id}"  # who: the bank's user
    assert len(entries(platform, "privacy.setup")) == 1
    assert len(entries(platform, "privacy.set-built")) == 1


def test_a_lookup_gives_the_latest_rating_of_members_and_nothing_for_others(platform, world):
    latest = latest_ratings(world["rows"])
    items = ENTERPRISES[45:55] + OUTSIDERS[:3]
    labels, _ = lookup(platform, world["codes"]["lookup"], items)
    assert labels == [latest.get(item) for item in items]


def _refused(call, *args, **kwargs) -> Refused:
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)
    return caught.value


def test_refusals_before_the_core_are_free_recorded_and_say_which_rule(platform, world):
    """Stale set version, another key, a replayed nonce, more items than the contract has left, a malformed
    message, another protocol's request: each refused before anything is charged, recorded under the contract."""
    code = world["codes"]["psi"]
    items = ENTERPRISES[:10]
    offered = offer(platform, code)
    client = PsiRun(items, set_version=offered.set_version)
    good = request_for(offered, "psi", client.message(), len(items))
    run_request(platform, code, good)
    contract_id = world["contracts"]["psi"]
    before = contract_of(platform, contract_id)
    other = "0" * 64
    cases = {
        "privacy.replayed": good,
        "privacy.stale-set": good.model_copy(update={"set_version": other, "nonce": wire.new_nonce()}),
        "privacy.wrong-key": good.model_copy(update={"key_id": other, "nonce": wire.new_nonce()}),
        "privacy.over-quota": good.model_copy(update={"items": before.max_rows, "nonce": wire.new_nonce()}),
        "privacy.message": good.model_copy(update={"message": wire.encode(b"\x01" * 40), "nonce": wire.new_nonce()}),
        "privacy.wrong-protocol": good.model_copy(update={"protocol": "labelled_lookup", "nonce": wire.new_nonce()}),
    }
    for rule, request in cases.items():
        assert _refused(run_request, platform, code, request).rule == rule, rule
    after = contract_of(platform, contract_id)
    assert (after.calls_used, after.rows_used) == (before.calls_used, before.rows_used)
    recorded = [e for e in entries(platform, "privacy.run-refused") if e["subject"] == f"contract:{contract_id}"]
    assert sorted(e["payload"]["rule"] for e in recorded) == sorted(cases)


def test_the_message_count_must_be_the_items_declared(platform, world):
    """A message for 10 items declared as 11 is malformed for the core: the one generic refusal."""
    code = world["codes"]["lookup"]
    offered = offer(platform, code)
    client = LookupRun(ENTERPRISES[:10], set_version=offered.set_version)
    request = request_for(offered, "labelled_lookup", client.message(), 11)
    assert _refused(run_request, platform, code, request).rule == "privacy.message"


def test_no_contract_and_not_a_protocol_product_are_refused(platform, world):
    assert _refused(offer, platform, world["codes"]["psi"], "other.admin").rule == "privacy.no-contract"
    assert _refused(offer, platform, world["codes"]["verify"]).rule == "privacy.not-protocol"
    error = _refused(
        calls.call,
        platform,
        principal=principal(platform, "bank.admin"),
        code=world["codes"]["psi"],
        request=calls.Request(subjects=(ENTERPRISES[0],)),
        engine=platform.query_engine,
    )
    assert error.rule == "call.protocol-product" and "pubdata-client match" in error.detail_in("en")


def test_a_second_run_uses_the_cached_set_and_a_new_data_version_rebuilds_it(platform, world):
    code = world["codes"]["psi"]
    first = offer(platform, code)
    match(platform, code, ENTERPRISES[:5])
    assert offer(platform, code).set_version == first.set_version
    assert len(entries(platform, "privacy.set-built")) == 1
    rows = [dict(row, rating="A") if row["rating_year"] == "2025" else row for row in world["rows"]]
    reload_ratings(platform, rows)
    second = offer(platform, code)
    assert second.set_version != first.set_version and second.key_id == first.key_id
    assert len(entries(platform, "privacy.set-built")) == 2
    client = PsiRun(ENTERPRISES[:5], set_version=first.set_version)
    stale = request_for(first, "psi", client.message(), 5)
    assert _refused(run_request, platform, code, stale).rule == "privacy.stale-set"
    matched, _ = match(platform, code, ENTERPRISES[48:53])
    assert matched == [True, True, False, False, False]  # the first 50 are all rated A now


def test_an_operator_whose_authorization_ends_stops_serving_at_once(platform, world):
    code = world["codes"]["psi"]
    match(platform, code, ENTERPRISES[:5])
    run(
        platform,
        agreements.terminate_for_violation,
        principal=principal(platform, "bureau.admin"),
        agreement_id=world["agreement"].id,
        detail="违规使用数据",
    )
    for protocol in ("psi", "lookup", "scoring"):  # before any tick delists the products
        assert _refused(offer, platform, world["codes"][protocol]).status in (403, 409)
