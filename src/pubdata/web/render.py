"""Templates, language choice and CSRF protection for the server-rendered pages.

CSRF uses the double-submit pattern: an HttpOnly, SameSite=Strict cookie holds a random token and every
form posts it back in a hidden field; a cross-site form can neither read nor set the cookie.
"""

from __future__ import annotations

import hmac
import logging
import math
import secrets
from collections.abc import Callable, Iterable
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
from pubdata.common.money import format_fen
from pubdata.identity import rules as identity_rules
from pubdata.platform import Platform

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
LOG = logging.getLogger(__name__)
CSRF_COOKIE = "pubdata_csrf"
LANG_COOKIE = "pubdata_lang"
# The notice the next page shows after an action (post, redirect, get). The cookie holds only a label's key,
# never text, so nothing a user typed is echoed from it; an unknown key shows nothing.
NOTICE_COOKIE = "pubdata_notice"


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


def num(value: object, digits: int | None = None) -> str:
    """A number as a person reads it: thousands separators, whole numbers without decimals, others with
    ``digits`` decimals (by default two, or three significant digits below one); ``—`` for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    number = float(value)
    if not math.isfinite(number):
        return "—"
    if digits is None and number.is_integer() and abs(number) < 1e15:
        return f"{int(number):,}"
    if digits is None:
        magnitude = abs(number)
        digits = 2 if magnitude >= 1 else max(2, 2 - math.floor(math.log10(magnitude))) if magnitude else 0
    return f"{number:,.{digits}f}"


def error_fields(refusal: Refused | None) -> frozenset[str]:
    """The form fields a refusal names (its ``field``, or each field of a form's problems), so a page can show
    the refusal beside them."""
    if refusal is None:
        return frozenset()
    named: list[object] = [refusal.params.get("field")]
    problems = refusal.params.get("problems")
    if isinstance(problems, Iterable) and not isinstance(problems, str):
        named += [getattr(problem, "params", {}).get("field") for problem in problems]
    return frozenset(str(name) for name in named if name)


def _in_other_language(request: Request, lang: str) -> str:
    switched = request.url.include_query_params(lang="zh-CN" if lang == "en" else "en")
    return f"{switched.path}?{switched.query}"


# Never typed back into a page: secrets, tokens, a person's contact and the form's own token.
_NOT_ECHOED = ("password", "csrf_token", "secret", "token", "contact")


def submitted_values(request: Request, status_code: int) -> Callable[..., Any]:
    """``typed(name, default, action=None)`` for templates: on a page answering a refused form, what the user
    typed in ``name`` (all values when ``many``); else ``default``. A page holding several forms names the one an
    input belongs to by its ``/do/<action>`` address, so a refusal of one form does not fill another."""
    # Starlette keeps the form it parsed for the handler on the request; a page not answering a form has none.
    form = getattr(request, "_form", None) if request.method == "POST" and status_code >= 400 else None

    def typed(name: str, default: Any = "", action: str | None = None, many: bool = False) -> Any:
        if form is None or any(word in name for word in _NOT_ECHOED):
            return default
        if action is not None and not request.url.path.endswith(f"/do/{action}"):
            return default
        if many:
            return [value for value in form.getlist(name) if isinstance(value, str)]
        value = form.get(name)
        return value if isinstance(value, str) else default

    return typed


def render(request: Request, template: str, context: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    """A page in the request's language. A refusal passed as ``error`` is shown by its sentence in that language;
    its rule is kept in the page for support and tests, not shown. A notice left by the last action is shown
    once."""
    lang = language(request)
    refusal = context.get("error")
    fields = error_fields(refusal) if isinstance(refusal, Refused) else frozenset()
    if isinstance(refusal, Refused):
        context = {
            **context,
            "error": refusal.detail_in(lang),
            "rule": context.get("rule") or refusal.rule,
            "error_title": refusal.title_in(lang),
        }
    notice_key = request.cookies.get(NOTICE_COOKIE)
    if notice_key and "notice" not in context and messages.is_label(notice_key):
        context = {**context, "notice": messages.label(notice_key, lang)}
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    page = {
        "request": request,
        "lang": lang,
        "t": lambda key, fields=None: page_label(key, lang, fields),
        "num": num,
        "money": format_fen,  # integer fen as ¥1,234.56
        "kind_name": lambda kind: messages.pick(identity_rules.ORGANISATION_KINDS[kind], lang),
        "role_name": lambda role: messages.pick(identity_rules.ROLES[role], lang),
        # A code's name from any (zh, en) vocabulary a page passes in; unknown codes show as themselves.
        "name_of": lambda vocabulary, code: messages.pick(vocabulary[code], lang) if code in vocabulary else code,
        "local_time": shanghai_time,
        "sentence": lambda rule: rule_sentence(rule, lang),
        "error_fields": fields,
        "typed": submitted_values(request, status_code),
        # The same page in the other language, with the rest of its address (a chosen contract, a page number).
        "other_language": _in_other_language(request, lang),
        "csrf_token": csrf,
        "principal": getattr(request.state, "principal", None),
        **context,
    }
    response = TEMPLATES.TemplateResponse(request, template, page, status_code=status_code)
    # A page is one user's view (a new token's secret, a temporary password, masked previews): never kept by a
    # browser's cache or a proxy, nor shown again by the back button after logging out.
    response.headers["Cache-Control"] = "no-store"
    settings = request.app.state.platform.settings
    if notice_key:
        response.delete_cookie(NOTICE_COOKIE, samesite="lax", secure=settings.secure_cookies)
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=settings.secure_cookies)
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, samesite="lax", max_age=365 * 86400, secure=settings.secure_cookies)
    return response


def render_pdf(request: Request, template: str, context: dict[str, Any]) -> bytes:
    """A page rendered as a PDF by WeasyPrint, in the CJK fonts the machine has (a print template: no script)."""
    from weasyprint import HTML  # imported on first use: it loads Pango

    page = render(request, template, context)
    return HTML(string=bytes(page.body).decode("utf-8"), base_url=str(request.base_url)).write_pdf()


def redirect(url: str, *, secure: bool, notice: str = "notice.done") -> RedirectResponse:
    """Post, redirect, get: the answer to a done action, leaving ``notice`` (a label key) for the next page."""
    if not messages.is_label(notice):  # a programming error, caught by the first test of the action
        raise KeyError(f"no label {notice}")
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(NOTICE_COOKIE, notice, max_age=120, httponly=True, samesite="lax", secure=secure)
    return response


def check_csrf(request: Request, submitted: str) -> None:
    expected = request.cookies.get(CSRF_COOKIE)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise Refused("web.csrf")


T = TypeVar("T")


def act_on(
    platform: Platform,
    command: Callable[[Session], T] | None,
    *,
    action: str,
    then: str | Callable[[T], str],
    show: Callable[[Refused], Response],
    notice: str = "notice.done",
) -> Response:
    """One form of a page, in a command of its own. Done: go to ``then`` (post, redirect, get), where ``notice``
    (a label key) says what was done. Refused: ``show`` the page again with the refusal and what the user typed,
    nothing of the command kept; a hidden object (404) stays a 404, revealing nothing."""
    if command is None:
        raise Refused("web.unknown-action", action=action)
    try:
        with platform.command() as session:
            result = command(session)
    except Refused as error:
        if error.status == 404:
            raise
        return show(error)
    target = then if isinstance(then, str) else then(result)
    return redirect(target, secure=platform.settings.secure_cookies, notice=notice)
