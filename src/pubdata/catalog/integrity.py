"""The catalogue's side of data-file integrity: what was recorded of each version's file, the alerts raised when
a file is not that file, and the check of every version (``pubdata ledger verify --data``).

The check itself is ``engines.files``; engines, job starts and the mock generator call it before reading. A
refusal it raises (``data.damaged``) is platform state, not an answer: the unit of work raises its alert
(``raise_alert``) in a short command of its own after the refused work is rolled back, once per version — the
alert row is unique by version, so a thousand refused queries make one alert, one ledger entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pubdata.catalog.models import DataAlert, Resource, ResourceVersion
from pubdata.common import clock
from pubdata.common.actor import SYSTEM
from pubdata.engines import files
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Who
from pubdata.ledger import service as ledger


def recorded(
    session: Session, resource: Resource, version: ResourceVersion, *, algorithm: str | None = None
) -> files.Recorded:
    """What the catalogue recorded of a version's file, as the check takes it (its digest is the ledger's hash)."""
    return files.Recorded(
        file=version.file_name,
        size=version.size_bytes,
        checksum=version.checksum,
        algorithm=algorithm or ledger.algorithm(session),
        resource=resource.code,
        version=version.number,
        version_id=version.id,
    )


def raise_alert(session: Session, damage: files.Damage) -> DataAlert | None:
    """Alert the bureau and the providing department that a version's file is damaged or missing, with its
    ledger entry; None when that version's alert was raised before (by this process or another)."""
    version_id = damage.recorded.version_id
    if session.scalar(select(DataAlert.id).where(DataAlert.version_id == version_id)) is not None:
        return None
    version = session.get(ResourceVersion, version_id)
    if version is None:
        return None
    resource = session.get(Resource, version.resource_id)
    assert resource is not None
    alert = DataAlert(
        resource_id=resource.id,
        version_id=version.id,
        provider_id=resource.provider_id,
        problem=damage.problem,
        raised_at=clock.now(),
    )
    try:
        with session.begin_nested():  # a concurrent first alert for the version wins; this one is dropped
            session.add(alert)
            session.flush()
    except IntegrityError:
        return None
    ledger.record(
        session,
        actor=SYSTEM,
        action="catalog.data-damaged",
        subject=alert,
        payload={"resource": resource.code, "version": version.number, "problem": damage.problem},
    )
    return alert


@dataclass(frozen=True)
class AlertView:
    """An alert as the bureau's and the department's list shows it."""

    id: int
    resource_id: int
    resource: str  # code
    resource_name: str
    version: int
    provider: str
    problem: str
    raised_at: datetime


def alerts(session: Session, *, principal: Who) -> list[AlertView]:
    """The alerts the caller may see, newest first: all of them for the bureau (and the audit office), its own
    resources' for a department; refused for anyone else."""
    statement = access.visible(
        select(DataAlert, Resource, ResourceVersion)
        .join(Resource, Resource.id == DataAlert.resource_id)
        .join(ResourceVersion, ResourceVersion.id == DataAlert.version_id)
        .order_by(DataAlert.id.desc()),
        principal,
        DataAlert,
    )
    rows = session.execute(statement).all()
    names = identity.organisation_names(session, {alert.provider_id for alert, _, _ in rows})
    return [
        AlertView(
            alert.id,
            resource.id,
            resource.code,
            resource.name,
            version.number,
            names.get(alert.provider_id, ""),
            alert.problem,
            alert.raised_at,
        )
        for alert, resource, version in rows
    ]


def every_version(session: Session) -> list[files.Recorded]:
    """What was recorded of every version's file, current and earlier, by resource code and number."""
    rows = session.execute(
        select(Resource, ResourceVersion)
        .join(Resource, Resource.id == ResourceVersion.resource_id)
        .order_by(Resource.code, ResourceVersion.number)
    ).all()
    algorithm = ledger.algorithm(session)
    return [recorded(session, resource, version, algorithm=algorithm) for resource, version in rows]


def damaged_files(
    records: list[files.Recorded], *, domain_dir: Path, progress: Callable[[int, int], None] | None = None
) -> list[files.Damage]:
    """Hash each file (nothing remembered: a check of its own, holding no transaction) and say which are not the
    file recorded. ``progress(done, total)`` counts bytes."""
    checks = files.FileChecks()
    total, done, found = sum(record.size for record in records), 0, []
    for record in records:
        if progress:
            progress(done, total)
        damage = checks.damage(domain_dir / record.file, record)
        if damage is not None:
            found.append(damage)
        done += record.size
    if progress:
        progress(total, total)
    return found
