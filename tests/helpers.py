"""Small builders the tests share: organisations, users and tokens made through the real services."""

from __future__ import annotations

from dataclasses import dataclass

from pubdata.common.actor import CLI
from pubdata.identity import service as identity
from pubdata.platform import Platform

PASSWORD = "correct-horse-battery"


@dataclass
class Account:
    organisation_id: int
    user_id: int
    login: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_account(
    platform: Platform, *, kind: str, name: str, login: str, role: str = "admin", days: int = 30
) -> Account:
    with platform.session() as session:
        organisation = identity.find_organisation(session, name=name) or identity.create_organisation(
            session, actor=CLI, kind=kind, name=name
        )
        user = identity.create_user(
            session,
            actor=CLI,
            organisation_id=organisation.id,
            login=login,
            display_name=login,
            role=role,
            password=PASSWORD,
        )
        _, token = identity.issue_token(session, actor=CLI, user_id=user.id, name="test", days=days)
        session.commit()
        return Account(organisation.id, user.id, login, token)


def ledger_size(platform: Platform) -> int:
    from pubdata.ledger import service as ledger

    with platform.session() as session:
        return ledger.size(session)
