"""Query pages: the console — governed queries on the real data under the output rule, SQL on mock data,
development runs of scripts, and the form that submits a job."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pubdata.common import masking
from pubdata.common.errors import InvalidInput, PubdataError
from pubdata.common.ids import is_resident_id
from pubdata.contracts import service as contracts
from pubdata.identity import service as identity
from pubdata.identity.dependencies import PagePrincipal
from pubdata.identity.service import Principal
from pubdata.jobs import rules as job_rules
from pubdata.jobs import service as jobs
from pubdata.queries import service
from pubdata.web.deps import PlatformDep, SessionDep
from pubdata.web.render import check_csrf, render

router = APIRouter(include_in_schema=False)
SAMPLE_SCRIPT = """import pandas as pd

people = pd.read_parquet("/data/{table}.parquet")
summary = people.describe(include="number")
summary.to_csv("/output/summary.csv")
print(summary)
"""


def _shown(value: Any) -> Any:
    """Mock rows are invented, but a page never shows anything shaped like a person's number or name."""
    if isinstance(value, str):
        if len(value) == 18 and is_resident_id(value.upper()):
            return masking.mask_id_number(value)
        if job_rules.MOBILE.match(value):
            return masking.mask_mobile(value)
        if job_rules.looks_like_person_name(value):
            return masking.mask_name(value)
    return value


def _usable_contracts(session, principal: Principal) -> list:  # noqa: ANN001
    return [
        c
        for c in contracts.list_for(session, principal=principal)
        if c.state == "active" and principal.organisation_id in (c.assignee_id, c.assigner_id)
    ]


def _console(
    request: Request, session, principal: Principal, *, form: dict[str, Any] | None = None, **result: Any
) -> HTMLResponse:
    usable = _usable_contracts(session, principal)
    form = form or {}
    chosen = int(form.get("contract_id") or request.query_params.get("contract_id") or (usable[0].id if usable else 0))
    terms = next(
        (contracts.terms_of(c) for c in usable if c.id == chosen), {"resources": [], "output_rule": "aggregate"}
    )
    tables = [service.table_name(code) for code in terms["resources"]]
    context = {
        "contracts": usable,
        "chosen": chosen,
        "tables": tables,
        "jobs_allowed": terms["output_rule"] != "dp",
        "form": form,
        "allowed": job_rules.ALLOWED_REQUIREMENTS,
        "names": identity.organisation_names(
            session, {c.assignee_id for c in usable} | {c.assigner_id for c in usable}
        ),
        "sample_sql": f"SELECT count(*) AS n FROM {tables[0]}" if tables else "",
        "sample_script": SAMPLE_SCRIPT.format(table=tables[0] if tables else "table"),
        "shown": _shown,
        **result,
    }
    return render(request, "console.html", context, status_code=result.get("status_code", 200))


@router.get("/console", response_class=HTMLResponse)
def console(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    return _console(request, session, principal)


@router.post("/console", response_class=HTMLResponse)
async def console_query(
    request: Request, session: SessionDep, platform: PlatformDep, principal: PagePrincipal
) -> HTMLResponse:
    form = dict(await request.form())
    check_csrf(request, str(form.get("csrf_token") or ""))
    settings, mock = platform.settings, form.get("data") == "mock"
    try:
        contract_id, sql = int(form.get("contract_id") or 0), str(form.get("sql") or "").strip()
        if not sql:
            raise InvalidInput("web.sql", "Write a query first.")
        if mock:
            result = service.dev_query(
                session,
                principal=principal,
                contract_id=contract_id,
                sql=sql,
                domain_dir=settings.domain_dir,
                mock_dir=settings.mock_dir,
                engine=platform.mock_engine,
            )
        else:
            result = service.run_query(
                session,
                principal=principal,
                contract_id=contract_id,
                sql=sql,
                engine=platform.query_engine,
            )
        session.commit()
    except PubdataError as error:
        session.rollback()
        return _console(
            request, session, principal, form=form, error=error.detail, rule=error.rule, status_code=error.status
        )
    return _console(request, session, principal, form=form, result=result, mock=mock)


@router.post("/console/run", response_class=HTMLResponse)
async def console_run(
    request: Request, session: SessionDep, platform: PlatformDep, principal: PagePrincipal
) -> HTMLResponse:
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf_token") or ""))
    form = {**dict(raw), "requirements": raw.getlist("requirements")}
    settings = platform.settings
    try:
        run = jobs.dev_run(
            session,
            principal=principal,
            contract_id=int(form.get("contract_id") or 0),
            kind="python",
            code=str(form.get("code") or ""),
            requirements=form["requirements"],
            domain_dir=settings.domain_dir,
            mock_dir=settings.mock_dir,
            work_dir=settings.work_dir,
        )
    except PubdataError as error:
        session.rollback()
        return _console(
            request, session, principal, form=form, error=error.detail, rule=error.rule, status_code=error.status
        )
    return _console(request, session, principal, form=form, run=run)


@router.post("/jobs", response_class=HTMLResponse)
async def submit_job(
    request: Request, session: SessionDep, platform: PlatformDep, principal: PagePrincipal
) -> Response:
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf_token") or ""))
    form = {**dict(raw), "requirements": raw.getlist("requirements")}
    try:
        job = jobs.submit(
            session,
            principal=principal,
            contract_id=int(form.get("contract_id") or 0),
            title=str(form.get("title") or "").strip() or _untitled(),
            kind=str(form.get("kind") or ""),
            code=str(form.get("code") or ""),
            requirements=form["requirements"],
        )
        session.commit()
    except PubdataError as error:
        session.rollback()
        return _console(
            request, session, principal, form=form, error=error.detail, rule=error.rule, status_code=error.status
        )
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _untitled() -> str:
    raise InvalidInput("job.title", "Give the job a title.")
