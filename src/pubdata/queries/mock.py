"""Mock data (模拟数据) for the development sandbox: synthetic rows with a resource's schema, made by the platform.

Partners and operators write and try their SQL and Python on these freely; only reviewed jobs touch the real
rows. Nothing in a mock table comes from a person:
- personal fields (ID numbers, names, mobiles, other personal text) are invented with Faker zh_CN, with valid
  check characters so that code which validates them runs as it will on the real data;
- a non-personal text field keeps its real categories only when there are few of them (≤ 100) and each is
  shared by at least ``min_group_size`` rows, with their real proportions; otherwise invented labels;
- numbers and dates are drawn uniformly between the real 5th and 95th percentiles, so an extreme value of one
  person is never copied.
SmartNoise-style synthesizers would keep correlations between columns; the development sandbox needs the
shape and the ranges, not the correlations, and this stays fast and dependency-free.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from faker import Faker

from pubdata.catalog.schemas import FieldSpec
from pubdata.common.ids import CREDIT_ALPHABET, credit_code_check_char
from pubdata.engines.duckdb import quote

MOCK_ROWS = 1000
MAX_CATEGORIES = 100
# Where a column's real values give no range (an empty table), the mock's values come from these.
DEFAULT_RANGES: dict[str, tuple[Any, Any]] = {
    "integer": (0, 100),
    "decimal": (0, 1000),
    "date": (date(2020, 1, 1), date(2025, 12, 31)),
    "timestamp": (datetime(2020, 1, 1), datetime(2025, 12, 31)),
}
ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "decimal": pa.float64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "boolean": pa.bool_(),
}


def _profile(con: duckdb.DuckDBPyConnection, spec: FieldSpec, min_group_size: int) -> dict:
    """What the generator may know of a real column: only group-level facts."""
    column = quote(spec.name)
    if spec.type == "string":
        categories = con.execute(
            f"SELECT {column}, count(*) FROM real WHERE {column} IS NOT NULL GROUP BY ALL ORDER BY 2 DESC LIMIT "
            f"{MAX_CATEGORIES + 1}"
        ).fetchall()
        if (
            spec.sensitivity == "none"
            and 0 < len(categories) <= MAX_CATEGORIES
            and min(n for _, n in categories) >= min_group_size
        ):
            return {"categories": categories}
        return {}
    if spec.type in ("integer", "decimal", "date", "timestamp"):
        low, high = con.execute(
            f"SELECT quantile_disc({column}, 0.05), quantile_disc({column}, 0.95) FROM real"
        ).fetchone() or (None, None)
        return {"low": low, "high": high} if low is not None else {}
    return {}


def _credit_code(rng: random.Random) -> str:
    first17 = "91" + "341702" + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9))
    return first17 + credit_code_check_char(first17)


def _value(spec: FieldSpec, profile: dict[str, Any], rng: random.Random, fake: Faker, index: int):  # noqa: ANN202
    if spec.format == "resident_id":
        return fake.ssn()
    if spec.format == "person_name":
        return fake.name()
    if spec.format == "mobile":
        return fake.phone_number()
    if spec.format == "credit_code":
        return _credit_code(rng)
    if spec.type == "string":
        if "categories" in profile:
            values, weights = zip(*profile["categories"], strict=True)
            return rng.choices(values, weights)[0]
        return fake.address() if "地址" in spec.label or "address" in spec.name else f"{spec.label}{index % 50:02d}"
    if spec.type == "boolean":
        return rng.random() < 0.5
    low, high = (profile["low"], profile["high"]) if "low" in profile else DEFAULT_RANGES[spec.type]
    if spec.type == "integer":
        return rng.randint(int(low), int(high))
    if spec.type == "decimal":
        return round(rng.uniform(float(low), float(high)), 2)
    if spec.type == "date":
        return low + timedelta(days=rng.randint(0, (high - low).days))
    return low + timedelta(seconds=rng.randint(0, int((high - low).total_seconds())))


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
    finally:
        con.close()
    rng, fake = random.Random(seed), Faker("zh_CN")
    fake.seed_instance(seed)
    columns: dict[str, list[object]] = {spec.name: [] for spec in fields}
    for index in range(rows):
        for spec in fields:
            value = _value(spec, profiles[spec.name], rng, fake, index)
            columns[spec.name].append(float(value) if isinstance(value, Decimal) else value)
    table = pa.table({spec.name: pa.array(columns[spec.name], type=ARROW_TYPES[spec.type]) for spec in fields})
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    pq.write_table(table, partial)
    partial.replace(target)
    return target
