"""Pages: login and logout, organisations and users admin, the user's API tokens."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pubdata.common.errors import PubdataError
from pubdata.common.i18n import translate
from pubdata.identity import rules, service
from pubdata.identity.dependencies import SESSION_COOKIE, MaybePagePrincipal, PagePrincipal
from pubdata.web.deps import PlatformDep, SessionDep
from pubdata.web.render import check_csrf, language, render

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]


def _safe_next(target: str) -> str:
    """Only same-site paths, so the login form cannot bounce a user to another site."""
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, principal: MaybePagePrincipal, next: str = "/") -> Response:
    if principal is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", {"next_url": _safe_next(next)})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    platform: PlatformDep,
    login: Field,
    password: Field,
    csrf_token: Field,
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        user = service.authenticate(session, login=login.strip(), password=password)
    except PubdataError:
        session.rollback()
        return render(
            request,
            "login.html",
            {"next_url": _safe_next(next), "login": login, "error": _t(request, "login.failed")},
            status_code=401,
        )
    secret = service.open_web_session(session, user=user, hours=platform.settings.session_hours)
    session.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="lax",
        secure=platform.settings.secure_cookies,
        max_age=platform.settings.session_hours * 3600,
    )
    return response


def _t(request: Request, key: str) -> str:
    return translate(key, language(request))


@router.post("/logout")
def logout(request: Request, session: SessionDep, csrf_token: Field) -> Response:
    check_csrf(request, csrf_token)
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        service.close_web_session(session, secret)
        session.commit()
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _organisations_page(
    request: Request, session, principal, *, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    context = {
        "organisations": service.list_organisations(session, principal=principal),
        "can_create": service.may(principal, "organisation.create", organisation_id=principal.organisation_id),
        "kinds": list(rules.ORGANISATION_KINDS),
        "error": error,
    }
    return render(request, "organisations.html", context, status_code=status_code)


@router.get("/admin/organisations", response_class=HTMLResponse)
def organisations(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    return _organisations_page(request, session, principal)


@router.post("/admin/organisations", response_class=HTMLResponse)
def create_organisation(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    name: Field,
    kind: Field,
    csrf_token: Field,
    credit_code: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        service.require(principal, "organisation.create", organisation_id=principal.organisation_id)
        organisation = service.create_organisation(
            session, actor=principal.actor, kind=kind, name=name, credit_code=credit_code.strip() or None
        )
        session.commit()
    except PubdataError as error:
        session.rollback()
        return _organisations_page(request, session, principal, error=error.detail, status_code=error.status)
    return RedirectResponse(f"/admin/organisations/{organisation.id}", status_code=303)


def _organisation_page(
    request: Request, session, principal, organisation_id: int, *, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    organisation = service.get_organisation(session, principal=principal, organisation_id=organisation_id)
    users = service.list_users(session, principal=principal, organisation_id=organisation_id)
    can_manage = service.may(principal, "user.create", organisation_id=organisation_id)
    context = {
        "organisation": organisation,
        "users": users,
        "can_manage": can_manage,
        "roles": list(rules.ROLES),
        "error": error,
    }
    return render(request, "organisation.html", context, status_code=status_code)


@router.get("/admin/organisations/{organisation_id}", response_class=HTMLResponse)
def organisation(request: Request, session: SessionDep, principal: PagePrincipal, organisation_id: int) -> HTMLResponse:
    return _organisation_page(request, session, principal, organisation_id)


@router.post("/admin/organisations/{organisation_id}/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    organisation_id: int,
    login: Field,
    display_name: Field,
    role: Field,
    password: Field,
    csrf_token: Field,
) -> Response:
    check_csrf(request, csrf_token)
    try:
        service.require(principal, "user.create", organisation_id=organisation_id, what="organisation")
        service.create_user(
            session,
            actor=principal.actor,
            organisation_id=organisation_id,
            login=login.strip(),
            display_name=display_name,
            role=role,
            password=password,
        )
        session.commit()
    except PubdataError as error:
        session.rollback()
        return _organisation_page(
            request, session, principal, organisation_id, error=error.detail, status_code=error.status
        )
    return RedirectResponse(f"/admin/organisations/{organisation_id}", status_code=303)


@router.post("/admin/users/{user_id}/active", response_class=HTMLResponse)
def set_active(
    request: Request, session: SessionDep, principal: PagePrincipal, user_id: int, active: Field, csrf_token: Field
) -> Response:
    check_csrf(request, csrf_token)
    user = service.set_user_active(session, principal=principal, user_id=user_id, active=active == "true")
    session.commit()
    return RedirectResponse(f"/admin/organisations/{user.organisation_id}", status_code=303)


def _tokens_page(request: Request, session, principal, **context) -> HTMLResponse:  # noqa: ANN001
    return render(request, "tokens.html", {"tokens": service.list_tokens(session, principal=principal), **context})


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens(request: Request, session: SessionDep, principal: PagePrincipal) -> HTMLResponse:
    return _tokens_page(request, session, principal)


@router.post("/account/tokens", response_class=HTMLResponse)
def issue_token(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    name: Field,
    csrf_token: Field,
    days: Annotated[int, Form()] = 90,
) -> HTMLResponse:
    check_csrf(request, csrf_token)
    try:
        _, plaintext = service.issue_token(
            session, actor=principal.actor, user_id=principal.user_id, name=name, days=days
        )
        session.commit()
    except PubdataError as error:
        session.rollback()
        return _tokens_page(request, session, principal, error=error.detail)
    # Shown in this one answer only; the page after a reload no longer has it.
    return _tokens_page(request, session, principal, new_token=plaintext)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, session: SessionDep, principal: PagePrincipal, token_id: int, csrf_token: Field
) -> Response:
    check_csrf(request, csrf_token)
    try:
        service.revoke_token(session, principal=principal, token_id=token_id)
        session.commit()
    except PubdataError as error:
        session.rollback()
        return _tokens_page(request, session, principal, error=error.detail)
    return RedirectResponse("/account/tokens", status_code=303)
