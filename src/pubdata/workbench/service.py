"""What each organisation kind's workbench shows: its to-dos (a count and the page where each is done), its figures,
its tables and its charts — gathered only through the other domains' services, so every count is what the
caller may see (a department: its own resources; a consumer: its own contracts).

The values are plain: label keys, numbers, (zh, en) pairs for codes. ``pages`` turns them into words and
ECharts options in the page's language.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pubdata.authorization import agreements, deadlines, evaluation, partners, security
from pubdata.authorization import rules as authorization_rules
from pubdata.authorization.scope import scope_of
from pubdata.billing import service as billing
from pubdata.catalog import integrity
from pubdata.catalog import rules as catalog_rules
from pubdata.catalog import service as catalog
from pubdata.common import clock, messages
from pubdata.common.messages import Pair
from pubdata.common.money import format_fen
from pubdata.contracts import rules as contract_rules
from pubdata.contracts import service as contracts
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Principal
from pubdata.jobs import rules as job_rules
from pubdata.jobs import service as jobs
from pubdata.ledger import public as ledger_public
from pubdata.ledger import service as ledger
from pubdata.privacy import consent
from pubdata.privacy import rules as consent_rules
from pubdata.products import service as products
from pubdata.products import subscriptions
from pubdata.quality import service as quality
from pubdata.registration import rules as registration_rules
from pubdata.reports import annual
from pubdata.scenarios import service as scenarios

if TYPE_CHECKING:
    from pubdata.ledger.signing import Signer


@dataclass(frozen=True)
class Label:
    """Words the page takes from its labels (``t(key)``)."""

    key: str


@dataclass(frozen=True)
class When:
    """A moment (ISO 8601, UTC) the page shows in Asia/Shanghai."""

    moment: str


# A cell's text: a number, a name, a (zh, en) pair the page picks from, a label, or a moment.
Text = int | float | str | Pair | Label | When | None


@dataclass(frozen=True)
class Todo:
    """Something waiting for the caller: how many, and the page where it is done."""

    key: str
    count: int
    link: str


@dataclass(frozen=True)
class Figure:
    key: str
    value: Text
    link: str | None = None
    name: Pair | None = None  # in place of the key's label: a state's name


@dataclass(frozen=True)
class Cell:
    text: Text
    link: str | None = None


@dataclass(frozen=True)
class Table:
    key: str
    columns: tuple[str, ...]
    rows: list[list[Cell]]
    empty: str = "workbench.none"


@dataclass(frozen=True)
class Chart:
    """A chart's data: categories (codes by their names, or months) and one series per label key."""

    key: str
    kind: str  # bar | line | pie
    categories: list[Text]
    series: list[tuple[str, list[float]]]
    stacked: bool = False


@dataclass
class Bench:
    kind: str
    todos: list[Todo] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


def _one_or_list(found: Sequence[int], one: str, every: str) -> str:
    """The page for one object when there is exactly one, else the list."""
    return one.format(found[0]) if len(found) == 1 else every


def _by_state(counts: dict[str, int], states: dict[str, Pair], key: str, series: str) -> Chart:
    """A bar chart of counts in every state of a lifecycle (zero states shown too: the whole pipeline)."""
    return Chart(key, "bar", list(states.values()), [(series, [float(counts.get(state, 0)) for state in states])])


