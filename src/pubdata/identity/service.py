"""Identity commands. Each runs inside the caller's unit of work, checks its permission through ``access``,
and appends its ledger entry there."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from pubdata.ledger.models import OrganisationKey

from pubdata.common import clock
from pubdata.common.actor import Actor
from pubdata.common.errors import Refused
from pubdata.common.ids import is_credit_code
from pubdata.common.names import clean, clean_prose
from pubdata.identity import access, rules
from pubdata.identity.access import PlatformItself, Principal, Who
from pubdata.identity.models import ApiToken, Organisation, User, WebSession
from pubdata.ledger import keys
from pubdata.ledger import public as ledger_public
from pubdata.ledger import service as ledger

_passwords = PasswordHasher()
# Verifying against this keeps a login for an unknown user as slow as one for a known user.
_DUMMY_HASH = _passwords.hash("not-a-real-password-0")
LOGIN_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{2,63}$")


# --- organisations and users ------------------------------------------------------------------------


def create_organisation(
    session: Session, *, principal: Who, kind: str, name: str, credit_code: str | None = None
) -> Organisation:
    access.require(principal, "organisation.create")
    if kind not in rules.ORGANISATION_KINDS:
        raise Refused("identity.organisation-kind", kind=kind, kinds=list(rules.ORGANISATION_KINDS))
    name = clean(name, field="name", max_length=200)  # stored normalised: the unique name is the normal form
    if credit_code is not None and not is_credit_code(credit_code):
        raise Refused("identity.credit-code")
    if kind == "subject" and not credit_code:  # a data subject is named by its credit code (consent)
        raise Refused("identity.subject-credit-code")
    if session.scalar(select(Organisation.id).where(Organisation.name == name)) is not None:
        raise Refused("identity.organisation-exists", name=name)
    if credit_code and session.scalar(select(Organisation.id).where(Organisation.credit_code == credit_code)):
        raise Refused("identity.credit-code-taken")
    organisation = Organisation(kind=kind, name=name, credit_code=credit_code, active=True, created_at=clock.now())
    session.add(organisation)
    ledger.record(
        session,
        actor=principal.actor,
        action="identity.organisation.create",
        subject=organisation,
        payload={"kind": kind, "name": name},
    )
    return organisation


def create_user(
    session: Session,
    *,
    principal: Who,
    organisation_id: int,
    login: str,
    display_name: str,
    role: str,
    password: str,
) -> User:
    access.load(session, principal, Organisation, organisation_id, "user.create")
    if role not in rules.ROLES:
        raise Refused("identity.role", role=role, roles=list(rules.ROLES))
    if not LOGIN_PATTERN.match(login):
        raise Refused("identity.login-format")
    problem = rules.password_problem(password, login=login)
    if problem:
        raise Refused("identity.password-policy", problem=problem)
    if session.scalar(select(User.id).where(User.login == login)) is not None:
        raise Refused("identity.login-taken", login=login)
    user = User(
        organisation_id=organisation_id,
        login=login,
        display_name=clean(display_name, field="display_name", max_length=100, blank=True) or login,
        role=role,
        password_hash=_passwords.hash(password),
        active=True,
        created_at=clock.now(),
    )
    session.add(user)
    ledger.record(
        session,
        actor=principal.actor,
        action="identity.user.create",
        subject=user,
        payload={"login": login, "role": role, "organisation_id": organisation_id},
    )
    return user


def set_user_active(session: Session, *, principal: Who, user_id: int, active: bool) -> User:
    user = access.load(session, principal, User, user_id, "user.update")
    if user.id == principal.user_id and not active:
        raise Refused("identity.self-deactivate")
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


def cut_off_organisation(session: Session, *, actor: Actor, organisation_id: int) -> None:
    """Cut an organisation off at once: every user's sessions end and tokens are revoked, logins refused.
    A step of another command (an operator's exit), whose permission that command checked."""
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


def _end_web_sessions(session: Session, *, user_id: int, keep: str | None = None) -> int:
    """End the user's open browser logins (but the one whose cookie secret is ``keep``); how many ended."""
    now, kept, ended = clock.now(), _digest(keep) if keep else None, 0
    for web in session.execute(
        select(WebSession).where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
    ).scalars():
        if web.secret_hash != kept:
            web.ended_at, ended = now, ended + 1
    return ended


def _end_sessions_and_tokens(session: Session, *, user_id: int, actor: Actor) -> None:
    _end_web_sessions(session, user_id=user_id)
    for token in session.execute(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    ).scalars():
        token.revoked_at = clock.now()
        ledger.record(session, actor=actor, action="identity.token.revoke", subject=token)


def reset_password(session: Session, *, principal: Who, user_id: int, password: str) -> User:
    """Set a new password (an admin's reset, or the demo re-issuing its accounts); ends the user's web sessions."""
    user = access.load(session, principal, User, user_id, "user.update")
    problem = rules.password_problem(password, login=user.login)
    if problem:
        raise Refused("identity.password-policy", problem=problem)
    user.password_hash = _passwords.hash(password)
    _end_web_sessions(session, user_id=user.id)
    ledger.record(session, actor=principal.actor, action="identity.user.reset-password", subject=user)
    return user


def change_password(
    session: Session, *, principal: Principal, current_password: str, new_password: str, keep_session: str | None = None
) -> User:
    """A user changes their own password: the current one proves it is them, the new one follows the identity
    rules, and every other browser login of theirs ends (``keep_session``: the cookie secret of the one making
    the change, which stays). Clears a reset's must-change mark. API tokens are credentials of their own and
    stay."""
    user = access.load(session, principal, User, principal.user_id, "user.change-password")
    if not _password_matches(user, current_password):
        raise Refused("identity.wrong-password", field="current_password")
    problem = rules.password_problem(new_password, login=user.login)
    if problem:
        raise Refused("identity.password-policy", problem=problem, field="new_password")
    if _password_matches(user, new_password):
        raise Refused("identity.password-unchanged", field="new_password")
    user.password_hash = _passwords.hash(new_password)
    user.must_change_password = False
    ended = _end_web_sessions(session, user_id=user.id, keep=keep_session)
    ledger.record(
        session,
        actor=principal.actor,
        action="identity.user.change-password",
        subject=user,
        payload={"sessions_ended": ended},
    )
    return user


def _password_matches(user: User, password: str) -> bool:
    try:
        return _passwords.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _temporary_password(login: str) -> str:
    """A one-time password an admin hands over: random, long enough, never containing the login."""
    while True:
        candidate = secrets.token_urlsafe(12)
        if rules.password_problem(candidate, login=login) is None:
            return candidate


def reset_colleague_password(
    session: Session, *, principal: Principal, user_id: int, reason: str = ""
) -> tuple[User, str]:
    """An organisation's admin resets a colleague's password to a temporary one, shown once to the admin (never
    stored in the clear, never in the ledger); the colleague's browser logins and API tokens end (a reset is what
    an admin does when an account may be in other hands) and the next login must set a new password before
    anything else. Only colleagues: the admin's own organisation, never themselves."""
    user = access.load(session, principal, User, user_id, "user.read")
    if user.organisation_id != principal.organisation_id:
        raise Refused("identity.not-a-colleague")
    access.require(principal, "user.update", user)
    if user.id == principal.user_id:
        raise Refused("identity.reset-own")
    temporary = _temporary_password(user.login)
    user.password_hash = _passwords.hash(temporary)
    user.must_change_password = True
    _end_sessions_and_tokens(session, user_id=user.id, actor=principal.actor)
    ledger.record(
        session,
        actor=principal.actor,
        action="identity.user.reset-password",
        subject=user,
        payload={"temporary": True, "reason": clean_prose(reason, field="reason", max_length=1000)},
    )
    return user, temporary


def find_user(session: Session, *, login: str) -> User | None:
    return session.scalar(select(User).where(User.login == login))


def find_organisation(session: Session, *, name: str) -> Organisation | None:
    """The organisation of that name, as names are stored (normalised)."""
    return session.scalar(select(Organisation).where(Organisation.name == clean(name, field="name")))


def list_organisations(session: Session, *, principal: Who) -> list[Organisation]:
    statement = access.visible(select(Organisation), principal, Organisation)
    return list(session.execute(statement.order_by(Organisation.id)).scalars())


def get_organisation(session: Session, *, principal: Who, organisation_id: int) -> Organisation:
    return access.load(session, principal, Organisation, organisation_id)


def list_users(session: Session, *, principal: Who, organisation_id: int) -> list[User]:
    access.load(session, principal, Organisation, organisation_id, "user.read")
    statement = select(User).where(User.organisation_id == organisation_id).order_by(User.id)
    return list(session.execute(statement).scalars())


def get_user(session: Session, *, principal: Who, user_id: int) -> User:
    return access.load(session, principal, User, user_id)


def organisation_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Names for display; organisation names are public metadata."""
    if not ids:
        return {}
    return dict(session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())


def organisation_identities(session: Session, ids: set[int]) -> dict[int, tuple[str, str | None]]:
    """Each organisation's name and unified social credit code, which name it in documents (public metadata)."""
    if not ids:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name, Organisation.credit_code).where(Organisation.id.in_(ids))
    )
    return {id_: (name, code) for id_, name, code in rows}


