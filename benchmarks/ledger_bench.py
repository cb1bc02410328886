"""Ledger benchmark: batched appends against plain inserts, proof latency and full verification.

Run: .venv/bin/python benchmarks/ledger_bench.py [--entries 1000000] [--batch 1000] [--data-dir bench-data]
    [--audited-rows 997]
With ``--audited-rows N`` the entries are about N audited rows (organisations) and carry their state digests,
as contract calls do (one state entry per call): verification then checks each row against the latest of its
~entries/N entries, and that every recorded row exists.
Prints a Markdown table for docs/benchmarks.md. Nothing here is a test: numbers are recorded, not asserted.
"""

from __future__ import annotations

import argparse
import os
import platform as host
import random
import shutil
import statistics
import time
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import MetaData, insert, text

from harness import Contention, cpu_model
from pubdata import contracts as _contracts  # noqa: F401 - declares the "contract.call" action the drafts use
from pubdata.common import canonical, clock
from pubdata.common.actor import Actor
from pubdata.config import Settings
from pubdata.ledger import service as ledger
from pubdata.ledger.models import LedgerEntry
from pubdata.ledger.verify import verify
from pubdata.platform import open_platform

# With --audited-rows: the rows' subjects and state digests, in the order the entries cycle through them.
AUDITED: list[tuple[str, str]] = []


def drafts(start: int, n: int) -> list[ledger.Draft]:
    if AUDITED:
        return [
            ledger.Draft(
                actor=Actor.user(7, 3),
                action="contract.call",
                subject=AUDITED[(start + i) % len(AUDITED)][0],
                payload={"rows": (start + i) % 1000, "purpose": "普惠金融", "query": "q" * 40},
                state_digest=AUDITED[(start + i) % len(AUDITED)][1],
            )
            for i in range(n)
        ]
    return [
        ledger.Draft(
            actor=Actor.user(7, 3),
            action="contract.call",
            subject=f"contract:{(start + i) % 997}",
            payload={"rows": (start + i) % 1000, "purpose": "普惠金融", "query": "q" * 40},
        )
        for i in range(n)
    ]


def make_audited_rows(platform, n: int) -> None:
    """N organisations through the real service (each with its creation entry), remembered for the drafts."""
    from pubdata.common.actor import CLI
    from pubdata.identity import service as identity
    from pubdata.identity.access import PlatformItself

    with platform.command() as session:
        h = ledger.hasher(ledger.algorithm(session))
        for i in range(n):
            row = identity.create_organisation(session, principal=PlatformItself(CLI), kind="consumer", name=f"机构{i}")
            AUDITED.append((row.audit_subject(), h.digest(row.audit_state_bytes()).hex()))


def point_rows_at_their_latest_entries(platform) -> None:
    """What ``ledger.record`` would have left: each row pointing at the latest entry about it."""
    with platform.command() as session:
        session.execute(
            text(
                "UPDATE organisation SET ledger_seq = (SELECT max(seq) FROM ledger_entry "
                "WHERE subject = 'organisation:' || organisation.id AND state_digest IS NOT NULL)"
            )
        )


def plain_rows(start: int, n: int) -> list[dict]:
    """The same rows the ledger writes, with fixed stand-ins for the digests: no hashing at all."""
    stamp = canonical.format_time(clock.now())
    rows = []
    for i, draft in enumerate(drafts(start, n)):
        rows.append(
            {
                "seq": start + i,
                "recorded_at": stamp,
                "actor": draft.actor.label,
                "organisation_id": draft.actor.organisation_id,
                "action": draft.action,
                "subject": draft.subject,
                "payload": canonical.dumps(draft.payload).decode(),
                "payload_digest": "0" * 64,
                "state_digest": None,
                "leaf_hash": b"\x00" * 32,
            }
        )
    return rows


def timed_appends(platform, total: int, batch: int, label: str) -> float:
    """One command (the platform's unit of work, committed when its block ends) per batch."""
    started = time.perf_counter()
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True) as bar:
        task = bar.add_task(label, total=total)
        for start in range(0, total, batch):
            with platform.command() as session:
                ledger.append(session, drafts(start, min(batch, total - start)))
            bar.update(task, advance=min(batch, total - start))
    return time.perf_counter() - started


