"""Demand and scenario commands: post, answer and close a data demand; create, change, submit a scenario plan,
each providing department's opinion, the bureau's decision, revision; and the gate every real use of the data
by a partner (and every job of the operator's own) passes: an approved scenario covering its resources.

Each command checks its permission and writes its ledger entry in the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pubdata.authorization import partners, scope
from pubdata.authorization import rules as authorization_rules
from pubdata.calendar import service as calendar
from pubdata.catalog import service as catalog
from pubdata.common import canonical, clock
from pubdata.common.actor import Actor
from pubdata.common.errors import RefusalEntry, Refused
from pubdata.common.messages import Phrase, Text
from pubdata.common.names import clean, clean_prose
from pubdata.contracts import rules as contract_rules
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import PlatformItself, Principal, Who
from pubdata.jobs import rules as job_rules
from pubdata.ledger import service as ledger
from pubdata.scenarios import rules
from pubdata.scenarios.models import Demand, Scenario, ScenarioOpinion

# --- data demands (数据供需) -------------------------------------------------------------------------------


def post_demand(
    session: Session,
    *,
    principal: Principal,
    title: str,
    data_wanted: str,
    use: str,
    purpose: str,
    answer_days: int = rules.DEMAND_ANSWER_WORKING_DAYS,
) -> Demand:
    """A consumer or a providing department says what data it needs and for what; the operator has
    ``answer_days`` working days to answer."""
    access.require(principal, "demand.post", access.own_organisation(principal))
    title = clean(title, field="title", max_length=200)
    data_wanted = clean_prose(data_wanted, field="data_wanted", max_length=5000, blank=False)
    use = clean_prose(use, field="use", max_length=5000, blank=False)
    if purpose not in contract_rules.PURPOSES:
        raise Refused("demand.purpose")
    _refuse_personal(title=title, data_wanted=data_wanted, use=use)
    now = clock.now()
    demand = Demand(
        poster_id=principal.organisation_id,
        posted_by=principal.user_id,
        title=title,
        data_wanted=data_wanted,
        use=use,
        purpose=purpose,
        state=rules.DEMAND.initial,
        posted_at=now,
        answer_due=rules.answer_due(clock.today(), answer_days, calendar.current(session)),
    )
    session.add(demand)
    ledger.record(
        session,
        actor=principal.actor,
        action="demand.post",
        subject=demand,
        payload={"purpose": purpose, "answer_due": demand.answer_due.isoformat()},
    )
    return demand


DEMAND_FIELDS = {"title": "demand.title_field", "data_wanted": "demand.data_wanted", "use": "demand.use"}


def _refuse_personal(**texts: str) -> None:
    """A demand is shown publicly: text holding anything shaped like a resident ID number or a mobile number
    (after NFKC, separators stripped, as a release check reads a job's output) is refused, naming the field."""
    for field, text in texts.items():
        if job_rules.holds_identifier(text):
            raise Refused("demand.personal", what=Phrase(DEMAND_FIELDS[field]), field=field)


def get_demand(session: Session, *, principal: Who, demand_id: int, permission: str = "demand.read") -> Demand:
    return access.load(session, principal, Demand, demand_id, permission)


def demands_for(session: Session, *, principal: Who) -> list[Demand]:
    """The demands ``principal`` may see: the operator's and the regulators' all, a poster's own; newest first."""
    statement = access.visible(select(Demand), principal, Demand).order_by(Demand.id.desc())
    return list(session.execute(statement).scalars())


def _require_operating(session: Session, principal: Who) -> int | None:
    """The answering operator's organisation, if it holds a live agreement (the platform itself passes)."""
    if isinstance(principal, PlatformItself):
        return None
    if principal.organisation_kind != "operator" or not scope.operating(session, operator_id=principal.organisation_id):
        raise Refused("demand.not-operating")
    return principal.organisation_id


def answer_demand(
    session: Session,
    *,
    principal: Who,
    demand_id: int,
    answer: str,
    scenario_id: int | None = None,
    reason: str = "",
    field: str = "other",
) -> Demand:
    """The operator answers a demand: with one of its own scenario plans (``scenario_id``), with a new draft
    plan made from the demand (``answer="scenario"`` without an id), or with a reasoned refusal."""
    demand = get_demand(session, principal=principal, demand_id=demand_id, permission="demand.answer")
    operator_id = _require_operating(session, principal)
    if answer not in rules.ANSWERS:
        raise Refused("demand.answer")
    reason = clean_prose(reason, field="reason", max_length=5000)
    if not rules.DEMAND.allows(demand.state, "answer"):
        raise rules.DEMAND.refusal(demand.state, "answer")
    if answer == "refused":
        if not reason:
            raise Refused("demand.refusal-reason", field="reason")
        scenario = None
    elif scenario_id is not None:
        scenario = session.get(Scenario, scenario_id)
        if scenario is None or (operator_id is not None and scenario.operator_id != operator_id):
            raise Refused("demand.scenario-not-own")
    else:
        assert isinstance(principal, Principal)
        scenario = create_scenario(
            session,
            principal=principal,
            name=demand.title,
            field=field,
            users="",
            resources=[],
            purpose=demand.purpose,
            benefit=demand.use,
            risk={},
        )
    rules.DEMAND.apply(demand, "answer")
    demand.answer, demand.answer_reason = answer, reason or None
    demand.scenario_id = scenario.id if scenario is not None else None
    demand.answered_by_organisation = principal.organisation_id
    demand.answered_by, demand.answered_at = principal.user_id, clock.now()
    ledger.record(
        session,
        actor=principal.actor,
        action="demand.answer",
        subject=demand,
        payload={"answer": answer, "scenario": demand.scenario_id, "reason": reason},
    )
    return demand


def close_demand(session: Session, *, principal: Who, demand_id: int) -> Demand:
    """The poster closes its demand, answered or not."""
    demand = get_demand(session, principal=principal, demand_id=demand_id, permission="demand.close")
    rules.DEMAND.apply(demand, "close")
    demand.closed_at = clock.now()
    ledger.record(session, actor=principal.actor, action="demand.close", subject=demand)
    return demand


def is_overdue(demand: Demand, today: date | None = None) -> bool:
    return rules.overdue(state=demand.state, answer_due=demand.answer_due, today=today or clock.today())


@dataclass(frozen=True)
class PublicDemand:
    """A demand as the public list shows it: what is needed, for what, by which kind of organisation — never a
    person's name or contact."""

    id: int
    title: str
    data_wanted: str
    use: str
    purpose: str
    state: str
    posted_on: date
    answer_due: date
    poster_kind: str
    poster_name: str
    answer: str | None
    overdue: bool

    def document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "data_wanted": self.data_wanted,
            "use": self.use,
            "purpose": self.purpose,
            "state": self.state,
            "posted_on": self.posted_on.isoformat(),
            "answer_due": self.answer_due.isoformat(),
            "poster_kind": self.poster_kind,
            "poster_name": self.poster_name,
            "answer": self.answer,
            "overdue": self.overdue,
        }


