"""Calendar shapes: a deadline's answer, a year's days, a table to load."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class DeadlineOut(BaseModel):
    """The last working day (its end, Asia/Shanghai) ``working_days`` after ``filed``, which never counts;
    ``provisional`` when some day was counted on a year whose schedule is not yet published."""

    filed: date
    working_days: int
    due: date
    provisional: bool


class DayOut(BaseModel):
    day: date
    workday: bool
    source: str = Field(description="table (the bureau's), official (chinese-calendar) or provisional")
    name: str


class TableIn(BaseModel):
    """A year's table as CSV text: a day a line, ``date,kind,name`` (kind: holiday/放假 or workday/上班)."""

    model_config = ConfigDict(extra="forbid")
    table: Annotated[str, Field(min_length=1, max_length=64 * 1024)]


class TableOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    year: int
    version: int
    holidays: int
    workdays: int
    file_digest: str
    loaded_at: datetime
    recomputed: int = 0


class YearOut(BaseModel):
    year: int
    source: str
    days: list[DayOut] = Field(description="The days off and the make-up workdays of the year")
    tables: list[TableOut]
