"""The macro-economy library (宏观经济): monthly indicators of the city and its districts since 2021.

Each district's amounts follow its share of the city's output with seasonal swings and noise; the city's row
is their sum, or for rates and indices their output-weighted mean.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

from pubdata.demo.pilot.common import SEASON, months, table
from pubdata.demo.pilot.descriptions import MACRO_ECONOMY
from pubdata.demo.pilot.districts import CITY_CODE, DISTRICTS

MACRO_MONTHS = months((2021, 1), (2026, 10))


# Year-on-year rates of the city in each year, around which the districts vary.
_MACRO_CPI = {2021: 100.9, 2022: 102.0, 2023: 100.2, 2024: 100.3, 2025: 99.9, 2026: 100.6}
_MACRO_INDUSTRY = {2021: 12.5, 2022: 7.2, 2023: 8.4, 2024: 9.1, 2025: 8.0, 2026: 7.4}


def _flow(rng: random.Random, annual: float, growth: float, years: float, share: float, noise: float = 0.03) -> float:
    """One month's part of an annual amount (as of January 2021) growing by ``growth`` a year."""
    return annual / 12 * (1 + growth) ** years * share * math.exp(rng.gauss(0, noise))


def write_macro(path: Path, *, seed: int) -> None:
    rng = random.Random(f"{seed}/macro")
    with table(path, MACRO_ECONOMY) as write:
        for month, label in MACRO_MONTHS:
            t = (month - 2021 * 12) / 12  # years since January 2021
            season = SEASON[month % 12]
            year = month // 12
            # (area code, name, eleven indicators): the city's row is made from its districts' below.
            rows: list[tuple[Any, ...]] = []
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
            total: list[Any] = [CITY_CODE, "池州市"]
            weights = [row[2] for row in rows]
            for column in range(2, 13):
                values = [row[column] for row in rows]
                if column in (3, 6, 11):  # rates and indices: weighted by output
                    total.append(sum(v * w for v, w in zip(values, weights, strict=True)) / sum(weights))
                else:
                    total.append(sum(values))
            for row in [tuple(total), *rows]:
                code, name, *values = row
                *amounts, new_entities = values
                write((label, code, name, *(f"{value:.2f}" for value in amounts), new_entities))
