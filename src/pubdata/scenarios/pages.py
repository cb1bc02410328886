"""Demand and scenario-plan pages: the public list of open demands, posting one, the operator's answer; the
scenario plans each viewer works on, the plan form with its risk checklist, the plan's page with the
departments' opinions and the bureau's decision."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from pubdata.catalog import service as catalog
from pubdata.common.bounds import RowId
from pubdata.common.errors import Refused
from pubdata.common.messages import Text
from pubdata.contracts import rules as contract_rules
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import MaybePagePrincipal, PagePrincipal
from pubdata.scenarios import rules
from pubdata.scenarios import service as plans
from pubdata.scenarios.models import Demand, Scenario
from pubdata.web.deps import PlatformDep, ReadSession
from pubdata.web.forms import confirmed, items, row_id
from pubdata.web.render import act_on, check_csrf, render

router = APIRouter(include_in_schema=False)
Form = Any
VOCAB = {
    "rules": rules,
    "purposes": contract_rules.PURPOSES,
    "demand_states": rules.DEMAND.labels(),
    "scenario_states": rules.SCENARIO.labels(),
}


# --- demands ----------------------------------------------------------------------------------------------


def _demands_page(
    request: Request, session: Session, principal: Principal | None, *, error: Refused | None = None
) -> HTMLResponse:
    mine: list[Demand] = []
    if principal is not None and access.may(principal, "demand.post", access.own_organisation(principal)):
        mine = [d for d in plans.demands_for(session, principal=principal) if d.poster_id == principal.organisation_id]
    answering = principal is not None and access.may(principal, "demand.answer", None)
    context = {
        "open": plans.open_demands(session),
        "mine": mine,
        "can_post": principal is not None and access.may(principal, "demand.post", access.own_organisation(principal)),
        "answering": answering,
        "overdue": len(plans.overdue_demands(session)) if answering else 0,
        "error": error,
        **VOCAB,
    }
    return render(request, "scenarios/demands.html", context, status_code=error.status if error else 200)


@router.get("/demands", response_class=HTMLResponse)
def demands_page(request: Request, session: ReadSession, principal: MaybePagePrincipal) -> HTMLResponse:
    """Open demands, for anyone; a poster's own demands and the operator's answers for those logged in."""
    return _demands_page(request, session, principal)


@router.get("/demands/new", response_class=HTMLResponse)
def new_demand_page(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    access.require(principal, "demand.post", access.own_organisation(principal))
    return render(request, "scenarios/demand_form.html", {"error": None, **VOCAB})


@router.post("/demands", response_class=HTMLResponse)
async def post_demand(
    request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    return act_on(
        platform,
        lambda command: plans.post_demand(
            command,
            principal=principal,
            title=str(form.get("title") or ""),
            data_wanted=str(form.get("data_wanted") or ""),
            use=str(form.get("use") or ""),
            purpose=str(form.get("purpose") or ""),
            answer_days=platform.settings.demand_answer_days,
        ),
        action="post",
        then=lambda demand: f"/demands/{demand.id}",
        notice="notice.demand-posted",
        show=lambda error: render(
            request, "scenarios/demand_form.html", {"error": error, **VOCAB}, status_code=error.status
        ),
    )


def _public_demand(session: Session, demand_id: int) -> plans.PublicDemand:
    found = next((demand for demand in plans.open_demands(session) if demand.id == demand_id), None)
    if found is None:
        raise Refused("demand.not-found", what=Text(Demand.guard.what))
    return found


def _demand_page(
    request: Request, session: Session, principal: Principal | None, demand_id: int, *, error: Refused | None = None
) -> HTMLResponse:
    demand: Demand | None = None
    if principal is not None and access.may(principal, "demand.read", session.get(Demand, demand_id)):
        demand = plans.get_demand(session, principal=principal, demand_id=demand_id)
    shown = _public_demand(session, demand_id) if demand is None else None
    can_answer = bool(
        demand is not None
        and principal is not None
        and access.may(principal, "demand.answer", demand)
        and rules.DEMAND.allows(demand.state, "answer")
    )
    own_scenarios = (
        [s for s in plans.scenarios_for(session, principal=principal) if s.operator_id == principal.organisation_id]
        if can_answer and principal is not None
        else []
    )
    context = {
        "demand": demand,
        "shown": shown,
        "poster": identity.organisation_names(session, {demand.poster_id}).get(demand.poster_id) if demand else None,
        "poster_kind": identity.organisation_kind(session, demand.poster_id) if demand else None,
        "overdue": plans.is_overdue(demand) if demand else bool(shown and shown.overdue),
        "can_answer": can_answer,
        "can_close": bool(
            demand is not None
            and principal is not None
            and access.may(principal, "demand.close", demand)
            and rules.DEMAND.allows(demand.state, "close")
        ),
        "own_scenarios": own_scenarios,
        "fields": rules.FIELDS,
        "error": error,
        **VOCAB,
    }
    return render(request, "scenarios/demand.html", context, status_code=error.status if error else 200)


@router.get("/demands/{demand_id}", response_class=HTMLResponse)
def demand_page(
    request: Request, session: ReadSession, principal: MaybePagePrincipal, demand_id: RowId
) -> HTMLResponse:
    return _demand_page(request, session, principal, demand_id)


DEMAND_ACTIONS: dict[str, Callable[[Session, Principal, int, Form], object]] = {
    "answer": lambda s, p, d, f: plans.answer_demand(
        s,
        principal=p,
        demand_id=d,
        answer=str(f.get("answer") or ""),
        scenario_id=row_id(f, "scenario_id"),
        reason=str(f.get("reason") or ""),
        field=str(f.get("field") or "other"),
    ),
    "close": lambda s, p, d, f: plans.close_demand(s, principal=p, demand_id=d),
}


@router.post("/demands/{demand_id}/do/{action}", response_class=HTMLResponse)
async def demand_act(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    demand_id: RowId,
    action: str,
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    command = DEMAND_ACTIONS.get(action)
    return act_on(
        platform,
        (lambda s: command(s, principal, demand_id, form)) if command else None,
        action=action,
        then=f"/demands/{demand_id}",
        show=lambda error: _demand_page(request, session, principal, demand_id, error=error),
    )


# --- scenario plans ---------------------------------------------------------------------------------------


def _names(session: Session, found: list[Scenario]) -> dict[int, str]:
    return identity.organisation_names(session, {s.proposer_id for s in found} | {s.operator_id for s in found})


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios_page(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    """The plans the viewer works on: its own (operator, partner), those awaiting its opinion (a department),
    the review queue (the bureau)."""
    found = plans.scenarios_for(session, principal=principal)
    if principal.organisation_kind == "provider":
        queue = plans.awaiting_opinion(session, department_id=principal.organisation_id)
    elif access.may(principal, "scenario.decide"):
        queue = plans.awaiting_decision(session)
    else:
        queue = []
    context = {
        "scenarios": found,
        "queue": queue,
        "names": _names(session, found),
        "can_propose": access.may(principal, "scenario.propose", access.own_organisation(principal)),
        **VOCAB,
    }
    return render(request, "scenarios/scenarios.html", context)


def _plan_form(form: Form) -> dict[str, Any]:
    return {
        "name": str(form.get("name") or ""),
        "field": str(form.get("field") or ""),
        "users": str(form.get("users") or ""),
        "resources": items(form.get("resources", "")),
        "purpose": str(form.get("purpose") or ""),
        "benefit": str(form.get("benefit") or ""),
        "risk": {item: str(form.get(f"risk_{item}")) for item in rules.RISK_CHECKLIST if form.get(f"risk_{item}")},
    }


def _form_page(
    request: Request, principal: Principal, *, scenario: Scenario | None = None, error: Refused | None = None
) -> HTMLResponse:
    context = {
        "scenario": scenario,
        "resources": ", ".join(plans.resources_of(scenario)) if scenario else "",
        "risk": plans.risk_of(scenario) if scenario else {},
        "error": error,
        **VOCAB,
    }
    return render(request, "scenarios/scenario_form.html", context, status_code=error.status if error else 200)


@router.get("/scenarios/new", response_class=HTMLResponse)
def new_scenario_page(request: Request, principal: PagePrincipal) -> HTMLResponse:
    access.require(principal, "scenario.propose", access.own_organisation(principal))
    return _form_page(request, principal)


@router.post("/scenarios", response_class=HTMLResponse)
async def create_scenario(request: Request, platform: PlatformDep, principal: PagePrincipal) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    return act_on(
        platform,
        lambda command: plans.create_scenario(command, principal=principal, **_plan_form(form)),
        action="create",
        then=lambda scenario: f"/scenarios/{scenario.id}",
        notice="notice.scenario-saved",
        show=lambda error: _form_page(request, principal, error=error),
    )


@router.get("/scenarios/{scenario_id}/edit", response_class=HTMLResponse)
def edit_scenario_page(
    request: Request, session: ReadSession, principal: PagePrincipal, scenario_id: RowId
) -> HTMLResponse:
    scenario = plans.get_scenario(session, principal=principal, scenario_id=scenario_id, permission="scenario.edit")
    if scenario.state != rules.S.DRAFT.value:
        raise Refused("scenario.not-draft")
    return _form_page(request, principal, scenario=scenario)


def _scenario_page(
    request: Request, session: Session, principal: Principal, scenario_id: int, *, error: Refused | None = None
) -> HTMLResponse:
    scenario = plans.get_scenario(session, principal=principal, scenario_id=scenario_id)
    opinions = plans.opinions_of(session, scenario)
    departments = plans.departments_of(session, scenario)
    codes = plans.resources_of(scenario)
    resource_names: dict[str, str | None] = {}
    for code in codes:
        try:
            resource_names[code] = catalog.public_get(session, code=code).name
        except Refused:
            resource_names[code] = None
    names = identity.organisation_names(
        session, {scenario.proposer_id, scenario.operator_id, *departments, *(o.department_id for o in opinions)}
    )
    under_review = scenario.state == rules.S.SUBMITTED.value
    context = {
        "scenario": scenario,
        "codes": codes,
        "resource_names": resource_names,
        "risk": plans.risk_of(scenario),
        "opinions": opinions,
        "departments": sorted(departments),
        "given": {o.department_id for o in opinions},
        "names": names,
        "can_edit": access.may(principal, "scenario.edit", scenario),
        "can_opine": under_review
        and principal.organisation_kind == "provider"
        and principal.organisation_id in departments
        and access.may(principal, "scenario.opinion", access.own_organisation(principal)),
        "can_decide": under_review and access.may(principal, "scenario.decide", scenario),
        "error": error,
        **VOCAB,
    }
    return render(request, "scenarios/scenario.html", context, status_code=error.status if error else 200)


@router.get("/scenarios/{scenario_id}", response_class=HTMLResponse)
def scenario_page(request: Request, session: ReadSession, principal: PagePrincipal, scenario_id: RowId) -> HTMLResponse:
    return _scenario_page(request, session, principal, scenario_id)


SCENARIO_ACTIONS: dict[str, Callable[[Session, Principal, int, Form], object]] = {
    "edit": lambda s, p, i, f: plans.edit_scenario(s, principal=p, scenario_id=i, **_plan_form(f)),
    "submit": lambda s, p, i, f: plans.submit_scenario(s, principal=p, scenario_id=i),
    "opinion": lambda s, p, i, f: plans.give_opinion(
        s, principal=p, scenario_id=i, opinion=str(f.get("opinion") or ""), reason=str(f.get("reason") or "")
    ),
    "approve": lambda s, p, i, f: plans.decide_scenario(
        s, principal=p, scenario_id=i, approve=True, reason=str(f.get("reason") or "")
    ),
    # Rejection asks for the confirmation and its reason (web/_confirm.html).
    "reject": lambda s, p, i, f: plans.decide_scenario(
        s, principal=p, scenario_id=i, approve=False, reason=confirmed(f)
    ),
    "revise": lambda s, p, i, f: plans.revise_scenario(s, principal=p, scenario_id=i),
}


@router.post("/scenarios/{scenario_id}/do/{action}", response_class=HTMLResponse)
async def scenario_act(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    scenario_id: RowId,
    action: str,
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    command = SCENARIO_ACTIONS.get(action)

    def show(error: Refused) -> Response:
        if action == "edit":
            scenario = plans.get_scenario(session, principal=principal, scenario_id=scenario_id)
            return _form_page(request, principal, scenario=scenario, error=error)
        return _scenario_page(request, session, principal, scenario_id, error=error)

    return act_on(
        platform,
        (lambda s: command(s, principal, scenario_id, form)) if command else None,
        action=action,
        then=f"/scenarios/{scenario_id}",
        show=show,
    )