def open_demands(session: Session) -> list[PublicDemand]:
    """The demands not yet closed, newest first, for the public list."""
    statement = select(Demand).where(Demand.state != rules.D.CLOSED.value).order_by(Demand.id.desc())
    found = list(session.execute(statement).scalars())
    names = identity.organisation_names(session, {demand.poster_id for demand in found})
    today = clock.today()
    return [
        PublicDemand(
            id=demand.id,
            title=demand.title,
            data_wanted=demand.data_wanted,
            use=demand.use,
            purpose=demand.purpose,
            state=demand.state,
            posted_on=demand.posted_at.astimezone(clock.SHANGHAI).date(),
            answer_due=demand.answer_due,
            poster_kind=identity.organisation_kind(session, demand.poster_id) or "",
            poster_name=names.get(demand.poster_id, ""),
            answer=demand.answer,
            overdue=is_overdue(demand, today),
        )
        for demand in found
    ]


def overdue_demands(session: Session) -> list[Demand]:
    """Demands still unanswered after their answer day (the operator's and the bureau's to-dos)."""
    statement = select(Demand).where(Demand.state == rules.D.POSTED.value, Demand.answer_due < clock.today())
    return list(session.execute(statement.order_by(Demand.answer_due)).scalars())


def demand_figures(session: Session, *, year: int) -> dict[str, Any]:
    """The demands posted in ``year`` (Asia/Shanghai) and what became of them, for the annual report: posted,
    answered with a scenario, refused, overdue (answered late or still unanswered past the answer day), and the
    same by purpose category."""
    found = [
        demand
        for demand in session.execute(select(Demand)).scalars()
        if demand.posted_at.astimezone(clock.SHANGHAI).year == year
    ]
    today = clock.today()

    def counts(demands: list[Demand]) -> dict[str, int]:
        return {
            "posted": len(demands),
            "answered": sum(1 for demand in demands if demand.answer == "scenario"),
            "refused": sum(1 for demand in demands if demand.answer == "refused"),
            "overdue": sum(
                1
                for demand in demands
                if rules.answered_late(
                    answer_due=demand.answer_due,
                    answered_on=demand.answered_at.astimezone(clock.SHANGHAI).date() if demand.answered_at else None,
                    today=today,
                )
            ),
        }

    return {
        "year": year,
        **counts(found),
        "by_purpose": {
            purpose: counts([demand for demand in found if demand.purpose == purpose])
            for purpose in contract_rules.PURPOSES
        },
    }


