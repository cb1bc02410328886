"""Labelled lookup (匿踪标签查询): the label table of a large set, and one consumer's lookup, beside the raw
libsodium operations they are made of, in the same run.

Run: .venv/bin/python benchmarks/privacy_lookup.py [--items 1000000] [--workers 2] [--lookup 1000]
(``benchmarks/privacy_bench.py`` calls ``run()`` with the others). Nothing here is a test: numbers are recorded.

- raw: ed25519 noclamp scalar multiplications per second (``crypto_scalarmult_ed25519_noclamp``, the table's
  and the lookup's limit: every item costs one on the server, two on the client) and Elligator 2 maps per second
  (``crypto_core_ed25519_from_uniform``, two per hash to the group);
- the table: ``privacy.lookup.table`` over ``--items`` synthetic credit codes with a tax-credit rating, in
  ``--workers`` processes: time, items per second, bytes;
- a lookup of ``--lookup`` items (half in the set) against that table: the client's blinding, the server's
  evaluation and the client's unblinding and local search, each timed, and the bytes each way (raw and as the
  JSON of ``RunRequest``/``RunAnswer``). The table is fetched once per set version, so it is listed apart.

``Contention`` gives the cores other processes kept busy while we timed (the machine is shared).
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import time
from collections.abc import Callable

import nacl.bindings as sodium

import harness
from harness import cpu_model
from pubdata.common.ids import synthetic_credit_code
from pubdata.privacy import lookup
from pubdata_client.lookup import LookupRun
from pubdata_protocol.messages import RunAnswer, RunRequest, encode, new_nonce

RATINGS = ("A", "B", "M", "C", "D")
VERSION = hashlib.sha256(b"benchmark set version").hexdigest()


class Contention(harness.Contention):
    """The harness's measure, counting the table's worker processes as ours (they are reaped before it samples)."""

    @staticmethod
    def _sample() -> tuple[float, float, float] | None:
        sample = harness.Contention._sample()
        if sample is None:
            return None
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return sample[0], sample[1], sample[2] + children.ru_utime + children.ru_stime


def credit_code(serial: int) -> str:
    return synthetic_credit_code(f"{330100 + serial // 100_000_000:06d}", f"{serial % 100_000_000:08d}")


def rate(operation: Callable[[], object], seconds: float, contention: Contention) -> float:
    """Operations per second, calling ``operation`` for about ``seconds``."""
    count = 0
    with contention:
        start = time.perf_counter()
        while True:
            for _ in range(20):
                operation()
            count += 20
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                return count / elapsed


def timed(operation: Callable[[], object], contention: Contention) -> tuple[float, object]:
    with contention:
        start = time.perf_counter()
        result = operation()
        return time.perf_counter() - start, result


def row(case: str, *, items: int | None, seconds: float | None, **extra: object) -> dict[str, object]:
    """One measure, in the columns ``privacy_bench`` prints."""
    per_second = items / seconds if items and seconds else None
    return {
        "protocol": "labelled lookup",
        "case": case,
        "items": items,
        "seconds": seconds,
        "per_second": per_second,
        **extra,
    }


def raw_rows(contention: Contention, seconds: float) -> tuple[list[dict[str, object]], float]:
    """The libsodium operations the lookup is made of, one core; and the scalar multiplications per second."""
    key = lookup.new_key()
    point = sodium.crypto_core_ed25519_from_uniform(bytes(range(32)))
    uniform = bytes(range(1, 33))
    multiply = rate(lambda: sodium.crypto_scalarmult_ed25519_noclamp(key, point), seconds, contention)
    elligator = rate(lambda: sodium.crypto_core_ed25519_from_uniform(uniform), seconds, contention)
    rows = [
        {
            "protocol": "labelled lookup",
            "case": "raw ed25519 scalarmult_noclamp, 1 core",
            "per_second": multiply,
            "note": "one per item on the server, two on the client",
        },
        {
            "protocol": "labelled lookup",
            "case": "raw ed25519 from_uniform (Elligator 2), 1 core",
            "per_second": elligator,
            "note": "two per hash to the group",
        },
    ]
    return rows, multiply


def run(
    items: int = 1_000_000,
    workers: int = 2,
    lookup_items: int = 1000,
    raw_seconds: float = 3.0,
    contention: Contention | None = None,
) -> list[dict[str, object]]:
    """The rows: raw libsodium rates, the table of ``items`` items, a lookup of ``lookup_items`` against it."""
    contention = contention or Contention()
    rows, multiply = raw_rows(contention, raw_seconds)
    key = lookup.new_key()
    entries = [(credit_code(serial), RATINGS[serial % len(RATINGS)]) for serial in range(items)]
    build, table = timed(lambda: lookup.table(key, set_version=VERSION, entries=entries, workers=workers), contention)
    assert isinstance(table, bytes)
    rows.append(
        row(
            f"label table of {items:,} items, {workers} process" + ("es" if workers > 1 else ""),
            items=items,
            seconds=build,
            bytes_down=len(table),
            ratio=items / build / multiply,
            note="× raw: items/s over one core's scalarmults/s; fetched once per set version",
        )
    )
    rows += lookup_rows(key, table, items=items, lookup_items=lookup_items, contention=contention)
    return rows


def lookup_rows(
    key: bytes, table: bytes, *, items: int, lookup_items: int, contention: Contention
) -> list[dict[str, object]]:
    """A consumer's lookup of ``lookup_items`` items against the table, half of them members, checked."""
    key_id = lookup.key_id(key)
    stride = items // lookup_items
    asked = [credit_code(serial * stride) for serial in range(lookup_items // 2)]
    asked += [credit_code(items + serial) for serial in range(lookup_items - len(asked))]
    blind, client_run = timed(lambda: LookupRun(asked, set_version=VERSION), contention)
    assert isinstance(client_run, LookupRun)
    message = client_run.message()
    evaluate, answer = timed(lambda: lookup.evaluate(key, message, items=len(asked)), contention)
    assert isinstance(answer, bytes)
    finish, labels = timed(lambda: client_run.labels(table, answer, set_version=VERSION, key_id=key_id), contention)
    expected = [RATINGS[(serial * stride) % len(RATINGS)] for serial in range(lookup_items // 2)]
    expected += [None] * (lookup_items - len(expected))
    wrong = sum(label != want for label, want in zip(labels, expected, strict=True))
    request = RunRequest(
        protocol="labelled_lookup",
        set_version=VERSION,
        key_id=key_id,
        nonce=new_nonce(),
        items=len(asked),
        message=encode(message),
    )
    reply = RunAnswer(
        run_id=1,
        protocol="labelled_lookup",
        set_version=VERSION,
        key_id=key_id,
        items=len(asked),
        message=encode(answer),
    )
    case = f"lookup of {lookup_items:,} items"
    return [
        row(f"{case}: client blinds", items=lookup_items, seconds=blind),
        row(f"{case}: server evaluates", items=lookup_items, seconds=evaluate),
        row(f"{case}: client unblinds, searches, opens", items=lookup_items, seconds=finish),
        row(
            f"{case}: total (core, no HTTP)",
            items=lookup_items,
            seconds=blind + evaluate + finish,
            bytes_up=len(request.model_dump_json()),
            bytes_down=len(reply.model_dump_json()),
            correct=lookup_items - wrong,
            note=f"JSON bodies; raw {len(message):,} B up, {len(answer):,} B down; half the items in the set",
        ),
    ]


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
    return str(value)


def markdown(rows: list[dict[str, object]]) -> str:
    keys = ("case", "items", "seconds", "per_second", "bytes_up", "bytes_down", "ratio", "correct", "note")
    lines = ["| " + " | ".join(keys) + " |", "|---|" + "---:|" * (len(keys) - 2) + "---|"]
    lines += ["| " + " | ".join(cell(entry.get(key)) for key in keys) + " |" for entry in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lookup", type=int, default=1000)
    arguments = parser.parse_args()
    contention = Contention()
    rows = run(arguments.items, arguments.workers, arguments.lookup, contention=contention)
    print(
        f"{cpu_model()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"other processes kept {contention.cores:.2f} cores busy while we timed\n"
    )
    print(markdown(rows))
    if any(entry.get("correct", entry["items"]) != entry["items"] for entry in rows if "items" in entry):
        raise SystemExit("the lookup disagrees with the set")


if __name__ == "__main__":
    main()
