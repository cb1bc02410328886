"""Mock data (模拟数据) for the development sandbox: synthetic rows with a resource's schema, made by the platform.

Partners and operators write and try their SQL and Python on these freely; only reviewed jobs touch the real
rows. The rows should look like the real ones — so that code written against them runs on the real data and a
developer can read what it prints — yet nothing in a mock table comes from a person. Each field gets a
generator by what its declaration says it is:

- **people and firms.** A pool of synthetic residents and one of synthetic firms, the same for every table
  made with one seed, so that joins on ID numbers or credit codes find each other across mock tables as they
  do across real ones. A row names one person and one firm; its personal fields come from that person: a
  Faker zh_CN name matching the person's sex, a Faker mobile, a resident ID with the person's birth date and
  sex and a valid GB 11643 check digit; its credit code carries a valid GB 11714 and GB 32100 check. IDs and
  credit codes come from reserved ranges nobody can hold (``common.ids``: IDs begin ``00``, credit codes
  ``0``), so a mock value can never be mistaken for, or leak, a real one.
- **categories** come from the field's declared values (``FieldSpec.values``), with their real proportions
  where the real column is non-personal and every value is shared by at least ``min_group_size`` rows;
  without declared values, the real categories under the same condition; for a personal field, the options
  its description lists (``男 / 女``). A field's values never become ``性别00``.
- **places** stay inside each other: a column that in the real data is determined by another (a township
  lies in one district, a district has one code) is drawn with it, from the real combinations; where the
  real data gives none, townships, districts and addresses come from the city's divisions (``common.places``),
  a township inside the row's district.
- **numbers and dates** follow the real column's quantiles (5th, 25th, 50th, 75th, 95th percentile), so amounts
  are skewed as real amounts are while an extreme value of one person is never copied; without real values,
  amounts are log-normal and dates fall within recent years; birth dates come from the person.
- **missing values** are missing as often as in the real column (a share, a group-level fact).

SmartNoise-style synthesizers would keep every correlation; the sandbox needs shapes, ranges and the joins,
and this stays fast. The same fields, real profile and seed always give the same rows.
"""

from __future__ import annotations

import math
import random
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from faker import Faker

from pubdata.catalog.schemas import FieldSpec
from pubdata.common import places
from pubdata.common.ids import synthetic_credit_code, synthetic_resident_id
from pubdata.engines.duckdb import quote

# The generator's version, part of a mock file's name: a better generator makes new files, not stale ones.
VERSION = 2
MOCK_ROWS = 1000
POOL = 1000  # synthetic residents and firms every mock table draws from (at least as many as its rows)
MAX_CATEGORIES = 100
COVERAGE = 0.8  # the share of a column its frequent values must cover to be its categories
MAX_LINKED = 12  # categorical columns looked at for one determining another
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
BIRTHS = (date(1935, 1, 1), date(2020, 12, 31))
RECENT = (date(2015, 1, 1), date(2025, 12, 31))
ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "decimal": pa.float64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "boolean": pa.bool_(),
}
# GB/T 4754-2017 sections, for a firm's industry where the real data gives no categories.
INDUSTRIES = (
    ("A", "农、林、牧、渔业", 8),
    ("B", "采矿业", 1),
    ("C", "制造业", 14),
    ("D", "电力、热力、燃气及水生产和供应业", 1),
    ("E", "建筑业", 9),
    ("F", "批发和零售业", 28),
    ("G", "交通运输、仓储和邮政业", 4),
    ("H", "住宿和餐饮业", 6),
    ("I", "信息传输、软件和信息技术服务业", 4),
    ("J", "金融业", 1),
    ("K", "房地产业", 3),
    ("L", "租赁和商务服务业", 8),
    ("M", "科学研究和技术服务业", 5),
    ("N", "水利、环境和公共设施管理业", 1),
    ("O", "居民服务、修理和其他服务业", 3),
    ("P", "教育", 1),
    ("Q", "卫生和社会工作", 1),
    ("R", "文化、体育和娱乐业", 3),
)
ENTITY_TYPES = (
    ("有限责任公司（自然人投资或控股）", 55),
    ("有限责任公司（自然人独资）", 25),
    ("股份有限公司", 3),
    ("个人独资企业", 10),
    ("合伙企业", 3),
    ("农民专业合作社", 4),
)
# Options a description lists: "男 / 女", "存续 / 注销 / 吊销".
OPTIONS = re.compile(r"^\s*[^/，,。；;]{1,12}(\s*/\s*[^/，,。；;]{1,12}){1,19}\s*$")


