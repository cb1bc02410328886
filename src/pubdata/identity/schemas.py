"""API shapes for identity. Unknown fields are refused."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from pubdata.common.bounds import RowId
from pubdata.common.names import Name


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrganisationIn(Strict):
    kind: str = Field(max_length=16)
    name: Name = Field(min_length=1, max_length=200)
    credit_code: str | None = Field(default=None, min_length=18, max_length=18)


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    name: str
    credit_code: str | None
    active: bool
    created_at: datetime


class UserIn(Strict):
    login: str = Field(min_length=3, max_length=64)
    display_name: Name = Field(min_length=1, max_length=100)
    role: str = Field(max_length=16)
    password: str = Field(min_length=1, max_length=256)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    organisation_id: RowId
    login: str
    display_name: str
    role: str
    active: bool
    created_at: datetime


class UserUpdate(Strict):
    active: bool


class Me(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    user_id: RowId
    login: str
    display_name: str
    role: str
    organisation_id: RowId
    organisation_kind: str


class TokenIn(Strict):
    name: Name = Field(min_length=1, max_length=100)
    days: int = Field(default=90, ge=1, le=366)


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class TokenIssued(TokenOut):
    token: str = Field(description="The secret; shown once, never again.")
