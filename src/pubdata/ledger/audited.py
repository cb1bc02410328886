"""Rows whose every change is recorded: each keeps the sequence number of the entry that last changed it.

``pubdata ledger verify`` recomputes a row's state digest and compares it with the latest entry about the row
(not merely the entry the row points at), so a row edited behind the platform's back, or put back to an older
recorded state, is found and the entry it contradicts is named. The ledger also says which rows must exist:
every audited row it has an entry about, unless its latest entry records its removal (``REMOVED_STATE``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from pubdata.common import canonical

# The state an entry records for a row that no longer exists: what ``ledger.service.record_removal`` digests.
REMOVED_STATE = canonical.dumps(None)


class Audited:
    ledger_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)

    def audit_subject(self) -> str:
        return f"{self.__tablename__}:{self.id}"  # type: ignore[attr-defined]

    # Columns a migration added after rows of the table were recorded: left out of the state while unset (None or
    # False), so a row recorded before the column existed still verifies against its entry, and setting one is a
    # recorded change like any other.
    LATER_COLUMNS: ClassVar[frozenset[str]] = frozenset()

    def audit_state(self) -> dict[str, Any]:
        table = self.__table__  # type: ignore[attr-defined]
        state = {column.key: getattr(self, column.key) for column in table.columns if column.key != "ledger_seq"}
        for later in self.LATER_COLUMNS:
            if state.get(later) in (None, False):
                state.pop(later, None)
        return state

    def audit_state_bytes(self) -> bytes:
        return canonical.dumps(self.audit_state())
