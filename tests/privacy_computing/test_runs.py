"""Running the privacy-computing products through the services (privacy.runs), with the protocol cores and the
client's halves: each answers what a plain computation over the domain's data answers, each run is charged under
the bank's contract with one ledger entry naming its set version, items and who, and every refusal the issue
names is given, recorded, and reveals nothing."""

from __future__ import annotations

import pytest

from tests.privacy_computing.world import (
    ENTERPRISES,
    OUTSIDERS,
    build_world,
    contract_of,
    entries,
    latest_ratings,
    lookup,
    match,
)


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
