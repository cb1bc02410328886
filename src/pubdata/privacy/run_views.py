"""What the privacy-computing pages show (read only, nothing built and no data read): the runs a user may see,
and a protocol product's latest set version and the caller's items left."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.contracts import service as contracts
from pubdata.identity import service as identity
from pubdata.identity.access import Principal
from pubdata.privacy.models import PrivacyRun, PrivacySetVersion
from pubdata.products import rules, subscriptions
from pubdata.products import service as products

SEES_EVERY_RUN = ("bureau", "audit")


@dataclass(frozen=True)
class ShownRun:
    run: PrivacyRun
    product_code: str
    consumer: str


def runs_for(session: Session, *, principal: Principal, limit: int = 200) -> list[ShownRun]:
    """The runs ``principal`` may see, newest first: its organisation's own, those of the products it operates or
    developed, and for the bureau and auditors every run."""
    statement = select(PrivacyRun)
    if principal.organisation_kind not in SEES_EVERY_RUN:
        builds = principal.organisation_kind in ("operator", "partner")  # who operates or develops products
        own_products = [product.id for product in products.listing(session, principal=principal)] if builds else []
        statement = statement.where(
            (PrivacyRun.consumer_id == principal.organisation_id) | PrivacyRun.product_id.in_(own_products)
        )
    found = list(session.execute(statement.order_by(PrivacyRun.id.desc()).limit(limit)).scalars())
    codes = {id_: product.code for id_, product in products.by_ids(session, {r.product_id for r in found}).items()}
    names = identity.organisation_names(session, {r.consumer_id for r in found})
    return [ShownRun(r, codes.get(r.product_id, ""), names.get(r.consumer_id, "")) for r in found]


@dataclass(frozen=True)
class ProtocolView:
    """A protocol product's page: its protocol, the latest set version built, the caller's contract."""

    protocol: str
    command: str
    set_version: str | None
    built_at: Any
    items: int | None
    contract_id: int | None
    items_left: int | None
    calls_left: int | None


def _sees_set_size(principal: Principal, product: Any) -> bool:
    """The exact size of a set version is the product's operator's and the supervisors' to see, never a
    consumer's: the setup's padding hides a small set's size, and a consent-restricted set's size is how many of
    the consumer's own consented subjects are members (with one consent, whether that one is) — free, unrun."""
    return principal.organisation_kind in SEES_EVERY_RUN or principal.organisation_id == product.operator_id


def protocol_view(session: Session, *, principal: Principal, product: Any) -> ProtocolView:
    """What the product's privacy page shows: nothing is built or read from the data here."""
    protocol = rules.PROTOCOL_KINDS[product.kind]
    latest = session.execute(
        select(PrivacySetVersion)
        .where(
            PrivacySetVersion.product_id == product.id,
            (PrivacySetVersion.consumer_id.is_(None)) | (PrivacySetVersion.consumer_id == principal.organisation_id),
        )
        .order_by(PrivacySetVersion.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    contract_id = subscriptions.contract_id_for(session, consumer_id=principal.organisation_id, product_id=product.id)
    counters = None
    if contract_id is not None:
        counters = contracts.counters(contracts.get(session, principal=principal, contract_id=contract_id))
    return ProtocolView(
        protocol=protocol,
        command=rules.CLIENT_COMMANDS[protocol],
        set_version=None if latest is None else latest.set_version,
        built_at=None if latest is None else latest.built_at,
        items=None if latest is None or not _sees_set_size(principal, product) else latest.items,
        contract_id=contract_id,
        items_left=None if counters is None else counters["rows_left"],
        calls_left=None if counters is None else counters["calls_left"],
    )