# --- scenario plans (场景建设方案) -------------------------------------------------------------------------


def resources_of(scenario: Scenario) -> tuple[str, ...]:
    """The resource codes a scenario plan uses."""
    return tuple(json.loads(scenario.resources or "[]"))


def risk_of(scenario: Scenario) -> dict[str, str]:
    """The plan's risk checklist as answered (item → level)."""
    return dict(json.loads(scenario.risk or "{}"))


def operator_for(session: Session, *, principal: Principal, operator_id: int | None = None) -> int:
    """The operator a proposer's plan is for: the operator itself, or the one that admitted the partner (which
    of several, ``operator_id``)."""
    if principal.organisation_kind == "operator":
        return principal.organisation_id
    admitted = {
        partner.agreement.operator_id
        for partner in partners.admissions(session, principal=principal)
        if partner.organisation_id == principal.organisation_id
        and partner.state == authorization_rules.P.ADMITTED.value
    }
    if operator_id is not None:
        if operator_id not in admitted:
            raise Refused("scenario.no-operator")
        return operator_id
    if not admitted:
        raise Refused("scenario.no-operator")
    if len(admitted) > 1:
        raise Refused("scenario.which-operator")
    return next(iter(admitted))


def _codes(resources: Iterable[str]) -> list[str]:
    return sorted({clean(code, field="resources", max_length=40).upper() for code in resources if code.strip()})


def _require_in_scope(session: Session, *, scenario: Scenario, kind: str, codes: Iterable[str]) -> None:
    """Every resource inside the proposer's authorization scope (and its operator's), or refused naming each
    code that is not."""
    holders = authorization_rules.scope_holders(
        operator_id=scenario.operator_id, organisation_id=scenario.proposer_id, organisation_kind=kind
    )
    outside = [
        code
        for code in codes
        if any(scope.check_use(session, organisation_id=holder, code=code) is not None for holder in holders)
    ]
    if outside:
        raise Refused("scenario.out-of-scope", codes=", ".join(outside))


