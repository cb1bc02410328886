"""API shapes for authorization. Unknown fields are refused."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pubdata.common.bounds import RowId
from pubdata.common.names import Name, Prose
from pubdata.common.stored import FromJsonText


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Scope(BaseModel):
    """What an authorization reaches (授权范围): resources by code and whole sectors, up to a grade. The same
    value for an operator's agreement and a partner's admission, in the API, on pages and in rules."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)
    resources: tuple[str, ...] = Field(default=(), max_length=1000)
    sectors: tuple[str, ...] = Field(default=(), max_length=50)
    max_grade: str = "general-4"

    @classmethod
    def stored(cls, text: str) -> Scope:
        return cls.model_validate_json(text)

    def normalised(self) -> Scope:
        """Each resource and sector once, in order: what is stored, hashed and compared."""
        return self.model_copy(
            update={"resources": tuple(sorted(set(self.resources))), "sectors": tuple(sorted(set(self.sectors)))}
        )

    def document(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class AgreementIn(Strict):
    operator_id: RowId
    tender_reference: Name = Field(min_length=1, max_length=100)
    selection: dict[str, Prose] = Field(description="Evidence for each selection condition of 三(一).")
    scope: Scope
    security_duties: Prose = Field(min_length=1, max_length=10000)
    partner_conditions: Prose = Field(default="", max_length=10000)


class AgreementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    operator_id: RowId
    tender_reference: str
    mode: str
    scope: Annotated[dict[str, Any], FromJsonText]
    security_duties: str
    partner_conditions: str
    state: str
    bureau_signed_at: datetime | None
    operator_signed_at: datetime | None
    document_digest: str | None
    starts_on: date | None
    expires_on: date | None
    exit_on: date | None
    exit_reason: str | None
    exited_at: datetime | None
    handover: Annotated[list[dict[str, Any]], FromJsonText]


class RenewalDecisionIn(Strict):
    approve: bool
    reason: Prose = Field(default="", max_length=1000)


class ExitPlanIn(Strict):
    exit_on: date
    plan: Prose = Field(min_length=1, max_length=10000)


class TerminationIn(Strict):
    detail: Prose = Field(min_length=1, max_length=10000, description="Which obligation of the agreement was violated.")


class HandoverItem(Strict):
    item: Name = Field(min_length=1, max_length=500)
    action: Literal["returned", "destroyed"]


class HandoverIn(Strict):
    items: list[HandoverItem] = Field(min_length=1, max_length=500)


class ScoreIn(Strict):
    score: int = Field(ge=0, le=100)
    evidence: Prose = Field(min_length=1, max_length=10000)


class EvaluationIn(Strict):
    period: Name = Field(min_length=1, max_length=32)
    scores: dict[str, ScoreIn]
    result: Literal["pass", "fail", "rectify"]
    override_reason: Prose = Field(
        default="", max_length=5000, description="Why the result departs from what the scores call for, if it does."
    )


class EvaluationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    agreement_id: RowId
    period: str
    result: str
    scores: Annotated[dict[str, Any], FromJsonText]
    override_reason: str | None
    evaluated_at: datetime
    rectification_due: date | None
    rectification_plan: str | None
    rectification_report: str | None
    rectified_at: datetime | None


class RectificationIn(Strict):
    plan: Prose = Field(min_length=1, max_length=20000)
    report: Prose = Field(min_length=1, max_length=20000)


class IncidentIn(Strict):
    occurred_at: datetime
    description: Prose = Field(min_length=1, max_length=10000)


class IncidentDecisionIn(Strict):
    bad_impact: bool


class IncidentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    agreement_id: RowId
    occurred_at: datetime
    bad_impact: bool | None
    decided_at: datetime | None


class EvidenceIn(Strict):
    """An attachment of a security record: its name and its SM3 digest (the file stays with the operator)."""

    name: str = Field(min_length=1, max_length=100)
    sm3: str = Field(pattern=r"^[0-9a-fA-F]{64}$")


class ActivityIn(Strict):
    kind: Literal["drill", "risk_assessment"]
    performed_on: date
    summary: Prose = Field(min_length=1, max_length=5000)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=20)
    findings: Prose = Field(default="", max_length=5000)
    rectification: Prose = Field(default="", max_length=5000)
    rectification_due: date | None = None


class RectifiedIn(Strict):
    note: Prose = Field(min_length=1, max_length=5000)


class CycleIn(Strict):
    kind: Literal["drill", "risk_assessment"]
    months: int = Field(ge=1, le=60)


class PartnerIn(Strict):
    partner_id: RowId
    scope: Scope


class PartnerEventIn(Strict):
    event: Literal["suspend", "resume", "remove"]
    reason: Prose = Field(default="", max_length=1000)


class PartnerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    agreement_id: RowId
    organisation_id: RowId
    scope: Annotated[dict[str, Any], FromJsonText]
    state: str
    reason: str | None


class ScopeCheckOut(BaseModel):
    resource: str
    allowed: bool


class HeldResourceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str | None


class HeldScopeOut(BaseModel):
    """One authorization the caller's organisation holds (``GET /api/v1/scope``)."""

    model_config = ConfigDict(from_attributes=True)
    agreement_id: int
    operator_id: int
    held_as: Literal["operator", "partner"]
    state: str
    agreement_state: str
    mode: str
    resources: list[HeldResourceOut]
    sectors: list[str]
    max_grade: str
    starts_on: date | None
    expires_on: date | None
    usable: bool