@dataclass
class Profile:
    """What the generator may know of a real column: only group-level facts."""

    categories: list[tuple[Any, int]] = field(default_factory=list)
    quantiles: list[float] = field(default_factory=list)  # numbers, or dates as ordinals
    null_share: float = 0.0
    true_share: float = 0.5
    unique: bool = False


@dataclass(frozen=True)
class Person:
    number: str
    name: str
    sex: str  # 男 | 女
    born: date
    mobile: str
    division: places.Division
    township: str


@dataclass(frozen=True)
class Firm:
    code: str
    name: str
    division: places.Division
    township: str
    industry: tuple[str, str, int]
    entity_type: str


# --- what a field is ----------------------------------------------------------------------------------


def _says(spec: FieldSpec, *words: str) -> bool:
    text = f"{spec.label} {spec.name}".lower()
    return any(word in text for word in words)


def _is_township(spec: FieldSpec) -> bool:
    return _says(spec, "乡镇", "街道", "township", "town")


def _is_district_code(spec: FieldSpec) -> bool:
    return _says(spec, "区县代码", "区划代码", "district_code", "region_code")


def _is_district(spec: FieldSpec) -> bool:
    return not _is_district_code(spec) and _says(spec, "区县", "district", "county")


def _is_address(spec: FieldSpec) -> bool:
    return _says(spec, "地址", "住所", "住址", "address")


def _is_birth(spec: FieldSpec) -> bool:
    return _says(spec, "出生", "birth")


def _is_sex(spec: FieldSpec) -> bool:
    return _says(spec, "性别", "gender", "sex")


def _is_code(spec: FieldSpec) -> bool:
    return _says(spec, "编号", "编码", "代码", "号码", "_no", "_code", "_id") or spec.name.endswith("no")


def _is_firm_name(spec: FieldSpec) -> bool:
    return spec.label.endswith("名称") or spec.name.endswith("name")


def _listed_options(spec: FieldSpec) -> tuple[str, ...]:
    if not OPTIONS.match(spec.description):
        return ()
    return tuple(option.strip() for option in spec.description.split("/"))


# --- the real column's profile ------------------------------------------------------------------------


def _profile(con: duckdb.DuckDBPyConnection, spec: FieldSpec, min_group_size: int) -> Profile:
    column, profile = quote(spec.name), Profile()
    nulls, distinct, total = con.execute(
        f"SELECT count(*) - count({column}), count(DISTINCT {column}), count({column}) FROM real"
    ).fetchone() or (0, 0, 0)
    rows = nulls + total
    profile.null_share = 0.0 if spec.required or not rows else nulls / rows
    profile.unique = total > 0 and distinct == total
    if spec.type == "string" and spec.sensitivity == "none":
        categories = con.execute(
            f"SELECT {column}, count(*) FROM real WHERE {column} IS NOT NULL AND {column} <> '' GROUP BY ALL "
            f"ORDER BY 2 DESC, 1 LIMIT {MAX_CATEGORIES + 1}"
        ).fetchall()
        # The values each shared by at least k rows, if they are most of the column: a rare value is never
        # copied, and a column of mostly unique values (names of things, free text) has no categories.
        frequent = [(value, n) for value, n in categories[:MAX_CATEGORIES] if n >= min_group_size]
        if frequent and sum(n for _, n in frequent) >= COVERAGE * total:
            profile.categories = frequent
    elif spec.type in ("integer", "decimal", "date", "timestamp") and total:
        parts = ", ".join(f"quantile_disc({column}, {q})" for q in QUANTILES)
        found = con.execute(f"SELECT {parts} FROM real").fetchone() or ()
        profile.quantiles = [_ordinal(value) for value in found if value is not None]
    elif spec.type == "boolean" and total:
        share = con.execute(f"SELECT avg(CASE WHEN {column} THEN 1.0 ELSE 0.0 END) FROM real").fetchone()
        profile.true_share = float(share[0]) if share and share[0] is not None else 0.5
    return profile


