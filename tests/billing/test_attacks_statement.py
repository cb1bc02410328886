"""Attacks (red team): statements."""

from pubdata.billing import service as billing
from pubdata.common import clock
from tests.products.test_calls import CLOSED, GRANTED, call
from tests.scenarios import principal, read


def test_a_call_crossing_a_tier_boundary_is_one_use_on_the_statement(platform, priced):
    call(platform, priced, subjects=(GRANTED, CLOSED))  # units 1-2
    call(platform, priced, subjects=(GRANTED, CLOSED))  # units 3 (tier 1) and 4 (tier 2): one call
    found = read(
        platform,
        billing.statement,
        principal=principal(platform, "bank.admin"),
        consumer_id=priced["bank"].organisation_id,
        month=clock.today().strftime("%Y-%m"),
    )
    assert found.uses == 2, f"two calls shown as {found.uses} uses"


def test_a_consumers_tiers_run_on_across_its_contracts_for_a_product(platform, priced):
    from sqlalchemy import update

    from pubdata.contracts.models import Contract
    from tests.billing.test_metering import lines
    from tests.products.test_calls import subscribed

    call(platform, priced, subjects=(GRANTED, CLOSED))
    call(platform, priced, subjects=(GRANTED, CLOSED))  # the bank's units 1-4 this year: now in tier 2 (¥1.00)
    with platform.command() as session:  # the first contract used up (its quota reached)
        session.execute(update(Contract).where(Contract.id == priced["contract_id"]).values(state="exhausted"))
    second = subscribed(platform, "bank.admin", priced["verify"])
    call(platform, priced, subjects=(GRANTED, CLOSED))
    last = lines(platform)[-1]
    assert last.contract_id == second
    assert last.amount_fen == 200, "the bank's 5th and 6th units this year billed at tier 1 again"
