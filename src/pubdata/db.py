"""Database engine, sessions, the unit of work and the column types every domain uses.

SQLite (embedded default) and PostgreSQL behave the same here: times are stored as UTC and come back
timezone-aware. A command's SQLite transaction starts with ``BEGIN IMMEDIATE`` so two writers queue instead of
failing half-way; a read's starts with a plain ``BEGIN`` and takes no write lock, and a read connection
refuses to write at all. PostgreSQL serialises ledger appends with a row lock on the ledger head (see
``ledger.service``).

``UnitOfWork`` is the one owner of transactions (``platform.Platform`` implements it): ``command()`` commits
on success and rolls back on error; ``read()`` never writes. Routes, pages, the command line and the workers
open one of the two; services never commit.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import DateTime, Dialect, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from pubdata.common import messages
from pubdata.common.errors import Refused

READ = "pubdata_read"  # the execution option that marks a read connection

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """A moment stored as naive UTC and read back timezone-aware, identically on both databases."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store only timezone-aware times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url, echo=echo)
    else:
        engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)
    event.listen(engine, "before_cursor_execute", _reads_only_read)
    event.listen(engine, "before_cursor_execute", _holds_no_nul)
    return engine


# PostgreSQL's text cannot hold U+0000 (SQLite's can, and would keep what PostgreSQL refuses): text with it is refused
# on both, as the request's fault, wherever it came from (a body, a query string, a form, a token, the CLI).
messages.declare(
    refusals={
        "text.nul-character": (
            422,
            "文本中不能含有空字符（U+0000）。",
            "Text cannot contain the NUL character (U+0000).",
        )
    }
)


def _holds_no_nul(connection, cursor, statement: str, parameters, context, executemany) -> None:  # noqa: ANN001
    rows = parameters if executemany else [parameters]
    for row in rows:
        # Under "insertmanyvalues" a batch of rows is one statement whose parameters are one flat sequence.
        values = row.values() if isinstance(row, dict) else row if isinstance(row, list | tuple) else (row,)
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise Refused("text.nul-character")


class ReadOnly(RuntimeError):
    """A read session tried to write: a bug (a command must open a command session)."""


def _reads_only_read(connection, cursor, statement: str, parameters, context, executemany) -> None:  # noqa: ANN001
    if connection.get_execution_options().get(READ) and statement.lstrip()[:6].upper() in (
        "INSERT",
        "UPDATE",
        "DELETE",
    ):
        raise ReadOnly("a read session cannot write; open a command session")


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        # 64 MiB of page cache (the default is 2 MiB): catalogue searches scan the resource table.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # noqa: ANN001
        # A command's IMMEDIATE takes the write lock up front, so concurrent writers wait for each other
        # instead of failing with "database is locked" when a read turns into a write. A read takes none.
        connection.exec_driver_sql("BEGIN" if connection.get_execution_options().get(READ) else "BEGIN IMMEDIATE")

    return engine


def make_sessionmaker(engine: Engine, *, read: bool = False) -> sessionmaker[Session]:
    bind = engine.execution_options(**{READ: True}) if read else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=True)


class UnitOfWork(Protocol):
    """Where transactions begin and end, and where refusals that must be kept are recorded."""

    def command(self) -> AbstractContextManager[Session]: ...

    def read(self) -> AbstractContextManager[Session]: ...

    def recording(self) -> AbstractContextManager[None]: ...


def is_postgresql(session_or_engine: Session | Engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "postgresql"
