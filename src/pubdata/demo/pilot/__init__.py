"""The pilot data set: synthetic public data of the city of Chizhou (池州) for the two pilot fields.

The plan names inclusive finance (普惠金融) and urban governance (城市治理) as the pilot fields (一(二)). This
package describes the resources the demo's provider departments register — the five base libraries (人口、法人、
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

The descriptions are data: ``resources.csv`` and ``fields.csv``, read by ``descriptions``. The generators
live in one module per base library (``population``, ``legal_entity``, ``e_licence``, ``spatial``,
``macro_economy``) and ``credit`` for the credit theme, on the district table in ``districts`` and the
helpers in ``common``. This module puts them together and keeps the names the rest of the demo imports.
"""

from __future__ import annotations

from pathlib import Path

from pubdata.demo.pilot.common import AS_OF, rows
from pubdata.demo.pilot.credit import (
    CREDIT_MONTHS,
    PENALTY_START,
    write_penalties,
    write_ratings,
    write_social_insurance,
    write_tax,
    write_utilities,
)
from pubdata.demo.pilot.descriptions import (
    E_LICENCES,
    EXTRA_PROVIDERS,
    HOUSING,
    HRSS,
    JUSTICE,
    LAND,
    LEGAL_ENTITIES,
    MACRO_ECONOMY,
    PENALTIES,
    PILOT_RESOURCES,
    POLICE,
    POPULATION,
    SERVICE,
    SOCIAL_INSURANCE,
    SPATIAL_GRID,
    STATS,
    TAX,
    TAX_CREDIT_RATINGS,
    TAX_PAYMENTS,
    UTILITY_PAYMENTS,
    PilotResource,
)
from pubdata.demo.pilot.districts import CITY_CODE, DISTRICTS
from pubdata.demo.pilot.e_licence import write_licences
from pubdata.demo.pilot.legal_entity import build_enterprises, write_legal_entities
from pubdata.demo.pilot.macro_economy import MACRO_MONTHS, write_macro
from pubdata.demo.pilot.population import name_pools, write_persons
from pubdata.demo.pilot.spatial import build_grid, write_grid

__all__ = [
    "AS_OF",
    "CITY_CODE",
    "CREDIT_MONTHS",
    "DISTRICTS",
    "ENTERPRISES_PER_SCALE",
    "EXTRA_PROVIDERS",
    "E_LICENCES",
    "HOUSING",
    "HRSS",
    "JUSTICE",
    "LAND",
    "LEGAL_ENTITIES",
    "MACRO_ECONOMY",
    "MACRO_MONTHS",
    "PENALTIES",
    "PENALTY_START",
    "PERSONS_PER_SCALE",
    "PILOT_RESOURCES",
    "POLICE",
    "POPULATION",
    "SERVICE",
    "SOCIAL_INSURANCE",
    "SPATIAL_GRID",
    "STATS",
    "TAX",
    "TAX_CREDIT_RATINGS",
    "TAX_PAYMENTS",
    "UTILITY_PAYMENTS",
    "PilotResource",
    "enterprise_count",
    "person_count",
    "rows",
    "write_sources",
]

PERSONS_PER_SCALE = 100_000
ENTERPRISES_PER_SCALE = 10_000


def person_count(scale: float) -> int:
    return max(1, round(PERSONS_PER_SCALE * scale))


def enterprise_count(scale: float) -> int:
    return max(1, round(ENTERPRISES_PER_SCALE * scale))


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
    cells = build_grid(seed)
    persons, firms = person_count(scale), enterprise_count(scale)
    reps = write_persons(
        paths[POPULATION],
        seed=seed,
        count=persons,
        representatives=min(firms, persons),
        cells=cells,
        names=name_pools(seed),
    )
    write_grid(paths[SPATIAL_GRID], cells)
    enterprises = build_enterprises(seed, reps)
    write_legal_entities(paths[LEGAL_ENTITIES], enterprises)
    write_licences(paths[E_LICENCES], seed=seed, enterprises=enterprises)
    write_macro(paths[MACRO_ECONOMY], seed=seed)
    write_tax(paths[TAX_PAYMENTS], seed=seed, enterprises=enterprises)
    write_social_insurance(paths[SOCIAL_INSURANCE], seed=seed, enterprises=enterprises)
    write_utilities(paths[UTILITY_PAYMENTS], seed=seed, enterprises=enterprises)
    penalty_years = write_penalties(paths[PENALTIES], seed=seed, enterprises=enterprises)
    write_ratings(paths[TAX_CREDIT_RATINGS], seed=seed, enterprises=enterprises, penalty_years=penalty_years)
    return paths
