"""Consent commands (授权): a data subject grants and revokes, a consumer records a signed authorization letter,
and every per-subject call checks (``require``) and records (``record_uses``) the consents it relies on.

A subject is an enterprise named by its unified social credit code. It grants from its own account (an
organisation of kind ``subject`` with that credit code), or a consumer records the letter the enterprise signed:
the platform keeps the letter's SM3 digest only, and checks the subject the letter declares against the
legal-entity library (``rules.REGISTRY``) inside the domain — registered, active, led by the legal
representative the letter names — with one parameter-bound DuckDB query the platform writes over the
resource's current version. The answer is matched or not; a refusal says only that the letter does not match
the registry entry, is recorded, and counts against the consumer's daily letter checks, since it read the data.
The typed name is never stored, logged or put in a ledger payload. A bank records a day's letters as one batch
(``record_letters``): one query for the whole batch, all or none, a mismatch named by its position only.

A subject sees every consent about its credit code (letters included, whoever recorded them) and every use of
them, and revokes any; a consumer sees its own consents only.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pubdata.catalog import service as catalog
from pubdata.common import clock
from pubdata.common.actor import Actor
from pubdata.common.digest import sm3
from pubdata.common.errors import RefusalEntry, Refused
from pubdata.common.ids import is_credit_code
from pubdata.common.messages import Text
from pubdata.common.names import clean_prose
from pubdata.contracts import rules as contract_rules
from pubdata.db import UnitOfWork
from pubdata.engines import files
from pubdata.engines.base import Engine, EngineRefused, Limits, TableRef
from pubdata.engines.duckdb import quote
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Principal, Who
from pubdata.ledger import service as ledger
from pubdata.privacy import rules
from pubdata.privacy.models import Consent, ConsentUse, LetterChecks
from pubdata.privacy.schemas import BatchLetterIn, ConsentIn, LetterBatchIn, LetterIn
from pubdata.products import rules as product_rules
from pubdata.products import service as products

IN_CHUNK = 500  # credit codes per IN (…) of one lookup: far below every database's limit on parameters

# --- products, as consent sees them --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductRef:
    """A product as consent names it: which, what it is called, its kind and state, its purposes."""

    id: int
    code: str
    name: str
    kind: str
    state: str
    purposes: tuple[str, ...]


def _ref(product: Any) -> ProductRef:
    purposes = tuple(products.purposes_of(product))
    return ProductRef(product.id, product.code, product.name, product.kind, product.state, purposes)


def _product_by_code(session: Session, code: str) -> ProductRef | None:
    found = products.find(session, code=code)
    return _ref(found) if found is not None else None


def consentable_products(session: Session) -> list[ProductRef]:
    """The listed products whose answers are about one subject each: what a consent can be for."""
    listed = (item.product for item in products.public_list(session))
    return [_ref(product) for product in listed if product.kind in product_rules.CONSENT_KINDS]


def product_refs(session: Session, ids: set[int]) -> dict[int, ProductRef]:
    """Products by id, whatever their state now (a consent names its product for as long as it is kept)."""
    return {id_: _ref(product) for id_, product in products.by_ids(session, ids).items()}


# --- who may see a consent --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parties:
    """A consent's parties as the permission check sees them: its consumer, and its subject's own account — the
    one it granted from, or, for a letter recorded before or without it, the account with its credit code."""

    subject_organisation_id: int | None
    consumer_id: int
    guard = Consent.guard


def own_credit_code(session: Session, principal: Who) -> str | None:
    """The unified social credit code of the caller's organisation (a subject is named by it)."""
    if not isinstance(principal, Principal):
        return None
    return identity.organisation_identities(session, {principal.organisation_id})[principal.organisation_id][1]


def _parties(session: Session, who: Who, consent: Consent) -> _Parties:
    subject = consent.subject_organisation_id
    if (
        subject is None
        and isinstance(who, Principal)
        and who.organisation_kind == "subject"
        and own_credit_code(session, who) == consent.subject_credit_code
    ):
        subject = who.organisation_id
    return _Parties(subject, consent.consumer_id)


def get(session: Session, *, principal: Who, consent_id: int, permission: str = "consent.read") -> Consent:
    """A consent, for its subject, its consumer and the regulators; 404 for anyone else."""
    consent = session.get(Consent, consent_id)
    if consent is None:
        raise Refused(Consent.guard.missing, what=Text(Consent.guard.what))
    access.require(principal, permission, _parties(session, principal, consent))
    return consent


def may(session: Session, principal: Who, permission: str, consent: Consent) -> bool:
    """``get``'s check as a question, for a page deciding which buttons to show."""
    return access.may(principal, permission, _parties(session, principal, consent))


def _visible(session: Session, principal: Who, statement: Select) -> Select:
    """``statement`` over consents narrowed to the caller's: a subject's by its credit code, a consumer's own,
    everything for the regulators."""
    if isinstance(principal, Principal) and principal.organisation_kind == "subject":
        access.require(principal, "consent.read", access.own_organisation(principal))
        code = own_credit_code(session, principal)
        mine = Consent.subject_organisation_id == principal.organisation_id
        return statement.where(or_(mine, Consent.subject_credit_code == code) if code else mine)
    return access.visible(statement, principal, Consent)


