"""The spatial-geography library (空间地理): the 0.01° grid over the city and its file.

Each cell gets a district and township, an elevation that rises from the Yangtze towards the southern
hills and peaks at 九华山 and 牯牛降, a main land use and a weight for where people live. The population
generator counts its residents into the cells, so the grid's file is written after the population's.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

from pubdata.demo.pilot.common import table, weighted
from pubdata.demo.pilot.descriptions import SPATIAL_GRID
from pubdata.demo.pilot.districts import DISTRICTS, District

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
class Cell:
    """One grid cell; ``population`` counts the residents placed in it as the population is written."""

    cell_id: str
    district: District
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
    """The offset (east, north) and distance in kilometres from b to a, flat at the city's latitude."""
    dx = (a[0] - b[0]) * 111.32 * math.cos(math.radians(30.3))
    dy = (a[1] - b[1]) * 110.57
    return dx, dy, math.hypot(dx, dy)


def build_grid(seed: int) -> list[Cell]:
    """Cells of 0.01° over the city: each belongs to the district nearest in units of its radius, if within it."""
    rng = random.Random(f"{seed}/grid")
    cells: list[Cell] = []
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
            land_code, land_name, _ = weighted(rng, _LAND_USE[setting])
            weight = (0.4 + (150 if d.code == "341702" else 60) * math.exp(-((seat_km / 3) ** 2))) * math.exp(
                -elevation / 500
            )
            if land_code in ("1101", "1104", "0602"):
                weight *= 0.05
            area = 111.32 * math.cos(math.radians(lat)) * _CELL_DEGREES * 110.57 * _CELL_DEGREES
            cells.append(
                Cell(f"CZG-{row:03d}-{col:03d}", d, township, lon, lat, area, land_code, land_name, elevation, weight)
            )
    return cells


def _elevation(rng: random.Random, here: tuple[float, float], lat: float, seat_km: float) -> int:
    rise = 380 * min(max((30.62 - lat) / 0.5, 0.0), 1.6)
    peaks = 1100 * math.exp(-((_km(here, _JIUHUA)[2] / 6) ** 2)) + 1200 * math.exp(
        -((_km(here, _GUNIUJIANG)[2] / 8) ** 2)
    )
    valley = 1 - 0.85 * math.exp(-((seat_km / 6) ** 2))
    return max(5, round((10 + rise + peaks) * valley + rng.uniform(-40, 40)))


def write_grid(path: Path, cells: list[Cell]) -> None:
    with table(path, SPATIAL_GRID) as write:
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