# Organisation names are public: the public ledger names who acted (the organisation, never the person).
ledger_public.publish(
    "organisation",
    lambda session, ids: {id_: ledger_public.Page(name) for id_, name in organisation_names(session, ids).items()},
)


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
        raise Refused("identity.bad-credentials")
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
        must_change_password=bool(user.must_change_password),
    )


def principal_of(session: Session, *, login: str) -> Principal:
    """The principal of a login, for the command line and the demo acting as that user."""
    user = find_user(session, login=login)
    if user is None:
        raise Refused("identity.no-such-login", login=login)
    return principal_for(session, user)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(session: Session, *, principal: Who, user_id: int, name: str, days: int) -> tuple[ApiToken, str]:
    """Make a token for oneself (or, for the platform, for anyone); the plaintext is shown once, never stored."""
    user = access.load(session, principal, User, user_id, "token.manage")
    name = clean(name, field="name", max_length=100)
    try:
        expires_at = rules.token_expiry(now=clock.now(), days=days)
    except ValueError as error:
        raise Refused("identity.token-lifetime") from error
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
        session,
        actor=principal.actor,
        action="identity.token.issue",
        subject=token,
        payload={"user_id": user.id, "name": name},
    )
    return token, f"{rules.TOKEN_PREFIX}_{public_id}_{secret}"


