"""The population library (人口): residents with valid resident ID numbers, living in the grid's cells.

Names are drawn from pools taken once from Faker's zh_CN lists. Some adults are set aside as the legal
representatives of the enterprises, so the legal-entity library can name real residents of this one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pubdata.common.ids import resident_id_check_char
from pubdata.demo.pilot.common import AS_OF, cumulative, pick, table
from pubdata.demo.pilot.descriptions import POPULATION
from pubdata.demo.pilot.districts import DISTRICTS, District
from pubdata.demo.pilot.spatial import Cell

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
class Names:
    """Pools of surnames and given names that the rows sample from."""

    surnames: tuple[str, ...]
    male: tuple[str, ...]
    female: tuple[str, ...]


def name_pools(seed: int) -> Names:
    """Pools drawn once from Faker's zh_CN lists (surnames weighted by frequency); rows sample from them."""
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    return Names(
        tuple(fake.last_name() for _ in range(4000)),
        tuple(fake.first_name_male() for _ in range(3000)),
        tuple(fake.first_name_female() for _ in range(3000)),
    )


@dataclass(frozen=True)
class Person:
    """A resident chosen as an enterprise's legal representative."""

    id_number: str
    name: str
    district: District


# The published age bands (年龄段) of the population library: coarse enough to group and filter on, which the
# birth date itself, a personal field, never is.
AGE_BANDS = ((15, "0-14岁"), (25, "15-24岁"), (45, "25-44岁"), (60, "45-59岁"), (80, "60-79岁"))
OLDEST_BAND = "80岁及以上"


def age_band(born: date) -> str:
    """A person's age band on the data's date (``AS_OF``), by completed years."""
    age = AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))
    return next((band for limit, band in AGE_BANDS if age < limit), OLDEST_BAND)


def write_persons(
    path: Path, *, seed: int, count: int, representatives: int, cells: list[Cell], names: Names
) -> list[Person]:
    """Write the population file; returns the adults chosen as legal representatives, in the order chosen."""
    rng = random.Random(f"{seed}/persons")
    chosen = {index: slot for slot, index in enumerate(rng.sample(range(count), representatives))}
    reps: list[Person | None] = [None] * representatives
    cum_years = cumulative([_birth_weight(year) for year in _BIRTH_YEARS])
    cum_household = cumulative([16, 29, 24, 17, 9, 4, 1])  # 1 to 7 persons
    cum_districts = cumulative([d.people for d in DISTRICTS])
    by_district = {d.code: [cell for cell in cells if cell.district is d] for d in DISTRICTS}
    cum_cells = {code: cumulative([cell.weight for cell in group]) for code, group in by_district.items()}
    serials: dict[tuple[str, int], int] = {}
    last_day = AS_OF.toordinal()
    with table(path, POPULATION) as write:
        for index in range(count):
            district = DISTRICTS[pick(rng, cum_districts)]
            group = by_district[district.code]
            cell = group[pick(rng, cum_cells[district.code])]
            cell.population += 1
            if index in chosen:
                year = rng.randint(1956, 2002)
            else:
                year = _BIRTH_YEARS[pick(rng, cum_years)]
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
            household = pick(rng, cum_household) + 1
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
                    age_band(born),
                )
            )
            if index in chosen:
                reps[chosen[index]] = Person(id_number, name, district)
    return reps  # type: ignore[return-value]
