"""What every benchmark here shares: how busy the machine was while we timed, and what machine it was.

Benchmarks run as scripts (``python benchmarks/x_bench.py``), so this folder is on their import path.
"""

from __future__ import annotations

import os
import platform as host
import resource as rusage
import time
from pathlib import Path
from typing import Self


class Contention:
    """CPU time other processes used while we were timing, from /proc/stat minus our own (Linux only).

    The machine is shared: a number near 0 means the timings are clean; near 1 means another job took a core.
    """

    def __init__(self) -> None:
        self.foreign_s = 0.0
        self.wall_s = 0.0

    @staticmethod
    def _sample() -> tuple[float, float, float] | None:
        try:
            fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        except (OSError, ValueError):
            return None
        busy = (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
        own = rusage.getrusage(rusage.RUSAGE_SELF)
        return time.perf_counter(), busy, own.ru_utime + own.ru_stime

    def __enter__(self) -> Self:
        self._start = self._sample()
        return self

    def __exit__(self, *_: object) -> None:
        end = self._sample()
        if self._start and end:
            self.wall_s += end[0] - self._start[0]
            self.foreign_s += max((end[1] - self._start[1]) - (end[2] - self._start[2]), 0.0)

    @property
    def cores(self) -> float:
        """Average number of cores other processes kept busy during the timed sections."""
        return self.foreign_s / self.wall_s if self.wall_s else 0.0


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return host.processor() or "unknown CPU"
