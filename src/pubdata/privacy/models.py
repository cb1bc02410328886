"""Privacy tables: released differentially private answers; data subjects' consents and their uses; privacy
computing's keys, set versions, runs and consumers' public keys."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pubdata.db import Base, UTCDateTime
from pubdata.identity.access import Guard
from pubdata.ledger.audited import Audited


class DpAnswer(Audited, Base):
    """A released differentially private answer. An identical query under the same contract gets it again,
    without spending ε again: re-asking must not average the noise away. Audited: it is served as an answer,
    so an edited one is found by ``ledger verify`` and refused when it is asked for again."""

    __tablename__ = "dp_answer"
    __table_args__ = (UniqueConstraint("contract_id", "query_digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), nullable=False)
    query_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    answer: Mapped[str] = mapped_column(Text, nullable=False)
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Consent(Audited, Base):
    """A data subject's authorization (授权) for one consumer, one product, one purpose and a period. Granted by
    the enterprise from its own account, or recorded by the consumer from a signed authorization letter kept by
    its SM3 digest and checked against the subject's registry entry. Every per-subject call checks it."""

    __tablename__ = "consent"
    # A call finds a subject's consents for its consumer, product and purpose in one lookup.
    __table_args__ = (Index("ix_consent_lookup", "consumer_id", "product_id", "purpose", "subject_credit_code"),)
    guard = Guard(
        ("授权", "consent"),
        "consent.read",
        "consent.not-found",
        {"subject": "subject_organisation_id", "consumer": "consumer_id"},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_credit_code: Mapped[str] = mapped_column(String(18), nullable=False, index=True)
    # The subject's own account, when it granted the consent itself (or has one since).
    subject_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), nullable=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), nullable=False, index=True)
    purpose: Mapped[str] = mapped_column(String(32), nullable=False)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_until: Mapped[date] = mapped_column(Date, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    via: Mapped[str] = mapped_column(String(16), nullable=False)  # account | letter
    letter_sm3: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ConsentUse(Base):
    """One use of a consent: a per-subject call that answered about its subject. Not audited row by row (a
    batch call would append one entry per subject): the call's one ledger entry (``consent.use``) names every
    consent it used, so each row is checked against it. A consent's uses are counted from these rows."""

    __tablename__ = "consent_use"
    guard = Guard(("授权使用记录", "consent use"), "consent.read", "consent.not-found", {"consumer": "consumer_id"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consent.id"), nullable=False, index=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), nullable=False)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), nullable=False)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class LetterChecks(Base):
    """How many authorization letters a consumer has had checked against the registry on one day (Asia/Shanghai).
    Each check reads the data, matched or not, so it is counted before it runs, in a command of its own, and
    bounded per day (``rules.LETTER_CHECKS_PER_DAY``). Every check is in the ledger as well; this row is the
    counter a conditional update moves, so concurrent checks can never pass the limit."""

    __tablename__ = "consent_letter_checks"
    __table_args__ = (UniqueConstraint("consumer_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    checks: Mapped[int] = mapped_column(Integer, nullable=False)


# --- privacy computing (隐私计算): the server's keys, the sets' versions, the runs, the consumers' keys --------


class PrivacyKey(Audited, Base):
    """The server's secret of one product's protocol (the PSI ECDH key, the OPRF key): sealed with SM4-GCM
    (``common.sealing``, bound to the product and protocol), used again at every build and run, never shown.
    ``key_id`` names it publicly (the PSI key's SM3, the OPRF key's public commitment's SM3)."""

    __tablename__ = "privacy_key"
    __table_args__ = (UniqueConstraint("product_id", "protocol"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), nullable=False)
    protocol: Mapped[str] = mapped_column(String(32), nullable=False)
    key_id: Mapped[str] = mapped_column(String(64), nullable=False)
    sealed: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class PrivacySetVersion(Audited, Base):
    """One built version of a product's set (隐私集合版本): what it was built from (the definition, each resource's
    data version, the key, for a consent-restricted set the consumer and its consents), how many items, and the
    digest of the built file (the PSI setup or the encrypted label table) in the data directory."""

    __tablename__ = "privacy_set_version"
    __table_args__ = (UniqueConstraint("product_id", "set_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), nullable=False, index=True)
    consumer_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), nullable=True)
    protocol: Mapped[str] = mapped_column(String(32), nullable=False)
    set_version: Mapped[str] = mapped_column(String(64), nullable=False)
    key_id: Mapped[str] = mapped_column(String(64), nullable=False)
    data_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    items: Mapped[int] = mapped_column(Integer, nullable=False)
    file_name: Mapped[str] = mapped_column(String(200), nullable=False)  # relative to the data directory
    file_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    file_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class PrivacyRun(Base):
    """One answered protocol run. Not audited row by row: the run's one ledger entry (the charge's
    ``contract.call``) names its set version, key, items and the SM3 of its nonce. The unique (contract, nonce)
    is what refuses a replayed message, even two sent at once."""

    __tablename__ = "privacy_run"
    __table_args__ = (UniqueConstraint("contract_id", "nonce"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), nullable=False)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), nullable=False, index=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    protocol: Mapped[str] = mapped_column(String(32), nullable=False)
    set_version: Mapped[str] = mapped_column(String(64), nullable=False)
    key_id: Mapped[str] = mapped_column(String(64), nullable=False)
    nonce: Mapped[str] = mapped_column(String(32), nullable=False)
    items: Mapped[int] = mapped_column(Integer, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)


class ConsumerKey(Audited, Base):
    """A consumer's public CKKS context for one product (joint scoring): no secret key in it (refused at
    registration), kept as a file in the data directory, named by the SM3 of its bytes."""

    __tablename__ = "privacy_consumer_key"
    __table_args__ = (UniqueConstraint("organisation_id", "product_id", "key_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), nullable=False)
    key_id: Mapped[str] = mapped_column(String(64), nullable=False)
    file_name: Mapped[str] = mapped_column(String(200), nullable=False)
    bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    registered_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
