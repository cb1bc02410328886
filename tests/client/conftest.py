"""The demo city at a small scale, built once for the client's tests: its bank, its three privacy products and
its applicants (demo/privacy.py) — the real app, over the real services, on SQLite."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pubdata import demo
from pubdata.config import Settings
from pubdata.platform import Platform, open_platform

SCALE = 0.01


@pytest.fixture(scope="session")
def bank_city(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, dict]]:
    folder = tmp_path_factory.mktemp("bank-city")
    shutil.copy(sqlite_template, folder / "pubdata.sqlite3")
    platform = open_platform(Settings(data_dir=folder / "data", database_url=f"sqlite:///{folder / 'pubdata.sqlite3'}"))
    document = demo.build(platform, scale=SCALE)
    yield platform, document
    platform.close()
