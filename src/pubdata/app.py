"""The FastAPI application: API under /api/v1, pages, problem+json errors, body limits."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import duckdb
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pubdata import __version__
from pubdata.authorization import pages as authorization_pages
from pubdata.authorization import routes as authorization_routes
from pubdata.billing import pages as billing_pages
from pubdata.billing import routes as billing_routes
from pubdata.calendar import pages as calendar_pages
from pubdata.calendar import routes as calendar_routes
from pubdata.catalog import pages as catalog_pages
from pubdata.catalog import routes as catalog_routes
from pubdata.common import messages, store
from pubdata.common.errors import Refused
from pubdata.contracts import pages as contract_pages
from pubdata.contracts import routes as contract_routes
from pubdata.identity import pages as identity_pages
from pubdata.identity import routes as identity_routes
from pubdata.identity.dependencies import PASSWORD_PAGE, LoginRequired, PasswordChangeRequired
from pubdata.jobs import pages as job_pages
from pubdata.jobs import routes as job_routes
from pubdata.ledger import pages as ledger_pages
from pubdata.ledger import routes as ledger_routes
from pubdata.platform import Platform
from pubdata.privacy import pages as consent_pages
from pubdata.privacy import routes as consent_routes
from pubdata.privacy import rules as consent_rules
from pubdata.privacy import run_pages as privacy_run_pages
from pubdata.privacy import run_routes as privacy_run_routes
from pubdata.products import call_pages as product_call_pages
from pubdata.products import call_routes as product_call_routes
from pubdata.products import pages as product_pages
from pubdata.products import routes as product_routes
from pubdata.quality import pages as quality_pages
from pubdata.quality import routes as quality_routes
from pubdata.queries import pages as query_pages
from pubdata.queries import routes as query_routes
from pubdata.reports import pages as report_pages
from pubdata.reports import routes as report_routes
from pubdata.scenarios import pages as scenario_pages
from pubdata.scenarios import routes as scenario_routes
from pubdata.web.render import language as render_language
from pubdata.web.render import render
from pubdata.workbench import pages as workbench_pages

log = logging.getLogger("pubdata")
PROBLEM = "application/problem+json"
# What a full or read-only store raises, by layer: the OS, the data engine, the control-plane database.
STORAGE_ERRORS = (store.StorageFault, OSError, duckdb.Error, sqlalchemy.exc.OperationalError)


def problem(refusal: Refused, lang: str) -> JSONResponse:
    """An RFC 9457 problem document in the client's language, naming the rule that refused."""
    body = {
        "type": f"urn:pubdata:rule:{refusal.rule}",
        "title": refusal.title_in(lang),
        "status": refusal.status,
        "detail": refusal.detail_in(lang),
        "rule": refusal.rule,
        **refusal.extra,
    }
    response = JSONResponse(body, status_code=refusal.status, media_type=PROBLEM, headers={"Content-Language": lang})
    if refusal.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


class Problem(BaseModel):
    """What every refusal answers an API client (RFC 9457), besides the fields its rule adds (``errors`` …)."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    rule: str


def document_refusals(document: dict[str, Any]) -> dict[str, Any]:
    """Every operation may be refused by any registered rule (401 without a token, 404 for another's object, 422
    for a malformed body …): document each status a rule declares as problem+json, in place of FastAPI's own 422
    shape, which the platform never answers."""
    statuses = sorted({refusal.status for refusal in messages.refusals()})
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["Problem"] = Problem.model_json_schema()
    refusal = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in statuses:
                if str(status) == "422" or str(status) not in responses:
                    responses[str(status)] = {"description": messages.title(status, "en"), "content": refusal}
    return document


def client_language(headers: Headers) -> str:
    """What an API client asked for (``Accept-Language``); zh-CN by default."""
    return messages.negotiate(headers.get("accept-language"))


# Data uploads (a department's file) may be large; every other body is small.
UPLOAD_PATHS = re.compile(r"^/(api/v1/resources/\d+/versions|catalog/resources/\d+/load)$")
# A signed authorization letter (a scan) is larger than a form, far smaller than a data file.
LETTER_PATHS = re.compile(r"^/(api/v1/)?consents/letters$")
LETTER_BODY_BYTES = consent_rules.LETTER_MAX_BYTES + (1 << 20)  # the letter, and its form's fields beside it
# A privacy-computing run or key: a public CKKS context is about 2 MB and a ciphertext 0.4 MB (16 of them, base64),
# a PSI or lookup message of 50,000 items about 3 MB; each field is bounded again by its shape.
PRIVACY_PATHS = re.compile(r"^/api/v1/products/[^/]+/privacy/(runs|keys)$")
PRIVACY_BODY_BYTES = 64 << 20


class BodyLimit:
    """Refuse bodies over the limit with 413, by Content-Length or while streaming, before a handler runs."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int) -> None:
        self.app, self.limit, self.upload_limit = app, limit, upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = (
            self.upload_limit
            if UPLOAD_PATHS.match(scope["path"])
            else max(self.limit, LETTER_BODY_BYTES)
            if LETTER_PATHS.match(scope["path"])
            else max(self.limit, PRIVACY_BODY_BYTES)
            if PRIVACY_PATHS.match(scope["path"])
            else self.limit
        )
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, receive, send, limit)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        lang = client_language(Headers(scope=scope))
        await problem(Refused("http.body-too-large", limit=limit), lang)(scope, receive, send)


