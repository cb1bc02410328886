"""Prices under government guidance, through the real services: the pricing authority's ceiling and cap, the
operator's price within it, each call metered in its write step on cumulative tiers, statements, free
public-welfare use, a lowered cap flagging a live price, and reconciliation with the ledger — on both databases."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from pubdata.billing import service as billing
from pubdata.billing.models import MeterLine, PriceFlag
from pubdata.billing.schemas import CapIn, CeilingIn
from pubdata.common import clock
from pubdata.common.errors import Refused
from pubdata.contracts import service as contracts
from pubdata.ledger.models import LedgerEntry
from pubdata.privacy import consent
from pubdata.privacy.schemas import ConsentIn
from pubdata.products import service as products
from tests.products.test_calls import CLOSED, GRANTED, call, subscribed
from tests.scenarios import AS_CLI, make_account, principal, read, run

SM3 = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def ceiling_body(operator_id: int, *, year: int, total_yuan: int = 1_000) -> CeilingIn:
    cost = total_yuan * 80  # 80 % cost, 10 % profit, 10 % tax, in fen
    part = {"basis": "经审计的2025年度运营成本"}
    return CeilingIn.model_validate(
        {
            "operator_id": operator_id,
            "year": year,
            "operating_cost": {**part, "fen": cost},
            "permitted_profit": {**part, "fen": total_yuan * 10},
            "tax": {**part, "fen": total_yuan * 10},
            "attachments": [{"name": "成本监审报告.pdf", "sm3": SM3}],
            "effective_from": clock.today(),
        }
    )


def tariff(unit: str, *tiers: tuple[int, int], base: int = 0, days: int = 0) -> CapIn:
    """A cap (or, its basis unused, a price): ``tiers`` as (first unit, unit price in fen)."""
    return CapIn.model_validate(
        {
            "unit": unit,
            "base_fee_fen": base,
            "tiers": [{"from_unit": start, "unit_fen": fen} for start, fen in tiers],
            "effective_from": clock.today() + timedelta(days=days),
            "basis": "按成本监审结果测算",
        }
    )


@pytest.fixture
def priced(platform, world):
    """``world`` (a listed verification, a bank subscribed for industry, two consents) with a pricing authority
    and a market regulator; the operator's ceiling for the year; a cap of ¥2.00 an enterprise for the first
    three a year and ¥1.00 after; the operator's price at the cap."""
    make_account(platform, kind="pricing", name="池州市发展改革委", login="pricing.admin", days=366)
    make_account(platform, kind="market", name="池州市市场监管局", login="market.admin", days=366)
    pricing = principal(platform, "pricing.admin")
    operator_id = world["operator"].organisation_id
    run(platform, billing.set_ceiling, principal=pricing, body=ceiling_body(operator_id, year=clock.today().year))
    cap = tariff("subject", (1, 200), (4, 100))
    run(platform, billing.set_cap, principal=pricing, code=world["verify"], body=cap)
    price = tariff("subject", (1, 200), (4, 100))
    run(platform, billing.set_price, principal=principal(platform, "operator.admin"), code=world["verify"], body=price)
    return world


def month() -> str:
    return clock.today().strftime("%Y-%m")


def lines(platform) -> list[MeterLine]:
    with platform.read() as session:
        return list(session.execute(select(MeterLine).order_by(MeterLine.id)).scalars())


def test_each_call_meters_its_subjects_on_the_cumulative_tiers_beside_its_ledger_entry(platform, priced):
    call(platform, priced, subjects=(GRANTED, CLOSED))  # units 1–2 at ¥2.00
    call(platform, priced, subjects=(GRANTED, CLOSED))  # unit 3 at ¥2.00, unit 4 at ¥1.00
    first, second = lines(platform)
    assert (first.units, first.amount_fen, json.loads(first.tiers)) == (2, 400, [[1, 2, 200]])
    assert (second.units, second.amount_fen, json.loads(second.tiers)) == (2, 300, [[1, 1, 200], [2, 1, 100]])
    assert first.basis == "charged" and first.price_id is not None and first.month == month()
    with platform.read() as session:
        entry = session.get(LedgerEntry, second.ledger_seq)
        assert entry.action == "contract.call" and entry.subject == f"contract:{priced['contract_id']}"
        metered = json.loads(entry.payload)["meter"]
    assert (metered["units"], metered["amount_fen"], metered["price_version"]) == (2, 300, 1)


