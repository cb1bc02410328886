"""Query pages: the console — the contract's tables explained, sample queries, governed queries on the real
data under the output rule (headers in the catalogue's words, a chart, CSV and XLSX, the noise of a DP answer,
the limits near or reached) and, for those who develop (not consumers), SQL on mock data, development runs of
scripts and the form that submits a job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from pubdata.common import messages
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
from pubdata.queries import console, exports, service
from pubdata.web.deps import PlatformDep, ReadSession, attachment
from pubdata.web.forms import number, row_id, texts, validation_refusal
from pubdata.web.render import act_on, check_csrf, language, redirect, render

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


# States a console lists a contract in: active, or used up — then it says which limit was reached.
LISTED = (contract_rules.C.ACTIVE, contract_rules.C.EXHAUSTED)


def _usable_contracts(session: Session, principal: Principal) -> list[Contract]:
    return [
        contract
        for contract in contracts.list_for(session, principal=principal)
        if contract.state in LISTED
        and (access.may(principal, "query.run", contract) or access.may(principal, "query.develop", contract))
    ]


def develops(principal: Principal) -> bool:
    """A consumer (a bank, an agency) uses answers; development on mock data and jobs are for those who build."""
    return principal.organisation_kind != "consumer"


def _chosen(request: Request, usable: list[Contract], form: dict[str, Any]) -> Contract | None:
    """The contract asked for (a form's, else the address's), else the first; one the caller may not use is a
    404, whatever the reason, like a contract that does not exist."""
    asked = row_id(form, "contract_id") if form.get("contract_id") else None
    if asked is None:
        asked = row_id(dict(request.query_params), "contract_id")
    if asked is None:
        return usable[0] if usable else None
    found = next((c for c in usable if c.id == asked), None)
    if found is None:
        raise Refused("console.unknown-contract")
    return found


def _limits(contract: Contract, terms: Any) -> list[console.Limit]:
    return console.limits(
        calls=(contract.calls_used, contract.max_calls),
        rows=(contract.rows_used, contract.max_rows),
        epsilon=(
            contract.epsilon_spent_micro / contract_rules.MICRO,
            contract.epsilon_budget_micro / contract_rules.MICRO,
        )
        if terms.is_dp
        else None,
    )


def _console(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    form: dict[str, Any] | None = None,
    engine: Any = None,
    **result: Any,
) -> HTMLResponse:
    usable = _usable_contracts(session, principal)
    form = form or {}
    contract = _chosen(request, usable, form)
    terms = contracts.terms_of(contract) if contract else None
    tables = service.schema_help(session, terms) if terms else []
    keyed = (
        service.keyed_columns(session, terms, engine)
        if terms and terms.is_dp and len(tables) > 1 and engine is not None
        else frozenset()
    )
    error = result.get("error")
    context = {
        "contracts": usable,
        "chosen": contract.id if contract else 0,
        "contract": contract,
        "terms": terms,
        "tables": tables,
        "samples": console.samples(tables, terms, keyed=keyed) if terms else [],
        "limits": _limits(contract, terms) if contract else [],
        "develops": develops(principal),
        "jobs_allowed": develops(principal) and (terms is None or not terms.is_dp),
        "form": form,
        "allowed": job_rules.ALLOWED_REQUIREMENTS,
        "names": identity.organisation_names(
            session, {c.assignee_id for c in usable} | {c.assigner_id for c in usable}
        ),
        "sample_script": SAMPLE_SCRIPT.format(table=tables[0].name if tables else "table"),
        "output_slots": range(1, OUTPUT_SLOTS + 1),
        "output_formats": tuple(job_rules.OUTPUT_FORMATS),
        "job_rules": job_rules,
        "type_names": TYPE_NAMES,
        "shown": _shown,
        **result,
    }
    return render(request, "queries/console.html", context, status_code=error.status if error else 200)


# The catalogue's types in the console's words (the planner's own names for them).
TYPE_NAMES = {
    name: (messages.label(f"sql.type.{name}", "zh-CN"), messages.label(f"sql.type.{name}", "en"))
    for name in ("string", "integer", "decimal", "date", "timestamp", "boolean")
}


@router.get("/console", response_class=HTMLResponse)
def console_page(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    contract_id: str | None = None,  # as typed: read and refused by ``_chosen``, an HTML 4xx when malformed
    answer: str | None = None,
) -> HTMLResponse:
    """The console; with ``answer``, the page of an answer just asked (post, redirect, get): shown again from
    the kept answer, so that reloading it never asks, nor charges, again."""
    if answer is None:
        return _console(request, session, principal, engine=platform.query_engine)
    kept = exports.taken(principal, answer)
    return _console(
        request, session, principal, form=dict(kept.form), engine=platform.query_engine, export=answer, **kept.page
    )


def _query(platform: Platform, principal: Principal, form: dict[str, Any]) -> Result:
    settings = platform.settings
    contract_id, sql = row_id(form, "contract_id") or 0, str(form.get("sql") or "").strip()
    if not sql:
        raise Refused("web.sql")
    if form.get("data") == "mock":
        if not develops(principal):
            raise Refused("console.no-development")
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


def _spent(contract: Contract | None) -> tuple[int, int]:
    return (contract.calls_used, contract.epsilon_spent_micro) if contract else (0, 0)


def _answer(
    request: Request,
    session: Session,
    principal: Principal,
    form: dict[str, Any],
    result: Result,
    spent: tuple[int, int],
) -> str:
    """Keep what the page shows of an answer — headers in the catalogue's words, a chart when grouped, what
    this call cost — and the query typed; the token shows it again and downloads it."""
    contract_id, mock = row_id(form, "contract_id") or 0, form.get("data") == "mock"
    contract = next((c for c in _usable_contracts(session, principal) if c.id == contract_id), None)
    terms = contracts.terms_of(contract) if contract else None
    plan = service.replan(session, terms, str(form.get("sql") or ""), mock=mock) if terms else None
    labels = {
        (t.name, c.name): c.label for t in (service.schema_help(session, terms) if terms else []) for c in t.columns
    }
    lang = language(request)
    shown_headers = console.headers(
        plan, result.columns, labels, lambda key, fields: messages.label(key, lang).format(**fields)
    )
    rows = [tuple(_shown(v) for v in row) for row in result.rows] if mock else result.rows
    now = _spent(contract)
    page = {
        "result": result,
        "headers": shown_headers,
        "chart": console.chart(plan, shown_headers, rows),
        "noise": _noise(result, shown_headers),
        "cost": {"calls": now[0] - spent[0], "epsilon": (now[1] - spent[1]) / contract_rules.MICRO},
        "mock": mock,
    }
    typed = {"contract_id": str(contract_id), "sql": str(form.get("sql") or ""), "data": "mock" if mock else "real"}
    return exports.keep(principal, contract_id=contract_id, headers=shown_headers, rows=rows, page=page, form=typed)


def _noise(result: Result, headers: list[str]) -> dict[int, dict[str, Any]]:
    """Each noisy output's noise (its Laplace scale, its 95 % half-width when it has one), by column index."""
    outputs = (result.privacy or {}).get("outputs") or {}
    assert isinstance(outputs, dict)
    return {
        index: {"header": headers[index], **outputs[name]}
        for index, name in enumerate(result.columns)
        if name in outputs
    }