def _apply_plan(
    scenario: Scenario,
    *,
    name: str,
    field: str,
    users: str,
    codes: list[str],
    purpose: str,
    benefit: str,
    risk: Mapping[str, str],
) -> None:
    if field not in rules.FIELDS:
        raise Refused("scenario.field")
    if purpose not in contract_rules.PURPOSES:
        raise Refused("scenario.purpose")
    _, wrong = rules.risk_problems(risk)
    if wrong:
        raise Refused("scenario.risk-unknown", items=", ".join(wrong))
    scenario.name = clean(name, field="name", max_length=200)
    scenario.field = field
    scenario.users = clean_prose(users, field="users", max_length=5000)
    scenario.resources = json.dumps(codes)
    scenario.purpose = purpose
    scenario.benefit = clean_prose(benefit, field="benefit", max_length=5000)
    scenario.risk = canonical.dumps(dict(risk)).decode("utf-8")
    scenario.risk_level = rules.risk_level(risk) if not rules.risk_problems(risk)[0] else None


def _kind_of(session: Session, organisation_id: int) -> str:
    return identity.organisation_kind(session, organisation_id) or ""


def create_scenario(
    session: Session,
    *,
    principal: Principal,
    name: str,
    field: str,
    users: str,
    resources: Iterable[str],
    purpose: str,
    benefit: str,
    risk: Mapping[str, str],
    operator_id: int | None = None,
) -> Scenario:
    """The operator or one of its admitted partners drafts a scenario plan; its resources must lie inside the
    proposer's authorization scope."""
    access.require(principal, "scenario.propose", access.own_organisation(principal))
    now = clock.now()
    scenario = Scenario(
        code=f"pending-{principal.user_id}-{now.timestamp():.6f}",
        proposer_id=principal.organisation_id,
        operator_id=operator_for(session, principal=principal, operator_id=operator_id),
        proposed_by=principal.user_id,
        state=rules.SCENARIO.initial,
        created_at=now,
    )
    codes = _codes(resources)
    _apply_plan(scenario, name=name, field=field, users=users, codes=codes, purpose=purpose, benefit=benefit, risk=risk)
    _require_in_scope(session, scenario=scenario, kind=principal.organisation_kind, codes=codes)
    session.add(scenario)
    session.flush()
    scenario.code = f"CJ-{clock.today().year}-{scenario.id:04d}"
    ledger.record(
        session,
        actor=principal.actor,
        action="scenario.create",
        subject=scenario,
        payload={"code": scenario.code, "resources": codes},
    )
    return scenario


def get_scenario(session: Session, *, principal: Who, scenario_id: int, permission: str = "scenario.read") -> Scenario:
    """A scenario plan, for its proposer and operator, the regulators, and — once submitted — each department
    whose resources it uses."""
    if permission == "scenario.read" and isinstance(principal, Principal) and principal.organisation_kind == "provider":
        found = session.get(Scenario, scenario_id)
        if (
            found is not None
            and found.state != rules.S.DRAFT.value
            and principal.organisation_id in departments_of(session, found)
        ):
            return found
    return access.load(session, principal, Scenario, scenario_id, permission)


def scenarios_for(session: Session, *, principal: Who) -> list[Scenario]:
    """The plans ``principal`` may see, newest first: the regulators' all, the operator's and a partner's own,
    a department's those using its resources (past draft)."""
    if isinstance(principal, Principal) and principal.organisation_kind == "provider":
        found = session.execute(
            select(Scenario).where(Scenario.state != rules.S.DRAFT.value).order_by(Scenario.id.desc())
        ).scalars()
        return [scenario for scenario in found if principal.organisation_id in departments_of(session, scenario)]
    statement = access.visible(select(Scenario), principal, Scenario).order_by(Scenario.id.desc())
    return list(session.execute(statement).scalars())


