"""Billing commands and views (三(六)): the pricing authority's maximum permitted revenue and fee caps, the
operator's prices, the meter every charged use writes, statements, the revenue against the ceiling, the year's
close, reconciliation with the ledger, and what the public, the market regulator and the finance bureau see.

Every cap, price and ceiling is a new version with the date it takes effect, never earlier than today: what was
billed stays billed. The one that applies on a day is the latest version in effect by then.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pubdata.authorization import agreements
from pubdata.authorization.schemas import Scope
from pubdata.billing import rules
from pubdata.billing.models import (
    CeilingDeduction,
    FeeCap,
    MeterAccount,
    MeterLine,
    Price,
    PriceFlag,
    RevenueCeiling,
)
from pubdata.billing.rules import Quantities, Tariff
from pubdata.billing.schemas import CapIn, CeilingIn, TariffIn
from pubdata.common import canonical, clock, messages
from pubdata.common.actor import PUBLIC, Actor
from pubdata.common.errors import Refused
from pubdata.common.messages import Text
from pubdata.common.money import format_fen
from pubdata.common.names import clean_prose
from pubdata.contracts.schemas import Terms
from pubdata.db import is_postgresql
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import PlatformItself, Principal, Who
from pubdata.ledger import service as ledger

if TYPE_CHECKING:
    from pubdata.contracts.models import Contract
    from pubdata.products.models import Product


def _products() -> Any:
    """The products' service. Imported when first used: it reaches the contracts' service (through the jobs'),
    whose write step meters through this module."""
    from pubdata.products import service as products

    return products


class Versioned(Protocol):
    id: int
    version: int
    effective_from: date


V = TypeVar("V", bound=Versioned)


def in_force(versions: Iterable[V], on: date) -> V | None:
    """The version that applies on ``on``: the latest to take effect by then (of two taking effect the same day,
    the later version)."""
    started = [version for version in versions if version.effective_from <= on]
    return max(started, key=lambda version: (version.effective_from, version.version), default=None)


def tariff_of(row: FeeCap | Price) -> Tariff:
    return Tariff.of(json.loads(row.tariff))


def describe_tariff(tariff: rules.Tariff | None, lang: str) -> str:
    """A tariff in one line: ``按主体 · 自第 1 单位起 ¥2.00，自第 10,001 单位起 ¥1.50 · 年度基础服务费 ¥5,000.00``."""
    if tariff is None:
        return "—"
    parts = [messages.pick(rules.UNIT_NAMES[tariff.unit], lang)]
    tiers = [
        f"{messages.label('billing.from_unit', lang).format(n=f'{tier.start + 1:,}')} {format_fen(tier.unit_fen)}"
        for tier in tariff.tiers
    ]
    if tiers:
        parts.append("，".join(tiers) if lang == "zh-CN" else "; ".join(tiers))
    if tariff.base_fee_fen:
        parts.append(f"{messages.label('billing.base_fee', lang)} {format_fen(tariff.base_fee_fen)}")
    return " · ".join(parts)


def _refuse(problem: rules.Problem | None) -> None:
    if problem is not None:
        rule, params = problem
        raise Refused(rule, **params)


def _product(session: Session, code: str) -> Product:
    product = _products().find(session, code=code)
    if product is None:
        raise Refused("product.not-found", what=Text(("数据产品", "product")))
    return product


def _next_version(session: Session, model: Any, **where: Any) -> int:
    clauses = [getattr(model, name) == value for name, value in where.items()]
    return int(session.execute(select(func.coalesce(func.max(model.version), 0)).where(*clauses)).scalar_one()) + 1


# --- maximum permitted revenue (最高准许收入) ------------------------------------------------------------


def set_ceiling(session: Session, *, principal: Principal, body: CeilingIn) -> RevenueCeiling:
    """The pricing authority (with the bureau) sets an operator's maximum permitted revenue for a year: operating
    cost, permitted profit and tax, each with its basis, and the attachments' SM3 digests."""
    access.require(principal, "billing.set-ceiling")
    ledger.lock(session)
    if identity.organisation_kind(session, body.operator_id) != "operator":
        raise Refused("billing.not-operator")
    today = clock.today()
    if body.year < today.year:
        raise Refused("billing.ceiling-year", year=today.year)
    _refuse(rules.effective_date_problem(body.effective_from, today=today))
    if body.effective_from.year > body.year:  # a year's ceiling must be in force in that year
        raise Refused("billing.ceiling-late", year=body.year)
    parts = [body.operating_cost.fen, body.permitted_profit.fen, body.tax.fen]
    _refuse(rules.ceiling_parts_problem(parts))
    basis = {name: clean_prose(getattr(body, name).basis, field=name, max_length=2000) for name in CeilingIn.PARTS}
    ceiling = RevenueCeiling(
        operator_id=body.operator_id,
        year=body.year,
        version=_next_version(session, RevenueCeiling, operator_id=body.operator_id, year=body.year),
        operating_cost_fen=parts[0],
        permitted_profit_fen=parts[1],
        tax_fen=parts[2],
        total_fen=rules.ceiling_total(parts),
        basis=canonical.dumps(basis).decode(),
        attachments=canonical.dumps([item.model_dump() for item in body.attachments]).decode(),
        effective_from=body.effective_from,
        set_by=principal.user_id,
        set_at=clock.now(),
    )
    session.add(ceiling)
    ledger.record(
        session,
        actor=principal.actor,
        action="billing.ceiling-set",
        subject=ceiling,
        payload={"operator": body.operator_id, "year": body.year, "total_fen": ceiling.total_fen},
    )
    return ceiling


def ceilings_of(session: Session, *, operator_id: int, year: int | None = None) -> list[RevenueCeiling]:
    statement = select(RevenueCeiling).where(RevenueCeiling.operator_id == operator_id)
    if year is not None:
        statement = statement.where(RevenueCeiling.year == year)
    return list(session.execute(statement.order_by(RevenueCeiling.year, RevenueCeiling.version)).scalars())


def ceiling_for(session: Session, *, operator_id: int, year: int, on: date | None = None) -> RevenueCeiling | None:
    """The ceiling version in force for ``year`` (as of ``on``, by default today)."""
    return in_force(ceilings_of(session, operator_id=operator_id, year=year), on or clock.today())


# --- fee caps (上限收费标准) and prices (具体收费标准) -------------------------------------------------------


def caps_of(session: Session, product_id: int) -> list[FeeCap]:
    statement = select(FeeCap).where(FeeCap.product_id == product_id).order_by(FeeCap.version)
    return list(session.execute(statement).scalars())


def prices_of(session: Session, product_id: int) -> list[Price]:
    statement = select(Price).where(Price.product_id == product_id).order_by(Price.version)
    return list(session.execute(statement).scalars())


def _from(versions: Sequence[V], on: date) -> list[V]:
    """The versions that apply on ``on`` or at any time after it."""
    current = in_force(versions, on)
    later = [version for version in versions if version.effective_from > on]
    return ([current] if current is not None else []) + later


def set_cap(session: Session, *, principal: Principal, code: str, body: CapIn) -> FeeCap:
    """The pricing authority sets a product's fee cap, within its operator's ceiling for the year the cap takes
    effect. A price the new cap leaves above it is flagged for the operator and the market regulator; it is
    never changed by the platform."""
    access.require(principal, "billing.set-cap")
    ledger.lock(session)  # caps, prices and ceilings are decided one at a time: versions and flags stay whole
    product = _product(session, code)
    tariff = body.tariff()
    _refuse(rules.tariff_problem(tariff, kind=product.kind))
    _refuse(rules.effective_date_problem(body.effective_from, today=clock.today()))
    if not ceilings_of(session, operator_id=product.operator_id, year=body.effective_from.year):
        raise Refused("billing.cap-no-ceiling", year=body.effective_from.year)
    basis = clean_prose(body.basis, field="basis", max_length=2000)
    if not basis:
        raise Refused("billing.basis-needed")
    cap = FeeCap(
        product_id=product.id,
        operator_id=product.operator_id,
        version=_next_version(session, FeeCap, product_id=product.id),
        unit=tariff.unit,
        tariff=canonical.dumps(tariff.document()).decode(),
        effective_from=body.effective_from,
        basis=basis,
        set_by=principal.user_id,
        set_at=clock.now(),
    )
    session.add(cap)
    ledger.record(
        session,
        actor=principal.actor,
        action="billing.cap-set",
        subject=cap,
        payload={"product": product.code, "tariff": tariff.document(), "effective_from": cap.effective_from},
    )
    reflag(session, actor=principal.actor, product_id=product.id)
    return cap


def _passing(prices: Sequence[Price], caps: Sequence[FeeCap], *, today: date) -> dict[tuple[int, int], Any]:
    """Each (price, cap) that will be in force together on some day from today on with the price above the cap:
    where it passes it. The days to look at are today and every day a version takes effect after it."""
    starts = [price.effective_from for price in prices] + [cap.effective_from for cap in caps]
    days = {today} | {day for day in starts if day > today}
    found: dict[tuple[int, int], Any] = {}
    for day in sorted(days):
        price, cap = in_force(prices, day), in_force(caps, day)
        if price is not None and cap is not None:
            problem = rules.above_cap(tariff_of(price), tariff_of(cap))
            if problem is not None:
                found.setdefault((price.id, cap.id), problem)
    return found


def reflag(session: Session, *, actor: Actor, product_id: int) -> list[str]:
    """Bring a product's price flags in line with its price and cap histories: a flag is open while, on some day
    from today on, the price in force will be above the cap in force; otherwise it is resolved. Run after every
    cap and price, and daily (a price or cap taking effect may end one)."""
    prices, caps = prices_of(session, product_id), caps_of(session, product_id)
    passing = _passing(prices, caps, today=clock.today())
    by_id = {price.id: price for price in prices}
    done = []
    current = in_force(prices, clock.today())
    flagged = set()
    for flag in open_flags(session, product_id=product_id):
        if (flag.price_id, flag.cap_id) in passing:
            flagged.add((flag.price_id, flag.cap_id))
            continue
        flag.resolved_at = clock.now()
        flag.resolved_by_price = current.id if current is not None else None
        ledger.record(session, actor=actor, action="billing.flag-resolved", subject=flag)
        done.append(f"price flag {flag.id} resolved")
    for (price_id, cap_id), problem in passing.items():
        if (price_id, cap_id) not in flagged:
            cap = next(cap for cap in caps if cap.id == cap_id)
            _flag(session, actor=actor, price=by_id[price_id], cap=cap, problem=problem)
            done.append(f"price {price_id} flagged above cap {cap_id}")
    return done


def reflag_all(session: Session, *, actor: Actor) -> list[str]:
    """The scheduler's daily pass over the products with an open flag."""
    ids = sorted({flag.product_id for flag in open_flags(session)})
    return [change for product_id in ids for change in reflag(session, actor=actor, product_id=product_id)]


def _flag(session: Session, *, actor: Actor, price: Price, cap: FeeCap, problem: rules.Problem) -> PriceFlag:
    rule, params = problem
    flag = PriceFlag(
        price_id=price.id,
        cap_id=cap.id,
        product_id=price.product_id,
        operator_id=price.operator_id,
        rule=rule,
        detail=canonical.dumps(params).decode(),
        raised_at=clock.now(),
    )
    session.add(flag)
    ledger.record(
        session, actor=actor, action="billing.price-flagged", subject=flag, payload={"price": price.id, "cap": cap.id}
    )
    return flag


def open_flags(session: Session, *, operator_id: int | None = None, product_id: int | None = None) -> list[PriceFlag]:
    statement = select(PriceFlag).where(PriceFlag.resolved_at.is_(None))
    if operator_id is not None:
        statement = statement.where(PriceFlag.operator_id == operator_id)
    if product_id is not None:
        statement = statement.where(PriceFlag.product_id == product_id)
    return list(session.execute(statement.order_by(PriceFlag.id)).scalars())


def set_price(session: Session, *, principal: Principal, code: str, body: TariffIn) -> Price:
    """The operator sets its price of a product: under a cap in force the day it takes effect, and at most that
    cap and every cap set to take effect after; refused above one, naming it. A trial price (试行) while the
    product has not had a full operating year. The product's flags follow (``reflag``)."""
    ledger.lock(session)
    product = _product(session, code)
    access.require(principal, "billing.set-price", product)
    tariff = body.tariff()
    _refuse(rules.tariff_problem(tariff, kind=product.kind))
    _refuse(rules.effective_date_problem(body.effective_from, today=clock.today()))
    caps = _from(caps_of(session, product.id), body.effective_from)
    if not caps or caps[0].effective_from > body.effective_from:
        raise Refused("billing.no-cap", code=product.code)
    for cap in caps:
        problem = rules.above_cap(tariff, tariff_of(cap))
        if problem is not None:
            rule, params = problem
            raise Refused(rule, **money_params(params), cap_version=cap.version, cap_from=cap.effective_from)
    listed_on = product.listed_at.astimezone(clock.SHANGHAI).date() if product.listed_at else None
    price = Price(
        product_id=product.id,
        operator_id=product.operator_id,
        version=_next_version(session, Price, product_id=product.id),
        unit=tariff.unit,
        tariff=canonical.dumps(tariff.document()).decode(),
        effective_from=body.effective_from,
        trial=rules.is_trial(listed_on=listed_on, effective_from=body.effective_from),
        cap_id=caps[0].id,
        set_by=principal.user_id,
        set_at=clock.now(),
    )
    session.add(price)
    ledger.record(
        session,
        actor=principal.actor,
        action="billing.price-set",
        subject=price,
        payload={"product": product.code, "tariff": tariff.document(), "trial": price.trial},
    )
    reflag(session, actor=principal.actor, product_id=product.id)
    return price


def money_params(params: dict[str, Any]) -> dict[str, Any]:
    """A refusal's amounts as people read them (¥1.50), not as fen."""
    return {name: format_fen(value) if name in ("price", "cap") else value for name, value in params.items()}


# --- the meter: every charged use, in the write step of its call --------------------------------------------


@dataclass
class Metered:
    """A use's meter line, written beside its ledger entry: ``payload`` goes into the entry, then ``attach``
    stamps the line with the entry's number and month."""

    line: MeterLine
    payload: dict[str, Any]


def meter(session: Session, *, contract: Contract, quantities: Quantities) -> Metered:
    """Meter one use under ``contract`` (already charged by the contract's conditional UPDATE): the product's price
    and cap in force today, the consumer's use of the product so far this year (its account, locked), the amount.
    A product whose reviewed definition is not the contract's is never metered: the whole write step is
    refused."""
    terms = Terms.stored(contract.terms)
    today = clock.today()
    product = price = cap = account = None
    if terms.product is not None:
        product = _product(session, terms.product.code)
        if product.reviewed_digest is None or product.reviewed_digest != terms.product.definition_digest:
            raise Refused("billing.unreviewed", code=product.code)
        price = in_force(prices_of(session, product.id), today)
        cap = in_force(caps_of(session, product.id), today)
        account = _account(session, consumer_id=contract.assignee_id, product_id=product.id, year=today.year)
    charge = rules.charge_for(
        tariff_of(price) if price is not None else None,
        tariff_of(cap) if cap is not None else None,
        purpose=terms.purpose,
        internal=contract.assigner_id == contract.assignee_id,
        quantities=quantities,
        used=account.used if account is not None else (lambda unit: 0),
        base_charged=account.base_charged if account is not None else False,
    )
    if account is not None:
        account.calls += quantities.calls
        account.subjects += quantities.subjects
        account.records += quantities.records
        account.base_charged = account.base_charged or charge.base_fee_fen > 0
        account.amount_fen += charge.amount_fen
    tiers = [[segment.tier, segment.units, segment.unit_fen] for segment in charge.segments]
    line = MeterLine(
        contract_id=contract.id,
        consumer_id=contract.assignee_id,
        operator_id=contract.assigner_id,
        product_id=product.id if product is not None else None,
        price_id=price.id if price is not None else None,
        cap_id=cap.id if cap is not None else None,
        purpose=terms.purpose,
        basis=charge.basis,
        unit=charge.unit,
        units=charge.units,
        tiers=canonical.dumps(tiers).decode(),
        base_fee_fen=charge.base_fee_fen,
        amount_fen=charge.amount_fen,
    )
    payload = {
        "basis": charge.basis,
        "unit": charge.unit,
        "units": charge.units,
        "amount_fen": charge.amount_fen,
        "base_fee_fen": charge.base_fee_fen,
        "tiers": tiers,
        "price": price.id if price is not None else None,
        "price_version": price.version if price is not None else None,
    }
    return Metered(line, payload)


def _account(session: Session, *, consumer_id: int, product_id: int, year: int) -> MeterAccount:
    """The consumer's account of the product for the year, locked for this transaction (made if missing): two
    uses of it at once, even under two contracts, are counted one after the other."""
    key = {"consumer_id": consumer_id, "product_id": product_id, "year": year}
    insert = postgresql_insert if is_postgresql(session) else sqlite_insert
    fresh = {"calls": 0, "subjects": 0, "records": 0, "base_charged": False, "amount_fen": 0}
    session.execute(insert(MeterAccount).values(**key, **fresh).on_conflict_do_nothing())
    found = select(MeterAccount).filter_by(**key).with_for_update().execution_options(populate_existing=True)
    return session.execute(found).scalar_one()


def attach(session: Session, metered: Metered, *, seq: int) -> MeterLine:
    """Write the line under its ledger entry: its number, and its time and month as the entry's."""
    line = metered.line
    line.ledger_seq = seq
    line.at = ledger.recorded_at(session, seq)
    line.month = line.at.astimezone(clock.SHANGHAI).strftime("%Y-%m")
    session.add(line)
    return line


# --- statements ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    """One line of a month's statement: a contract's product at one price version and tier (or its base fee,
    ``tier`` 0), the units and their unit price, the amount, the purpose and why it costs what it does."""

    contract_id: int
    product_code: str
    product_name: str
    purpose: str
    basis: str
    unit: str
    price_version: int | None
    trial: bool
    tier: int | None
    unit_fen: int
    units: int
    uses: int
    amount_fen: int

    @property
    def is_base_fee(self) -> bool:
        return self.tier == 0


@dataclass(frozen=True)
class Statement:
    consumer_id: int
    consumer: str
    month: str
    lines: list[StatementLine]
    last_seq: int | None = None  # the ledger entry of the month's last meter line counted

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    @property
    def free_uses(self) -> int:
        return sum(line.uses for line in self.lines if line.basis == "free")

    @property
    def uses(self) -> int:
        return sum(line.uses for line in self.lines if not line.is_base_fee)


def _month_problem(month: str) -> None:
    """A month is ``YYYY-MM`` of a year from 2000 to 2100, like every year the platform keeps."""
    try:
        year = datetime.strptime(month, "%Y-%m").year
    except ValueError:
        raise Refused("billing.month") from None
    if not 2000 <= year <= 2100 or len(month) != 7:
        raise Refused("billing.month")


def year_lines(session: Session, *, operator_id: int, year: int) -> list[MeterLine]:
    """The operator's meter lines of a year, in ledger order: every call it served, charged or free."""
    statement = select(MeterLine).where(MeterLine.operator_id == operator_id, MeterLine.month.startswith(f"{year}-"))
    return list(session.execute(statement.order_by(MeterLine.ledger_seq)).scalars())


