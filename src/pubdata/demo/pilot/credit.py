"""The credit theme (信用专题): tax, social insurance, utilities, penalties and tax credit ratings.

Monthly records cover the two years to October 2026, and only the months an enterprise operates in. Its
hidden risk drives late filing, arrears, late payment and penalties, and the penalties in turn lower its
tax credit ratings, so the tables agree with one another.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from pathlib import Path

from pubdata.demo.pilot.common import AS_OF, SEASON, months, table, weighted
from pubdata.demo.pilot.descriptions import (
    PENALTIES,
    SOCIAL_INSURANCE,
    TAX_CREDIT_RATINGS,
    TAX_PAYMENTS,
    UTILITY_PAYMENTS,
)
from pubdata.demo.pilot.districts import CITY_CODE, District
from pubdata.demo.pilot.legal_entity import Enterprise

# The monthly records cover the two years up to the reference date.
CREDIT_MONTHS = months((2024, 11), (2026, 10))


def _operating(e: Enterprise) -> list[tuple[int, str]]:
    """The credit months in which the enterprise operates."""
    first, end = e.first_month, e.end_month
    return [(month, label) for month, label in CREDIT_MONTHS if first <= month < end]


def _money(value: float) -> str:
    return f"{value:.2f}"


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def write_tax(path: Path, *, seed: int, enterprises: list[Enterprise]) -> None:
    rng = random.Random(f"{seed}/tax")
    with table(path, TAX_PAYMENTS) as write:
        for e in enterprises:
            general = e.monthly_sales > 400_000  # 一般纳税人, otherwise 小规模纳税人
            margin = rng.gauss(0.06 - 0.08 * e.risk, 0.04)
            dormant = rng.random() < 0.05 + 0.3 * e.risk
            quarter_sales = 0.0
            for month, label in _operating(e):
                sales = (
                    0.0
                    if dormant and rng.random() < 0.7
                    else e.monthly_sales * SEASON[month % 12] * math.exp(rng.gauss(0, 0.25))
                )
                quarter_sales += sales
                if general:
                    vat = sales * rng.uniform(0.02, 0.04)
                else:
                    vat = 0.0 if sales <= 100_000 else sales * 0.01
                cit = 0.0
                if month % 3 == 0:  # January, April, July, October: prepay for the quarter just ended
                    profit = quarter_sales * margin
                    cit = max(0.0, profit) * (0.05 if quarter_sales < 3_000_000 else 0.25)
                    quarter_sales = 0.0
                other = vat * 0.12 + sales * 0.0003
                vat, cit, other = round(vat, 2), round(cit, 2), round(other, 2)
                on_time = rng.random() >= 0.02 + 0.25 * e.risk
                write(
                    (
                        e.code,
                        label,
                        _money(sales),
                        _money(vat),
                        _money(cit),
                        _money(other),
                        _money(vat + cit + other),
                        _yes(on_time),
                    )
                )


def write_social_insurance(path: Path, *, seed: int, enterprises: list[Enterprise]) -> None:
    rng = random.Random(f"{seed}/social-insurance")
    with table(path, SOCIAL_INSURANCE) as write:
        for e in enterprises:
            if e.employees < 1 or rng.random() >= 0.9 - 0.4 * e.risk:
                continue
            insured = max(1, round(e.employees * rng.uniform(0.6, 1.0)))
            base = rng.uniform(4_500, 9_000)  # average monthly contribution base per person
            arrears = False
            for month, label in _operating(e):
                insured = max(1, insured + round(rng.gauss(0, 0.04 * insured + 0.3)))
                if month % 12 == 6:  # the contribution base is reset each July
                    base *= rng.uniform(1.02, 1.06)
                wages = insured * base
                arrears = rng.random() < (0.6 if arrears else 0.01 + 0.12 * e.risk)
                write(
                    (e.code, label, insured, _money(wages), _money(wages * 0.245), _money(wages * 0.105), _yes(arrears))
                )


def write_utilities(path: Path, *, seed: int, enterprises: list[Enterprise]) -> None:
    rng = random.Random(f"{seed}/utilities")
    with table(path, UTILITY_PAYMENTS) as write:
        for number, e in enumerate(enterprises):
            if rng.random() >= 0.85:
                continue
            heavy = e.section[0] in "BCD"
            accounts = (
                (
                    f"{e.district.code[2:]}{number:06d}",
                    "电费",
                    (e.employees + 1) * (900 if heavy else 250) * math.exp(rng.gauss(0, 0.5)),
                    0.68,
                ),
                (
                    f"SW{number:08d}",
                    "水费",
                    (e.employees + 1) * (12 if heavy else 3) * math.exp(rng.gauss(0, 0.5)),
                    4.3,
                ),
            )
            for account, kind, level, price in accounts:
                for month, label in _operating(e):
                    summer_winter = 1.15 if month % 12 in (0, 6, 7, 11) and kind == "电费" else 1.0
                    usage = round(level * summer_winter * SEASON[month % 12] * math.exp(rng.gauss(0, 0.15)), 2)
                    due = round(usage * price, 2)
                    late = rng.random() < 0.03 + 0.3 * e.risk
                    overdue = rng.randint(1, 20 if rng.random() < 0.8 else 90) if late else 0
                    paid = due if not late or rng.random() >= 0.5 * e.risk else round(due * rng.choice((0.0, 0.5)), 2)
                    write(
                        (
                            account,
                            e.code,
                            label,
                            kind,
                            _money(usage),
                            _money(due),
                            _money(paid),
                            _yes(not late),
                            overdue,
                        )
                    )


# (authority or None for the enterprise's market regulator / tax office, abbreviation or None, violations, sections)
_ENFORCERS = (
    (None, "市监", ("价格违法", "食品安全", "产品质量", "虚假广告", "计量违法"), "ACFHIKLMOPQR"),
    ("池州市生态环境局", "池环", ("超标排放", "未批先建", "危险废物处置违规"), "BCDE"),
    ("池州市应急管理局", "池应急", ("安全生产违规",), "BCEG"),
    ("tax", "税", ("发票违法", "未按期申报", "偷逃税款"), "ABCDEFGHIKLMNOPQR"),
    ("池州市住房和城乡建设局", "池建", ("施工违规", "工程质量安全"), "EK"),
    ("池州市交通运输局", "池交", ("超限运输", "无证运营"), "G"),
    ("池州市城市管理局", "池城管", ("占道经营", "违规设置广告", "扬尘污染"), "EFHKR"),
    ("池州市消防救援支队", "池消", ("消防安全违规",), "CFHQR"),
)
_PENALTY_KINDS = (("警告", 25), ("罚款", 55), ("罚款、没收违法所得", 12), ("责令停产停业", 5), ("暂扣许可证件", 3))
PENALTY_START = date(2019, 1, 1)


def _tax_office(district: District) -> str:
    return "国家税务总局" + ("池州市贵池区" if district.code == "341702" else district.name) + "税务局"


def write_penalties(path: Path, *, seed: int, enterprises: list[Enterprise]) -> dict[str, list[int]]:
    """Write the penalties; returns each penalised enterprise's penalty years (for its tax credit ratings)."""
    rng = random.Random(f"{seed}/penalties")
    numbers: dict[tuple[str, int], int] = {}
    years: dict[str, list[int]] = {}

    def decision_no(abbr: str, day: date) -> str:
        numbers[(abbr, day.year)] = numbers.get((abbr, day.year), 0) + 1
        return f"{abbr}罚〔{day.year}〕{numbers[(abbr, day.year)]}号"

    with table(path, PENALTIES) as write:
        for e in enterprises:
            start, end = max(e.established, PENALTY_START), e.closed or AS_OF
            if start > end:
                continue
            count = 0
            if rng.random() < 0.04 + 0.35 * e.risk:
                count = 1 + (rng.random() < 0.3) + (rng.random() < 0.1)
            penalties = []
            for _ in range(count):
                authority, abbr, violations, _ = rng.choice([x for x in _ENFORCERS if e.section[0] in x[3]])
                if authority is None:
                    authority, abbr = e.authority, ("池" if e.region == CITY_CODE else e.district.abbr) + abbr
                elif authority == "tax":
                    authority, abbr = _tax_office(e.district), e.district.abbr + abbr
                kind = weighted(rng, _PENALTY_KINDS)[0]
                fine = 0.0 if kind in ("警告", "暂扣许可证件") else round(math.exp(rng.gauss(math.log(5000), 1.1)), -1)
                penalties.append(
                    (
                        start + timedelta(days=rng.randrange((end - start).days + 1)),
                        authority,
                        abbr,
                        rng.choice(violations),
                        kind,
                        fine,
                    )
                )
            if e.status == "吊销" and e.closed and e.closed >= PENALTY_START:  # 吊销 always has a date
                abbr = ("池" if e.region == CITY_CODE else e.district.abbr) + "市监"
                penalties.append((e.closed, e.authority, abbr, "无正当理由停业六个月以上", "吊销营业执照", 0.0))
            for day, authority, abbr, violation, kind, fine in sorted(penalties):
                write(
                    (decision_no(abbr, day), e.code, e.name, day.isoformat(), authority, violation, kind, _money(fine))
                )
                years.setdefault(e.code, []).append(day.year)
    return years


def write_ratings(path: Path, *, seed: int, enterprises: list[Enterprise], penalty_years: dict[str, list[int]]) -> None:
    rng = random.Random(f"{seed}/ratings")
    with table(path, TAX_CREDIT_RATINGS) as write:
        for e in enterprises:
            for year in range(2021, 2026):
                if e.established.year > year or (e.closed and e.closed.year <= year):
                    continue
                published = date(year + 1, 4, rng.randint(10, 28))
                if e.established.year == year:
                    write((e.code, year, "M", "", published.isoformat()))
                    continue
                penalised = penalty_years.get(e.code, []).count(year)
                score = round(100 - 75 * e.risk - 10 * penalised + rng.gauss(0, 5))
                score = max(0, min(100, score))
                rating = "A" if score >= 90 else "B" if score >= 70 else "C" if score >= 40 else "D"
                write((e.code, year, rating, score, published.isoformat()))
