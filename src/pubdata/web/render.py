"""Templates, language choice and CSRF protection for the server-rendered pages.

CSRF uses the double-submit pattern: an HttpOnly, SameSite=Strict cookie holds a random token and every
form posts it back in a hidden field; a cross-site form can neither read nor set the cookie.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from pubdata.common import clock, messages
from pubdata.common.errors import Refused
from pubdata.db import UnitOfWork
from pubdata.identity import rules as identity_rules

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
LOG = logging.getLogger(__name__)
CSRF_COOKIE = "pubdata_csrf"
LANG_COOKIE = "pubdata_lang"


def language(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return messages.language(chosen)


def shanghai_time(moment: datetime | str | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def page_label(key: str, lang: str, fields: dict[str, Any] | None = None) -> str:
    """A label for a template, with its {fields} filled when the page passes them (plain text: Jinja still
    escapes it). An undeclared key shows as itself, so one missing word never costs the whole page; the page
    tests find it by its shape (``tests/pages.py``) and the log names it."""
    if not messages.is_label(key):
        LOG.warning("page label %r is not declared", key)
        return key
    text = messages.label(key, lang)
    return text.format(**fields) if fields else text


def rule_sentence(rule: str | None, lang: str) -> str | None:
    """A recorded rule's sentence in the page's language, when it needs no parameters (a job's outcome keeps
    only its rule and an English detail); None otherwise, for the page to show what was recorded."""
    if not rule or not messages.is_refusal(rule) or messages.refusal(rule).parameters:
        return None
    return messages.refusal(rule).sentence(lang, {})


def num(value: Any, digits: int | None = None) -> str:
    """A number as a page shows it: thousands separators, ``digits`` decimals when given (otherwise an integer
    as it is, a number above one with at most two decimals, a smaller one with three significant digits), and
    ``—`` for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        try:
            value = Decimal(str(value))
        except ArithmeticError:
            return str(value)
    if digits is not None:
        return f"{value:,.{digits}f}"
    if isinstance(value, int) or (not isinstance(value, float) and value == value.to_integral_value()):
        return f"{int(value):,}"
    if abs(float(value)) < 1:
        return f"{float(value):.3g}"  # 0.000123, a δ of 1e-06: their significant digits, not zeros
    return f"{value:,.2f}".rstrip("0").rstrip(".")


TEMPLATES.env.filters["num"] = num  # {{ value|num }} as well as {{ num(value) }}


def render(request: Request, template: str, context: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    """A page in the request's language. A refusal passed as ``error`` is shown by its sentence in that language,
    with its rule."""
    lang = language(request)
    refusal = context.get("error")
    if isinstance(refusal, Refused):
        context = {**context, "error": refusal.detail_in(lang), "rule": context.get("rule") or refusal.rule}
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    page = {
        "request": request,
        "lang": lang,
        "t": lambda key, fields=None: page_label(key, lang, fields),
        "num": num,
        "kind_name": lambda kind: messages.pick(identity_rules.ORGANISATION_KINDS[kind], lang),
        "role_name": lambda role: messages.pick(identity_rules.ROLES[role], lang),
        # A code's name from any (zh, en) vocabulary a page passes in; unknown codes show as themselves.
        "name_of": lambda vocabulary, code: messages.pick(vocabulary[code], lang) if code in vocabulary else code,
        "local_time": shanghai_time,
        "sentence": lambda rule: rule_sentence(rule, lang),
        "csrf_token": csrf,
        "principal": getattr(request.state, "principal", None),
        **context,
    }
    response = TEMPLATES.TemplateResponse(request, template, page, status_code=status_code)
    settings = request.app.state.platform.settings
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=settings.secure_cookies)
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, samesite="lax", max_age=365 * 86400, secure=settings.secure_cookies)
    return response


def check_csrf(request: Request, submitted: str) -> None:
    expected = request.cookies.get(CSRF_COOKIE)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise Refused("web.csrf")


T = TypeVar("T")


def act_on(
    platform: UnitOfWork,
    command: Callable[[Session], T] | None,
    *,
    action: str,
    then: str | Callable[[T], str],
    show: Callable[[Refused], Response],
) -> Response:
    """One form of a page, in a command of its own. Done: go to ``then`` (post, redirect, get). Refused: ``show``
    the page again with the refusal, nothing of the command kept; a hidden object (404) stays a 404, revealing
    nothing."""
    if command is None:
        raise Refused("web.unknown-action", action=action)
    try:
        with platform.command() as session:
            result = command(session)
    except Refused as error:
        if error.status == 404:
            raise
        return show(error)
    return RedirectResponse(then if isinstance(then, str) else then(result), status_code=303)
