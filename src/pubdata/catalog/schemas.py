"""API shapes for the catalogue. Unknown fields are refused; vocabularies are checked against ``rules``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pubdata.catalog import rules
from pubdata.common.bounds import RowId
from pubdata.common.names import Name, OptionalName, Prose


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _one_of(value: str | None, vocabulary, what: str) -> str | None:  # noqa: ANN001
    if value is not None and value not in vocabulary:
        raise ValueError(f"unknown {what} {value!r}; use one of {', '.join(vocabulary)}")
    return value


class FieldSpec(Strict):
    """One column of a resource's schema."""

    name: str = Field(description="Column name: lowercase letters, digits, underscores.")
    label: Name = Field(min_length=1, max_length=100, description="Chinese label, e.g. 公民身份号码.")
    type: Literal["string", "integer", "decimal", "date", "timestamp", "boolean"] = "string"
    format: Literal["resident_id", "credit_code", "mobile", "person_name"] | None = None
    required: bool = False
    description: Prose = Field(default="", max_length=500)
    sensitivity: Literal["none", "personal", "sensitive"] = "none"
    pipl_category: str | None = Field(
        default=None, description="For sensitive personal information: its PIPL art. 28 category."
    )
    masking: rules.Masking | None = None
    values: tuple[str, ...] | None = Field(
        default=None,
        max_length=1000,
        description="The field's published values (e.g. the four districts): a DP answer releases each as a group.",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not rules.FIELD_NAME.match(value):
            raise ValueError("a field name is lowercase letters, digits and underscores, starting with a letter")
        return value

    @field_validator("pipl_category")
    @classmethod
    def _category(cls, value: str | None) -> str | None:
        return _one_of(value, rules.PIPL_SENSITIVE_CATEGORIES, "PIPL category")

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        if self.format and self.type != "string":
            raise ValueError(f"field {self.name}: a {self.format} is stored as a string")
        if self.sensitivity == "sensitive" and not self.pipl_category:
            raise ValueError(f"field {self.name}: sensitive personal information needs its PIPL art. 28 category")
        if self.sensitivity != "sensitive" and self.pipl_category:
            raise ValueError(f"field {self.name}: only sensitive personal information has a PIPL category")
        if self.format in ("resident_id", "mobile", "person_name") and self.sensitivity == "none":
            raise ValueError(f"field {self.name}: a {self.format} is personal information; declare its sensitivity")
        if self.masking is None:
            self.masking = rules.default_masking(sensitivity=self.sensitivity, format=self.format)
        if self.values is not None and (self.sensitivity != "none" or self.type != "string"):
            raise ValueError(f"field {self.name}: only a non-personal text field publishes its values")
        if self.sensitivity != "none" and self.masking == "none":
            raise ValueError(f"field {self.name}: personal information needs a masking rule other than none")
        return self


class ResourceIn(Strict):
    code: str = Field(description="Catalogue code, e.g. CZ-RK-0001.")
    name: Name = Field(min_length=1, max_length=200)
    description: Prose = Field(default="", max_length=4000)
    sector: str
    base_library: str
    update_frequency: str
    time_span: OptionalName = Field(default="", max_length=100, description="e.g. 2015 至今")
    sharing: str = "conditional"
    opening: str = "closed"
    declared_grade: str = "general-2"
    fields: list[FieldSpec] = Field(min_length=1, max_length=500)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not rules.RESOURCE_CODE.match(value):
            raise ValueError("a resource code is 3–40 uppercase letters, digits and dashes, starting with a letter")
        return value

    @model_validator(mode="after")
    def _vocabularies(self) -> ResourceIn:
        _one_of(self.sector, rules.SECTORS, "sector")
        _one_of(self.base_library, rules.BASE_LIBRARIES, "base library")
        _one_of(self.update_frequency, rules.UPDATE_FREQUENCIES, "update frequency")
        _one_of(self.sharing, rules.SHARING, "sharing attribute")
        _one_of(self.opening, rules.OPENING, "opening attribute")
        _one_of(self.declared_grade, rules.GRADES, "grade")
        names = [spec.name for spec in self.fields]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"fields declared twice: {', '.join(duplicates)}")
        return self


