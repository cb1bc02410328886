"""API shapes for identity. Unknown fields are refused."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from pubdata.common.bounds import RowId
from pubdata.common.names import Name, Prose
from pubdata.ledger.signing import public_key_pem

if TYPE_CHECKING:
    from pubdata.ledger.models import OrganisationKey


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


class KeyIn(Strict):
    # A PEM SubjectPublicKeyInfo of an SM2 key is 178 characters; room for CRLF line ends and whitespace.
    public_key_pem: str = Field(min_length=1, max_length=1000)


class KeyOut(BaseModel):
    key_id: str
    organisation_id: int
    algorithm: str
    custody: str
    public_key_pem: str
    registered_at: datetime
    retired_at: datetime | None

    @classmethod
    def of(cls, key: OrganisationKey) -> KeyOut:
        return cls(
            key_id=key.key_id,
            organisation_id=key.organisation_id,
            algorithm=key.algorithm,
            custody=key.custody,
            public_key_pem=public_key_pem(key.algorithm, key.public_key),
            registered_at=key.registered_at,
            retired_at=key.retired_at,
        )


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


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a password is taken as typed: spaces are part of it
    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=1, max_length=1000)


class PasswordResetIn(Strict):
    reason: Prose = Field(default="", max_length=1000, description="Why the password is reset (kept in the ledger).")


class PasswordResetOut(BaseModel):
    """An admin's reset of a colleague's password: the temporary password, in this answer only."""

    user_id: RowId
    login: str
    temporary_password: str
    must_change_password: bool
