"""Authorization pages: the bureau's agreements, deadlines, evaluations and incidents; the operator's side."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from pubdata.authorization import agreements, deadlines, evaluation, partners, rules, security
from pubdata.authorization.schemas import Scope
from pubdata.authorization.scope import held_scopes, scope_of
from pubdata.catalog import rules as catalog_rules
from pubdata.common import clock
from pubdata.common.bounds import RowId
from pubdata.common.errors import Refused
from pubdata.common.messages import Phrase
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import PagePrincipal
from pubdata.reports import annual
from pubdata.web.deps import PlatformDep, ReadSession
from pubdata.web.forms import confirmed, day, items, number, row_id, validation_refusal
from pubdata.web.render import act_on, check_csrf, render

router = APIRouter(include_in_schema=False)
VOCAB = {"rules": rules, "catalog_rules": catalog_rules, "activity_kinds": evaluation.ACTIVITY_KINDS}


def _agreements_page(
    request: Request, session: Session, principal: Principal, *, error: Refused | None = None
) -> HTMLResponse:
    found = agreements.list_agreements(session, principal=principal)
    context = {
        "agreements": found,
        "operators": identity.organisation_names(session, {a.operator_id for a in found}),
        "reminders": deadlines.reminders(session, principal=principal),
        "can_record": access.may(principal, "authorization.manage"),
        "error": error,
        "operator_choices": identity.organisations_of_kind(session, "operator"),
        "today": clock.today(),
        **VOCAB,
    }
    return render(request, "authorization/agreements.html", context, status_code=error.status if error else 200)


@router.get("/agreements", response_class=HTMLResponse)
def agreements_page(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    return _agreements_page(request, session, principal)


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    agreement_id: RowId,
    *,
    error: Refused | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    agreement = agreements.get(session, principal=principal, agreement_id=agreement_id)
    found_partners = partners.partners_of(session, agreement.id)
    names = identity.organisation_names(session, {agreement.operator_id, *(p.organisation_id for p in found_partners)})
    is_operator = access.may(principal, "authorization.operate", agreement)
    context = {
        "agreement": agreement,
        "scope": scope_of(agreement).document(),
        "selection": json.loads(agreement.selection),
        "handover": json.loads(agreement.handover),
        "partners": found_partners,
        "partner_scopes": {p.id: scope_of(p).document() for p in found_partners},
        "names": names,
        "evaluations": evaluation.history(session, principal=principal, agreement_id=agreement.id),
        "evaluation_rule": evaluation.rule_of(request.app.state.platform.settings).phrase(),
        "incidents": evaluation.incidents_of(session, principal=principal, agreement_id=agreement.id),
        "activities": evaluation.activities_of(session, principal=principal, agreement_id=agreement.id),
        "last_activities": evaluation.last_activities(session, agreement.id),
        "evidence_of": security.evidence_list,
        # Each evaluated year's facts drafted once for the page, however many evaluations name it.
        "facts_of": cache(
            lambda year: annual.evaluation_evidence(session, operator_id=agreement.operator_id, year=year)
        ),
        "period_year": annual.period_year,
        "this_year": clock.today().year,
        "duties": [d for d in security.duties(session, principal=principal) if d.agreement_id == agreement.id],
        "rectification": evaluation.open_rectification(session, agreement.id),
        "is_bureau": access.may(principal, "authorization.manage", agreement),
        "can_evaluate": access.may(principal, "authorization.evaluate", agreement),
        "is_operator": is_operator,
        "can_sign": bool(access.signing_sides(principal, agreement, agreements.SIGNING_SIDES)),
        "can_report": access.may(principal, "authorization.report-incident", agreement),
        "partner_candidates": identity.organisations_of_kind(session, "partner") if is_operator else {},
        "renewal_due": rules.renewal_due_by(agreement.expires_on) if agreement.expires_on else None,
        "earliest_exit": rules.earliest_exit(clock.today()),
        "error": error,
        # What was typed into a refused form comes back in it (the evaluation form reads it).
        "values": values or {},
        **VOCAB,
    }
    return render(request, "authorization/agreement.html", context, status_code=error.status if error else 200)


@router.get("/agreements/{agreement_id}", response_class=HTMLResponse)
def agreement_page(
    request: Request, session: ReadSession, principal: PagePrincipal, agreement_id: RowId
) -> HTMLResponse:
    return _page(request, session, principal, agreement_id)


def _scope(form) -> Scope:  # noqa: ANN001
    try:
        return Scope(
            resources=tuple(items(form.get("resources", ""))),
            sectors=tuple(form.getlist("sectors")),
            max_grade=form.get("max_grade") or "general-4",
        )
    except ValidationError as error:
        raise validation_refusal(error) from None


def _scores(form) -> dict[str, dict[str, Any]]:  # noqa: ANN001
    return {
        dimension: {"score": number(form, f"score_{dimension}"), "evidence": form.get(f"evidence_{dimension}", "")}
        for dimension in rules.EVALUATION_DIMENSIONS
        if form.get(f"score_{dimension}")
    }


Form = Any


def _evaluate(rule: rules.EvaluationRule) -> Callable[[Session, Principal, int, Form], object]:
    return lambda s, p, a, f: evaluation.evaluate(
        s,
        principal=p,
        agreement_id=a,
        period=f.get("period", ""),
        result=f.get("result", ""),
        scores=_scores(f),
        override_reason=str(f.get("override_reason", "")),
        rule=rule,
    )


# Each form on the agreement page posts to /agreements/{id}/do/{action}; this table says what it calls.
ACTIONS: dict[str, Callable[[Session, Principal, int, Form], object]] = {
    "sign": lambda s, p, a, f: agreements.sign(s, principal=p, agreement_id=a),
    "request_renewal": lambda s, p, a, f: agreements.request_renewal(s, principal=p, agreement_id=a),
    "approve_renewal": lambda s, p, a, f: agreements.decide_renewal(
        s, principal=p, agreement_id=a, approve=True, reason=f.get("reason", "")
    ),
    "refuse_renewal": lambda s, p, a, f: agreements.decide_renewal(
        s, principal=p, agreement_id=a, approve=False, reason=f.get("reason", "")
    ),
    "rectify": lambda s, p, a, f: evaluation.submit_rectification(
        s, principal=p, agreement_id=a, plan=f.get("plan", ""), report=f.get("report", "")
    ),
    "incident": lambda s, p, a, f: evaluation.report_incident(
        s,
        principal=p,
        agreement_id=a,
        description=f.get("description", ""),
        occurred_at=clock.parse_moment(f["occurred_at"]) if f.get("occurred_at") else clock.now(),
    ),
    "decide_incident": lambda s, p, a, f: evaluation.decide_incident(
        s, principal=p, incident_id=row_id(f, "incident_id") or 0, bad_impact=f.get("bad_impact") == "yes"
    ),
    "activity": lambda s, p, a, f: security.record_activity(
        s,
        principal=p,
        agreement_id=a,
        kind=f.get("kind", ""),
        performed_on=day(f.get("performed_on", "")),
        summary=f.get("summary", ""),
        evidence=evidence_lines(f.get("evidence", "")),
        findings=f.get("findings", ""),
        rectification=f.get("rectification", ""),
        rectification_due=day(f["rectification_due"]) if f.get("rectification_due") else None,
    ),
    "rectified": lambda s, p, a, f: security.record_rectified(
        s, principal=p, activity_id=row_id(f, "activity_id") or 0, note=f.get("note", "")
    ),
    "plan_exit": lambda s, p, a, f: agreements.plan_exit(
        s, principal=p, agreement_id=a, exit_on=day(f.get("exit_on", "")), plan=f.get("plan", "")
    ),
    # Ending the authorization cannot be undone: it asks for the confirmation and the violation as its reason.
    "terminate": lambda s, p, a, f: agreements.terminate_for_violation(
        s, principal=p, agreement_id=a, detail=confirmed(f)
    ),
    "handover": lambda s, p, a, f: agreements.record_handover(
        s,
        principal=p,
        agreement_id=a,
        items=[{"item": f.get("item", ""), "action": f.get("handover_action", "")}],
    ),
    "admit_partner": lambda s, p, a, f: partners.admit_partner(
        s, principal=p, agreement_id=a, partner_id=row_id(f, "partner_id") or 0, scope=_scope(f)
    ),
    "partner_event": lambda s, p, a, f: partners.change_partner(
        s, principal=p, partner_id=row_id(f, "partner_id") or 0, event=f.get("event", ""), reason=f.get("reason", "")
    ),
}


# What the page says after an action; the others say the foundation's 操作已完成.
NOTICES = {"evaluate": "notice.evaluation-recorded", "rectify": "notice.rectification-submitted"}


@router.post("/agreements/{agreement_id}/do/{action}", response_class=HTMLResponse)
async def act(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    agreement_id: RowId,
    action: str,
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    command = _evaluate(evaluation.rule_of(platform.settings)) if action == "evaluate" else ACTIONS.get(action)

    def run(command_session: Session) -> object:
        assert command is not None
        try:
            return command(command_session, principal, agreement_id, form)
        except ValueError:  # a date or time that is no date or time, in a form
            raise Refused("web.form") from None

    return act_on(
        platform,
        run if command else None,
        action=action,
        then=f"/agreements/{agreement_id}",
        notice=NOTICES.get(action, "notice.done"),
        show=lambda error: _page(
            request,
            session,
            principal,
            agreement_id,
            error=error,
            values={key: value for key, value in form.items() if isinstance(value, str) and key != "csrf_token"},
        ),
    )


@router.post("/agreements", response_class=HTMLResponse)
async def record(request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    return act_on(
        platform,
        lambda command: agreements.record_agreement(
            command,
            principal=principal,
            operator_id=row_id(form, "operator_id") or 0,
            tender_reference=str(form.get("tender_reference", "")),
            selection={key: str(form.get(f"selection_{key}", "")) for key in rules.SELECTION_CONDITIONS},
            scope=_scope(form),
            security_duties=str(form.get("security_duties", "")),
            partner_conditions=str(form.get("partner_conditions", "")),
        ),
        action="record",
        then=lambda agreement: f"/agreements/{agreement.id}",
        show=lambda error: _agreements_page(request, session, principal, error=error),
    )


# --- the security office's oversight page ------------------------------------------------------------


def _security_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    error: Refused | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    items = evaluation.oversight(session, principal=principal)
    owed = security.duties(session, principal=principal)
    operators = {item.operator_id for item in items} | {duty.operator_id for duty in owed}
    context = {
        "items": items,
        "duties": owed,
        "cycles": security.cycles(session),
        "can_set_cycle": access.may(principal, "authorization.manage"),
        "rectifications": security.open_rectifications(session, principal=principal),
        "operators": identity.organisation_names(session, operators),
        "can_record": access.may(principal, "authorization.security-finding"),
        "error": error,
        "values": values or {},
        **VOCAB,
    }
    return render(request, "authorization/security.html", context, status_code=error.status if error else 200)


@router.get("/security", response_class=HTMLResponse)
def security_page(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    return _security_page(request, session, principal)


@router.post("/security/findings", response_class=HTMLResponse)
async def record_finding(
    request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    kind, item, finding = (str(form.get(key) or "") for key in ("kind", "item_id", "finding"))
    return act_on(
        platform,
        lambda command: evaluation.record_finding(
            command, principal=principal, kind=kind, item_id=row_id(form, "item_id") or 0, finding=finding
        ),
        action="finding",
        then="/security",
        notice="notice.finding-recorded",
        show=lambda error: _security_page(
            request, session, principal, error=error, values={"key": f"{kind}-{item}", "finding": finding}
        ),
    )


@router.post("/security/cycles", response_class=HTMLResponse)
async def set_cycle(
    request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    return act_on(
        platform,
        lambda command: security.set_cycle(
            command, principal=principal, kind=str(form.get("kind") or ""), months=number(form, "months") or 0
        ),
        action="cycle",
        then="/security",
        show=lambda error: _security_page(request, session, principal, error=error),
    )


@router.get("/scope", response_class=HTMLResponse)
def scope_page(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    """The caller's own authorized scope (授权范围): what it may use, under which agreement, until when."""
    held = held_scopes(session, principal=principal)
    context = {
        "held": held,
        "operators": identity.organisation_names(session, {entry.operator_id for entry in held}),
        **VOCAB,
    }
    return render(request, "authorization/scope.html", context)


def evidence_lines(text: str) -> list[tuple[str, str]]:
    """The evidence field: a line per attachment, ``name, SM3 digest`` (the page's script computes the digest
    in the browser from a chosen file, which never leaves it); a line without a comma is refused."""
    pairs = []
    for line in str(text or "").splitlines():
        if not line.strip():
            continue
        name, comma, digest = line.rpartition(",")
        if not comma:
            name, comma, digest = line.rpartition("，")
        if not comma:
            raise Refused("security.evidence", problem=Phrase("security.evidence_digest"), field="evidence")
        pairs.append((name.strip(), digest.strip()))
    return pairs
