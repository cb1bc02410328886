"""Organisations' signing keys: the public keys registered for them, and the private keys the platform holds
for them in the demo (``signing.KeyStore``). ``identity`` checks who may register one; this writes it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.common import clock
from pubdata.common.actor import Actor
from pubdata.common.errors import Refused
from pubdata.ledger import service as ledger
from pubdata.ledger.models import OrganisationKey
from pubdata.ledger.signing import KeyStore, PublicKey, SM2Signer, load_public_key_pem


def active_key(session: Session, *, organisation_id: int) -> OrganisationKey | None:
    statement = select(OrganisationKey).where(
        OrganisationKey.organisation_id == organisation_id, OrganisationKey.retired_at.is_(None)
    )
    return session.execute(statement.order_by(OrganisationKey.id.desc()).limit(1)).scalar_one_or_none()


def key_by_id(session: Session, key_id: str) -> OrganisationKey | None:
    return session.execute(select(OrganisationKey).where(OrganisationKey.key_id == key_id)).scalar_one_or_none()


def of_organisation(session: Session, *, organisation_id: int) -> list[OrganisationKey]:
    statement = select(OrganisationKey).where(OrganisationKey.organisation_id == organisation_id)
    return list(session.execute(statement.order_by(OrganisationKey.id)).scalars())


def _add(session: Session, *, actor: Actor, organisation_id: int, key: PublicKey, custody: str) -> OrganisationKey:
    if key_by_id(session, key.key_id) is not None:
        raise Refused("ledger.key-taken")
    now = clock.now()
    earlier = active_key(session, organisation_id=organisation_id)
    if earlier is not None:  # one key signs at a time; the earlier one still verifies what it signed
        earlier.retired_at = now
        ledger.record(session, actor=actor, action="ledger.key.retire", subject=earlier)
    row = OrganisationKey(
        organisation_id=organisation_id,
        key_id=key.key_id,
        algorithm=key.algorithm,
        public_key=key.key,
        custody=custody,
        registered_at=now,
    )
    session.add(row)
    action = "ledger.key.register" if custody == "organisation" else "ledger.key.create"
    ledger.record(session, actor=actor, action=action, subject=row, payload={"key_id": key.key_id})
    return row


def register(session: Session, *, actor: Actor, organisation_id: int, pem: str) -> OrganisationKey:
    """An organisation's own SM2 public key (PEM SubjectPublicKeyInfo); the caller checked who may."""
    try:
        key = load_public_key_pem(pem)
    except ValueError:
        raise Refused("ledger.bad-public-key") from None
    if key.algorithm != "sm2":
        raise Refused("ledger.bad-public-key")
    return _add(session, actor=actor, organisation_id=organisation_id, key=key, custody="organisation")


def signing_key(
    session: Session, *, actor: Actor, organisation_id: int, store: KeyStore
) -> tuple[OrganisationKey, SM2Signer | None]:
    """The key the organisation signs with now, and its private key if the platform holds it. An
    organisation with no key gets one made and held by the platform when ``store`` is enabled (the demo)."""
    row = active_key(session, organisation_id=organisation_id)
    if row is None and store.enabled:
        # Two first signatures of one organisation at once must not make two keys: take turns on the ledger
        # head (which the registration's entry locks anyway), then look again.
        ledger.lock(session)
        row = active_key(session, organisation_id=organisation_id)
    if row is None:
        if not store.enabled:
            raise Refused("ledger.no-signing-key")
        made = store.create(organisation_id)
        key = _add(session, actor=actor, organisation_id=organisation_id, key=made.public(), custody="platform")
        return key, made
    if row.custody != "platform":
        return row, None
    signer = store.load(organisation_id)
    if signer is None or signer.key_id != row.key_id:
        raise RuntimeError(f"organisation {organisation_id}'s platform-held key is missing or not the registered one")
    return row, signer
