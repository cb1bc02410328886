"""The integers the platform takes from outside, bounded by the columns that hold them on both databases.

A row id is PostgreSQL's ``integer`` (and SQLite's 64-bit one): 1 to 2^31 − 1. A ledger position and the
counters are ``bigint``: up to 2^63 − 1. A number outside its column's range is refused as invalid input
(422), never handed to the database to fail as a server error. One type for each, used in paths, queries,
bodies, forms and the command line alike.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

INT4_MAX = 2**31 - 1
INT8_MAX = 2**63 - 1

RowId = Annotated[int, Interval(ge=1, le=INT4_MAX)]  # a row of an ``integer`` primary key
Seq = Annotated[int, Interval(ge=0, le=INT8_MAX)]  # a position in the ledger (the first entry is 0)
PageNumber = Annotated[int, Interval(ge=1, le=INT4_MAX)]  # a listing's page: its offset still fits a bigint


def in_row_id_range(value: int) -> bool:
    return 1 <= value <= INT4_MAX
