"""Query pages: the console — governed queries on the real data under the output rule, SQL on mock data,
development runs of scripts, and the form that submits a job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from pubdata.common.errors import Refused
from pubdata.contracts import rules as contract_rules
from pubdata.contracts import service as contracts
from pubdata.engines.base import Result
from pubdata.identity import access
from pubdata.identity import service as identity
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import PagePrincipal
from pubdata.jobs import rules as job_rules
from pubdata.jobs import service as jobs
from pubdata.jobs.schemas import DeclaredOutput
from pubdata.platform import Platform
from pubdata.queries import service
from pubdata.web.deps import PlatformDep, ReadSession
from pubdata.web.forms import number, row_id, texts, validation_refusal
from pubdata.web.render import act_on, check_csrf, render

if TYPE_CHECKING:
    from pubdata.contracts.models import Contract

router = APIRouter(include_in_schema=False)
SAMPLE_SCRIPT = """import pandas as pd

people = pd.read_parquet("/data/{table}.parquet")
by_district = people.groupby("district").size().rename("persons").reset_index()
by_district = by_district[by_district["persons"] >= 10]  # the contract's minimum group size
by_district.to_csv("/output/output-1.csv", index=False)  # declared: district:string, persons:integer
print(len(by_district), "districts")
"""


def _shown(value: Any) -> Any:
    """A cell as the service answered it: masked there by its column's declared sensitivity (never here by the
    look of a value, which would mask 房地产业 for a name)."""
    return value


def _usable_contracts(session: Session, principal: Principal) -> list[Contract]:
    return [
        contract
        for contract in contracts.list_for(session, principal=principal)
        if contract.state == contract_rules.C.ACTIVE and access.may(principal, "query.develop", contract)
    ]


def _console(
    request: Request, session: Session, principal: Principal, *, form: dict[str, Any] | None = None, **result: Any
) -> HTMLResponse:
    usable = _usable_contracts(session, principal)
    form = form or {}
    asked = row_id(form, "contract_id") or row_id(dict(request.query_params), "contract_id")
    chosen = asked or (usable[0].id if usable else 0)
    terms = next((contracts.terms_of(c) for c in usable if c.id == chosen), None)
    tables = [service.table_name(code) for code in terms.resources] if terms else []
    error = result.get("error")
    context = {
        "contracts": usable,
        "chosen": chosen,
        "tables": tables,
        "jobs_allowed": terms is None or not terms.is_dp,
        "form": form,
        "allowed": job_rules.ALLOWED_REQUIREMENTS,
        "names": identity.organisation_names(
            session, {c.assignee_id for c in usable} | {c.assigner_id for c in usable}
        ),
        "sample_sql": f"SELECT count(*) AS n FROM {tables[0]}" if tables else "",
        "sample_script": SAMPLE_SCRIPT.format(table=tables[0] if tables else "table"),
        "output_slots": range(1, OUTPUT_SLOTS + 1),
        "output_formats": ("csv", "parquet", "json", "txt"),
        "shown": _shown,
        **result,
    }
    return render(request, "queries/console.html", context, status_code=error.status if error else 200)


@router.get("/console", response_class=HTMLResponse)
def console(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    return _console(request, session, principal)


def _query(platform: Platform, principal: Principal, form: dict[str, Any]) -> Result:
    settings = platform.settings
    contract_id, sql = row_id(form, "contract_id") or 0, str(form.get("sql") or "").strip()
    if not sql:
        raise Refused("web.sql")
    if form.get("data") == "mock":
        return service.dev_query(
            platform,
            principal=principal,
            contract_id=contract_id,
            sql=sql,
            domain_dir=settings.domain_dir,
            mock_dir=settings.mock_dir,
            engine=platform.mock_engine,
        )
    return service.run_query(
        platform, principal=principal, contract_id=contract_id, sql=sql, engine=platform.query_engine
    )


@router.post("/console", response_class=HTMLResponse)
async def console_query(request: Request, platform: PlatformDep, principal: PagePrincipal) -> HTMLResponse:
    form = dict(await request.form())
    check_csrf(request, str(form.get("csrf_token") or ""))
    try:
        result = _query(platform, principal, form)
    except Refused as error:
        with platform.read() as session:
            return _console(request, session, principal, form=form, error=error)
    with platform.read() as session:  # after the query's own transactions: a read that sees them
        return _console(request, session, principal, form=form, result=result, mock=form.get("data") == "mock")


@router.post("/console/run", response_class=HTMLResponse)
async def console_run(request: Request, platform: PlatformDep, principal: PagePrincipal) -> HTMLResponse:
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf_token") or ""))
    requirements = texts(raw.getlist("requirements"))
    form = {**dict(raw), "requirements": requirements}
    settings = platform.settings
    try:
        run = jobs.dev_run(
            platform,
            principal=principal,
            contract_id=row_id(form, "contract_id") or 0,
            kind="python",
            code=str(form.get("code") or ""),
            requirements=requirements,
            domain_dir=settings.domain_dir,
            mock_dir=settings.mock_dir,
            work_dir=settings.work_dir,
        )
    except Refused as error:
        with platform.read() as session:
            return _console(request, session, principal, form=form, error=error)
    with platform.read() as session:
        return _console(request, session, principal, form=form, run=run)


@router.post("/jobs", response_class=HTMLResponse)
async def submit_job(
    request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal
) -> Response:
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf_token") or ""))
    requirements = texts(raw.getlist("requirements"))
    form = {**dict(raw), "requirements": requirements}
    title = str(form.get("title") or "").strip()
    return act_on(
        platform,
        lambda command: jobs.submit(
            command,
            principal=principal,
            contract_id=row_id(form, "contract_id") or 0,
            title=title or _untitled(),
            kind=str(form.get("kind") or ""),
            code=str(form.get("code") or ""),
            requirements=requirements,
            outputs=_declared(form),
        ),
        action="submit",
        then=lambda job: f"/jobs/{job.id}",
        show=lambda error: _console(request, session, principal, form=form, error=error),
    )


def _untitled() -> str:
    raise Refused("job.title")


OUTPUT_SLOTS = 3  # the form offers this many declared outputs; the API takes up to jobs.schemas.MAX_OUTPUTS


def _declared(form: dict[str, Any]) -> list[DeclaredOutput]:
    """The outputs the form declares: for each slot with a format, its columns (``name:type, …``), count column
    and row limit, validated like the API's."""
    declared = []
    for slot in range(1, OUTPUT_SLOTS + 1):
        output_format = str(form.get(f"output_format_{slot}") or "").strip()
        if not output_format:
            continue
        columns = job_rules.columns_from_text(str(form.get(f"output_columns_{slot}") or ""))
        if columns is None:
            raise Refused("job.outputs-form", number=slot)
        body: dict[str, Any] = {"format": output_format, "columns": columns}
        if count := str(form.get(f"output_count_{slot}") or "").strip():
            body["count_column"] = count
        if rows := number(form, f"output_rows_{slot}"):
            body["max_rows"] = rows
        try:
            declared.append(DeclaredOutput.model_validate(body))
        except ValidationError as error:
            raise validation_refusal(error) from None
    return declared
