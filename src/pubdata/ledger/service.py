"""Ledger commands: append (inside the caller's transaction), tree heads, proofs.

Appends lock the single ``ledger_head`` row (``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on
SQLite), so sequence numbers are gap-free and never doubled, and the entry commits or rolls back together
with the state change it records. The caller commits.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, or_, select, text
from sqlalchemy.orm import Session

from pubdata.common import canonical, clock, messages
from pubdata.common.actor import Actor
from pubdata.common.errors import Refused
from pubdata.common.messages import Phrase
from pubdata.db import is_postgresql
from pubdata.ledger import merkle
from pubdata.ledger.audited import REMOVED_STATE, Audited
from pubdata.ledger.models import LedgerEntry, LedgerHead, LedgerNode, SignedTreeHead
from pubdata.ledger.signing import Signer, public_key_pem, verify_signature

log = logging.getLogger(__name__)
HEAD_ID = 1
# Subtrees of 16 leaves and more are stored; smaller ones are rebuilt from at most 8 stored leaf hashes
# when a proof needs them. That keeps the node table at about n/16 rows instead of n.
STORED_FROM_LEVEL = 4


@lru_cache(maxsize=4)
def hasher(name: str) -> merkle.Hasher:
    return merkle.Hasher(name)


@dataclass(frozen=True)
class Draft:
    """An entry to append: what happened, to what, by whom."""

    actor: Actor
    action: str
    subject: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    state_digest: str | None = None


def document_of(entry: LedgerEntry | Mapping[str, Any]) -> bytes:
    """The canonical JSON a leaf hashes, from a stored entry or the row about to be stored."""
    field = entry.__getitem__ if isinstance(entry, Mapping) else partial(getattr, entry)
    return canonical.dumps(
        {
            "seq": field("seq"),
            "time": field("recorded_at"),
            "actor": field("actor"),
            "organisation": field("organisation_id"),
            "action": field("action"),
            "subject": field("subject"),
            "payload_digest": field("payload_digest"),
            "state_digest": field("state_digest"),
        }
    )


def frontier_of(head: LedgerHead) -> list[bytes]:
    """The right edge of the tree, split back into hashes."""
    width = len(hasher(head.algorithm).empty_root())
    return [head.frontier[i : i + width] for i in range(0, len(head.frontier), width)]


def ensure_ledger(session: Session, *, algorithm: str) -> None:
    """Create the empty ledger on first run; an existing ledger keeps its algorithm."""
    if session.get(LedgerHead, HEAD_ID) is None:
        hasher(algorithm)  # refuses an unknown name before anything is written
        session.add(LedgerHead(id=HEAD_ID, size=0, algorithm=algorithm, frontier=b""))
        session.flush()


# Built once: every state change in the platform runs it.
LOCKED_HEAD = (
    select(LedgerHead).where(LedgerHead.id == HEAD_ID).with_for_update().execution_options(populate_existing=True)
)


def _locked_head(session: Session) -> LedgerHead:
    head = session.execute(LOCKED_HEAD).scalar_one_or_none()
    if head is None:
        raise RuntimeError("the ledger is not initialised; run `pubdata db upgrade`")
    return head


def lock(session: Session) -> None:
    """Take the ledger head's lock now, for a command that must decide something before it appends."""
    _locked_head(session)


def _head(session: Session) -> LedgerHead:
    head = session.get(LedgerHead, HEAD_ID)
    if head is None:
        raise RuntimeError("the ledger is not initialised; run `pubdata db upgrade`")
    return head


