"""What the reports read, through the other domains' services only.

Transparency (公开透明): without login, each registered resource with the products built on it, the signed
contracts that use it, and its calls per month — each month's figure opens to the ledger entries it counts, and
each entry to its proof, which the reader's browser checks itself (``/ledger/verify/{seq}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from pubdata.billing import service as billing
from pubdata.catalog import rules as catalog_rules
from pubdata.catalog import service as catalog
from pubdata.common import clock, messages
from pubdata.common.errors import Refused
from pubdata.common.money import format_fen
from pubdata.contracts import rules as contract_rules
from pubdata.contracts import service as contracts
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.jobs import rules as job_rules
from pubdata.jobs import service as jobs
from pubdata.ledger import public as ledger_public
from pubdata.ledger import service as ledger
from pubdata.products import service as products
from pubdata.queries import console

MONTHS_SHOWN = 12
ENTRIES_SHOWN = 500


@dataclass(frozen=True)
class Transparency:
    """One registered resource as the public sees its use."""

    resource: Any
    provider: str
    products: list[Any]  # products.service.PublicProduct
    uses: list[Any]  # contracts.service.ResourceUse, signed ones only
    months: list[tuple[str, int]]  # the last twelve months, oldest first, with their calls

    @property
    def calls(self) -> int:
        return sum(calls for _, calls in self.months)


def last_months(today: date, count: int = MONTHS_SHOWN) -> list[str]:
    year, month = today.year, today.month
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def transparency(session: Session, *, code: str) -> Transparency:
    resource = catalog.public_get(session, code=code)
    using = [item for item in products.public_list(session) if code in dict(item.resources)]
    counted = contracts.calls_on_resources(session, codes={code})
    months = [(month, counted.get(month, 0)) for month in last_months(clock.today())]
    provider = identity.organisation_names(session, {resource.provider_id}).get(resource.provider_id, "")
    return Transparency(resource, provider, using, contracts.public_uses_of_resource(session, code=code), months)


def public_resources(session: Session) -> list[Transparency]:
    """Every registered resource's transparency, by code (the public catalogue's order)."""
    found, _ = catalog.search_public(session, filters=catalog.Filters(), limit=1000)
    return [transparency(session, code=resource.code) for resource in found]


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """A month of the city's calendar (``2026-11``) as its first and the next month's first moment, in UTC."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise Refused("reports.month", month=month[:20]) from None
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return clock.parse_moment(first.isoformat()), clock.parse_moment(following.isoformat())


def month_entries(session: Session, *, code: str, month: str) -> list[ledger_public.PublicEntry]:
    """The ledger entries a month's call count on ``code``'s page counts, in their public view."""
    catalog.public_get(session, code=code)
    since, until = month_bounds(month)
    found = contracts.call_entries(session, code=code, since=since, until=until, limit=ENTRIES_SHOWN)
    return ledger_public.view(session, found)


def entries_of(session: Session, seqs: tuple[int, ...]) -> list[ledger_public.PublicEntry]:
    """The first ``ENTRIES_SHOWN`` of the entries a figure counts, in their public view (each to verify)."""
    shown = list(seqs)[:ENTRIES_SHOWN]
    return ledger_public.view(session, ledger.entries_at(session, shown)) if shown else []


# --- audit (三(八)3): the audit bureau reads the whole catalogue and every use --------------------------------


@dataclass(frozen=True)
class Cell:
    text: Any
    link: str | None = None


@dataclass(frozen=True)
class AuditTable:
    """One audit view: its columns (label keys), its rows, and for each row the ledger entry that last changed
    the record (its proof is checked from the row)."""

    view: str
    columns: tuple[str, ...]
    rows: list[tuple[list[Cell], int | None]]


