"""Attacks (red team): Asia/Shanghai month and year boundaries, and two calls at once on one contract."""

from __future__ import annotations

import json
import threading
from datetime import date

from sqlalchemy import update

from pubdata.billing import service as billing
from pubdata.common import clock
from pubdata.contracts.models import Contract
from pubdata.privacy.models import Consent
from tests.billing.test_metering import lines
from tests.products.test_calls import CLOSED, GRANTED, call
from tests.scenarios import principal, read


def _reconciled(platform, month):
    found = read(platform, billing.reconcile, principal=principal(platform, "pricing.admin"), month=month)
    assert found.balanced, found.problems
    return found


def test_a_call_at_one_second_before_and_at_midnight_shanghai_on_a_month_boundary(platform, priced):
    clock.freeze(clock.parse_moment("2026-02-28T23:59:59.999"))  # Shanghai
    call(platform, priced, subjects=(GRANTED,))
    clock.freeze(clock.parse_moment("2026-03-01T00:00:00"))
    call(platform, priced, subjects=(GRANTED,))
    first, second = lines(platform)
    assert (first.month, second.month) == ("2026-02", "2026-03")
    assert (_reconciled(platform, "2026-02").entries, _reconciled(platform, "2026-03").entries) == (1, 1)


def test_the_year_boundary_resets_the_tiers_and_bills_each_year_in_its_month(platform, priced):
    with platform.command() as session:
        session.execute(update(Contract).values(valid_until=date(2027, 6, 30)))
        session.execute(update(Consent).values(valid_until=date(2027, 6, 30)))
    clock.freeze(clock.parse_moment("2026-12-31T23:59:59"))
    call(platform, priced, subjects=(GRANTED, CLOSED))
    call(platform, priced, subjects=(GRANTED, CLOSED))  # units 3 (¥2) and 4 (¥1)
    clock.freeze(clock.parse_moment("2027-01-01T00:00:00"))
    call(platform, priced, subjects=(GRANTED, CLOSED))  # a new year: units 1-2 at ¥2
    found = lines(platform)
    assert [(line.month, line.amount_fen) for line in found] == [("2026-12", 400), ("2026-12", 300), ("2027-01", 400)]
    _reconciled(platform, "2026-12")
    _reconciled(platform, "2027-01")
    operator_id = priced["operator"].organisation_id
    r26 = read(
        platform, billing.revenue, principal=principal(platform, "pricing.admin"), operator_id=operator_id, year=2026
    )
    r27 = read(
        platform, billing.revenue, principal=principal(platform, "pricing.admin"), operator_id=operator_id, year=2027
    )
    assert (r26.revenue_fen, r27.revenue_fen) == (700, 400)


def test_two_calls_at_once_on_one_contract_cross_the_tier_boundary_once(platform, priced):
    call(platform, priced, subjects=(GRANTED,))  # unit 1; warm up
    errors = []

    def one():
        try:
            call(platform, priced, subjects=(GRANTED, CLOSED))
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    found = lines(platform)
    # units 1..9: 1-3 at 200, 4-9 at 100 = 600 + 600
    assert sum(line.units for line in found) == 9
    assert sum(line.amount_fen for line in found) == 1200, [json.loads(line.tiers) for line in found]
    _reconciled(platform, clock.today().strftime("%Y-%m"))
