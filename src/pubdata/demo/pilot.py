"""The pilot data set: synthetic public data of the city of Chizhou (池州) for the two pilot fields.

The plan names inclusive finance (普惠金融) and urban governance (城市治理) as the pilot fields (一(二)). This
module describes the resources the demo's provider departments register — the five base libraries (人口、法人、
电子证照、空间地理、宏观经济) and a credit theme (信用专题: tax, social insurance, utilities, penalties, tax
credit ratings) — and writes their data as CSV files the loader accepts.

Everything is made up: names come from Faker's zh_CN pools, identifiers are generated with valid check
characters, and no value belongs to a real person or company. The tables hang together so that joins in
the sandbox mean something: every enterprise's legal representative is a person of the population library,
every credit record names an enterprise of the legal-entity library, every person lives in a cell of the
spatial grid (whose population column counts them), and a hidden risk per enterprise drives late payments,
arrears, penalties and ratings alike.

``write_sources(folder, scale=1)`` writes about 100,000 persons and 10,000 enterprises; ``scale=10`` about a
million persons. The same seed always gives the same bytes.
"""

from __future__ import annotations

import bisect
import csv
import math
import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pubdata.common.ids import (
    CREDIT_ALPHABET,
    credit_code_check_char,
    resident_id_check_char,
)

# The data's reference date: monthly series end with October 2026, statuses are as of this day.
AS_OF = date(2026, 10, 31)
PERSONS_PER_SCALE = 100_000
ENTERPRISES_PER_SCALE = 10_000


@dataclass(frozen=True)
class PilotResource:
    """One resource the demo registers: the providing department's name and its description (a ResourceIn)."""

    provider: str
    description: dict


# Provider departments the pilot needs beyond those in ``pubdata.demo.ORGANISATIONS``: (name, login).
EXTRA_PROVIDERS: tuple[tuple[str, str], ...] = (
    ("池州市政务服务管理局", "service.admin"),
    ("池州市人力资源和社会保障局", "hrss.admin"),
    ("国家税务总局池州市税务局", "tax.admin"),
    ("池州市统计局", "stats.admin"),
    ("池州市住房和城乡建设局", "housing.admin"),
    ("池州市司法局", "justice.admin"),
)

POLICE = "池州市公安局"
LAND = "池州市自然资源和规划局"
SERVICE, HRSS, TAX, STATS, HOUSING, JUSTICE = (name for name, _ in EXTRA_PROVIDERS)


# --- descriptions ----------------------------------------------------------------------------------------


def _field(name: str, label: str, type: str = "string", **extra: object) -> dict:
    return {"name": name, "label": label, "type": type, **extra}


def _credit(name: str = "credit_code", label: str = "统一社会信用代码") -> dict:
    return _field(name, label, format="credit_code", required=True)


def _month(name: str, label: str) -> dict:
    return _field(name, label, required=True, description="统计月份，格式 YYYY-MM")


_SYNTHETIC = "本数据为池州市公共数据授权运营试点的合成数据，不含任何真实个人或企业信息。"

POPULATION = "CZ-RK-0001"
LEGAL_ENTITIES = "CZ-FR-0001"
E_LICENCES = "CZ-ZZ-0001"
SPATIAL_GRID = "CZ-KJ-0001"
MACRO_ECONOMY = "CZ-JJ-0001"
TAX_PAYMENTS = "CZ-XY-0001"
SOCIAL_INSURANCE = "CZ-XY-0002"
UTILITY_PAYMENTS = "CZ-XY-0003"
PENALTIES = "CZ-XY-0004"
TAX_CREDIT_RATINGS = "CZ-XY-0005"

