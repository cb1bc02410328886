"""Sign-offs: two parties (or M of N) each sign the SM3 digest of the same canonical document.

Agreements (the bureau and the operator), contracts (the operator and its consumer) and job releases (the
operator's reviewer and the bureau) use it, and so will security reviews, scenario approvals and report
acceptance. Each signature is a row and a ledger entry about the signed object; a side signs once; if the
document changed since an earlier signature, nobody can sign it until it is proposed again. The caller says
which side the signer signs for (``identity.access`` decides that) and, through ``then``, what else each
signature stamps on the object; the last one needed moves it through its lifecycle. Both happen before the
entry is written, so the entry holds the object's new state. Signers of one object take turns.

Each signature is a real SM2 signature (GB/T 32918) by the signing organisation's registered key over the
sign-off statement (``statement``): the canonical JSON naming the object, the side and the SM3 digest of the
canonical document, so a signature can be neither moved to another object or side nor kept for a changed
text. The platform makes it when it holds the organisation's key (the demo); an organisation that holds its
own key signs the statement off-platform and passes the signature in, and the platform checks it first.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from pubdata.common import canonical, clock
from pubdata.common.actor import Actor
from pubdata.common.digest import of_document
from pubdata.common.errors import Refused
from pubdata.common.lifecycle import Lifecycle
from pubdata.ledger import keys
from pubdata.ledger import service as ledger
from pubdata.ledger.audited import Audited
from pubdata.ledger.models import PresentedSignature, Signature
from pubdata.ledger.signing import KeyStore, verify_signature

# Where the unit of work puts the organisations' key store (``Platform.command``).
KEYS = "pubdata.keys"


@dataclass(frozen=True)
class SignOff:
    """Who must sign: the sides, how many of them (all when ``required`` is None), and the ledger action of a
    signature (``{side}`` in it is replaced by the side). The object's ``lifecycle`` must allow ``event`` for
    anyone to sign, and the last signature needed moves it by that event."""

    sides: tuple[str, ...]
    action: str
    lifecycle: Lifecycle[Any]
    event: str
    required: int | None = None

    @property
    def needed(self) -> int:
        return len(self.sides) if self.required is None else self.required


@dataclass(frozen=True)
class Progress:
    """Where a sign-off stands after a signature: the document's digest, the sides that signed, done or not."""

    digest: str
    signed: frozenset[str]
    complete: bool


def statement(*, subject: str, side: str, document_digest: str) -> bytes:
    """The bytes a party's SM2 signature signs: ``openssl dgst -sm3 -sign key.pem -sigopt
    distid:1234567812345678`` of this file is a valid signature to submit."""
    return canonical.dumps(
        {"format": "pubdata-sign-off/1", "subject": subject, "side": side, "document_digest": document_digest}
    )


def signed_sides(session: Session, *, subject: Audited) -> dict[str, str]:
    """Side → the digest it signed, for one object."""
    rows = session.execute(
        select(Signature.side, Signature.document_digest).where(Signature.subject == subject.audit_subject())
    )
    return dict(rows.all())


def sign(
    session: Session,
    *,
    actor: Actor,
    spec: SignOff,
    subject: Audited,
    side: str,
    document: Mapping[str, Any],
    then: Callable[[Progress], None] | None = None,
    payload: Mapping[str, Any] | None = None,
    signature: bytes | None = None,
) -> Progress:
    """Add ``side``'s signature to ``subject``'s sign-off, in the caller's transaction. ``signature`` is the
    organisation's own signature of ``statement`` when the platform does not hold its key."""
    if side not in spec.sides:
        raise ValueError(f"{side} is not a side of this sign-off")
    digest = of_document(document)
    # One signer of an object at a time: on PostgreSQL its row stays locked until the command ends (a SQLite
    # command holds the write lock already), so a later signature sees the earlier and completes the sign-off.
    session.get(type(subject), inspect(subject).identity, with_for_update=True, populate_existing=True)
    state = getattr(subject, spec.lifecycle.field)
    if not spec.lifecycle.allows(state, spec.event):
        raise spec.lifecycle.refusal(state, spec.event)
    earlier = signed_sides(session, subject=subject)
    if side in earlier:
        raise Refused("ledger.already-signed")
    if any(signed != digest for signed in earlier.values()):
        raise Refused("ledger.document-changed")
    key_id, signature = _signature(session, actor=actor, subject=subject, side=side, digest=digest, given=signature)
    signed = frozenset(earlier) | {side}
    progress = Progress(digest, signed, complete=len(signed) >= spec.needed)
    if then is not None:
        then(progress)
    if progress.complete:
        spec.lifecycle.apply(subject, spec.event)
    seq = ledger.record(
        session,
        actor=actor,
        action=spec.action.replace("{side}", side),
        subject=subject,
        payload={
            "side": side,
            "document_digest": digest,
            "key_id": key_id,
            "signature": base64.b64encode(signature).decode(),
            **(payload or {}),
        },
    )
    session.add(
        Signature(
            subject=subject.audit_subject(),
            side=side,
            document_digest=digest,
            organisation_id=actor.organisation_id,
            user_id=actor.user_id,
            signed_at=canonical.format_time(clock.now()),
            ledger_seq=seq,
            key_id=key_id,
            signature=signature,
        )
    )
    return progress


