"""Approved source connections (数据源连接): the bureau's registry of the department databases a load may read.

A provider never gives the platform a database URL. The bureau approves a connection for one department —
driver, host, port, database, user, options, and a password the platform seals (SM4-GCM) and never shows
again — after ``rules.source_url_refusal`` has found nothing wrong with it; the department then loads from
one of its own approved connections by id, with its query. The same rules run again at every load, so a
connection approved before the platform's database or data directory moved cannot reach them afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from pubdata.catalog import rules
from pubdata.catalog.models import SourceConnection
from pubdata.catalog.schemas import SourceIn, SourceOut
from pubdata.common import canonical, clock
from pubdata.common.errors import Refused
from pubdata.common.sealing import SealBroken, Sealer
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Principal, Who
from pubdata.ledger import service as ledger

CONNECT_SECONDS = 10  # MySQL's drivers give up after 10 s by themselves; libpq waits for ever unless told


def _platform_url(session: Session) -> str:
    """The platform's own database, for the rules' comparison: its password is never part of it."""
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def _refuse_url(session: Session, url: str, *, data_dir: Path) -> None:
    refusal = rules.source_url_refusal(url, platform_url=_platform_url(session), data_dir=str(data_dir))
    if refusal is not None:
        raise Refused(refusal.rule, **refusal.params)


def _seal_context(name: str) -> str:
    # The name is unique and never changes: a sealed password opens only for the connection it was sealed for.
    return f"source_connection:{name}"


def _url_of(connection: SourceConnection) -> URL:
    return URL.create(
        connection.driver,
        username=connection.username,
        host=connection.host,
        port=connection.port,
        database=connection.database,
        query=json.loads(connection.options),
    )


def approve(session: Session, *, principal: Who, body: SourceIn, sealer: Sealer, data_dir: Path) -> SourceConnection:
    """The bureau approves a department database as a source for that department."""
    access.require(principal, "source.manage")
    _refuse_url(session, body.url, data_dir=data_dir)
    if identity.organisation_kind(session, body.provider_id) != "provider":
        raise Refused("catalog.source-not-a-provider")
    if session.scalar(select(SourceConnection.id).where(SourceConnection.name == body.name)) is not None:
        raise Refused("catalog.source-name-taken", name=body.name)
    url = make_url(body.url)
    connection = SourceConnection(
        name=body.name,
        provider_id=body.provider_id,
        driver=rules.normalised_driver(url.drivername),
        host=url.host,
        port=url.port,
        database=url.database,
        username=url.username,
        options=canonical.dumps(dict(url.query)).decode("utf-8"),
        password_sealed=sealer.seal(body.password, context=_seal_context(body.name)) if body.password else None,
        created_by=principal.user_id,
        created_at=clock.now(),
    )
    session.add(connection)
    ledger.record(
        session,
        actor=principal.actor,
        action="catalog.source.approve",
        subject=connection,
        # What was approved, so the entry says where loads will read; the URL holds no password to hide.
        payload={
            "name": connection.name,
            "provider": connection.provider_id,
            "url": _url_of(connection).render_as_string(),
        },
    )
    return connection


def disable(session: Session, *, principal: Who, source_id: int) -> SourceConnection:
    """No load uses the connection any more; it stays in the registry (and in the ledger) as it was."""
    connection = access.load(session, principal, SourceConnection, source_id, "source.manage")
    if connection.disabled_at is not None:
        raise Refused("catalog.source-disabled", name=connection.name)
    connection.disabled_at, connection.disabled_by = clock.now(), principal.user_id
    ledger.record(session, actor=principal.actor, action="catalog.source.disable", subject=connection)
    return connection


def get(session: Session, *, principal: Who, source_id: int) -> SourceConnection:
    return access.load(session, principal, SourceConnection, source_id)


def listing(session: Session, *, principal: Who, active_only: bool = False) -> list[SourceConnection]:
    """The connections the caller may see: the bureau and the auditor all, a department its own."""
    statement = access.visible(select(SourceConnection), principal, SourceConnection)
    if active_only:
        statement = statement.where(SourceConnection.disabled_at.is_(None))
    return list(session.scalars(statement.order_by(SourceConnection.name)))


def usable(session: Session, *, principal: Principal) -> list[SourceConnection]:
    """The connections the caller may load from now: its department's own, not disabled."""
    if not access.may(principal, "source.use", access.own_organisation(principal)):
        return []
    return listing(session, principal=principal, active_only=True)


def out(connection: SourceConnection, provider_name: str) -> SourceOut:
    """A connection as answers and pages show it: the one place that decides, and the password is not in it."""
    return SourceOut(
        id=connection.id,
        name=connection.name,
        provider_id=connection.provider_id,
        provider_name=provider_name,
        driver=connection.driver,
        host=connection.host,
        port=connection.port,
        database=connection.database,
        username=connection.username,
        options=json.loads(connection.options),
        has_password=connection.password_sealed is not None,
        active=connection.disabled_at is None,
        created_at=connection.created_at,
        disabled_at=connection.disabled_at,
    )


def provider_names(session: Session, connections: list[SourceConnection]) -> dict[int, str]:
    return identity.organisation_names(session, {connection.provider_id for connection in connections})


def providers(session: Session) -> dict[int, str]:
    """The departments a connection can be approved for, for the bureau's form."""
    return identity.organisations_of_kind(session, "provider")


def connection_for_load(
    session: Session, *, principal: Who, source_id: int, sealer: Sealer, data_dir: Path
) -> tuple[SourceConnection, URL]:
    """The approved connection a load reads, checked again, with the URL the loader connects with (password
    included: it goes to the database driver and nowhere else)."""
    connection = access.load(session, principal, SourceConnection, source_id, "source.use")
    if connection.disabled_at is not None:
        raise Refused("catalog.source-disabled", name=connection.name)
    url = _url_of(connection)
    _refuse_url(session, url.render_as_string(hide_password=True), data_dir=data_dir)
    if connection.driver.startswith("postgresql") and "connect_timeout" not in url.query:
        url = url.update_query_dict({"connect_timeout": str(CONNECT_SECONDS)})  # a dead host fails, not hangs
    if connection.password_sealed is None:
        return connection, url
    try:
        password = sealer.open(connection.password_sealed, context=_seal_context(connection.name))
    except SealBroken:
        raise Refused("catalog.source-credential", name=connection.name) from None
    return connection, url.set(password=password)