PILOT_RESOURCES: tuple[PilotResource, ...] = (
    PilotResource(
        POLICE,
        {
            "code": POPULATION,
            "name": "人口基础信息库",
            "description": "池州市户籍及常住人口基础信息：身份、性别、出生日期、联系电话、居住区县、乡镇（街道）、网格和户籍情况。"
            "用于城市治理的人口结构分析和普惠金融的身份核验。含不满十四周岁未成年人的记录。" + _SYNTHETIC,
            "sector": "public_security",
            "base_library": "population",
            "update_frequency": "monthly",
            "time_span": "截至 2026-10-31",
            "sharing": "conditional",
            "opening": "closed",
            "declared_grade": "general-4",
            "fields": [
                _field(
                    "id_number",
                    "公民身份号码",
                    format="resident_id",
                    required=True,
                    sensitivity="sensitive",
                    pipl_category="identity_document",
                ),
                _field("full_name", "姓名", format="person_name", required=True, sensitivity="personal"),
                _field("gender", "性别", required=True, sensitivity="personal", masking="full", description="男 / 女"),
                _field("birth_date", "出生日期", "date", required=True, sensitivity="personal"),
                _field(
                    "mobile", "手机号码", format="mobile", sensitivity="personal", description="未成年人及部分老年人无"
                ),
                _field("district_code", "区县代码", required=True),
                _field("district", "所属区县", required=True),
                _field("township", "乡镇（街道）", required=True),
                _field("grid_cell", "网格编码", required=True, description="空间地理网格（CZ-KJ-0001）的网格编码"),
                _field("hukou_type", "户口性质", description="城镇 / 农村"),
                _field("household_size", "家庭户人口数", "integer"),
            ],
        },
    ),
    PilotResource(
        SERVICE,
        {
            "code": LEGAL_ENTITIES,
            "name": "法人基础信息库",
            "description": "在池州市登记的企业和农民专业合作社：统一社会信用代码、名称、类型、行业、法定代表人、注册资本、成立日期、"
            "登记状态和住所。普惠金融授信和城市治理的市场主体分析的基础。" + _SYNTHETIC,
            "sector": "market_regulation",
            "base_library": "legal_entity",
            "update_frequency": "daily",
            "time_span": "1995 至今",
            "sharing": "conditional",
            "opening": "conditional",
            "declared_grade": "general-2",
            "fields": [
                _credit(),
                _field("name", "企业名称", required=True),
                _field("entity_type", "企业类型", required=True),
                _field("industry_code", "行业门类代码", description="GB/T 4754-2017 门类"),
                _field("industry", "行业门类"),
                _field("legal_rep_name", "法定代表人姓名", format="person_name", required=True, sensitivity="personal"),
                _field(
                    "legal_rep_id",
                    "法定代表人身份证号码",
                    format="resident_id",
                    required=True,
                    sensitivity="sensitive",
                    pipl_category="identity_document",
                ),
                _field("registered_capital", "注册资本（万元）", "decimal"),
                _field("established_date", "成立日期", "date", required=True),
                _field("status", "登记状态", required=True, description="存续 / 注销 / 吊销"),
                _field("closed_date", "注销或吊销日期", "date"),
                _field("district_code", "区县代码", required=True),
                _field("district", "所属区县", required=True),
                _field("address", "住所"),
            ],
        },
    ),
    PilotResource(
        SERVICE,
        {
            "code": E_LICENCES,
            "name": "电子证照库（企业）",
            "description": "发给企业的电子证照：营业执照、食品经营（生产）许可证、建筑工程施工许可证、安全生产许可证、排污许可证和"
            "道路运输经营许可证，含持证主体、发证机关、有效期和状态。" + _SYNTHETIC,
            "sector": "other",
            "base_library": "e_licence",
            "update_frequency": "daily",
            "time_span": "1995 至今",
            "sharing": "unconditional",
            "opening": "conditional",
            "declared_grade": "general-2",
            "fields": [
                _field("licence_no", "证照编号", required=True),
                _field("licence_type", "证照类型", required=True),
                _field("holder_name", "持证主体名称", required=True),
                _credit("holder_credit_code", "持证主体统一社会信用代码"),
                _field("issue_date", "发证日期", "date", required=True),
                _field("expiry_date", "有效期至", "date", description="空表示长期有效"),
                _field("issuing_authority", "发证机关", required=True),
                _field("status", "证照状态", required=True, description="有效 / 已过期 / 已注销 / 已吊销"),
            ],
        },
    ),
    PilotResource(
        LAND,
        {
            "code": SPATIAL_GRID,
            "name": "空间地理网格",
            "description": "覆盖池州市域的约 1 平方公里网格（0.01° × 0.01°）：所属区县和乡镇（街道）、中心点经纬度（CGCS2000）、面积、"
            "主要土地利用类型（GB/T 21010-2017 二级类）、平均高程和常住人口数。城市网格化治理的空间底板。" + _SYNTHETIC,
            "sector": "natural_resources",
            "base_library": "spatial",
            "update_frequency": "yearly",
            "time_span": "2026 年度",
            "sharing": "unconditional",
            "opening": "conditional",
            "declared_grade": "general-2",
            "fields": [
                _field("cell_id", "网格编码", required=True),
                _field("district_code", "区县代码", required=True),
                _field("district", "所属区县", required=True),
                _field("township", "乡镇（街道）", required=True),
                _field("centroid_lon", "中心点经度", "decimal", required=True),
                _field("centroid_lat", "中心点纬度", "decimal", required=True),
                _field("area_km2", "面积（平方公里）", "decimal", required=True),
                _field("land_use_code", "主要地类代码"),
                _field("land_use", "主要地类"),
                _field("elevation_m", "平均高程（米）", "integer"),
                _field(
                    "population",
                    "常住人口数",
                    "integer",
                    required=True,
                    description="人口基础信息库中居住在本网格的人数",
                ),
            ],
        },
    ),
    PilotResource(
        STATS,
        {
            "code": MACRO_ECONOMY,
            "name": "宏观经济指标（月度）",
            "description": "池州市及各区县月度宏观经济指标：地区生产总值（月度测算）、规上工业增加值增速、固定资产投资、社会消费品零售总额、"
            "居民消费价格指数、一般公共预算收入、全社会用电量、贷款余额、普惠小微贷款余额、城镇登记失业率和新登记市场主体。"
            + _SYNTHETIC,
            "sector": "statistics",
            "base_library": "macro_economy",
            "update_frequency": "monthly",
            "time_span": "2021-01 至 2026-10",
            "sharing": "unconditional",
            "opening": "open",
            "declared_grade": "general-1",
            "fields": [
                _month("stat_month", "统计月份"),
                _field("area_code", "行政区划代码", required=True),
                _field("area_name", "地区", required=True),
                _field("gdp", "地区生产总值（亿元，月度测算）", "decimal"),
                _field("industrial_growth", "规模以上工业增加值同比增长（%）", "decimal"),
                _field("fixed_asset_investment", "固定资产投资（亿元）", "decimal"),
                _field("retail_sales", "社会消费品零售总额（亿元）", "decimal"),
                _field("cpi", "居民消费价格指数（上年同月=100）", "decimal"),
                _field("fiscal_revenue", "一般公共预算收入（亿元）", "decimal"),
                _field("electricity_consumption", "全社会用电量（万千瓦时）", "decimal"),
                _field("loan_balance", "金融机构人民币贷款余额（亿元）", "decimal"),
                _field("inclusive_loan_balance", "普惠小微贷款余额（亿元）", "decimal"),
                _field("unemployment_rate", "城镇登记失业率（%）", "decimal"),
                _field("new_market_entities", "新登记市场主体（户）", "integer"),
            ],
        },
    ),
    PilotResource(
        TAX,
        {
            "code": TAX_PAYMENTS,
            "name": "企业纳税信息",
            "description": "企业按月申报和缴纳税款的情况：申报销售额、增值税、企业所得税（按季预缴）、其他税费、合计和是否按期申报。"
            "普惠金融“银税互动”授信的主要依据。" + _SYNTHETIC,
            "sector": "taxation",
            "base_library": "credit",
            "update_frequency": "monthly",
            "time_span": "2024-11 至 2026-10",
            "sharing": "conditional",
            "opening": "closed",
            "declared_grade": "general-3",
            "fields": [
                _credit(),
                _month("tax_month", "所属月份"),
                _field("declared_sales", "申报销售额（元）", "decimal", required=True),
                _field("vat_paid", "增值税（元）", "decimal", required=True),
                _field("cit_paid", "企业所得税（元）", "decimal", required=True),
                _field("other_tax_paid", "其他税费（元）", "decimal", required=True),
                _field("total_tax_paid", "实缴税费合计（元）", "decimal", required=True),
                _field("filed_on_time", "是否按期申报", "boolean", required=True),
            ],
        },
    ),
    PilotResource(
        HRSS,
        {
            "code": SOCIAL_INSURANCE,
            "name": "企业社会保险缴纳信息",
            "description": "企业按月为职工缴纳社会保险的情况：参保人数、缴费基数合计、单位和个人缴费额、是否欠费。"
            "反映企业用工规模和经营稳定性。" + _SYNTHETIC,
            "sector": "human_resources",
            "base_library": "credit",
            "update_frequency": "monthly",
            "time_span": "2024-11 至 2026-10",
            "sharing": "conditional",
            "opening": "closed",
            "declared_grade": "general-3",
            "fields": [
                _credit(),
                _month("insured_month", "缴费月份"),
                _field("insured_count", "参保人数", "integer", required=True),
                _field("wage_base_total", "缴费基数合计（元）", "decimal", required=True),
                _field("employer_contribution", "单位缴费（元）", "decimal", required=True),
                _field("employee_contribution", "个人缴费（元）", "decimal", required=True),
                _field("in_arrears", "是否欠费", "boolean", required=True),
            ],
        },
    ),
    PilotResource(
        HOUSING,
        {
            "code": UTILITY_PAYMENTS,
            "name": "企业水电缴费信息",
            "description": "企业用水、用电的按月计费和缴费情况：户号、用量、应缴、实缴、是否按时缴费和逾期天数。"
            "用量反映生产经营活跃度，缴费反映履约情况。" + _SYNTHETIC,
            "sector": "utilities",
            "base_library": "credit",
            "update_frequency": "monthly",
            "time_span": "2024-11 至 2026-10",
            "sharing": "conditional",
            "opening": "closed",
            "declared_grade": "general-2",
            "fields": [
                _field("account_no", "户号", required=True),
                _credit(),
                _month("billing_month", "账期"),
                _field("utility_type", "费用类型", required=True, description="水费 / 电费"),
                _field("usage", "用量（立方米或千瓦时）", "decimal", required=True),
                _field("amount_due", "应缴金额（元）", "decimal", required=True),
                _field("amount_paid", "实缴金额（元）", "decimal", required=True),
                _field("paid_on_time", "是否按时缴费", "boolean", required=True),
                _field("overdue_days", "逾期天数", "integer", required=True),
            ],
        },
    ),
    PilotResource(
        JUSTICE,
        {
            "code": PENALTIES,
            "name": "行政处罚信息",
            "description": "各行政执法机关对企业作出的行政处罚决定（“双公示”内容）：决定书文号、当事人、处罚日期、处罚机关、违法类型、"
            "处罚种类和罚款金额。由行政执法监督平台汇集。" + _SYNTHETIC,
            "sector": "other",
            "base_library": "credit",
            "update_frequency": "daily",
            "time_span": "2019 至今",
            "sharing": "unconditional",
            "opening": "open",
            "declared_grade": "general-1",
            "fields": [
                _field("decision_no", "处罚决定书文号", required=True),
                _credit(),
                _field("enterprise_name", "当事人名称", required=True),
                _field("decision_date", "处罚决定日期", "date", required=True),
                _field("authority", "处罚机关", required=True),
                _field("violation_type", "违法行为类型", required=True),
                _field("penalty_type", "处罚种类", required=True),
                _field("fine_amount", "罚没金额（元）", "decimal", required=True),
            ],
        },
    ),
    PilotResource(
        TAX,
        {
            "code": TAX_CREDIT_RATINGS,
            "name": "纳税信用等级评价",
            "description": "企业年度纳税信用等级（A/B/M/C/D）及评价得分（M 级无得分），次年 4 月发布。" + _SYNTHETIC,
            "sector": "taxation",
            "base_library": "credit",
            "update_frequency": "yearly",
            "time_span": "2021 至 2025 年度",
            "sharing": "conditional",
            "opening": "conditional",
            "declared_grade": "general-2",
            "fields": [
                _credit(),
                _field("rating_year", "评价年度", "integer", required=True),
                _field("rating", "纳税信用等级", required=True),
                _field("score", "评价得分", "integer", description="M 级不计分"),
                _field("published_date", "发布日期", "date", required=True),
            ],
        },
    ),
)


