"""Identity commands. Each runs inside the caller's transaction and appends its ledger entry there."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pubdata.common import clock
from pubdata.common.actor import Actor
from pubdata.common.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from pubdata.common.ids import is_credit_code
from pubdata.identity import rules
from pubdata.identity.models import ApiToken, Organisation, User, WebSession
from pubdata.ledger import service as ledger

_passwords = PasswordHasher()
# Verifying against this keeps a login for an unknown user as slow as one for a known user.
_DUMMY_HASH = _passwords.hash("not-a-real-password-0")
LOGIN_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{2,63}$")


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user of an organisation, through a token or a web session."""

    user_id: int
    organisation_id: int
    organisation_kind: str
    role: str
    login: str
    display_name: str

    @property
    def actor(self) -> Actor:
        return Actor.user(self.user_id, self.organisation_id)


# --- the one permission check -----------------------------------------------------------------------


def require(principal: Principal, permission: str, *, organisation_id: int | None, what: str = "object") -> None:
    """Refuse unless ``principal`` may do ``permission`` on an object of ``organisation_id``.

    ``organisation_id=None`` is an object of the platform as a whole (a ledger payload, an agreement to
    record): only grants that reach every organisation allow it.
    """
    decision = _decision(principal, permission, organisation_id)
    if decision is rules.Decision.HIDDEN:
        raise NotFound("identity.not-found", f"No such {what}.")
    if decision is rules.Decision.FORBIDDEN:
        raise PermissionDenied(
            "identity.permission",
            f"Your role ({principal.role}) may not do {permission}; ask your organisation's admin.",
        )


def may(principal: Principal | None, permission: str, *, organisation_id: int | None) -> bool:
    """``require`` as a question, for pages deciding which buttons to show."""
    return principal is not None and _decision(principal, permission, organisation_id) is rules.Decision.ALLOW


def _decision(principal: Principal, permission: str, organisation_id: int | None) -> rules.Decision:
    if organisation_id is None:
        return rules.decide_platform_wide(kind=principal.organisation_kind, role=principal.role, permission=permission)
    return rules.decide(
        kind=principal.organisation_kind,
        role=principal.role,
        permission=permission,
        same_organisation=principal.organisation_id == organisation_id,
    )


def sees_all(principal: Principal, permission: str) -> bool:
    return rules.sees_every_organisation(kind=principal.organisation_kind, role=principal.role, permission=permission)


# --- organisations and users ------------------------------------------------------------------------


def create_organisation(
    session: Session, *, actor: Actor, kind: str, name: str, credit_code: str | None = None
) -> Organisation:
    if kind not in rules.ORGANISATION_KINDS:
        raise InvalidInput(
            "identity.organisation-kind",
            f"Unknown organisation kind {kind!r}; use one of {', '.join(rules.ORGANISATION_KINDS)}.",
        )
    name = name.strip()
    if not name:
        raise InvalidInput("identity.organisation-name", "An organisation needs a name.")
    if credit_code is not None and not is_credit_code(credit_code):
        raise InvalidInput(
            "identity.credit-code", "The unified social credit code is not valid (GB 32100 check character)."
        )
    if session.scalar(select(Organisation.id).where(Organisation.name == name)) is not None:
        raise Conflict("identity.organisation-exists", f"An organisation named {name} already exists.")
    if credit_code and session.scalar(select(Organisation.id).where(Organisation.credit_code == credit_code)):
        raise Conflict("identity.credit-code-taken", "Another organisation already has this credit code.")
    organisation = Organisation(kind=kind, name=name, credit_code=credit_code, active=True, created_at=clock.now())
    session.add(organisation)
    ledger.record(
        session,
        actor=actor,
        action="identity.organisation.create",
        subject=organisation,
        payload={"kind": kind, "name": name},
    )
    return organisation


def create_user(
    session: Session,
    *,
    actor: Actor,
    organisation_id: int,
    login: str,
    display_name: str,
    role: str,
    password: str,
) -> User:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("identity.not-found", "No such organisation.")
    if role not in rules.ROLES:
        raise InvalidInput("identity.role", f"Unknown role {role!r}; use one of {', '.join(rules.ROLES)}.")
    if not LOGIN_PATTERN.match(login):
        raise InvalidInput(
            "identity.login-format",
            "A login is 3–64 characters: lowercase letters, digits, '.', '_' or '-', starting with a letter.",
        )
    problem = rules.password_problem(password, login=login)
    if problem:
        raise InvalidInput("identity.password-policy", problem)
    if session.scalar(select(User.id).where(User.login == login)) is not None:
        raise Conflict("identity.login-taken", f"The login {login} is taken.")
    user = User(
        organisation_id=organisation_id,
        login=login,
        display_name=display_name.strip() or login,
        role=role,
        password_hash=_passwords.hash(password),
        active=True,
        created_at=clock.now(),
    )
    session.add(user)
    ledger.record(
        session,
        actor=actor,
        action="identity.user.create",
        subject=user,
        payload={"login": login, "role": role, "organisation_id": organisation_id},
    )
    return user


