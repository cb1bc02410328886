"""SM2 bindings compared: gmssl-pyx and gmssl-fast, signing and verifying a tree head, in the same run.

Run: .venv/bin/python benchmarks/sm2_bench.py [--seconds 2] [--rounds 5]
Prints a Markdown table for docs/benchmarks.md. Nothing here is a test: numbers are recorded, not asserted.

Each round times every contender for ``--seconds`` in turn (so a busy spell of the shared machine hits them
alike); the table gives the median of the rounds. The message is a canonical tree-head document of the size
the platform signs. Every SM2 contender signs with the standard's default user ID (Z included): gmssl-pyx's
message API, its digest API as pubdata's ``SM2Signer`` uses it (Z computed once per key, e = SM3(Z ‖ M)),
and gmssl-fast's ``SM2`` (key handle kept, as it recommends). Ed25519 from
``cryptography`` is the reference the platform used before.
"""

from __future__ import annotations

import argparse
import platform as host
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

import gmssl_fast
import gmssl_pyx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from harness import Contention, cpu_model
from pubdata.ledger.service import tree_head_message
from pubdata.ledger.signing import SM2Signer

MESSAGE = tree_head_message(123_456, bytes(range(32)), "2026-12-01T13:00:00.000000Z", "sm3", "0123456789abcdef")


def rate(operation: Callable[[], object], seconds: float, contention: Contention) -> float:
    """Operations per second, calling ``operation`` for about ``seconds``."""
    count = 0
    with contention:
        start = time.perf_counter()
        deadline = start + seconds
        while True:
            for _ in range(50):
                operation()
            count += 50
            now = time.perf_counter()
            if now >= deadline:
                return count / (now - start)


def contenders() -> dict[str, tuple[Callable[[], object], Callable[[], object]]]:
    public, private = gmssl_pyx.sm2_key_generate()
    pyx_signature = gmssl_pyx.sm2_sign(private, public, MESSAGE)
    assert gmssl_pyx.sm2_verify(public, MESSAGE, pyx_signature)

    fast_key = gmssl_fast.SM2.generate()
    fast_public = gmssl_fast.SM2(public_key=fast_key.public_key_hex)
    fast_signature = fast_key.sign(MESSAGE)
    assert fast_public.verify(MESSAGE, fast_signature)

    signer = SM2Signer.generate()
    signer_public = signer.public()
    signer_signature = signer.sign(MESSAGE)
    assert signer_public.verify(signer_signature, MESSAGE)

    ed_key = Ed25519PrivateKey.generate()
    ed_public = ed_key.public_key()
    ed_signature = ed_key.sign(MESSAGE)
    return {
        f"gmssl-pyx {gmssl_pyx.__version__} message API `sm2_sign`/`sm2_verify` (SM2, DER)": (
            lambda: gmssl_pyx.sm2_sign(private, public, MESSAGE),
            lambda: gmssl_pyx.sm2_verify(public, MESSAGE, pyx_signature),
        ),
        f"gmssl-pyx {gmssl_pyx.__version__} digest API, Z kept per key (pubdata's SM2Signer)": (
            lambda: signer.sign(MESSAGE),
            lambda: signer_public.verify(signer_signature, MESSAGE),
        ),
        "gmssl-fast 0.1.0 (SM2, raw r‖s)": (
            lambda: fast_key.sign(MESSAGE),
            lambda: fast_public.verify(MESSAGE, fast_signature),
        ),
        "cryptography Ed25519 (reference)": (
            lambda: ed_key.sign(MESSAGE),
            lambda: ed_public.verify(ed_signature, MESSAGE),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    contention = Contention()
    runs = contenders()
    results: dict[str, dict[str, list[float]]] = {name: {"sign": [], "verify": []} for name in runs}
    for _ in range(args.rounds):
        for name, (sign, verify) in runs.items():
            results[name]["sign"].append(rate(sign, args.seconds, contention))
            results[name]["verify"].append(rate(verify, args.seconds, contention))

    print(
        f"### {datetime.now(UTC):%Y-%m-%d} — {host.machine()}, {cpu_model()}, Python {host.python_version()}, "
        f"{host.platform()}"
    )
    print()
    print(f"{args.rounds} rounds of {args.seconds:g} s per measure, median; message {len(MESSAGE)} bytes; ")
    print(f"other processes' CPU while timing: {contention.cores:.2f} cores.")
    print()
    print("| library | sign / s | verify / s |")
    print("|---|---:|---:|")
    for name, measured in results.items():
        sign, verify = (statistics.median(measured[kind]) for kind in ("sign", "verify"))
        print(f"| {name} | {sign:,.0f} | {verify:,.0f} |")


if __name__ == "__main__":
    main()
