"""Calling a product (调用数据产品): governed like a query (DESIGN.md §5, the hot path).

route → identity → **read step** (the product offerable — listed, its definition the reviewed one, its scenario
approved, its operator's scope covering it; the caller's contract for this product, generated from its
subscription, active and in its window, the scope again through ``contracts.open_use``; for a per-subject
product every subject's consent; a template's parameters bound and checked) → **engine** (the reviewed
definition only, holding no transaction) → **write step** (one transaction: the contract's counters, the
consents' uses, the call's ledger entry) → the answer.

A batch answers each subject separately, one row per subject with exactly the declared fields. The call's
ledger entry names the product, its definition's digest and the digest of what was asked — never the subjects
or the values in clear. Every refusal is recorded, under the contract when there is one, else the product.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from pubdata.common.digest import of_document
from pubdata.common.errors import RefusalEntry, Refused, refusals_recorded
from pubdata.common.ids import is_credit_code
from pubdata.common.messages import Text
from pubdata.contracts import service as contracts
from pubdata.db import UnitOfWork
from pubdata.engines.base import Engine
from pubdata.identity.access import Principal
from pubdata.privacy import consent
from pubdata.products import compute, definitions, rules, subscriptions
from pubdata.products import service as products
from pubdata.products.models import Product
from pubdata.queries import service as queries

MAX_SUBJECTS = subscriptions.ROWS_PER_CALL  # subjects in one batch
SUBJECT_COLUMN = "credit_code"


@dataclass(frozen=True)
class Request:
    """What a consumer asks of a product: a template's parameter values, or the subjects of a per-subject
    product, or nothing (a statistical table)."""

    parameters: dict[str, Any] | None = None
    subjects: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Answer:
    """A call's answer: its columns (and their words), one row per group or subject."""

    product: str
    kind: str
    contract_id: int
    columns: list[str]
    labels: list[tuple[str, str]]
    rows: list[tuple[Any, ...]]
    truncated: bool = False
    privacy: dict[str, Any] | None = None
    subjects: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _recorded(principal: Principal, where: list[str], code: str) -> AbstractContextManager[None]:
    """A refused call is kept in the ledger, under its contract once known, else its product."""
    return refusals_recorded(principal.actor, "product.call-refused", where, {"product": code})


def checked_subjects(subjects: Sequence[str] | None) -> tuple[str, ...]:
    """The subjects of a batch: well-formed credit codes, none twice, at most ``MAX_SUBJECTS``. A refusal names a
    subject by its position in the request, never by its code."""
    if not subjects or len(subjects) > MAX_SUBJECTS:
        raise Refused("call.subjects-needed", most=MAX_SUBJECTS)
    seen: set[str] = set()
    cleaned = []
    for position, raw in enumerate(subjects, start=1):
        code = str(raw).strip().upper()
        if not is_credit_code(code):
            raise Refused("call.subject-invalid", position=position)
        if code in seen:
            raise Refused("call.subject-repeated", position=position)
        seen.add(code)
        cleaned.append(code)
    return tuple(cleaned)


def request_digest(request: Request) -> str:
    """What the ledger keeps of what was asked: the SM3 of the parameters or the subjects, never them."""
    return of_document(
        {"parameters": request.parameters or {}, "subjects": sorted(request.subjects) if request.subjects else []}
    )


@dataclass(frozen=True)
class _Opened:
    product: Product
    definition: Any
    use: contracts.Use
    consents: Any = None
    subjects: tuple[str, ...] = ()


def _open(session: Session, principal: Principal, code: str, request: Request, where: list[str]) -> _Opened:
    """The read step: the product offerable, the caller's contract for it (its definition the reviewed one), for
    a per-subject product every subject's consent."""
    product = products.offerable(session, code=code)
    where[0] = f"product:{product.id}"
    protocol = rules.PROTOCOL_KINDS.get(product.kind)
    if protocol is not None:  # the consumer's half runs on its machine: nothing of it comes here in the clear
        raise Refused(
            "call.protocol-product",
            code=product.code,
            protocol=Text(rules.PROTOCOLS[protocol]),
            command=rules.CLIENT_COMMANDS[protocol],
        )
    contract_id = subscriptions.contract_id_for(session, consumer_id=principal.organisation_id, product_id=product.id)
    if contract_id is None:
        raise Refused("call.no-contract")
    where[0] = f"contract:{contract_id}"
    use = contracts.open_use(session, principal=principal, contract_id=contract_id, permission="product.call")
    pinned = use.terms.product
    if pinned is None or pinned.code != product.code or pinned.definition_digest != product.definition_digest:
        raise Refused("call.contract-stale")
    definition = products.definition_of(product)
    if product.kind not in rules.PER_SUBJECT_KINDS:
        if request.subjects:
            raise Refused("call.subjects-unexpected")
        if request.parameters and product.kind != "query_template":
            raise Refused("call.parameters-unexpected")
        return _Opened(product, definition, use)
    if request.parameters:
        raise Refused("call.parameters-unexpected")
    subjects = checked_subjects(request.subjects)
    consents = consent.require(
        session,
        consumer_id=principal.organisation_id,
        product_id=product.id,
        purpose=use.terms.purpose,
        credit_codes=list(subjects),
        actor=principal.actor,
    )
    return _Opened(product, definition, use, consents, subjects)