def list_for(session: Session, *, principal: Who) -> list[Consent]:
    """The consents the caller may see, newest first."""
    statement = _visible(session, principal, select(Consent)).order_by(Consent.id.desc())
    return list(session.execute(statement).scalars())


def use_counts(session: Session, ids: Iterable[int]) -> dict[int, int]:
    """How many times each of these consents has been used."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    statement = select(ConsentUse.consent_id, func.count()).group_by(ConsentUse.consent_id)
    counts: dict[int, int] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        counts |= dict(session.execute(statement.where(ConsentUse.consent_id.in_(chunk))).all())
    return counts


def uses_of(session: Session, *, principal: Who, consent_id: int) -> list[ConsentUse]:
    """Every use of one consent, newest first: when, by which consumer, for which product and contract."""
    consent = get(session, principal=principal, consent_id=consent_id)
    statement = select(ConsentUse).where(ConsentUse.consent_id == consent.id).order_by(ConsentUse.id.desc())
    return list(session.execute(statement).scalars())


def recent_uses(session: Session, *, principal: Who, limit: int = 20) -> list[ConsentUse]:
    """The latest uses of the consents the caller may see (a subject's workbench), newest first."""
    visible = _visible(session, principal, select(Consent.id)).scalar_subquery()
    statement = select(ConsentUse).where(ConsentUse.consent_id.in_(visible)).order_by(ConsentUse.id.desc())
    return list(session.execute(statement.limit(limit)).scalars())


def uses_by_month(session: Session, *, principal: Who) -> dict[str, int]:
    """Uses of the consents the caller may see, by month in Asia/Shanghai (``2026-03``), oldest first."""
    visible = _visible(session, principal, select(Consent.id)).scalar_subquery()
    months: dict[str, int] = {}
    for (moment,) in session.execute(select(ConsentUse.used_at).where(ConsentUse.consent_id.in_(visible))).all():
        month = moment.astimezone(clock.SHANGHAI).strftime("%Y-%m")
        months[month] = months.get(month, 0) + 1
    return dict(sorted(months.items()))


def counts_by_state(session: Session, *, principal: Who) -> dict[str, int]:
    statement = _visible(session, principal, select(Consent.state, func.count())).group_by(Consent.state)
    return {state: count for state, count in session.execute(statement).all()}


# --- granting -------------------------------------------------------------------------------------------------


def _consentable(session: Session, *, code: str, purpose: str) -> ProductRef:
    """The product a consent is for: listed, answering about one subject at a time, offered for this purpose.
    Products, their kinds, states and purposes are public: refusing by them reveals nothing."""
    if purpose not in contract_rules.PURPOSES:
        raise Refused("consent.purpose-unknown", purpose=purpose, field="purpose")
    product = _product_by_code(session, code)
    if (
        product is None
        or product.state not in product_rules.PUBLIC_STATES
        or product.kind not in product_rules.CONSENT_KINDS
    ):
        raise Refused("consent.product", code=code, field="product_code")
    if purpose not in product.purposes:
        raise Refused("consent.purpose", purpose=Text(contract_rules.PURPOSES[purpose]), field="purpose")
    return product


def _check_period(valid_from: date, valid_until: date) -> None:
    problem = rules.period_problem(valid_from=valid_from, valid_until=valid_until, today=clock.today())
    if problem is not None:
        raise Refused(problem, field="valid_until")


def _check_no_overlap(
    session: Session, *, credit_code: str, consumer_id: int, product_id: int, purpose: str, body: Any
) -> None:
    """One subject gives one consumer one consent in force at a time for a product and purpose: a second
    overlapping one would leave it unclear which a revocation ends."""
    overlapping = session.scalar(
        select(Consent.id).where(
            Consent.subject_credit_code == credit_code,
            Consent.consumer_id == consumer_id,
            Consent.product_id == product_id,
            Consent.purpose == purpose,
            Consent.state == rules.C.GRANTED.value,
            Consent.valid_from <= body.valid_until,
            Consent.valid_until >= body.valid_from,
        )
    )
    if overlapping is not None:
        raise Refused("consent.overlap", consent=overlapping)


def _document(consent: Consent, product: ProductRef) -> dict[str, Any]:
    """What the ledger keeps of a consent: who, for whom, what, why and how long — never a person's name."""
    return {
        "credit_code": consent.subject_credit_code,
        "consumer": consent.consumer_id,
        "product": product.code,
        "purpose": consent.purpose,
        "valid_from": consent.valid_from.isoformat(),
        "valid_until": consent.valid_until.isoformat(),
        "via": consent.via,
    }


def grant(session: Session, *, principal: Principal, body: ConsentIn) -> Consent:
    """The subject, from its own account, authorizes one consumer to use one product for one purpose."""
    access.require(principal, "consent.grant", access.own_organisation(principal))
    credit_code = own_credit_code(session, principal)
    if not credit_code:
        raise Refused("consent.no-credit-code")
    if identity.organisation_kind(session, body.consumer_id) != "consumer":
        raise Refused("consent.consumer", field="consumer_id")
    product = _consentable(session, code=body.product_code, purpose=body.purpose)
    _check_period(body.valid_from, body.valid_until)
    _check_no_overlap(
        session,
        credit_code=credit_code,
        consumer_id=body.consumer_id,
        product_id=product.id,
        purpose=body.purpose,
        body=body,
    )
    consent = Consent(
        subject_credit_code=credit_code,
        subject_organisation_id=principal.organisation_id,
        consumer_id=body.consumer_id,
        product_id=product.id,
        purpose=body.purpose,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        state=rules.LIFECYCLE.initial,
        via="account",
        letter_sm3=None,
        recorded_by=principal.user_id,
        granted_at=clock.now(),
    )
    session.add(consent)
    ledger.record(
        session, actor=principal.actor, action="consent.grant", subject=consent, payload=_document(consent, product)
    )
    return consent


def revoke(session: Session, *, principal: Who, consent_id: int, reason: str = "") -> Consent:
    """The subject (or the consumer, of its own) withdraws a consent: every later call about the subject is
    refused. Uses already made stay on record."""
    consent = get(session, principal=principal, consent_id=consent_id, permission="consent.revoke")
    reason = clean_prose(reason, field="reason", max_length=1000)
    rules.LIFECYCLE.apply(consent, "revoke")
    consent.revoked_at = clock.now()
    ledger.record(
        session,
        actor=principal.actor,
        action="consent.revoke",
        subject=consent,
        payload={"reason": reason} if reason else {},
    )
    return consent


# --- letters --------------------------------------------------------------------------------------------------


def letter_digest(path: Path) -> str | None:
    """The SM3 digest of a received letter file, refused unless it is a PDF or an image within the size limit;
    None for an empty file (a form sent without one). Only the digest is kept: the caller removes the file."""
    size = path.stat().st_size
    if size == 0:
        return None
    if size > rules.LETTER_MAX_BYTES:
        raise Refused("consent.letter-size", limit=rules.LETTER_MAX_BYTES // (1 << 20), field="letter")
    content = path.read_bytes()
    if rules.letter_format(content[: rules.LETTER_HEAD_BYTES]) is None:
        raise Refused("consent.letter-format", field="letter")
    return sm3(content)


@dataclass(frozen=True)
class _Letter:
    """A letter that passed every check the request alone decides, ready for the registry."""

    credit_code: str
    rep_name: str
    product: ProductRef
    body: LetterIn
    letter_sm3: str
    registry: files.Recorded


def _normal_name(typed: str) -> str | None:
    """The typed name as the registry writes names: NFKC (full-width letters and spaces folded), without any
    space (a Chinese name has none; one typed with spaces is the same name); None when it cannot be a name."""
    name = "".join(unicodedata.normalize("NFKC", typed).split())
    if rules.rep_name_problem(name) is not None or any(not ch.isprintable() for ch in name):
        return None
    return name


def _rep_name(typed: str) -> str:
    name = _normal_name(typed)
    if name is None:
        raise Refused("consent.letter-rep-name", field="legal_rep_name")
    return name


def _checked_letter(session: Session, principal: Principal, body: LetterIn, letter_sm3: str | None) -> _Letter:
    access.require(principal, "consent.record-letter", access.own_organisation(principal))
    if body.consumer_id is not None and body.consumer_id != principal.organisation_id:
        raise _refused_for_other_consumer(principal, body.consumer_id)
    credit_code = body.credit_code.strip().upper()
    if not is_credit_code(credit_code):
        raise Refused("consent.credit-code", field="credit_code")
    rep_name = _rep_name(body.legal_rep_name)
    digest = (letter_sm3 or body.letter_sm3 or "").strip().lower()
    if body.letter_sm3 and letter_sm3 and body.letter_sm3.strip().lower() != letter_sm3:
        raise Refused("consent.letter-digest-differs", field="letter_sm3")
    if not digest:
        raise Refused("consent.letter-missing", field="letter")
    if not rules.is_sm3_digest(digest):
        raise Refused("consent.letter-digest", field="letter_sm3")
    product = _consentable(session, code=body.product_code, purpose=body.purpose)
    _check_period(body.valid_from, body.valid_until)
    _check_no_overlap(
        session,
        credit_code=credit_code,
        consumer_id=principal.organisation_id,
        product_id=product.id,
        purpose=body.purpose,
        body=body,
    )
    return _Letter(credit_code, rep_name, product, body, digest, _registry(session))


def _registry(session: Session) -> files.Recorded:
    """The legal-entity library's current version, with the columns a letter is checked against."""
    try:
        fields, recorded = catalog.data_of(session, code=rules.REGISTRY)
    except Refused:
        raise Refused("consent.registry-unavailable") from None
    names = {spec.name for spec in fields}
    if not {rules.REGISTRY_CODE, rules.REGISTRY_REP, rules.REGISTRY_STATUS} <= names:
        raise Refused("consent.registry-unavailable")
    return recorded


def _take_letter_checks(session: Session, *, consumer_id: int, count: int, limit: int) -> bool:
    """Count ``count`` letter checks for the consumer today, or none (False) when fewer than that are left of its
    day's ``limit``: one conditional update, so concurrent checks never pass the limit."""
    today = clock.today()
    take = (
        update(LetterChecks)
        .where(
            LetterChecks.consumer_id == consumer_id,
            LetterChecks.day == today,
            LetterChecks.checks <= limit - count,
        )
        .values(checks=LetterChecks.checks + count)
        .execution_options(synchronize_session=False)
    )
    if session.execute(take).rowcount == 1:  # type: ignore[attr-defined]
        return True
    exists = select(LetterChecks.id).where(LetterChecks.consumer_id == consumer_id, LetterChecks.day == today)
    if count <= limit and session.scalar(exists) is None:
        try:
            with session.begin_nested():
                session.add(LetterChecks(consumer_id=consumer_id, day=today, checks=count))
            return True
        except IntegrityError:  # another check made today's row first: count against it
            return session.execute(take).rowcount == 1  # type: ignore[attr-defined]
    return False


def _take_letter_check(session: Session, *, consumer_id: int, limit: int) -> None:
    """Count one letter check for the consumer today, or refuse when its day's checks are used up."""
    if not _take_letter_checks(session, consumer_id=consumer_id, count=1, limit=limit):
        raise Refused("consent.letter-limit", limit=limit)


def _checks_per_day(checks_per_day: int | None) -> int:
    """The day's limit a command was given (``Settings.letter_checks_per_day``), else the rules' default."""
    return rules.LETTER_CHECKS_PER_DAY if checks_per_day is None else checks_per_day


def letter_checks_left(session: Session, *, principal: Principal, checks_per_day: int | None = None) -> int:
    """How many letters the caller's organisation may still have checked today."""
    used = session.scalar(
        select(LetterChecks.checks).where(
            LetterChecks.consumer_id == principal.organisation_id, LetterChecks.day == clock.today()
        )
    )
    return max(_checks_per_day(checks_per_day) - (used or 0), 0)


REGISTRY_TABLE = "registry"
REGISTRY_TIMEOUT_SECONDS = 10.0


def registry_matched(engine: Engine, recorded: files.Recorded, subjects: Sequence[tuple[str, str]]) -> list[bool]:
    """Inside the domain, for each (credit code, legal representative's name): is the code a registered, active
    entity whose legal representative is that name? One query the platform writes for the whole batch, run by
    the engine's platform path (the codes and names bound as list parameters, never in the text; the registry's
    current version checked against the catalogue's record; the engine's limits). It returns the positions that
    match, so the answer is one boolean per subject, and any failure the one generic refusal."""
    if not subjects:
        return []
    table = TableRef(REGISTRY_TABLE, recorded.file, recorded)
    code, rep, status = (quote(name) for name in (rules.REGISTRY_CODE, rules.REGISTRY_REP, rules.REGISTRY_STATUS))
    sql = (
        "SELECT b.position FROM (SELECT unnest($positions) AS position, unnest($codes) AS code, "
        "unnest($names) AS name) AS b WHERE EXISTS (SELECT 1 FROM "
        f"{REGISTRY_TABLE} AS r WHERE r.{code} = b.code AND r.{status} = $status AND trim(r.{rep}) = b.name)"
    )
    parameters = {
        "positions": list(range(len(subjects))),
        "codes": [credit_code for credit_code, _ in subjects],
        "names": [name for _, name in subjects],
        "status": rules.ACTIVE_STATUS,
    }
    try:
        result = engine.run_platform(
            sql, parameters, tables=[table], limits=Limits(REGISTRY_TIMEOUT_SECONDS, len(subjects))
        )
    except EngineRefused:
        raise Refused("consent.registry-unavailable") from None
    matched = {int(row[0]) for row in result.rows}  # type: ignore[call-overload]
    return [position in matched for position in range(len(subjects))]


def registry_matches(engine: Engine, recorded: files.Recorded, *, credit_code: str, rep_name: str) -> bool:
    """``registry_matched`` for one letter."""
    return registry_matched(engine, recorded, [(credit_code, rep_name)])[0]


def _letter_payload(letter: _Letter, outcome: str) -> dict[str, Any]:
    """What the ledger keeps of a letter check: the letter's digest, what it authorizes and the outcome — never
    the legal representative's name, typed or registered."""
    return {
        "credit_code": letter.credit_code,
        "product": letter.product.code,
        "purpose": letter.body.purpose,
        "valid_from": letter.body.valid_from.isoformat(),
        "valid_until": letter.body.valid_until.isoformat(),
        "letter_sm3": letter.letter_sm3,
        "registry": {"resource": rules.REGISTRY, "version": letter.registry.version},
        "outcome": outcome,
    }


def record_letter(
    units: UnitOfWork,
    *,
    principal: Principal,
    body: LetterIn,
    engine: Engine,
    letter_sm3: str | None = None,
    checks_per_day: int | None = None,
) -> Consent:
    """A consumer records a subject's signed authorization letter (its SM3 digest: ``letter_sm3`` when the file
    was received, else the body's). Checks the request first (free), then counts one letter check, then asks the
    registry inside the domain; a letter that does not match is refused generically and recorded.
    ``checks_per_day``: the consumer's daily letter checks (``Settings.letter_checks_per_day``)."""
    with units.read() as session:
        letter = _checked_letter(session, principal, body, letter_sm3)
    with units.command() as session:
        _take_letter_check(session, consumer_id=principal.organisation_id, limit=_checks_per_day(checks_per_day))
    with units.recording():
        try:
            matched = registry_matches(
                engine, letter.registry, credit_code=letter.credit_code, rep_name=letter.rep_name
            )
        except Refused as refusal:
            outcome = "damaged" if isinstance(refusal, files.DataDamaged) else "failed"
            if refusal.entry is None:
                refusal.recorded(
                    RefusalEntry(principal.actor, "consent.letter-refused", payload=_letter_payload(letter, outcome))
                )
            raise
        if not matched:
            raise Refused(
                "consent.letter-mismatch",
                entry=RefusalEntry(
                    principal.actor, "consent.letter-refused", payload=_letter_payload(letter, "not-matched")
                ),
            )
    with units.command() as session:
        _check_no_overlap(  # again: another letter may have been recorded meanwhile
            session,
            credit_code=letter.credit_code,
            consumer_id=principal.organisation_id,
            product_id=letter.product.id,
            purpose=body.purpose,
            body=body,
        )
        consent = Consent(
            subject_credit_code=letter.credit_code,
            subject_organisation_id=identity.subject_with_credit_code(session, letter.credit_code),
            consumer_id=principal.organisation_id,
            product_id=letter.product.id,
            purpose=body.purpose,
            valid_from=body.valid_from,
            valid_until=body.valid_until,
            state=rules.LIFECYCLE.initial,
            via="letter",
            letter_sm3=letter.letter_sm3,
            recorded_by=principal.user_id,
            granted_at=clock.now(),
        )
        session.add(consent)
        ledger.record(
            session,
            actor=principal.actor,
            action="consent.letter",
            subject=consent,
            payload=_document(consent, letter.product) | _letter_payload(letter, "matched"),
        )
    return consent


# --- a batch of letters ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Subject:
    """One letter of a batch, checked by the request alone. The typed name stays out of any repr."""

    credit_code: str
    letter_sm3: str
    rep_name: str = field(repr=False)


@dataclass(frozen=True)
class _Batch:
    """A batch that passed every check the request alone decides, ready for the registry."""

    product: ProductRef
    body: LetterBatchIn
    subjects: tuple[_Subject, ...]
    registry: files.Recorded
    # SM3 over the batch's credit codes and letter digests in order (names left out): names the batch in the
    # ledger, so each consent's entry and a refusal's point to the same batch.
    digest: str


def _batch_subject(position: int, letter: BatchLetterIn) -> _Subject:
    """One letter of a batch in the form the registry is asked about, or refused naming its position."""
    credit_code = letter.credit_code.strip().upper()
    if not is_credit_code(credit_code):
        raise Refused("consent.batch-credit-code", position=position, extra={"position": position})
    rep_name = _normal_name(letter.legal_rep_name)
    if rep_name is None:
        raise Refused("consent.batch-rep-name", position=position, extra={"position": position})
    digest = letter.letter_sm3.strip().lower()
    if not rules.is_sm3_digest(digest):
        raise Refused("consent.batch-digest", position=position, extra={"position": position})
    return _Subject(credit_code, digest, rep_name)


def _check_batch_no_overlap(
    session: Session, *, consumer_id: int, product_id: int, body: LetterBatchIn, codes: Sequence[str]
) -> None:
    """``_check_no_overlap`` for every subject of a batch, in a few queries: refused naming the first position
    whose subject already has an overlapping consent in force (the consumer's own consents: nothing of the
    domain's data is told)."""
    base = select(Consent.subject_credit_code, Consent.id).where(
        Consent.consumer_id == consumer_id,
        Consent.product_id == product_id,
        Consent.purpose == body.purpose,
        Consent.state == rules.C.GRANTED.value,
        Consent.valid_from <= body.valid_until,
        Consent.valid_until >= body.valid_from,
    )
    overlapping: dict[str, int] = {}
    for start in range(0, len(codes), IN_CHUNK):
        chunk = list(codes[start : start + IN_CHUNK])
        for code, id_ in session.execute(base.where(Consent.subject_credit_code.in_(chunk))).all():
            overlapping.setdefault(code, id_)
    for position, code in enumerate(codes, start=1):
        if code in overlapping:
            consent_id = overlapping[code]
            raise Refused(
                "consent.batch-overlap",
                position=position,
                credit_code=code,
                consent=consent_id,
                extra={"position": position, "credit_code": code},
            )


def _refused_for_other_consumer(principal: Principal, consumer_id: int) -> Refused:
    return Refused(
        "consent.other-consumer",
        entry=RefusalEntry(
            principal.actor, "consent.letter-refused", payload={"outcome": "other-consumer", "consumer": consumer_id}
        ),
    )


def _checked_batch(session: Session, principal: Principal, body: LetterBatchIn) -> _Batch:
    """Everything the request alone decides, free and in this order: who may record, the batch's size, the
    product, purpose and period, each letter's shape, a subject named twice, an overlapping consent."""
    access.require(principal, "consent.record-letter", access.own_organisation(principal))
    if body.consumer_id is not None and body.consumer_id != principal.organisation_id:
        raise _refused_for_other_consumer(principal, body.consumer_id)
    if not 1 <= len(body.letters) <= rules.LETTER_BATCH_MAX:
        raise Refused("consent.batch-size", limit=rules.LETTER_BATCH_MAX, field="letters")
    product = _consentable(session, code=body.product_code, purpose=body.purpose)
    _check_period(body.valid_from, body.valid_until)
    subjects = tuple(_batch_subject(position, letter) for position, letter in enumerate(body.letters, start=1))
    codes = [subject.credit_code for subject in subjects]
    duplicate = rules.first_duplicate(codes)
    if duplicate is not None:
        position, first = duplicate
        raise Refused(
            "consent.batch-duplicate",
            position=position,
            first=first,
            credit_code=codes[position - 1],
            extra={"position": position, "first": first},
        )
    _check_batch_no_overlap(
        session, consumer_id=principal.organisation_id, product_id=product.id, body=body, codes=codes
    )
    digest = sm3("\n".join(f"{s.credit_code} {s.letter_sm3}" for s in subjects).encode())
    return _Batch(product, body, subjects, _registry(session), digest)


def _batch_payload(batch: _Batch, outcome: str, **more: Any) -> dict[str, Any]:
    """What the ledger keeps of a batch's check: what it authorizes, how many letters, the batch's digest, the
    registry's version and the outcome — never a name."""
    return {
        "product": batch.product.code,
        "purpose": batch.body.purpose,
        "valid_from": batch.body.valid_from.isoformat(),
        "valid_until": batch.body.valid_until.isoformat(),
        "letters": len(batch.subjects),
        "batch_sm3": batch.digest,
        "registry": {"resource": rules.REGISTRY, "version": batch.registry.version},
        "outcome": outcome,
    } | more


def _take_batch_checks(session: Session, *, principal: Principal, count: int, limit: int) -> None:
    if not _take_letter_checks(session, consumer_id=principal.organisation_id, count=count, limit=limit):
        left = letter_checks_left(session, principal=principal, checks_per_day=limit)
        raise Refused("consent.batch-limit", count=count, left=left, limit=limit)


def _batch_matched(engine: Engine, batch: _Batch, actor: Actor) -> None:
    """Ask the registry about the whole batch; refuse it, recorded, unless every letter matches."""
    subjects = [(subject.credit_code, subject.rep_name) for subject in batch.subjects]
    try:
        matched = registry_matched(engine, batch.registry, subjects)
    except Refused as refusal:
        outcome = "damaged" if isinstance(refusal, files.DataDamaged) else "failed"
        if refusal.entry is None:
            refusal.recorded(RefusalEntry(actor, "consent.letters-refused", payload=_batch_payload(batch, outcome)))
        raise
    positions = [position for position, ok in enumerate(matched, start=1) if not ok]
    if positions:
        named = [{"position": p, "credit_code": batch.subjects[p - 1].credit_code} for p in positions]
        raise Refused(
            "consent.batch-mismatch",
            positions=rules.positions_text(positions),
            extra={"positions": positions},
            entry=RefusalEntry(
                actor, "consent.letters-refused", payload=_batch_payload(batch, "not-matched", mismatched=named)
            ),
        )


def _letter_consent(principal: Principal, batch: _Batch, subject: _Subject, accounts: dict[str, int]) -> Consent:
    return Consent(
        subject_credit_code=subject.credit_code,
        subject_organisation_id=accounts.get(subject.credit_code),
        consumer_id=principal.organisation_id,
        product_id=batch.product.id,
        purpose=batch.body.purpose,
        valid_from=batch.body.valid_from,
        valid_until=batch.body.valid_until,
        state=rules.LIFECYCLE.initial,
        via="letter",
        letter_sm3=subject.letter_sm3,
        recorded_by=principal.user_id,
        granted_at=clock.now(),
    )


def record_letters(
    units: UnitOfWork,
    *,
    principal: Principal,
    body: LetterBatchIn,
    engine: Engine,
    checks_per_day: int | None = None,
) -> list[Consent]:
    """A consumer records a batch of signed authorization letters (up to ``rules.LETTER_BATCH_MAX``) for one
    product, purpose and period: all of them, or none.

    Checks the request first (free; a malformed letter, a subject named twice or already consented refuses the
    batch naming its position), then counts one letter check per letter against the consumer's day
    (``checks_per_day``, ``Settings.letter_checks_per_day``) — the whole batch or nothing — then asks the
    registry about every letter in one query inside the domain. A batch with any letter that does not match is
    refused, recorded, naming the positions only (never which part of a letter failed); else each letter
    becomes a consent with its ledger entry, all in one transaction. The typed names are never kept."""
    limit = _checks_per_day(checks_per_day)
    with units.read() as session:
        batch = _checked_batch(session, principal, body)
    with units.command() as session:
        _take_batch_checks(session, principal=principal, count=len(batch.subjects), limit=limit)
    with units.recording():
        _batch_matched(engine, batch, principal.actor)
    with units.command() as session:
        codes = [subject.credit_code for subject in batch.subjects]
        _check_batch_no_overlap(  # again: another letter may have been recorded meanwhile
            session, consumer_id=principal.organisation_id, product_id=batch.product.id, body=body, codes=codes
        )
        accounts = identity.subjects_with_credit_codes(session, codes)
        consents = [_letter_consent(principal, batch, subject, accounts) for subject in batch.subjects]
        session.add_all(consents)
        payloads = [
            _document(consent, batch.product)
            | {
                "letter_sm3": subject.letter_sm3,
                "registry": {"resource": rules.REGISTRY, "version": batch.registry.version},
                "outcome": "matched",
                "batch": {"sm3": batch.digest, "position": position, "letters": len(consents)},
            }
            for position, (consent, subject) in enumerate(zip(consents, batch.subjects, strict=True), start=1)
        ]
        ledger.record_new(session, actor=principal.actor, action="consent.letter", rows=consents, payloads=payloads)
    return consents


# The columns of a batch's CSV (the page's upload), by the names a bank's spreadsheet may give them.
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "credit_code": ("credit_code", "统一社会信用代码"),
    "legal_rep_name": ("legal_rep_name", "法定代表人", "法定代表人姓名"),
    "letter_sm3": ("letter_sm3", "授权书SM3", "授权书 SM3 摘要", "SM3"),
}


def _csv_header(header: Sequence[str]) -> dict[str, int] | None:
    """Where each column is in the header row, or None unless all three are there, once each."""
    at: dict[str, int] = {}
    for index, cell in enumerate(header):
        named = [key for key, names in CSV_COLUMNS.items() if cell.strip() in names]
        if named:
            if named[0] in at:
                return None
            at[named[0]] = index
    return at if len(at) == len(CSV_COLUMNS) else None


def letters_from_csv(path: Path) -> list[BatchLetterIn]:
    """A batch's letters from a CSV file (UTF-8, a byte-order mark allowed, as a spreadsheet saves it): a header
    naming ``credit_code``, ``legal_rep_name`` and ``letter_sm3`` (or their Chinese names), then one letter a row;
    blank rows are skipped. Refused naming the first line that is not one (never its content); more rows than a
    batch holds are refused by the batch's size. The caller removes the file."""
    if path.stat().st_size == 0:
        raise Refused("consent.batch-csv", line=1, field="letters")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise Refused("consent.batch-csv", line=1, field="letters") from None
    rows = csv.reader(io.StringIO(text, newline=""))
    letters: list[BatchLetterIn] = []
    try:
        at = _csv_header(next(rows, []))
        if at is None:
            raise Refused("consent.batch-csv", line=1, field="letters")
        for row in rows:
            if not any(cell.strip() for cell in row):
                continue
            if len(letters) >= rules.LETTER_BATCH_MAX:
                raise Refused("consent.batch-size", limit=rules.LETTER_BATCH_MAX, field="letters")
            if len(row) <= max(at.values()):
                raise Refused("consent.batch-csv", line=rows.line_num, field="letters")
            values = {key: row[index] for key, index in at.items()}
            try:
                letters.append(BatchLetterIn.model_validate(values))
            except ValidationError:
                raise Refused("consent.batch-csv", line=rows.line_num, field="letters") from None
    except csv.Error:
        raise Refused("consent.batch-csv", line=rows.line_num, field="letters") from None
    return letters


# --- per-subject calls ------------------------------------------------------------------------------------------


def standing_of(consent: Consent) -> rules.Standing:
    return rules.Standing(consent.id, consent.state, consent.valid_from, consent.valid_until)


def require(
    session: Session,
    *,
    consumer_id: int,
    product_id: int,
    purpose: str,
    credit_codes: Sequence[str],
    actor: Actor | None = None,
) -> dict[str, Consent]:
    """The consent in force today for each subject of a per-subject call, by credit code; or the call is refused,
    recorded, naming the first subject without one by its position in the request (from 1) and the credit code
    the caller sent: ``consent.missing`` (none for this consumer, product and purpose — another consumer's
    consent is none for this one), ``consent.not-yet-valid``, ``consent.expired`` or ``consent.revoked``.
    Nothing else is said about the subject. ``actor``: who is calling (by default the consumer itself)."""
    wanted = list(dict.fromkeys(credit_codes))
    found: dict[str, list[Consent]] = {}
    base = select(Consent).where(
        Consent.consumer_id == consumer_id, Consent.product_id == product_id, Consent.purpose == purpose
    )
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        for consent in session.execute(base.where(Consent.subject_credit_code.in_(chunk))).scalars():
            found.setdefault(consent.subject_credit_code, []).append(consent)
    today = clock.today()
    by_id = {consent.id: consent for consents in found.values() for consent in consents}
    chosen: dict[str, Consent] = {}
    for position, code in enumerate(credit_codes, start=1):
        if code in chosen:
            continue
        standing, rule = rules.standing_refusal([standing_of(c) for c in found.get(code, [])], today)
        if standing is None:
            refused_by = rule or "consent.missing"
            who = actor or Actor(label=f"organisation:{consumer_id}", organisation_id=consumer_id)
            raise Refused(
                refused_by,
                position=position,
                credit_code=code,
                extra={"position": position, "credit_code": code},
                entry=RefusalEntry(
                    who,
                    "consent.refused",
                    payload={
                        "rule": refused_by,
                        "consumer": consumer_id,
                        "product": product_id,
                        "purpose": purpose,
                        "position": position,
                        "credit_code": code,
                    },
                ),
            )
        chosen[code] = by_id[standing.id]
    return chosen


def record_uses(session: Session, *, consents: Iterable[Consent], contract_id: int, actor: Actor) -> None:
    """Each consent a call relied on is used once more: one row per subject answered, and one ledger entry for
    the call naming them all, in the caller's transaction (with the call's charge). A consent of another
    consumer than the caller's is refused, recorded."""
    used = list(consents)
    if not used:
        return
    for consent in used:
        if actor.organisation_id is not None and consent.consumer_id != actor.organisation_id:
            raise Refused(
                "consent.other-consumer",
                entry=RefusalEntry(
                    actor,
                    "consent.refused",
                    payload={"rule": "consent.other-consumer", "consent": consent.id, "contract": contract_id},
                ),
            )
    now = clock.now()
    session.add_all(
        ConsentUse(
            consent_id=consent.id,
            consumer_id=consent.consumer_id,
            product_id=consent.product_id,
            contract_id=contract_id,
            used_at=now,
        )
        for consent in used
    )
    ledger.record(
        session,
        actor=actor,
        action="consent.use",
        subject=f"contract:{contract_id}",
        payload={"consents": [consent.id for consent in used], "products": sorted({c.product_id for c in used})},
    )


def expire_due(session: Session, *, actor: Actor) -> list[str]:
    """Consents past their last day are marked expired (calls already refuse them by their window)."""
    done = []
    due = select(Consent).where(Consent.state == rules.C.GRANTED.value, Consent.valid_until < clock.today())
    for consent in session.execute(due.order_by(Consent.id)).scalars().all():
        rules.LIFECYCLE.apply(consent, "expire")
        ledger.record(session, actor=actor, action="consent.expire", subject=consent)
        done.append(f"consent {consent.id} expired")
    return done


# --- what pages and the API show --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A consent with the names a reader sees beside it."""

    consent: Consent
    consumer: str
    product: ProductRef | None
    uses: int


def shown(session: Session, consents: list[Consent]) -> list[Shown]:
    consumers = identity.organisation_names(session, {c.consumer_id for c in consents})
    products = product_refs(session, {c.product_id for c in consents})
    counts = use_counts(session, [c.id for c in consents])
    return [
        Shown(c, consumers.get(c.consumer_id, ""), products.get(c.product_id), counts.get(c.id, 0)) for c in consents
    ]


def as_out(item: Shown) -> dict[str, Any]:
    c = item.consent
    return {
        "id": c.id,
        "subject_credit_code": c.subject_credit_code,
        "consumer_id": c.consumer_id,
        "consumer": item.consumer,
        "product_code": item.product.code if item.product else "",
        "product": item.product.name if item.product else "",
        "purpose": c.purpose,
        "valid_from": c.valid_from,
        "valid_until": c.valid_until,
        "state": c.state,
        "via": c.via,
        "letter_sm3": c.letter_sm3,
        "granted_at": c.granted_at,
        "revoked_at": c.revoked_at,
        "uses": item.uses,
    }


def uses_out(session: Session, uses: list[ConsentUse]) -> list[dict[str, Any]]:
    consumers = identity.organisation_names(session, {use.consumer_id for use in uses})
    products = product_refs(session, {use.product_id for use in uses})
    return [
        {
            "id": use.id,
            "consent_id": use.consent_id,
            "consumer_id": use.consumer_id,
            "consumer": consumers.get(use.consumer_id, ""),
            "product_code": products[use.product_id].code if use.product_id in products else "",
            "product": products[use.product_id].name if use.product_id in products else "",
            "contract_id": use.contract_id,
            "used_at": use.used_at,
        }
        for use in uses
    ]
