"""The running platform: settings, database, signing key, engines — opened once by the CLI or the web app.

It is also the unit of work (``db.UnitOfWork``): ``command()`` and ``read()`` are where every transaction of
the platform begins and ends.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pubdata.catalog import integrity
from pubdata.catalog import service as catalog
from pubdata.common import store
from pubdata.common.errors import Refused
from pubdata.common.sealing import Sealer
from pubdata.config import Settings
from pubdata.db import make_engine, make_sessionmaker
from pubdata.engines import base as engines
from pubdata.engines import files
from pubdata.engines.duckdb import DuckDBEngine
from pubdata.ledger import service as ledger
from pubdata.ledger import signoff
from pubdata.ledger.signing import KeyStore, PublicKey, Signer, ledger_public_keys, ledger_signer

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("pubdata")


@dataclass
class Platform:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    reads: sessionmaker[Session]
    # Signs tree heads (SM2 by default); ``ledger_keys`` are every key this data directory signed heads with.
    signer: Signer
    ledger_keys: dict[str, PublicKey]
    # The organisations' private keys the platform holds (the demo); sign-offs find it on their session.
    keys: KeyStore
    # Seals what the platform keeps and must use again but never shows (source connections' passwords).
    sealer: Sealer
    # The data plane: the query path keeps locked-down databases; development queries on mock data run SQL
    # nobody checked, so that engine keeps nothing.
    query_engine: engines.Engine
    mock_engine: engines.Engine

    @contextmanager
    def command(self) -> Iterator[Session]:
        """One command's transaction: committed when the block ends, rolled back if it raises."""
        session = self.sessions()
        session.info[signoff.KEYS] = self.keys
        try:
            yield session
            session.commit()
        except Refused as refusal:
            session.rollback()
            session.close()
            self._record(refusal)
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction that only reads: on SQLite it takes no write lock, and any write in it fails. Closing
        it ends the transaction and keeps what was read usable as values."""
        session = self.reads()
        try:
            yield session
        except Refused as refusal:
            session.close()
            self._record(refusal)
            raise
        finally:
            session.close()

    @contextmanager
    def recording(self) -> Iterator[None]:
        """Work outside any transaction (a check, an engine run) whose refusals must still be recorded."""
        try:
            yield
        except Refused as refusal:
            self._record(refusal)
            raise

    def _record(self, refusal: Refused) -> None:
        """The one place a refusal that must not go unrecorded (a use outside the scope, a refused query) is
        appended to the ledger: in a short command of its own, after whatever was refused has been rolled back,
        and once, however many units the refusal then passes through."""
        entry, refusal.entry = refusal.entry, None
        if entry is not None:
            with self.command() as session:
                ledger.record(
                    session, actor=entry.actor, action=entry.action, subject=entry.subject, payload=entry.payload
                )
        if isinstance(refusal, files.DataDamaged) and not refusal.alerted:
            # A damaged data file alerts the bureau and its department, once per version (catalog.integrity).
            refusal.alerted = True
            with self.command() as session:
                integrity.raise_alert(session, refusal.damage)

    @property
    def public_keys(self) -> dict[str, PublicKey]:
        return self.ledger_keys

    def close(self) -> None:
        store.release(self.settings.domain_dir)
        self.engine.dispose()

    def tidy(self) -> store.Tidied:
        """Remove what killed processes left in the domain (``common.store.tidy``); safe while others run."""

        def referenced() -> set[str]:
            with self.read() as session:
                return catalog.version_files(session)

        return store.tidy(self.settings.domain_dir, referenced, areas=(self.settings.work_dir,))


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the control-plane schema to the newest migration."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_platform(settings: Settings, *, migrate: bool = True, tidy: bool = True) -> Platform:
    """The platform, its schema current; with ``tidy``, what an interrupted process left in the domain removed
    first (every start does this, the server and each command: it only touches what nobody alive is using)."""
    settings.prepare_dirs()
    engine = make_engine(settings.resolved_database_url)
    if migrate:
        upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:  # before the platform exists, its own first command
        ledger.ensure_ledger(session, algorithm=settings.ledger_hash)
    signer = ledger_signer(settings.keys_dir, settings.ledger_signer)
    platform = Platform(
        settings=settings,
        engine=engine,
        sessions=sessions,
        reads=make_sessionmaker(engine, read=True),
        signer=signer,
        ledger_keys=ledger_public_keys(settings.keys_dir),
        keys=KeyStore(settings.keys_dir / "organisations", enabled=settings.platform_held_keys),
        sealer=Sealer.load_or_create(settings.keys_dir / "sealing-sm4.key"),
        query_engine=DuckDBEngine(store=settings.domain_dir),
        mock_engine=DuckDBEngine(store=settings.mock_dir, reuse=False),
    )
    store.attach(settings.domain_dir)
    if tidy:
        platform.tidy()
    return platform