class _TooLarge(Exception):
    """The streamed body passed its limit."""


def _is_page(request: Request) -> bool:
    """Pages answer refusals with a page; the API (and anything machine-facing) with problem+json."""
    return not request.url.path.startswith(("/api/", "/healthz", "/openapi.json", "/static/"))


def _validation_errors(error: RequestValidationError) -> list[dict[str, object]]:
    # Pydantic echoes the offending input; drop it, since it may be a sensitive value.
    return [
        {"loc": [str(part) for part in item.get("loc", ())], "msg": item.get("msg", ""), "type": item.get("type", "")}
        for item in error.errors()
    ]


def _parameter_name(name: object, request: Request) -> str:
    """A page parameter by its name in the page's language (``param.<name>``), else as it is written."""
    key = f"param.{name}"
    return messages.label(key, render_language(request)) if messages.is_label(key) else str(name)


def create_app(platform: Platform) -> FastAPI:
    app = FastAPI(
        title="pubdata",
        version=__version__,
        description="Authorized operation of public data (公共数据资源授权运营): usable, not visible.",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.platform = platform
    openapi = app.openapi

    def documented() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_refusals(openapi())
        return app.openapi_schema

    app.openapi = documented  # type: ignore[method-assign]

    def refused(request: Request, refusal: Refused) -> Response:
        """A browser gets a page, in the page's language; an API client problem+json, in the language it asked for."""
        if _is_page(request):
            return render(request, "web/error.html", {"error": refusal}, status_code=refusal.status)
        return problem(refusal, client_language(request.headers))

    @app.exception_handler(Refused)
    async def _refusal(request: Request, error: Refused) -> Response:
        return refused(request, error)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        errors = _validation_errors(error)
        if any(item["type"] == "json_invalid" for item in errors):
            return refused(request, Refused("http.malformed-json", extra={"errors": errors}))
        if _is_page(request):  # a person reads this: the parameters by name, not the API's error list
            named = (_parameter_name(item["loc"][-1], request) for item in error.errors() if item.get("loc"))
            names = "、".join(dict.fromkeys(named))
            return refused(request, Refused("http.page-invalid", fields=names))
        return refused(request, Refused("http.validation", extra={"errors": errors}))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        rule = f"http.{error.status_code}"
        if not messages.is_refusal(rule):
            rule = "http.400" if error.status_code < 500 else "http.internal"
        return refused(request, Refused(rule))

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, error: LoginRequired) -> RedirectResponse:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def _password(request: Request, error: PasswordChangeRequired) -> RedirectResponse:
        return RedirectResponse(PASSWORD_PAGE, status_code=303)

    @app.exception_handler(Exception)
    async def _crash(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return refused(request, Refused("http.internal"))

    async def _storage(request: Request, error: Exception) -> Response:
        """A full or read-only store answers 507 or 503 with its reason (``common.store``), never as the client's
        fault; the command has rolled back and the load removed its files. Anything else is a crash."""
        fault = store.fault_of(error)
        if fault is None:
            return await _crash(request, error)
        store.log_fault(fault, f"{request.method} {request.url.path}")
        return refused(request, fault)

    for kind in STORAGE_ERRORS:
        app.add_exception_handler(kind, _storage)

    @app.get("/healthz", tags=["platform"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.include_router(identity_routes.router)
    app.include_router(ledger_routes.router)
    app.include_router(catalog_routes.router)
    app.include_router(catalog_routes.public)
    app.include_router(authorization_routes.router)
    app.include_router(contract_routes.router)
    app.include_router(contract_routes.profile)
    app.include_router(query_routes.router)
    app.include_router(job_routes.router)
    app.include_router(product_call_routes.router)
    app.include_router(consent_routes.router)
    app.include_router(privacy_run_routes.router)
    app.include_router(product_routes.router)
    app.include_router(product_routes.public)
    app.include_router(billing_routes.router)
    app.include_router(billing_routes.public)
    app.include_router(scenario_routes.router)
    app.include_router(scenario_routes.public)
    app.include_router(calendar_routes.router)
    app.include_router(quality_routes.router)
    app.include_router(report_routes.router)
    app.include_router(workbench_pages.router)
    app.include_router(identity_pages.router)
    app.include_router(ledger_pages.router)
    app.include_router(catalog_pages.router)
    app.include_router(authorization_pages.router)
    app.include_router(contract_pages.router)
    app.include_router(query_pages.router)
    app.include_router(job_pages.router)
    # Before the products' own pages: /products/subscriptions is not a product's code.
    app.include_router(privacy_run_pages.router)
    app.include_router(product_call_pages.router)
    app.include_router(consent_pages.router)
    app.include_router(product_pages.router)
    app.include_router(billing_pages.router)
    app.include_router(scenario_pages.router)
    app.include_router(calendar_pages.router)
    app.include_router(quality_pages.router)
    app.include_router(report_pages.router)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "web" / "static")), name="static")
    app.add_middleware(
        BodyLimit, limit=platform.settings.max_body_bytes, upload_limit=platform.settings.max_upload_bytes
    )
    return app
