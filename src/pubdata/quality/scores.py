"""Department contribution scores (四: 公共数据资源贡献评价): per department and year, from recorded facts only —
resources registered and kept current against their declared update frequency, data loads, quality tickets
answered on time, products built on its data and the calls on it — under the bureau's versioned weights. Each
figure opens to the facts it counts; the ranking is exported for the IT-project performance evaluation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pubdata.catalog import service as catalog
from pubdata.common import canonical, clock
from pubdata.common.errors import Refused
from pubdata.common.names import clean_prose
from pubdata.contracts import service as contracts
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Who
from pubdata.ledger import service as ledger
from pubdata.products import service as products
from pubdata.quality import rules
from pubdata.quality.models import QualityRound, ScoreWeights
from pubdata.queries import console


@dataclass(frozen=True)
class Weights:
    version: int  # 0: the platform's default, before the bureau set any
    weights: dict[str, int]
    total: int
    note: str = ""


def weights_in_force(session: Session) -> Weights:
    found = session.scalar(select(ScoreWeights).order_by(ScoreWeights.version.desc()).limit(1))
    if found is None:
        return Weights(0, dict(rules.DEFAULT_WEIGHTS), rules.DEFAULT_TOTAL)
    return Weights(found.version, json.loads(found.weights), found.total, found.note)


def set_weights(session: Session, *, principal: Who, weights: dict[str, int], total: int, note: str = "") -> Weights:
    """The bureau sets the score's weights; a table whose weights do not sum to its stated total is refused."""
    access.require(principal, "quality.set-weights")
    problem = rules.weights_problem(weights, total)
    if problem is not None:
        raise Refused(problem[0], **problem[1], field="weights")
    note = clean_prose(note, field="note", max_length=2000)
    ledger.lock(session)
    version = (session.scalar(select(func.max(ScoreWeights.version))) or 0) + 1
    row = ScoreWeights(
        version=version,
        weights=canonical.dumps(dict(sorted(weights.items()))).decode(),
        total=total,
        note=note,
        set_by=principal.user_id,
        set_at=clock.now(),
    )
    session.add(row)
    ledger.record(
        session,
        actor=principal.actor,
        action="quality.weights-set",
        subject=row,
        payload={"version": version, "weights": weights, "total": total},
    )
    return Weights(version, dict(weights), total, note)


# --- the facts -----------------------------------------------------------------------------------------------


@dataclass
class Facts:
    """What one department's score counts, item by item, so that each figure opens to them."""

    department_id: int
    resources: list[tuple[catalog.ResourceSupply, date | None, bool]] = field(default_factory=list)
    loads: dict[str, int] = field(default_factory=dict)  # resource code → loads in the year
    rounds: list[QualityRound] = field(default_factory=list)  # due in the year
    products: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    calls: dict[str, int] = field(default_factory=dict)  # resource code → calls in the year

    def supply(self) -> rules.Supply:
        registered = [item for item in self.resources if item[0].registered_at is not None]
        return rules.Supply(
            registered=len(registered),
            current=sum(1 for _, _, current in registered if current),
            loads=sum(self.loads.values()),
            rounds_due=len(self.rounds),
            on_time=sum(1 for item in self.rounds if item.answered_on is not None and not item.late),
            products=len(self.products),
            calls=sum(self.calls.values()),
        )


def year_bounds(year: int) -> tuple[datetime, datetime, date]:
    """The year's first moment, its end (or now, for the year running), and the day facts are taken as of."""
    if not 2000 <= year <= clock.today().year:
        raise Refused("quality.score-year", last=clock.today().year)
    since = clock.parse_moment(f"{year}-01-01")
    until = min(clock.parse_moment(f"{year + 1}-01-01"), clock.now())
    return since, until, until.astimezone(clock.SHANGHAI).date()


def facts(session: Session, *, year: int) -> dict[int, Facts]:
    """Every providing department's facts for ``year`` (departments with no resource are left out)."""
    since, until, as_of = year_bounds(year)
    found: dict[int, Facts] = {}
    for supply in catalog.supply_until(session, until):
        item = found.setdefault(supply.provider_id, Facts(supply.provider_id))
        last = max(supply.loads).astimezone(clock.SHANGHAI).date() if supply.loads else None
        item.resources.append((supply, last, rules.is_current(supply.frequency, last, as_of)))
        item.loads[supply.code] = sum(1 for moment in supply.loads if moment >= since)
        months = contracts.calls_on_resources(session, codes={supply.code})
        item.calls[supply.code] = sum(count for month, count in months.items() if month.startswith(f"{year}-"))
    owner = {supply.code: department for department, item in found.items() for supply, _, _ in item.resources}
    for listed in products.public_list(session):
        for department in {owner[code] for code, _ in listed.resources if code in owner}:
            found[department].products.append((listed.product.code, listed.product.name))
    due = select(QualityRound).where(QualityRound.due >= date(year, 1, 1), QualityRound.due < as_of)
    for row in session.execute(due.order_by(QualityRound.due)).scalars():
        if row.provider_id in found:
            found[row.provider_id].rounds.append(row)
    return found


@dataclass(frozen=True)
class Ranked:
    rank: int
    department_id: int
    department: str
    supply: rules.Supply
    score: rules.Score


@dataclass(frozen=True)
class Ranking:
    year: int
    as_of: date
    weights: Weights
    rows: list[Ranked]


def ranking(session: Session, *, principal: Who, year: int) -> Ranking:
    """The bureau's ranking of every department for ``year`` under the weights in force."""
    access.require(principal, "quality.scores")
    return _ranking(session, year, facts(session, year=year))


def _ranking(session: Session, year: int, found: dict[int, Facts]) -> Ranking:
    weights = weights_in_force(session)
    supplies = {department: item.supply() for department, item in found.items()}
    best = rules.best_of(supplies)
    scored = {department: rules.score(supply, best, weights.weights) for department, supply in supplies.items()}
    names = identity.organisation_names(session, set(found))
    rows = [
        Ranked(rank, department, names.get(department, ""), supplies[department], found_score)
        for rank, department, found_score in rules.ranked(scored)
    ]
    return Ranking(year, year_bounds(year)[2], weights, rows)


def department_facts(session: Session, *, principal: Who, year: int, department_id: int) -> tuple[Ranking, Facts]:
    """One department's score with the facts behind each figure: the bureau and the auditor see any, a
    department its own."""
    own = getattr(principal, "organisation_id", None) == department_id
    if not own:
        access.require(principal, "quality.scores")
    every = facts(session, year=year)
    if department_id not in every:
        raise Refused("quality.no-department")
    whole = _ranking(session, year, every)
    own_rows = [row for row in whole.rows if row.department_id == department_id]
    return Ranking(whole.year, whole.as_of, whole.weights, own_rows), every[department_id]


def ranking_csv(found: Ranking, labels: dict[str, str]) -> bytes:
    """The ranking as CSV for the IT-project performance evaluation (政务信息化项目绩效评估): each indicator's
    value and points, the total, and the weight version they were computed with. Metadata only."""
    header = [labels["rank"], labels["department"]]
    for name in rules.INDICATORS:
        header += [labels[name], f"{labels[name]}{labels['points']}"]
    rows = []
    for row in found.rows:
        cells: list[object] = [row.rank, row.department]
        for name in rules.INDICATORS:
            cells += [round(row.score.values[name], 4), row.score.parts.get(name, 0)]
        rows.append([*cells, row.score.total, found.weights.version])
    return console.csv_bytes([*header, labels["total"], labels["weights_version"]], rows)