def person_count(scale: float) -> int:
    return max(1, round(PERSONS_PER_SCALE * scale))


def enterprise_count(scale: float) -> int:
    return max(1, round(ENTERPRISES_PER_SCALE * scale))


# --- geography -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _District:
    code: str
    name: str
    people: float  # share of the city's residents
    economy: float  # share of the city's output
    seat: tuple[float, float]  # county seat (lon, lat): the town where people and firms cluster
    centre: tuple[float, float]
    radius_km: float
    urban_km: float
    urban: tuple[str, ...]  # streets / seat town
    rural: tuple[str, ...]
    abbr: str  # in penalty decision numbers

    @property
    def place(self) -> str:
        """How a local firm's name begins."""
        return "池州市贵池区" if self.code == "341702" else self.name

    @property
    def market_authority(self) -> str:
        return ("池州市" if self.code == "341702" else "") + self.name + "市场监督管理局"

    def local(self, office: str) -> str:
        """A county-level office; 贵池区's is the city's own."""
        return f"池州市{office}" if self.code == "341702" else f"{self.name}{office}"


DISTRICTS: tuple[_District, ...] = (
    _District(
        "341702",
        "贵池区",
        0.46,
        0.46,
        (117.49, 30.66),
        (117.56, 30.44),
        32.0,
        6.0,
        ("秋浦街道", "池阳街道", "里山街道", "江口街道"),
        (
            "墩上街道",
            "马衙街道",
            "梅龙街道",
            "殷汇镇",
            "牛头山镇",
            "梅街镇",
            "梅村镇",
            "乌沙镇",
            "牌楼镇",
            "唐田镇",
            "棠溪镇",
            "涓桥镇",
        ),
        "贵",
    ),
    _District(
        "341721",
        "东至县",
        0.30,
        0.28,
        (117.02, 30.10),
        (117.10, 30.03),
        36.0,
        3.5,
        ("尧渡镇",),
        (
            "东流镇",
            "大渡口镇",
            "胜利镇",
            "张溪镇",
            "洋湖镇",
            "葛公镇",
            "香隅镇",
            "官港镇",
            "昭潭镇",
            "泥溪镇",
            "木塔乡",
            "青山乡",
            "花园乡",
        ),
        "东",
    ),
    _District(
        "341722",
        "石台县",
        0.07,
        0.07,
        (117.48, 30.21),
        (117.50, 30.10),
        23.0,
        3.0,
        ("仁里镇",),
        ("七都镇", "丁香镇", "小河镇", "横渡镇", "仙寓镇", "矶滩乡", "大演乡"),
        "石",
    ),
    _District(
        "341723",
        "青阳县",
        0.17,
        0.19,
        (117.85, 30.64),
        (117.88, 30.55),
        21.0,
        3.5,
        ("蓉城镇",),
        ("木镇镇", "庙前镇", "陵阳镇", "新河镇", "丁桥镇", "朱备镇", "杨田镇", "酉华镇", "杜村乡", "乔木乡"),
        "青",
    ),
)
CITY_CODE = "341700"
_LON_RANGE = (116.90, 118.10)
_LAT_RANGE = (29.50, 30.90)
_CELL_DEGREES = 0.01
_JIUHUA = (117.80, 30.48)  # 九华山
_GUNIUJIANG = (117.47, 30.03)  # 牯牛降