def set_user_active(session: Session, *, principal: Principal, user_id: int, active: bool) -> User:
    user = get_user(session, principal=principal, user_id=user_id, permission="user.update")
    if user.id == principal.user_id and not active:
        raise InvalidInput("identity.self-deactivate", "You cannot deactivate your own account.")
    if user.active != active:
        user.active = active
        if not active:
            _end_sessions_and_tokens(session, user_id=user.id, actor=principal.actor)
        ledger.record(
            session,
            actor=principal.actor,
            action="identity.user.activate" if active else "identity.user.deactivate",
            subject=user,
        )
    return user


def deactivate_organisation(session: Session, *, actor: Actor, organisation_id: int) -> None:
    """Cut an organisation off at once: every user's sessions end and tokens are revoked, logins refused."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or not organisation.active:
        return
    organisation.active = False
    for user_id in session.execute(select(User.id).where(User.organisation_id == organisation_id)).scalars():
        _end_sessions_and_tokens(session, user_id=user_id, actor=actor)
    ledger.record(session, actor=actor, action="identity.organisation.deactivate", subject=organisation)


def organisations_of_kind(session: Session, kind: str) -> dict[int, str]:
    """Active organisations of one kind, for choosing one on a page."""
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.kind == kind, Organisation.active.is_(True))
    )
    return dict(rows.all())


def organisation_kind(session: Session, organisation_id: int) -> str | None:
    organisation = session.get(Organisation, organisation_id)
    return organisation.kind if organisation else None


def _end_sessions_and_tokens(session: Session, *, user_id: int, actor: Actor) -> None:
    now = clock.now()
    for web in session.execute(
        select(WebSession).where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
    ).scalars():
        web.ended_at = now
    for token in session.execute(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    ).scalars():
        token.revoked_at = now
        ledger.record(session, actor=actor, action="identity.token.revoke", subject=token)


def reset_password(session: Session, *, actor: Actor, user_id: int, password: str) -> User:
    """Set a new password (an admin's reset, or the demo re-issuing its accounts); ends the user's web sessions."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("identity.not-found", "No such user.")
    problem = rules.password_problem(password, login=user.login)
    if problem:
        raise InvalidInput("identity.password-policy", problem)
    user.password_hash = _passwords.hash(password)
    now = clock.now()
    for web in session.execute(
        select(WebSession).where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
    ).scalars():
        web.ended_at = now
    ledger.record(session, actor=actor, action="identity.user.reset-password", subject=user)
    return user


def find_user(session: Session, *, login: str) -> User | None:
    return session.scalar(select(User).where(User.login == login))


def find_organisation(session: Session, *, name: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.name == name))


def list_organisations(session: Session, *, principal: Principal) -> list[Organisation]:
    statement = select(Organisation).order_by(Organisation.id)
    if not sees_all(principal, "organisation.read"):
        statement = statement.where(Organisation.id == principal.organisation_id)
    return list(session.execute(statement).scalars())


def get_organisation(session: Session, *, principal: Principal, organisation_id: int) -> Organisation:
    require(principal, "organisation.read", organisation_id=organisation_id, what="organisation")
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("identity.not-found", "No such organisation.")
    return organisation


def list_users(session: Session, *, principal: Principal, organisation_id: int) -> list[User]:
    require(principal, "user.read", organisation_id=organisation_id, what="organisation")
    return list(
        session.execute(select(User).where(User.organisation_id == organisation_id).order_by(User.id)).scalars()
    )


def get_user(session: Session, *, principal: Principal, user_id: int, permission: str = "user.read") -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("identity.not-found", "No such user.")
    require(principal, permission, organisation_id=user.organisation_id, what="user")
    return user