@dataclass(frozen=True)
class AuditFilters:
    q: str = ""
    state: str = ""
    month: str = ""  # calls: YYYY-MM
    contract: int | None = None  # calls: one contract's

    def keeps(self, cells: list[Cell]) -> bool:
        """Whether a row holds the search text in any cell (in either language of a named value)."""
        return not self.q or any(self.q in str(cell.text) for cell in cells)


AUDIT_VIEWS = ("resources", "contracts", "calls", "jobs", "statements")
MONTHLY = ("calls", "statements")  # the views of one month (YYYY-MM, this month unless chosen)
AUDIT_LIMIT = 1000


def _when(moment: datetime | None) -> str:
    return moment.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def _resources(session: Session, principal: Any, filters: AuditFilters) -> AuditTable:
    wanted = catalog.Filters(state=filters.state or None)
    found = catalog.search(session, principal=principal, filters=wanted, limit=AUDIT_LIMIT)
    names = identity.organisation_names(session, {resource.provider_id for resource in found})
    rows = [
        (
            [
                Cell(r.code, f"/resources/{r.id}"),
                Cell(r.name),
                Cell(names.get(r.provider_id, "")),
                Cell(catalog_rules.RESOURCE_STATES.get(r.state, r.state)),
                Cell(catalog_rules.GRADES.get(r.grade, r.grade)),
                Cell(r.current_version or ""),
                Cell(r.registration_number or ""),
            ],
            r.ledger_seq,
        )
        for r in found
    ]
    columns = ("code", "name", "provider", "state", "grade", "version", "registration")
    return AuditTable("resources", columns, rows)


def _contracts(session: Session, principal: Any, filters: AuditFilters) -> AuditTable:
    found = [
        c for c in contracts.list_for(session, principal=principal) if not filters.state or c.state == filters.state
    ]
    names = identity.organisation_names(session, {o for c in found for o in (c.assigner_id, c.assignee_id)})
    rows = []
    for contract in found:
        terms = contracts.terms_of(contract)
        cells = [
            Cell(f"#{contract.id}", f"/contracts/{contract.id}"),
            Cell(names.get(contract.assigner_id, "")),
            Cell(names.get(contract.assignee_id, "")),
            Cell(contract_rules.PURPOSES.get(terms.purpose, terms.purpose)),
            Cell("、".join(terms.resources)),
            Cell(contract_rules.LIFECYCLE.labels().get(contract.state, contract.state)),
            Cell(f"{contract.valid_from} — {contract.valid_until}"),
            Cell(f"{contract.calls_used} / {contract.max_calls}"),
        ]
        rows.append((cells, contract.ledger_seq))
    columns = ("contract", "assigner", "assignee", "purpose", "resources", "state", "period", "calls")
    return AuditTable("contracts", columns, rows)


def _calls(session: Session, principal: Any, filters: AuditFilters) -> AuditTable:
    """Every call with its governed plan (the SQL the platform generated), from the ledger's payloads: a read
    of payloads, so the view records itself."""
    access.require(principal, "ledger.read-payload")
    since, until = month_bounds(filters.month or clock.today().strftime("%Y-%m"))
    subjects = [f"contract:{filters.contract}"] if filters.contract else None
    entries = ledger.entries_between(
        session, actions=["contract.call"], since=since, until=until, subjects=subjects, limit=AUDIT_LIMIT
    )
    names = identity.organisation_names(session, {e.organisation_id for e in entries if e.organisation_id})
    rows: list[tuple[list[Cell], int | None]] = []
    for entry in entries:
        payload = ledger.payload_of(entry)
        contract = (entry.subject or "").partition(":")[2]
        cells = [
            Cell(entry.seq),
            Cell(_when(datetime.fromisoformat(entry.recorded_at.replace("Z", "+00:00")))),
            Cell(f"#{contract}", f"/contracts/{contract}"),
            Cell(names.get(entry.organisation_id or 0, "")),
            Cell(payload.get("rows", payload.get("subjects", ""))),
            Cell(_plan_of(payload)),
        ]
        rows.append((cells, entry.seq))
    ledger.record(
        session,
        actor=principal.actor,
        action="audit.calls-read",
        payload={"month": filters.month, "contract": filters.contract, "entries": len(entries)},
    )
    return AuditTable("calls", ("seq", "time", "contract", "consumer", "rows", "plan"), rows)


