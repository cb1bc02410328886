"""Pages: login and logout, organisations and users admin, the user's API tokens."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from pubdata.common import messages
from pubdata.common.bounds import RowId
from pubdata.common.errors import Refused
from pubdata.identity import access, rules, service
from pubdata.identity.access import Principal
from pubdata.identity.dependencies import PASSWORD_PAGE, SESSION_COOKIE, MaybePagePrincipal, PagePrincipal
from pubdata.web.deps import PlatformDep, ReadSession
from pubdata.web.forms import confirmed
from pubdata.web.render import act_on, check_csrf, language, render

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
    return render(request, "identity/login.html", {"next_url": _safe_next(next)})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    platform: PlatformDep,
    login: Field,
    password: Field,
    csrf_token: Field,
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        with platform.command() as session:
            user = service.authenticate(session, login=login.strip(), password=password)
            secret = service.open_web_session(session, user=user, hours=platform.settings.session_hours)
    except Refused:
        context = {
            "next_url": _safe_next(next),
            "login": login,
            "error": messages.label("login.failed", language(request)),
        }
        return render(request, "identity/login.html", context, status_code=401)
    # A temporary password from an admin's reset is replaced first.
    response = RedirectResponse(PASSWORD_PAGE if user.must_change_password else _safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="lax",
        secure=platform.settings.secure_cookies,
        max_age=platform.settings.session_hours * 3600,
    )
    return response


@router.post("/logout")
def logout(request: Request, platform: PlatformDep, csrf_token: Field) -> Response:
    check_csrf(request, csrf_token)
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        with platform.command() as session:
            service.close_web_session(session, secret)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _organisations_page(
    request: Request, session: Session, principal: Principal, *, error: Refused | None = None
) -> HTMLResponse:
    context = {
        "organisations": service.list_organisations(session, principal=principal),
        "can_create": access.may(principal, "organisation.create"),
        "kinds": list(rules.ORGANISATION_KINDS),
        "error": error,
    }
    return render(request, "identity/organisations.html", context, status_code=error.status if error else 200)


@router.get("/admin/organisations", response_class=HTMLResponse)
def organisations(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    return _organisations_page(request, session, principal)


@router.post("/admin/organisations", response_class=HTMLResponse)
def create_organisation(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    name: Field,
    kind: Field,
    csrf_token: Field,
    credit_code: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    return act_on(
        platform,
        lambda command: service.create_organisation(
            command, principal=principal, kind=kind, name=name, credit_code=credit_code.strip() or None
        ),
        action="create",
        then=lambda organisation: f"/admin/organisations/{organisation.id}",
        show=lambda error: _organisations_page(request, session, principal, error=error),
    )


def _organisation_page(
    request: Request, session: Session, principal: Principal, organisation_id: RowId, *, error: Refused | None = None
) -> HTMLResponse:
    organisation = service.get_organisation(session, principal=principal, organisation_id=organisation_id)
    context = {
        "organisation": organisation,
        "users": service.list_users(session, principal=principal, organisation_id=organisation_id),
        "can_manage": access.may(principal, "user.create", organisation),
        # Only an admin of the organisation itself resets its members' passwords (not the bureau's, for others).
        "can_reset": organisation.id == principal.organisation_id
        and access.may(principal, "user.update", organisation),
        "roles": list(rules.ROLES),
        "error": error,
    }
    return render(request, "identity/organisation.html", context, status_code=error.status if error else 200)


@router.get("/admin/organisations/{organisation_id}", response_class=HTMLResponse)
def organisation(
    request: Request, session: ReadSession, principal: PagePrincipal, organisation_id: RowId
) -> HTMLResponse:
    return _organisation_page(request, session, principal, organisation_id)


@router.post("/admin/organisations/{organisation_id}/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    organisation_id: RowId,
    login: Field,
    display_name: Field,
    role: Field,
    password: Field,
    csrf_token: Field,
) -> Response:
    check_csrf(request, csrf_token)
    return act_on(
        platform,
        lambda command: service.create_user(
            command,
            principal=principal,
            organisation_id=organisation_id,
            login=login.strip(),
            display_name=display_name,
            role=role,
            password=password,
        ),
        action="create_user",
        then=f"/admin/organisations/{organisation_id}",
        show=lambda error: _organisation_page(request, session, principal, organisation_id, error=error),
    )


@router.post("/admin/users/{user_id}/active", response_class=HTMLResponse)
def set_active(
    request: Request, platform: PlatformDep, principal: PagePrincipal, user_id: RowId, active: Field, csrf_token: Field
) -> Response:
    check_csrf(request, csrf_token)
    with platform.command() as session:
        user = service.set_user_active(session, principal=principal, user_id=user_id, active=active == "true")
    return RedirectResponse(f"/admin/organisations/{user.organisation_id}", status_code=303)


def _tokens_page(request: Request, session: Session, principal: Principal, **context: object) -> HTMLResponse:
    error = context.get("error")
    return render(
        request,
        "identity/tokens.html",
        {"tokens": service.list_tokens(session, principal=principal), **context},
        status_code=error.status if isinstance(error, Refused) else 200,
    )


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    return _tokens_page(request, session, principal)


@router.post("/account/tokens", response_class=HTMLResponse)
def issue_token(
    request: Request,
    platform: PlatformDep,
    principal: PagePrincipal,
    name: Field,
    csrf_token: Field,
    days: Annotated[int, Form()] = 90,
) -> HTMLResponse:
    check_csrf(request, csrf_token)
    try:
        with platform.command() as session:
            _, plaintext = service.issue_token(
                session, principal=principal, user_id=principal.user_id, name=name, days=days
            )
    except Refused as error:
        with platform.read() as session:
            return _tokens_page(request, session, principal, error=error)
    # Shown in this one answer only; the page after a reload no longer has it.
    with platform.read() as session:
        return _tokens_page(request, session, principal, new_token=plaintext)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    request: Request,
    session: ReadSession,
    platform: PlatformDep,
    principal: PagePrincipal,
    token_id: RowId,
    csrf_token: Field,
) -> Response:
    check_csrf(request, csrf_token)
    return act_on(
        platform,
        lambda command: service.revoke_token(command, principal=principal, token_id=token_id),
        action="revoke",
        then="/account/tokens",
        show=lambda error: _tokens_page(request, session, principal, error=error),
    )


# --- passwords -------------------------------------------------------------------------------------------


def _password_page(
    request: Request, principal: Principal, *, error: Refused | None = None, status_code: int = 200
) -> HTMLResponse:
    # Passwords are never put back into the form: a refused one is typed again.
    context = {"min_length": rules.PASSWORD_MIN_LENGTH, "must_change": principal.must_change_password, "error": error}
    return render(request, "identity/password.html", context, status_code=error.status if error else status_code)


@router.get(PASSWORD_PAGE, response_class=HTMLResponse)
def password_page(request: Request, principal: PagePrincipal) -> HTMLResponse:
    return _password_page(request, principal)


@router.post(PASSWORD_PAGE, response_class=HTMLResponse)
def change_password(
    request: Request,
    platform: PlatformDep,
    principal: PagePrincipal,
    csrf_token: Field,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    new_password_again: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)

    def command(session: Session) -> object:
        if new_password != new_password_again:
            raise Refused("identity.password-mismatch", field="new_password_again")
        return service.change_password(
            session,
            principal=principal,
            current_password=current_password,
            new_password=new_password,
            keep_session=request.cookies.get(SESSION_COOKIE),
        )

    return act_on(
        platform,
        command,
        action="change_password",
        then="/",
        notice="password.changed",
        show=lambda error: _password_page(request, principal, error=error),
    )


@router.post("/admin/users/{user_id}/password-reset", response_class=HTMLResponse)
async def reset_password(
    request: Request, session: ReadSession, platform: PlatformDep, principal: PagePrincipal, user_id: RowId
) -> Response:
    """The temporary password is in this one answer only (like a new token): a reload does not show it again.
    Irreversible (the colleague's password and logins are gone), so confirmed with a reason."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    try:
        reason = confirmed(form)
        with platform.command() as command:
            user, temporary = service.reset_colleague_password(
                command, principal=principal, user_id=user_id, reason=reason
            )
            organisation_id, login = user.organisation_id, user.login
    except Refused as error:
        if error.status == 404:
            raise
        return _organisation_page(request, session, principal, principal.organisation_id, error=error)
    context = {"login": login, "temporary": temporary, "organisation_id": organisation_id}
    return render(request, "identity/password_reset.html", context)
