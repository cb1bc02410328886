"""The contribution score's pure rules: a weight table must sum to the total it states; counts score against the
year's best department, ratios as they stand; a resource is current by its declared frequency; equal totals
share a rank."""

from __future__ import annotations

from datetime import date

import pytest

from pubdata.quality import rules
from pubdata.quality.rules import Supply


def test_a_weight_table_that_does_not_sum_to_its_total_is_refused():
    assert rules.weights_problem(rules.DEFAULT_WEIGHTS, 100) is None
    assert rules.weights_problem(rules.DEFAULT_WEIGHTS, 90) == ("quality.weights-total", {"sum": 100, "total": 90})
    assert rules.weights_problem({**rules.DEFAULT_WEIGHTS, "calls": 5}, 100)[0] == "quality.weights-total"
    assert rules.weights_problem({**rules.DEFAULT_WEIGHTS, "beauty": 0}, 100)[0] == "quality.weights-indicators"
    missing = dict(rules.DEFAULT_WEIGHTS)
    del missing["loads"]
    assert rules.weights_problem(missing, 90) == ("quality.weights-indicators", {"names": ["loads"]})
    assert (
        rules.weights_problem({**rules.DEFAULT_WEIGHTS, "loads": -10, "calls": 35}, 100)[0] == "quality.weights-range"
    )
    assert rules.weights_problem({**rules.DEFAULT_WEIGHTS, "loads": True}, 91)[0] == "quality.weights-range"


def test_counts_score_against_the_best_department_and_ratios_as_they_are():
    strong = Supply(registered=4, current=4, loads=12, rounds_due=2, on_time=2, products=3, calls=900)
    weak = Supply(registered=2, current=1, loads=3, rounds_due=4, on_time=1, products=0, calls=0)
    best = rules.best_of({1: strong, 2: weak})
    assert best == {"registered": 4, "loads": 12, "products": 3, "calls": 900}
    top = rules.score(strong, best, rules.DEFAULT_WEIGHTS)
    assert top.total == 100
    low = rules.score(weak, best, rules.DEFAULT_WEIGHTS)
    assert low.parts == {"registered": 10, "current": 10, "loads": 2.5, "on_time": 5, "products": 0, "calls": 0}
    assert low.total == 27.5
    # Nothing due is nothing missed; nobody with any calls gives nobody any points for calls.
    idle = Supply(registered=1)
    assert rules.score(idle, rules.best_of({1: idle}), rules.DEFAULT_WEIGHTS).parts["on_time"] == 20
    assert rules.score(idle, rules.best_of({1: idle}), rules.DEFAULT_WEIGHTS).parts["calls"] == 0


@pytest.mark.parametrize(
    ("frequency", "last", "current"),
    [
        ("monthly", date(2026, 11, 1), True),
        ("monthly", date(2026, 10, 1), False),
        ("daily", date(2026, 11, 29), True),
        ("daily", date(2026, 11, 27), False),
        ("yearly", date(2025, 12, 1), True),
        ("irregular", date(2020, 1, 1), True),
        ("irregular", None, False),
    ],
)
def test_a_resource_is_current_by_its_declared_frequency(frequency, last, current):
    assert rules.is_current(frequency, last, date(2026, 12, 1)) is current


def test_equal_totals_share_a_rank():
    best = {"registered": 1, "loads": 1, "products": 1, "calls": 1}
    same = Supply(registered=1, loads=1)
    found = rules.ranked(
        {
            7: rules.score(same, best, rules.DEFAULT_WEIGHTS),
            3: rules.score(same, best, rules.DEFAULT_WEIGHTS),
            5: rules.score(Supply(), best, rules.DEFAULT_WEIGHTS),
        }
    )
    assert [(rank, department) for rank, department, _ in found] == [(1, 3), (1, 7), (3, 5)]
