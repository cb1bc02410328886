"""API shapes for data demands and scenario plans. Unknown fields are refused; the services check each value
and refuse in words."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pubdata.common.bounds import RowId
from pubdata.common.names import Name, Prose
from pubdata.common.stored import FromJsonText


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DemandIn(Strict):
    title: Name = Field(min_length=1, max_length=200)
    data_wanted: Prose = Field(min_length=1, max_length=5000, description="What data is needed.")
    use: Prose = Field(min_length=1, max_length=5000, description="What it is needed for.")
    purpose: str = Field(max_length=32, description="contracts.rules.PURPOSES")


class AnswerIn(Strict):
    answer: Literal["scenario", "refused"]
    scenario_id: RowId | None = Field(
        default=None, description="One of the operator's own plans; none with answer=scenario: a new draft."
    )
    reason: Prose = Field(default="", max_length=5000)
    field: str = Field(default="other", max_length=32, description="The new draft's field (rules.FIELDS).")


class DemandOut(BaseModel):
    """A demand as its poster, the operator and the regulators read it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    poster_id: int
    title: str
    data_wanted: str
    use: str
    purpose: str
    state: str
    posted_at: datetime
    answer_due: date
    answer: str | None
    answer_reason: str | None
    scenario_id: int | None
    answered_by_organisation: int | None
    answered_at: datetime | None
    closed_at: datetime | None


class PublicDemandOut(BaseModel):
    """A demand on the public list: no person's name or contact, the poster by its kind and name."""

    id: int
    title: str
    data_wanted: str
    use: str
    purpose: str
    state: str
    posted_on: date
    answer_due: date
    poster_kind: str
    poster_name: str
    answer: str | None
    overdue: bool


class ScenarioIn(Strict):
    name: Name = Field(min_length=1, max_length=200)
    field: str = Field(max_length=32, description="rules.FIELDS")
    users: Prose = Field(default="", max_length=5000)
    resources: list[Annotated[str, Field(max_length=40)]] = Field(default=[], max_length=200)
    purpose: str = Field(max_length=32, description="contracts.rules.PURPOSES")
    benefit: Prose = Field(default="", max_length=5000)
    risk: dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=16)]] = Field(
        default={},
        max_length=20,
        description="Each item of rules.RISK_CHECKLIST answered with a rules.RISK_ANSWERS level.",
    )
    operator_id: RowId | None = Field(default=None, description="A partner of several operators names which.")


class OpinionIn(Strict):
    opinion: Literal["agree", "disagree"]
    reason: Prose = Field(default="", max_length=5000)


class DecisionIn(Strict):
    approve: bool
    reason: Prose = Field(default="", max_length=5000)


class OpinionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    department_id: int
    opinion: str
    reason: str
    given_at: datetime


class ScenarioOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    proposer_id: int
    operator_id: int
    name: str
    field: str
    users: str
    resources: Annotated[list[str], FromJsonText]
    purpose: str
    benefit: str
    risk: Annotated[dict[str, Any], FromJsonText]
    risk_level: str | None
    state: str
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    reason: str | None
