"""Test fixtures: every database test runs on SQLite and on a real PostgreSQL server.

PostgreSQL comes from ``PUBDATA_TEST_POSTGRES_URL`` (default: the local server, database ``test``). Each
run works in its own schema, dropped at the end. If the server cannot be reached the PostgreSQL half of the
suite fails, it is never silently skipped; ``PUBDATA_TEST_DATABASES=sqlite`` opts out on purpose.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import pubdata.all_models  # noqa: F401
from pubdata.common import clock
from pubdata.config import Settings
from pubdata.db import Base, make_engine
from pubdata.platform import Platform, open_platform, upgrade
from tests import scenarios

POSTGRES_URL = os.environ.get("PUBDATA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATABASES = [name for name in os.environ.get("PUBDATA_TEST_DATABASES", "sqlite,postgresql").split(",") if name]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating per test would be slow)."""
    path = tmp_path_factory.mktemp("template") / "pubdata.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    schema = f"pubdata_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # noqa: BLE001 - turn any connection problem into a clear failure
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_URL}: {error}. Start it (see README) or set "
            f"PUBDATA_TEST_DATABASES=sqlite."
        )
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _truncate_postgres(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        target = tmp_path / "pubdata.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("postgres_schema_url")
    _truncate_postgres(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    opened = open_platform(settings)
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def real_clock() -> Iterator[None]:
    """Each test starts on the real clock and leaves it there."""
    clock.reset()
    yield
    clock.reset()


# --- the scenarios many domains' tests start from (builders in ``tests.scenarios``) ----------------------


@pytest.fixture
def city(platform: Platform) -> dict:
    return scenarios.city(platform)


@pytest.fixture
def partner_deal(platform: Platform, city: dict) -> dict:
    return scenarios.partner_deal(platform, city)
