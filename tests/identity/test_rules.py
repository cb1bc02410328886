"""Identity decisions, pure: the permission table, passwords, tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from pubdata.common import messages
from pubdata.common.actor import Actor
from pubdata.common.errors import Refused
from pubdata.identity import access, rules
from pubdata.identity.access import Guard, PlatformItself, Principal
from pubdata.identity.rules import password_problem, split_token, token_expiry, token_usable

NOW = datetime(2026, 12, 28, tzinfo=UTC)


@dataclass
class Thing:
    """Any object of some organisation, guarded as the platform's objects are (no database needed)."""

    organisation_id: int
    guard = Guard(("东西", "thing"), "organisation.read", "identity.not-found", {"self": "organisation_id"})


OWN, OTHER = Thing(organisation_id=1), Thing(organisation_id=2)


def who(kind: str, role: str) -> Principal:
    return Principal(user_id=1, organisation_id=1, organisation_kind=kind, role=role, login="x", display_name="x")


def outcome(kind: str, role: str, permission: str, on: Thing | None) -> int:
    """What the one check answers: 200, or the refusal's status (403 inside one's own, 404 for others')."""
    try:
        access.require(who(kind, role), permission, on)
    except Refused as refused:
        return refused.status
    return 200


@pytest.mark.parametrize(
    "kind,role,permission,on,expected",
    [
        ("bureau", "admin", "organisation.create", None, 200),
        ("bureau", "member", "organisation.create", None, 403),
        ("operator", "admin", "organisation.create", None, 403),
        ("operator", "admin", "user.create", OWN, 200),
        ("operator", "member", "user.create", OWN, 403),
        ("operator", "admin", "user.create", OTHER, 404),
        ("operator", "admin", "organisation.read", OTHER, 404),
        ("consumer", "member", "organisation.read", OWN, 200),
        ("bureau", "member", "organisation.read", OTHER, 200),
        ("audit", "member", "user.read", OTHER, 200),
        ("audit", "member", "user.create", OTHER, 404),
        ("operator", "admin", "ledger.read-payload", None, 403),
        ("bureau", "admin", "no.such.permission", OWN, 403),
        ("bureau", "admin", "no.such.permission", OTHER, 404),
    ],
)
def test_permission_table_denies_by_default(kind, role, permission, on, expected):
    assert outcome(kind, role, permission, on) == expected


@pytest.mark.parametrize(
    "kind,role,permission,held,expected",
    [
        ("consumer", "admin", "contract.sign-as-assignee", frozenset({"assignee"}), True),
        ("consumer", "member", "contract.sign-as-assignee", frozenset({"assignee"}), False),
        ("operator", "admin", "contract.sign-as-assignee", frozenset({"assigner"}), False),
        ("operator", "admin", "contract.sign-as-assigner", frozenset({"assigner"}), True),
        ("partner", "member", "query.run", frozenset({"assignee"}), True),
        ("operator", "admin", "query.run", frozenset({"assigner"}), False),
        ("operator", "admin", "query.develop", frozenset({"assigner"}), True),
        ("operator", "reviewer", "job.review", frozenset({"operator"}), True),
        ("operator", "reviewer", "job.review", frozenset({"submitter"}), False),
        ("bureau", "reviewer", "job.release-for-bureau", frozenset(), True),
        ("bureau", "reviewer", "job.release-for-operator", frozenset(), False),
        ("partner", "member", "job.download", frozenset({"submitter"}), True),
        ("operator", "admin", "job.download", frozenset({"operator"}), False),
    ],
)
def test_a_party_to_an_object_holds_its_role_and_only_that(kind, role, permission, held, expected):
    assert rules.allows(kind=kind, role=role, permission=permission, held=held) is expected


def test_the_platform_acting_for_itself_passes_every_check():
    access.require(PlatformItself(Actor(label="system")), "organisation.create")
    access.require(PlatformItself(Actor(label="system")), "job.download", OTHER)


def test_short_password_is_refused():
    assert "at least 10" in messages.safe(password_problem("short", login="alice"), "en")


def test_password_containing_login_is_refused():
    assert "login" in messages.safe(password_problem("alice-1234567", login="alice"), "en")


def test_good_password_passes():
    assert password_problem("tiger-lily-4521", login="alice") is None


def test_token_expires_at_its_moment():
    expires = token_expiry(now=NOW, days=30)
    assert token_usable(now=expires - timedelta(seconds=1), expires_at=expires, revoked_at=None) is None
    assert token_usable(now=expires, expires_at=expires, revoked_at=None) == "identity.token-expired"


def test_revoked_token_is_refused_before_expiry():
    assert token_usable(now=NOW, expires_at=NOW + timedelta(days=1), revoked_at=NOW) == "identity.token-revoked"


@pytest.mark.parametrize("days", [0, 367])
def test_token_lifetime_is_bounded(days):
    with pytest.raises(ValueError):
        token_expiry(now=NOW, days=days)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("pdt_abc_secret_with_underscore", ("abc", "secret_with_underscore")),
        ("pdt__x", None),
        ("xyz_a_b", None),
        ("pdt_a", None),
    ],
)
def test_token_shape(raw, expected):
    assert split_token(raw) == expected


def test_platform_wide_acts_are_for_grants_that_reach_every_organisation():
    assert rules.allows(kind="bureau", role="admin", permission="authorization.manage", held=None)
    assert not rules.allows(kind="operator", role="admin", permission="authorization.operate", held=None)
    assert rules.allows(kind="audit", role="member", permission="ledger.read-payload", held=None)


def test_every_permission_has_words_for_the_person_refused():
    assert set(rules.PERMISSION_NAMES) == set(rules.PERMISSIONS)