def lines_in(session: Session, *, month: str, consumer_id: int | None = None) -> list[MeterLine]:
    statement = select(MeterLine).where(MeterLine.month == month)
    if consumer_id is not None:
        statement = statement.where(MeterLine.consumer_id == consumer_id)
    return list(session.execute(statement.order_by(MeterLine.ledger_seq)).scalars())


def _statement_reach(session: Session, principal: Who, consumer_id: int) -> int | None:
    """Whose lines of a consumer's statement ``principal`` may see: all (None) for the consumer itself and for
    the regulators and the auditor; an operator, only its own (its organisation's id). Another consumer's
    statement is unknown to a consumer (404)."""
    consumer = access.OrganisationRef(consumer_id)
    if access.may(principal, "billing.statement", consumer):
        return None
    assert isinstance(principal, Principal)
    mine = principal.organisation_id
    if access.may(principal, "billing.bill", access.own_organisation(principal)) and _has_billed(
        session, mine, consumer_id
    ):
        return mine
    access.require(principal, "billing.statement", consumer)  # unknown to anyone else: 404
    return None


def _has_billed(session: Session, operator_id: int, consumer_id: int) -> bool:
    """Whether the operator has metered anything to the consumer (its reach to that consumer's statements)."""
    statement_ = select(MeterLine.id).where(MeterLine.operator_id == operator_id, MeterLine.consumer_id == consumer_id)
    return session.execute(statement_.limit(1)).first() is not None