def _ordinal(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, date):
        return float(value.toordinal())
    return float(value)


def _categories(spec: FieldSpec, profile: Profile) -> list[tuple[Any, float]]:
    """The values a field is drawn from, with weights: its declared values (weighted as in the real data where
    it may say), else the real categories, else the options its description lists."""
    if spec.values:
        real = dict(profile.categories)
        # A declared value the real data lacks (or may not show) is still drawn, rarely.
        return [(value, float(real.get(value, 0)) or (0.5 if real else 1.0)) for value in spec.values]
    if profile.categories:
        return [(value, float(n)) for value, n in profile.categories]
    if _is_sex(spec):
        return []  # from the row's person, so that the name and the ID agree with it
    return [(option, 1.0) for option in _listed_options(spec)]


def _links(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> dict[str, dict[str, dict[Any, Any]]]:
    """For each categorical column, the others it determines in the real data (a township its district):
    {determining: {determined: {value: value}}}."""
    links: dict[str, dict[str, dict[Any, Any]]] = {}
    names = list(names)[:MAX_LINKED]
    for child in names:
        for parent in names:
            if parent == child:
                continue
            c, p = quote(child), quote(parent)
            pairs = con.execute(
                f"SELECT DISTINCT {c}, {p} FROM real WHERE {c} IS NOT NULL AND {p} IS NOT NULL LIMIT 1001"
            ).fetchall()
            mapping = dict(pairs)
            if 0 < len(pairs) <= MAX_CATEGORIES and len(mapping) == len(pairs):
                links.setdefault(child, {})[parent] = mapping
    return links


# --- the pools of people and firms --------------------------------------------------------------------


def _pools(seed: int, size: int) -> tuple[list[Person], list[Firm]]:
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(f"{seed}/pools")
    weights = [len(division.townships) for division in places.DIVISIONS]
    persons, taken = [], set()
    for _ in range(size):
        division = rng.choices(places.DIVISIONS, weights)[0]
        sex = "男" if rng.random() < 0.51 else "女"
        born = _between(rng, *BIRTHS)
        serial = rng.randrange(500) * 2 + (1 if sex == "男" else 0)
        number = synthetic_resident_id(division.code, born, serial)
        while number in taken:
            serial = (serial + 2) % 1000
            number = synthetic_resident_id(division.code, born, serial)
        taken.add(number)
        given = fake.first_name_male() if sex == "男" else fake.first_name_female()
        persons.append(
            Person(number, fake.last_name() + given, sex, born, fake.phone_number(), division, _town(rng, division))
        )
    # The firms have their own draws, so that the first persons and firms are the same whatever the size.
    fake.seed_instance(seed + 2)
    rng = random.Random(f"{seed}/firms")
    firms = []
    for index in range(size):
        division = rng.choices(places.DIVISIONS, weights)[0]
        body = f"{(index * 48271 + seed * 7919 + 10_000_000) % 100_000_000:08d}"  # a bijection: no code twice
        industry = rng.choices(INDUSTRIES, [weight for *_, weight in INDUSTRIES])[0]
        entity_type = rng.choices([name for name, _ in ENTITY_TYPES], [weight for _, weight in ENTITY_TYPES])[0]
        code, name = synthetic_credit_code(division.code, body), f"池州{fake.company()}"
        firms.append(Firm(code, name, division, _town(rng, division), industry, entity_type))
    return persons, firms


def _town(rng: random.Random, division: places.Division) -> str:
    return rng.choice(division.townships)


def _between(rng: random.Random, low: date, high: date) -> date:
    return date.fromordinal(rng.randint(low.toordinal(), high.toordinal()))


def _address(rng: random.Random, division: places.Division, township: str) -> str:
    return f"{places.PROVINCE}{places.CITY}{division.name}{township}{rng.choice(places.ROADS)}{rng.randint(1, 399)}号"


# --- one row ------------------------------------------------------------------------------------------


@dataclass
class _Table:
    fields: list[FieldSpec]
    profiles: dict[str, Profile]
    links: dict[str, dict[str, dict[Any, Any]]]
    persons: list[Person]
    firms: list[Firm]
    fake: Faker

    def __post_init__(self) -> None:
        self.choices = {spec.name: _categories(spec, self.profiles[spec.name]) for spec in self.fields}
        # Draw the most specific categories first: the columns they determine follow from them.
        self.order = sorted(
            (spec for spec in self.fields if self.choices[spec.name]), key=lambda spec: -len(self.choices[spec.name])
        )
        self.unique_person = any(
            spec.format == "resident_id" and self.profiles[spec.name].unique for spec in self.fields
        )
        self.unique_firm = any(spec.format == "credit_code" and self.profiles[spec.name].unique for spec in self.fields)
        self.has_firm = any(spec.format == "credit_code" for spec in self.fields)

    def row(self, index: int, rng: random.Random) -> dict[str, Any]:
        person = self.persons[index % len(self.persons) if self.unique_person else rng.randrange(len(self.persons))]
        for _ in range(20):  # a firm's person (its legal representative) is an adult
            if not self.has_firm or self.unique_person or person.born.year <= RECENT[1].year - 18:
                break
            person = self.persons[rng.randrange(len(self.persons))]
        firm = self.firms[index % len(self.firms) if self.unique_firm else rng.randrange(len(self.firms))]
        values: dict[str, Any] = {}
        for spec in self.order:
            if spec.name in values:
                continue
            options, weights = zip(*self.choices[spec.name], strict=True)
            values[spec.name] = rng.choices(options, weights)[0]
            for name, mapping in self.links.get(spec.name, {}).items():
                if name not in values and values[spec.name] in mapping:
                    values[name] = mapping[values[spec.name]]
        division, township = self._place(values, firm if self.has_firm else person)
        for spec in self.fields:
            if spec.name not in values:
                values[spec.name] = self._value(spec, index, rng, person, firm, division, township)
            if self.profiles[spec.name].null_share and not self._key(spec):
                if rng.random() < self.profiles[spec.name].null_share:
                    values[spec.name] = None
        return values

    def _key(self, spec: FieldSpec) -> bool:
        return spec.format in ("resident_id", "credit_code") and self.profiles[spec.name].unique

    def _place(self, values: dict[str, Any], owner: Person | Firm) -> tuple[places.Division, str]:
        """The row's district and township: from its drawn categories where they name one, else its owner's."""
        division, township = None, None
        for value in values.values():
            if not isinstance(value, str):
                continue
            division = division or places.BY_NAME.get(value) or places.BY_CODE.get(value)
            found = places.district_of_township(value)
            if found and (division is None or found is division):
                division, township = found, value
        division = division or owner.division
        if township is None:
            township = owner.township if owner.division is division else division.townships[0]
        return division, township

    def _value(
        self,
        spec: FieldSpec,
        index: int,
        rng: random.Random,
        person: Person,
        firm: Firm,
        division: places.Division,
        township: str,
    ) -> Any:
        if spec.format == "resident_id":
            return person.number
        if spec.format == "person_name":
            return person.name
        if spec.format == "mobile":
            return person.mobile
        if spec.format == "credit_code":
            return firm.code
        if spec.type == "string":
            return self._text(spec, index, rng, person, firm, division, township)
        if spec.type == "boolean":
            return rng.random() < self.profiles[spec.name].true_share
        if spec.type == "date" and _is_birth(spec):
            return person.born
        if spec.type == "integer" and _says(spec, "年龄", "age"):
            return max(0, RECENT[1].year - person.born.year)
        return _number_or_date(spec, self.profiles[spec.name].quantiles, rng)

    def _text(
        self,
        spec: FieldSpec,
        index: int,
        rng: random.Random,
        person: Person,
        firm: Firm,
        division: places.Division,
        township: str,
    ) -> str:
        if _is_sex(spec):
            return person.sex
        if _is_township(spec):
            return township
        if _is_district_code(spec):
            return division.code
        if _is_district(spec):
            return division.name
        if _is_address(spec):
            return _address(rng, division, township)
        if spec.sensitivity == "none" and self.has_firm:
            if _says(spec, "行业", "industry"):
                return firm.industry[0] if _is_code(spec) else firm.industry[1]
            if _says(spec, "企业类型", "主体类型", "entity_type"):
                return firm.entity_type
            if _is_firm_name(spec):
                return firm.name
        if _says(spec, "月份", "month", "期间", "period"):
            return f"{rng.randint(RECENT[0].year, RECENT[1].year)}-{rng.randint(1, 12):02d}"
        if _says(spec, "年度", "year"):
            return str(rng.randint(RECENT[0].year, RECENT[1].year))
        if _is_code(spec):
            initials = "".join(part[0] for part in spec.name.split("_") if part).upper()[:3]
            return f"{initials}{index + 1:08d}"
        return self.fake.sentence(nb_words=4).rstrip(".")


def _number_or_date(spec: FieldSpec, quantiles: list[float], rng: random.Random) -> Any:
    """A value from the real quantiles (piecewise linear between them), or a plausible default."""
    if len(quantiles) == len(QUANTILES):
        u = rng.uniform(QUANTILES[0], QUANTILES[-1])
        at = min(bisect_right(QUANTILES, u), len(QUANTILES) - 1)
        low_q, high_q = QUANTILES[at - 1], QUANTILES[at]
        low, high = quantiles[at - 1], quantiles[at]
        drawn = low + (high - low) * (u - low_q) / (high_q - low_q)
    elif spec.type in ("integer", "decimal"):
        # Amounts and counts are skewed: most small, a few large (log-normal around a round median).
        drawn = math.exp(rng.gauss(math.log(100), 1.0) if spec.type == "decimal" else rng.gauss(math.log(4), 0.7))
    elif spec.type == "date":
        drawn = float(_between(rng, *RECENT).toordinal())
    else:
        drawn = datetime(RECENT[0].year, 1, 1).timestamp() + rng.random() * 11 * 365 * 86400
    if spec.type == "integer":
        return round(drawn)
    if spec.type == "decimal":
        return round(drawn, 2)
    if spec.type == "date":
        return date.fromordinal(round(drawn))
    return datetime.fromtimestamp(round(drawn))


def mock_rows(
    fields: list[FieldSpec],
    profiles: dict[str, Profile] | None = None,
    links: dict[str, dict[str, dict[Any, Any]]] | None = None,
    *,
    rows: int = MOCK_ROWS,
    seed: int = 0,
) -> dict[str, list[Any]]:
    """``rows`` synthetic rows of ``fields``, column by column, from the real columns' ``profiles`` (none: the
    declarations alone). The same arguments always give the same rows."""
    profiles = profiles or {}
    persons, firms = _pools(seed, max(POOL, rows))
    fake = Faker("zh_CN")
    fake.seed_instance(seed + 1)
    table = _Table(
        fields, {spec.name: profiles.get(spec.name, Profile()) for spec in fields}, links or {}, persons, firms, fake
    )
    rng = random.Random(f"{seed}/rows")
    columns: dict[str, list[Any]] = {spec.name: [] for spec in fields}
    for index in range(rows):
        for name, value in table.row(index, rng).items():
            columns[name].append(float(value) if isinstance(value, Decimal) else value)
    return columns


def write_mock(
    *,
    fields: list[FieldSpec],
    real_path: Path,
    target: Path,
    min_group_size: int = 10,
    rows: int = MOCK_ROWS,
    seed: int = 0,
) -> Path:
    """Write ``rows`` synthetic rows with ``fields``' schema to ``target`` (Parquet) and return it."""
    con = duckdb.connect()
    try:
        con.execute(f"CREATE VIEW real AS SELECT * FROM read_parquet('{real_path.resolve()}')")
        profiles = {spec.name: _profile(con, spec, min_group_size) for spec in fields}
        linked = [spec.name for spec in fields if profiles[spec.name].categories]
        links = _links(con, linked)
    finally:
        con.close()
    columns = mock_rows(fields, profiles, links, rows=rows, seed=seed)
    table = pa.table({spec.name: pa.array(columns[spec.name], type=ARROW_TYPES[spec.type]) for spec in fields})
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    pq.write_table(table, partial)
    partial.replace(target)
    return target
