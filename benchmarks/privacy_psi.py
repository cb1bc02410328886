"""Private set intersection (pubdata.privacy.psi, pubdata_client.psi) beside the raw libraries, in one run.

Run: .venv/bin/python benchmarks/privacy_psi.py [--items 1000000] [--run-items 1000] [--rounds 3]
(or through benchmarks/privacy_bench.py, which prints the three protocols' rows in one table). Numbers are
recorded, not asserted. The 1M setup takes minutes on one core: run it once, on a quiet machine.

- The curve's limit: raw scalar multiplications per second in the same run — X25519 (``crypto_scalarmult``),
  ed25519 (``crypto_scalarmult_ed25519_noclamp``), both libsodium through PyNaCl, and P-256 ECDH through
  ``cryptography`` (OpenSSL), the curve openmined-psi works on. One set element costs a hash to P-256, one
  multiplication and a compression.
- The setup over ``--items`` synthetic credit codes: time, elements per second, bytes; and the part of it that
  is ours (canonical form, each item once), timed alone.
- GCS against a Bloom filter on 20,000 of the items: setup bytes and the client's test (why GCS).
- One ``--run-items`` run (half the items in the set) against that setup, raw openmined-psi (client request,
  server ``ProcessRequest``, ``GetIntersection``) beside our core (``PsiRun.message``, ``psi.answer``,
  ``PsiRun.matches``) on the same items, key and setup; median of ``--rounds``, interleaved; bytes each way.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from nacl import bindings
from private_set_intersection.python import DataStructure, Request, Response, ServerSetup, client, server

from pubdata.common.ids import synthetic_credit_code
from pubdata.privacy import psi
from pubdata_client.psi import PsiRun
from pubdata_protocol import psi as shared

Row = dict[str, Any]


def rate(operation: Callable[[], object], seconds: float = 1.0) -> float:
    """Calls per second of ``operation`` over about ``seconds``."""
    count = 0
    start = time.perf_counter()
    while True:
        for _ in range(100):
            operation()
        count += 100
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def timed(operation: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = operation()
    return result, time.perf_counter() - start


def raw_rates() -> list[Row]:
    scalar = bindings.crypto_core_ed25519_scalar_reduce(os.urandom(64))
    point = bindings.crypto_scalarmult_ed25519_base_noclamp(bindings.crypto_core_ed25519_scalar_reduce(os.urandom(64)))
    x_key, x_point = os.urandom(32), bindings.crypto_scalarmult_base(os.urandom(32))
    p256 = ec.generate_private_key(ec.SECP256R1())
    peer = ec.generate_private_key(ec.SECP256R1()).public_key()
    contenders = {
        "raw X25519 crypto_scalarmult (libsodium)": lambda: bindings.crypto_scalarmult(x_key, x_point),
        "raw ed25519 crypto_scalarmult_ed25519_noclamp (libsodium)": lambda: bindings.crypto_scalarmult_ed25519_noclamp(
            scalar, point
        ),
        "raw P-256 ECDH (cryptography/OpenSSL; openmined-psi's curve)": lambda: p256.exchange(ec.ECDH(), peer),
    }
    return [
        {"protocol": "psi", "case": name, "per_second": rate(operation), "note": "scalar multiplications"}
        for name, operation in contenders.items()
    ]


VERSION = "ab" * 32  # the set version both sides bind the items to (pubdata_protocol.psi.bound)


def credit_codes(count: int, *, start: int = 0) -> list[str]:
    return [synthetic_credit_code("341702", f"{start + i:08d}") for i in range(count)]


def setup_rows(key: bytes, items: list[str]) -> tuple[bytes, list[Row]]:
    _, ours = timed(lambda: shared.items_of(items, set_version=VERSION))
    setup, seconds = timed(lambda: psi.setup(key, items, set_version=VERSION))
    gcs = ServerSetup.FromString(setup).gcs
    rows = [
        {
            "protocol": "psi",
            "case": f"setup (GCS, fpr {shared.setup_fpr(len(items)):.2g} per {shared.MAX_CLIENT_ITEMS:,}-item run)",
            "items": len(items),
            "seconds": seconds,
            "per_second": len(items) / seconds,
            "bytes_down": len(setup),
            "note": f"{len(setup) * 8 / len(items):.1f} bits/item, Golomb divisor 2^{gcs.div}",
        },
        {
            "protocol": "psi",
            "case": "  of which ours: canonical form, each item once",
            "items": len(items),
            "seconds": ours,
            "per_second": len(items) / ours,
        },
    ]
    return setup, rows


Outcome = tuple[list[int], int, int, float]  # matched indices, bytes up, bytes down, the server's seconds


def raw_run(key: bytes, setup: bytes, items: list[str]) -> Outcome:
    """openmined-psi alone: the same key and setup, its own objects and (de)serialisation."""
    asking = client.CreateWithNewKey(True)
    request = asking.CreateRequest([shared.bound(item, set_version=VERSION) for item in items]).SerializeToString()
    answering = server.CreateFromKey(key, True)
    response, seconds = timed(lambda: answering.ProcessRequest(Request.FromString(request)).SerializeToString())
    found = asking.GetIntersection(ServerSetup.FromString(setup), Response.FromString(response))
    return sorted(found), len(request), len(response), seconds


def core_run(key: bytes, setup: bytes, items: list[str]) -> Outcome:
    run = PsiRun(items, set_version=VERSION)
    request = run.message()
    response, seconds = timed(lambda: psi.answer(key, request, items=len(items)))
    matches = run.matches(setup, response)
    return [i for i, found in enumerate(matches) if found], len(request), len(response), seconds


def run_rows(key: bytes, setup: bytes, members: list[str], *, count: int, rounds: int) -> list[Row]:
    asked = members[: count // 2] + credit_codes(count - count // 2, start=90_000_000)
    expected = list(range(count // 2))
    contenders = {"raw openmined-psi": raw_run, "our core (PsiRun → answer → matches)": core_run}
    times: dict[str, list[float]] = {name: [] for name in contenders}
    server_times: dict[str, list[float]] = {name: [] for name in contenders}
    sizes: dict[str, tuple[int, int]] = {}
    for _ in range(rounds):
        for name, contender in contenders.items():
            (found, up, down, answering), seconds = timed(lambda c=contender: c(key, setup, asked))  # type: ignore[misc]
            if found != expected:
                raise SystemExit(f"{name} found {len(found)} matches, not the {len(expected)} expected")
            times[name].append(seconds)
            server_times[name].append(answering)
            sizes[name] = (up, down)
    rows: list[Row] = []
    for name in contenders:
        total, answering = statistics.median(times[name]), statistics.median(server_times[name])
        rows.append(
            {
                "protocol": "psi",
                "case": f"{count:,}-item run, {name}",
                "items": count,
                "seconds": total,
                "per_second": count / total,
                "bytes_up": sizes[name][0],
                "bytes_down": sizes[name][1],
                "ratio": statistics.median(times["raw openmined-psi"]) / total,
                "note": f"server {answering:.3g} s; {len(members):,}-item setup fetched once; median of {rounds}",
            }
        )
    return rows


def structure_rows(key: bytes, members: list[str], *, count: int) -> list[Row]:
    """GCS against a Bloom filter at the same fpr and client size: the setup's bytes, and the client's test of a
    ``count``-item answer (openmined-psi alone; our core only builds GCS)."""
    asked = members[: count // 2] + credit_codes(count - count // 2, start=90_000_000)
    answering = server.CreateFromKey(key, True)
    fpr = shared.setup_fpr(len(members))
    rows: list[Row] = []
    for structure in (DataStructure.GCS, DataStructure.BLOOM_FILTER):
        setup, build = timed(lambda s=structure: answering.CreateSetupMessage(fpr, shared.MAX_CLIENT_ITEMS, members, s))
        asking = client.CreateWithNewKey(True)
        response = answering.ProcessRequest(asking.CreateRequest(asked))
        found, test = timed(lambda a=asking, s=setup, r=response: a.GetIntersection(s, r))
        if sorted(found) != list(range(count // 2)):
            raise SystemExit(f"{structure.name} found {len(found)} matches, not {count // 2}")
        size = setup.ByteSize()
        rows.append(
            {
                "protocol": "psi",
                "case": f"data structure: {structure.name} (raw openmined-psi)",
                "items": len(members),
                "seconds": build,
                "per_second": len(members) / build,
                "bytes_down": size,
                "note": f"{size * 8 / len(members):.1f} bits/item; client's test of {count:,} items {test:.3g} s",
            }
        )
    return rows


def run(items: int = 1_000_000, run_items: int = 1000, rounds: int = 3) -> list[Row]:
    """The rows for privacy_bench.py."""
    key = psi.new_key()
    members = credit_codes(items)
    rows = raw_rates()
    setup, setup_table = setup_rows(key, members)
    rows += setup_table
    rows += run_rows(key, setup, members, count=run_items, rounds=rounds)
    rows += structure_rows(key, members[:20_000], count=run_items)
    rows += raw_rates()  # again after the long setup: how much the machine's speed moved meanwhile
    for row in rows[-3:]:
        row["case"] += " (after)"
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--run-items", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from privacy_bench import measure, print_table

    print_table(*measure({"psi": lambda: run(args.items, args.run_items, args.rounds)}))


if __name__ == "__main__":
    main()
