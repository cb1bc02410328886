"""The running platform: settings, database, signing key — opened once by the CLI or the web app."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pubdata.config import Settings
from pubdata.db import make_engine, make_sessionmaker
from pubdata.engines import base as engines
from pubdata.engines.duckdb import DuckDBEngine
from pubdata.ledger import service as ledger
from pubdata.ledger.signing import Ed25519Signer

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Platform:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    signer: Ed25519Signer
    # The data plane: the query path keeps locked-down databases; development queries on mock data run SQL
    # nobody checked, so that engine keeps nothing.
    query_engine: engines.Engine
    mock_engine: engines.Engine

    def session(self) -> Session:
        return self.sessions()

    @property
    def public_keys(self) -> dict[str, bytes]:
        return {self.signer.key_id: self.signer.public_key}

    def close(self) -> None:
        self.engine.dispose()


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


def open_platform(settings: Settings, *, migrate: bool = True) -> Platform:
    settings.prepare_dirs()
    engine = make_engine(settings.resolved_database_url)
    if migrate:
        upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        ledger.ensure_ledger(session, algorithm=settings.ledger_hash)
        session.commit()
    signer = Ed25519Signer.load_or_create(settings.keys_dir / "ledger-ed25519.pem")
    return Platform(
        settings=settings,
        engine=engine,
        sessions=sessions,
        signer=signer,
        query_engine=DuckDBEngine(store=settings.domain_dir),
        mock_engine=DuckDBEngine(store=settings.mock_dir, reuse=False),
    )
