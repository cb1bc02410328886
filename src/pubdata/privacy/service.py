"""Privacy commands: the cache of released differentially private answers.

An identical DP query under the same contract is answered again from what was released, never computed and
noised again: re-asking must not average the noise away, and must not spend ε twice.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.common import clock
from pubdata.privacy.dp import Answer
from pubdata.privacy.models import DpAnswer


def released_answer(session: Session, *, contract_id: int, query_digest: str) -> Answer | None:
    """The answer once released for this query under this contract, or None."""
    cached = session.scalar(
        select(DpAnswer).where(DpAnswer.contract_id == contract_id, DpAnswer.query_digest == query_digest)
    )
    if cached is None:
        return None
    kept = json.loads(cached.answer)
    return Answer(kept["columns"], kept["rows"], kept.get("privacy") or {})


def keep_answer(session: Session, *, contract_id: int, query_digest: str, answer: Answer) -> None:
    """Keep a released answer, with what it cost and how noisy it is."""
    text = json.dumps(
        {"columns": answer.columns, "rows": answer.rows, "privacy": answer.privacy}, ensure_ascii=False, default=str
    )
    session.add(DpAnswer(contract_id=contract_id, query_digest=query_digest, answer=text, released_at=clock.now()))
    session.flush()
