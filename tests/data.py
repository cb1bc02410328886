"""Synthetic people and companies for tests: valid identifiers, made up, never real."""

from __future__ import annotations

import random
from datetime import date, timedelta

from pubdata.common.ids import credit_code_check_char, resident_id_check_char

# Chizhou's districts and counties (贵池区, 东至县, 石台县, 青阳县).
CHIZHOU_REGIONS = ("341702", "341721", "341722", "341723")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def resident_id(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
    first17 = f"{rng.choice(CHIZHOU_REGIONS)}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + resident_id_check_char(first17)


def bad_check(valid: str, alphabet: str = "0123456789X") -> str:
    """The same number with a different (wrong) check character."""
    return valid[:-1] + next(c for c in alphabet if c != valid[-1])


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(0, 10**9):09d}"


def credit_code(rng: random.Random) -> str:
    first17 = f"91341700MA{rng.randrange(0, 10**7):07d}"
    return first17 + credit_code_check_char(first17)


PERSON_FIELDS = [
    {
        "name": "id_number",
        "label": "公民身份号码",
        "format": "resident_id",
        "required": True,
        "sensitivity": "sensitive",
        "pipl_category": "identity_document",
    },
    {"name": "full_name", "label": "姓名", "format": "person_name", "required": True, "sensitivity": "personal"},
    {"name": "phone", "label": "手机号码", "format": "mobile", "sensitivity": "personal"},
    {"name": "birth_date", "label": "出生日期", "type": "date", "sensitivity": "personal"},
    {"name": "district", "label": "所属区县"},
    {"name": "household_size", "label": "家庭人口数", "type": "integer"},
]


def person_rows(n: int, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    districts = ("贵池区", "东至县", "石台县", "青阳县")
    rows = []
    for _ in range(n):
        number = resident_id(rng)
        rows.append(
            {
                "id_number": number,
                "full_name": person_name(rng),
                "phone": mobile(rng),
                "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
                "district": rng.choice(districts),
                "household_size": str(rng.randrange(1, 7)),
            }
        )
    return rows


def csv_text(rows: list[dict[str, str]], header: list[str] | None = None) -> str:
    header = header or list(rows[0])
    lines = [",".join(header)] + [",".join(row.get(column, "") for column in header) for row in rows]
    return "\n".join(lines) + "\n"


def resource_body(code: str = "CZ-RK-0001", name: str = "人口基础信息库", fields=None, **extra) -> dict:
    return {
        "code": code,
        "name": name,
        "description": "池州市常住人口基础信息（合成数据）",
        "sector": "public_security",
        "base_library": "population",
        "update_frequency": "monthly",
        "time_span": "2015 至今",
        "sharing": "conditional",
        "opening": "closed",
        "declared_grade": "general-2",
        "fields": PERSON_FIELDS if fields is None else fields,
        **extra,
    }