# GB/T 21010-2017 second-level classes (code, name), weighted by setting.
_LAND_USE = {
    "core": (
        ("0701", "城镇住宅用地", 5),
        ("05H1", "商业服务业设施用地", 2),
        ("0601", "工业用地", 2),
        ("1003", "公路用地", 1),
    ),
    "fringe": (
        ("0701", "城镇住宅用地", 3),
        ("0601", "工业用地", 3),
        ("0101", "水田", 2),
        ("0702", "农村宅基地", 2),
        ("1104", "坑塘水面", 1),
    ),
    "plain": (
        ("0101", "水田", 8),
        ("0103", "旱地", 3),
        ("0702", "农村宅基地", 3),
        ("1104", "坑塘水面", 2),
        ("0301", "乔木林地", 3),
        ("1101", "河流水面", 1),
    ),
    "hills": (
        ("0301", "乔木林地", 9),
        ("0202", "茶园", 3),
        ("0302", "竹林地", 2),
        ("0103", "旱地", 2),
        ("0101", "水田", 2),
        ("0702", "农村宅基地", 2),
    ),
    "mountains": (
        ("0301", "乔木林地", 14),
        ("0302", "竹林地", 2),
        ("0305", "灌木林地", 2),
        ("0202", "茶园", 2),
        ("0404", "其他草地", 1),
        ("0602", "采矿用地", 1),
    ),
}


@dataclass
class _Cell:
    cell_id: str
    district: _District
    township: str
    lon: float
    lat: float
    area: float
    land_code: str
    land_name: str
    elevation: int
    weight: float  # where people live
    population: int = 0


def _km(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float, float]:
    dx = (a[0] - b[0]) * 111.32 * math.cos(math.radians(30.3))
    dy = (a[1] - b[1]) * 110.57
    return dx, dy, math.hypot(dx, dy)


def _weighted(rng: random.Random, options: tuple[tuple, ...]) -> tuple:
    total = sum(option[-1] for option in options)
    pick = rng.random() * total
    for option in options:
        pick -= option[-1]
        if pick < 0:
            return option
    return options[-1]


