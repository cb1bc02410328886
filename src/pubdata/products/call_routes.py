"""Subscriptions and calls API: apply for a listed product, decide and withdraw applications, and call a product
under the contract generated from its subscription."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, ConfigDict, Field

from pubdata.common.bounds import RowId
from pubdata.common.names import Prose
from pubdata.contracts.schemas import Purpose
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.products import calls, subscriptions
from pubdata.products.models import Subscription
from pubdata.web.deps import CommandSession, PlatformDep, ReadSession

router = APIRouter(prefix="/api/v1", tags=["products"])
ProductCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$", max_length=32)]
# Whole numbers within what a BIGINT holds, and exactly representable as the JSON Schema's (double) bound.
PARAMETER_INT_LIMIT = 10**18
# A parameter's value as JSON carries it: the template's declaration then types and bounds it (a number no
# column holds is refused here already).
Scalar = (
    Annotated[str, Field(max_length=1000)]
    | Annotated[int, Field(ge=-PARAMETER_INT_LIMIT, le=PARAMETER_INT_LIMIT)]
    | Annotated[float, Field(allow_inf_nan=False)]
    | bool
    | None
)


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: Purpose
    use: Prose = Field(min_length=1, max_length=subscriptions.USE_MAX_LENGTH)
    max_calls: int = Field(ge=1, le=subscriptions.MAX_CALLS)
    valid_from: date
    valid_until: date


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    product_id: RowId
    consumer_id: RowId
    operator_id: RowId
    purpose: str
    use: str
    max_calls: int
    valid_from: date
    valid_until: date
    state: str
    applied_at: datetime
    decided_at: datetime | None
    reason: str | None
    contract_id: int | None


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Prose = Field(min_length=1, max_length=1000)


class CallIn(BaseModel):
    """A template's parameter values, or a per-subject product's subjects (credit codes), or nothing."""

    model_config = ConfigDict(extra="forbid")
    parameters: dict[Annotated[str, Field(max_length=63)], Scalar] | None = Field(default=None, max_length=50)
    subjects: list[Annotated[str, Field(max_length=64)]] | None = Field(default=None, max_length=calls.MAX_SUBJECTS)


class CallOut(BaseModel):
    product: str
    kind: str
    contract_id: int
    columns: list[str]
    labels: list[str] = Field(description="Each column's name in Chinese.")
    rows: list[list[Any]]
    truncated: bool = False
    privacy: dict[str, Any] | None = None

    @classmethod
    def of(cls, answer: calls.Answer) -> CallOut:
        return cls(
            product=answer.product,
            kind=answer.kind,
            contract_id=answer.contract_id,
            columns=answer.columns,
            labels=[zh for zh, _ in answer.labels],
            rows=[[_json_value(value) for value in row] for row in answer.rows],
            truncated=answer.truncated,
            privacy=answer.privacy,
        )


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


@router.post("/products/{code}/subscriptions", response_model=SubscriptionOut, status_code=status.HTTP_201_CREATED)
def apply(code: ProductCode, body: SubscriptionIn, session: CommandSession, principal: ApiPrincipal) -> Subscription:
    return subscriptions.apply(
        session,
        principal=principal,
        code=code,
        application=subscriptions.Application(
            body.purpose, body.use, body.max_calls, body.valid_from, body.valid_until
        ),
    )


@router.get("/subscriptions", response_model=list[SubscriptionOut])
def list_subscriptions(session: ReadSession, principal: ApiPrincipal) -> list[Subscription]:
    return subscriptions.list_for(session, principal=principal)


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
def get_subscription(subscription_id: RowId, session: ReadSession, principal: ApiPrincipal) -> Subscription:
    return subscriptions.get(session, principal=principal, subscription_id=subscription_id)


@router.post("/subscriptions/{subscription_id}/approval", response_model=SubscriptionOut)
def approve(subscription_id: RowId, session: CommandSession, principal: ApiPrincipal) -> Subscription:
    """The operator approves: the usage contract is generated from the product and signed on its side."""
    return subscriptions.approve(session, principal=principal, subscription_id=subscription_id)


@router.post("/subscriptions/{subscription_id}/rejection", response_model=SubscriptionOut)
def reject(subscription_id: RowId, body: RejectIn, session: CommandSession, principal: ApiPrincipal) -> Subscription:
    return subscriptions.reject(session, principal=principal, subscription_id=subscription_id, reason=body.reason)


@router.post("/subscriptions/{subscription_id}/withdrawal", response_model=SubscriptionOut)
def withdraw(subscription_id: RowId, session: CommandSession, principal: ApiPrincipal) -> Subscription:
    return subscriptions.withdraw(session, principal=principal, subscription_id=subscription_id)


@router.post("/products/{code}/calls", response_model=CallOut, response_model_exclude_defaults=True)
def call(code: ProductCode, platform: PlatformDep, principal: ApiPrincipal, body: CallIn | None = None) -> CallOut:
    """One governed call: its transactions are the call path's own (a read step, then one write step)."""
    body = body or CallIn()
    request = calls.Request(
        parameters=body.parameters, subjects=tuple(body.subjects) if body.subjects is not None else None
    )
    answer = calls.call(
        platform,
        principal=principal,
        code=code,
        request=request,
        engine=platform.query_engine,
        domain_dir=platform.settings.domain_dir,
    )
    return CallOut.of(answer)
