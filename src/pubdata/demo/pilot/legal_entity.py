"""The legal-entity library (法人): enterprises and cooperatives with valid unified social credit codes.

Each enterprise is led by a resident of the population library and carries a hidden risk that the credit
theme turns into late payments, arrears, penalties and low ratings; its section, size and dates drive the
licences and the monthly records.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pubdata.common import places
from pubdata.common.ids import CREDIT_ALPHABET, credit_code_check_char
from pubdata.demo.pilot.common import AS_OF, cumulative, pick, table
from pubdata.demo.pilot.descriptions import LEGAL_ENTITIES
from pubdata.demo.pilot.districts import CITY_CODE, DISTRICTS, District
from pubdata.demo.pilot.population import Person

# GB/T 4754-2017 sections: (code, name, share, words for company names, log-mean of headcount).
_SECTIONS = (
    ("A", "农、林、牧、渔业", 8, ("生态农业", "茶业", "油茶", "养殖", "水产", "林业", "农业开发"), 1.0),
    ("B", "采矿业", 1, ("矿业", "石料"), 2.3),
    ("C", "制造业", 14, ("新材料", "电子", "机械制造", "化工", "食品", "纺织", "建材", "半导体", "汽车零部件"), 2.4),
    ("D", "电力、热力、燃气及水生产和供应业", 1, ("新能源", "水务", "燃气"), 2.2),
    ("E", "建筑业", 9, ("建筑工程", "建设工程", "路桥工程", "装饰工程", "水利工程"), 2.0),
    ("F", "批发和零售业", 28, ("商贸", "贸易", "超市", "医药", "农资", "建材销售", "汽车销售"), 1.0),
    ("G", "交通运输、仓储和邮政业", 4, ("物流", "运输", "货运", "供应链"), 1.6),
    ("H", "住宿和餐饮业", 6, ("餐饮管理", "酒店管理", "农家乐", "大酒店"), 1.5),
    ("I", "信息传输、软件和信息技术服务业", 4, ("信息科技", "网络科技", "软件", "数据科技", "电子商务"), 1.3),
    ("K", "房地产业", 3, ("房地产开发", "置业", "物业管理"), 1.6),
    ("L", "租赁和商务服务业", 8, ("商务咨询", "企业管理", "人力资源", "广告", "旅游开发"), 1.0),
    ("M", "科学研究和技术服务业", 5, ("科技", "检测", "工程设计", "环保科技", "规划设计"), 1.2),
    ("N", "水利、环境和公共设施管理业", 1, ("环境工程", "园林绿化", "市政工程"), 1.5),
    ("O", "居民服务、修理和其他服务业", 3, ("家政服务", "汽车维修", "保洁服务"), 0.9),
    ("P", "教育", 1, ("教育科技", "职业培训"), 1.2),
    ("Q", "卫生和社会工作", 1, ("医疗管理", "健康管理", "养老服务"), 1.5),
    ("R", "文化、体育和娱乐业", 3, ("文化传媒", "文化旅游", "体育发展"), 1.0),
)
_CUM_SECTIONS = cumulative([section[2] for section in _SECTIONS])
# Characters for trade names (字号); none is a common surname (see catalog.checks), so a 字号 never reads as a name.
_TRADE_CHARS = (
    "恒瑞鑫华泰隆昌盛达源宏兴丰益祥和安康嘉禾润泽德正信诚鸿运皖川九秋浦升腾凯越锦绣晨星宇创新远航佳美乐景天晟博睿"
)
_ROADS = places.ROADS  # the same streets as the mock data's addresses
_ENTITY_TYPES = (
    ("有限责任公司（自然人投资或控股）", "有限公司", 55),
    ("有限责任公司（自然人独资）", "有限公司", 25),
    ("股份有限公司", "股份有限公司", 3),
    ("个人独资企业", "经营部", 10),
    ("合伙企业", "合伙企业（普通合伙）", 3),
)
_COOPERATIVE = "农民专业合作社"
_OLD_ORG_PREFIXES = ("05", "08", "15", "66", "67", "68", "69", "70", "73", "75", "78", "79")


def _org_code_check(first8: str) -> str:
    """GB 11714 check character of an organisation code."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(first8, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


@dataclass
class Enterprise:
    """One enterprise as the generators see it, with the hidden ``risk`` behind its credit records."""

    code: str
    name: str
    entity_type: str
    section: tuple
    rep: Person
    district: District
    region: str
    capital: float
    established: date
    status: str
    closed: date | None
    employees: int
    monthly_sales: float
    risk: float
    address: str

    @property
    def first_month(self) -> int:
        return self.established.year * 12 + self.established.month - 1

    @property
    def end_month(self) -> int:
        """The first month it no longer operates in."""
        return self.closed.year * 12 + self.closed.month - 1 if self.closed else 10**6

    @property
    def authority(self) -> str:
        return "池州市市场监督管理局" if self.region == CITY_CODE else self.district.market_authority


