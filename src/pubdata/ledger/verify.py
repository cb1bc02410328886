"""Full verification of the ledger and of every audited row (``pubdata ledger verify``).

It rebuilds every leaf from its stored columns and payload, rebuilds every stored subtree hash, checks each
signed tree head against the rebuilt root, checks each audited row against the latest entry about it, and
checks that every audited row the ledger recorded still exists. It reports every problem found and names the
first bad entry.
"""

from __future__ import annotations

import base64
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pubdata.db import Base
from pubdata.ledger import keys, merkle, signoff
from pubdata.ledger.audited import REMOVED_STATE, Audited
from pubdata.ledger.models import LedgerEntry, LedgerHead, LedgerNode, Signature, SignedTreeHead
from pubdata.ledger.service import HEAD_ID, STORED_FROM_LEVEL, document_of, frontier_of, hasher, tree_head_message
from pubdata.ledger.signing import PublicKey

Progress = Callable[[int, int], None]
CHUNK = 20_000


@dataclass(frozen=True)
class Problem:
    seq: int | None
    reason: str


@dataclass
class Report:
    size: int = 0
    rows_checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_seq(self) -> int | None:
        seqs = [problem.seq for problem in self.problems if problem.seq is not None]
        return min(seqs) if seqs else None


def verify(session: Session, *, public_keys: dict[str, PublicKey], progress: Progress | None = None) -> Report:
    """Check everything; ``public_keys`` maps key ids to the keys (SM2 or Ed25519) tree heads may be signed with."""
    head = session.get(LedgerHead, HEAD_ID)
    report = Report()
    if head is None:
        report.problems.append(Problem(None, "the ledger is not initialised"))
        return report
    report.size = head.size
    h = hasher(head.algorithm)
    signed = {sth.size: sth for sth in session.execute(select(SignedTreeHead)).scalars()}
    frontier = _verify_entries(session, h, head.size, signed, public_keys, report, progress)
    if merkle.frontier_root(h, frontier) != merkle.frontier_root(h, frontier_of(head)):
        report.problems.append(
            Problem(head.size - 1 if head.size else None, "the ledger head's right edge was altered")
        )
    for size in sorted(s for s in signed if s > head.size):
        report.problems.append(
            Problem(
                None,
                (
                    f"a signed tree head of size {size} exists but the log has only {head.size} entries: entries "
                    f"were removed"
                ),
            )
        )
    _verify_rows(session, h, report)
    verify_sign_off_signatures(session, report)
    report.problems.sort(key=lambda p: (p.seq is None, p.seq or 0))
    return report


def _verify_entries(
    session: Session,
    h: merkle.Hasher,
    total: int,
    signed: dict[int, SignedTreeHead],
    public_keys: dict[str, PublicKey],
    report: Report,
    progress: Progress | None,
) -> list[bytes]:
    frontier: list[bytes] = []
    expected = 0
    while True:
        entries = list(
            session.execute(
                select(LedgerEntry).where(LedgerEntry.seq >= expected).order_by(LedgerEntry.seq).limit(CHUNK)
            ).scalars()
        )
        if not entries:
            break
        built: dict[tuple[int, int], tuple[bytes, int]] = {}
        for entry in entries:
            if entry.seq != expected:
                report.problems.append(Problem(expected, f"entries {expected}–{entry.seq - 1} are missing"))
                return frontier
            _check_entry(h, entry, report)
            for level, idx, node_hash in merkle.append_leaf(h, frontier, expected, entry.leaf_hash):
                if level >= STORED_FROM_LEVEL:
                    built[(level, idx)] = (node_hash, idx << level)
            expected += 1
            sth = signed.get(expected)
            if sth is not None:
                _check_signed_head(h, sth, merkle.frontier_root(h, frontier), public_keys, report)
        _check_nodes(session, built, report)
        session.expunge_all()
        if progress:
            progress(expected, total)
    if expected < total:
        report.problems.append(Problem(expected, f"the head says {total} entries but only {expected} exist"))
    return frontier


def _check_entry(h: merkle.Hasher, entry: LedgerEntry, report: Report) -> None:
    if h.digest(entry.payload.encode("utf-8")).hex() != entry.payload_digest:
        report.problems.append(Problem(entry.seq, "its payload does not match its payload digest"))
    if h.leaf(document_of(entry)) != entry.leaf_hash:
        report.problems.append(Problem(entry.seq, "its contents do not match its leaf hash"))


