"""Consent's API shapes: a grant, a recorded letter, a revocation, and what a consent and a use look like."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from pubdata.common.bounds import RowId


class ConsentIn(BaseModel):
    """A data subject grants, from its own account, one consumer the use of one product for one purpose."""

    model_config = ConfigDict(extra="forbid")
    consumer_id: RowId
    product_code: str = Field(min_length=1, max_length=32)
    purpose: str = Field(min_length=1, max_length=32)
    valid_from: date
    valid_until: date


class LetterIn(BaseModel):
    """A consumer records a signed authorization letter: the subject it names, its legal representative, what it
    authorizes, and the letter's SM3 digest (or the file itself, as multipart/form-data, whose digest is taken).
    The legal representative's name is checked against the registry and never kept."""

    model_config = ConfigDict(extra="forbid")
    credit_code: str = Field(min_length=1, max_length=32)
    legal_rep_name: str = Field(min_length=1, max_length=50)
    product_code: str = Field(min_length=1, max_length=32)
    purpose: str = Field(min_length=1, max_length=32)
    valid_from: date
    valid_until: date
    letter_sm3: str | None = Field(default=None, max_length=64)
    # The consumer the letter authorizes: the caller's own organisation (another's is refused).
    consumer_id: RowId | None = None


class BatchLetterIn(BaseModel):
    """One letter of a batch: the subject it names, its legal representative (checked, never kept), and the
    letter file's SM3 digest."""

    model_config = ConfigDict(extra="forbid")
    credit_code: str = Field(min_length=1, max_length=32)
    legal_rep_name: str = Field(min_length=1, max_length=50)
    letter_sm3: str = Field(min_length=1, max_length=64)


class LetterBatchIn(BaseModel):
    """A consumer records a batch of signed authorization letters (a bank's applicants of a day) for one product,
    purpose and period: all of them or none. The list's length is checked by the service (``consent.batch-size``)."""

    model_config = ConfigDict(extra="forbid")
    product_code: str = Field(min_length=1, max_length=32)
    purpose: str = Field(min_length=1, max_length=32)
    valid_from: date
    valid_until: date
    letters: list[BatchLetterIn]
    # The consumer the letters authorize: the caller's own organisation (another's is refused).
    consumer_id: RowId | None = None


class RevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=1000)


class ConsentOut(BaseModel):
    id: int
    subject_credit_code: str
    consumer_id: int
    consumer: str
    product_code: str
    product: str
    purpose: str
    valid_from: date
    valid_until: date
    state: str
    via: str
    letter_sm3: str | None
    granted_at: datetime
    revoked_at: datetime | None
    uses: int


class UseOut(BaseModel):
    id: int
    consent_id: int
    consumer_id: int
    consumer: str
    product_code: str
    contract_id: int
    used_at: datetime


class BatchOut(BaseModel):
    """A recorded batch: the consents, in the batch's order, and the letter checks left today."""

    consents: list[ConsentOut]
    checks_left: int
