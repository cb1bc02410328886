"""Contract pages: the list with counters, one contract's terms and remaining budget, proposing, signing, revoking."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from pubdata.common import messages
from pubdata.common.bounds import RowId
from pubdata.common.errors import Refused
from pubdata.contracts import rules, service
from pubdata.contracts.schemas import ROLES, Terms
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import PagePrincipal
from pubdata.web.deps import PlatformDep, ReadSession, attachment
from pubdata.web.forms import day, items, number, row_id, validation_refusal
from pubdata.web.render import act_on, check_csrf, language, render

router = APIRouter(include_in_schema=False)


def _contracts_page(
    request: Request, session: Session, principal: Principal, *, error: Refused | None = None
) -> HTMLResponse:
    found = service.list_for(session, principal=principal)
    names = identity.organisation_names(session, {c.assigner_id for c in found} | {c.assignee_id for c in found})
    can_propose = access.may(principal, "contract.propose", access.own_organisation(principal))
    assignees = (
        {
            **identity.organisations_of_kind(session, "consumer"),
            **identity.organisations_of_kind(session, "partner"),
            # The operator's own development contract (内部开发合约): it offers terms to itself.
            principal.organisation_id: messages.label("contract.internal", language(request)),
        }
        if can_propose
        else {}
    )
    context = {
        "contracts": found,
        "names": names,
        "terms_by_contract": {c.id: service.terms_of(c) for c in found},
        "counters": {c.id: service.counters(c) for c in found},
        "can_propose": can_propose,
        "assignees": assignees,
        "rules": rules,
        "error": error,
    }
    return render(request, "contracts/contracts.html", context, status_code=error.status if error else 200)


@router.get("/contracts", response_class=HTMLResponse)
def contracts_page(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    return _contracts_page(request, session, principal)


def _bounds(text: str) -> dict[str, list[float]]:
    """``income: 0, 50000`` lines → {"income": [0, 50000]}."""
    bounds = {}
    for line in filter(None, (line.strip() for line in text.splitlines())):
        name, _, values = line.partition(":")
        try:
            low, high = (float(part) for part in values.split(","))
        except ValueError:
            raise Refused("web.bounds") from None
        bounds[name.strip()] = [low, high]
    return bounds


def terms_from_form(form: Any) -> Terms:
    """The proposal form's values as the contract's terms."""
    values: dict[str, Any] = {
        "resources": items(form.get("resources")),
        "purpose": form.get("purpose"),
        "output_rule": form.get("output_rule"),
        "valid_from": day(form.get("valid_from")),
        "valid_until": day(form.get("valid_until")),
        "max_calls": number(form, "max_calls"),
        "max_rows": number(form, "max_rows"),
        **{role: items(form.get(role)) or None for role in ROLES},  # empty: the catalogue's default
        "min_group_size": number(form, "min_group_size") or 10,
    }
    if values["output_rule"] == "dp":
        values |= {
            "epsilon": number(form, "epsilon", float),
            "epsilon_per_query": number(form, "epsilon_per_query", float),
            "delta": number(form, "delta", float),
            "bounds": _bounds(str(form.get("bounds") or "")),
            "max_contributions": number(form, "max_contributions") or 1,
        }
    try:
        return Terms.model_validate(values)
    except ValidationError as error:
        raise validation_refusal(error) from None


@router.post("/contracts", response_class=HTMLResponse)
async def propose(request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    return act_on(
        platform,
        lambda command: service.propose(
            command, principal=principal, assignee_id=row_id(form, "assignee_id") or 0, terms=terms_from_form(form)
        ),
        action="propose",
        then=lambda contract: f"/contracts/{contract.id}",
        show=lambda error: _contracts_page(request, session, principal, error=error),
    )


def _page(
    request: Request, session: Session, principal: Principal, contract_id: RowId, *, error: Refused | None = None
) -> HTMLResponse:
    contract = service.get(session, principal=principal, contract_id=contract_id)
    signable = bool(access.signing_sides(principal, contract, service.SIGNING_SIDES))
    context = {
        "contract": contract,
        "terms": service.terms_of(contract),
        "counters": service.counters(contract),
        "rules": rules,
        "names": identity.organisation_names(session, {contract.assigner_id, contract.assignee_id}),
        "can_sign": signable and rules.LIFECYCLE.allows(contract.state, "sign"),
        "can_revoke": "revoke" in access.actions(principal, contract, {"revoke": "contract.revoke"}, rules.LIFECYCLE),
        # The console opens a contract its user asks or develops under: anyone else would meet a 404 there.
        "can_open_console": access.may(principal, "query.run", contract)
        or access.may(principal, "query.develop", contract),
        "error": error,
    }
    return render(request, "contracts/contract.html", context, status_code=error.status if error else 200)


@router.get("/contracts/{contract_id}", response_class=HTMLResponse)
def contract_page(request: Request, session: ReadSession, principal: PagePrincipal, contract_id: RowId) -> HTMLResponse:
    return _page(request, session, principal, contract_id)


@router.get("/contracts/{contract_id}/odrl.json")
def odrl(session: ReadSession, principal: PagePrincipal, contract_id: RowId) -> Response:
    document = service.odrl(session, principal=principal, contract_id=contract_id)
    return attachment(
        json.dumps(document, ensure_ascii=False, default=str),
        filename=f"contract-{contract_id}.odrl.jsonld",
        media_type="application/ld+json",
    )


@router.get("/contracts/{contract_id}/record.json")
def record(session: ReadSession, principal: PagePrincipal, contract_id: RowId) -> Response:
    body = json.dumps(
        service.record_of(session, principal=principal, contract_id=contract_id), ensure_ascii=False, indent=2
    )
    return attachment(body, filename=f"contract-{contract_id}-record.json", media_type="application/json")


@router.post("/contracts/{contract_id}/do/{action}", response_class=HTMLResponse)
async def act(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    contract_id: RowId,
    action: str,
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    reason = str(form.get("reason") or "")
    commands = {
        "sign": lambda command: service.sign(command, principal=principal, contract_id=contract_id),
        "revoke": lambda command: service.revoke(command, principal=principal, contract_id=contract_id, reason=reason),
    }
    return act_on(
        platform,
        commands.get(action),
        action=action,
        then=f"/contracts/{contract_id}",
        show=lambda error: _page(request, session, principal, contract_id, error=error),
    )
