"""The one permission check: who is calling, what they may do, and to which objects.

Every object whose access matters declares a ``Guard``: what it is called, the permission that lets someone
see it, the rule that answers when it is missing, and its parties — the organisations (or, for a token, the
user) that take part in it, each under a role: a contract's ``assigner`` and ``assignee``, a job's
``submitter`` and ``operator``, a resource's ``provider``. The permission table (``rules.PERMISSIONS``) grants
a permission to an organisation kind and role, reaching every object (``any``), objects the caller's
organisation is a party to (``own``), or objects where it holds one named role (``assignee`` …).

- ``load`` gets an object and checks a permission on it: missing, or another organisation's, answers 404
  revealing nothing; one's own organisation's object, without the right to act on it, answers 403.
- ``require`` and ``may`` check a permission on an object, on the caller's own organisation, or on the
  platform as a whole (``on=None``: only grants that reach every organisation allow it).
- ``actions`` tells a page which of an object's actions to offer, ``signing_sides`` which side of a sign-off
  the caller signs for; ``visible`` narrows a listing.

The platform acting for itself (the scheduler, the job worker, the command line, the demo) passes every check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, or_
from sqlalchemy.orm import Session

from pubdata.common import messages
from pubdata.common.actor import Actor
from pubdata.common.errors import Refused
from pubdata.common.lifecycle import Lifecycle
from pubdata.identity import rules


@dataclass(frozen=True)
class Principal:
    """A user acting for an organisation, through a token or a web session."""

    user_id: int
    organisation_id: int
    organisation_kind: str
    role: str
    login: str
    display_name: str
    must_change_password: bool = False  # a temporary password from an admin's reset: pages ask for a new one

    @property
    def actor(self) -> Actor:
        return Actor.user(self.user_id, self.organisation_id)


@dataclass(frozen=True)
class PlatformItself:
    """The platform acting on its own account (``system``, ``cli``, ``demo``): no organisation, every right."""

    actor: Actor
    organisation_id: None = None
    user_id: None = None


Who = Principal | PlatformItself


@dataclass(frozen=True)
class Guard:
    """How an object is guarded: its name in refusals, who may see it, and its parties (role → column)."""

    what: tuple[str, str]
    read: str
    missing: str
    parties: Mapping[str, str]


@dataclass(frozen=True)
class OrganisationRef:
    """One organisation as the object of a permission: what a department describes, an operator offers."""

    organisation_id: int
    guard = Guard(("机构", "organisation"), "organisation.read", "identity.not-found", {"self": "organisation_id"})


def own_organisation(who: Principal) -> OrganisationRef:
    return OrganisationRef(who.organisation_id)


def held_roles(who: Principal, on: Any) -> frozenset[str]:
    """The roles the caller's organisation (or, for ``user``, the caller) holds in ``on``."""
    held = set()
    for role, column in on.guard.parties.items():
        value = getattr(on, column)
        if value is not None and value == (who.user_id if role == "user" else who.organisation_id):
            held.add(role)
    return frozenset(held)


def _allowed(who: Who, permission: str, on: Any | None) -> bool:
    if isinstance(who, PlatformItself):
        return True
    held = None if on is None else held_roles(who, on)
    return rules.allows(kind=who.organisation_kind, role=who.role, permission=permission, held=held)


def may(who: Who | None, permission: str, on: Any | None = None) -> bool:
    """``require`` as a question, for pages deciding what to show."""
    return who is not None and _allowed(who, permission, on)


def require(who: Who, permission: str, on: Any | None = None) -> None:
    """Refuse unless ``who`` may do ``permission`` on ``on`` (an object, an organisation, or None: the platform)."""
    if _allowed(who, permission, on):
        return
    assert isinstance(who, Principal)
    if on is not None and not held_roles(who, on):  # another organisation's object: as if it did not exist
        raise Refused(on.guard.missing, what=messages.Text(on.guard.what))
    raise Refused("identity.permission", role=messages.Text(rules.ROLES[who.role]), permission=_named(permission))


def _named(permission: str) -> messages.Text:
    return messages.Text(rules.permission_name(permission))


T = TypeVar("T")


def load(session: Session, who: Who, model: type[T], object_id: int, permission: str | None = None) -> T:
    """The object, if ``who`` may do ``permission`` on it (by default: see it); else 404 or 403."""
    found = session.get(model, object_id)
    guard: Guard = model.guard  # type: ignore[attr-defined]
    if found is None:
        raise Refused(guard.missing, what=messages.Text(guard.what))
    require(who, permission or guard.read, found)
    return found


def actions(who: Who | None, on: Any, offered: Mapping[str, str], lifecycle: Lifecycle | None = None) -> set[str]:
    """Which of ``offered`` (action → permission) ``who`` may do on ``on`` now: with a lifecycle, only the
    actions that are events its state allows."""
    possible = set(lifecycle.events_from(lifecycle.state_of(on))) if lifecycle is not None else set(offered)
    return {action for action, permission in offered.items() if action in possible and may(who, permission, on)}


def signing_sides(who: Who | None, on: Any, sides: Mapping[str, str]) -> list[str]:
    """The sides of ``on``'s sign-off (side → the permission to sign for it) that ``who`` may sign for."""
    return [side for side, permission in sides.items() if may(who, permission, on)]


def sees_all(who: Who, permission: str) -> bool:
    """Does ``who`` hold ``permission`` on every organisation's objects (a regulator, the auditor)?"""
    return isinstance(who, PlatformItself) or rules.allows(
        kind=who.organisation_kind, role=who.role, permission=permission, held=None
    )


def visible(statement: Select, who: Who, model: type) -> Select:
    """A listing narrowed to what ``who`` may see: everything for those who see all, else their parties' rows;
    refused (403) for someone who may see no such object at all."""
    guard: Guard = model.guard  # type: ignore[attr-defined]
    if sees_all(who, guard.read):
        return statement
    assert isinstance(who, Principal)
    if not rules.allows(kind=who.organisation_kind, role=who.role, permission=guard.read, held=frozenset({"self"})):
        raise Refused("identity.permission", role=messages.Text(rules.ROLES[who.role]), permission=_named(guard.read))
    columns = [
        getattr(model, column) == (who.user_id if role == "user" else who.organisation_id)
        for role, column in guard.parties.items()
    ]
    return statement.where(or_(*columns))