def _signature(
    session: Session, *, actor: Actor, subject: Audited, side: str, digest: str, given: bytes | None
) -> tuple[str, bytes]:
    """The signing organisation's key id and its signature of the statement: made here with the key the
    platform holds, or the one given, checked against the registered public key."""
    store = session.info.get(KEYS)
    if not isinstance(store, KeyStore):
        raise RuntimeError("a sign-off needs the platform's key store on its session (Platform.command)")
    if actor.organisation_id is None:  # the platform acting for itself is no party and has no party's key
        raise Refused("ledger.not-a-party")
    message = statement(subject=subject.audit_subject(), side=side, document_digest=digest)
    key, signer = keys.signing_key(session, actor=actor, organisation_id=actor.organisation_id, store=store)
    if given is None and signer is not None:
        return key.key_id, signer.sign(message)
    if given is None:
        given = _take_presented(session, organisation_id=actor.organisation_id, message=message)
        if given is None:
            raise Refused("ledger.signature-required", key_id=key.key_id, statement=message.decode())
    if not verify_signature(key.algorithm, key.public_key, given, message):
        raise Refused("ledger.bad-signature", key_id=key.key_id)
    return key.key_id, given


def _take_presented(session: Session, *, organisation_id: int, message: bytes) -> bytes | None:
    """The signature the organisation presented for exactly this statement, removed as it is used."""
    parsed = json.loads(message)
    presented = session.execute(
        select(PresentedSignature).where(
            PresentedSignature.organisation_id == organisation_id,
            PresentedSignature.subject == parsed["subject"],
            PresentedSignature.side == parsed["side"],
        )
    ).scalar_one_or_none()
    if presented is None or presented.statement.encode() != message:
        return None
    session.delete(presented)
    return presented.signature


def present(session: Session, *, actor: Actor, statement_text: str, signature: bytes) -> PresentedSignature:
    """Keep an organisation's own signature of a sign-off statement (what ``ledger.signature-required``
    asked it to sign) for its next signing command; checked against its registered key now."""
    try:
        parsed = json.loads(statement_text)
    except ValueError:
        parsed = None
    if (
        not isinstance(parsed, dict)
        or set(parsed) != {"format", "subject", "side", "document_digest"}
        or not all(isinstance(value, str) for value in parsed.values())
        or parsed["format"] != "pubdata-sign-off/1"
        or canonical.dumps(parsed) != statement_text.encode()
    ):
        raise Refused("ledger.bad-statement")
    if (
        len(parsed["subject"]) > 200
        or len(parsed["side"]) > 32
        or not re.fullmatch(r"[0-9a-f]{64}", parsed["document_digest"])
    ):
        raise Refused("ledger.bad-statement")
    if actor.organisation_id is None:
        raise Refused("ledger.not-a-party")
    key = keys.active_key(session, organisation_id=actor.organisation_id)
    if key is None or key.custody != "organisation":
        raise Refused("ledger.no-signing-key")
    if not verify_signature(key.algorithm, key.public_key, signature, statement_text.encode()):
        raise Refused("ledger.bad-signature", key_id=key.key_id)
    found = session.execute(
        select(PresentedSignature).where(
            PresentedSignature.organisation_id == actor.organisation_id,
            PresentedSignature.subject == parsed["subject"],
            PresentedSignature.side == parsed["side"],
        )
    ).scalar_one_or_none()
    if found is None:
        found = PresentedSignature(
            organisation_id=actor.organisation_id, subject=parsed["subject"], side=parsed["side"]
        )
        session.add(found)
    found.statement, found.key_id, found.signature = statement_text, key.key_id, signature
    found.presented_at = canonical.format_time(clock.now())
    ledger.record(
        session,
        actor=actor,
        action="ledger.signature.present",
        subject=parsed["subject"],
        payload={
            "side": parsed["side"],
            "document_digest": parsed["document_digest"],
            "key_id": key.key_id,
            "signature": base64.b64encode(signature).decode(),
        },
    )
    return found