def statement(session: Session, *, principal: Who, consumer_id: int, month: str) -> Statement:
    """A consumer's statement for a month (``2026-11``), from the meter lines, line by price version and tier."""
    _month_problem(month)
    operator_id = _statement_reach(session, principal, consumer_id)
    lines = lines_in(session, month=month, consumer_id=consumer_id)
    if operator_id is not None:
        lines = [line for line in lines if line.operator_id == operator_id]
    return Statement(
        consumer_id,
        identity.organisation_names(session, {consumer_id}).get(consumer_id, ""),
        month,
        group(session, lines),
        max((line.ledger_seq for line in lines), default=None),
    )


def group(session: Session, lines: Sequence[MeterLine]) -> list[StatementLine]:
    """Meter lines as a statement's lines: one per contract, product, price version, basis and tier."""
    products = _products().by_ids(session, {line.product_id for line in lines if line.product_id is not None})
    prices = {
        price.id: price
        for price in session.execute(
            select(Price).where(Price.id.in_({line.price_id for line in lines if line.price_id}))
        ).scalars()
    }
    totals: dict[tuple[Any, ...], list[int]] = {}
    for line in lines:
        key = (line.contract_id, line.product_id, line.price_id, line.purpose, line.basis, line.unit)
        if line.base_fee_fen:
            _add(totals, (*key, 0, line.base_fee_fen), units=0, amount=line.base_fee_fen, uses=0)
        tiers = json.loads(line.tiers)
        if not tiers:
            _add(totals, (*key, None, 0), units=line.units, amount=0, uses=1)
        for number, (tier, units, unit_fen) in enumerate(tiers):
            # A use crossing a tier boundary is one use: counted on the tier it began in.
            _add(totals, (*key, tier, unit_fen), units=units, amount=units * unit_fen, uses=int(number == 0))
    found = []
    for (contract_id, product_id, price_id, purpose, basis, unit, tier, unit_fen), (
        units,
        uses,
        amount,
    ) in totals.items():
        product = products.get(product_id) if product_id is not None else None
        price = prices.get(price_id) if price_id is not None else None
        found.append(
            StatementLine(
                contract_id,
                product.code if product is not None else "",
                product.name if product is not None else "",
                purpose,
                basis,
                unit,
                price.version if price is not None else None,
                bool(price and price.trial),
                tier,
                unit_fen,
                units,
                uses,
                amount,
            )
        )
    return sorted(
        found, key=lambda line: (line.contract_id, line.product_code, line.price_version or 0, line.tier or 0)
    )


