"""Quality-ticket shapes. Unknown fields are refused; the service checks each value and refuses in words."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from pubdata.common.names import Prose
from pubdata.quality import rules

if TYPE_CHECKING:
    from pubdata.quality.models import QualityRound
    from pubdata.quality.service import TicketRow

Column = Annotated[int, Field(ge=1, le=rules.MAX_COLUMNS)]
Weight = Annotated[StrictInt, Field(ge=0, le=rules.MAX_WEIGHT)]
VersionNumber = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TicketIn(Strict):
    resource: str = Field(max_length=40, description="The registered resource's code")
    version: VersionNumber | None = Field(default=None, description="Its version number; none: the current one")
    kind: str = Field(max_length=16, description="error, omission, staleness or inconsistency")
    rows: str = Field(default="", max_length=1000, description="Row numbers, as in '3, 7-9'; empty: all rows")
    columns: list[Column] = Field(default_factory=list, max_length=rules.MAX_COLUMNS)
    description: Prose = Field(min_length=1, max_length=rules.MAX_DESCRIPTION)


class AnswerIn(Strict):
    answer: Prose = Field(min_length=1, max_length=rules.MAX_DESCRIPTION)
    fixed_version: VersionNumber | None = Field(default=None, description="The resource's version that fixes it")


class ReopenIn(Strict):
    reason: Prose = Field(min_length=1, max_length=rules.MAX_DESCRIPTION)


class WeightsIn(Strict):
    """The contribution score's weights: one whole number per indicator, summing to ``total``."""

    weights: dict[Annotated[str, Field(max_length=32)], Weight] = Field(max_length=20)
    total: StrictInt = Field(ge=1, le=10000)
    note: Prose = Field(default="", max_length=2000)


class RoundOut(BaseModel):
    number: int
    opened_on: date
    working_days: int
    due: date
    provisional: bool
    overdue_flagged_at: datetime | None
    answer: str | None
    answered_at: datetime | None
    late: bool
    fixed_version_id: int | None
    outcome: str | None
    opened_reason: str

    @classmethod
    def of(cls, row: QualityRound) -> RoundOut:
        return cls.model_validate(row, from_attributes=True)


class TicketOut(BaseModel):
    id: int
    resource: str
    resource_name: str
    version_id: int
    department: str
    filer: str
    kind: str
    rows: str
    columns: list[int]
    description: str
    state: str
    filed_at: datetime
    closed_at: datetime | None
    due: date = Field(description="The running round's deadline (the end of that day, Asia/Shanghai)")
    provisional: bool
    overdue: bool
    rounds: list[RoundOut] = Field(default_factory=list)

    @classmethod
    def of(cls, row: TicketRow, rounds: list[QualityRound] | None = None) -> TicketOut:
        ticket = row.ticket
        return cls(
            id=ticket.id,
            resource=row.resource_code,
            resource_name=row.resource_name,
            version_id=ticket.version_id,
            department=row.department,
            filer=row.filer,
            kind=ticket.kind,
            rows=ticket.rows,
            columns=json.loads(ticket.columns),
            description=ticket.description,
            state=ticket.state,
            filed_at=ticket.filed_at,
            closed_at=ticket.closed_at,
            due=row.running.due,
            provisional=row.running.provisional,
            overdue=row.overdue,
            rounds=[RoundOut.of(item) for item in rounds or []],
        )
