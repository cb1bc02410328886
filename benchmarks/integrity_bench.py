"""Data-file check benchmark: the platform's SM3 file check (``engines.files``) against the raw libraries.

Run: .venv/bin/python benchmarks/integrity_bench.py [--mib 1024] [--repeats 5] [--data-dir bench-data/integrity]
Prints a Markdown table for docs/benchmarks.md. Nothing here is a test: numbers are recorded, not asserted.

One file of random bytes is written once per run; then, in alternation on that same file (in the page cache
after the first pass, so this is hashing speed, not the disk's): cryptography's SM3 fed the file in 4 MiB
reads, OpenSSL's SM3 through hashlib the same way, the platform's first check (stat, stream, compare, stat),
and the same two libraries over the bytes already in memory (no I/O at all). Then the remembered check: the
cost of every later open of an unchanged file, one ``stat``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform as host
import ssl
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cryptography import __version__ as cryptography_version
from cryptography.hazmat.primitives import hashes

from harness import Contention, cpu_model
from pubdata.engines import files

CHUNK = 4 << 20


def write_file(path: Path, mib: int) -> None:
    if path.exists() and path.stat().st_size == mib << 20:
        return
    with path.open("wb") as sink:
        for _ in range(mib // 4):
            sink.write(os.urandom(4 << 20))


def cryptography_file(path: Path) -> str:
    digest = hashes.Hash(hashes.SM3())
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.finalize().hex()


def hashlib_file(path: Path) -> str:
    digest = hashlib.new("sm3")
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--stats", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, default=Path("bench-data/integrity"))
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    path = args.data_dir / "version.parquet"
    write_file(path, args.mib)
    size = path.stat().st_size
    expected = cryptography_file(path)
    assert hashlib_file(path) == expected == files.digest_of(path, "sm3")
    recorded = files.Recorded(path.name, size, expected, "sm3", "BENCH-0001", 1, 1)
    data = path.read_bytes()

    def platform_first_check() -> str:
        checks = files.FileChecks()  # nothing remembered: the first open in a process
        checks.check(path, recorded)
        assert checks.hashes_of(path) == 1
        return expected

    def cryptography_memory() -> str:
        digest = hashes.Hash(hashes.SM3())
        digest.update(data)
        return digest.finalize().hex()

    def hashlib_memory() -> str:
        return hashlib.new("sm3", data).hexdigest()

    measures: dict[str, Callable[[], str]] = {
        "cryptography SM3, file in 4 MiB reads (raw library)": lambda: cryptography_file(path),
        "OpenSSL SM3 via hashlib, file in 4 MiB reads (raw library)": lambda: hashlib_file(path),
        "**platform: first check** (`FileChecks.check`, nothing remembered)": platform_first_check,
        "cryptography SM3, bytes in memory (no I/O)": cryptography_memory,
        "OpenSSL SM3 via hashlib, bytes in memory (no I/O)": hashlib_memory,
    }
    times: dict[str, list[float]] = {name: [] for name in measures}
    contention = Contention()
    for _ in range(args.repeats):
        for name, measure in measures.items():
            with contention:
                start = time.perf_counter()
                assert measure() == expected
                times[name].append(time.perf_counter() - start)

    warm = files.FileChecks()
    warm.check(path, recorded)
    with contention:
        start = time.perf_counter()
        for _ in range(args.stats):
            warm.check(path, recorded)
        remembered_us = (time.perf_counter() - start) / args.stats * 1e6
    assert warm.hashes_of(path) == 1

    baseline = statistics.median(times["cryptography SM3, file in 4 MiB reads (raw library)"])
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"### {stamp} — {host.machine()}, {os.cpu_count()} cores ({cpu_model()}), Python {host.python_version()}, "
        f"{host.platform()}, cryptography {cryptography_version}, {ssl.OPENSSL_VERSION} (hashlib)"
    )
    print()
    print(f"One {size / 2**20:,.0f} MiB file, {args.repeats} alternating rounds; median (min–max) of the rounds.")
    print(f"Other processes' CPU while timing: {contention.cores:.2f} cores.")
    print()
    print("| measure | time (s) | throughput (MiB/s) | speed vs raw cryptography on the file |")
    print("|---|---|---|---|")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(
            f"| {name} | {median:.3f} ({min(samples):.3f}–{max(samples):.3f}) | {size / 2**20 / median:,.0f} | "
            f"{baseline / median:.2f}× |"
        )
    print(
        f"| **platform: remembered check** (one `stat`, {args.stats:,} calls) | {remembered_us:.2f} µs per open "
        "| — | — |"
    )


if __name__ == "__main__":
    main()
