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