def append(session: Session, drafts: Sequence[Draft], *, head: LedgerHead | None = None) -> list[int]:
    """Append entries in order, in the caller's transaction; returns their sequence numbers. ``head`` is the
    ledger head already locked by the caller in this transaction, if it has it."""
    if not drafts:
        return []
    head = head or _locked_head(session)
    h = hasher(head.algorithm)
    frontier = frontier_of(head)
    size = head.size
    recorded_at = canonical.format_time(clock.now())
    entries: list[dict[str, Any]] = []
    nodes: list[dict[str, Any]] = []
    for draft in drafts:
        messages.action(draft.action)  # an action no domain declared is a bug: the public log could not name it
        payload = canonical.dumps(draft.payload)
        row = {
            "seq": size,
            "recorded_at": recorded_at,
            "actor": draft.actor.label,
            "organisation_id": draft.actor.organisation_id,
            "action": draft.action,
            "subject": draft.subject,
            "payload": payload.decode("utf-8"),
            "payload_digest": h.digest(payload).hex(),
            "state_digest": draft.state_digest,
        }
        row["leaf_hash"] = leaf = h.leaf(document_of(row))
        entries.append(row)
        for level, idx, node_hash in merkle.append_leaf(h, frontier, size, leaf):
            if level >= STORED_FROM_LEVEL:
                nodes.append({"level": level, "idx": idx, "hash": node_hash})
        size += 1
    # Core inserts: the ORM's unit of work adds nothing for rows nobody holds as objects.
    connection = session.connection()
    connection.execute(insert(LedgerEntry), entries)
    if nodes:
        connection.execute(insert(LedgerNode), nodes)
    head.size = size
    head.frontier = b"".join(frontier)
    session.flush()
    return [entry["seq"] for entry in entries]


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    subject: Audited | str | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    """Append one entry for a state change or a data access, in the caller's transaction.

    When ``subject`` is an audited row, the entry carries the digest of the row's new state and the row
    remembers the entry's sequence number.
    """
    state_digest: str | None = None
    subject_name = subject if not isinstance(subject, Audited) else None
    if isinstance(subject, Audited):
        session.flush()
    head = _locked_head(session)
    if isinstance(subject, Audited):
        subject_name = subject.audit_subject()
        _refuse_unless_latest(session, subject, subject_name)
        state_digest = hasher(head.algorithm).digest(subject.audit_state_bytes()).hex()
    (seq,) = append(
        session,
        [Draft(actor=actor, action=action, subject=subject_name, payload=payload or {}, state_digest=state_digest)],
        head=head,
    )
    if isinstance(subject, Audited):
        subject.ledger_seq = seq
    return seq


def record_new(
    session: Session, *, actor: Actor, action: str, rows: Sequence[Audited], payloads: Sequence[dict[str, Any]]
) -> list[int]:
    """``record`` for many audited rows just added, in one append: each entry carries its row's state digest and
    each row its entry's number, as ``record`` leaves them, without a lookup per row (a new row has no earlier
    entry to be the latest of). A bank's thousand authorization letters take one append, not a thousand."""
    session.flush()
    head = _locked_head(session)
    h = hasher(head.algorithm)
    drafts = [
        Draft(actor, action, row.audit_subject(), payload, h.digest(row.audit_state_bytes()).hex())
        for row, payload in zip(rows, payloads, strict=True)
    ]
    numbers = append(session, drafts, head=head)
    for row, seq in zip(rows, numbers, strict=True):
        row.ledger_seq = seq
    return numbers


# Built once, like LOCKED_HEAD: every change to an audited row runs it (building it costs more than running it).
LATEST_STATE = select(func.max(LedgerEntry.seq)).where(
    LedgerEntry.subject == bindparam("subject"), LedgerEntry.state_digest.is_not(None)
)
STATE_DIGEST = select(LedgerEntry.state_digest).where(LedgerEntry.seq == bindparam("seq"))


def latest_state_seq(session: Session, subject: str) -> int | None:
    """The latest entry recording a state of ``subject`` (one partial-index lookup)."""
    return session.scalar(LATEST_STATE, {"subject": subject})


def _refuse_unless_latest(session: Session, row: Audited, subject: str) -> None:
    """A change continues from the latest recorded state, or is not made: a row put back to an older entry
    (a contract's counters rolled back to refill its quota) cannot be used, and so cannot be laundered by a
    new entry; ``ledger verify`` names it. A new row (no entry yet) must not take the id of a row the ledger
    says exists: SQLite gives a deleted row's id again, which would hide the deletion behind the new row."""
    latest = latest_state_seq(session, subject)
    if row.ledger_seq is None:
        if latest is None or session.scalar(STATE_DIGEST, {"seq": latest}) == (
            hasher(algorithm(session)).digest(REMOVED_STATE).hex()
        ):
            return
        problem = f"{subject} is new, but entry {latest} recorded a row of that id that was never removed"
    elif latest == row.ledger_seq:
        return
    else:
        problem = f"{subject} points at entry {row.ledger_seq}, not the latest entry about it ({latest})"
    log.error("%s: refused; run `pubdata ledger verify`", problem)
    raise Refused("ledger.row-unverified")


