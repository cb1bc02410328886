"""Demands and scenario plans API: post, answer and close demands; draft, submit, give opinions on and decide
scenario plans; and the public list of open demands (no login). Refusals answer problem+json."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from pubdata.common.bounds import RowId
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.scenarios import schemas
from pubdata.scenarios import service as plans
from pubdata.scenarios.models import Demand, Scenario, ScenarioOpinion
from pubdata.web.deps import CommandSession, PlatformDep, ReadSession

router = APIRouter(prefix="/api/v1", tags=["scenarios"])
public = APIRouter(prefix="/api/v1/public", tags=["public"])


@router.post("/demands", response_model=schemas.DemandOut, status_code=status.HTTP_201_CREATED)
def post_demand(
    body: schemas.DemandIn, session: CommandSession, platform: PlatformDep, principal: ApiPrincipal
) -> Demand:
    return plans.post_demand(
        session,
        principal=principal,
        title=body.title,
        data_wanted=body.data_wanted,
        use=body.use,
        purpose=body.purpose,
        answer_days=platform.settings.demand_answer_days,
    )


@router.get("/demands", response_model=list[schemas.DemandOut])
def list_demands(session: ReadSession, principal: ApiPrincipal) -> list[Demand]:
    return plans.demands_for(session, principal=principal)


@router.get("/demands/{demand_id}", response_model=schemas.DemandOut)
def get_demand(demand_id: RowId, session: ReadSession, principal: ApiPrincipal) -> Demand:
    return plans.get_demand(session, principal=principal, demand_id=demand_id)


@router.post("/demands/{demand_id}/answer", response_model=schemas.DemandOut)
def answer_demand(demand_id: RowId, body: schemas.AnswerIn, session: CommandSession, principal: ApiPrincipal) -> Demand:
    return plans.answer_demand(
        session,
        principal=principal,
        demand_id=demand_id,
        answer=body.answer,
        scenario_id=body.scenario_id,
        reason=body.reason,
        field=body.field,
    )


@router.post("/demands/{demand_id}/close", response_model=schemas.DemandOut)
def close_demand(demand_id: RowId, session: CommandSession, principal: ApiPrincipal) -> Demand:
    return plans.close_demand(session, principal=principal, demand_id=demand_id)


@public.get("/demands", response_model=list[schemas.PublicDemandOut])
def public_demands(session: ReadSession) -> list[dict[str, Any]]:
    """Open demands (posted or answered, not closed), without any person's name or contact."""
    return [demand.document() for demand in plans.open_demands(session)]


@router.post("/scenarios", response_model=schemas.ScenarioOut, status_code=status.HTTP_201_CREATED)
def create_scenario(body: schemas.ScenarioIn, session: CommandSession, principal: ApiPrincipal) -> Scenario:
    return plans.create_scenario(
        session,
        principal=principal,
        name=body.name,
        field=body.field,
        users=body.users,
        resources=body.resources,
        purpose=body.purpose,
        benefit=body.benefit,
        risk=body.risk,
        operator_id=body.operator_id,
    )


@router.get("/scenarios", response_model=list[schemas.ScenarioOut])
def list_scenarios(session: ReadSession, principal: ApiPrincipal) -> list[Scenario]:
    return plans.scenarios_for(session, principal=principal)


@router.get("/scenarios/{scenario_id}", response_model=schemas.ScenarioOut)
def get_scenario(scenario_id: RowId, session: ReadSession, principal: ApiPrincipal) -> Scenario:
    return plans.get_scenario(session, principal=principal, scenario_id=scenario_id)


@router.put("/scenarios/{scenario_id}", response_model=schemas.ScenarioOut)
def edit_scenario(
    scenario_id: RowId, body: schemas.ScenarioIn, session: CommandSession, principal: ApiPrincipal
) -> Scenario:
    return plans.edit_scenario(
        session,
        principal=principal,
        scenario_id=scenario_id,
        name=body.name,
        field=body.field,
        users=body.users,
        resources=body.resources,
        purpose=body.purpose,
        benefit=body.benefit,
        risk=body.risk,
    )


@router.post("/scenarios/{scenario_id}/submission", response_model=schemas.ScenarioOut)
def submit_scenario(scenario_id: RowId, session: CommandSession, principal: ApiPrincipal) -> Scenario:
    return plans.submit_scenario(session, principal=principal, scenario_id=scenario_id)


@router.get("/scenarios/{scenario_id}/opinions", response_model=list[schemas.OpinionOut])
def opinions(scenario_id: RowId, session: ReadSession, principal: ApiPrincipal) -> list[ScenarioOpinion]:
    return plans.opinions_of(session, plans.get_scenario(session, principal=principal, scenario_id=scenario_id))


@router.post("/scenarios/{scenario_id}/opinions", response_model=schemas.OpinionOut)
def give_opinion(
    scenario_id: RowId, body: schemas.OpinionIn, session: CommandSession, principal: ApiPrincipal
) -> ScenarioOpinion:
    return plans.give_opinion(
        session, principal=principal, scenario_id=scenario_id, opinion=body.opinion, reason=body.reason
    )


@router.post("/scenarios/{scenario_id}/decision", response_model=schemas.ScenarioOut)
def decide_scenario(
    scenario_id: RowId, body: schemas.DecisionIn, session: CommandSession, principal: ApiPrincipal
) -> Scenario:
    return plans.decide_scenario(
        session, principal=principal, scenario_id=scenario_id, approve=body.approve, reason=body.reason
    )


@router.post("/scenarios/{scenario_id}/revision", response_model=schemas.ScenarioOut)
def revise_scenario(scenario_id: RowId, session: CommandSession, principal: ApiPrincipal) -> Scenario:
    return plans.revise_scenario(session, principal=principal, scenario_id=scenario_id)