def _add(totals: dict[tuple[Any, ...], list[int]], key: tuple[Any, ...], *, units: int, amount: int, uses: int) -> None:
    found = totals.setdefault(key, [0, 0, 0])
    found[0] += units
    found[1] += uses
    found[2] += amount


def statement_months(session: Session, *, principal: Who, consumer_id: int) -> list[str]:
    """The months a consumer has metered uses in, newest first."""
    operator_id = _statement_reach(session, principal, consumer_id)
    statement_ = select(MeterLine.month).where(MeterLine.consumer_id == consumer_id).distinct()
    if operator_id is not None:
        statement_ = statement_.where(MeterLine.operator_id == operator_id)
    return sorted(session.execute(statement_).scalars(), reverse=True)


def consumers_billed(session: Session, *, principal: Who, month: str) -> dict[int, str]:
    """The consumers with metered uses in a month that ``principal`` may see statements of (an operator: its
    own consumers)."""
    _month_problem(month)
    statement_ = select(MeterLine.consumer_id).where(MeterLine.month == month).distinct()
    if isinstance(principal, Principal) and not access.sees_all(principal, "billing.statement"):
        mine = (
            MeterLine.operator_id
            if access.may(principal, "billing.bill", access.own_organisation(principal))
            else MeterLine.consumer_id
        )
        statement_ = statement_.where(mine == principal.organisation_id)
    ids = set(session.execute(statement_).scalars())
    return identity.organisation_names(session, ids)