def organisation_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Names for display; organisation names are public metadata."""
    if not ids:
        return {}
    return dict(session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())


def count_organisations(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Organisation)) or 0


# --- passwords, sessions, tokens --------------------------------------------------------------------


def authenticate(session: Session, *, login: str, password: str) -> User:
    """The user with this login and password; one message for every failure, so logins cannot be probed."""
    user = session.scalar(select(User).where(User.login == login))
    try:
        _passwords.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None or not user.active or not _organisation_active(session, user):
        raise NotAuthenticated("identity.bad-credentials", "Wrong login or password.")
    return user


def _organisation_active(session: Session, user: User) -> bool:
    organisation = session.get(Organisation, user.organisation_id)
    return organisation is not None and organisation.active


def principal_for(session: Session, user: User) -> Principal:
    organisation = session.get(Organisation, user.organisation_id)
    assert organisation is not None
    return Principal(
        user_id=user.id,
        organisation_id=organisation.id,
        organisation_kind=organisation.kind,
        role=user.role,
        login=user.login,
        display_name=user.display_name,
    )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(session: Session, *, actor: Actor, user_id: int, name: str, days: int) -> tuple[ApiToken, str]:
    """Make a token; the returned plaintext is shown once and never stored."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("identity.not-found", "No such user.")
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("identity.token-name", "A token needs a name of 1–100 characters.")
    try:
        expires_at = rules.token_expiry(now=clock.now(), days=days)
    except ValueError as error:
        raise InvalidInput("identity.token-lifetime", "A token lives between 1 and 366 days.") from error
    public_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    token = ApiToken(
        public_id=public_id,
        user_id=user.id,
        name=name,
        secret_hash=_digest(secret),
        created_at=clock.now(),
        expires_at=expires_at,
    )
    session.add(token)
    ledger.record(
        session, actor=actor, action="identity.token.issue", subject=token, payload={"user_id": user.id, "name": name}
    )
    return token, f"{rules.TOKEN_PREFIX}_{public_id}_{secret}"


def list_tokens(session: Session, *, principal: Principal) -> list[ApiToken]:
    return list(
        session.execute(select(ApiToken).where(ApiToken.user_id == principal.user_id).order_by(ApiToken.id)).scalars()
    )


def revoke_token(session: Session, *, principal: Principal, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != principal.user_id:
        raise NotFound("identity.not-found", "No such token.")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        ledger.record(session, actor=principal.actor, action="identity.token.revoke", subject=token)
    return token


def principal_from_token(session: Session, raw: str) -> Principal:
    parts = rules.split_token(raw)
    # One query for the token, its user and their organisation: this runs on every API call.
    found = (
        session.execute(
            select(ApiToken, User, Organisation)
            .join(User, User.id == ApiToken.user_id)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(ApiToken.public_id == parts[0])
        ).first()
        if parts
        else None
    )
    token = found[0] if found else None
    if token is None or parts is None or not hmac.compare_digest(token.secret_hash, _digest(parts[1])):
        raise NotAuthenticated("identity.bad-token", "The API token is not valid.")
    refusal = rules.token_usable(now=clock.now(), expires_at=token.expires_at, revoked_at=token.revoked_at)
    if refusal == "identity.token-revoked":
        raise NotAuthenticated(refusal, "This API token was revoked; create a new one.")
    if refusal == "identity.token-expired":
        raise NotAuthenticated(refusal, "This API token has expired; create a new one.")
    return _active_principal(session, token.user_id)


def _active_principal(session: Session, user_id: int) -> Principal:
    user = session.get(User, user_id)
    if user is None or not user.active or not _organisation_active(session, user):
        raise NotAuthenticated("identity.account-inactive", "This account is deactivated.")
    return principal_for(session, user)


def open_web_session(session: Session, *, user: User, hours: int) -> str:
    """Start a browser login; returns the cookie secret."""
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(
        WebSession(
            secret_hash=_digest(secret), user_id=user.id, created_at=now, expires_at=now + timedelta(hours=hours)
        )
    )
    ledger.record(
        session,
        actor=Actor.user(user.id, user.organisation_id),
        action="identity.session.open",
        subject=f"app_user:{user.id}",
    )
    return secret


def principal_from_web_session(session: Session, secret: str) -> Principal | None:
    web = session.scalar(select(WebSession).where(WebSession.secret_hash == _digest(secret)))
    if web is None or web.ended_at is not None or clock.now() >= web.expires_at:
        return None
    try:
        return _active_principal(session, web.user_id)
    except NotAuthenticated:
        return None


def close_web_session(session: Session, secret: str) -> None:
    web = session.scalar(select(WebSession).where(WebSession.secret_hash == _digest(secret)))
    if web is not None and web.ended_at is None:
        web.ended_at = clock.now()
        user = session.get(User, web.user_id)
        assert user is not None
        ledger.record(
            session,
            actor=Actor.user(user.id, user.organisation_id),
            action="identity.session.close",
            subject=f"app_user:{user.id}",
        )


# --- first run --------------------------------------------------------------------------------------

BOOTSTRAP_ORGANISATION = "池州市数据资源局"
BOOTSTRAP_LOGIN = "admin"


def bootstrap(session: Session, *, actor: Actor) -> tuple[str, str] | None:
    """On an empty platform, make the bureau and its first admin; returns (login, password) once."""
    if count_organisations(session) > 0:
        return None
    bureau = create_organisation(session, actor=actor, kind="bureau", name=BOOTSTRAP_ORGANISATION)
    password = secrets.token_urlsafe(12)
    create_user(
        session,
        actor=actor,
        organisation_id=bureau.id,
        login=BOOTSTRAP_LOGIN,
        display_name="平台管理员",
        role="admin",
        password=password,
    )
    return BOOTSTRAP_LOGIN, password