def build_enterprises(seed: int, reps: list[Person]) -> list[Enterprise]:
    rng = random.Random(f"{seed}/enterprises")
    taken_codes: set[str] = set()
    taken_names: set[str] = set()
    cum_types = cumulative([t[2] for t in _ENTITY_TYPES])
    cum_years = cumulative([_founding_weight(year) for year in range(1995, 2027)])
    out: list[Enterprise] = []
    for rep in reps:
        section = _SECTIONS[pick(rng, _CUM_SECTIONS)]
        district = rep.district if rng.random() < 0.8 else DISTRICTS[rng.randrange(len(DISTRICTS))]
        cooperative = section[0] == "A" and rng.random() < 0.5
        year = 1995 + pick(rng, cum_years)
        born = int(rep.id_number[6:10])
        if year < born + 20:
            year = min(2026, born + 20 + rng.randrange(max(1, 2027 - born - 20)))
        start = date(year, 1, 1)
        span = (min(date(year, 12, 31), AS_OF) - start).days + 1
        established = start + timedelta(days=rng.randrange(span))
        if cooperative:
            entity_type, suffix = _COOPERATIVE, "专业合作社"
        else:
            entity_type, suffix, _ = _ENTITY_TYPES[pick(rng, cum_types)]
        region = (
            CITY_CODE if district.code == "341702" and suffix.endswith("公司") and rng.random() < 0.4 else district.code
        )
        word = rng.choice(section[3])
        for _ in range(100):
            trade = rng.choice(_TRADE_CHARS) + rng.choice(_TRADE_CHARS)
            place = (
                district.place
                if cooperative or suffix == "经营部" or rng.random() < 0.3
                else rng.choice(("池州", "池州市"))
            )
            name = f"{place}{trade}{word}{suffix}"
            if name not in taken_names:
                break
        else:
            name = f"{place}{trade}{word}{len(out)}号{suffix}"
        taken_names.add(name)
        while True:
            org8 = (
                ("MA" + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(6)))
                if established >= date(2015, 10, 1)
                else rng.choice(_OLD_ORG_PREFIXES) + f"{rng.randrange(10**6):06d}"
            )
            first17 = ("93" if cooperative else "91") + region + org8 + _org_code_check(org8)
            code = first17 + credit_code_check_char(first17)
            if code not in taken_codes:
                taken_codes.add(code)
                break
        risk = rng.betavariate(2, 6)
        status, closed = "存续", None
        if established < date(2025, 1, 1):
            roll = rng.random()
            if roll < 0.04 + 0.1 * risk:
                status = "吊销"
                risk = min(1.0, risk + 0.3)
            elif roll < 0.14:
                status = "注销"
            if status != "存续":
                earliest = established + timedelta(days=365)
                closed = earliest + timedelta(days=rng.randrange(max(1, (AS_OF - earliest).days)))
        employees = min(3000, int(math.exp(rng.gauss(section[4] + (0.8 if suffix == "股份有限公司" else 0), 1.0))))
        if entity_type == "个人独资企业":
            employees = min(employees, 9)
        capital = {"股份有限公司": 500.0, "个人独资企业": 5.0, "合伙企业": 10.0, _COOPERATIVE: 20.0}.get(
            entity_type, 10.0
        )
        capital = round(capital * math.exp(rng.gauss(1.6, 1.1)), 2)
        monthly_sales = (employees + 0.5) * 16_000 * math.exp(rng.gauss(0, 0.6))
        address = (
            f"池州市{district.name}{rng.choice(district.urban) if rng.random() < 0.7 else rng.choice(district.rural)}"
            f"{rng.choice(_ROADS)}{rng.randint(1, 399)}号"
        )
        out.append(
            Enterprise(
                code,
                name,
                entity_type,
                section,
                rep,
                district,
                region,
                capital,
                established,
                status,
                closed,
                employees,
                monthly_sales,
                risk,
                address,
            )
        )
    return out


def _founding_weight(year: int) -> float:
    if year < 2005:
        return 1.0
    if year < 2014:
        return 2.0
    if year < 2020:
        return 4.0
    return 5.0 if year < 2026 else 4.2  # 2026 ends in October


def write_legal_entities(path: Path, enterprises: list[Enterprise]) -> None:
    with table(path, LEGAL_ENTITIES) as write:
        for e in enterprises:
            write(
                (
                    e.code,
                    e.name,
                    e.entity_type,
                    e.section[0],
                    e.section[1],
                    e.rep.name,
                    e.rep.id_number,
                    f"{e.capital:.2f}",
                    e.established.isoformat(),
                    e.status,
                    e.closed.isoformat() if e.closed else "",
                    e.district.code,
                    e.district.name,
                    e.address,
                )
            )
