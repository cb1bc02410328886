"""The migrations build the schema the models declare, on SQLite and on PostgreSQL, and the newest one
(0009, source connections) goes down and up again cleanly. Each database here is a fresh one of the test's
own, so nothing another test uses is touched."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

import pubdata.all_models  # noqa: F401 - every table on the metadata
from pubdata.db import Base, make_engine
from pubdata.platform import alembic_config, upgrade
from tests.conftest import DATABASES, POSTGRES_URL


@pytest.fixture(params=DATABASES)
def fresh_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    schema = f"pubdata_migrations_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _to(engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_the_migrations_build_every_table_as_the_models_declare(fresh_url):
    engine = make_engine(fresh_url)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []  # every table and column of the models, as the migrations build them
        assert "source_connection" in inspect(engine).get_table_names()
        _to(engine, "0008", down=True)
        assert "source_connection" not in inspect(engine).get_table_names()
        _to(engine, "head")
        assert "source_connection" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