def _grid(seed: int) -> list[_Cell]:
    """Cells of 0.01° over the city: each belongs to the district nearest in units of its radius, if within it."""
    rng = random.Random(f"{seed}/grid")
    cells: list[_Cell] = []
    rows = round((_LAT_RANGE[1] - _LAT_RANGE[0]) / _CELL_DEGREES)
    cols = round((_LON_RANGE[1] - _LON_RANGE[0]) / _CELL_DEGREES)
    for row in range(rows):
        lat = _LAT_RANGE[0] + (row + 0.5) * _CELL_DEGREES
        for col in range(cols):
            lon = _LON_RANGE[0] + (col + 0.5) * _CELL_DEGREES
            here = (lon, lat)
            reach, district = min((_km(here, d.centre)[2] / d.radius_km, i) for i, d in enumerate(DISTRICTS))
            if reach > 1:
                continue
            d = DISTRICTS[district]
            sx, sy, seat_km = _km(here, d.seat)
            cx, cy, _ = _km(here, d.centre)
            if seat_km <= d.urban_km:
                township = d.urban[int((math.atan2(sy, sx) + math.pi) / (2 * math.pi) * len(d.urban)) % len(d.urban)]
            else:
                township = d.rural[int((math.atan2(cy, cx) + math.pi) / (2 * math.pi) * len(d.rural)) % len(d.rural)]
            elevation = _elevation(rng, here, lat, seat_km)
            setting = (
                "core"
                if seat_km < 2.5
                else "fringe"
                if seat_km < d.urban_km
                else "plain"
                if elevation < 100
                else "hills"
                if elevation < 350
                else "mountains"
            )
            land_code, land_name, _ = _weighted(rng, _LAND_USE[setting])
            weight = (0.4 + (150 if d.code == "341702" else 60) * math.exp(-((seat_km / 3) ** 2))) * math.exp(
                -elevation / 500
            )
            if land_code in ("1101", "1104", "0602"):
                weight *= 0.05
            area = 111.32 * math.cos(math.radians(lat)) * _CELL_DEGREES * 110.57 * _CELL_DEGREES
            cells.append(
                _Cell(f"CZG-{row:03d}-{col:03d}", d, township, lon, lat, area, land_code, land_name, elevation, weight)
            )
    return cells


def _elevation(rng: random.Random, here: tuple[float, float], lat: float, seat_km: float) -> int:
    rise = 380 * min(max((30.62 - lat) / 0.5, 0.0), 1.6)
    peaks = 1100 * math.exp(-((_km(here, _JIUHUA)[2] / 6) ** 2)) + 1200 * math.exp(
        -((_km(here, _GUNIUJIANG)[2] / 8) ** 2)
    )
    valley = 1 - 0.85 * math.exp(-((seat_km / 6) ** 2))
    return max(5, round((10 + rise + peaks) * valley + rng.uniform(-40, 40)))


# --- people ----------------------------------------------------------------------------------------------


_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)
_BIRTH_YEARS = tuple(range(1926, 2027))


def _birth_weight(year: int) -> float:
    """Relative number of residents born in ``year``: an ageing population with the 1962–75 boom."""
    if year < 1940:
        return 0.05 + 0.03 * (year - 1926)
    if year < 1950:
        return 0.5
    if year < 1962:
        return 0.9
    if year < 1976:
        return 1.4
    if year < 1985:
        return 1.0
    if year < 1993:
        return 1.2
    if year < 2005:
        return 0.85
    if year < 2017:
        return 0.9
    return 0.6 if year < 2023 else 0.4


@dataclass(frozen=True)
class _Names:
    surnames: tuple[str, ...]
    male: tuple[str, ...]
    female: tuple[str, ...]


def _names(seed: int) -> _Names:
    """Pools drawn once from Faker's zh_CN lists (surnames weighted by frequency); rows sample from them."""
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    return _Names(
        tuple(fake.last_name() for _ in range(4000)),
        tuple(fake.first_name_male() for _ in range(3000)),
        tuple(fake.first_name_female() for _ in range(3000)),
    )


@dataclass(frozen=True)
class _Person:
    id_number: str
    name: str
    district: _District


def _write_persons(
    path: Path, *, seed: int, count: int, representatives: int, cells: list[_Cell], names: _Names
) -> list[_Person]:
    """Write the population file; returns the adults chosen as legal representatives, in the order chosen."""
    rng = random.Random(f"{seed}/persons")
    chosen = {index: slot for slot, index in enumerate(rng.sample(range(count), representatives))}
    reps: list[_Person | None] = [None] * representatives
    cum_years = _cumulative([_birth_weight(year) for year in _BIRTH_YEARS])
    cum_household = _cumulative([16, 29, 24, 17, 9, 4, 1])  # 1 to 7 persons
    cum_districts = _cumulative([d.people for d in DISTRICTS])
    by_district = {d.code: [cell for cell in cells if cell.district is d] for d in DISTRICTS}
    cum_cells = {code: _cumulative([cell.weight for cell in group]) for code, group in by_district.items()}
    serials: dict[tuple[str, int], int] = {}
    last_day = AS_OF.toordinal()
    with _csv(path, POPULATION) as write:
        for index in range(count):
            district = DISTRICTS[_pick(rng, cum_districts)]
            group = by_district[district.code]
            cell = group[_pick(rng, cum_cells[district.code])]
            cell.population += 1
            if index in chosen:
                year = rng.randint(1956, 2002)
            else:
                year = _BIRTH_YEARS[_pick(rng, cum_years)]
            first = date(year, 1, 1).toordinal()
            born = date.fromordinal(min(first + rng.randrange(date(year + 1, 1, 1).toordinal() - first), last_day))
            male = rng.random() < 0.51
            # 顺序码: unique per region, birth date and sex; odd for men, even for women.
            key = (district.code + ("1" if male else "0"), born.toordinal())
            k = serials.get(key, 0)
            serials[key] = k + 1
            if k >= 500:
                raise ValueError("too many persons for unique resident ID numbers; use a smaller scale")
            serial = ((k * 7 + born.toordinal() * 131) % 500) * 2 + (1 if male else 0)
            first17 = f"{district.code}{born:%Y%m%d}{serial:03d}"
            id_number = first17 + resident_id_check_char(first17)
            name = rng.choice(names.surnames) + rng.choice(names.male if male else names.female)
            age = AS_OF.year - year
            has_mobile = (
                age >= 16 and rng.random() < (0.97 if age < 75 else 0.7) or 12 <= age < 16 and rng.random() < 0.5
            )
            mobile = f"{rng.choice(_MOBILE_PREFIXES)}{rng.randrange(10**8):08d}" if has_mobile else ""
            urban = cell.township in district.urban
            hukou = "城镇" if rng.random() < (0.75 if urban else 0.15) else "农村"
            household = _pick(rng, cum_household) + 1
            write(
                (
                    id_number,
                    name,
                    "男" if male else "女",
                    born.isoformat(),
                    mobile,
                    district.code,
                    district.name,
                    cell.township,
                    cell.cell_id,
                    hukou,
                    household,
                )
            )
            if index in chosen:
                reps[chosen[index]] = _Person(id_number, name, district)
    return reps  # type: ignore[return-value]


