"""Privacy commands: the cache of released differentially private answers.

An identical DP query under the same contract is answered again from what was released, never computed and
noised again: re-asking must not average the noise away, and must not spend ε twice. A kept answer is an
audited row; one that no longer matches the latest ledger entry about it is never served (fail closed).
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.common import clock
from pubdata.common.errors import Refused
from pubdata.ledger import service as ledger
from pubdata.privacy.dp import Answer
from pubdata.privacy.models import DpAnswer

log = logging.getLogger(__name__)


def released_answer(session: Session, *, contract_id: int, query_digest: str) -> Answer | None:
    """The answer once released for this query under this contract, or None. One that was edited behind the
    platform's back is refused, the same way whatever was changed, and logged by its row id only."""
    cached = session.scalar(
        select(DpAnswer).where(DpAnswer.contract_id == contract_id, DpAnswer.query_digest == query_digest)
    )
    if cached is None:
        return None
    if not ledger.matches_latest_entry(session, cached):
        log.error(
            "%s does not match the latest ledger entry about it: not served; run `pubdata ledger verify`",
            cached.audit_subject(),
        )
        raise Refused("privacy.release-unverified")
    kept = json.loads(cached.answer)
    return Answer(kept["columns"], kept["rows"], kept.get("privacy") or {})


def keep_answer(session: Session, *, contract_id: int, query_digest: str, answer: Answer) -> DpAnswer:
    """Keep a released answer, with what it cost and how noisy it is; the caller records its release with the
    kept row as the entry's subject."""
    text = json.dumps(
        {"columns": answer.columns, "rows": answer.rows, "privacy": answer.privacy}, ensure_ascii=False, default=str
    )
    kept = DpAnswer(contract_id=contract_id, query_digest=query_digest, answer=text, released_at=clock.now())
    session.add(kept)
    session.flush()
    return kept
