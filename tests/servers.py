"""The platform as its operator runs it, in processes of its own: ``pubdata serve`` and the other commands."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pubdata.config import Settings
from tests.browser import free_port

COMMAND = [sys.executable, "-c", "from pubdata.cli import app; app()"]


def environment(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PUBDATA_DATA_DIR": str(settings.data_dir),
        "PUBDATA_DATABASE_URL": settings.database_url or "",
        **extra,
    }


def cli(settings: Settings, *args: str, **popen: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*COMMAND, *args],
        env=popen.pop("env", None) or environment(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


@contextmanager
def served(settings: Settings, **popen: Any) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """``pubdata serve`` on a free port, until the block ends (then it is killed if still running)."""
    port = free_port()
    process = cli(settings, "serve", "--port", str(port), **popen)
    try:
        wait_until(lambda: _healthy(port) or process.poll() is not None)
        assert process.poll() is None, process.communicate()
        yield process, port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.communicate()


def _healthy(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False


def wait_until(condition: Callable[[], object], *, limit: float = 120.0) -> None:
    """Poll until ``condition`` holds (the limit only stops a broken test from hanging; nothing is timed)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never held")
        time.sleep(0.01)


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []
