"""Running a privacy-computing product (隐私计算运行): the server's half of each protocol, governed like any call
(DESIGN.md §5, the hot path).

route → identity → **read step** (the product offerable — listed, reviewed, its scenario approved, its
operator's scope covering it; the caller's contract for it through ``contracts.open_use``; the pinned
definition; the set version and key the message was made for; its nonce unused; its items within the run's
limit and the contract's items left; for joint scoring every subject's consent) → **the protocol core**, holding
no transaction → **write step** (one transaction: ``contracts.charge`` with the items as the contract's rows, the
``PrivacyRun`` row whose unique (contract, nonce) refuses a replay, the consents' uses).

The run's one ledger entry is the charge's ``contract.call``: product, protocol, set version, key, items and the
SM3 of the nonce, under the caller. A refusal is recorded under the contract once known, else the product; a
malformed message gets one refusal (``privacy.message``) whatever the core found wrong.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pubdata.common import clock
from pubdata.common.digest import sm3
from pubdata.common.errors import Refused, refusals_recorded
from pubdata.common.messages import Text
from pubdata.common.sealing import Sealer
from pubdata.contracts import service as contracts
from pubdata.db import UnitOfWork
from pubdata.engines.base import Engine
from pubdata.identity.access import Principal
from pubdata.ledger import service as ledger
from pubdata.privacy import consent, keys, lookup, psi, scoring, sets
from pubdata.privacy.models import ConsumerKey, PrivacyRun
from pubdata.products import compute, definitions, rules, subscriptions
from pubdata.products import service as products
from pubdata_protocol import VERSION, ckks
from pubdata_protocol import messages as wire
from pubdata_protocol import psi as shared_psi

CONSUMER_KEYS = "keys"  # under sets.FOLDER: consumers' public CKKS contexts, by organisation


@dataclass(frozen=True)
class Opened:
    """What the read step found: the product, its protocol and pinned definition, the caller's contract."""

    product: Any  # products.models.Product
    protocol: str
    definition: Any
    use: contracts.Use


@dataclass(frozen=True)
class Setup:
    data: bytes
    set_version: str
    key_id: str


def _recorded(principal: Principal, where: list[str], code: str) -> AbstractContextManager[None]:
    """A refused run is kept in the ledger, under its contract once known, else its product."""
    return refusals_recorded(principal.actor, "privacy.run-refused", where, {"product": code})


def open_product(session: Session, *, principal: Principal, code: str, where: list[str]) -> Opened:
    """The read step's first part: the product offerable and a protocol product, the caller's contract for it
    open (state, window, the operator's scope), its definition the one the contract pinned."""
    product = products.offerable(session, code=code)
    where[0] = f"product:{product.id}"
    protocol = rules.PROTOCOL_KINDS.get(product.kind)
    if protocol is None:
        raise Refused("privacy.not-protocol", code=product.code)
    contract_id = subscriptions.contract_id_for(session, consumer_id=principal.organisation_id, product_id=product.id)
    if contract_id is None:
        raise Refused("privacy.no-contract")
    where[0] = f"contract:{contract_id}"
    use = contracts.open_use(session, principal=principal, contract_id=contract_id, permission="product.call")
    pinned = use.terms.product
    if pinned is None or pinned.code != product.code or pinned.definition_digest != product.definition_digest:
        raise Refused("call.contract-stale")
    return Opened(product, protocol, products.definition_of(product), use)


def _open(units: UnitOfWork, principal: Principal, code: str, where: list[str]) -> Opened:
    with units.read() as session, _recorded(principal, where, code):
        return open_product(session, principal=principal, code=code, where=where)


def _wrong_protocol(opened: Opened) -> Refused:
    return Refused("privacy.wrong-protocol", code=opened.product.code, protocol=Text(rules.PROTOCOLS[opened.protocol]))


# --- the set version (PSI, labelled lookup) ------------------------------------------------------------------


def _set(
    units: UnitOfWork,
    principal: Principal,
    opened: Opened,
    *,
    engine: Engine,
    domain_dir: Path,
    sealer: Sealer,
    where: list[str],
) -> tuple[keys.ServerKey, sets.Built]:
    """The product's key (made the first time) and its current set version, built if it is not yet."""
    with units.recording(), _recorded(principal, where, opened.product.code):
        key = keys.ensure(
            units, sealer=sealer, product_id=opened.product.id, protocol=opened.protocol, actor=principal.actor
        )
        with units.read() as session:
            version = sets.version_of(
                session,
                product=opened.product,
                definition=opened.definition,
                protocol=opened.protocol,
                key=key,
                consumer_id=principal.organisation_id,
                purpose=opened.use.terms.purpose,
            )
        built = sets.current(
            units,
            version=version,
            definition=opened.definition,
            key=key,
            engine=engine,
            domain_dir=domain_dir,
            actor=principal.actor,
        )
    return key, built


