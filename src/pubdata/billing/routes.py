"""Billing API: ceilings and caps (the pricing authority), prices (the operator), statements, revenue against the
ceiling, reconciliation, price compliance; and, without login, the yearly disclosure."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status

from pubdata.billing import rules, service
from pubdata.billing.models import FeeCap, Price, RevenueCeiling
from pubdata.billing.schemas import (
    CapIn,
    CapOut,
    CeilingIn,
    CeilingOut,
    PriceOut,
    PublicPriceOut,
    ReconciliationOut,
    RevenueOut,
    StatementLineOut,
    StatementOut,
    TariffIn,
    TariffOut,
)
from pubdata.common import messages
from pubdata.common.bounds import RowId
from pubdata.contracts.rules import PURPOSES
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.reports import annual
from pubdata.web.deps import CommandSession, ReadSession

router = APIRouter(prefix="/api/v1", tags=["billing"])
public = APIRouter(prefix="/api/v1/public", tags=["public"])
Code = Annotated[str, Path(max_length=32, description="The product's code, e.g. CP-0001")]
Month = Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="A month, e.g. 2026-11")]
Year = Annotated[int, Query(ge=2000, le=2100)]
ZH = "zh-CN"


def ceiling_out(ceiling: RevenueCeiling) -> CeilingOut:
    return CeilingOut.model_validate(ceiling, from_attributes=True)


def cap_out(cap: FeeCap, code: str) -> CapOut:
    return CapOut(
        id=cap.id,
        product=code,
        version=cap.version,
        effective_from=cap.effective_from,
        tariff=TariffOut.of(service.tariff_of(cap)),
        basis=cap.basis,
    )


def price_out(price: Price, code: str) -> PriceOut:
    return PriceOut(
        id=price.id,
        product=code,
        version=price.version,
        effective_from=price.effective_from,
        trial=price.trial,
        tariff=TariffOut.of(service.tariff_of(price)),
    )


@router.post("/billing/ceilings", response_model=CeilingOut, status_code=status.HTTP_201_CREATED)
def set_ceiling(body: CeilingIn, session: CommandSession, principal: ApiPrincipal) -> CeilingOut:
    """最高准许收入: the pricing authority sets an operator's maximum permitted revenue for a year (amounts in
    whole fen, each part with its basis)."""
    return ceiling_out(service.set_ceiling(session, principal=principal, body=body))


@router.get("/billing/revenue", response_model=list[RevenueOut])
def revenue(year: Year, session: ReadSession, principal: ApiPrincipal) -> list[RevenueOut]:
    """Each operator's revenue in ``year`` against its ceiling, as far as the caller may see (an operator: its
    own)."""
    return [revenue_out(found) for found in service.revenues(session, principal=principal, year=year)]


def revenue_out(found: service.Revenue) -> RevenueOut:
    return RevenueOut(
        operator_id=found.operator_id,
        operator=found.operator,
        year=found.year,
        ceiling_fen=found.ceiling.total_fen if found.ceiling is not None else None,
        deducted_fen=found.deducted_fen,
        allowed_fen=found.allowed_fen,
        revenue_fen=found.revenue_fen,
        percent=found.percent,
        warning=found.warning,
        excess_fen=found.excess_fen,
        by_month=found.by_month,
    )


@router.post("/products/{code}/caps", response_model=CapOut, status_code=status.HTTP_201_CREATED)
def set_cap(code: Code, body: CapIn, session: CommandSession, principal: ApiPrincipal) -> CapOut:
    """上限收费标准: the pricing authority's fee cap of a product, within its operator's ceiling."""
    return cap_out(service.set_cap(session, principal=principal, code=code, body=body), code)


@router.post("/products/{code}/prices", response_model=PriceOut, status_code=status.HTTP_201_CREATED)
def set_price(code: Code, body: TariffIn, session: CommandSession, principal: ApiPrincipal) -> PriceOut:
    """具体收费标准: the operator's price, at most the cap; refused above it, naming the cap."""
    return price_out(service.set_price(session, principal=principal, code=code, body=body), code)