def _cumulative(weights: list[float]) -> tuple[float, ...]:
    total = 0.0
    out = []
    for weight in weights:
        total += weight
        out.append(total)
    return tuple(value / total for value in out)


def _pick(rng: random.Random, cumulative: tuple[float, ...]) -> int:
    return min(bisect.bisect_right(cumulative, rng.random()), len(cumulative) - 1)


# --- enterprises -----------------------------------------------------------------------------------------

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
_CUM_SECTIONS = _cumulative([section[2] for section in _SECTIONS])
# Characters for trade names (字号); none is a common surname (see catalog.checks), so a 字号 never reads as a name.
_TRADE_CHARS = (
    "恒瑞鑫华泰隆昌盛达源宏兴丰益祥和安康嘉禾润泽德正信诚鸿运皖川九秋浦升腾凯越锦绣晨星宇创新远航佳美乐景天晟博睿"
)
_ROADS = (
    "长江路",
    "秋浦路",
    "翠微路",
    "清溪大道",
    "百牙路",
    "齐山大道",
    "平天湖路",
    "建设路",
    "人民路",
    "新华路",
    "工业大道",
    "站前路",
    "滨江路",
    "文化路",
)
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
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(first8, (3, 7, 9, 10, 5, 8, 4, 2)))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


@dataclass
class _Enterprise:
    code: str
    name: str
    entity_type: str
    section: tuple
    rep: _Person
    district: _District
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


def _enterprises(seed: int, reps: list[_Person]) -> list[_Enterprise]:
    rng = random.Random(f"{seed}/enterprises")
    taken_codes: set[str] = set()
    taken_names: set[str] = set()
    cum_types = _cumulative([t[2] for t in _ENTITY_TYPES])
    cum_years = _cumulative([_founding_weight(year) for year in range(1995, 2027)])
    out = []
    for rep in reps:
        section = _SECTIONS[_pick(rng, _CUM_SECTIONS)]
        district = rep.district if rng.random() < 0.8 else DISTRICTS[rng.randrange(len(DISTRICTS))]
        cooperative = section[0] == "A" and rng.random() < 0.5
        year = 1995 + _pick(rng, cum_years)
        born = int(rep.id_number[6:10])
        if year < born + 20:
            year = min(2026, born + 20 + rng.randrange(max(1, 2027 - born - 20)))
        start = date(year, 1, 1)
        span = (min(date(year, 12, 31), AS_OF) - start).days + 1
        established = start + timedelta(days=rng.randrange(span))
        if cooperative:
            entity_type, suffix = _COOPERATIVE, "专业合作社"
        else:
            entity_type, suffix, _ = _ENTITY_TYPES[_pick(rng, cum_types)]
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
            _Enterprise(
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


def _write_legal_entities(path: Path, enterprises: list[_Enterprise]) -> None:
    with _csv(path, LEGAL_ENTITIES) as write:
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


# --- e-licences ------------------------------------------------------------------------------------------


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years) - timedelta(days=1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _licences(rng: random.Random, e: _Enterprise) -> Iterator[tuple[str, str, str, date, date | None]]:
    """One enterprise's licences: (type, number prefix, issuing authority, issue date, expiry date or None)."""
    end = e.closed or AS_OF

    def between(start: date) -> date:
        return start + timedelta(days=rng.randrange(max(1, (end - start).days + 1)))

    # 营业期限 runs from establishment: mostly 长期; a fixed term has not yet run out (else the firm would be closed).
    term = (
        None if rng.random() < 0.7 else next((y for y in (20, 30, 50) if _years_after(e.established, y) >= AS_OF), None)
    )
    reissued = between(e.established) if rng.random() < 0.35 else e.established
    yield "营业执照", "YZ", e.authority, reissued, _years_after(e.established, term) if term else None
    recent = max(e.established, AS_OF - timedelta(days=7 * 365))
    if recent > end:
        return

    def permit(kind: str, prefix: str, authority: str, years: int | None) -> tuple[str, str, str, date, date | None]:
        """A permit issued in the last seven years, valid for ``years`` (None: no expiry)."""
        issued = between(recent)
        return kind, prefix, authority, issued, _years_after(issued, years) if years else None

    section = e.section[0]
    if section == "H" and rng.random() < 0.85 or section == "F" and rng.random() < 0.35 or rng.random() < 0.02:
        yield permit("食品经营许可证", "JY", e.district.market_authority, 5)
    if section == "C" and "食品" in e.name and rng.random() < 0.8:
        yield permit("食品生产许可证", "SC", "池州市市场监督管理局", 5)
    if section == "K" or section == "E" and rng.random() < 0.4:
        for _ in range(rng.randint(1, 3)):
            yield permit("建筑工程施工许可证", "SG", e.district.local("住房和城乡建设局"), None)
    if section == "E" and rng.random() < 0.7:
        yield permit("安全生产许可证", "AQ", "安徽省住房和城乡建设厅", 3)
    if section == "B" and rng.random() < 0.9:
        yield permit("安全生产许可证", "AQ", "安徽省应急管理厅", 3)
    if section in "BCD" and rng.random() < 0.35:
        yield permit("排污许可证", "PW", "池州市生态环境局", 5)
    if section == "G" and rng.random() < 0.8:
        yield permit("道路运输经营许可证", "DY", e.district.local("交通运输局"), 6)


def _write_licences(path: Path, *, seed: int, enterprises: list[_Enterprise]) -> None:
    rng = random.Random(f"{seed}/licences")
    serials: dict[str, int] = {}
    with _csv(path, E_LICENCES) as write:
        for e in enterprises:
            closed_status = {"注销": "已注销", "吊销": "已吊销"}.get(e.status)
            for kind, prefix, authority, issued, expiry in _licences(rng, e):
                serials[prefix] = serials.get(prefix, 0) + 1
                number = f"{prefix}{e.district.code}{issued.year}{serials[prefix]:06d}"
                status = closed_status or ("已过期" if expiry and expiry < AS_OF else "有效")
                write(
                    (
                        number,
                        kind,
                        e.name,
                        e.code,
                        issued.isoformat(),
                        expiry.isoformat() if expiry else "",
                        authority,
                        status,
                    )
                )


# --- credit theme ----------------------------------------------------------------------------------------


def _months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, str]]:
    """(month index, 'YYYY-MM') from first to last inclusive; month index = year * 12 + month - 1."""
    start, end = first[0] * 12 + first[1] - 1, last[0] * 12 + last[1] - 1
    return [(m, f"{m // 12}-{m % 12 + 1:02d}") for m in range(start, end + 1)]


