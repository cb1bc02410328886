"""Identity decisions, pure: organisation kinds, roles, the permission table, password and token rules.

Deny by default: a permission not in the table is refused. A refusal about another organisation's object
is "hidden" (answered 404, revealing nothing); a refusal inside one's own organisation is "forbidden" (403).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

# DESIGN.md §2
ORGANISATION_KINDS: dict[str, tuple[str, str]] = {
    "bureau": ("市数据资源局", "City data resources bureau"),
    "provider": ("数据提供部门", "Data-providing department"),
    "operator": ("运营机构", "Licensed operator"),
    "partner": ("合伙人", "Partner"),
    "consumer": ("数据使用方", "Data consumer"),
    "pricing": ("市发展改革委", "Pricing authority"),
    "finance": ("市财政局", "Finance bureau"),
    "market": ("市市场监管局", "Market regulation bureau"),
    "audit": ("市审计局", "Audit bureau"),
    "security": ("网信办/公安局", "Security supervision"),
}

ROLES: dict[str, tuple[str, str]] = {
    "admin": ("管理员", "Administrator"),
    "member": ("成员", "Member"),
    "reviewer": ("审核员", "Reviewer"),
}

PASSWORD_MIN_LENGTH = 10
TOKEN_PREFIX = "pdt"


class Decision(enum.Enum):
    ALLOW = "allow"
    FORBIDDEN = "forbidden"  # own organisation, not enough rights: 403
    HIDDEN = "hidden"  # someone else's object: 404, reveals nothing


@dataclass(frozen=True)
class Grant:
    kind: str  # organisation kind, or "*"
    role: str  # role, or "*"
    scope: str  # "own": only inside one's organisation; "any": every organisation

    def matches(self, kind: str, role: str) -> bool:
        return self.kind in ("*", kind) and self.role in ("*", role)


ANYONE_OWN = Grant("*", "*", "own")

PERMISSIONS: dict[str, tuple[Grant, ...]] = {
    "organisation.create": (Grant("bureau", "admin", "any"),),
    "organisation.read": (ANYONE_OWN, Grant("bureau", "*", "any"), Grant("audit", "*", "any")),
    "user.create": (Grant("*", "admin", "own"), Grant("bureau", "admin", "any")),
    "user.read": (ANYONE_OWN, Grant("bureau", "admin", "any"), Grant("audit", "*", "any")),
    "user.update": (Grant("*", "admin", "own"), Grant("bureau", "admin", "any")),
    "token.manage": (ANYONE_OWN,),
    # The catalogue (DESIGN.md §2): departments describe, load and submit their own resources; the bureau
    # reviews registrations; the auditor reads everything.
    "catalog.describe": (Grant("provider", "admin", "own"), Grant("provider", "member", "own")),
    "catalog.read": (Grant("provider", "*", "own"), Grant("bureau", "*", "any"), Grant("audit", "*", "any")),
    "catalog.load": (Grant("provider", "admin", "own"), Grant("provider", "member", "own")),
    "catalog.submit": (Grant("provider", "admin", "own"),),
    "catalog.preview": (
        Grant("provider", "*", "own"),
        Grant("bureau", "admin", "any"),
        Grant("bureau", "reviewer", "any"),
        Grant("audit", "*", "any"),
    ),
    "registration.review": (Grant("bureau", "admin", "any"), Grant("bureau", "reviewer", "any")),
    # Authorization (授权运营): the bureau grants, evaluates and ends; the operator signs and runs its side.
    "authorization.manage": (Grant("bureau", "admin", "any"),),
    "authorization.evaluate": (Grant("bureau", "admin", "any"), Grant("bureau", "reviewer", "any")),
    "authorization.read": (
        Grant("bureau", "*", "any"),
        Grant("audit", "*", "any"),
        Grant("security", "*", "any"),
        Grant("operator", "*", "own"),
    ),
    "authorization.sign": (Grant("bureau", "admin", "any"), Grant("operator", "admin", "own")),
    "authorization.operate": (Grant("operator", "admin", "own"),),
    "authorization.report-incident": (
        Grant("security", "*", "any"),
        Grant("bureau", "*", "any"),
        Grant("operator", "admin", "own"),
    ),
    # Usage contracts: the operator offers; the parties see their own; the regulators see all.
    "contract.propose": (Grant("operator", "admin", "own"),),
    "contract.read": (Grant("bureau", "*", "any"), Grant("audit", "*", "any")),
    # Jobs: the operator's reviewer reads the code first; the operator's reviewer and the bureau both release outputs.
    "job.review": (Grant("operator", "admin", "own"), Grant("operator", "reviewer", "own")),
    "job.release": (
        Grant("operator", "admin", "own"),
        Grant("operator", "reviewer", "own"),
        Grant("bureau", "admin", "any"),
        Grant("bureau", "reviewer", "any"),
    ),
    "job.read": (Grant("bureau", "*", "any"), Grant("audit", "*", "any")),
    # Payloads can hold personal data, so only the regulator and the auditor read them.
    "ledger.read-payload": (
        Grant("bureau", "admin", "any"),
        Grant("bureau", "reviewer", "any"),
        Grant("audit", "*", "any"),
    ),
}


def decide(*, kind: str, role: str, permission: str, same_organisation: bool) -> Decision:
    """May someone of ``kind``/``role`` do ``permission`` on an object of their own organisation or not?"""
    grants = [grant for grant in PERMISSIONS.get(permission, ()) if grant.matches(kind, role)]
    if any(grant.scope == "any" or same_organisation for grant in grants):
        return Decision.ALLOW
    return Decision.FORBIDDEN if same_organisation else Decision.HIDDEN


def decide_platform_wide(*, kind: str, role: str, permission: str) -> Decision:
    """For an object of the platform as a whole (an agreement to record, a ledger payload): only grants that
    reach every organisation allow it, and a refusal is 403, since there is no other organisation's object
    to hide."""
    allowed = sees_every_organisation(kind=kind, role=role, permission=permission)
    return Decision.ALLOW if allowed else Decision.FORBIDDEN


def sees_every_organisation(*, kind: str, role: str, permission: str) -> bool:
    return any(grant.scope == "any" and grant.matches(kind, role) for grant in PERMISSIONS.get(permission, ()))


def password_problem(password: str, *, login: str) -> str | None:
    """Why a password is refused, or None."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"A password needs at least {PASSWORD_MIN_LENGTH} characters."
    if login.lower() in password.lower():
        return "A password must not contain the login."
    return None


def token_usable(*, now: datetime, expires_at: datetime, revoked_at: datetime | None) -> str | None:
    """Why a token can no longer be used (a rule name), or None."""
    if revoked_at is not None:
        return "identity.token-revoked"
    if now >= expires_at:
        return "identity.token-expired"
    return None


def token_expiry(*, now: datetime, days: int) -> datetime:
    if not 1 <= days <= 366:
        raise ValueError("a token lives between 1 and 366 days")
    return now + timedelta(days=days)


def split_token(raw: str) -> tuple[str, str] | None:
    """``pdt_<public id>_<secret>`` → (public id, secret), or None when it is not shaped like a token."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]