def _consumer_key(session: Session, *, organisation_id: int, product_id: int) -> ConsumerKey | None:
    return session.execute(
        select(ConsumerKey)
        .where(ConsumerKey.organisation_id == organisation_id, ConsumerKey.product_id == product_id)
        .order_by(ConsumerKey.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def offer(
    units: UnitOfWork, *, principal: Principal, code: str, engine: Engine, domain_dir: Path, sealer: Sealer
) -> wire.Offer:
    """What the product's protocol runs on now, for the caller's contract: its set version and key, the limits,
    the items left (PSI, lookup: the set is built now if its version is new); for scoring, the features the
    consumer encrypts, the CKKS parameters, the output and the consumer's registered key."""
    where = [f"product:{code}"]
    opened = _open(units, principal, code, where)
    limit = min(wire.MAX_ITEMS_PER_RUN, max(opened.use.rows_left, 0))
    if opened.protocol == "joint_scoring":
        definition: definitions.JointScoring = opened.definition
        with units.read() as session, _recorded(principal, where, code):
            version = sets.scoring_version(session, definition=definition)
            registered = _consumer_key(session, organisation_id=principal.organisation_id, product_id=opened.product.id)
        return wire.Offer(
            wire_version=VERSION,
            product=opened.product.code,
            protocol="joint_scoring",
            contract_id=opened.use.contract_id,
            set_version=version,
            key_id=None if registered is None else registered.key_id,
            max_items_per_run=min(wire.MAX_SLOTS, max(limit, 1)),
            items_left=opened.use.rows_left,
            features=tuple(
                wire.Feature(name=term.name, zh=term.words.zh, en=term.words.en) for term in definition.private
            ),
            output=definition.output,
            ckks=ckks.PARAMETERS,
        )
    key, built = _set(units, principal, opened, engine=engine, domain_dir=domain_dir, sealer=sealer, where=where)
    members = opened.definition.members
    label = None
    if opened.protocol == "labelled_lookup":
        words = opened.definition.label.words
        label = wire.Feature(name="label", zh=words.zh, en=words.en)
        fpr = None
    else:
        fpr = shared_psi.setup_fpr(built.items)
    return wire.Offer(
        wire_version=VERSION,
        product=opened.product.code,
        protocol=opened.protocol,  # type: ignore[arg-type]
        contract_id=opened.use.contract_id,
        set_version=built.set_version,
        key_id=key.key_id,
        item_kind=members.item_kind,
        max_items_per_run=max(limit, 1),
        items_left=opened.use.rows_left,
        setup_bytes=built.file_bytes,
        fpr=fpr,
        label=label,
    )


def setup_bytes(
    units: UnitOfWork,
    *,
    principal: Principal,
    code: str,
    set_version: str,
    engine: Engine,
    domain_dir: Path,
    sealer: Sealer,
) -> Setup:
    """The set version's PSI setup or encrypted label table, to fetch once per version; recorded in the ledger
    (``privacy.setup``) under the contract. Another version than the current one is refused (stale)."""
    where = [f"product:{code}"]
    opened = _open(units, principal, code, where)
    with units.recording(), _recorded(principal, where, code):
        if opened.protocol == "joint_scoring":
            raise Refused("privacy.setup-none")
    key, built = _set(units, principal, opened, engine=engine, domain_dir=domain_dir, sealer=sealer, where=where)
    with units.recording(), _recorded(principal, where, code):
        if set_version != built.set_version:
            raise Refused("privacy.stale-set")
    data = built.file.read_bytes()
    with units.command() as session:
        ledger.record(
            session,
            actor=principal.actor,
            action="privacy.setup",
            subject=where[0],
            payload={
                "product": opened.product.code,
                "protocol": opened.protocol,
                "set_version": built.set_version,
                "key_id": key.key_id,
                # No item count: this entry is under the contract, whose record the consumer reads as payload
                # digests, and the rest of this payload it knows, so any count here it would recover by trying
                # each. The set's size is the build's entry's (privacy.set-built), for the auditors.
                "bytes": len(data),
            },
        )
    return Setup(data, built.set_version, key.key_id)


# --- a consumer's public CKKS context (joint scoring) -------------------------------------------------------


def register_key(
    units: UnitOfWork, *, principal: Principal, code: str, body: wire.KeyIn, domain_dir: Path
) -> wire.KeyOut:
    """The consumer's public CKKS context for the product: refused unless it is a public context of the
    product's parameters (no secret key); kept as a file in the data directory, named by its SM3."""
    where = [f"product:{code}"]
    opened = _open(units, principal, code, where)
    with units.recording(), _recorded(principal, where, code):
        if opened.protocol != "joint_scoring":
            raise Refused("privacy.keys-scoring-only")
        data = _decoded(body.context, limit=wire.MAX_CONTEXT)
        try:
            ckks.public_context(data)
        except wire.ProtocolError:
            raise Refused("privacy.message") from None
    key_id = sm3(data)
    name = f"{sets.FOLDER}/{CONSUMER_KEYS}/{principal.organisation_id}/{key_id}.ckks"
    path = domain_dir / name
    if not path.exists():
        sets.write_file(domain_dir, name, data)
    with units.command() as session:
        found = session.execute(
            select(ConsumerKey).where(
                ConsumerKey.organisation_id == principal.organisation_id,
                ConsumerKey.product_id == opened.product.id,
                ConsumerKey.key_id == key_id,
            )
        ).scalar_one_or_none()
        if found is None:
            row = ConsumerKey(
                organisation_id=principal.organisation_id,
                product_id=opened.product.id,
                key_id=key_id,
                file_name=name,
                bytes=len(data),
                registered_by=principal.user_id,
                at=clock.now(),
            )
            session.add(row)
            session.flush()
            ledger.record(
                session,
                actor=principal.actor,
                action="privacy.consumer-key",
                subject=row,
                payload={"product": opened.product.code, "key_id": key_id, "bytes": len(data)},
            )
    return wire.KeyOut(key_id=key_id, bytes=len(data))


# --- runs ------------------------------------------------------------------------------------------------------


def _decoded(text: str, *, limit: int) -> bytes:
    try:
        return wire.decode(text, limit=limit)
    except wire.ProtocolError:
        raise Refused("privacy.message") from None


def _nonce_unused(session: Session, *, contract_id: int, nonce: str) -> None:
    used = session.execute(
        select(PrivacyRun.id).where(PrivacyRun.contract_id == contract_id, PrivacyRun.nonce == nonce)
    ).first()
    if used is not None:
        raise Refused("privacy.replayed")


def _items_allowed(items: int, use: contracts.Use, most: int) -> None:
    if items > most:
        raise Refused("privacy.too-many-items", most=most, items=items)
    if items > use.rows_left:
        raise Refused("privacy.over-quota", left=use.rows_left, items=items)


def _write(
    units: UnitOfWork,
    principal: Principal,
    opened: Opened,
    *,
    set_version: str,
    key_id: str,
    nonce: str,
    items: int,
    where: list[str],
    consents: dict[str, Any] | None = None,
) -> int:
    """The write step: the charge (the items as the contract's rows, one call) with the run's ledger entry, the
    run's row (a nonce run twice, even at once, is refused), the consents' uses."""
    payload = {
        "product": opened.product.code,
        "protocol": opened.protocol,
        "set_version": set_version,
        "key_id": key_id,
        "items": items,
        "nonce_sm3": sm3(nonce.encode("ascii")),
    }
    with units.command() as session, _recorded(principal, where, opened.product.code):
        contracts.charge(
            session,
            actor=principal.actor,
            contract_id=opened.use.contract_id,
            rows=items,
            epsilon_micro=0,
            payload=payload,
            subjects=items,
        )
        run = PrivacyRun(
            contract_id=opened.use.contract_id,
            product_id=opened.product.id,
            consumer_id=principal.organisation_id,
            protocol=opened.protocol,
            set_version=set_version,
            key_id=key_id,
            nonce=nonce,
            items=items,
            user_id=principal.user_id,
            at=clock.now(),
        )
        session.add(run)
        try:
            session.flush()
        except IntegrityError:  # the same nonce answered meanwhile: this transaction, charge and all, rolls back
            raise Refused("privacy.replayed") from None
        if consents is not None:
            consent.record_uses(
                session, consents=list(consents.values()), contract_id=opened.use.contract_id, actor=principal.actor
            )
        return run.id


def run(
    units: UnitOfWork,
    *,
    principal: Principal,
    code: str,
    request: wire.RunRequest,
    engine: Engine,
    domain_dir: Path,
    sealer: Sealer,
) -> wire.RunAnswer:
    """One PSI or labelled-lookup run: the client's blinded message for ``items`` items, answered by the core."""
    where = [f"product:{code}"]
    opened = _open(units, principal, code, where)
    with units.recording(), _recorded(principal, where, code):
        if opened.protocol != request.protocol:
            raise _wrong_protocol(opened)
    key, built = _set(units, principal, opened, engine=engine, domain_dir=domain_dir, sealer=sealer, where=where)
    with units.read() as session, _recorded(principal, where, code):
        if request.set_version != built.set_version:
            raise Refused("privacy.stale-set")
        if request.key_id != key.key_id:
            raise Refused("privacy.wrong-key")
        _nonce_unused(session, contract_id=opened.use.contract_id, nonce=request.nonce)
        _items_allowed(request.items, opened.use, wire.MAX_ITEMS_PER_RUN)
    with units.recording(), _recorded(principal, where, code):
        message = _decoded(request.message, limit=wire.MAX_RUN_MESSAGE)
        try:
            if opened.protocol == "psi":
                answer = psi.answer(key.secret, message, items=request.items)
            else:
                answer = lookup.evaluate(key.secret, message, items=request.items)
        except wire.ProtocolError:
            raise Refused("privacy.message") from None
    run_id = _write(
        units,
        principal,
        opened,
        set_version=built.set_version,
        key_id=key.key_id,
        nonce=request.nonce,
        items=request.items,
        where=where,
    )
    return wire.RunAnswer(
        run_id=run_id,
        protocol=request.protocol,
        set_version=built.set_version,
        key_id=key.key_id,
        items=request.items,
        message=wire.encode(answer),
    )


def _checked_subjects(subjects: tuple[str, ...]) -> list[str]:
    seen: set[str] = set()
    for position, subject in enumerate(subjects, start=1):
        if subject in seen:
            raise Refused("privacy.subject-repeated", position=position)
        seen.add(subject)
    return list(subjects)


def score(
    units: UnitOfWork,
    *,
    principal: Principal,
    code: str,
    request: wire.ScoringRequest,
    engine: Engine,
    domain_dir: Path,
) -> wire.ScoringAnswer:
    """One joint-scoring run: the subjects' public features (the credit profile's, from the domain) and weights
    applied to the consumer's ciphertexts, one per private feature; every subject's consent first."""
    where = [f"product:{code}"]
    opened = _open(units, principal, code, where)
    with units.recording(), _recorded(principal, where, code):
        if opened.protocol != "joint_scoring":
            raise _wrong_protocol(opened)
    definition: definitions.JointScoring = opened.definition
    with units.read() as session, _recorded(principal, where, code):
        if request.set_version != sets.scoring_version(session, definition=definition):
            raise Refused("privacy.stale-set")
        registered = session.execute(
            select(ConsumerKey).where(
                ConsumerKey.organisation_id == principal.organisation_id,
                ConsumerKey.product_id == opened.product.id,
                ConsumerKey.key_id == request.key_id,
            )
        ).scalar_one_or_none()
        if registered is None:
            raise Refused("privacy.wrong-key")
        _nonce_unused(session, contract_id=opened.use.contract_id, nonce=request.nonce)
        subjects = _checked_subjects(request.subjects)
        _items_allowed(len(subjects), opened.use, wire.MAX_SLOTS)
        expected = [term.name for term in definition.private]
        if sorted(request.features) != sorted(expected):
            raise Refused("privacy.features", expected="、".join(expected), given="、".join(sorted(request.features)))
        consents = consent.require(
            session,
            consumer_id=principal.organisation_id,
            product_id=opened.product.id,
            purpose=opened.use.terms.purpose,
            credit_codes=subjects,
            actor=principal.actor,
        )
        context_file = domain_dir / registered.file_name
    with units.recording(), _recorded(principal, where, code):
        ciphertexts = {name: _decoded(text, limit=wire.MAX_CIPHERTEXT) for name, text in request.features.items()}
        context = context_file.read_bytes()
        features = compute.public_features(units, definition=definition, credit_codes=subjects, engine=engine)
        try:
            answer = scoring.score(
                context,
                ciphertexts,
                weights=definition.weights(),
                plain_part=[definition.plain_part(row) for row in features],
                logistic=definition.output == "logistic",
            )
        except wire.ProtocolError:
            raise Refused("privacy.message") from None
    run_id = _write(
        units,
        principal,
        opened,
        set_version=request.set_version,
        key_id=request.key_id,
        nonce=request.nonce,
        items=len(subjects),
        where=where,
        consents=consents,
    )
    return wire.ScoringAnswer(
        run_id=run_id,
        set_version=request.set_version,
        key_id=request.key_id,
        subjects=len(subjects),
        output=definition.output,
        score=wire.encode(answer),
    )