def edit_scenario(
    session: Session,
    *,
    principal: Principal,
    scenario_id: int,
    name: str,
    field: str,
    users: str,
    resources: Iterable[str],
    purpose: str,
    benefit: str,
    risk: Mapping[str, str],
) -> Scenario:
    """The proposer changes its draft."""
    scenario = get_scenario(session, principal=principal, scenario_id=scenario_id, permission="scenario.edit")
    if scenario.state != rules.S.DRAFT.value:
        raise Refused("scenario.not-draft")
    codes = _codes(resources)
    _apply_plan(scenario, name=name, field=field, users=users, codes=codes, purpose=purpose, benefit=benefit, risk=risk)
    _require_in_scope(session, scenario=scenario, kind=_kind_of(session, scenario.proposer_id), codes=codes)
    ledger.record(
        session, actor=principal.actor, action="scenario.edit", subject=scenario, payload={"resources": codes}
    )
    return scenario


USERS, BENEFIT = ("使用对象", "the users"), ("预期效益", "the expected benefit")


def submit_scenario(session: Session, *, principal: Who, scenario_id: int) -> Scenario:
    """The proposer hands in a complete draft for the departments' opinions and the bureau's decision."""
    scenario = get_scenario(session, principal=principal, scenario_id=scenario_id, permission="scenario.edit")
    if not rules.SCENARIO.allows(scenario.state, "submit"):
        raise rules.SCENARIO.refusal(scenario.state, "submit")
    codes = resources_of(scenario)
    if not codes:
        raise Refused("scenario.no-resources", field="resources")
    empty = [Text(label) for label, value in ((USERS, scenario.users), (BENEFIT, scenario.benefit)) if not value]
    if empty:
        raise Refused("scenario.incomplete", missing=empty)
    missing, _ = rules.risk_problems(risk_of(scenario))
    if missing:
        raise Refused(
            "scenario.risk-incomplete", missing=[Text(rules.RISK_CHECKLIST[item]) for item in missing], field="risk"
        )
    _require_in_scope(session, scenario=scenario, kind=_kind_of(session, scenario.proposer_id), codes=codes)
    rules.SCENARIO.apply(scenario, "submit")
    scenario.submitted_at = clock.now()
    scenario.risk_level = rules.risk_level(risk_of(scenario))
    ledger.record(
        session,
        actor=principal.actor,
        action="scenario.submit",
        subject=scenario,
        payload={"resources": list(codes), "risk_level": scenario.risk_level},
    )
    return scenario


def departments_of(session: Session, scenario: Scenario) -> set[int]:
    """The providing departments whose resources the plan uses."""
    found = set()
    for code in resources_of(scenario):
        try:
            found.add(catalog.public_get(session, code=code).provider_id)
        except Refused:
            continue  # a resource cancelled since: no department left to ask
    return found


def opinions_of(session: Session, scenario: Scenario) -> list[ScenarioOpinion]:
    statement = select(ScenarioOpinion).where(ScenarioOpinion.scenario_id == scenario.id)
    return list(session.execute(statement.order_by(ScenarioOpinion.id)).scalars())


def give_opinion(
    session: Session, *, principal: Principal, scenario_id: int, opinion: str, reason: str = ""
) -> ScenarioOpinion:
    """A providing department whose resources the plan uses agrees or disagrees (with its reason); it may change
    its opinion while the plan is under review."""
    access.require(principal, "scenario.opinion", access.own_organisation(principal))
    scenario = get_scenario(session, principal=principal, scenario_id=scenario_id)
    if principal.organisation_id not in departments_of(session, scenario):
        raise Refused("scenario.not-department")
    if scenario.state != rules.S.SUBMITTED.value:
        raise Refused("scenario.not-under-review")
    if opinion not in rules.OPINIONS:
        raise Refused("scenario.opinion")
    reason = clean_prose(reason, field="reason", max_length=5000)
    if opinion == "disagree" and not reason:
        raise Refused("scenario.opinion-reason", field="reason")
    given = session.scalar(
        select(ScenarioOpinion).where(
            ScenarioOpinion.scenario_id == scenario.id, ScenarioOpinion.department_id == principal.organisation_id
        )
    )
    if given is None:
        given = ScenarioOpinion(scenario_id=scenario.id, department_id=principal.organisation_id)
        session.add(given)
    given.opinion, given.reason = opinion, reason
    given.given_by, given.given_at = principal.user_id, clock.now()
    ledger.record(
        session,
        actor=principal.actor,
        action="scenario.opinion",
        subject=given,
        payload={"scenario": scenario.id, "opinion": opinion, "reason": reason},
    )
    return given


