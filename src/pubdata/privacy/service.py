"""Privacy commands: the cache of released differentially private answers.

An identical DP query under the same contract is answered again from what was released, never computed and
noised again: re-asking must not average the noise away, and must not spend ε twice.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.common import clock
from pubdata.privacy.models import DpAnswer


def released_answer(session: Session, *, contract_id: int, query_digest: str) -> tuple[list[str], list[list]] | None:
    """The answer once released for this query under this contract, or None."""
    cached = session.scalar(
        select(DpAnswer).where(DpAnswer.contract_id == contract_id, DpAnswer.query_digest == query_digest)
    )
    if cached is None:
        return None
    answer = json.loads(cached.answer)
    return answer["columns"], answer["rows"]


def keep_answer(session: Session, *, contract_id: int, query_digest: str, columns: list[str], rows: list[list]) -> None:
    """Keep a released answer, in the transaction that charged its ε."""
    answer = json.dumps({"columns": columns, "rows": rows}, ensure_ascii=False)
    session.add(DpAnswer(contract_id=contract_id, query_digest=query_digest, answer=answer, released_at=clock.now()))
    session.flush()