# A description's keys besides its fields, in the order the schema declares them (the form's, the demo's tables').
DESCRIPTION_KEYS = tuple(name for name in ResourceIn.model_fields if name != "fields")


class ResourceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    description: str
    provider_id: RowId
    provider_name: str
    sector: str
    base_library: str
    update_frequency: str
    time_span: str
    sharing: str
    opening: str
    declared_grade: str
    grade: str
    allowed_processing: list[str]
    state: str
    registration_number: str | None
    current_version: int | None
    fields: list[FieldSpec]
    created_at: datetime
    updated_at: datetime


class PublicResourceOut(BaseModel):
    """What anyone may see: metadata only, never values."""

    code: str
    name: str
    description: str
    provider_name: str
    sector: str
    base_library: str
    update_frequency: str
    time_span: str
    sharing: str
    opening: str
    grade: str
    registration_number: str
    fields: list[dict[str, object]]


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: int
    row_count: int
    schema_digest: str
    checksum: str
    size_bytes: int
    source_format: str
    source_encoding: str | None
    loaded_at: datetime


class DataAlertOut(BaseModel):
    """A version's file found damaged or missing (``catalog.integrity``): for the bureau and the department."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    resource_id: int
    resource: str = Field(description="The resource's code")
    resource_name: str
    version: int = Field(description="The version's number")
    provider: str = Field(description="The providing department")
    problem: str = Field(description="missing, unreadable, size (another size) or digest (other bytes)")
    raised_at: datetime


class ProblemOut(BaseModel):
    rule: str
    message: str
    row: int | None
    column: str | None


class LoadReportOut(BaseModel):
    ok: bool
    source_format: str
    encoding: str | None
    row_count: int
    problem_count: int
    problems: list[ProblemOut]
    lookalikes: list[dict[str, object]]
    version: VersionOut | None = None
    keep_good_rows: bool = Field(default=False, description="Whether the good rows were kept and the bad left out.")
    rows_read: int = 0
    rows_rejected: int = Field(default=0, description="Rows left out for failing a check (keep_good_rows).")
    rejected: list[ProblemOut] = Field(default_factory=list, description="The first 100 problems of those rows.")
    report_csv: str | None = Field(default=None, description="Where the whole report (row, column, rule) is, as CSV.")


class SqlLoadIn(Strict):
    source_id: RowId = Field(description="An approved source connection of the department (GET /api/v1/sources).")
    query: str = Field(min_length=1, max_length=20000, description="Runs in the department's database.")
    confirm_not_sensitive: list[str] = Field(default_factory=list)
    keep_good_rows: bool = Field(default=False, description="Keep the rows that pass; leave out and report the others.")


class SourceIn(BaseModel):
    """A department database the bureau approves as a source. The password goes in its own field: it is sealed
    and never shown again (and kept exactly as typed, spaces included)."""

    model_config = ConfigDict(extra="forbid")

    name: Name = Field(min_length=1, max_length=100, description="e.g. 市公安局人口库（只读）")
    provider_id: RowId = Field(description="The data-providing department whose database it is.")
    url: str = Field(
        min_length=1,
        max_length=1000,
        description="SQLAlchemy URL without the password, e.g. postgresql+psycopg://reader@10.1.2.3:5432/population",
    )
    password: str | None = Field(default=None, max_length=1000, repr=False)

    @field_validator("url")
    @classmethod
    def _stripped(cls, value: str) -> str:
        return value.strip()

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not rules.SOURCE_NAME.match(value):
            raise ValueError("a name is letters, digits, spaces and . · ( ) -, up to 100 characters")
        return value


class SourceOut(BaseModel):
    """A source connection as anyone may see it: never its password, only whether one is kept."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    provider_id: RowId
    provider_name: str
    driver: str
    host: str
    port: int | None
    database: str
    username: str | None
    options: dict[str, str | list[str]]
    has_password: bool
    active: bool
    created_at: datetime
    disabled_at: datetime | None


class PreviewOut(BaseModel):
    version: int
    columns: list[str]
    rows: list[list[str | None]]
    masked: bool = True