# --- revenue against the ceiling ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Revenue:
    """An operator's revenue in a year against its ceiling: the ceiling in force, less what the year before
    went over it; the warning reached (80, 90, 100 %); the revenue by month."""

    operator_id: int
    operator: str
    year: int
    ceiling: RevenueCeiling | None
    deducted_fen: int
    revenue_fen: int
    by_month: dict[str, int] = field(default_factory=dict)

    @property
    def allowed_fen(self) -> int | None:
        return None if self.ceiling is None else max(self.ceiling.total_fen - self.deducted_fen, 0)

    @property
    def percent(self) -> float | None:
        allowed = self.allowed_fen
        return None if not allowed else round(self.revenue_fen * 100 / allowed, 1)

    @property
    def warning(self) -> int | None:
        allowed = self.allowed_fen
        return None if allowed is None else rules.warning_level(self.revenue_fen, allowed)

    @property
    def excess_fen(self) -> int:
        allowed = self.allowed_fen
        return 0 if allowed is None else rules.excess(self.revenue_fen, allowed)


def _revenue_by_month(session: Session, operator_id: int, year: int) -> dict[str, int]:
    statement_ = (
        select(MeterLine.month, func.sum(MeterLine.amount_fen))
        .where(MeterLine.operator_id == operator_id, MeterLine.month.like(f"{year:04d}-%"))
        .group_by(MeterLine.month)
    )
    return {month: int(total) for month, total in session.execute(statement_).all()}


