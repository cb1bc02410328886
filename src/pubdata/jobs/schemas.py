"""Jobs' value types: the outputs a job declares when it is submitted.

The declaration is the job's contract with the output check: the platform names the files (``output-1.csv``,
``output-2.parquet`` …, in the declared order), and a run must write exactly those files with exactly these
columns and types — anything else fails the check. It is part of the code digest the reviewer approves.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

OutputFormat = Literal["csv", "parquet", "json", "txt"]
ColumnType = Literal["string", "integer", "decimal", "boolean", "date"]
MAX_OUTPUTS = 10
MAX_COLUMNS = 50
MAX_DECLARED_ROWS = 1_000_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class OutputColumn(Strict):
    """One column of a declared table: a plain name (lower-case letters, digits, underscores) and its type."""

    name: str = Field(min_length=1, max_length=63, pattern=r"^[a-z][a-z0-9_]{0,62}$")
    type: ColumnType


class DeclaredOutput(Strict):
    """One file a job will write. ``columns`` for csv, parquet and json (records); none for txt (free text).
    ``count_column`` names the column that counts units (people, households, firms): it must be an integer
    column, and no group may count fewer than the contract's minimum."""

    format: OutputFormat
    columns: list[OutputColumn] = Field(default_factory=list, max_length=MAX_COLUMNS)
    count_column: str | None = Field(default=None, max_length=63)
    max_rows: int = Field(default=100_000, ge=1, le=MAX_DECLARED_ROWS)


Outputs = list[DeclaredOutput]