CREDIT_MONTHS = _months((2024, 11), (2026, 10))
MACRO_MONTHS = _months((2021, 1), (2026, 10))
# Chinese New Year in February; year-end push in December.
_SEASON = (1.0, 0.78, 1.0, 0.98, 1.0, 1.04, 0.97, 0.98, 1.02, 1.0, 1.03, 1.2)


def _operating(e: _Enterprise) -> list[tuple[int, str]]:
    """The credit months in which the enterprise operates."""
    first, end = e.first_month, e.end_month
    return [(month, label) for month, label in CREDIT_MONTHS if first <= month < end]


def _money(value: float) -> str:
    return f"{value:.2f}"


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _write_tax(path: Path, *, seed: int, enterprises: list[_Enterprise]) -> None:
    rng = random.Random(f"{seed}/tax")
    with _csv(path, TAX_PAYMENTS) as write:
        for e in enterprises:
            general = e.monthly_sales > 400_000  # 一般纳税人, otherwise 小规模纳税人
            margin = rng.gauss(0.06 - 0.08 * e.risk, 0.04)
            dormant = rng.random() < 0.05 + 0.3 * e.risk
            quarter_sales = 0.0
            for month, label in _operating(e):
                sales = (
                    0.0
                    if dormant and rng.random() < 0.7
                    else e.monthly_sales * _SEASON[month % 12] * math.exp(rng.gauss(0, 0.25))
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


def _write_social_insurance(path: Path, *, seed: int, enterprises: list[_Enterprise]) -> None:
    rng = random.Random(f"{seed}/social-insurance")
    with _csv(path, SOCIAL_INSURANCE) as write:
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


def _write_utilities(path: Path, *, seed: int, enterprises: list[_Enterprise]) -> None:
    rng = random.Random(f"{seed}/utilities")
    with _csv(path, UTILITY_PAYMENTS) as write:
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
                    usage = round(level * summer_winter * _SEASON[month % 12] * math.exp(rng.gauss(0, 0.15)), 2)
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


def _tax_office(district: _District) -> str:
    return "国家税务总局" + ("池州市贵池区" if district.code == "341702" else district.name) + "税务局"


def _write_penalties(path: Path, *, seed: int, enterprises: list[_Enterprise]) -> dict[str, list[int]]:
    """Write the penalties; returns each penalised enterprise's penalty years (for its tax credit ratings)."""
    rng = random.Random(f"{seed}/penalties")
    numbers: dict[tuple[str, int], int] = {}
    years: dict[str, list[int]] = {}

    def decision_no(abbr: str, day: date) -> str:
        numbers[(abbr, day.year)] = numbers.get((abbr, day.year), 0) + 1
        return f"{abbr}罚〔{day.year}〕{numbers[(abbr, day.year)]}号"

    with _csv(path, PENALTIES) as write:
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
                kind = _weighted(rng, _PENALTY_KINDS)[0]
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
            if e.status == "吊销" and e.closed >= PENALTY_START:
                abbr = ("池" if e.region == CITY_CODE else e.district.abbr) + "市监"
                penalties.append((e.closed, e.authority, abbr, "无正当理由停业六个月以上", "吊销营业执照", 0.0))
            for day, authority, abbr, violation, kind, fine in sorted(penalties):
                write(
                    (decision_no(abbr, day), e.code, e.name, day.isoformat(), authority, violation, kind, _money(fine))
                )
                years.setdefault(e.code, []).append(day.year)
    return years


def _write_ratings(
    path: Path, *, seed: int, enterprises: list[_Enterprise], penalty_years: dict[str, list[int]]
) -> None:
    rng = random.Random(f"{seed}/ratings")
    with _csv(path, TAX_CREDIT_RATINGS) as write:
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


# --- macro-economy ---------------------------------------------------------------------------------------

# Year-on-year rates of the city in each year, around which the districts vary.
_MACRO_CPI = {2021: 100.9, 2022: 102.0, 2023: 100.2, 2024: 100.3, 2025: 99.9, 2026: 100.6}
_MACRO_INDUSTRY = {2021: 12.5, 2022: 7.2, 2023: 8.4, 2024: 9.1, 2025: 8.0, 2026: 7.4}


def _flow(rng: random.Random, annual: float, growth: float, years: float, share: float, noise: float = 0.03) -> float:
    """One month's part of an annual amount (as of January 2021) growing by ``growth`` a year."""
    return annual / 12 * (1 + growth) ** years * share * math.exp(rng.gauss(0, noise))


def _write_macro(path: Path, *, seed: int) -> None:
    rng = random.Random(f"{seed}/macro")
    with _csv(path, MACRO_ECONOMY) as write:
        for month, label in MACRO_MONTHS:
            t = (month - 2021 * 12) / 12  # years since January 2021
            season = _SEASON[month % 12]
            year = month // 12
            rows = []
            for d in DISTRICTS:
                share = d.economy
                gdp = _flow(rng, 1020, 0.058, t, share * season)
                investment = _flow(rng, 620, 0.04, t, share * season, 0.08) * (
                    1.25 if month % 12 in (5, 11) else 0.6 if month % 12 in (0, 1) else 1
                )
                retail = _flow(rng, 450, 0.06, t, share * season)
                fiscal = _flow(rng, 88, 0.03, t, share * season, 0.08)
                electricity = _flow(rng, 860_000, 0.06, t, share * season, 0.04) * (
                    1.15 if month % 12 in (0, 6, 7, 11) else 1
                )
                loans = 1250 * 1.11**t * share * math.exp(rng.gauss(0, 0.005))
                inclusive = 180 * 1.22**t * share * math.exp(rng.gauss(0, 0.01))
                new_entities = round(2600 * share * season * math.exp(rng.gauss(0, 0.12)))
                cpi = _MACRO_CPI[year] + rng.gauss(0, 0.3)
                industry = _MACRO_INDUSTRY[year] + rng.gauss(0, 1.8)
                unemployment = 3.0 + rng.gauss(0, 0.25)
                rows.append(
                    (
                        d.code,
                        d.name,
                        gdp,
                        industry,
                        investment,
                        retail,
                        cpi,
                        fiscal,
                        electricity,
                        loans,
                        inclusive,
                        unemployment,
                        new_entities,
                    )
                )
            total = [CITY_CODE, "池州市"]
            weights = [row[2] for row in rows]
            for column in range(2, 13):
                values = [row[column] for row in rows]
                if column in (3, 6, 11):  # rates and indices: weighted by output
                    total.append(sum(v * w for v, w in zip(values, weights)) / sum(weights))
                else:
                    total.append(sum(values))
            for row in [tuple(total), *rows]:
                code, name, *values = row
                *amounts, new_entities = values
                write((label, code, name, *(f"{value:.2f}" for value in amounts), new_entities))


# --- writing ---------------------------------------------------------------------------------------------

_FIELD_NAMES = {
    resource.description["code"]: [spec["name"] for spec in resource.description["fields"]]
    for resource in PILOT_RESOURCES
}


@contextmanager
def _csv(path: Path, code: str) -> Iterator[Callable[[Iterable[object]], object]]:
    """A UTF-8 CSV of one resource, its header the field names; yields the function that writes a row."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(_FIELD_NAMES[code])
        yield writer.writerow


def write_sources(folder: Path, *, scale: float = 1.0, seed: int = 2026) -> dict[str, Path]:
    """Write one CSV per pilot resource into ``folder``; returns {resource code: path}.

    ``scale`` 1 gives about 100,000 persons and 10,000 enterprises, other tables in proportion (the grid and
    the macro series keep their size). The same seed gives the same bytes.
    """
    if not scale > 0:
        raise ValueError("scale must be positive")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        resource.description["code"]: folder / f"{resource.description['code']}.csv" for resource in PILOT_RESOURCES
    }
    cells = _grid(seed)
    persons, firms = person_count(scale), enterprise_count(scale)
    reps = _write_persons(
        paths[POPULATION],
        seed=seed,
        count=persons,
        representatives=min(firms, persons),
        cells=cells,
        names=_names(seed),
    )
    _write_grid(paths[SPATIAL_GRID], cells)
    enterprises = _enterprises(seed, reps)
    _write_legal_entities(paths[LEGAL_ENTITIES], enterprises)
    _write_licences(paths[E_LICENCES], seed=seed, enterprises=enterprises)
    _write_macro(paths[MACRO_ECONOMY], seed=seed)
    _write_tax(paths[TAX_PAYMENTS], seed=seed, enterprises=enterprises)
    _write_social_insurance(paths[SOCIAL_INSURANCE], seed=seed, enterprises=enterprises)
    _write_utilities(paths[UTILITY_PAYMENTS], seed=seed, enterprises=enterprises)
    penalty_years = _write_penalties(paths[PENALTIES], seed=seed, enterprises=enterprises)
    _write_ratings(paths[TAX_CREDIT_RATINGS], seed=seed, enterprises=enterprises, penalty_years=penalty_years)
    return paths


def _write_grid(path: Path, cells: list[_Cell]) -> None:
    with _csv(path, SPATIAL_GRID) as write:
        for c in cells:
            write(
                (
                    c.cell_id,
                    c.district.code,
                    c.district.name,
                    c.township,
                    f"{c.lon:.6f}",
                    f"{c.lat:.6f}",
                    f"{c.area:.4f}",
                    c.land_code,
                    c.land_name,
                    c.elevation,
                    c.population,
                )
            )


def rows(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a written file, as dicts (for tests and the demo's own checks)."""
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)
