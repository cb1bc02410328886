"""The privacy-computing benchmarks in one run and one table: PSI (privacy_psi), labelled lookup
(privacy_lookup), joint scoring (privacy_scoring), each beside the raw libraries it is built on.

Run: .venv/bin/python benchmarks/privacy_bench.py [--only psi lookup scoring]   (``make bench-privacy``)
Prints a Markdown section for docs/benchmarks.md. Nothing here is a test: numbers are recorded, not asserted.
Each module exposes ``run() -> list[dict]``: one row per measure, with any of the keys in COLUMNS (others are
shown after them). The 1M-item cases take minutes on one core; the machine is shared, so each module's share
of other processes' CPU is printed beside it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform as host
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import Contention, cpu_model

MODULES = {"psi": "privacy_psi", "lookup": "privacy_lookup", "scoring": "privacy_scoring"}
COLUMNS = {
    "protocol": "protocol",
    "case": "case",
    "items": "items",
    "seconds": "s",
    "per_second": "per s",
    "bytes_up": "bytes up",
    "bytes_down": "bytes down",
    "ratio": "× raw",
    "note": "note",
}
Row = dict[str, Any]


def measure(runs: dict[str, Callable[[], list[Row]]]) -> tuple[list[Row], dict[str, float]]:
    """Every module's rows, and the cores other processes kept busy while each ran."""
    rows: list[Row] = []
    contention: dict[str, float] = {}
    for name, run in runs.items():
        busy = Contention()
        with busy:
            rows += run()
        contention[name] = busy.cores
    return rows, contention


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        return f"{value:.3g}"
    return str(value).replace("|", "\\|")


def print_table(rows: list[Row], contention: dict[str, float]) -> None:
    keys = [key for key in COLUMNS if any(key in row for row in rows)]
    keys += sorted({key for row in rows for key in row} - set(keys))
    print(
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {host.machine()}, {cpu_model()}, {os.cpu_count()} cores, "
        f"Python {host.python_version()}, {host.platform()}"
    )
    print()
    busy = ", ".join(f"{name} {cores:.2f}" for name, cores in contention.items())
    print(f"Other processes' CPU while each ran (cores): {busy}.")
    print()
    print("| " + " | ".join(COLUMNS.get(key, key) for key in keys) + " |")
    print("|" + "|".join("---" if key in ("protocol", "case", "note") else "---:" for key in keys) + "|")
    for row in rows:
        print("| " + " | ".join(cell(row.get(key)) for key in keys) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--only", nargs="+", choices=list(MODULES), default=list(MODULES))
    args = parser.parse_args()
    runs = {name: importlib.import_module(MODULES[name]).run for name in args.only}
    print_table(*measure(runs))


if __name__ == "__main__":
    main()