def timed_plain_inserts(platform, total: int, batch: int) -> float:
    baseline = LedgerEntry.__table__.to_metadata(MetaData(), name="ledger_entry_plain")
    for index in baseline.indexes:  # the same indexes, under the copy's own names
        if index.name and not index.name.startswith("ix_ledger_entry_plain"):
            index.name = index.name.replace("ix_ledger_entry", "ix_ledger_entry_plain", 1)
    baseline.create(platform.engine)
    started = time.perf_counter()
    for start in range(0, total, batch):
        rows = plain_rows(start, min(batch, total - start))
        with platform.command() as session:
            session.execute(insert(baseline), rows)
    elapsed = time.perf_counter() - started
    return elapsed


def latencies(fn, samples: int) -> tuple[float, float, float]:
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1], times[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--data-dir", type=Path, default=Path("bench-data"))
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--audited-rows", type=int, default=0)
    args = parser.parse_args()
    shutil.rmtree(args.data_dir, ignore_errors=True)
    platform = open_platform(Settings(data_dir=args.data_dir))
    if args.audited_rows:
        make_audited_rows(platform, args.audited_rows)

    contention = {name: Contention() for name in ("plain", "append", "proofs", "verify")}
    # Plain inserts first into a scratch copy of the table, then the real ledger, in the same database file.
    with contention["plain"]:
        plain_s = timed_plain_inserts(platform, args.entries, args.batch)
    with contention["append"]:
        ledger_s = timed_appends(platform, args.entries, args.batch, "ledger append")
    if args.audited_rows:
        point_rows_at_their_latest_entries(platform)
    n = args.entries
    rng = random.Random(6962)
    with platform.command() as session:  # signing the head keeps it: a write
        head = ledger.current_tree_head(session, platform.signer)
    with platform.read() as session, contention["proofs"]:  # one warm read session for all the proofs
        inclusion = latencies(lambda: ledger.inclusion_proof(session, seq=rng.randrange(n), tree_size=n), args.samples)

        def one_consistency() -> None:
            second = rng.randrange(2, n + 1)
            ledger.consistency_proof(session, first=rng.randrange(1, second), second=second)

        consistency = latencies(one_consistency, args.samples)
    with (
        platform.read() as session,
        Progress(TextColumn("verify"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True) as bar,
        contention["verify"],
    ):
        task = bar.add_task("verify", total=n)
        started = time.perf_counter()
        report = verify(
            session, public_keys=platform.public_keys, progress=lambda done, total: bar.update(task, completed=done)
        )
        verify_s = time.perf_counter() - started
    assert report.ok, report.problems[:3]

    print(
        f"\nmachine: {host.machine()}, {os.cpu_count()} cores ({cpu_model()}), Python {host.python_version()}, "
        f"{host.platform()}"
    )
    print(
        f"date: {time.strftime('%Y-%m-%d')}; log size {n:,}; batch {args.batch}; hash {head.algorithm}; "
        f"audited rows {args.audited_rows} ({report.rows_checked} checked)"
    )
    print(
        "other processes' CPU during the timed sections, in cores (0 = quiet machine): "
        + ", ".join(f"{name} {c.cores:.2f}" for name, c in contention.items())
        + "\n"
    )
    print("| measure | result |")
    print("|---|---|")
    print(f"| ledger append, batched (SQLite) | {n / ledger_s:,.0f} entries/s ({ledger_s:.1f} s) |")
    print(f"| plain insert of the same rows, no hashing | {n / plain_s:,.0f} rows/s ({plain_s:.1f} s) |")
    print(f"| ratio ledger / plain | {ledger_s / plain_s:.2f}× |")
    print(f"| inclusion proof, p50 / p99 / max | {inclusion[0]:.2f} / {inclusion[1]:.2f} / {inclusion[2]:.2f} ms |")
    print(
        f"| consistency proof, p50 / p99 / max | {consistency[0]:.2f} / {consistency[1]:.2f} / "
        f"{consistency[2]:.2f} ms |"
    )
    print(f"| full verification | {verify_s:.1f} s ({n / verify_s:,.0f} entries/s) |")
    platform.close()


if __name__ == "__main__":
    main()
