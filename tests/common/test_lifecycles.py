"""Every lifecycle against its table, no database: each allowed (state, event) pair leads where the table in
``lifecycles.csv`` says, and every other pair is refused by the lifecycle's rule, naming the state and event.

The table file is the expected behaviour written down once (DESIGN.md §4), separately from the code's tables.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from pubdata.authorization import rules as authorization
from pubdata.catalog import rules as catalog
from pubdata.common.errors import Refused
from pubdata.common.lifecycle import Lifecycle, State
from pubdata.contracts import rules as contracts
from pubdata.jobs import rules as jobs
from pubdata.privacy import rules as privacy
from pubdata.products import rules as products
from pubdata.quality import rules as quality
from pubdata.registration import rules as registration
from pubdata.reports import rules as reports
from pubdata.scenarios import rules as scenarios

LIFECYCLES: dict[str, Lifecycle] = {
    lifecycle.rule: lifecycle
    for lifecycle in (
        catalog.LIFECYCLE,
        registration.LIFECYCLE,
        authorization.AGREEMENT,
        authorization.PARTNER,
        contracts.LIFECYCLE,
        jobs.LIFECYCLE,
        scenarios.DEMAND,
        scenarios.SCENARIO,
        products.LIFECYCLE,
        products.REVIEW,
        products.SUBSCRIPTION,
        privacy.LIFECYCLE,
        quality.TICKET,
        reports.REPORT,
    )
}
TABLE = Path(__file__).with_name("lifecycles.csv")


def expected() -> dict[str, dict[tuple[str, str], str]]:
    tables: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
    with TABLE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            tables[row["lifecycle"]][(row["state"], row["event"])] = row["target"]
    return tables


EXPECTED = expected()


@dataclass
class Row:
    state: str


def test_the_table_file_covers_every_lifecycle():
    assert set(EXPECTED) == set(LIFECYCLES)


@pytest.mark.parametrize("rule", sorted(LIFECYCLES))
def test_every_allowed_pair_leads_where_the_table_says(rule):
    lifecycle = LIFECYCLES[rule]
    assert dict(((state, event), target) for state, event, target in lifecycle.table()) == EXPECTED[rule]
    for (state, event), target in EXPECTED[rule].items():
        row = Row(state)
        assert lifecycle.apply(row, event) == target and row.state == target


@pytest.mark.parametrize("rule", sorted(LIFECYCLES))
def test_every_other_pair_is_refused_by_the_lifecycles_rule(rule):
    lifecycle = LIFECYCLES[rule]
    for state in lifecycle.states:
        for event in lifecycle.events:
            if (state.value, event) in EXPECTED[rule]:
                continue
            row = Row(state.value)
            with pytest.raises(Refused) as refused:
                lifecycle.apply(row, event)
            assert (refused.value.rule, refused.value.status, row.state) == (rule, 409, state.value)
            assert state.zh in refused.value.detail_in("zh-CN") and state.en in refused.value.detail_in("en")


@pytest.mark.parametrize("rule", sorted(LIFECYCLES))
def test_the_buttons_a_page_offers_are_the_events_of_the_state(rule):
    lifecycle = LIFECYCLES[rule]
    for state in lifecycle.states:
        offered = set(lifecycle.events_from(state.value))
        assert offered == {event for (source, event) in EXPECTED[rule] if source == state.value}


@pytest.mark.parametrize("rule", sorted(LIFECYCLES))
def test_every_state_and_event_has_both_labels(rule):
    lifecycle = LIFECYCLES[rule]
    assert all(state.zh and state.en and state.zh != state.value for state in lifecycle.states)
    assert all(zh and en for zh, en in lifecycle.events.values())


class Door(State):
    SHUT = "shut", "关", "Shut"
    OPEN = "open", "开", "Open"
    LOCKED = "locked", "锁", "Locked"


def test_a_table_with_an_unreachable_state_or_a_silent_event_is_refused_when_declared():
    with pytest.raises(ValueError, match="no way to reach locked"):
        Lifecycle(
            rule="test.door",
            name=("门", "door"),
            states=Door,
            start=Door.SHUT,
            events={"open": ("开", "open"), "shut": ("关", "shut")},
            transitions={(Door.SHUT, "open"): Door.OPEN, (Door.OPEN, "shut"): Door.SHUT},
        )
    with pytest.raises(ValueError, match="move nothing"):
        Lifecycle(
            rule="test.door",
            name=("门", "door"),
            states=Door,
            start=Door.SHUT,
            events={"open": ("开", "open"), "lock": ("锁", "lock"), "kick": ("踢", "kick")},
            transitions={(Door.SHUT, "open"): Door.OPEN, (Door.SHUT, "lock"): Door.LOCKED},
        )


SOURCE = Path(__file__).parents[2] / "src" / "pubdata"
STATE_WRITE = re.compile(r"\.state\s*=[^=]|\bstate\s*=\s*[\"'][a-z_]+[\"']")


def test_nothing_but_the_lifecycle_writes_a_state():
    """A state moves only through ``Lifecycle.apply``; a new row starts in its lifecycle's ``initial``."""
    writers = []
    for path in SOURCE.rglob("*.py"):
        if path.name == "lifecycle.py" or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if STATE_WRITE.search(line.split("#")[0]):
                writers.append(f"{path.relative_to(SOURCE)}:{number}: {line.strip()}")
    assert writers == []