def _check_nodes(session: Session, built: dict[tuple[int, int], tuple[bytes, int]], report: Report) -> None:
    by_level: dict[int, list[int]] = defaultdict(list)
    for level, idx in built:
        by_level[level].append(idx)
    for level, indexes in by_level.items():
        stored = dict(
            session.execute(
                select(LedgerNode.idx, LedgerNode.hash).where(
                    LedgerNode.level == level, LedgerNode.idx.between(min(indexes), max(indexes))
                )
            ).all()
        )
        for idx in indexes:
            node_hash, first_leaf = built[(level, idx)]
            if stored.get(idx) != node_hash:
                report.problems.append(
                    Problem(first_leaf, f"stored subtree hash ({level}, {idx}) does not match its entries")
                )


def _check_signed_head(
    h: merkle.Hasher, sth: SignedTreeHead, rebuilt_root: bytes, public_keys: dict[str, PublicKey], report: Report
) -> None:
    if rebuilt_root != sth.root_hash:
        report.problems.append(
            Problem(sth.size - 1, f"the signed tree head of size {sth.size} does not match the rebuilt log")
        )
    key = public_keys.get(sth.key_id)
    message = tree_head_message(sth.size, sth.root_hash, sth.timestamp, sth.algorithm, sth.key_id)
    # The stored algorithm must be the key's own: an Ed25519 head keeps verifying after a move to SM2.
    if key is None or key.algorithm != sth.signature_algorithm or not key.verify(sth.signature, message):
        report.problems.append(Problem(sth.size - 1, f"the signature of tree head {sth.size} does not verify"))


def audited_models() -> list[Any]:
    """The mapped classes that carry the Audited mixin, in table order: every domain's, whoever imported what
    (a bare ``pubdata ledger verify`` process has imported no domain's tables)."""
    import pubdata.all_models  # noqa: F401

    return sorted(
        (mapper.class_ for mapper in Base.registry.mappers if issubclass(mapper.class_, Audited)),
        key=lambda cls: cls.__tablename__,
    )


def _verify_rows(session: Session, h: merkle.Hasher, report: Report) -> None:
    """Each audited row matches the latest entry about it, and each row the ledger says exists does.

    Only the first ``report.size`` entries count (the head read at the start): a row changed while verify runs
    points past them and is checked against its own entry, so verifying a live platform finds no false edit."""
    removed = h.digest(REMOVED_STATE).hex()
    models = audited_models()
    for model in models:
        _verify_table(session, h, model, removed, report)
    _verify_existence(session, {model.__tablename__: model for model in models}, removed, report)


def _verify_table(session: Session, h: merkle.Hasher, model: Any, removed: str, report: Report) -> None:
    last: int | None = None
    while True:
        statement = select(model).order_by(model.id).limit(CHUNK)
        if last is not None:
            statement = statement.where(model.id > last)
        rows: list[Any] = list(session.execute(statement).scalars())
        if not rows:
            break
        last = rows[-1].id
        latest = _latest_entries(session, [row.audit_subject() for row in rows], report.size)
        newer = _entries(session, [row.ledger_seq for row in rows if (row.ledger_seq or 0) >= report.size])
        for row in rows:
            _check_row(h, row, latest, newer, removed, report)
        report.rows_checked += len(rows)
        session.expunge_all()


def _latest_entries(
    session: Session, subjects: list[str], size: int
) -> dict[str | None, tuple[int, str | None, str | None]]:
    """The latest entry recording a state of each subject, among the first ``size``: seq, subject, digest."""
    latest = (
        select(LedgerEntry.subject, func.max(LedgerEntry.seq).label("seq"))
        .where(LedgerEntry.subject.in_(subjects), LedgerEntry.state_digest.is_not(None), LedgerEntry.seq < size)
        .group_by(LedgerEntry.subject)
        .subquery()
    )
    found = session.execute(
        select(LedgerEntry.seq, LedgerEntry.subject, LedgerEntry.state_digest).join(
            latest, LedgerEntry.seq == latest.c.seq
        )
    )
    return {subject: (seq, subject, digest) for seq, subject, digest in found}


def _entries(session: Session, seqs: list[int | None]) -> dict[int, tuple[int, str | None, str | None]]:
    if not seqs:
        return {}
    found = session.execute(
        select(LedgerEntry.seq, LedgerEntry.subject, LedgerEntry.state_digest).where(LedgerEntry.seq.in_(seqs))
    )
    return {seq: (seq, subject, digest) for seq, subject, digest in found}


