"""The city's administrative divisions (行政区划): its districts and counties (GB/T 2260 codes) and the
townships and streets (乡镇、街道) inside each.

One table for everything that names a place: the pilot data's generators (``demo.pilot.districts``) and the
mock data of the development sandbox (``queries.mock``), so that a township is always inside its district.
"""

from __future__ import annotations

from dataclasses import dataclass

PROVINCE = "安徽省"
CITY = "池州市"
CITY_CODE = "341700"


@dataclass(frozen=True)
class Division:
    """A county-level district: its code, its name, its urban streets (and seat town) and its rural townships."""

    code: str
    name: str
    urban: tuple[str, ...]
    rural: tuple[str, ...]

    @property
    def townships(self) -> tuple[str, ...]:
        return self.urban + self.rural


DIVISIONS: tuple[Division, ...] = (
    Division(
        "341702",
        "贵池区",
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
    ),
    Division(
        "341721",
        "东至县",
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
    ),
    Division(
        "341722",
        "石台县",
        ("仁里镇",),
        ("七都镇", "丁香镇", "小河镇", "横渡镇", "仙寓镇", "矶滩乡", "大演乡"),
    ),
    Division(
        "341723",
        "青阳县",
        ("蓉城镇",),
        ("木镇镇", "庙前镇", "陵阳镇", "新河镇", "丁桥镇", "朱备镇", "杨田镇", "酉华镇", "杜村乡", "乔木乡"),
    ),
)
BY_CODE = {division.code: division for division in DIVISIONS}
BY_NAME = {division.name: division for division in DIVISIONS}
# Roads of the city's towns, for street addresses.
ROADS = (
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


def district_of_township(township: str) -> Division | None:
    return next((division for division in DIVISIONS if township in division.townships), None)