def call(
    units: UnitOfWork,
    *,
    principal: Principal,
    code: str,
    request: Request,
    engine: Engine,
    domain_dir: Path | None = None,
) -> Answer:
    """One governed call of a product: the read step, the engine holding no transaction, the write step. A
    template runs the governed query path itself (``products.compute.run_template``: its plan, its output rule,
    its charge); a per-subject product and a table are charged here, with the consents' uses."""
    where: list[str] = [f"product:{code}"]
    with units.read() as session, _recorded(principal, where, code):
        opened = _open(session, principal, code, request, where)
    product, use = opened.product, opened.use
    declared = definitions.output_fields(opened.definition)
    labels = [(field.label.zh, field.label.en) for field in declared]
    if product.kind == "query_template":
        result = _template(units, principal, opened, request, engine, where, code)
        return Answer(
            product.code,
            product.kind,
            use.contract_id,
            list(result.columns),
            labels,
            [tuple(row) for row in result.rows],
            truncated=result.truncated,
            privacy=result.privacy,
        )
    with units.recording(), _recorded(principal, where, code):
        columns, rows = _computed(units, opened, engine, domain_dir)
    payload = {
        "product": product.code,
        "definition_digest": product.definition_digest,
        "request_sm3": request_digest(request),
        "rows": len(rows),
    }
    with units.command() as session, _recorded(principal, where, code):
        contracts.charge(
            session,
            actor=principal.actor,
            contract_id=use.contract_id,
            rows=len(rows),
            epsilon_micro=0,
            payload=payload,
            subjects=len(opened.subjects),
        )
        if opened.consents is not None:
            consent.record_uses(
                session, consents=list(opened.consents.values()), contract_id=use.contract_id, actor=principal.actor
            )
    return Answer(product.code, product.kind, use.contract_id, columns, labels, rows, subjects=len(opened.subjects))


def _template(
    units: UnitOfWork,
    principal: Principal,
    opened: _Opened,
    request: Request,
    engine: Engine,
    where: list[str],
    code: str,
) -> Any:
    """A template's call: the governed query path, which records its own refusals (a plan's, a parameter's, the
    contract's); anything else it refuses is recorded here."""
    try:
        return compute.run_template(
            units,
            principal=principal,
            contract_id=opened.use.contract_id,
            definition=opened.definition,
            values=request.parameters or {},
            engine=engine,
        )
    except Refused as error:
        if isinstance(error, queries.CALL_REFUSALS) or error.entry is not None:
            raise
        error.recorded(
            RefusalEntry(principal.actor, "product.call-refused", where[0], {"product": code, "rule": error.rule})
        )
        with units.recording():
            raise


def _computed(
    units: UnitOfWork, opened: _Opened, engine: Engine, domain_dir: Path | None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The engine's part of a per-subject product (one row per subject, exactly its declared fields, in the
    order asked) or of a table (its released rows)."""
    fields = [field.name for field in definitions.output_fields(opened.definition)]
    if opened.product.kind in rules.PER_SUBJECT_KINDS:
        answers = compute.answer_subjects(
            units, definition=opened.definition, credit_codes=list(opened.subjects), engine=engine
        )
        return fields, [tuple(answer.fields.get(name) for name in fields) for answer in answers]
    if opened.product.kind == "statistical_table" and domain_dir is not None:
        with units.read() as session:
            columns, rows = compute.table_rows(session, definition=opened.definition, domain_dir=domain_dir)
        return list(columns), list(rows)
    raise Refused("call.kind")