def decide_scenario(session: Session, *, principal: Who, scenario_id: int, approve: bool, reason: str = "") -> Scenario:
    """The bureau approves (once every providing department has given its opinion; over a disagreement only
    with its reason) or rejects with a reason."""
    scenario = get_scenario(session, principal=principal, scenario_id=scenario_id, permission="scenario.decide")
    event = "approve" if approve else "reject"
    if not rules.SCENARIO.allows(scenario.state, event):
        raise rules.SCENARIO.refusal(scenario.state, event)
    reason = clean_prose(reason, field="reason", max_length=5000)
    if approve:  # as at submission: a resource cancelled or out of scope since would need no department's opinion
        kind = _kind_of(session, scenario.proposer_id)
        _require_in_scope(session, scenario=scenario, kind=kind, codes=resources_of(scenario))
    opinions = {opinion.department_id: opinion.opinion for opinion in opinions_of(session, scenario)}
    problem = rules.decision_problem(
        approve=approve, departments=departments_of(session, scenario), opinions=opinions, reason=reason
    )
    if problem is not None:
        rule, params = problem
        raise Refused(rule, field="reason", **params)
    rules.SCENARIO.apply(scenario, event)
    scenario.decided_at, scenario.decided_by, scenario.reason = clock.now(), principal.user_id, reason or None
    ledger.record(
        session,
        actor=principal.actor,
        action=f"scenario.{event}",
        subject=scenario,
        payload={"reason": reason, "opinions": {str(key): value for key, value in sorted(opinions.items())}},
    )
    return scenario


def revise_scenario(session: Session, *, principal: Who, scenario_id: int) -> Scenario:
    """A rejected plan goes back to draft for its proposer to change and submit again; the departments'
    opinions on it lapse (the next submission asks them again)."""
    scenario = get_scenario(session, principal=principal, scenario_id=scenario_id, permission="scenario.edit")
    rules.SCENARIO.apply(scenario, "revise")
    for opinion in opinions_of(session, scenario):
        ledger.record_removal(
            session,
            actor=principal.actor,
            action="scenario.opinion.withdraw",
            subject=opinion,
            payload={"scenario": scenario.id},
        )
    scenario.submitted_at = scenario.decided_at = scenario.decided_by = None
    ledger.record(session, actor=principal.actor, action="scenario.revise", subject=scenario)
    return scenario


# --- the gate: an approved scenario covering a use -------------------------------------------------------


def approved(session: Session, *, scenario_id: int) -> Scenario:
    """The approved scenario plan ``scenario_id``, or refused."""
    scenario = session.get(Scenario, scenario_id)
    if scenario is None:
        raise Refused("scenario.not-found", what=Text(Scenario.guard.what))
    if scenario.state != rules.S.APPROVED.value:
        raise Refused("scenario.not-approved")
    return scenario


def covering(session: Session, *, operator_id: int, organisation_id: int, codes: Iterable[str]) -> Scenario | None:
    """An approved scenario of this operator, proposed by the operator or by ``organisation_id`` (a partner of
    it), whose resources include every code; the newest such, or None."""
    wanted = set(codes)
    statement = (
        select(Scenario)
        .where(
            Scenario.operator_id == operator_id,
            Scenario.proposer_id.in_({operator_id, organisation_id}),
            Scenario.state == rules.S.APPROVED.value,
        )
        .order_by(Scenario.id.desc())
    )
    for scenario in session.execute(statement).scalars():
        if wanted <= set(resources_of(scenario)):
            return scenario
    return None