def test_a_statement_shows_each_tier_and_the_reconciliation_balances_line_for_line(platform, priced):
    for _ in range(3):
        call(platform, priced, subjects=(GRANTED, CLOSED))
    bank = priced["bank"].organisation_id
    found = read(
        platform, billing.statement, principal=principal(platform, "bank.admin"), consumer_id=bank, month=month()
    )
    assert [(line.tier, line.units, line.unit_fen, line.amount_fen) for line in found.lines] == [
        (1, 3, 200, 600),
        (2, 3, 100, 300),
    ]
    assert found.total_fen == 900 and all(line.trial and line.purpose == "industry" for line in found.lines)
    checked = read(platform, billing.reconcile, principal=principal(platform, "pricing.admin"), month=month())
    assert checked.balanced and (checked.ledger_units, checked.billed_units, checked.billed_fen) == (6, 6, 900)


def test_reconciliation_finds_an_edited_or_deleted_meter_line(platform, priced):
    call(platform, priced, subjects=(GRANTED,))
    call(platform, priced, subjects=(GRANTED,))
    first, second = lines(platform)
    with platform.command() as session:  # what an attacker with the database could do
        session.execute(update(MeterLine).where(MeterLine.id == first.id).values(amount_fen=1))
        session.execute(text("DELETE FROM meter_line WHERE id = :id"), {"id": second.id})
    checked = read(platform, billing.reconcile, principal=AS_CLI, month=month())
    assert not checked.balanced
    assert ("billing.problem_differs", {"seq": first.ledger_seq, "line": first.id}) in checked.problems
    assert ("billing.problem_no_line", {"seq": second.ledger_seq}) in checked.problems


def test_a_price_above_its_cap_is_refused_naming_the_cap(platform, priced):
    operator = principal(platform, "operator.admin")
    with pytest.raises(Refused) as caught:
        run(platform, billing.set_price, principal=operator, code=priced["verify"], body=tariff("subject", (1, 201)))
    assert caught.value.rule == "billing.above-cap"
    assert "¥2.00" in caught.value.detail_in("zh-CN") and "上限第 1 版" in caught.value.detail_in("zh-CN")


def test_a_price_change_dated_in_the_past_is_refused(platform, priced):
    operator = principal(platform, "operator.admin")
    with pytest.raises(Refused) as caught:
        run(
            platform,
            billing.set_price,
            principal=operator,
            code=priced["verify"],
            body=tariff("subject", (1, 100), days=-1),
        )
    assert caught.value.rule == "billing.backdated"


def test_a_cap_lowered_under_a_live_price_flags_it_and_the_calls_are_billed_at_the_cap(platform, priced):
    pricing = principal(platform, "pricing.admin")
    run(platform, billing.set_cap, principal=pricing, code=priced["verify"], body=tariff("subject", (1, 150)))
    with platform.read() as session:
        flags = billing.open_flags(session)
        product = products.find(session, code=priced["verify"])
        assert [flag.product_id for flag in flags] == [product.id]
        assert billing.in_force(billing.prices_of(session, product.id), clock.today()).version == 1  # not changed
    call(platform, priced, subjects=(GRANTED, CLOSED))
    (line,) = lines(platform)
    assert (line.basis, line.amount_fen) == ("capped", 300)
    operator = principal(platform, "operator.admin")
    run(platform, billing.set_price, principal=operator, code=priced["verify"], body=tariff("subject", (1, 150)))
    with platform.read() as session:
        assert billing.open_flags(session) == []
        assert session.execute(select(PriceFlag)).scalar_one().resolved_by_price is not None


