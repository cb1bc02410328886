"""The demo's prices under government guidance (三(六)), through the real services.

``prepare`` (in the middle of the story, the products reviewed but not yet listed): the pricing authority sets
the operator's maximum permitted revenue for the year and the fee caps of the pilot products — the credit
profile per enterprise on cumulative tiers (the Fujian model), the urban-governance statistics per call with a
yearly base fee (the Guangzhou model), the privacy-computing products per item — and the operator prices them
within the caps (trial prices: none has a full operating year).

``month`` (from the products' listing to now): a month of simulated use, through the real calls — the bank asks
for a few enterprises' profiles each working day, the city management bureau asks for a district's statistics
each week, free of charge (public governance). Each call is metered in its write step; the statements, the
revenue against the ceiling and the reconciliation then read what was metered.

Idempotent: a ceiling, cap or price is set only where none is, and the month is played only on the first build
(when the story has a month to play).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from pubdata.billing import service as billing
from pubdata.billing.schemas import CapIn, CeilingIn, TariffIn
from pubdata.calendar.rules import WorkCalendar
from pubdata.common import clock
from pubdata.common.errors import Refused
from pubdata.demo import privacy as demo_privacy
from pubdata.demo import products as demo_products
from pubdata.demo.usage import principal
from pubdata.identity import service as identity
from pubdata.platform import Platform
from pubdata.privacy import consent
from pubdata.products import calls
from pubdata.products import service as products

# ¥1,200,000 operating cost, 8 % permitted profit, 6 % tax (in fen).
CEILING_PARTS = {
    "operating_cost": (120_000_000, "2025年度经成本监审的平台运维、数据治理和安全保障成本"),
    "permitted_profit": (9_600_000, "按运营成本的 8% 核定准许利润"),
    "tax": (7_200_000, "增值税及附加，按现行税率测算"),
}
ATTACHMENT = {"name": "池州数据运营有限公司2025年度成本监审报告.pdf", "sm3": "5f1e" * 16}
# Per enterprise: ¥3.00 for the first 50 a year, ¥2.00 from the 51st, ¥1.00 from the 201st; priced below it.
PROFILE_CAP = ("subject", 0, ((1, 300), (51, 200), (201, 100)), "按单户画像的计算、核验与运维成本测算，累进递减。")
PROFILE_PRICE = ("subject", 0, ((1, 250), (51, 180), (201, 90)))
# Per call ¥50.00 with a yearly base fee of ¥2,000.00; priced at ¥30.00 and ¥1,000.00 (free for public use).
URBAN_CAP = ("call", 200_000, ((1, 5_000),), "按差分隐私统计的计算与审核成本测算：基础服务费加按次计费。")
URBAN_PRICE = ("call", 100_000, ((1, 3_000),))
# The privacy-computing products, per item asked (the bank's applicants): matching, lookup, joint scoring.
PRIVACY = (
    (demo_privacy.PSI_NAME, ("subject", 0, ((1, 20),), "按比对条目的计算成本测算。"), ("subject", 0, ((1, 10),))),
    (demo_privacy.LOOKUP_NAME, ("subject", 0, ((1, 50),), "按查询条目的计算成本测算。"), ("subject", 0, ((1, 30),))),
    (
        demo_privacy.SCORING_NAME,
        ("subject", 0, ((1, 100),), "按评分企业的密态计算成本测算。"),
        ("subject", 0, ((1, 60),)),
    ),
)
PROFILE_CALLS_A_DAY = 2
SEED = 2026


def _tariff(spec: tuple[Any, ...]) -> dict[str, Any]:
    unit, base, tiers = spec[:3]
    return {
        "unit": unit,
        "base_fee_fen": base,
        "tiers": [{"from_unit": first, "unit_fen": fen} for first, fen in tiers],
        "effective_from": clock.today(),
    }


def prepare(platform: Platform) -> None:
    pricing, operator = principal(platform, "pricing.admin"), principal(platform, "operator.admin")
    year = clock.today().year
    with platform.command() as session:
        if not billing.ceilings_of(session, operator_id=operator.organisation_id, year=year):
            parts = {name: {"fen": fen, "basis": basis} for name, (fen, basis) in CEILING_PARTS.items()}
            body = {"operator_id": operator.organisation_id, "year": year, "attachments": [ATTACHMENT]}
            ceiling = CeilingIn.model_validate(body | parts | {"effective_from": clock.today()})
            billing.set_ceiling(session, principal=pricing, body=ceiling)
    for name, cap, price in (
        (demo_products.PROFILE_NAME, PROFILE_CAP, PROFILE_PRICE),
        (demo_products.URBAN_NAME, URBAN_CAP, URBAN_PRICE),
        *PRIVACY,
    ):
        with platform.command() as session:
            product = next((p for p in products.listing(session, principal=operator) if p.name == name), None)
            if product is None:
                continue
            if not billing.caps_of(session, product.id):
                cap_body = CapIn.model_validate(_tariff(cap) | {"basis": cap[3]})
                billing.set_cap(session, principal=pricing, code=product.code, body=cap_body)
            if not billing.prices_of(session, product.id):
                price_body = TariffIn.model_validate(_tariff(price))
                billing.set_price(session, principal=operator, code=product.code, body=price_body)


def month(platform: Platform, *, since: datetime, until: datetime, listed: list[dict[str, Any]]) -> int:
    """Each working day from ``since`` to ``until``, the bank's profile calls; each Monday, the city's statistics.
    How many calls were made."""
    if until - since < timedelta(days=20):
        return 0  # a later build: the month was played by the first
    by_name = {item["name"]: item for item in listed}
    profile, urban = by_name.get(demo_products.PROFILE_NAME), by_name.get(demo_products.URBAN_NAME)
    bank, city = principal(platform, "bank.admin"), principal(platform, "city.admin")
    codes = _consented(platform, profile["product"]) if profile else []
    rng = random.Random(SEED)
    made = 0
    day = since + timedelta(days=1)
    while day < until:
        local = day.astimezone(clock.SHANGHAI)
        if WorkCalendar().is_workday(local.date()):
            for hour in range(PROFILE_CALLS_A_DAY):
                if profile and codes:
                    with clock.frozen_at(local.replace(hour=9 + 3 * hour, minute=rng.randrange(60))):
                        chosen = tuple(rng.sample(codes, rng.randint(1, min(4, len(codes)))))
                        made += _call(platform, bank, profile["product"], calls.Request(subjects=chosen))
            if urban and local.weekday() == 0:
                district = demo_products.DISTRICTS[made % len(demo_products.DISTRICTS)]
                with clock.frozen_at(local.replace(hour=15, minute=30)):
                    made += _call(platform, city, urban["product"], calls.Request(parameters={"district": district}))
        day += timedelta(days=1)
    return made


def _call(platform: Platform, who: Any, code: str, request: calls.Request) -> int:
    try:
        calls.call(platform, principal=who, code=code, request=request, engine=platform.query_engine)
    except Refused:
        return 0  # a quota or budget spent: the story goes on without this call
    return 1


def _consented(platform: Platform, product_code: str) -> list[str]:
    """The enterprises the bank holds a live consent of, for this product."""
    bank = principal(platform, "bank.admin")
    with platform.read() as session:
        product = products.find(session, code=product_code)
        held = consent.list_for(session, principal=bank)
    wanted = product.id if product is not None else None
    return sorted({c.subject_credit_code for c in held if c.state == "granted" and c.product_id == wanted})


def accounts_note(platform: Platform) -> dict[str, Any]:
    """What demo-accounts.json says of billing: where to look."""
    with platform.read() as session:
        bank = identity.find_organisation(session, name="池州农村商业银行")
    month_shown = (clock.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    return {
        "statement": f"/billing/statements/{bank.id if bank else 0}/{month_shown} (bank.admin)",
        "prices": "/billing/prices (pricing.admin, market.admin, operator.admin)",
        "revenue": "/billing/revenue (pricing.admin, finance.admin, operator.admin)",
        "public": "/products and GET /api/v1/public/products (no login)",
    }
