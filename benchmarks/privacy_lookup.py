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


def row(
    case: str, *, n: int, seconds: float, bytes_up: int | None = None, bytes_down: int | None = None, note: str = ""
) -> dict[str, object]:
    return {
        "benchmark": "labelled lookup",
        "case": case,
        "n": n,
        "seconds": round(seconds, 4),
        "per_second": round(n / seconds, 1) if seconds else None,
        "bytes_up": bytes_up,
        "bytes_down": bytes_down,
        "note": note,
    }


def raw_rows(contention: Contention, seconds: float) -> list[dict[str, object]]:
    key = lookup.new_key()
    point = sodium.crypto_core_ed25519_from_uniform(bytes(range(32)))
    uniform = bytes(range(1, 33))
    multiply = rate(lambda: sodium.crypto_scalarmult_ed25519_noclamp(key, point), seconds, contention)
    elligator = rate(lambda: sodium.crypto_core_ed25519_from_uniform(uniform), seconds, contention)
    return [
        row(
            "raw ed25519 scalarmult_noclamp (1 core)",
            n=int(multiply * seconds),
            seconds=seconds,
            note=f"{multiply:,.0f} ops/s",
        ),
        row(
            "raw ed25519 from_uniform (1 core)",
            n=int(elligator * seconds),
            seconds=seconds,
            note=f"{elligator:,.0f} ops/s",
        ),
    ]


def run(
    items: int = 1_000_000, workers: int = 2, lookup_items: int = 1000, raw_seconds: float = 3.0
) -> list[dict[str, object]]:
    contention = Contention()
    rows = raw_rows(contention, raw_seconds)
    key = lookup.new_key()
    key_id = lookup.key_id(key)
    entries = [(credit_code(serial), RATINGS[serial % len(RATINGS)]) for serial in range(items)]
    build, table = timed(lambda: lookup.table(key, set_version=VERSION, entries=entries, workers=workers), contention)
    assert isinstance(table, bytes)
    rows.append(
        row(
            f"table of {items:,} items ({workers} processes)",
            n=items,
            seconds=build,
            bytes_down=len(table),
            note="fetched once per set version",
        )
    )

    # Half the asked items are members (serials spread over the set), half are not (serials past its end).
    asked = [credit_code(serial * (items // lookup_items)) for serial in range(lookup_items // 2)]
    asked += [credit_code(items + serial) for serial in range(lookup_items - len(asked))]
    blind, client_run = timed(lambda: LookupRun(asked), contention)
    assert isinstance(client_run, LookupRun)
    message = client_run.message()
    evaluate, answer = timed(lambda: lookup.evaluate(key, message, items=len(asked)), contention)
    assert isinstance(answer, bytes)
    finish, labels = timed(lambda: client_run.labels(table, answer, set_version=VERSION, key_id=key_id), contention)
    expected = [RATINGS[(serial * (items // lookup_items)) % len(RATINGS)] for serial in range(lookup_items // 2)]
    assert labels == expected + [None] * (lookup_items - len(expected)), "the lookup disagrees with the set"
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
    wire = f"raw {len(message):,} B up, {len(answer):,} B down"
    rows += [
        row(f"lookup {lookup_items:,}: client blinds", n=lookup_items, seconds=blind),
        row(f"lookup {lookup_items:,}: server evaluates", n=lookup_items, seconds=evaluate),
        row(f"lookup {lookup_items:,}: client unblinds, searches, opens", n=lookup_items, seconds=finish),
        row(
            f"lookup {lookup_items:,}: total (core, no HTTP)",
            n=lookup_items,
            seconds=blind + evaluate + finish,
            bytes_up=len(request.model_dump_json()),
            bytes_down=len(reply.model_dump_json()),
            note=f"JSON; {wire}",
        ),
    ]
    for entry in rows:
        entry["contention_cores"] = round(contention.cores, 2)
    return rows


def markdown(rows: list[dict[str, object]]) -> str:
    lines = ["| case | n | seconds | per second | bytes up | bytes down | note |", "|---|---:|---:|---:|---:|---:|---|"]
    for entry in rows:
        cells = [
            entry["case"],
            f"{entry['n']:,}",
            entry["seconds"],
            f"{entry['per_second']:,}",
            "" if entry["bytes_up"] is None else f"{entry['bytes_up']:,}",
            "" if entry["bytes_down"] is None else f"{entry['bytes_down']:,}",
            entry["note"],
        ]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lookup", type=int, default=1000)
    arguments = parser.parse_args()
    rows = run(arguments.items, arguments.workers, arguments.lookup)
    print(
        f"{cpu_model()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"other processes kept {rows[0]['contention_cores']} cores busy\n"
    )
    print(markdown(rows))


if __name__ == "__main__":
    main()
