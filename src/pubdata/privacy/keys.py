"""The server's protocol keys (隐私计算密钥): one secret per product and protocol — the PSI ECDH key, the OPRF
key of a labelled lookup — made on first use, sealed with SM4-GCM (``common.sealing``, bound to its product and
protocol, as a source's password is), named publicly by ``key_id`` and never shown. Joint scoring has no
server key: the consumer's own public CKKS context is its key (``runs.register_key``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pubdata.common import clock
from pubdata.common.actor import Actor
from pubdata.common.sealing import Sealer
from pubdata.db import UnitOfWork
from pubdata.ledger import service as ledger
from pubdata.privacy import lookup, psi
from pubdata.privacy.models import PrivacyKey

# The protocols with a server key, and the server half that makes and names it.
KEYED = {"psi": psi, "labelled_lookup": lookup}


@dataclass(frozen=True)
class ServerKey:
    protocol: str
    key_id: str
    secret: bytes

    def __repr__(self) -> str:  # a key never reaches a log or a traceback's locals in clear
        return f"ServerKey({self.protocol}, {self.key_id[:12]}…)"


def key_id_of(protocol: str, secret: bytes) -> str:
    """The public name of a key: the SM3 of its public point (PSI: a·G on P-256, ``psi.key_id``; the lookup: its
    commitment k·B, ``lookup.key_id``), so a set version, an offer and a run name it without showing it."""
    return KEYED[protocol].key_id(secret)


def _context(product_id: int, protocol: str) -> str:
    return f"privacy_key:{product_id}:{protocol}"


def _opened(sealer: Sealer, row: PrivacyKey) -> ServerKey:
    secret = bytes.fromhex(sealer.open(row.sealed, context=_context(row.product_id, row.protocol)))
    return ServerKey(row.protocol, row.key_id, secret)


def find(session: Session, *, sealer: Sealer, product_id: int, protocol: str) -> ServerKey | None:
    row = session.execute(
        select(PrivacyKey).where(PrivacyKey.product_id == product_id, PrivacyKey.protocol == protocol)
    ).scalar_one_or_none()
    return None if row is None else _opened(sealer, row)


def create(session: Session, *, sealer: Sealer, product_id: int, protocol: str, actor: Actor) -> ServerKey:
    """A new key for the product's protocol, sealed, with its ledger entry (``privacy.key-created``)."""
    secret = KEYED[protocol].new_key()
    key_id = key_id_of(protocol, secret)
    row = PrivacyKey(
        product_id=product_id,
        protocol=protocol,
        key_id=key_id,
        sealed=sealer.seal(secret.hex(), context=_context(product_id, protocol)),
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    ledger.record(
        session,
        actor=actor,
        action="privacy.key-created",
        subject=row,
        payload={"product_id": product_id, "protocol": protocol, "key_id": key_id},
    )
    return ServerKey(protocol, key_id, secret)


def ensure(units: UnitOfWork, *, sealer: Sealer, product_id: int, protocol: str, actor: Actor) -> ServerKey:
    """The product's key for ``protocol``, made in a command of its own the first time. Two made at once: the
    unique (product, protocol) keeps one, and the other reads it."""
    with units.read() as session:
        found = find(session, sealer=sealer, product_id=product_id, protocol=protocol)
    if found is not None:
        return found
    try:
        with units.command() as session:
            return create(session, sealer=sealer, product_id=product_id, protocol=protocol, actor=actor)
    except IntegrityError:
        with units.read() as session:
            again = find(session, sealer=sealer, product_id=product_id, protocol=protocol)
        if again is None:
            raise
        return again
