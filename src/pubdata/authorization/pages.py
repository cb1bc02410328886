"""Authorization pages: the bureau's agreements, deadlines, evaluations and incidents; the operator's side."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pubdata.authorization import rules, service
from pubdata.authorization.models import Evaluation, Incident, SecurityActivity
from pubdata.catalog import rules as catalog_rules
from pubdata.common import clock
from pubdata.common.errors import InvalidInput, PubdataError
from pubdata.identity import service as identity
from pubdata.identity.dependencies import PagePrincipal
from pubdata.identity.service import Principal
from pubdata.web.deps import SessionDep
from pubdata.web.forms import day, items
from pubdata.web.render import act_on, check_csrf, render

router = APIRouter(include_in_schema=False)
VOCAB = {"rules": rules, "catalog_rules": catalog_rules, "activity_kinds": service.ACTIVITY_KINDS}


@router.get("/agreements", response_class=HTMLResponse)
def agreements(
    request: Request, session: SessionDep, principal: PagePrincipal, error: str | None = None
) -> HTMLResponse:
    found = service.list_agreements(session, principal=principal)
    operators = identity.organisation_names(session, {a.operator_id for a in found})
    context = {
        "agreements": found,
        "operators": operators,
        "reminders": service.reminders(session, principal=principal),
        "can_record": identity.may(principal, "authorization.manage", organisation_id=None),
        "error": error,
        "operator_choices": identity.organisations_of_kind(session, "operator"),
        "today": clock.today(),
        **VOCAB,
    }
    return render(request, "agreements.html", context)


def _page(
    request: Request,
    session,
    principal: Principal,
    agreement_id: int,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    agreement = service.get(session, principal=principal, agreement_id=agreement_id)
    partners = service.partners_of(session, agreement.id)
    names = identity.organisation_names(session, {agreement.operator_id, *(p.organisation_id for p in partners)})
    evaluations = list(session.query(Evaluation).filter_by(agreement_id=agreement.id).order_by(Evaluation.id))
    incidents = list(session.query(Incident).filter_by(agreement_id=agreement.id).order_by(Incident.id))
    activities = list(
        session.query(SecurityActivity)
        .filter_by(agreement_id=agreement.id)
        .order_by(SecurityActivity.performed_on.desc())
    )
    own = principal.organisation_id == agreement.operator_id
    context = {
        "agreement": agreement,
        "scope": service.scope_of(agreement),
        "selection": json.loads(agreement.selection),
        "handover": json.loads(agreement.handover),
        "partners": partners,
        "partner_scopes": {p.id: service.scope_of(p) for p in partners},
        "names": names,
        "evaluations": evaluations,
        "incidents": incidents,
        "activities": activities,
        "last_activities": service.last_activities(session, agreement.id),
        "rectification": service.open_rectification(session, agreement.id),
        "is_bureau": identity.may(principal, "authorization.manage", organisation_id=None),
        "can_evaluate": identity.may(principal, "authorization.evaluate", organisation_id=None),
        "is_operator": own and identity.may(principal, "authorization.operate", organisation_id=agreement.operator_id),
        "can_sign": identity.may(
            principal, "authorization.sign", organisation_id=agreement.operator_id if own else None
        ),
        "can_report": identity.may(
            principal, "authorization.report-incident", organisation_id=agreement.operator_id if own else None
        ),
        "partner_candidates": identity.organisations_of_kind(session, "partner") if own else {},
        "renewal_due": rules.renewal_due_by(agreement.expires_on) if agreement.expires_on else None,
        "earliest_exit": rules.earliest_exit(clock.today()),
        "error": error,
        **VOCAB,
    }
    return render(request, "agreement.html", context, status_code=status_code)


@router.get("/agreements/{agreement_id}", response_class=HTMLResponse)
def agreement_page(request: Request, session: SessionDep, principal: PagePrincipal, agreement_id: int) -> HTMLResponse:
    return _page(request, session, principal, agreement_id)


def _scope(form) -> dict[str, Any]:  # noqa: ANN001
    return {
        "resources": items(form.get("resources", "")),
        "sectors": form.getlist("sectors"),
        "max_grade": form.get("max_grade") or "general-4",
    }


# Each form on the agreement page posts to /agreements/{id}/do/{action}; this table says what it calls.
ACTIONS: dict[str, Callable[..., Any]] = {
    "sign": lambda s, p, a, f: service.sign(s, principal=p, agreement_id=a),
    "request_renewal": lambda s, p, a, f: service.request_renewal(s, principal=p, agreement_id=a),
    "approve_renewal": lambda s, p, a, f: service.decide_renewal(
        s, principal=p, agreement_id=a, approve=True, reason=f.get("reason", "")
    ),
    "refuse_renewal": lambda s, p, a, f: service.decide_renewal(
        s, principal=p, agreement_id=a, approve=False, reason=f.get("reason", "")
    ),
    "evaluate": lambda s, p, a, f: service.evaluate(
        s,
        principal=p,
        agreement_id=a,
        period=f.get("period", ""),
        result=f.get("result", ""),
        scores={
            d: {"score": int(f.get(f"score_{d}") or -1), "evidence": f.get(f"evidence_{d}", "")}
            for d in rules.EVALUATION_DIMENSIONS
            if f.get(f"score_{d}")
        },
    ),
    "rectify": lambda s, p, a, f: service.submit_rectification(
        s, principal=p, agreement_id=a, plan=f.get("plan", ""), report=f.get("report", "")
    ),
    "incident": lambda s, p, a, f: service.report_incident(
        s,
        principal=p,
        agreement_id=a,
        description=f.get("description", ""),
        occurred_at=clock.parse_moment(f["occurred_at"]) if f.get("occurred_at") else clock.now(),
    ),
    "decide_incident": lambda s, p, a, f: service.decide_incident(
        s, principal=p, incident_id=int(f.get("incident_id", 0)), bad_impact=f.get("bad_impact") == "yes"
    ),
    "activity": lambda s, p, a, f: service.record_activity(
        s,
        principal=p,
        agreement_id=a,
        kind=f.get("kind", ""),
        performed_on=day(f.get("performed_on", "")),
        summary=f.get("summary", ""),
    ),
    "plan_exit": lambda s, p, a, f: service.plan_exit(
        s, principal=p, agreement_id=a, exit_on=day(f.get("exit_on", "")), plan=f.get("plan", "")
    ),
    "terminate": lambda s, p, a, f: service.terminate_for_violation(
        s, principal=p, agreement_id=a, detail=f.get("detail", "")
    ),
    "handover": lambda s, p, a, f: service.record_handover(
        s, principal=p, agreement_id=a, items=[{"item": f.get("item", ""), "action": f.get("handover_action", "")}]
    ),
    "admit_partner": lambda s, p, a, f: service.admit_partner(
        s, principal=p, agreement_id=a, partner_id=int(f.get("partner_id") or 0), scope=_scope(f)
    ),
    "partner_event": lambda s, p, a, f: service.change_partner(
        s, principal=p, partner_id=int(f.get("partner_id") or 0), event=f.get("event", ""), reason=f.get("reason", "")
    ),
}


@router.post("/agreements/{agreement_id}/do/{action}", response_class=HTMLResponse)
async def act(
    request: Request, session: SessionDep, principal: PagePrincipal, agreement_id: int, action: str
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    command = ACTIONS.get(action)

    def run() -> object:
        try:
            return command(session, principal, agreement_id, form)
        except ValueError:
            raise InvalidInput("web.form", "A number or date in the form is not valid.") from None

    return act_on(
        session,
        command and run,
        action=action,
        what="an agreement",
        then=f"/agreements/{agreement_id}",
        show=lambda error: _page(
            request, session, principal, agreement_id, error=error.detail, status_code=error.status
        ),
    )


@router.post("/agreements", response_class=HTMLResponse)
async def record(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    try:
        agreement = service.record_agreement(
            session,
            principal=principal,
            operator_id=int(form.get("operator_id") or 0),
            tender_reference=form.get("tender_reference", ""),
            selection={key: form.get(f"selection_{key}", "") for key in rules.SELECTION_CONDITIONS},
            scope=_scope(form),
            security_duties=form.get("security_duties", ""),
            partner_conditions=form.get("partner_conditions", ""),
        )
        session.commit()
    except PubdataError as error:
        session.rollback()
        return agreements(request, session, principal, error=error.detail)
    return RedirectResponse(f"/agreements/{agreement.id}", status_code=303)
