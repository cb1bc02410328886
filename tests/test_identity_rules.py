"""Identity decisions, pure: the permission table, passwords, tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pubdata.identity.rules import Decision, decide, password_problem, split_token, token_expiry, token_usable

NOW = datetime(2026, 12, 28, tzinfo=UTC)


@pytest.mark.parametrize(
    "kind,role,permission,same,expected",
    [
        ("bureau", "admin", "organisation.create", True, Decision.ALLOW),
        ("bureau", "member", "organisation.create", True, Decision.FORBIDDEN),
        ("operator", "admin", "organisation.create", True, Decision.FORBIDDEN),
        ("operator", "admin", "user.create", True, Decision.ALLOW),
        ("operator", "member", "user.create", True, Decision.FORBIDDEN),
        ("operator", "admin", "user.create", False, Decision.HIDDEN),
        ("operator", "admin", "organisation.read", False, Decision.HIDDEN),
        ("consumer", "member", "organisation.read", True, Decision.ALLOW),
        ("bureau", "member", "organisation.read", False, Decision.ALLOW),
        ("audit", "member", "user.read", False, Decision.ALLOW),
        ("audit", "member", "user.create", False, Decision.HIDDEN),
        ("operator", "admin", "ledger.read-payload", True, Decision.FORBIDDEN),
        ("bureau", "admin", "no.such.permission", True, Decision.FORBIDDEN),
        ("bureau", "admin", "no.such.permission", False, Decision.HIDDEN),
    ],
)
def test_permission_table_denies_by_default(kind, role, permission, same, expected):
    assert decide(kind=kind, role=role, permission=permission, same_organisation=same) is expected


def test_short_password_is_refused():
    assert "at least 10" in password_problem("short", login="alice")


def test_password_containing_login_is_refused():
    assert "login" in password_problem("alice-1234567", login="alice")


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


def test_platform_wide_objects_are_for_grants_that_reach_every_organisation():
    from pubdata.identity.rules import decide_platform_wide

    assert decide_platform_wide(kind="bureau", role="admin", permission="authorization.manage") is Decision.ALLOW
    assert decide_platform_wide(kind="operator", role="admin", permission="authorization.operate") is Decision.FORBIDDEN
    assert decide_platform_wide(kind="audit", role="member", permission="ledger.read-payload") is Decision.ALLOW