def _deduction(session: Session, operator_id: int, year: int) -> CeilingDeduction | None:
    statement_ = select(CeilingDeduction).where(
        CeilingDeduction.operator_id == operator_id, CeilingDeduction.year == year
    )
    return session.execute(statement_).scalar_one_or_none()


def revenue(session: Session, *, principal: Who, operator_id: int, year: int) -> Revenue:
    access.require(principal, "billing.revenue", access.OrganisationRef(operator_id))
    return _revenue(session, operator_id, year)


def _revenue(session: Session, operator_id: int, year: int, *, on: date | None = None) -> Revenue:
    """``on``: the day whose ceiling in force counts (today; a closed year's last day)."""
    by_month = _revenue_by_month(session, operator_id, year)
    before = _deduction(session, operator_id, year - 1)
    return Revenue(
        operator_id,
        identity.organisation_names(session, {operator_id}).get(operator_id, ""),
        year,
        ceiling_for(session, operator_id=operator_id, year=year, on=on),
        before.excess_fen if before is not None else 0,
        sum(by_month.values()),
        dict(sorted(by_month.items())),
    )


def revenues(session: Session, *, principal: Who, year: int) -> list[Revenue]:
    """Every operator's revenue for a year that ``principal`` may see (an operator: its own)."""
    operators = identity.organisations_of_kind(session, "operator")
    return [
        _revenue(session, operator_id, year)
        for operator_id in sorted(operators)
        if access.may(principal, "billing.revenue", access.OrganisationRef(operator_id))
    ]


