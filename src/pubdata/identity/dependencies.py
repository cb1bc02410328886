"""Who is calling: the API reads a bearer token, the pages read the session cookie. Each is one short read of
its own, over before the handler starts, so that a request holds at most the connection its own work needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pubdata.common.errors import Refused
from pubdata.identity import service
from pubdata.identity.access import Principal
from pubdata.web.deps import PlatformDep

SESSION_COOKIE = "pubdata_session"
API_PASSWORD = "/api/v1/me/password"  # the one API call open while a password is a temporary one
_bearer = HTTPBearer(auto_error=False, description="An API token: `pdt_<id>_<secret>`")


def api_principal(
    request: Request,
    platform: PlatformDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Refused("identity.no-credentials")
    with platform.read() as session:
        principal = service.principal_from_token(session, credentials.credentials)
    if principal.must_change_password and request.url.path != API_PASSWORD:
        raise Refused("identity.password-change-required")
    request.state.principal = principal
    return principal


def page_principal(request: Request, platform: PlatformDep) -> Principal | None:
    """The logged-in user of a page, or None."""
    secret = request.cookies.get(SESSION_COOKIE)
    principal = None
    if secret:
        with platform.read() as session:
            principal = service.principal_from_web_session(session, secret)
    request.state.principal = principal
    return principal


class LoginRequired(Exception):
    """Raised by pages that need a login; the app answers with a redirect to the login page."""


class PasswordChangeRequired(Exception):
    """Raised by pages while the user's password is a temporary one from an admin's reset: the app answers with
    a redirect to the password form, the one page (with logging out) open to them until they change it."""


PASSWORD_PAGE = "/account/password"


def page_login(request: Request, principal: Annotated[Principal | None, Depends(page_principal)]) -> Principal:
    if principal is None:
        raise LoginRequired()
    if principal.must_change_password and request.url.path != PASSWORD_PAGE:
        raise PasswordChangeRequired()
    return principal


ApiPrincipal = Annotated[Principal, Depends(api_principal)]
PagePrincipal = Annotated[Principal, Depends(page_login)]
MaybePagePrincipal = Annotated[Principal | None, Depends(page_principal)]
