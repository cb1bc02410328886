"""The pilot resources' descriptions, read from the two tables beside this module, and the names code uses.

``resources.csv`` has one row per resource: the providing department's name, then the description's keys
(code, name, description, sector, base_library, update_frequency, time_span, sharing, opening,
declared_grade), every cell filled. ``fields.csv`` has one row per field (``values``, a published value list, written
``a|b|c``), in the order the resource declares
them, keyed by the resource's code in its first column. A field always has a name, label and type; any other
cell left empty means the description does not give that key, so a field's dict holds only what its row
declares (``required`` is written ``true`` or ``false``). Every description ends with the sentence
``SYNTHETIC``; the loader appends it rather than the table repeating it ten times.

The tables are package data: editing them changes what the demo registers, and the resource codes below
must keep naming their rows.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from pubdata.catalog.schemas import DESCRIPTION_KEYS

_TABLES = Path(__file__).parent


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

SYNTHETIC = "本数据为池州市公共数据授权运营试点的合成数据，不含任何真实个人或企业信息。"

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
_CODES = (
    POPULATION,
    LEGAL_ENTITIES,
    E_LICENCES,
    SPATIAL_GRID,
    MACRO_ECONOMY,
    TAX_PAYMENTS,
    SOCIAL_INSURANCE,
    UTILITY_PAYMENTS,
    PENALTIES,
    TAX_CREDIT_RATINGS,
)

# A description's keys and a field's, in the order their dicts hold them (the tables' columns after the first).
_RESOURCE_KEYS = DESCRIPTION_KEYS
_FIELD_KEYS = (
    "name",
    "label",
    "type",
    "format",
    "required",
    "sensitivity",
    "pipl_category",
    "masking",
    "description",
    "values",
)
_FIELD_NEEDS = ("name", "label", "type")
_FLAGS = {"true": True, "false": False}


def _read(table: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    with (_TABLES / table).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        # A renamed or reordered column would otherwise turn silently into missing keys.
        if tuple(reader.fieldnames or ()) != columns:
            raise ValueError(f"{table}: the columns must be {', '.join(columns)}")
        return list(reader)


def _field(row: dict[str, str]) -> dict[str, object]:
    where = f"fields.csv: {row['resource']}/{row['name']}"
    if not all(row[key] for key in _FIELD_NEEDS):
        raise ValueError(f"{where}: a field needs {', '.join(_FIELD_NEEDS)}")
    spec: dict[str, object] = {key: row[key] for key in _FIELD_KEYS if row[key]}
    if "required" in spec:
        if row["required"] not in _FLAGS:
            raise ValueError(f"{where}: required must be true, false or empty")
        spec["required"] = _FLAGS[row["required"]]
    if "values" in spec:  # a published value list, written a|b|c
        spec["values"] = row["values"].split("|")
    return spec


def _load() -> tuple[PilotResource, ...]:
    fields: dict[str, list[dict[str, object]]] = {}
    for row in _read("fields.csv", ("resource", *_FIELD_KEYS)):
        fields.setdefault(row["resource"], []).append(_field(row))
    resources = []
    for row in _read("resources.csv", ("provider", *_RESOURCE_KEYS)):
        if not all(row.values()):
            raise ValueError(f"resources.csv: {row['code'] or row['name']} has an empty cell")
        description: dict[str, object] = {key: row[key] for key in _RESOURCE_KEYS}
        description["description"] = row["description"] + SYNTHETIC
        description["fields"] = fields.pop(row["code"], [])
        resources.append(PilotResource(row["provider"], description))
    if fields:
        raise ValueError(f"fields.csv: no resource has the code {', '.join(fields)}")
    # The generators write one file per code above; a table that names others would leave them unwritten.
    if sorted(resource.description["code"] for resource in resources) != sorted(_CODES):
        raise ValueError(f"resources.csv: the codes must be {', '.join(_CODES)}")
    return tuple(resources)


PILOT_RESOURCES: tuple[PilotResource, ...] = _load()
