"""Authorization API: agreements, signatures, renewal, evaluation, rectification, incidents, exit, partners."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from pubdata.authorization import agreements, deadlines, evaluation, partners, schemas, scope, security
from pubdata.authorization.models import Agreement, Evaluation, Incident, Partner
from pubdata.common.bounds import RowId
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.web.deps import CommandSession, PlatformDep, ReadSession

router = APIRouter(prefix="/api/v1", tags=["authorization"])


@router.post("/agreements", response_model=schemas.AgreementOut, status_code=status.HTTP_201_CREATED)
def record_agreement(body: schemas.AgreementIn, session: CommandSession, principal: ApiPrincipal) -> Agreement:
    return agreements.record_agreement(
        session,
        principal=principal,
        operator_id=body.operator_id,
        tender_reference=body.tender_reference,
        selection=body.selection,
        scope=body.scope,
        security_duties=body.security_duties,
        partner_conditions=body.partner_conditions,
    )


@router.get("/agreements", response_model=list[schemas.AgreementOut])
def list_agreements(session: ReadSession, principal: ApiPrincipal) -> list[Agreement]:
    return agreements.list_agreements(session, principal=principal)


@router.get("/agreements/{agreement_id}", response_model=schemas.AgreementOut)
def get_agreement(agreement_id: RowId, session: ReadSession, principal: ApiPrincipal) -> Agreement:
    return agreements.get(session, principal=principal, agreement_id=agreement_id)


@router.post("/agreements/{agreement_id}/signatures", response_model=schemas.AgreementOut)
def sign(agreement_id: RowId, session: CommandSession, principal: ApiPrincipal) -> Agreement:
    return agreements.sign(session, principal=principal, agreement_id=agreement_id)


@router.post("/agreements/{agreement_id}/renewal", response_model=schemas.AgreementOut)
def request_renewal(agreement_id: RowId, session: CommandSession, principal: ApiPrincipal) -> Agreement:
    return agreements.request_renewal(session, principal=principal, agreement_id=agreement_id)


@router.post("/agreements/{agreement_id}/renewal/decision", response_model=schemas.AgreementOut)
def decide_renewal(
    agreement_id: RowId, body: schemas.RenewalDecisionIn, session: CommandSession, principal: ApiPrincipal
) -> Agreement:
    return agreements.decide_renewal(
        session, principal=principal, agreement_id=agreement_id, approve=body.approve, reason=body.reason
    )


@router.post(
    "/agreements/{agreement_id}/evaluations", response_model=schemas.EvaluationOut, status_code=status.HTTP_201_CREATED
)
def evaluate(
    agreement_id: RowId,
    body: schemas.EvaluationIn,
    session: CommandSession,
    platform: PlatformDep,
    principal: ApiPrincipal,
) -> Evaluation:
    scores = {dimension: score.model_dump() for dimension, score in body.scores.items()}
    return evaluation.evaluate(
        session,
        principal=principal,
        agreement_id=agreement_id,
        period=body.period,
        scores=scores,
        result=body.result,
        override_reason=body.override_reason,
        rule=evaluation.rule_of(platform.settings),
    )


@router.get("/agreements/{agreement_id}/evaluations", response_model=list[schemas.EvaluationOut])
def evaluations(agreement_id: RowId, session: ReadSession, principal: ApiPrincipal) -> list[Evaluation]:
    """The agreement's evaluations, oldest first: scores with evidence, any reason to depart from the rule, the
    rectification plan and report."""
    return evaluation.evaluations_of(session, principal=principal, agreement_id=agreement_id)


@router.post("/agreements/{agreement_id}/rectification", response_model=schemas.EvaluationOut)
def submit_rectification(
    agreement_id: RowId, body: schemas.RectificationIn, session: CommandSession, principal: ApiPrincipal
) -> Evaluation:
    return evaluation.submit_rectification(
        session, principal=principal, agreement_id=agreement_id, plan=body.plan, report=body.report
    )


@router.post(
    "/agreements/{agreement_id}/incidents", response_model=schemas.IncidentOut, status_code=status.HTTP_201_CREATED
)
def report_incident(
    agreement_id: RowId, body: schemas.IncidentIn, session: CommandSession, principal: ApiPrincipal
) -> Incident:
    return evaluation.report_incident(
        session,
        principal=principal,
        agreement_id=agreement_id,
        occurred_at=body.occurred_at,
        description=body.description,
    )


@router.post("/incidents/{incident_id}/decision", response_model=schemas.IncidentOut)
def decide_incident(
    incident_id: RowId, body: schemas.IncidentDecisionIn, session: CommandSession, principal: ApiPrincipal
) -> Incident:
    return evaluation.decide_incident(session, principal=principal, incident_id=incident_id, bad_impact=body.bad_impact)


@router.post("/agreements/{agreement_id}/security-activities", status_code=status.HTTP_201_CREATED)
def record_activity(
    agreement_id: RowId, body: schemas.ActivityIn, session: CommandSession, principal: ApiPrincipal
) -> dict[str, object]:
    activity = security.record_activity(
        session,
        principal=principal,
        agreement_id=agreement_id,
        kind=body.kind,
        performed_on=body.performed_on,
        summary=body.summary,
        evidence=[(item.name, item.sm3) for item in body.evidence],
        findings=body.findings,
        rectification=body.rectification,
        rectification_due=body.rectification_due,
    )
    session.flush()
    return {"id": activity.id, "last": evaluation.last_activities(session, agreement_id)}


@router.post("/security-activities/{activity_id}/rectified")
def record_rectified(
    activity_id: RowId, body: schemas.RectifiedIn, session: CommandSession, principal: ApiPrincipal
) -> dict[str, object]:
    activity = security.record_rectified(session, principal=principal, activity_id=activity_id, note=body.note)
    return {"id": activity.id, "rectified_on": activity.rectified_on}


@router.put("/security-cycles", status_code=status.HTTP_201_CREATED)
def set_cycle(body: schemas.CycleIn, session: CommandSession, principal: ApiPrincipal) -> dict[str, object]:
    """The bureau sets how often drills or risk assessments are due (months); the newest is in force."""
    cycle = security.set_cycle(session, principal=principal, kind=body.kind, months=body.months)
    return {"kind": cycle.kind, "months": cycle.months, "version": cycle.version}


@router.get("/security-duties")
def security_duties(session: ReadSession, principal: ApiPrincipal) -> list[dict[str, object]]:
    """Each live agreement's drills and risk assessments: last done, next due on the bureau's cycle, overdue."""
    return [
        {
            "agreement_id": duty.agreement_id,
            "kind": duty.kind,
            "months": duty.months,
            "last": duty.last,
            "due": duty.due,
            "overdue": duty.overdue,
        }
        for duty in security.duties(session, principal=principal)
    ]


@router.post("/agreements/{agreement_id}/exit-plan", response_model=schemas.AgreementOut)
def plan_exit(
    agreement_id: RowId, body: schemas.ExitPlanIn, session: CommandSession, principal: ApiPrincipal
) -> Agreement:
    return agreements.plan_exit(
        session, principal=principal, agreement_id=agreement_id, exit_on=body.exit_on, plan=body.plan
    )


@router.post("/agreements/{agreement_id}/termination", response_model=schemas.AgreementOut)
def terminate(
    agreement_id: RowId, body: schemas.TerminationIn, session: CommandSession, principal: ApiPrincipal
) -> Agreement:
    return agreements.terminate_for_violation(
        session, principal=principal, agreement_id=agreement_id, detail=body.detail
    )


@router.post("/agreements/{agreement_id}/handover", response_model=schemas.AgreementOut)
def record_handover(
    agreement_id: RowId, body: schemas.HandoverIn, session: CommandSession, principal: ApiPrincipal
) -> Agreement:
    items = [item.model_dump() for item in body.items]
    return agreements.record_handover(session, principal=principal, agreement_id=agreement_id, items=items)


@router.post(
    "/agreements/{agreement_id}/partners", response_model=schemas.PartnerOut, status_code=status.HTTP_201_CREATED
)
def admit_partner(
    agreement_id: RowId, body: schemas.PartnerIn, session: CommandSession, principal: ApiPrincipal
) -> Partner:
    return partners.admit_partner(
        session, principal=principal, agreement_id=agreement_id, partner_id=body.partner_id, scope=body.scope
    )


@router.get("/agreements/{agreement_id}/partners", response_model=list[schemas.PartnerOut])
def list_partners(agreement_id: RowId, session: ReadSession, principal: ApiPrincipal) -> list[Partner]:
    agreement = agreements.get(session, principal=principal, agreement_id=agreement_id)
    return partners.partners_of(session, agreement.id)


@router.post("/partners/{partner_id}/events", response_model=schemas.PartnerOut)
def change_partner(
    partner_id: RowId, body: schemas.PartnerEventIn, session: CommandSession, principal: ApiPrincipal
) -> Partner:
    return partners.change_partner(
        session, principal=principal, partner_id=partner_id, event=body.event, reason=body.reason
    )


@router.get("/reminders")
def reminders(session: ReadSession, principal: ApiPrincipal) -> list[dict[str, Any]]:
    return deadlines.reminders(session, principal=principal)


@router.get("/scope-check/{code}", response_model=schemas.ScopeCheckOut)
def scope_check(code: str, session: ReadSession, principal: ApiPrincipal) -> schemas.ScopeCheckOut:
    """May my organisation use this resource now? A refusal answers 403 with the reason and is recorded."""
    scope.require_use(session, actor=principal.actor, organisation_id=principal.organisation_id, code=code)
    return schemas.ScopeCheckOut(resource=code, allowed=True)


@router.get("/scope", response_model=list[schemas.HeldScopeOut])
def held_scopes(session: ReadSession, principal: ApiPrincipal) -> list[scope.HeldScope]:
    """What the caller's organisation is authorized to use: each agreement or partner admission it holds."""
    return scope.held_scopes(session, principal=principal)