# What identifies a call that ran no governed plan of its own: a product, its protocol, the digests it was bound to.
CALL_KEYS = ("product", "protocol", "job", "definition_digest", "definition", "code_sha256", "sql_sha256", "query")


def _plan_of(payload: dict[str, Any]) -> str:
    """A call's governed plan (the SQL generated) when it ran one, else what bound it (product, digests)."""
    if payload.get("plan"):
        return str(payload["plan"])
    return " ".join(f"{key}={str(payload[key])[:16]}" for key in CALL_KEYS if key in payload)


def _jobs(session: Session, principal: Any, filters: AuditFilters) -> AuditTable:
    found = [j for j in jobs.list_for(session, principal=principal) if not filters.state or j.state == filters.state]
    names = identity.organisation_names(session, {job.organisation_id for job in found})
    rows = [
        (
            [
                Cell(f"#{job.id}", f"/jobs/{job.id}"),
                Cell(job.title),
                Cell(names.get(job.organisation_id, "")),
                Cell(f"#{job.contract_id}", f"/contracts/{job.contract_id}"),
                Cell(job_rules.JOB_KINDS.get(job.kind, job.kind)),
                Cell(job_rules.LIFECYCLE.labels().get(job.state, job.state)),
                Cell(job.code_digest[:16]),
                Cell(_when(job.operator_released_at)),
                Cell(_when(job.bureau_released_at)),
            ],
            job.ledger_seq,
        )
        for job in found
    ]
    columns = (
        *("job", "title", "submitter", "contract", "kind", "state", "code_digest"),
        *("operator_released", "bureau_released"),
    )
    return AuditTable("jobs", columns, rows)


def _statements(session: Session, principal: Any, filters: AuditFilters) -> AuditTable:
    """Each consumer's statement of the month, as its page totals it, beside the last meter line's entry."""
    month = filters.month or clock.today().strftime("%Y-%m")
    rows: list[tuple[list[Cell], int | None]] = []
    for consumer_id in billing.consumers_billed(session, principal=principal, month=month):
        found = billing.statement(session, principal=principal, consumer_id=consumer_id, month=month)
        cells = [
            Cell(found.consumer, f"/billing/statements/{consumer_id}/{month}"),
            Cell(month),
            Cell(found.uses),
            Cell(found.free_uses),
            Cell(format_fen(found.total_fen)),
        ]
        rows.append((cells, found.last_seq))
    return AuditTable("statements", ("consumer", "month", "uses", "free_uses", "amount"), rows)


def audit_table(session: Session, *, principal: Any, view: str, filters: AuditFilters) -> AuditTable:
    """One audit view, filtered; metadata only (no row of any resource's data)."""
    access.require(principal, "audit.read")
    build = {
        "resources": _resources,
        "contracts": _contracts,
        "calls": _calls,
        "jobs": _jobs,
        "statements": _statements,
    }.get(view)
    if build is None:
        raise Refused("reports.view", view=view[:20])
    table = build(session, principal, filters)
    kept = [(cells, seq) for cells, seq in table.rows if filters.keeps(cells)]
    return AuditTable(table.view, table.columns, kept[:AUDIT_LIMIT])


def audit_csv(table: AuditTable, headers: list[str], lang: str) -> bytes:
    """An audit view as CSV: the cells' text and each row's ledger entry; formula-safe, as every export."""
    shown = lambda text: messages.pick(text, lang) if isinstance(text, tuple) else text  # noqa: E731
    rows = [[shown(cell.text) for cell in cells] + [seq] for cells, seq in table.rows]
    return console.csv_bytes(headers, rows)
