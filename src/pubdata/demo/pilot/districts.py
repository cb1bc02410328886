"""The city's four county-level districts: where people and firms are, and how offices and names refer to them.

Every generator draws on this table: the grid assigns its cells to the districts, residents and enterprises
are spread by the districts' shares, and the macro series break the city down by district.
"""

from __future__ import annotations

from dataclasses import dataclass

from pubdata.common import places


@dataclass(frozen=True)
class District:
    """One county-level district of the city, with what the generators need to know of it."""

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


def _towns(code: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A district's streets and townships, from the city's one table of divisions (``common.places``)."""
    division = places.BY_CODE[code]
    return division.urban, division.rural


DISTRICTS: tuple[District, ...] = (
    District("341702", "贵池区", 0.46, 0.46, (117.49, 30.66), (117.56, 30.44), 32.0, 6.0, *_towns("341702"), "贵"),
    District("341721", "东至县", 0.30, 0.28, (117.02, 30.10), (117.10, 30.03), 36.0, 3.5, *_towns("341721"), "东"),
    District("341722", "石台县", 0.07, 0.07, (117.48, 30.21), (117.50, 30.10), 23.0, 3.0, *_towns("341722"), "石"),
    District("341723", "青阳县", 0.17, 0.19, (117.85, 30.64), (117.88, 30.55), 21.0, 3.5, *_towns("341723"), "青"),
)
CITY_CODE = places.CITY_CODE