def close_years(session: Session, *, actor: Actor) -> list[str]:
    """At the start of a year, close the years before it: each operator's revenue above its ceiling is recorded
    as deducted from the next year's (the national rule). Each year is closed once."""
    done = []
    this_year = clock.today().year
    years = session.execute(select(RevenueCeiling.operator_id, RevenueCeiling.year).distinct()).all()
    for operator_id, year in sorted(years):
        if year >= this_year or _deduction(session, operator_id, year) is not None:
            continue
        found = _revenue(session, operator_id, year, on=date(year, 12, 31))
        if found.allowed_fen is None:
            continue  # no ceiling was in force that year: nothing to deduct from, nothing to record
        allowed = found.allowed_fen
        deduction = CeilingDeduction(
            operator_id=operator_id,
            year=year,
            revenue_fen=found.revenue_fen,
            ceiling_fen=allowed,
            excess_fen=rules.excess(found.revenue_fen, allowed),
            closed_at=clock.now(),
        )
        session.add(deduction)
        ledger.record(
            session,
            actor=actor,
            action="billing.year-closed",
            subject=deduction,
            payload={"operator": operator_id, "year": year, "excess_fen": deduction.excess_fen},
        )
        done.append(f"operator {operator_id}: {year} closed, {format_fen(deduction.excess_fen)} above its ceiling")
    return done


# --- reconciliation: the ledger's metered units against the billed ones, line for line ----------------------


@dataclass(frozen=True)
class Reconciliation:
    month: str
    entries: int
    lines: int
    ledger_units: int
    billed_units: int
    ledger_fen: int
    billed_fen: int
    problems: list[tuple[str, dict[str, Any]]]  # a label key and its fields

    @property
    def balanced(self) -> bool:
        return not self.problems


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of a month in Asia/Shanghai and of the next, in UTC."""
    _month_problem(month)
    first = datetime.strptime(month, "%Y-%m").replace(tzinfo=clock.SHANGHAI)
    following = (
        first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)
    )
    return first.astimezone(UTC), following.astimezone(UTC)


def reconcile(session: Session, *, principal: Who, month: str) -> Reconciliation:
    """For a month: every call's ledger entry against its meter line (units and amount), and the statements'
    totals against the ledger's. A problem names the entry or line, never a subject or value."""
    access.require(principal, "billing.reconcile")
    since, until = month_bounds(month)
    entries = ledger.entries_between(session, actions=["contract.call"], since=since, until=until)
    month_lines = lines_in(session, month=month)
    lines = {line.ledger_seq: line for line in month_lines}
    problems: list[tuple[str, dict[str, Any]]] = []
    ledger_units = ledger_fen = 0
    for entry in entries:
        metered = ledger.payload_of(entry).get("meter")
        if metered is None:
            continue  # a call recorded before billing existed
        ledger_units += int(metered["units"])
        ledger_fen += int(metered["amount_fen"])
        line = lines.pop(entry.seq, None)
        if line is None:
            problems.append(("billing.problem_no_line", {"seq": entry.seq}))
        elif (line.units, line.amount_fen, f"contract:{line.contract_id}") != (
            int(metered["units"]),
            int(metered["amount_fen"]),
            entry.subject,
        ):
            problems.append(("billing.problem_differs", {"seq": entry.seq, "line": line.id}))
    problems += [("billing.problem_no_entry", {"line": line.id, "seq": seq}) for seq, line in lines.items()]
    billed = group(session, month_lines)  # every consumer's statement lines at once (a line names its contract)
    billed_units = sum(line.units for line in billed)
    billed_fen = sum(line.amount_fen for line in billed)
    if (billed_units, billed_fen) != (ledger_units, ledger_fen):
        totals = {"billed_units": billed_units, "billed": format_fen(billed_fen), "ledger_units": ledger_units}
        problems.append(("billing.problem_totals", totals | {"ledger": format_fen(ledger_fen)}))
    return Reconciliation(
        month,
        len(entries),
        len(month_lines),
        ledger_units,
        billed_units,
        ledger_fen,
        billed_fen,
        problems,
    )


# --- what the public, the market regulator and the finance bureau see -----------------------------------------


@dataclass(frozen=True)
class PriceView:
    """A product's price as published (明码标价): the price and cap in force, their unit, trial or not."""

    product_id: int
    price: Price | None
    cap: FeeCap | None
    price_tariff: Tariff | None
    cap_tariff: Tariff | None
    flagged: bool = False

    @property
    def trial(self) -> bool:
        return bool(self.price is not None and self.price.trial)