def _months(counts: dict[str, int], key: str, series: str, *, months: int = 6) -> Chart:
    """A line of monthly counts over the last ``months`` months (those without any shown as 0)."""
    today = clock.today()
    wanted: list[str] = []
    year, month = today.year, today.month
    for _ in range(months):
        wanted.insert(0, f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return Chart(key, "line", list(wanted), [(series, [float(counts.get(m, 0)) for m in wanted])])


# --- the bureau (市数据资源局) -------------------------------------------------------------------------

EVALUATED_EVERY = timedelta(days=365)  # 三(九): the operator is evaluated each year
EVALUATION_NOTICE = timedelta(days=30)  # shown as due from a month before


def evaluation_due(agreement: Any, last: date | None, today: date) -> bool:
    """An operating agreement is due for its yearly evaluation a month before a year since it started or was last
    evaluated."""
    since = last or agreement.starts_on
    operating = agreement.state in (authorization_rules.A.ACTIVE.value, authorization_rules.A.RENEWAL_REQUESTED.value)
    return operating and since is not None and today >= since + EVALUATED_EVERY - EVALUATION_NOTICE


def objections_to_answer(session: Session, principal: Principal) -> Todo | None:
    """Objections filed during a public notice, which the bureau answers before the registration completes (on its
    review page); left out for a bureau member, who does not review."""
    if not access.may(principal, "registration.review"):
        return None
    return Todo(
        "workbench.bureau.objections", catalog.objections_to_answer(session, principal=principal), "/registrations"
    )


def _bureau(session: Session, principal: Principal, bench: Bench) -> None:
    found = agreements.list_agreements(session, principal=principal)
    today = clock.today()
    last = evaluation.last_evaluated(session, {a.id for a in found})
    to_sign = [a.id for a in found if agreements.awaiting_signature(principal, a)]
    due = [a.id for a in found if evaluation_due(a, last.get(a.id), today)]
    reminders = deadlines.reminders(session, principal=principal)
    renewals = sorted(
        {line["agreement_id"] for line in reminders if line["kind"] == "renewal"}
        | {a.id for a in found if a.state == authorization_rules.A.RENEWAL_REQUESTED.value}
    )
    rectifications = [line["agreement_id"] for line in reminders if line["kind"] == "rectification"]
    incidents = evaluation.undecided_incidents(session, principal=principal)
    to_release = [
        job.id for job in jobs.list_for(session, principal=principal) if jobs.awaiting_release(principal, job)
    ]
    if access.may(principal, "registration.review"):  # a bureau member does not review
        bench.todos.append(
            Todo("workbench.bureau.registrations", catalog.review_count(session, principal=principal), "/registrations")
        )
    objections = objections_to_answer(session, principal)
    if objections is not None:
        bench.todos.append(objections)
    bench.todos += [
        Todo(
            "workbench.bureau.agreements_to_sign", len(to_sign), _one_or_list(to_sign, "/agreements/{}", "/agreements")
        ),
        Todo("workbench.bureau.evaluations_due", len(due), _one_or_list(due, "/agreements/{}", "/agreements")),
        Todo("workbench.bureau.renewals_due", len(renewals), _one_or_list(renewals, "/agreements/{}", "/agreements")),
        Todo(
            "workbench.bureau.rectifications",
            len(rectifications),
            _one_or_list(rectifications, "/agreements/{}", "/agreements"),
        ),
        Todo("workbench.bureau.jobs_to_release", len(to_release), _one_or_list(to_release, "/jobs/{}", "/jobs")),
        Todo(
            "workbench.incidents_undecided",
            len(incidents),
            _one_or_list([i.agreement_id for i in incidents], "/agreements/{}", "/agreements"),
        ),
        Todo("workbench.data_alerts", len(integrity.alerts(session, principal=principal)), "/data-alerts"),
    ]
    if access.may(principal, "product.review"):  # a bureau member does not review
        bench.todos += [
            Todo(
                "workbench.bureau.product_reviews",
                products.review_count(session, principal=principal),
                "/products/reviews",
            ),
            Todo(
                "workbench.bureau.product_registrations",
                products.registration_review_count(session, principal=principal),
                "/products/registrations",
            ),
            Todo(
                "workbench.bureau.product_objections",
                products.objections_to_answer(session, principal=principal),
                "/products/registrations",
            ),
        ]
    states = catalog.counts_by_state(session, principal=principal)
    every_contract = contracts.list_for(session, principal=principal)
    bench.figures += [
        Figure(
            "workbench.figure.registered",
            states.get(catalog_rules.R.REGISTERED.value, 0),
            "/resources?state=registered",
        ),
        Figure("workbench.figure.agreements", len(found), "/agreements"),
        Figure("workbench.figure.contracts_active", _active(every_contract), "/contracts"),
    ]
    registrations = catalog.registrations_by_state(session, principal=principal)
    bench.charts += [
        _by_state(
            registrations, registration_rules.STATES, "workbench.chart.registrations", "workbench.series.registrations"
        ),
        _months(
            contracts.calls_by_month(session, contracts=every_contract),
            "workbench.chart.calls",
            "workbench.series.calls",
        ),
    ]
    bench.charts += _dashboard(session, principal, found, last, every_contract)


def _dashboard(
    session: Session, principal: Principal, found: list[Any], last: dict[int, date], every_contract: list[Any]
) -> list[Chart]:
    """The bureau's dashboard, read at a glance: each operator's days to its deadlines, overdue quality tickets by
    department, the annual reports, the security duties, revenue against the ceilings, ε spent per resource."""
    today = clock.today()
    names = identity.organisation_names(session, {a.operator_id for a in found})
    live = [a for a in found if a.state in authorization_rules.LIVE_STATES]

    def days_to(day: date | None) -> float:
        return float((day - today).days) if day else 0.0

    evaluation_on = {a.id: (last.get(a.id) or a.starts_on) for a in live}
    deadlines_chart = Chart(
        "workbench.chart.deadlines",
        "bar",
        [names.get(a.operator_id, "") for a in live],
        [
            ("workbench.series.days_to_expiry", [days_to(a.expires_on) for a in live]),
            (
                "workbench.series.days_to_evaluation",
                [days_to(evaluation_on[a.id] + EVALUATED_EVERY if evaluation_on[a.id] else None) for a in live],
            ),
        ],
    )
    overdue = quality.tickets_for(session, principal=principal, overdue_only=True)
    by_department: dict[str, int] = {}
    for row in overdue:
        by_department[row.department] = by_department.get(row.department, 0) + 1
    tickets_chart = Chart(
        "workbench.chart.tickets_overdue",
        "bar",
        list(by_department),
        [("workbench.series.tickets", [float(count) for count in by_department.values()])],
    )
    owed = security.duties(session, principal=principal)
    duty_names = sorted({names.get(duty.operator_id, "") for duty in owed})
    duties_chart = Chart(
        "workbench.chart.security_duties",
        "bar",
        [name for name in duty_names],
        [
            (key, [_count(owed, names, name, late) for name in duty_names])
            for key, late in (("workbench.series.on_time", False), ("workbench.series.overdue", True))
        ],
        stacked=True,
    )
    reports = annual.reports_due(session, principal=principal)
    report_states: dict[str, int] = {}
    for item in reports:
        shown = "overdue" if item.overdue else (item.report.state if item.report else "missing")
        report_states[shown] = report_states.get(shown, 0) + 1
    reports_chart = Chart(
        "workbench.chart.reports",
        "pie",
        [REPORT_STATE_NAMES.get(state, (state, state)) for state in report_states],
        [("workbench.series.reports", [float(count) for count in report_states.values()])],
    )
    revenues = billing.revenues(session, principal=principal, year=today.year)
    revenue_chart = Chart(
        "workbench.chart.revenue_ceiling",
        "bar",
        [revenue.operator for revenue in revenues],
        [
            ("workbench.series.revenue", [revenue.revenue_fen / 100 for revenue in revenues]),
            ("workbench.series.allowed", [(revenue.allowed_fen or 0) / 100 for revenue in revenues]),
        ],
    )
    spent: dict[str, float] = {}
    for contract in every_contract:
        if contract.epsilon_spent_micro:
            for code in contracts.terms_of(contract).resources:
                spent[code] = spent.get(code, 0.0) + contract.epsilon_spent_micro / 1_000_000
    epsilon_chart = Chart(
        "workbench.chart.epsilon_by_resource",
        "bar",
        [code for code in sorted(spent)],
        [("workbench.series.epsilon", [round(spent[code], 3) for code in sorted(spent)])],
    )
    return [deadlines_chart, tickets_chart, reports_chart, duties_chart, revenue_chart, epsilon_chart]


def _count(owed: list[Any], names: dict[int, str], operator: str, late: bool) -> float:
    return float(sum(1 for duty in owed if names.get(duty.operator_id) == operator and duty.overdue is late))


# What the reports' pie calls each state of last year's annual report.
REPORT_STATE_NAMES: dict[str, Pair] = {
    "missing": ("未提交", "Not submitted"),
    "overdue": ("逾期未提交", "Overdue"),
    "submitted": ("待审核", "Submitted"),
    "accepted": ("已通过", "Accepted"),
    "returned": ("已退回", "Returned"),
}


# --- a department (数据提供部门) -------------------------------------------------------------------------


def _provider(session: Session, principal: Principal, bench: Bench) -> None:
    states = catalog.counts_by_state(session, principal=principal)
    registrations = catalog.registrations_by_state(session, principal=principal)
    codes = catalog.visible_codes(session, principal=principal)
    usage = contracts.usage_of(session, codes=set(codes))
    bench.todos += [
        Todo("workbench.provider.drafts", states.get(catalog_rules.R.DRAFT.value, 0), "/resources?state=draft"),
        Todo(
            "workbench.provider.returned",
            registrations.get(registration_rules.S.RETURNED.value, 0),
            "/resources",
        ),
        Todo("workbench.data_alerts", len(integrity.alerts(session, principal=principal)), "/data-alerts"),
    ]
    bench.figures += [
        Figure("workbench.state", states.get(state, 0), f"/resources?state={state}", name=_resources_in(label))
        for state, label in catalog_rules.RESOURCE_STATES.items()
        if states.get(state)
    ]
    bench.figures += [
        Figure(
            "workbench.provider.in_review", registrations.get(registration_rules.S.SUBMITTED.value, 0), "/resources"
        ),
        Figure("workbench.provider.in_notice", registrations.get(registration_rules.S.NOTICE.value, 0), "/resources"),
        Figure("workbench.provider.contracts_using", sum(u["contracts"] for u in usage.values())),
    ]
    bench.tables.append(
        Table(
            "workbench.provider.usage",
            ("workbench.column.resource", "workbench.column.contracts", "workbench.column.calls"),
            [
                [Cell(code, f"/resources/{codes[code]}"), Cell(used["contracts"]), Cell(used["calls"])]
                for code, used in sorted(usage.items())
            ],
        )
    )
    loads = catalog.loads_by_month(session, principal=principal)
    bench.figures.append(Figure("workbench.provider.loads", sum(loads.values()), "/resources"))
    bench.charts += [
        _by_state(states, catalog_rules.RESOURCE_STATES, "workbench.chart.resources", "workbench.series.resources"),
        _months(
            contracts.calls_on_resources(session, codes=set(codes)), "workbench.chart.usage", "workbench.series.calls"
        ),
        _months(loads, "workbench.chart.loads", "workbench.series.loads"),
    ]


def _resources_in(state: Pair) -> Pair:
    """A figure's name for the resources in a state (数据资源·已登记), in both languages."""
    resources = messages.label_pair("workbench.figure.resources")
    return f"{resources[0]}·{state[0]}", f"{resources[1]} · {state[1]}"


# --- the operator (运营机构) and its partners (合伙人) ------------------------------------------------------


def _product_todos(session: Session, principal: Principal) -> list[Todo]:
    """The operator's products: those a security review returned, and those registered and waiting to be
    listed."""
    returned = [product.code for product in products.returned(session, principal=principal)]
    to_list = [product.code for product in products.awaiting_listing(session, principal=principal)]
    return [
        Todo("workbench.operator.products_returned", len(returned), _codes_or_list(returned)),
        Todo("workbench.operator.products_to_list", len(to_list), _codes_or_list(to_list)),
    ]


def _codes_or_list(codes: list[str]) -> str:
    return f"/products/{codes[0]}" if len(codes) == 1 else "/products/manage"


def _operator(session: Session, principal: Principal, bench: Bench) -> None:
    found = agreements.list_agreements(session, principal=principal)
    own_contracts = contracts.list_for(session, principal=principal)
    own_jobs = jobs.list_for(session, principal=principal)
    contracts_to_sign = [c.id for c in own_contracts if contracts.awaiting_signature(principal, c)]
    agreements_to_sign = [a.id for a in found if agreements.awaiting_signature(principal, a)]
    reviews = [job.id for job in own_jobs if jobs.awaiting_review(principal, job)]
    releases = [job.id for job in own_jobs if jobs.awaiting_release(principal, job)]
    reminders = deadlines.reminders(session, principal=principal)
    admitted = partners.admissions(session, principal=principal)
    bench.todos += [
        Todo(
            "workbench.operator.agreements_to_sign",
            len(agreements_to_sign),
            _one_or_list(agreements_to_sign, "/agreements/{}", "/agreements"),
        ),
        Todo(
            "workbench.operator.contracts_to_sign",
            len(contracts_to_sign),
            _one_or_list(contracts_to_sign, "/contracts/{}", "/contracts"),
        ),
        Todo("workbench.operator.code_reviews", len(reviews), _one_or_list(reviews, "/jobs/{}", "/jobs")),
        Todo("workbench.operator.releases", len(releases), _one_or_list(releases, "/jobs/{}", "/jobs")),
        Todo(
            "workbench.operator.deadlines",
            len(reminders),
            _one_or_list([line["agreement_id"] for line in reminders], "/agreements/{}", "/agreements"),
        ),
        *_product_todos(session, principal),
    ]
    partner_states = Counter(p.state for p in admitted)
    bench.figures += [
        Figure("workbench.figure.contracts_active", _active(own_contracts), "/contracts"),
        Figure("workbench.operator.partners", partner_states.get(authorization_rules.PartnerState.ADMITTED.value, 0)),
        Figure(
            "workbench.operator.partners_suspended",
            partner_states.get(authorization_rules.PartnerState.SUSPENDED.value, 0),
        ),
    ]
    bench.tables.append(_agreement_table(session, found, deadlines_of=reminders))
    names = identity.organisation_names(session, {p.organisation_id for p in admitted})
    bench.tables.append(
        Table(
            "workbench.operator.partner_list",
            ("workbench.column.partner", "workbench.column.state", "workbench.column.scope"),
            [
                [
                    Cell(names.get(p.organisation_id, ""), f"/agreements/{p.agreement_id}"),
                    Cell(authorization_rules.PARTNER_STATES.get(p.state, p.state)),
                    Cell(_scope_text(p)),
                ]
                for p in admitted
            ],
        )
    )
    bench.charts += [
        _months(
            contracts.calls_by_month(session, contracts=own_contracts),
            "workbench.chart.calls",
            "workbench.series.calls",
        ),
        _by_state(
            Counter(job.state for job in own_jobs), job_rules.STATES, "workbench.chart.jobs", "workbench.series.jobs"
        ),
    ]
    _operator_products(session, principal, bench)


def _scope_text(holder: Any) -> Pair:
    """A scope in one line, in both languages: its resources (by code), sectors and highest grade (by name)."""
    document = scope_of(holder).document()
    lines: list[str] = []
    up_to = messages.label_pair("workbench.up_to")
    for lang in (0, 1):
        sectors = [catalog_rules.SECTORS.get(code, (code, code))[lang] for code in document.get("sectors", [])]
        grade = document.get("max_grade")
        parts = [", ".join([*document.get("resources", []), *sectors])]
        if grade:
            parts.append(f"{up_to[lang]} {catalog_rules.GRADES.get(grade, (grade, grade))[lang]}")
        lines.append(" · ".join(part for part in parts if part))
    return lines[0], lines[1]


def _agreement_table(session: Session, found: list[Any], *, deadlines_of: list[dict[str, Any]]) -> Table:
    names = identity.organisation_names(session, {a.operator_id for a in found})
    due = {(line["agreement_id"], line["kind"]): line["due"] for line in deadlines_of}
    return Table(
        "workbench.agreement_list",
        (
            "workbench.column.operator",
            "workbench.column.state",
            "workbench.column.expires_on",
            "workbench.column.renewal_due",
            "workbench.column.exit_on",
        ),
        [
            [
                Cell(names.get(a.operator_id, ""), f"/agreements/{a.id}"),
                Cell(authorization_rules.STATES.get(a.state, a.state)),
                Cell(a.expires_on.isoformat() if a.expires_on else None),
                Cell(_day(due.get((a.id, "renewal")))),
                Cell(_day(a.exit_on or due.get((a.id, "exit")))),
            ]
            for a in found
        ],
    )


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _partner(session: Session, principal: Principal, bench: Bench) -> None:
    own_contracts = contracts.list_for(session, principal=principal)
    own_jobs = jobs.list_for(session, principal=principal)
    admitted = partners.admissions(session, principal=principal)
    to_sign = [c.id for c in own_contracts if contracts.awaiting_signature(principal, c)]
    held = [job.id for job in own_jobs if job.state == job_rules.J.HELD.value]
    returned = [job.id for job in own_jobs if job.state in (job_rules.J.REJECTED.value, job_rules.J.BLOCKED.value)]
    bench.todos += [
        Todo("workbench.contracts_to_sign", len(to_sign), _one_or_list(to_sign, "/contracts/{}", "/contracts")),
        Todo("workbench.partner.jobs_returned", len(returned), _one_or_list(returned, "/jobs/{}", "/jobs")),
        _product_todos(session, principal)[0],  # its products a security review returned
    ]
    bench.figures += [
        Figure("workbench.partner.jobs", len(own_jobs), "/jobs"),
        Figure("workbench.partner.jobs_held", len(held), "/jobs"),
        Figure("workbench.figure.contracts_active", _active(own_contracts), "/contracts"),
    ]
    names = identity.organisation_names(session, {p.operator_id for p in admitted})
    bench.tables.append(
        Table(
            "workbench.partner.scope",
            ("workbench.column.operator", "workbench.column.state", "workbench.column.scope"),
            [
                [
                    Cell(names.get(p.operator_id, "")),
                    Cell(authorization_rules.PARTNER_STATES.get(p.state, p.state)),
                    Cell(_scope_text(p)),
                ]
                for p in admitted
            ],
        )
    )
    bench.charts.append(
        _by_state(
            Counter(job.state for job in own_jobs), job_rules.STATES, "workbench.chart.jobs", "workbench.series.jobs"
        )
    )


# --- a consumer (数据使用方) ---------------------------------------------------------------------------------

NEAR_LIMIT = 0.8  # a quota is "near" its limit from 80 % used


def near_limit(contract: Any) -> bool:
    """Has an active contract used 80 % of its calls, rows or ε?"""
    used = [
        contract.calls_used / contract.max_calls,
        contract.rows_used / contract.max_rows,
        contract.epsilon_spent_micro / contract.epsilon_budget_micro if contract.epsilon_budget_micro else 0,
    ]
    return contract.state == contract_rules.C.ACTIVE.value and max(used) >= NEAR_LIMIT


def _consumer(session: Session, principal: Principal, bench: Bench) -> None:
    own = contracts.list_for(session, principal=principal)
    to_sign = [c.id for c in own if contracts.awaiting_signature(principal, c)]
    near = [c.id for c in own if near_limit(c)]
    counters = {c.id: contracts.counters(c) for c in own}
    dp = [c for c in own if c.epsilon_budget_micro]
    bench.todos += [
        Todo("workbench.contracts_to_sign", len(to_sign), _one_or_list(to_sign, "/contracts/{}", "/contracts")),
        Todo("workbench.consumer.near_limit", len(near), _one_or_list(near, "/contracts/{}", "/contracts")),
    ]
    bench.figures += [
        Figure("workbench.figure.contracts_active", _active(own), "/contracts"),
        Figure("workbench.consumer.calls_left", sum(counters[c.id]["calls_left"] for c in own if _is_active(c))),
        Figure(
            "workbench.consumer.epsilon_left",
            round(sum(counters[c.id]["epsilon_left"] for c in dp if _is_active(c)), 6) if dp else None,
        ),
        Figure(
            "workbench.consumer.consents",
            consent.counts_by_state(session, principal=principal).get("granted", 0),
            "/consents",
        ),
    ]
    bench.tables.append(
        Table(
            "workbench.consumer.contracts",
            (
                "workbench.column.contract",
                "workbench.column.state",
                "workbench.column.purpose",
                "workbench.column.calls",
                "workbench.column.rows",
                "workbench.column.epsilon_left",
                "workbench.column.valid_until",
            ),
            [
                [
                    Cell(f"#{c.id}", f"/contracts/{c.id}"),
                    Cell(contract_rules.STATES.get(c.state, c.state)),
                    Cell(contract_rules.PURPOSES.get(contracts.terms_of(c).purpose, contracts.terms_of(c).purpose)),
                    Cell(f"{c.calls_used:,} / {c.max_calls:,}"),
                    Cell(f"{c.rows_used:,} / {c.max_rows:,}"),
                    Cell(counters[c.id]["epsilon_left"] if c.epsilon_budget_micro else None),
                    Cell(c.valid_until.isoformat()),
                ]
                for c in own
            ],
        )
    )
    bench.charts.append(
        _months(contracts.calls_by_month(session, contracts=own), "workbench.chart.calls", "workbench.series.calls")
    )
    _consumer_products(session, principal, bench)
    if dp:
        bench.charts.append(
            Chart(
                "workbench.chart.epsilon",
                "bar",
                [f"#{c.id}" for c in dp],
                [
                    ("workbench.series.epsilon_spent", [counters[c.id]["epsilon_spent"] for c in dp]),
                    ("workbench.series.epsilon_left", [counters[c.id]["epsilon_left"] for c in dp]),
                ],
                stacked=True,
            )
        )


def _is_active(contract: Any) -> bool:
    return contract.state == contract_rules.C.ACTIVE.value


def _active(found: list[Any]) -> int:
    return sum(1 for contract in found if _is_active(contract))


# --- the pricing authority, the finance bureau, market regulation ---------------------------------------------


def _chargeable(contract: Any) -> bool:
    return contracts.terms_of(contract).purpose not in contract_rules.FREE_PURPOSES


def _pricing(session: Session, principal: Principal, bench: Bench) -> None:
    every = contracts.list_for(session, principal=principal)
    charged = [c for c in every if _chargeable(c)]
    live = [c.id for c in charged if c.state in contract_rules.LIVE_STATES]
    bench.todos.append(
        Todo("workbench.pricing.chargeable_live", len(live), _one_or_list(live, "/contracts/{}", "/contracts"))
    )
    bench.figures += [
        Figure("workbench.figure.contracts", len(every), "/contracts"),
        Figure("workbench.pricing.chargeable", len(charged), "/contracts"),
        Figure("workbench.pricing.free", len(every) - len(charged), "/contracts"),
        Figure("workbench.pricing.calls_charged", sum(c.calls_used for c in charged)),
    ]
    bench.tables.append(_contract_table(session, charged, "workbench.pricing.chargeable_list"))
    purposes: Counter[str] = Counter(str(contracts.terms_of(c).purpose) for c in every)
    bench.charts += [
        Chart(
            "workbench.chart.purposes",
            "pie",
            list(contract_rules.PURPOSES.values()),
            [("workbench.series.contracts", [float(purposes.get(p, 0)) for p in contract_rules.PURPOSES])],
        ),
        _months(
            contracts.calls_by_month(session, contracts=charged),
            "workbench.chart.calls_charged",
            "workbench.series.calls",
        ),
    ]


def _contract_table(session: Session, found: list[Any], key: str) -> Table:
    names = identity.organisation_names(session, {c.assigner_id for c in found} | {c.assignee_id for c in found})
    return Table(
        key,
        (
            "workbench.column.contract",
            "workbench.column.operator",
            "workbench.column.consumer",
            "workbench.column.purpose",
            "workbench.column.state",
            "workbench.column.calls",
        ),
        [
            [
                Cell(f"#{c.id}", f"/contracts/{c.id}"),
                Cell(names.get(c.assigner_id, "")),
                Cell(names.get(c.assignee_id, "")),
                Cell(contract_rules.PURPOSES.get(contracts.terms_of(c).purpose, "")),
                Cell(contract_rules.STATES.get(c.state, c.state)),
                Cell(f"{c.calls_used:,}"),
            ]
            for c in found
        ],
    )


def _finance(session: Session, principal: Principal, bench: Bench) -> None:
    figures = catalog.public_figures(session)
    every = contracts.list_for(session, principal=principal)
    charged = [c for c in every if _chargeable(c)]
    bench.todos.append(
        Todo("workbench.finance.chargeable_active", _active(charged), "/contracts"),
    )
    bench.figures += [
        Figure("workbench.finance.assets", figures.resources, "/catalog"),
        Figure("workbench.finance.providers", figures.providers, "/catalog"),
        Figure("workbench.pricing.chargeable", len(charged), "/contracts"),
        Figure("workbench.pricing.calls_charged", sum(c.calls_used for c in charged)),
    ]
    bench.tables.append(_contract_table(session, charged, "workbench.pricing.chargeable_list"))
    bench.charts += [
        Chart(
            "workbench.chart.assets",
            "bar",
            [catalog_rules.BASE_LIBRARIES.get(code, code) for code in figures.by_base_library],
            [("workbench.series.resources", [float(n) for n in figures.by_base_library.values()])],
        ),
        _months(
            contracts.calls_by_month(session, contracts=charged),
            "workbench.chart.calls_charged",
            "workbench.series.calls",
        ),
    ]


def _market(session: Session, principal: Principal, bench: Bench) -> None:
    found = agreements.list_agreements(session, principal=principal)
    admitted = partners.admissions(session, principal=principal)
    suspended = [
        a.id
        for a in found
        if a.state in (authorization_rules.A.SUSPENDED.value, authorization_rules.A.RECTIFYING.value)
    ]
    partners_suspended = [
        p.agreement_id for p in admitted if p.state == authorization_rules.PartnerState.SUSPENDED.value
    ]
    bench.todos += [
        Todo("workbench.market.suspended", len(suspended), _one_or_list(suspended, "/agreements/{}", "/agreements")),
        Todo(
            "workbench.market.partners_suspended",
            len(partners_suspended),
            _one_or_list(partners_suspended, "/agreements/{}", "/agreements"),
        ),
    ]
    live = [a for a in found if a.state in authorization_rules.LIVE_STATES]
    bench.figures += [
        Figure("workbench.market.operators", len({a.operator_id for a in live}), "/agreements"),
        Figure("workbench.figure.agreements", len(found), "/agreements"),
        Figure("workbench.operator.partners", sum(1 for p in admitted if p.state == "admitted")),
    ]
    bench.tables.append(
        _agreement_table(session, found, deadlines_of=deadlines.reminders(session, principal=principal))
    )
    bench.charts += [
        _by_state(
            Counter(a.state for a in found),
            authorization_rules.STATES,
            "workbench.chart.agreements",
            "workbench.series.agreements",
        ),
        _by_state(
            Counter(p.state for p in admitted),
            authorization_rules.PARTNER_STATES,
            "workbench.chart.partners",
            "workbench.series.partners",
        ),
    ]


# --- the audit bureau and the security office -------------------------------------------------------------

SECURITY_ACTIONS = (
    "authorization.incident.",
    "authorization.drill",
    "authorization.risk_assessment",
    "authorization.violation",
    "authorization.use-refused",
    "catalog.data-damaged",
)


def _entries_table(session: Session, key: str, entries: list[Any]) -> Table:
    """Ledger entries as the public ledger shows them (names and public pages, never internal codes)."""
    rows = []
    for entry in ledger_public.view(session, entries):
        subject = entry.subject
        rows.append(
            [
                Cell(entry.seq, f"/ledger/check?seq={entry.seq}"),
                Cell(When(entry.time)),
                Cell(entry.actor),
                Cell(entry.label),
                Cell(subject.title or subject.kind, subject.path) if subject else Cell(None),
            ]
        )
    columns = ("workbench.column.seq", "workbench.column.time", "workbench.column.actor", "workbench.column.action")
    return Table(key, (*columns, "workbench.column.subject"), rows)


def _audit(session: Session, principal: Principal, bench: Bench, signer: Signer | None) -> None:
    size = ledger.size(session)
    head = ledger.current_tree_head(session, signer) if signer is not None else None
    states = catalog.counts_by_state(session, principal=principal)
    bench.todos.append(
        Todo("workbench.data_alerts", len(integrity.alerts(session, principal=principal)), "/data-alerts")
    )
    bench.figures += [
        Figure("workbench.audit.size", size, "/ledger"),
        Figure("workbench.audit.root", head.root_hash.hex()[:12] + "…" if head else None, "/ledger"),
        Figure(
            "workbench.audit.signature",
            Label(
                "workbench.audit.signature_ok" if head and head.signature_valid() else "workbench.audit.signature_bad"
            ),
            "/ledger",
        ),
        Figure("workbench.figure.resources", sum(states.values()), "/resources"),
        Figure("workbench.figure.contracts", len(contracts.list_for(session, principal=principal)), "/contracts"),
    ]
    bench.tables.append(_entries_table(session, "workbench.audit.changes", ledger.latest_of(session, limit=10)))
    bench.charts.append(
        _months(ledger.count_by_month(session, actions=None), "workbench.chart.ledger", "workbench.series.entries")
    )


def _security(session: Session, principal: Principal, bench: Bench) -> None:
    incidents = evaluation.undecided_incidents(session, principal=principal)
    counted = ledger.count_by_action(session, actions=SECURITY_ACTIONS)
    bench.todos += [
        Todo(
            "workbench.incidents_undecided",
            len(incidents),
            _one_or_list([i.agreement_id for i in incidents], "/agreements/{}", "/agreements"),
        ),
        Todo("workbench.data_alerts", counted.get("catalog.data-damaged", 0), "/ledger"),
    ]
    bench.figures += [
        Figure(
            "workbench.figure.agreements", len(agreements.list_agreements(session, principal=principal)), "/agreements"
        ),
        Figure("workbench.security.incidents", counted.get("authorization.incident.report", 0), "/agreements"),
        Figure("workbench.security.drills", counted.get("authorization.drill", 0), "/agreements"),
        Figure("workbench.security.assessments", counted.get("authorization.risk_assessment", 0), "/agreements"),
        Figure("workbench.security.refused", counted.get("authorization.use-refused", 0), "/ledger"),
    ]
    recent = ledger.latest_of(session, actions=SECURITY_ACTIONS, limit=10)
    bench.tables.append(_entries_table(session, "workbench.security.recent", recent))
    bench.charts += [
        _months(
            evaluation.incidents_by_month(session, principal=principal),
            "workbench.chart.incidents",
            "workbench.series.incidents",
        ),
        _months(
            ledger.count_by_month(session, actions=SECURITY_ACTIONS),
            "workbench.chart.security",
            "workbench.series.entries",
        ),
    ]


# --- products: subscriptions and calls (products.subscriptions) ------------------------------------------------


def _consumer_products(session: Session, principal: Principal, bench: Bench) -> None:
    to_sign = subscriptions.awaiting_signature(session, principal=principal)
    bench.todos.append(
        Todo(
            "workbench.consumer.subscriptions_to_sign",
            len(to_sign),
            _one_or_list(to_sign, "/products/subscriptions/{}", "/products/subscriptions"),
        )
    )
    counted = subscriptions.calls_this_month(session, principal=principal)
    if counted:
        bench.charts.append(
            Chart(
                "workbench.chart.product_calls",
                "bar",
                list(counted),
                [("workbench.series.product_calls", [float(n) for n in counted.values()])],
            )
        )


def _operator_products(session: Session, principal: Principal, bench: Bench) -> None:
    waiting = subscriptions.awaiting_decision(session, principal=principal)
    bench.todos.append(
        Todo(
            "workbench.operator.subscriptions",
            len(waiting),
            _one_or_list(waiting, "/products/subscriptions/{}", "/products/subscriptions"),
        )
    )


# --- a data subject (数据主体（企业）): its consents and every use of them ------------------------------------

CONSENT_NOTICE = timedelta(days=30)  # a consent ending within a month is shown as a to-do: grant it again?


def _subject(session: Session, principal: Principal, bench: Bench) -> None:
    found = consent.shown(session, consent.list_for(session, principal=principal))
    today = clock.today()
    live = [item for item in found if consent_rules.in_force(consent.standing_of(item.consent), today)]
    ending = [item.consent.id for item in live if item.consent.valid_until <= today + CONSENT_NOTICE]
    bench.todos.append(
        Todo("workbench.subject.expiring", len(ending), _one_or_list(ending, "/consents/{}", "/consents"))
    )
    bench.figures += [
        Figure("workbench.subject.in_force", len(live), "/consents"),
        Figure("workbench.subject.uses", sum(item.uses for item in found), "/consents"),
    ]
    bench.tables.append(
        Table(
            "workbench.subject.consents",
            (
                "workbench.column.consent",
                "workbench.column.consumer",
                "workbench.column.product",
                "workbench.column.purpose",
                "workbench.column.period",
                "workbench.column.state",
                "workbench.column.uses",
            ),
            [
                [
                    Cell(f"#{item.consent.id}", f"/consents/{item.consent.id}"),
                    Cell(item.consumer),
                    Cell(item.product.name if item.product else None),
                    Cell(contract_rules.PURPOSES.get(item.consent.purpose, item.consent.purpose)),
                    Cell(f"{item.consent.valid_from.isoformat()} – {item.consent.valid_until.isoformat()}"),
                    Cell(consent_rules.STATES.get(item.consent.state, item.consent.state)),
                    Cell(item.uses),
                ]
                for item in found[:20]
            ],
        )
    )
    uses = consent.uses_out(session, consent.recent_uses(session, principal=principal, limit=10))
    bench.tables.append(
        Table(
            "workbench.subject.recent_uses",
            (
                "workbench.column.used_at",
                "workbench.column.consent",
                "workbench.column.consumer",
                "workbench.column.product",
            ),
            [
                [
                    Cell(When(use["used_at"].isoformat())),
                    Cell(f"#{use['consent_id']}", f"/consents/{use['consent_id']}"),
                    Cell(use["consumer"]),
                    Cell(use["product"] or None),
                ]
                for use in uses
            ],
        )
    )
    bench.charts.append(
        _months(
            consent.uses_by_month(session, principal=principal), "workbench.chart.consent_uses", "workbench.series.uses"
        )
    )


BUILDERS: dict[str, Callable[[Session, Principal, Bench], None]] = {
    "bureau": _bureau,
    "provider": _provider,
    "operator": _operator,
    "partner": _partner,
    "consumer": _consumer,
    "pricing": _pricing,
    "finance": _finance,
    "market": _market,
    "security": _security,
    "subject": _subject,
}


def bench(session: Session, *, principal: Principal, signer: Signer | None = None) -> Bench:
    """The caller's workbench, by its organisation's kind (every kind has one: never a refusal for one's home)."""
    found = Bench(principal.organisation_kind)
    if principal.organisation_kind == "audit":
        _audit(session, principal, found, signer)
    elif principal.organisation_kind in BUILDERS:
        BUILDERS[principal.organisation_kind](session, principal, found)
    found.todos += [Todo(key, count, link) for key, count, link in scenarios.todos(session, principal=principal)]
    found.todos += [Todo(key, count, link) for key, count, link in quality.todos(session, principal=principal)]
    found.todos += [Todo(key, count, link) for key, count, link in security.todos(session, principal=principal)]
    found.todos += [Todo(key, count, link) for key, count, link in annual.todos(session, principal=principal)]
    _billing(session, principal, found)
    return found


# --- billing (三(六)): flags, ceilings, revenue, the month's statement --------------------------------------------

REVENUE_READERS = ("pricing", "finance", "market", "bureau", "audit", "operator")


def _billing(session: Session, principal: Principal, bench: Bench) -> None:
    kind, year = principal.organisation_kind, clock.today().year
    if kind in ("pricing", "market", "bureau", "operator"):
        mine = principal.organisation_id if kind == "operator" else None
        flags = billing.open_flags(session, operator_id=mine)
        bench.todos.append(Todo("workbench.billing.price_flags", len(flags), "/billing/prices"))
    if kind in REVENUE_READERS:
        found = billing.revenues(session, principal=principal, year=year)
        warned = [revenue for revenue in found if revenue.warning]
        bench.todos.append(Todo("workbench.billing.ceiling_warning", len(warned), "/billing/revenue"))
        total = format_fen(sum(revenue.revenue_fen for revenue in found))
        bench.figures.append(Figure("workbench.billing.revenue", total, "/billing/revenue"))
        if kind == "pricing":
            missing = [revenue for revenue in found if revenue.ceiling is None]
            bench.todos.append(Todo("workbench.billing.no_ceiling", len(missing), "/billing/revenue"))
            listed = products.public_list(session)
            views = billing.price_views(session, {item.product.id for item in listed})
            uncapped = [pid for pid, view in views.items() if view.cap is None]
            bench.todos.append(Todo("workbench.billing.uncapped", len(uncapped), "/billing/prices"))
    if kind == "consumer":
        month = clock.today().strftime("%Y-%m")
        own = billing.statement(session, principal=principal, consumer_id=principal.organisation_id, month=month)
        link = f"/billing/statements/{principal.organisation_id}/{month}"
        bench.figures.append(Figure("workbench.billing.this_month", format_fen(own.total_fen), link))


# --- the public home ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicHome:
    figures: catalog.PublicFigures
    notices: list[tuple[Any, Any]]
    charts: list[Chart]
    products: list[Any] = field(default_factory=list)  # the public product list (products.service.PublicProduct)
    prices: dict[int, Any] = field(default_factory=dict)  # product id → its published price (billing.service)


def public_home(session: Session) -> PublicHome:
    """What anyone sees before logging in: the catalogue in figures and the resources under public notice."""
    figures = catalog.public_figures(session)
    charts = [
        Chart(
            "workbench.chart.by_library",
            "bar",
            [catalog_rules.BASE_LIBRARIES.get(code, code) for code in figures.by_base_library],
            [("workbench.series.resources", [float(n) for n in figures.by_base_library.values()])],
        ),
        Chart(
            "workbench.chart.by_sector",
            "pie",
            [catalog_rules.SECTORS.get(code, code) for code in figures.by_sector],
            [("workbench.series.resources", [float(n) for n in figures.by_sector.values()])],
        ),
    ]
    listed = products.public_list(session)
    prices = billing.price_views(session, {found.product.id for found in listed})
    return PublicHome(figures, catalog.public_notices(session), charts, listed, prices)
