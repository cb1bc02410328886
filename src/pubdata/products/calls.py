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

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from pubdata.common import messages
from pubdata.common.digest import of_document
from pubdata.common.errors import RefusalEntry, Refused
from pubdata.common.ids import is_credit_code
from pubdata.common.messages import declare
from pubdata.contracts import rules as contract_rules
from pubdata.contracts import service as contracts
from pubdata.db import UnitOfWork
from pubdata.engines.base import Engine
from pubdata.identity.access import Principal
from pubdata.products import rules, subscriptions
from pubdata.products.models import Product

MAX_SUBJECTS = subscriptions.ROWS_PER_CALL  # subjects in one batch
SUBJECT_COLUMN = "credit_code"

REFUSALS = {
    "call.no-contract": (
        403,
        "你的机构没有该产品的有效使用合约：请先申请订阅，经运营机构批准并签署合约后再调用。",
        "Your organisation holds no contract for this product: apply for it, and call it once the operator has "
        "approved and both sides have signed.",
    ),
    "call.contract-stale": (
        409,
        "该产品的定义自签订合约以来已经变更：请重新申请订阅。",
        "The product's definition has changed since the contract was made: apply for it again.",
    ),
    "call.subjects-needed": (
        422,
        "请列出要查询的企业统一社会信用代码（至少 1 个，最多 {most} 个）。",
        "List the enterprises' unified social credit codes to ask about (1 to {most}).",
    ),
    "call.subjects-unexpected": (
        422,
        "该产品不是按企业逐一应答的产品，请不要提交企业名单。",
        "This product does not answer per enterprise: send no list of subjects.",
    ),
    "call.parameters-unexpected": (
        422,
        "该产品不接受参数。",
        "This product takes no parameters.",
    ),
    "call.subject-invalid": (
        422,
        "第 {position} 个统一社会信用代码格式或校验位有误。",
        "The unified social credit code at position {position} is malformed or its check character is wrong.",
    ),
    "call.subject-repeated": (
        422,
        "第 {position} 个统一社会信用代码与前面的重复。",
        "The unified social credit code at position {position} repeats an earlier one.",
    ),
    "call.kind": (
        409,
        "该类产品暂不支持在线调用。",
        "Products of this kind cannot be called online yet.",
    ),
}
LABELS = {"call.column.credit_code": ("统一社会信用代码", "Unified social credit code")}
ACTIONS = {
    "product.call-refused": ("拒绝一次产品调用", "Product call refused"),
}
declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)


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


def _words(key: str) -> tuple[str, str]:
    return messages.label(key, "zh-CN"), messages.label(key, "en")


def _products() -> Any:
    from pubdata.products import service as products

    return products


@contextmanager
def _recorded(principal: Principal, where: list[str], code: str) -> Iterator[None]:
    """A refused call is kept in the ledger, under its contract once known, else its product."""
    try:
        yield
    except Refused as error:
        if error.entry is None:
            error.recorded(
                RefusalEntry(principal.actor, "product.call-refused", where[0], {"product": code, "rule": error.rule})
            )
        raise


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
    consents: Any
    prepared: Any


def _open(session: Session, principal: Principal, code: str, request: Request, where: list[str]) -> _Opened:
    """The read step: the product, the caller's contract for it, the consents, the parameters."""
    products = _products()
    product = products.offerable(session, code=code)
    where[0] = f"product:{product.id}"
    contract_id = subscriptions.contract_id_for(session, consumer_id=principal.organisation_id, product_id=product.id)
    if contract_id is None:
        raise Refused("call.no-contract")
    where[0] = f"contract:{contract_id}"
    use = contracts.open_use(session, principal=principal, contract_id=contract_id, permission="product.call")
    pinned = use.terms.product
    if pinned is None or pinned.code != product.code or pinned.definition_digest != product.definition_digest:
        raise Refused("call.contract-stale")
    definition = products.definition_of(product)
    consents: Any = None
    prepared: Any = None
    if product.kind in rules.PER_SUBJECT_KINDS:
        if request.parameters:
            raise Refused("call.parameters-unexpected")
        subjects = checked_subjects(request.subjects)
        from pubdata.privacy import consent

        consents = consent.require(
            session,
            consumer_id=principal.organisation_id,
            product_id=product.id,
            purpose=use.terms.purpose,
            credit_codes=list(subjects),
        )
        prepared = subjects
    else:
        if request.subjects:
            raise Refused("call.subjects-unexpected")
        if product.kind == "query_template":
            prepared = _compute().bound(
                session, definition=definition, values=request.parameters or {}, terms=use.terms
            )
        elif request.parameters:
            raise Refused("call.parameters-unexpected")
    return _Opened(product, definition, use, consents, prepared)


def _compute() -> Any:
    from pubdata.products import compute

    return compute


def call(units: UnitOfWork, *, principal: Principal, code: str, request: Request, engine: Engine) -> Answer:
    """One governed call of a product: the read step, the engine holding no transaction, the write step."""
    where: list[str] = [f"product:{code}"]
    with units.read() as session, _recorded(principal, where, code):
        opened = _open(session, principal, code, request, where)
    product, use = opened.product, opened.use
    with units.recording(), _recorded(principal, where, code):
        columns, labels, rows, privacy, epsilon = _run(units, opened, engine)
    payload = {
        "product": product.code,
        "definition_digest": product.definition_digest,
        "request_sm3": request_digest(request),
        "rows": len(rows),
    }
    if opened.consents is not None:
        payload["subjects"] = len(rows)
    with units.command() as session, _recorded(principal, where, code):
        contracts.charge(
            session,
            actor=principal.actor,
            contract_id=use.contract_id,
            rows=len(rows),
            epsilon_micro=round(epsilon * contract_rules.MICRO),
            payload=payload,
        )
        if opened.consents is not None:
            from pubdata.privacy import consent

            consent.record_uses(session, consents=opened.consents, contract_id=use.contract_id, actor=principal.actor)
    return Answer(
        product.code,
        product.kind,
        use.contract_id,
        columns,
        labels,
        rows,
        privacy=privacy,
        subjects=len(rows) if opened.consents is not None else 0,
    )


def _run(
    units: UnitOfWork, opened: _Opened, engine: Engine
) -> tuple[list[str], list[tuple[str, str]], list[tuple[Any, ...]], dict[str, Any] | None, float]:
    """The engine's part: the reviewed definition over the data, nothing else."""
    compute = _compute()
    kind = opened.product.kind
    if kind in rules.PER_SUBJECT_KINDS:
        with units.read() as session:
            answers = compute.answer_subjects(
                session, definition=opened.definition, credit_codes=list(opened.prepared), engine=engine
            )
        fields = compute.declared_fields(opened.definition)
        columns = [SUBJECT_COLUMN, *[name for name, _ in fields]]
        labels = [_words("call.column.credit_code"), *[label for _, label in fields]]
        rows = [(answer.credit_code, *[answer.values[name] for name, _ in fields]) for answer in answers]
        return columns, labels, rows, None, 0.0
    if kind == "query_template":
        ran = compute.run_bound(units, prepared=opened.prepared, use=opened.use, engine=engine)
        return ran.columns, ran.labels, ran.rows, ran.privacy, ran.epsilon
    raise Refused("call.kind")