def record_removal(
    session: Session, *, actor: Actor, action: str, subject: Audited, payload: dict[str, Any] | None = None
) -> int:
    """Delete an audited row, with the entry that says so: the only deletion ``ledger verify`` accepts (an
    audited row missing without such a latest entry about it was deleted behind the platform's back)."""
    head = _locked_head(session)
    name = subject.audit_subject()
    _refuse_unless_latest(session, subject, name)
    session.delete(subject)
    session.flush()
    state_digest = hasher(head.algorithm).digest(REMOVED_STATE).hex()
    draft = Draft(actor=actor, action=action, subject=name, payload=payload or {}, state_digest=state_digest)
    (seq,) = append(session, [draft], head=head)
    return seq


def matches_latest_entry(session: Session, row: Audited) -> bool:
    """Whether ``row`` is exactly as the latest entry about it recorded it, and that entry is intact: what a
    reader checks before it serves a kept row as an answer (``ledger verify`` checks every row)."""
    if row.ledger_seq is None:
        return False
    subject = row.audit_subject()
    entry = session.get(LedgerEntry, row.ledger_seq) if latest_state_seq(session, subject) == row.ledger_seq else None
    if entry is None or entry.subject != subject:
        return False
    h = hasher(algorithm(session))
    return (
        entry.state_digest == h.digest(row.audit_state_bytes()).hex()
        and h.digest(entry.payload.encode("utf-8")).hex() == entry.payload_digest
        and h.leaf(document_of(entry)) == entry.leaf_hash
    )


# --- reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeHead:
    size: int
    root_hash: bytes
    timestamp: str
    algorithm: str
    signature_algorithm: str
    key_id: str
    public_key: bytes
    signature: bytes

    def message(self) -> bytes:
        return tree_head_message(self.size, self.root_hash, self.timestamp, self.algorithm, self.key_id)

    def signature_valid(self) -> bool:
        return verify_signature(self.signature_algorithm, self.public_key, self.signature, self.message())

    def public_key_pem(self) -> str:
        return public_key_pem(self.signature_algorithm, self.public_key)


def tree_head_message(size: int, root_hash: bytes, timestamp: str, algorithm: str, key_id: str) -> bytes:
    return canonical.dumps(
        {
            "format": "pubdata-tree-head/1",
            "size": size,
            "root_hash": root_hash.hex(),
            "timestamp": timestamp,
            "hash": algorithm,
            "key_id": key_id,
        }
    )


def size(session: Session) -> int:
    return _head(session).size


def algorithm(session: Session) -> str:
    return _head(session).algorithm


def current_tree_head(session: Session, signer: Signer) -> TreeHead:
    """Sign the tree as it stands and keep the signed head (once per size)."""
    head = _head(session)
    root_hash = merkle.frontier_root(hasher(head.algorithm), frontier_of(head))
    timestamp = _last_time(session, head.size)
    signature = signer.sign(tree_head_message(head.size, root_hash, timestamp, head.algorithm, signer.key_id))
    tree_head = TreeHead(
        size=head.size,
        root_hash=root_hash,
        timestamp=timestamp,
        algorithm=head.algorithm,
        signature_algorithm=signer.algorithm,
        key_id=signer.key_id,
        public_key=signer.public_key,
        signature=signature,
    )
    _keep(session, tree_head)
    return tree_head


def _last_time(session: Session, tree_size: int) -> str:
    if tree_size == 0:
        return canonical.format_time(clock.now())
    return session.execute(select(LedgerEntry.recorded_at).where(LedgerEntry.seq == tree_size - 1)).scalar_one()


def last_recorded_at(session: Session) -> datetime | None:
    """When the newest entry was recorded, or None for an empty ledger."""
    tree_size = size(session)
    if tree_size == 0:
        return None
    return datetime.fromisoformat(_last_time(session, tree_size).replace("Z", "+00:00"))