def _check_row(h: merkle.Hasher, row: Audited, latest: dict, newer: dict, removed: str, report: Report) -> None:
    subject = row.audit_subject()
    if row.ledger_seq is None:
        report.problems.append(
            Problem(None, f"{subject} has no ledger entry: it was written behind the platform's back")
        )
        return
    if row.ledger_seq >= report.size:  # changed while verify ran: its own entry, past the head read at the start
        found = newer.get(row.ledger_seq)
        found = found if found is not None and found[1] == subject else None
    else:
        found = latest.get(subject)
    if found is None:
        report.problems.append(
            Problem(
                row.ledger_seq,
                f"{subject} points at entry {row.ledger_seq}, which is not about it: no ledger entry records this row",
            )
        )
        return
    seq, _, digest = found
    if digest == removed:
        report.problems.append(Problem(seq, f"{subject} exists, but entry {seq} recorded its removal"))
    elif row.ledger_seq != seq:
        state = "the state of an older entry" if h.digest(row.audit_state_bytes()).hex() != digest else "its state"
        report.problems.append(
            Problem(
                seq,
                f"{subject} points at entry {row.ledger_seq}, but the latest entry about it is {seq}: "
                f"the row was rolled back to {state} behind the platform's back",
            )
        )
    elif h.digest(row.audit_state_bytes()).hex() != digest:
        report.problems.append(Problem(seq, f"{subject} was changed after entry {seq} recorded it"))


SUBJECT_KEY = re.compile(r"[1-9][0-9]{0,18}")


def _verify_existence(session: Session, models: dict[str, Any], removed: str, report: Report) -> None:
    """Every audited row the ledger recorded exists, unless the latest entry about it records its removal: one
    pass over the ledger's latest state entry per subject, streamed, checked a chunk of subjects at a time."""
    latest = (
        select(LedgerEntry.subject, func.max(LedgerEntry.seq).label("seq"))
        .where(LedgerEntry.state_digest.is_not(None), LedgerEntry.seq < report.size)
        .group_by(LedgerEntry.subject)
        .subquery()
    )
    statement = select(latest.c.subject, latest.c.seq, LedgerEntry.state_digest).join(
        LedgerEntry, LedgerEntry.seq == latest.c.seq
    )
    for chunk in session.execute(statement.execution_options(yield_per=CHUNK)).partitions(CHUNK):
        wanted: dict[str, dict[int, int]] = defaultdict(dict)  # table → row id → the entry that recorded it
        for subject, seq, digest in chunk:
            table, _, key = (subject or "").partition(":")
            if table in models and SUBJECT_KEY.fullmatch(key) and digest != removed:
                wanted[table][int(key)] = seq
        for table, recorded in wanted.items():
            model = models[table]
            present = set(session.scalars(select(model.id).where(model.id.in_(list(recorded)))))
            for key in sorted(recorded.keys() - present):
                seq = recorded[key]
                report.problems.append(
                    Problem(
                        seq,
                        f"{table}:{key} is missing: entry {seq} recorded it, and no entry records its removal; "
                        f"it was deleted behind the platform's back",
                    )
                )


def verify_sign_off_signatures(session: Session, report: Report) -> None:
    """Every sign-off signature: the same as its ledger entry records, made by a key registered to the signing
    organisation, and a valid SM2 signature of the sign-off statement. Rows from before signatures were real
    have none, and neither has their entry."""
    last = 0
    while True:
        rows = list(
            session.execute(select(Signature).where(Signature.id > last).order_by(Signature.id).limit(CHUNK)).scalars()
        )
        if not rows:
            break
        last = rows[-1].id
        entries = {
            entry.seq: entry
            for entry in session.execute(
                select(LedgerEntry).where(LedgerEntry.seq.in_([row.ledger_seq for row in rows]))
            ).scalars()
        }
        for row in rows:
            problem = _signature_problem(session, row, entries.get(row.ledger_seq))
            if problem:
                report.problems.append(Problem(row.ledger_seq, f"the {row.side} signature on {row.subject} {problem}"))
        session.expunge_all()


def _signature_problem(session: Session, row: Signature, entry: LedgerEntry | None) -> str | None:
    recorded = json.loads(entry.payload) if entry is not None and entry.subject == row.subject else None
    if recorded is None:
        return f"points at entry {row.ledger_seq}, which is not about it"
    stored = base64.b64encode(row.signature).decode() if row.signature is not None else None
    if (recorded.get("side"), recorded.get("document_digest")) != (row.side, row.document_digest) or (
        recorded.get("key_id"),
        recorded.get("signature"),
    ) != (row.key_id, stored):
        return f"is not the one entry {row.ledger_seq} recorded"
    if row.signature is None or row.key_id is None:
        return None  # from before signatures were real, and so recorded
    key = keys.key_by_id(session, row.key_id)
    if key is None or key.organisation_id != row.organisation_id:
        return f"was made with key {row.key_id}, which is not registered to the signing organisation"
    message = signoff.statement(subject=row.subject, side=row.side, document_digest=row.document_digest)
    if not PublicKey(key.algorithm, key.public_key).verify(row.signature, message):
        return f"does not verify with key {row.key_id}: it was forged or altered"
    return None