def require_covering(
    session: Session, *, operator_id: int, organisation_id: int, codes: Iterable[str], actor: Actor | None
) -> Scenario:
    """``covering``, or refused — recorded in the ledger although the request fails when ``actor`` is given."""
    wanted = sorted(set(codes))
    found = covering(session, operator_id=operator_id, organisation_id=organisation_id, codes=wanted)
    if found is not None:
        return found
    entry = None
    if actor is not None:
        entry = RefusalEntry(
            actor,
            "scenario.use-refused",
            f"organisation:{organisation_id}",
            {"resources": wanted, "operator": operator_id},
        )
    raise Refused("scenario.not-covered", codes=", ".join(wanted), entry=entry)


# --- what waits for whom (the workbenches' to-dos) -------------------------------------------------------


def awaiting_opinion(session: Session, *, department_id: int) -> list[Scenario]:
    """Plans under review that use the department's resources and have no opinion of it yet."""
    given = select(ScenarioOpinion.scenario_id).where(ScenarioOpinion.department_id == department_id)
    statement = select(Scenario).where(Scenario.state == rules.S.SUBMITTED.value, Scenario.id.not_in(given))
    return [
        s
        for s in session.execute(statement.order_by(Scenario.id)).scalars()
        if department_id in departments_of(session, s)
    ]


def awaiting_decision(session: Session) -> list[Scenario]:
    """Plans under review (the bureau's queue)."""
    statement = select(Scenario).where(Scenario.state == rules.S.SUBMITTED.value).order_by(Scenario.id)
    return list(session.execute(statement).scalars())


def count_scenarios(session: Session, *, state: str) -> int:
    return session.scalar(select(func.count(Scenario.id)).where(Scenario.state == state)) or 0


def todos(session: Session, *, principal: Principal) -> list[tuple[str, int, str]]:
    """What waits for ``principal`` here, as (label key, count, page) for its workbench: the operator's demands
    to answer (and how many are overdue) and its plans returned; a partner's plans returned; a department's
    plans awaiting its opinion; the bureau's plans to decide and the overdue demands; a consumer's demands
    answered."""
    kind, own = principal.organisation_kind, principal.organisation_id
    if kind == "operator":
        posted = session.scalar(select(func.count(Demand.id)).where(Demand.state == rules.D.POSTED.value)) or 0
        return [
            ("workbench.operator.demands_to_answer", posted, "/demands"),
            ("workbench.demands_overdue", len(overdue_demands(session)), "/demands"),
            ("workbench.scenarios_returned", _returned(session, own), "/scenarios"),
        ]
    if kind == "partner":
        return [("workbench.scenarios_returned", _returned(session, own), "/scenarios")]
    if kind == "provider":
        waiting = [s.id for s in awaiting_opinion(session, department_id=own)]
        return [("workbench.provider.scenario_opinions", len(waiting), _one_or_list(waiting))]
    if kind == "bureau" and access.may(principal, "scenario.decide"):
        deciding = [s.id for s in awaiting_decision(session)]
        return [
            ("workbench.bureau.scenarios_to_decide", len(deciding), _one_or_list(deciding)),
            ("workbench.demands_overdue", len(overdue_demands(session)), "/demands"),
        ]
    if kind == "consumer":
        answered = select(func.count(Demand.id)).where(Demand.poster_id == own, Demand.state == rules.D.ANSWERED.value)
        return [("workbench.consumer.demands_answered", session.scalar(answered) or 0, "/demands")]
    return []


def _returned(session: Session, organisation_id: int) -> int:
    statement = select(func.count(Scenario.id)).where(
        Scenario.proposer_id == organisation_id, Scenario.state == rules.S.REJECTED.value
    )
    return session.scalar(statement) or 0


def _one_or_list(ids: list[int]) -> str:
    return f"/scenarios/{ids[0]}" if len(ids) == 1 else "/scenarios"