def _keep(session: Session, tree_head: TreeHead) -> None:
    if tree_head.size == 0:
        return
    values = {
        "size": tree_head.size,
        "root_hash": tree_head.root_hash,
        "timestamp": tree_head.timestamp,
        "algorithm": tree_head.algorithm,
        "signature_algorithm": tree_head.signature_algorithm,
        "key_id": tree_head.key_id,
        "signature": tree_head.signature,
    }
    if is_postgresql(session):
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        session.execute(postgresql_insert(SignedTreeHead).values(**values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(SignedTreeHead).values(**values).on_conflict_do_nothing())


def entries_at(session: Session, seqs: Iterable[int]) -> list[LedgerEntry]:
    """These entries, in order."""
    statement = select(LedgerEntry).where(LedgerEntry.seq.in_(list(seqs))).order_by(LedgerEntry.seq)
    return list(session.execute(statement).scalars())


def get_entry(session: Session, seq: int) -> LedgerEntry:
    entry = session.get(LedgerEntry, seq)
    if entry is None:
        raise Refused("ledger.no-such-entry", seq=seq)
    return entry


def recorded_at(session: Session, seq: int) -> datetime:
    """When entry ``seq`` was recorded (UTC): what dates a record written beside it, so both fall in one month."""
    stamp = session.execute(select(LedgerEntry.recorded_at).where(LedgerEntry.seq == seq)).scalar_one()
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def entries_between(
    session: Session,
    *,
    actions: Sequence[str],
    since: datetime,
    until: datetime,
    subjects: Iterable[str] | None = None,
    limit: int | None = None,
) -> list[LedgerEntry]:
    """The entries of ``actions`` (about ``subjects``) recorded at or after ``since`` and before ``until``, in
    order (the first ``limit``)."""
    statement = _matching(select(LedgerEntry), actions, subjects).where(
        LedgerEntry.recorded_at >= canonical.format_time(since),
        LedgerEntry.recorded_at < canonical.format_time(until),
    )
    return list(session.execute(statement.order_by(LedgerEntry.seq).limit(limit)).scalars())


def latest_entries(session: Session, *, limit: int = 50, before: int | None = None) -> list[LedgerEntry]:
    statement = select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(limit)
    if before is not None:
        statement = statement.where(LedgerEntry.seq < before)
    return list(session.execute(statement).scalars())


def entries_for_subject(session: Session, *, subject: str) -> list[dict[str, Any]]:
    """What the ledger holds about one subject, oldest first, as a run record shows it: payload digests, not
    payloads, so anyone who may read the subject may read this."""
    statement = select(LedgerEntry).where(LedgerEntry.subject == subject).order_by(LedgerEntry.seq)
    return [
        {
            "seq": entry.seq,
            "recorded_at": entry.recorded_at,
            "actor": entry.actor,
            "action": entry.action,
            "payload_digest": entry.payload_digest,
            "state_digest": entry.state_digest,
            "leaf_hash": entry.leaf_hash.hex(),
        }
        for entry in session.execute(statement).scalars()
    ]


def _fetching_getter(session: Session, h: merkle.Hasher, keys: Iterable[tuple[int, int]]) -> merkle.Getter:
    """Fetch the hashes behind the given (level, index) keys in two indexed queries; return a getter."""
    leaves: set[int] = set()
    stored: dict[int, list[int]] = {}
    for level, idx in keys:
        if level >= STORED_FROM_LEVEL:
            stored.setdefault(level, []).append(idx)
        else:
            leaves.update(range(idx << level, (idx + 1) << level))
    found: dict[tuple[int, int], bytes] = {}
    # Plain SQL over integers we computed ourselves: building the same query as SQLAlchemy expressions
    # costs more than running it, and this is on every proof.
    if leaves:
        rows = session.execute(text(f"SELECT seq, leaf_hash FROM ledger_entry WHERE seq IN ({_ints(leaves)})"))
        found.update(((0, seq), bytes(leaf)) for seq, leaf in rows)
    if stored:
        # One OR term per level keeps each term on the primary key (SQLite ignores it for a row-value IN).
        terms = " OR ".join(f"(level = {level:d} AND idx IN ({_ints(idxs)}))" for level, idxs in stored.items())
        rows = session.execute(text(f"SELECT level, idx, hash FROM ledger_node WHERE {terms}"))
        found.update(((level, idx), bytes(node_hash)) for level, idx, node_hash in rows)

    def get(level: int, idx: int) -> bytes:
        if 0 < level < STORED_FROM_LEVEL:
            return h.node(get(level - 1, 2 * idx), get(level - 1, 2 * idx + 1))
        try:
            return found[(level, idx)]
        except KeyError:
            raise RuntimeError(f"ledger node ({level}, {idx}) is missing; run `pubdata ledger verify`") from None

    return get


def _ints(values: Iterable[int]) -> str:
    return ",".join(str(int(value)) for value in values)


def inclusion_proof(session: Session, *, seq: int, tree_size: int) -> list[bytes]:
    """Audit path of entry ``seq`` in the tree of ``tree_size`` leaves, from stored subtree hashes."""
    if not 0 <= seq < tree_size:
        raise Refused(
            "ledger.proof-range", problem=Phrase("ledger.range_inclusion", {"seq": seq, "tree_size": tree_size})
        )
    h = hasher(algorithm(session))
    keys = merkle.needed_nodes(lambda get: merkle.inclusion_path(h, seq, tree_size, get))
    return merkle.inclusion_path(h, seq, tree_size, _fetching_getter(session, h, keys))


def consistency_proof(session: Session, *, first: int, second: int) -> list[bytes]:
    """Proof that the tree of ``first`` leaves is a prefix of the tree of ``second`` leaves."""
    current = size(session)
    if not 0 < first <= second <= current:
        problem = Phrase("ledger.range_consistency", {"current": current, "first": first, "second": second})
        raise Refused("ledger.proof-range", problem=problem)
    h = hasher(algorithm(session))
    keys = merkle.needed_nodes(lambda get: merkle.consistency_path(h, first, second, get))
    return merkle.consistency_path(h, first, second, _fetching_getter(session, h, keys))


def root_at(session: Session, tree_size: int) -> bytes:
    h = hasher(algorithm(session))
    keys = merkle.needed_nodes(lambda get: merkle.root(h, tree_size, get))
    return merkle.root(h, tree_size, _fetching_getter(session, h, keys))


def signed_head_at(session: Session, tree_size: int) -> SignedTreeHead | None:
    return session.get(SignedTreeHead, tree_size)


def payload_of(entry: LedgerEntry) -> dict[str, Any]:
    return json.loads(entry.payload)


# --- figures for the workbenches: counts of entries, never their payloads ------------------------------


def _matching(statement: Select, actions: Sequence[str] | None, subjects: Iterable[str] | None) -> Select:
    """Entries whose action is one of ``actions`` (a name ending in ``.`` stands for every action under it; None:
    any action) and, when given, whose subject is one of ``subjects``."""
    if actions is None:
        return statement if subjects is None else statement.where(LedgerEntry.subject.in_(list(subjects)))
    exact = [name for name in actions if not name.endswith(".")]
    prefixes = [LedgerEntry.action.startswith(name) for name in actions if name.endswith(".")]
    statement = statement.where(or_(LedgerEntry.action.in_(exact), *prefixes))
    if subjects is not None:
        statement = statement.where(LedgerEntry.subject.in_(list(subjects)))
    return statement


def count_by_month(
    session: Session, *, actions: Sequence[str] | None, subjects: Iterable[str] | None = None
) -> dict[str, int]:
    """How many entries of ``actions`` (about ``subjects``) were recorded in each month as the city counts it
    (Asia/Shanghai, ``2026-03``), in order."""
    # The database counts by UTC hour (its text stamps cut at the hour, on either database); the hours are
    # then put in the city's months here, so a call at 23:30 UTC on the last day counts in the next month.
    hour = func.substr(LedgerEntry.recorded_at, 1, 13)
    statement = _matching(select(hour, func.count()), actions, subjects).group_by(hour)
    months: dict[str, int] = {}
    for found, count in session.execute(statement).all():
        month = datetime.fromisoformat(f"{found}:00+00:00").astimezone(clock.SHANGHAI).strftime("%Y-%m")
        months[month] = months.get(month, 0) + count
    return dict(sorted(months.items()))


def count_by_action(
    session: Session, *, actions: Sequence[str], subjects: Iterable[str] | None = None
) -> dict[str, int]:
    """How many entries there are of each of ``actions`` (about ``subjects``)."""
    statement = _matching(select(LedgerEntry.action, func.count()), actions, subjects).group_by(LedgerEntry.action)
    return {found: count for found, count in session.execute(statement).all()}


def latest_of(session: Session, *, actions: Sequence[str] | None = None, limit: int = 10) -> list[LedgerEntry]:
    """The newest entries that record a row's state (``actions``: of those only), newest first."""
    statement = _matching(select(LedgerEntry).where(LedgerEntry.state_digest.is_not(None)), actions, None)
    return list(session.execute(statement.order_by(LedgerEntry.seq.desc()).limit(limit)).scalars())
