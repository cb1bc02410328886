"""Contract pages: the list with counters, one contract's terms and remaining budget, proposing, signing, revoking."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pubdata.common.errors import InvalidInput, PubdataError
from pubdata.contracts import rules, service
from pubdata.contracts.models import Contract
from pubdata.identity import service as identity
from pubdata.identity.dependencies import PagePrincipal
from pubdata.identity.service import Principal
from pubdata.web.deps import SessionDep, attachment
from pubdata.web.forms import day, items
from pubdata.web.render import act_on, check_csrf, render

router = APIRouter(include_in_schema=False)


def counters(contract: Contract) -> dict[str, Any]:
    """What a contract has left, as the pages show it."""
    budget, spent = contract.epsilon_budget_micro / rules.MICRO, contract.epsilon_spent_micro / rules.MICRO
    return {
        "calls_left": contract.max_calls - contract.calls_used,
        "rows_left": contract.max_rows - contract.rows_used,
        "epsilon_budget": budget,
        "epsilon_spent": spent,
        "epsilon_left": round(budget - spent, 6),
    }


@router.get("/contracts", response_class=HTMLResponse)
def contracts_page(
    request: Request, session: SessionDep, principal: PagePrincipal, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    found = service.list_for(session, principal=principal)
    names = identity.organisation_names(session, {c.assigner_id for c in found} | {c.assignee_id for c in found})
    can_propose = identity.may(principal, "contract.propose", organisation_id=principal.organisation_id)
    assignees = (
        {**identity.organisations_of_kind(session, "consumer"), **identity.organisations_of_kind(session, "partner")}
        if can_propose
        else {}
    )
    context = {
        "contracts": found,
        "names": names,
        "terms": {c.id: service.terms_of(c) for c in found},
        "counters": {c.id: counters(c) for c in found},
        "can_propose": can_propose,
        "assignees": assignees,
        "rules": rules,
        "error": error,
    }
    return render(request, "contracts.html", context, status_code=status_code)


def _numbers(form, key: str, kind=int):  # noqa: ANN001, ANN202
    text = str(form.get(key) or "").strip()
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise InvalidInput("web.number", f"{key} must be a number.") from None


def _bounds(text: str) -> dict[str, list[float]]:
    """``income: 0, 50000`` lines → {"income": [0, 50000]}."""
    bounds = {}
    for line in filter(None, (line.strip() for line in text.splitlines())):
        name, _, values = line.partition(":")
        try:
            low, high = (float(part) for part in values.split(","))
        except ValueError:
            raise InvalidInput("web.bounds", "Write each bound as `column: low, high`.") from None
        bounds[name.strip()] = [low, high]
    return bounds


def terms_from_form(form) -> dict[str, Any]:  # noqa: ANN001
    terms = {
        "resources": items(form.get("resources")),
        "purpose": form.get("purpose"),
        "output_rule": form.get("output_rule"),
        "valid_from": day(form.get("valid_from")).isoformat(),
        "valid_until": day(form.get("valid_until")).isoformat(),
        "max_calls": _numbers(form, "max_calls"),
        "max_rows": _numbers(form, "max_rows"),
        "dimensions": items(form.get("dimensions")),
        "min_group_size": _numbers(form, "min_group_size") or 10,
    }
    if terms["output_rule"] == "dp":
        terms.update(
            epsilon=_numbers(form, "epsilon", float),
            epsilon_per_query=_numbers(form, "epsilon_per_query", float),
            delta=_numbers(form, "delta", float),
            bounds=_bounds(str(form.get("bounds") or "")),
            max_contributions=_numbers(form, "max_contributions") or 1,
        )
    return terms


@router.post("/contracts", response_class=HTMLResponse)
async def propose(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    try:
        contract = service.propose(
            session, principal=principal, assignee_id=_numbers(form, "assignee_id") or 0, terms=terms_from_form(form)
        )
        session.commit()
    except PubdataError as error:
        session.rollback()
        return contracts_page(request, session, principal, error=error.detail, status_code=error.status)
    return RedirectResponse(f"/contracts/{contract.id}", status_code=303)


def _page(
    request: Request,
    session,
    principal: Principal,
    contract_id: int,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    contract = service.get(session, principal=principal, contract_id=contract_id)
    party = principal.organisation_id in (contract.assigner_id, contract.assignee_id)
    context = {
        "contract": contract,
        "terms": service.terms_of(contract),
        "counters": counters(contract),
        "rules": rules,
        "names": identity.organisation_names(session, {contract.assigner_id, contract.assignee_id}),
        "can_sign": party and principal.role == "admin" and contract.state == "proposed",
        "can_revoke": contract.state in ("proposed", "active")
        and (
            principal.organisation_id == contract.assigner_id
            or identity.may(principal, "authorization.manage", organisation_id=None)
        ),
        "is_assignee": principal.organisation_id == contract.assignee_id,
        "error": error,
    }
    return render(request, "contract.html", context, status_code=status_code)


@router.get("/contracts/{contract_id}", response_class=HTMLResponse)
def contract_page(request: Request, session: SessionDep, principal: PagePrincipal, contract_id: int) -> HTMLResponse:
    return _page(request, session, principal, contract_id)


@router.get("/contracts/{contract_id}/odrl.json")
def odrl(session: SessionDep, principal: PagePrincipal, contract_id: int) -> Response:
    document = service.odrl(session, principal=principal, contract_id=contract_id)
    return attachment(
        json.dumps(document, ensure_ascii=False, default=str),
        filename=f"contract-{contract_id}.odrl.jsonld",
        media_type="application/ld+json",
    )


@router.get("/contracts/{contract_id}/record.json")
def record(session: SessionDep, principal: PagePrincipal, contract_id: int) -> Response:
    body = json.dumps(
        service.record_of(session, principal=principal, contract_id=contract_id), ensure_ascii=False, indent=2
    )
    return attachment(body, filename=f"contract-{contract_id}-record.json", media_type="application/json")


@router.post("/contracts/{contract_id}/do/{action}", response_class=HTMLResponse)
async def act(
    request: Request, session: SessionDep, principal: PagePrincipal, contract_id: int, action: str
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    commands = {
        "sign": lambda: service.sign(session, principal=principal, contract_id=contract_id),
        "revoke": lambda: service.revoke(
            session,
            principal=principal,
            contract_id=contract_id,
            reason=str(form.get("reason") or "").strip() or _no_reason(),
        ),
    }
    return act_on(
        session,
        commands.get(action),
        action=action,
        what="a contract",
        then=f"/contracts/{contract_id}",
        show=lambda error: _page(
            request, session, principal, contract_id, error=error.detail, status_code=error.status
        ),
    )


def _no_reason() -> str:
    raise InvalidInput("contract.revoke-reason", "Say why the contract is revoked.")