@router.post("/console", response_class=HTMLResponse)
async def console_query(request: Request, platform: PlatformDep, principal: PagePrincipal) -> Response:
    form = dict(await request.form())
    check_csrf(request, str(form.get("csrf_token") or ""))
    with platform.read() as session:
        before = _spent(_chosen(request, _usable_contracts(session, principal), form))
    try:
        result = _query(platform, principal, form)
    except Refused as error:
        with platform.read() as session:
            return _console(request, session, principal, form=form, engine=platform.query_engine, error=error)
    with platform.read() as session:  # after the query's own transactions: a read that sees them
        token = _answer(request, session, principal, form, result, before)
    contract_id = row_id(form, "contract_id") or 0
    return redirect(
        f"/console?contract_id={contract_id}&answer={token}",
        secure=platform.settings.secure_cookies,
        notice="console.answered",
    )


@router.get("/console/export/{token}.{kind}")
def export(token: str, kind: str, principal: PagePrincipal) -> Response:
    """The answer the page showed, as a file: from the kept answer, never asked again (see ``exports``)."""
    kept = exports.taken(principal, token)
    name = f"contract-{kept.contract_id}-answer"
    if kind == "csv":
        return attachment(
            console.csv_bytes(kept.headers, kept.rows), filename=f"{name}.csv", media_type="text/csv; charset=utf-8"
        )
    if kind == "xlsx":
        return attachment(
            console.xlsx_bytes(kept.headers, kept.rows, title=f"合约{kept.contract_id}"),
            filename=f"{name}.xlsx",
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    raise Refused("console.export-kind")


@router.post("/console/run", response_class=HTMLResponse)
async def console_run(request: Request, platform: PlatformDep, principal: PagePrincipal) -> HTMLResponse:
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf_token") or ""))
    if not develops(principal):
        raise Refused("console.no-development")
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
            return _console(request, session, principal, form=form, engine=platform.query_engine, error=error)
    with platform.read() as session:
        return _console(request, session, principal, form=form, engine=platform.query_engine, run=run)


@router.post("/jobs", response_class=HTMLResponse)
async def submit_job(
    request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal
) -> Response:
    raw = await request.form()
    check_csrf(request, str(raw.get("csrf_token") or ""))
    if not develops(principal):
        raise Refused("console.no-development")
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
