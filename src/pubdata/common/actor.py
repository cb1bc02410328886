"""Who did something: the value every ledger entry records as its actor."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """A user acting for an organisation, or the platform itself (``system``, ``cli``)."""

    label: str
    organisation_id: int | None = None
    user_id: int | None = None

    @classmethod
    def user(cls, user_id: int, organisation_id: int) -> Actor:
        return cls(label=f"user:{user_id}", organisation_id=organisation_id, user_id=user_id)


SYSTEM = Actor(label="system")
CLI = Actor(label="cli")
# Someone of the public, not logged in (an objection to a public notice): no user, no organisation.
PUBLIC = Actor(label="public")
