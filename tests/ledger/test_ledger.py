"""The ledger on a real database (SQLite and PostgreSQL): appends, proofs, atomicity, concurrency, verify."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text, update

from pubdata.common import clock, messages
from pubdata.common.actor import CLI, SYSTEM, Actor
from pubdata.identity import service as identity
from pubdata.identity.models import Organisation
from pubdata.ledger import merkle
from pubdata.ledger import service as ledger
from pubdata.ledger.models import LedgerEntry, LedgerNode
from pubdata.ledger.verify import verify
from tests.scenarios import AS_CLI

# What these tests append: declared like any domain's actions, since the ledger records nothing it cannot name.
messages.declare(actions={"test.event": ("测试事件", "Test event"), "test.concurrent": ("并发测试", "Concurrent test")})


def append_n(platform, n: int, *, action: str = "test.event") -> list[int]:
    with platform.command() as session:
        seqs = ledger.append(
            session, [ledger.Draft(actor=CLI, action=action, subject=f"thing:{i}", payload={"i": i}) for i in range(n)]
        )
    return seqs


def test_entries_are_numbered_from_zero_without_gaps(platform):
    assert append_n(platform, 5) == [0, 1, 2, 3, 4]
    assert append_n(platform, 3) == [5, 6, 7]


def test_proofs_from_stored_nodes_verify_against_the_signed_head(platform):
    append_n(platform, 37)
    with platform.command() as session:
        head = ledger.current_tree_head(session, platform.signer)
        h = ledger.hasher(head.algorithm)
        assert head.signature_valid()
        for seq in (0, 1, 16, 31, 32, 36):
            entry = ledger.get_entry(session, seq)
            path = ledger.inclusion_proof(session, seq=seq, tree_size=head.size)
            assert merkle.verify_inclusion(h, seq, head.size, h.leaf(ledger.document_of(entry)), path, head.root_hash)
        for first in (1, 5, 16, 20, 37):
            path = ledger.consistency_proof(session, first=first, second=37)
            assert merkle.verify_consistency(h, first, 37, ledger.root_at(session, first), head.root_hash, path)


def test_state_change_and_its_entry_commit_or_roll_back_together(platform):
    with platform.command() as session:
        identity.create_organisation(session, principal=AS_CLI, kind="provider", name="池州市统计局")
        session.rollback()
    with platform.command() as session:
        assert session.scalar(select(Organisation).where(Organisation.name == "池州市统计局")) is None
        assert ledger.size(session) == 0
    with platform.command() as session:
        organisation = identity.create_organisation(session, principal=AS_CLI, kind="provider", name="池州市统计局")
        entry = ledger.get_entry(session, organisation.ledger_seq)
        assert entry.subject == f"organisation:{organisation.id}"
        assert entry.action == "identity.organisation.create"


def test_concurrent_appends_never_share_a_sequence_number(platform):
    threads, per_thread = 8, 25
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(per_thread):
                with platform.command() as session:
                    ledger.record(session, actor=Actor(label=f"thread:{n}"), action="test.concurrent", payload={"i": i})
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert not errors
    with platform.command() as session:
        seqs = list(session.execute(select(LedgerEntry.seq).order_by(LedgerEntry.seq)).scalars())
        assert seqs == list(range(threads * per_thread))
        assert verify(session, public_keys=platform.public_keys).ok


def _organisations(platform, n: int = 3) -> list[int]:
    ids = []
    with platform.command() as session:
        for i in range(n):
            ids.append(identity.create_organisation(session, principal=AS_CLI, kind="provider", name=f"部门{i}").id)
        ledger.current_tree_head(session, platform.signer)
    return ids


def test_untouched_ledger_verifies(platform):
    _organisations(platform)
    with platform.command() as session:
        report = verify(session, public_keys=platform.public_keys)
    assert report.ok, report.problems
    assert report.size == 3 and report.rows_checked == 3


def test_edited_ledger_row_is_named(platform):
    _organisations(platform)
    with platform.command() as session:
        session.execute(update(LedgerEntry).where(LedgerEntry.seq == 1).values(action="identity.organisation.delete"))
        report = verify(session, public_keys=platform.public_keys)
    assert report.first_bad_seq == 1
    assert any("leaf hash" in problem.reason for problem in report.problems)


def test_edited_payload_is_named(platform):
    _organisations(platform)
    with platform.command() as session:
        session.execute(
            update(LedgerEntry).where(LedgerEntry.seq == 2).values(payload='{"kind":"provider","name":"别的"}')
        )
        report = verify(session, public_keys=platform.public_keys)
    assert report.first_bad_seq == 2


def test_rewritten_log_does_not_match_its_signed_head(platform):
    """Someone rehashes an edited entry (no stored subtree covers it yet): the signed tree head still catches it."""
    _organisations(platform)
    with platform.command() as session:
        entry = session.get(LedgerEntry, 0)
        entry.action = "identity.organisation.forged"
        h = ledger.hasher(ledger.algorithm(session))
        entry.leaf_hash = h.leaf(ledger.document_of(entry))
        report = verify(session, public_keys=platform.public_keys)
    assert not report.ok
    assert any("signed tree head" in problem.reason for problem in report.problems)


def test_tampered_subtree_hash_is_found(platform):
    append_n(platform, 40)
    with platform.command() as session:
        session.execute(update(LedgerNode).where(LedgerNode.level == 4, LedgerNode.idx == 1).values(hash=b"\x00" * 32))
        report = verify(session, public_keys=platform.public_keys)
    assert report.first_bad_seq == 16
    assert any("subtree hash (4, 1)" in problem.reason for problem in report.problems)


def test_audited_row_edited_behind_the_platforms_back_is_named(platform):
    ids = _organisations(platform)
    with platform.command() as session:
        session.execute(text("UPDATE organisation SET name = '改过的名字' WHERE id = :id"), {"id": ids[1]})
        report = verify(session, public_keys=platform.public_keys)
    assert report.first_bad_seq == 1
    assert f"organisation:{ids[1]} was changed after entry 1" in report.problems[0].reason


def test_row_inserted_behind_the_platforms_back_is_found(platform):
    _organisations(platform)
    with platform.command() as session:
        session.execute(
            text(
                "INSERT INTO organisation (kind, name, active, created_at) VALUES ('bureau', '冒名机构', true, "
                "'2026-01-01 00:00:00')"
            )
        )
        report = verify(session, public_keys=platform.public_keys)
    assert not report.ok
    assert any("no ledger entry" in problem.reason for problem in report.problems)


def test_removed_tail_is_found(platform):
    _organisations(platform)
    with platform.command() as session:
        session.execute(text("DELETE FROM ledger_entry WHERE seq = 2"))
        report = verify(session, public_keys=platform.public_keys)
    assert report.first_bad_seq == 2


def test_removed_middle_entry_is_named(platform):
    append_n(platform, 6)
    with platform.command() as session:
        session.execute(text("DELETE FROM ledger_entry WHERE seq = 3"))
        report = verify(session, public_keys=platform.public_keys)
    assert report.first_bad_seq == 3
    assert "missing" in report.problems[0].reason


def test_proof_outside_the_tree_is_refused(platform):
    append_n(platform, 3)
    with platform.command() as session:
        with pytest.raises(Exception, match="not inside a tree"):
            ledger.inclusion_proof(session, seq=3, tree_size=3)
        with pytest.raises(Exception, match="consistency proof needs"):
            ledger.consistency_proof(session, first=2, second=4)


def test_entries_are_counted_in_the_city_s_months(platform):
    """A call at 00:30 on 1 April in Chizhou (16:30 UTC on 31 March) counts in April; the UTC month would put it
    in March, and a department's chart of calls per month would disagree with its own calendar."""
    for moment in ("2026-03-31T15:59:00+00:00", "2026-03-31T16:30:00+00:00", "2026-04-30T12:00:00+00:00"):
        clock.freeze(clock.parse_moment(moment))
        with platform.command() as session:
            ledger.record(session, actor=SYSTEM, action="contract.call", subject="contract:7")
    with platform.read() as session:
        counted = ledger.count_by_month(session, actions=["contract.call"], subjects=["contract:7"])
    assert counted == {"2026-03": 1, "2026-04": 2}