@router.get("/billing/prices")
def compliance(session: ReadSession, principal: ApiPrincipal) -> list[dict[str, Any]]:
    """Every priced product: its price against its cap in force, the caps' and prices' history, the flags."""
    return [
        {
            "product": found.product.code,
            "name": found.product.name,
            "current": PublicPriceOut.of(found.view).model_dump(mode="json"),
            "flagged": found.view.flagged,
            "caps": [cap_out(cap, found.product.code).model_dump(mode="json") for cap in found.caps],
            "prices": [price_out(price, found.product.code).model_dump(mode="json") for price in found.prices],
            "flags": [
                {"id": flag.id, "price": flag.price_id, "cap": flag.cap_id, "open": flag.resolved_at is None}
                for flag in found.flags
            ],
        }
        for found in service.compliance(session, principal=principal)
    ]


@router.get("/billing/statements/{consumer_id}/{month}", response_model=StatementOut)
def statement(consumer_id: RowId, month: Month, session: ReadSession, principal: ApiPrincipal) -> StatementOut:
    """A consumer's statement for a month: a line per contract, product, price version and tier, with units,
    unit prices in fen, the purpose and the basis (charged, free, …) of each."""
    found = service.statement(session, principal=principal, consumer_id=consumer_id, month=month)
    return statement_out(found)


def statement_out(found: service.Statement) -> StatementOut:
    return StatementOut(
        consumer_id=found.consumer_id,
        consumer=found.consumer,
        month=found.month,
        lines=[
            StatementLineOut(
                contract_id=line.contract_id,
                product=line.product_code,
                product_name=line.product_name,
                purpose=line.purpose,
                purpose_name=messages.pick(PURPOSES[line.purpose], ZH) if line.purpose in PURPOSES else line.purpose,
                basis=line.basis,
                basis_name=messages.pick(rules.BASES[line.basis], ZH),
                unit=line.unit,
                price_version=line.price_version,
                trial=line.trial,
                tier=line.tier,
                unit_fen=line.unit_fen,
                units=line.units,
                uses=line.uses,
                amount_fen=line.amount_fen,
            )
            for line in found.lines
        ],
        total_fen=found.total_fen,
    )


@router.get("/billing/reconciliation/{month}", response_model=ReconciliationOut)
def reconciliation(month: Month, session: ReadSession, principal: ApiPrincipal) -> ReconciliationOut:
    """For a month: the ledger's metered units against the billed ones, line for line."""
    return ReconciliationOut.of(service.reconcile(session, principal=principal, month=month))


@public.get("/disclosure/{year}")
def disclosure(year: Annotated[int, Path(ge=2000, le=2100)], session: ReadSession) -> dict[str, Any]:
    """The yearly disclosure (no login): the authorities, each authorization with its fee caps, and each
    operator's details, authorized resources, products and prices as at the year's end, and its year's demand,
    use and revenue from the same facts as its annual report (with that report's state)."""
    found = service.disclosure(session, year=year)
    return {
        "year": found.year,
        "as_of": found.as_of,
        "due": found.due,
        "authorities": [{"kind": kind, "name": name, "credit_code": code} for kind, name, code in found.authorities],
        "operators": [
            {
                "name": operator.name,
                "credit_code": operator.credit_code,
                "agreements": [
                    {
                        "tender_reference": deal.tender_reference,
                        "mode": deal.mode,
                        "state": deal.state,
                        "starts_on": deal.starts_on,
                        "expires_on": deal.expires_on,
                    }
                    for deal in operator.agreements
                ],
                "resources": operator.resources,
                "products": [
                    {"code": item.code, "name": item.name, **PublicPriceOut.of(item.view).model_dump(mode="json")}
                    for item in operator.products
                ],
                "operation": annual.disclosed(session, operator_id=operator.operator_id, year=year).document(),
            }
            for operator in found.operators
        ],
    }
