"""The annual operation report (三(九)): at the start of each year the operator submits its report on the year
before, drafted by the platform from the facts — demand, use (by resource, by product, by consumer kind),
revenue and free public-welfare use, the benefits the operator writes, and security (incidents, drills,
assessments) — each figure opening to the ledger entries it counts. The bureau accepts it or returns it with
its reasons; a report not in by its day shows on the bureau's workbench.

The figures are recomputed from the facts whenever they are shown; a submitted report keeps the snapshot it was
submitted with (and its digest), so what the bureau accepted can be compared with the facts as they are now.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubdata.authorization import agreements, evaluation, security
from pubdata.billing import service as billing
from pubdata.catalog import service as catalog
from pubdata.common import canonical, clock, messages
from pubdata.common.actor import SYSTEM
from pubdata.common.digest import sm3
from pubdata.common.errors import Refused
from pubdata.common.names import clean_prose
from pubdata.contracts import service as contracts
from pubdata.identity import access
from pubdata.identity import rules as identity_rules
from pubdata.identity import service as identity
from pubdata.identity.access import Principal, Who
from pubdata.jobs import rules as job_rules
from pubdata.ledger import service as ledger
from pubdata.products import service as products
from pubdata.reports import rules
from pubdata.reports.models import AnnualReport
from pubdata.scenarios import service as scenarios

SECTIONS = ("demand", "use", "revenue", "security")
# The report reads the operator's own records whoever looks at it: the reader's right is checked on the report.
SYSTEM_VIEW = access.PlatformItself(SYSTEM)


@dataclass(frozen=True)
class Figure:
    """One figure of the report: its section and key (``use.product``), what it is of (a product's code …), its
    value, and the ledger entries it counts."""

    section: str
    key: str
    value: int
    of: str = ""
    seqs: tuple[int, ...] = ()

    @property
    def slug(self) -> str:
        return f"{self.key}:{self.of}" if self.of else self.key

    def document(self) -> dict[str, Any]:
        return {"section": self.section, "key": self.key, "of": self.of, "value": self.value, "entries": len(self.seqs)}


@dataclass
class Draft:
    operator_id: int
    year: int
    figures: list[Figure] = field(default_factory=list)

    def section(self, name: str) -> list[Figure]:
        return [figure for figure in self.figures if figure.section == name]

    def find(self, slug: str) -> Figure | None:
        return next((figure for figure in self.figures if figure.slug == slug), None)

    def document(self) -> list[dict[str, Any]]:
        return [figure.document() for figure in self.figures]


def _grouped(lines: list[Any], key: Any) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for line in lines:
        for name in key(line):
            found.setdefault(name, []).append(line.ledger_seq)
    return found


def draft(session: Session, *, operator_id: int, year: int) -> Draft:
    """The report on ``year`` as the facts give it now."""
    found = Draft(operator_id, year)
    _demand(session, found)
    _use(session, found)
    _security(session, found)
    return found


def _demand(session: Session, found: Draft) -> None:
    since, until = clock.parse_moment(f"{found.year}-01-01"), clock.parse_moment(f"{found.year + 1}-01-01")
    posted = ledger.entries_between(session, actions=["demand.post"], since=since, until=until)
    answered = ledger.entries_between(session, actions=["demand.answer"], since=since, until=until)
    counts = scenarios.demand_figures(session, year=found.year)
    own = [
        f"scenario:{s.id}"
        for s in scenarios.scenarios_for(session, principal=SYSTEM_VIEW)
        if s.operator_id == found.operator_id
    ]
    approved = ledger.entries_between(session, actions=["scenario.approve"], since=since, until=until, subjects=own)
    found.figures += [
        Figure("demand", "posted", counts["posted"], seqs=tuple(e.seq for e in posted)),
        Figure("demand", "answered", counts["answered"] + counts["refused"], seqs=tuple(e.seq for e in answered)),
        Figure("demand", "overdue", counts["overdue"]),
        Figure("demand", "scenarios", len(approved), seqs=tuple(e.seq for e in approved)),
    ]


def _use(session: Session, found: Draft) -> None:
    lines = billing.year_lines(session, operator_id=found.operator_id, year=found.year)
    calls = tuple(line.ledger_seq for line in lines)
    found.figures.append(Figure("use", "calls", len(lines), seqs=calls))
    terms = {c.id: contracts.terms_of(c) for c in contracts.by_ids(session, {line.contract_id for line in lines})}
    for code, seqs in sorted(_grouped(lines, lambda line: terms[line.contract_id].resources).items()):
        found.figures.append(Figure("use", "resource", len(seqs), of=code, seqs=tuple(seqs)))
    wanted = {line.product_id for line in lines if line.product_id}
    codes = {pid: product.code for pid, product in products.by_ids(session, wanted).items()}
    by_product = _grouped(lines, lambda line: [codes[line.product_id]] if line.product_id in codes else [])
    for code, seqs in sorted(by_product.items()):
        found.figures.append(Figure("use", "product", len(seqs), of=code, seqs=tuple(seqs)))
    kinds = {org: identity.organisation_kind(session, org) or "" for org in {line.consumer_id for line in lines}}
    by_kind = _grouped(lines, lambda line: [kinds[line.consumer_id]])
    for kind, seqs in sorted(by_kind.items()):
        found.figures.append(Figure("use", "consumer_kind", len(seqs), of=kind, seqs=tuple(seqs)))
    free = tuple(line.ledger_seq for line in lines if line.basis == "free")
    charged = [line for line in lines if line.amount_fen > 0]
    found.figures += [
        Figure(
            "revenue",
            "revenue_fen",
            sum(line.amount_fen for line in charged),
            seqs=tuple(line.ledger_seq for line in charged),
        ),
        Figure("revenue", "free_calls", len(free), seqs=free),
    ]


def _security(session: Session, found: Draft) -> None:
    since, until = date(found.year, 1, 1), date(found.year, 12, 31)
    own = [a for a in agreements.list_agreements(session, principal=SYSTEM_VIEW) if a.operator_id == found.operator_id]
    incidents = [
        incident
        for agreement in own
        for incident in evaluation.incidents_of(session, principal=SYSTEM_VIEW, agreement_id=agreement.id)
        if incident.occurred_at.astimezone(clock.SHANGHAI).year == found.year
    ]
    held = [
        activity
        for activity in security.activities_between(session, principal=SYSTEM_VIEW, since=since, until=until)
        if activity.agreement_id in {a.id for a in own}
    ]
    for kind in ("drill", "risk_assessment"):
        done = [activity for activity in held if activity.kind == kind]
        found.figures.append(Figure("security", kind, len(done), seqs=tuple(a.ledger_seq or 0 for a in done)))
    bad = [incident for incident in incidents if incident.bad_impact]
    found.figures += [
        Figure("security", "incidents", len(incidents), seqs=tuple(i.ledger_seq or 0 for i in incidents)),
        Figure("security", "bad_impact", len(bad), seqs=tuple(i.ledger_seq or 0 for i in bad)),
    ]


# --- the yearly public disclosure (by the end of March) ------------------------------------------------------

# What the public sees of an operator's year: its demand, use and revenue figures, from the same facts as the
# report. Its security figures (drills, assessments, incidents) stay with the bureau and the security office.
DISCLOSED = ("demand", "use", "revenue")


@dataclass(frozen=True)
class Disclosed:
    """An operator's year in the public disclosure: the figures as the facts give them now, its report's state,
    and whether those facts still give the figures the bureau accepted (the report's snapshot digest)."""

    draft: Draft
    report: AnnualReport | None

    def section(self, name: str) -> list[Figure]:
        return self.draft.section(name) if name in DISCLOSED else []

    def find(self, slug: str) -> Figure | None:
        figure = self.draft.find(slug)
        return figure if figure is not None and figure.section in DISCLOSED else None

    @property
    def accepted(self) -> bool:
        return self.report is not None and self.report.state == rules.R.ACCEPTED.value

    @property
    def matches(self) -> bool | None:
        """None without a report; else whether the facts now give exactly the figures it was submitted with."""
        if self.report is None:
            return None
        return sm3(canonical.dumps(self.draft.document())) == self.report.figures_digest

    def document(self) -> dict[str, Any]:
        report = self.report
        return {
            "figures": [f.document() for f in self.draft.figures if f.section in DISCLOSED],
            "report": None
            if report is None
            else {
                "state": report.state,
                "submitted_at": report.submitted_at,
                "decided_at": report.decided_at,
                "figures_digest": report.figures_digest,
                "matches_facts": self.matches,
            },
            # The operator's own words, public once the bureau has accepted them.
            "benefits": report.benefits if report is not None and self.accepted else None,
        }


def disclosed(session: Session, *, operator_id: int, year: int) -> Disclosed:
    """Public: an operator's year for the disclosure, from the records only."""
    found = draft(session, operator_id=operator_id, year=year)
    return Disclosed(found, report_of(session, operator_id=operator_id, year=year))


# --- the report's lifecycle --------------------------------------------------------------------------------


def report_of(session: Session, *, operator_id: int, year: int) -> AnnualReport | None:
    return session.scalar(
        select(AnnualReport).where(AnnualReport.operator_id == operator_id, AnnualReport.year == year)
    )


def submit(session: Session, *, principal: Principal, year: int, benefits: str) -> AnnualReport:
    """The operator submits its report on a year that is over: the platform's figures as they are now, with the
    benefits it writes. Once submitted (or accepted) a year's report is not submitted again; a returned one is."""
    access.require(principal, "reports.submit", access.own_organisation(principal))
    if not rules.reportable(year, clock.today()) or year < 2000:
        raise Refused("reports.year", year=year)
    benefits = clean_prose(benefits, field="benefits", max_length=10000, blank=False)
    if job_rules.holds_identifier(benefits):  # the benefits are published once the bureau accepts the report
        raise Refused("reports.personal", field="benefits")
    ledger.lock(session)  # one report per operator and year, decided under the ledger's lock
    existing = report_of(session, operator_id=principal.organisation_id, year=year)
    if existing is not None and not rules.REPORT.allows(existing.state, "resubmit"):
        raise Refused("reports.already-submitted", year=year)
    figures = canonical.dumps(draft(session, operator_id=principal.organisation_id, year=year).document()).decode()
    report = existing or AnnualReport(operator_id=principal.organisation_id, year=year, state=rules.REPORT.initial)
    if existing is not None:
        rules.REPORT.apply(report, "resubmit")
    report.benefits, report.figures, report.figures_digest = benefits, figures, sm3(figures.encode())
    report.submitted_at, report.submitted_by = clock.now(), principal.user_id
    report.decided_at = report.decided_by = report.reason = None
    session.add(report)
    ledger.record(
        session,
        actor=principal.actor,
        action="reports.annual-submitted",
        subject=report,
        payload={"year": year, "figures_digest": report.figures_digest},
    )
    return report


def decide(session: Session, *, principal: Who, report_id: int, accept: bool, reason: str) -> AnnualReport:
    """The bureau accepts the report, or returns it with its reasons."""
    report = access.load(session, principal, AnnualReport, report_id, "reports.decide")
    reason = clean_prose(reason, field="reason", max_length=5000)
    if not accept and not reason:
        raise Refused("reports.reason-required", field="reason")
    rules.REPORT.apply(report, "accept" if accept else "return")
    report.decided_at, report.decided_by, report.reason = clock.now(), principal.user_id, reason or None
    action = "reports.annual-accepted" if accept else "reports.annual-returned"
    ledger.record(session, actor=principal.actor, action=action, subject=report, payload={"year": report.year})
    return report


def get(session: Session, *, principal: Who, report_id: int) -> AnnualReport:
    return access.load(session, principal, AnnualReport, report_id)


def snapshot(report: AnnualReport) -> list[dict[str, Any]]:
    return list(json.loads(report.figures))


@dataclass(frozen=True)
class Due:
    operator_id: int
    operator: str
    year: int
    report: AnnualReport | None

    @property
    def overdue(self) -> bool:
        return rules.overdue(year=self.year, state=self.report.state if self.report else None, today=clock.today())


def reports_due(session: Session, *, principal: Who) -> list[Due]:
    """Each operator's report on last year (the operator: its own), submitted or not, with what is overdue."""
    year = clock.today().year - 1
    operators = identity.organisations_of_kind(session, "operator")
    if not access.sees_all(principal, "reports.read"):
        operators = {k: v for k, v in operators.items() if k == getattr(principal, "organisation_id", None)}
    return [
        Due(operator_id, name, year, report_of(session, operator_id=operator_id, year=year))
        for operator_id, name in sorted(operators.items())
    ]


NAMED = ("resource", "product")  # figures of a resource or a product, named by their codes


def names_of(session: Session, found: Draft) -> dict[str, str]:
    """The names of the resources and products the figures are of, by code (the figures keep codes only, so a
    renamed product does not change a submitted report's digest)."""
    names = catalog.names_by_code(session, {figure.of for figure in found.figures if figure.key == "resource"})
    for code in {figure.of for figure in found.figures if figure.key == "product"}:
        product = products.find(session, code=code)
        names[code] = product.name if product is not None else code
    return names


def figure_name(figure: Figure, names: dict[str, str], lang: str) -> str:
    """What a figure is of, as a reader names it: a resource or product by its name, a kind of consumer by its
    words."""
    if figure.key in NAMED:
        return names.get(figure.of, figure.of)
    if figure.key == "consumer_kind" and figure.of in identity_rules.ORGANISATION_KINDS:
        return messages.pick(identity_rules.ORGANISATION_KINDS[figure.of], lang)
    return figure.of


CHARTED = ("resource", "product", "consumer_kind")


def charts(found: Draft, names: dict[str, str], lang: str) -> dict[str, str]:
    """The use by resource, product and kind of consumer as SVG bars (the same in the page and the PDF)."""
    return {
        key: rules.bar_svg(
            [(figure_name(figure, names, lang), figure.value) for figure in found.figures if figure.key == key]
        )
        for key in CHARTED
    }


def todos(session: Session, *, principal: Principal) -> list[tuple[str, int, str]]:
    """The workbench's to-dos: the bureau's reports to decide and those overdue; the operator's own to submit."""
    if principal.organisation_kind == "bureau":
        due = reports_due(session, principal=principal)
        waiting = sum(1 for item in due if item.report is not None and item.report.state == rules.R.SUBMITTED.value)
        return [
            ("workbench.reports.to_decide", waiting, "/reports/annual"),
            ("workbench.reports.overdue", sum(1 for item in due if item.overdue), "/reports/annual"),
        ]
    if principal.organisation_kind == "operator":
        due = reports_due(session, principal=principal)
        missing = sum(1 for item in due if item.report is None or item.report.state == rules.R.RETURNED.value)
        return [("workbench.reports.to_submit", missing, "/reports/annual")]
    return []


# The evaluation's dimensions (三(四)4) and the report's figures that are their recorded evidence.
EVIDENCE = {
    "security": ("drill", "risk_assessment", "incidents", "bad_impact"),
    "performance": ("calls", "revenue_fen"),
    "scenario_benefit": ("scenarios", "product"),
    "public_welfare": ("free_calls",),
}


def period_year(period: str, fallback: int) -> int:
    """The year an evaluation's period names (``2026``, ``2026年度``, ``2026-H1``), else ``fallback``."""
    head = period.strip()[:4]
    year = int(head) if re.fullmatch(r"[0-9]{4}", head) else 0
    return year if 2000 <= year <= clock.today().year else fallback


def evaluation_evidence(session: Session, *, operator_id: int, year: int) -> dict[str, list[Figure]]:
    """For each evaluation dimension, the recorded facts of the operator's year beside which it is scored."""
    found = draft(session, operator_id=operator_id, year=year)
    return {dimension: [f for f in found.figures if f.key in keys] for dimension, keys in EVIDENCE.items()}