def list_tokens(session: Session, *, principal: Principal) -> list[ApiToken]:
    statement = select(ApiToken).where(ApiToken.user_id == principal.user_id).order_by(ApiToken.id)
    return list(session.execute(statement).scalars())


def revoke_token(session: Session, *, principal: Who, token_id: int) -> ApiToken:
    token = access.load(session, principal, ApiToken, token_id)
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
        raise Refused("identity.bad-token")
    refusal = rules.token_usable(now=clock.now(), expires_at=token.expires_at, revoked_at=token.revoked_at)
    if refusal is not None:
        raise Refused(refusal)
    return _active_principal(session, token.user_id)


def _active_principal(session: Session, user_id: int) -> Principal:
    user = session.get(User, user_id)
    if user is None or not user.active or not _organisation_active(session, user):
        raise Refused("identity.account-inactive")
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
    except Refused:
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
    platform = PlatformItself(actor)
    bureau = create_organisation(session, principal=platform, kind="bureau", name=BOOTSTRAP_ORGANISATION)
    password = secrets.token_urlsafe(12)
    create_user(
        session,
        principal=platform,
        organisation_id=bureau.id,
        login=BOOTSTRAP_LOGIN,
        display_name="平台管理员",
        role="admin",
        password=password,
    )
    return BOOTSTRAP_LOGIN, password


# --- signing keys -----------------------------------------------------------------------------------


def register_public_key(session: Session, *, principal: Who, organisation_id: int, pem: str) -> OrganisationKey:
    """Production: the organisation's own SM2 public key; the platform never sees its private key, and from
    now on the organisation's signatures are made off-platform and submitted."""
    organisation = access.load(session, principal, Organisation, organisation_id, "organisation.register-key")
    return keys.register(session, actor=principal.actor, organisation_id=organisation.id, pem=pem)


def list_keys(session: Session, *, principal: Who, organisation_id: int) -> list[OrganisationKey]:
    organisation = access.load(session, principal, Organisation, organisation_id)
    return keys.of_organisation(session, organisation_id=organisation.id)


# --- data subjects (consent) --------------------------------------------------------------------------------


def subjects_with_credit_codes(session: Session, credit_codes: Sequence[str]) -> dict[str, int]:
    """``subject_with_credit_code`` for many codes at once (a batch of letters), in chunks far below any
    database's limit on parameters: the accounts found, by credit code."""
    found: dict[str, int] = {}
    for start in range(0, len(credit_codes), 500):
        chunk = list(credit_codes[start : start + 500])
        statement = select(Organisation.credit_code, Organisation.id).where(
            Organisation.credit_code.in_(chunk), Organisation.kind == "subject"
        )
        found |= {code: id_ for code, id_ in session.execute(statement).all() if code is not None}
    return found


def subject_with_credit_code(session: Session, credit_code: str) -> int | None:
    """The id of the data subject's own account (an organisation of kind ``subject``) with this unified social
    credit code, if it has one: its consents are its own to see and revoke."""
    return session.scalar(
        select(Organisation.id).where(Organisation.credit_code == credit_code, Organisation.kind == "subject")
    )