def price_views(session: Session, product_ids: Iterable[int], *, on: date | None = None) -> dict[int, PriceView]:
    """The price and cap in force (today by default) of each of these products."""
    day = on or clock.today()
    ids = set(product_ids)
    if not ids:
        return {}
    prices: dict[int, list[Price]] = {}
    caps: dict[int, list[FeeCap]] = {}
    for found_price in session.execute(select(Price).where(Price.product_id.in_(ids))).scalars():
        prices.setdefault(found_price.product_id, []).append(found_price)
    for found_cap in session.execute(select(FeeCap).where(FeeCap.product_id.in_(ids))).scalars():
        caps.setdefault(found_cap.product_id, []).append(found_cap)
    views = {}
    for product_id in ids:
        price = in_force(prices.get(product_id, []), day)
        cap = in_force(caps.get(product_id, []), day)
        views[product_id] = PriceView(
            product_id,
            price,
            cap,
            tariff_of(price) if price is not None else None,
            tariff_of(cap) if cap is not None else None,
            # Above the cap in force today: charged at the cap, and said so wherever the price is shown.
            price is not None and cap is not None and rules.above_cap(tariff_of(price), tariff_of(cap)) is not None,
        )
    return views


@dataclass(frozen=True)
class PriceHistory:
    product: Product
    caps: list[FeeCap]
    prices: list[Price]
    flags: list[PriceFlag]
    view: PriceView


def compliance(session: Session, *, principal: Who) -> list[PriceHistory]:
    """The market regulator's view (and the pricing authority's, the bureau's, an operator's of its own): every
    product with a cap or price, its price against its cap today, the change history and the flags."""
    if isinstance(principal, Principal):
        access.require(principal, "billing.read", access.own_organisation(principal))
    ids = set(session.execute(select(FeeCap.product_id)).scalars()) | set(
        session.execute(select(Price.product_id)).scalars()
    )
    products = _products().by_ids(session, ids)
    if isinstance(principal, Principal) and not access.sees_all(principal, "billing.read"):
        products = {pid: p for pid, p in products.items() if p.operator_id == principal.organisation_id}
    views = price_views(session, products)
    flags: dict[int, list[PriceFlag]] = {}
    for flag in session.execute(select(PriceFlag).where(PriceFlag.product_id.in_(set(products)))).scalars():
        flags.setdefault(flag.product_id, []).append(flag)
    return [
        PriceHistory(product, caps_of(session, pid), prices_of(session, pid), flags.get(pid, []), views[pid])
        for pid, product in sorted(products.items(), key=lambda item: item[1].code)
    ]


# --- the yearly public disclosure (by the end of March, for the year before) --------------------------------


@dataclass(frozen=True)
class DisclosedProduct:
    code: str
    name: str
    kind: str
    view: PriceView


@dataclass(frozen=True)
class DisclosedOperator:
    operator_id: int
    name: str
    credit_code: str | None
    agreements: list[Any]
    resources: list[str]
    products: list[DisclosedProduct]


@dataclass(frozen=True)
class Disclosure:
    """What the bureau discloses each year (三(六), 明码标价): its own details and the pricing authority's, each
    authorization with its fee caps, and each operator's details, authorized resources, products and prices as
    they stood at the year's end (or today, for the year under way)."""

    year: int
    as_of: date
    due: date
    authorities: list[tuple[str, str, str | None]]  # kind, name, credit code
    operators: list[DisclosedOperator]


def disclosure(session: Session, *, year: int) -> Disclosure:
    """Public: assembled from the records, never from what anyone typed for it."""
    if not 2000 <= year <= 2100:
        raise Refused("billing.year")
    as_of = min(date(year, 12, 31), clock.today())
    found = identity.organisation_identities(
        session,
        {oid for kind in ("bureau", "pricing") for oid in identity.organisations_of_kind(session, kind)},
    )
    authorities = [
        (identity.organisation_kind(session, oid) or "", name, code) for oid, (name, code) in sorted(found.items())
    ]
    deals = [
        agreement
        for agreement in agreements.list_agreements(session, principal=PlatformItself(PUBLIC))
        if agreement.starts_on is not None and agreement.starts_on <= as_of
    ]
    products = _products()
    listed = products.offered_on(session, day=as_of)
    views = price_views(session, {item.product.id for item in listed}, on=as_of)
    operators = []
    for operator_id in sorted({deal.operator_id for deal in deals}):
        name, code = identity.organisation_identities(session, {operator_id}).get(operator_id, ("", None))
        own = [deal for deal in deals if deal.operator_id == operator_id]
        resources = sorted({res for deal in own for res in Scope.stored(deal.scope).resources})
        offered = [
            DisclosedProduct(item.product.code, item.product.name, item.product.kind, views[item.product.id])
            for item in listed
            if item.product.operator_id == operator_id
        ]
        operators.append(DisclosedOperator(operator_id, name, code, own, resources, offered))
    return Disclosure(year, as_of, date(year + 1, 3, 31), authorities, operators)