def test_a_public_welfare_contract_is_charged_nothing_and_the_database_refuses_a_charged_line(platform, priced):
    agency = make_account(platform, kind="consumer", name="池州市城市管理局", login="agency.admin", days=366)
    with platform.command() as session:  # the verification is offered for public governance too
        product = products.find(session, code=priced["verify"])
        product.purposes = json.dumps(["industry", "public_governance"])
    contract_id = subscribed(platform, "agency.admin", priced["verify"], purpose="public_governance")
    body = ConsentIn(
        consumer_id=agency.organisation_id,
        product_code=priced["verify"],
        purpose="public_governance",
        valid_from=clock.today(),
        valid_until=clock.today() + timedelta(days=100),
    )
    run(platform, consent.grant, principal=principal(platform, "subject.admin"), body=body)
    call(platform, priced, login="agency.admin", subjects=(GRANTED,))
    (line,) = lines(platform)
    assert (line.contract_id, line.basis, line.amount_fen, line.units) == (contract_id, "free", 0, 1)
    with pytest.raises(IntegrityError), platform.command() as session:
        session.execute(update(MeterLine).where(MeterLine.id == line.id).values(amount_fen=100))


def test_a_product_not_reviewed_is_never_metered(platform, priced):
    with platform.command() as session:
        products.find(session, code=priced["verify"]).reviewed_digest = None
    with platform.command() as session:
        contract = contracts.get(session, principal=AS_CLI, contract_id=priced["contract_id"])
        with pytest.raises(Refused) as caught:
            billing.meter(session, contract=contract, quantities=billing.Quantities(1, 1, 1))
    assert caught.value.rule == "billing.unreviewed"


def test_a_cap_needs_the_operators_ceiling_and_money_is_whole_fen(platform, world):
    make_account(platform, kind="pricing", name="池州市发展改革委", login="pricing.admin", days=366)
    pricing = principal(platform, "pricing.admin")
    with pytest.raises(Refused) as caught:
        run(platform, billing.set_cap, principal=pricing, code=world["verify"], body=tariff("subject", (1, 100)))
    assert caught.value.rule == "billing.cap-no-ceiling"
    with pytest.raises(ValueError):
        CapIn.model_validate(
            {
                "unit": "call",
                "tiers": [{"from_unit": 1, "unit_fen": 1.5}],
                "effective_from": clock.today(),
                "basis": "x",
            }
        )
    with pytest.raises(ValueError):
        CapIn.model_validate(
            {"unit": "call", "tiers": [{"from_unit": 1, "unit_fen": -1}], "effective_from": clock.today(), "basis": "x"}
        )


def test_the_excess_over_a_years_ceiling_comes_off_the_next_years(platform, priced):
    pricing = principal(platform, "pricing.admin")
    operator_id = priced["operator"].organisation_id
    year = clock.today().year
    run(platform, billing.set_ceiling, principal=pricing, body=ceiling_body(operator_id, year=year, total_yuan=5))
    for _ in range(3):  # ¥9.00 billed against a ceiling of ¥5.00
        call(platform, priced, subjects=(GRANTED, CLOSED))
    found = read(
        platform, billing.revenue, principal=principal(platform, "operator.admin"), operator_id=operator_id, year=year
    )
    assert (found.revenue_fen, found.allowed_fen, found.warning, found.excess_fen) == (900, 500, 100, 400)
    clock.freeze(clock.parse_moment(f"{year + 1}-01-02T09:00:00"))
    with platform.command() as session:
        assert billing.close_years(session, actor=AS_CLI.actor)
        assert billing.close_years(session, actor=AS_CLI.actor) == []  # each year once
    run(platform, billing.set_ceiling, principal=pricing, body=ceiling_body(operator_id, year=year + 1, total_yuan=50))
    following = read(platform, billing.revenue, principal=pricing, operator_id=operator_id, year=year + 1)
    assert (following.deducted_fen, following.allowed_fen) == (400, 5_000 - 400)
