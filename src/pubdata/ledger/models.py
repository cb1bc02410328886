"""Ledger tables. Nothing but ``ledger.service`` writes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from pubdata.db import Base, UTCDateTime
from pubdata.ledger.audited import Audited


class LedgerHead(Base):
    """The single row every append locks: size, hash algorithm and the tree's right edge."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    algorithm: Mapped[str] = mapped_column(String(16), nullable=False)
    # Concatenated hashes of the perfect subtrees along the right edge, largest first.
    frontier: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class LedgerEntry(Base):
    """One leaf. ``seq`` is the leaf index, from 0, with no gaps."""

    __tablename__ = "ledger_entry"
    # The latest entry recording each audited row's state, found without reading the row's other entries
    # (a busy contract has one per call): what every audited change and ``ledger verify`` look up.
    __table_args__ = (
        Index(
            "ix_ledger_entry_state_subject",
            "subject",
            "seq",
            postgresql_where=text("state_digest IS NOT NULL"),
            sqlite_where=text("state_digest IS NOT NULL"),
        ),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    recorded_at: Mapped[str] = mapped_column(String(32), nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    organisation_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    subject: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    # The payload stays in the control plane; public answers show only its digest.
    payload: Mapped[str] = mapped_column(Text, nullable=False)
    payload_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    state_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)


class LedgerNode(Base):
    """A perfect subtree's hash, level ≥ 1 (level 0 is ``LedgerEntry.leaf_hash``)."""

    __tablename__ = "ledger_node"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)


class SignedTreeHead(Base):
    """A tree head the platform signed; kept so that a rewritten log cannot match it again."""

    __tablename__ = "ledger_tree_head"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)
    timestamp: Mapped[str] = mapped_column(String(32), nullable=False)
    algorithm: Mapped[str] = mapped_column(String(16), nullable=False)
    signature_algorithm: Mapped[str] = mapped_column(String(16), nullable=False)
    key_id: Mapped[str] = mapped_column(String(64), nullable=False)
    signature: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class Signature(Base):
    """One party's signature in a sign-off: the SM3 digest of the canonical document it signed, who signed it
    for which side, the organisation's SM2 signature of the sign-off statement (``signoff.statement``) and
    the id of the registered key that made it, and the ledger entry that records it (whose payload repeats
    all of this). Rows from before signatures were real have no signature and no key."""

    __tablename__ = "signature"
    __table_args__ = (UniqueConstraint("subject", "side"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    side: Mapped[str] = mapped_column(String(32), nullable=False)
    document_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    organisation_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    signed_at: Mapped[str] = mapped_column(String(32), nullable=False)
    ledger_seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    key_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class PresentedSignature(Base):
    """An organisation's own SM2 signature of a sign-off statement, made off-platform and submitted before it
    signs through the object's usual command, which then takes it (and removes it from here)."""

    __tablename__ = "presented_signature"
    __table_args__ = (UniqueConstraint("organisation_id", "subject", "side"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(Integer, nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    side: Mapped[str] = mapped_column(String(32), nullable=False)
    statement: Mapped[str] = mapped_column(Text, nullable=False)
    key_id: Mapped[str] = mapped_column(String(16), nullable=False)
    signature: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    presented_at: Mapped[str] = mapped_column(String(32), nullable=False)


class OrganisationKey(Audited, Base):
    """A public key an organisation signs with (SM2). ``custody`` says who holds the private key: ``platform``
    (the demo: made by the platform, kept under the data directory's keys folder, never in the database) or
    ``organisation`` (production: the organisation registered only its public key and signs off-platform).
    A retired key still verifies what it signed before. Only ``ledger.keys`` writes it."""

    __tablename__ = "organisation_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    key_id: Mapped[str] = mapped_column(String(16), nullable=False, unique=True)
    algorithm: Mapped[str] = mapped_column(String(16), nullable=False)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(65), nullable=False)
    custody: Mapped[str] = mapped_column(String(16), nullable=False)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
