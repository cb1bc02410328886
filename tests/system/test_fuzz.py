"""Issue 11, point 12: schemathesis over the whole OpenAPI document, on both databases, against the demo city.

Every operation gets generated requests (valid and invalid ones), each sent with no token or with the token of one
organisation of a kind the demo has (drawn with the request); every answer is checked for a server error and
against the document: its status is documented, its content type, headers and body match the declared response
(problem+json for refusals).

The fuzzer holds tokens of its own (its own user in each organisation), so a generated call that revokes a token,
deactivates a user or cuts an organisation off (an operator's or a partner's exit) cannot take away the identity
the rest of the run calls with: a revocation is sent with a second token of the same user, and after every call
that changes anything, what it ended is given back (re-issued, re-activated, or a new organisation of the kind).

Identifiers are drawn both from the whole range the document allows and from the small numbers the demo's rows
have, and resource codes from the catalogue, so the requests reach real objects, not only 404s.

The run is bounded (``PUBDATA_FUZZ_EXAMPLES`` examples per operation, derandomised so a failure reproduces);
raise it by hand to fuzz deeper. ``PUBDATA_FUZZ_SEED`` fuzzes with a fresh seed instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from sqlalchemy import select

from pubdata import demo
from pubdata.app import create_app
from pubdata.catalog.models import Resource
from pubdata.db import Base
from pubdata.identity import service as identity
from pubdata.identity.models import ApiToken, Organisation, User
from pubdata.platform import Platform
from tests.scenarios import AS_CLI, PASSWORD, principal

EXAMPLES = int(os.environ.get("PUBDATA_FUZZ_EXAMPLES", "30"))
SEED = os.environ.get("PUBDATA_FUZZ_SEED")
# One organisation of each kind the demo has (consumers: the bank and an agency), by its admin's login.
KINDS = {
    "bureau": "bureau.admin",
    "provider": "police.admin",
    "operator": "operator.admin",
    "partner": "partner.admin",
    "consumer-bank": "bank.admin",
    "consumer-agency": "city.admin",
    "pricing": "pricing.admin",
    "finance": "finance.admin",
    "market": "market.admin",
    "audit": "audit.admin",
    "security": "security.admin",
    "subject": "meizheng.admin",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
REVOKES = ("DELETE", "/api/v1/tokens/{token_id}")


@dataclass
class Caller:
    """The fuzzer's own user in one organisation: a token it calls with, and a second one it revokes with."""

    kind: str
    user_id: int
    organisation_kind: str = ""
    token: str = ""
    revoker: str = ""
    token_id: int = 0
    revoker_id: int = 0


@dataclass
class Fuzzer:
    platform: Platform
    callers: list[Caller]
    known: dict[str, list[Any]]
    failures: dict[tuple[str, str, str], str] = field(default_factory=dict)
    calls: int = 0

    def issue(self, caller: Caller, *, revoker: bool) -> None:
        with self.platform.command() as session:
            token, plaintext = identity.issue_token(
                session, principal=AS_CLI, user_id=caller.user_id, name="fuzzer", days=30
            )
            session.flush()
            if revoker:
                caller.revoker, caller.revoker_id = plaintext, token.id
            else:
                caller.token, caller.token_id = plaintext, token.id

    def restore(self) -> None:
        """Give back what a call ended: re-activate a deactivated fuzzer user, re-issue a revoked token, and for an
        organisation cut off (an operator's exit, a partner's) make a new one of its kind with a new fuzzer user."""
        with self.platform.read() as session:  # one query: this runs after every call that changes anything
            users = {caller.user_id for caller in self.callers}
            rows = session.execute(
                select(User.id, User.active, Organisation.active, ApiToken.id, ApiToken.revoked_at)
                .join(Organisation, Organisation.id == User.organisation_id)
                .join(ApiToken, ApiToken.user_id == User.id)
                .where(User.id.in_(users))
            ).all()
        state = {user_id: (user_active, organisation_active) for user_id, user_active, organisation_active, *_ in rows}
        revoked = {token_id for *_, token_id, revoked_at in rows if revoked_at is not None}
        for caller in self.callers:
            active, organisation_active = state[caller.user_id]
            cut_off = not organisation_active
            if cut_off:
                caller.user_id = _fuzz_user(self.platform, caller, organisation_id=None)
            elif not active:
                with self.platform.command() as session:
                    identity.set_user_active(session, principal=AS_CLI, user_id=caller.user_id, active=True)
            if cut_off or not active or caller.token_id in revoked:
                self.issue(caller, revoker=False)
            if cut_off or not active or caller.revoker_id in revoked:
                self.issue(caller, revoker=True)

    def headers(self, caller: Caller | None, operation: Any) -> dict[str, str]:
        if caller is None:
            return {}
        revoking = (operation.method.upper(), operation.path) == REVOKES
        return {"Authorization": f"Bearer {caller.revoker if revoking else caller.token}"}


def _fuzz_user(platform: Platform, caller: Caller, *, organisation_id: int | None) -> int:
    """The fuzzer's own admin in ``organisation_id`` (or in a new organisation of the caller's kind)."""
    with platform.command() as session:
        if organisation_id is None:
            organisation_id = identity.create_organisation(
                session,
                principal=AS_CLI,
                kind=caller.organisation_kind,
                name=f"池州模糊测试{caller.kind}{caller.user_id}",
            ).id
        user = identity.create_user(
            session,
            principal=AS_CLI,
            organisation_id=organisation_id,
            login=f"fuzz.{caller.kind}.{organisation_id}",
            display_name=f"fuzz {caller.kind}",
            role="admin",
            password=PASSWORD,
        )
        session.flush()
        return user.id


def _fuzzer(platform: Platform) -> Fuzzer:
    demo.build(platform, scale=0.01)
    callers = []
    for kind, login in KINDS.items():
        demo_admin = principal(platform, login)
        caller = Caller(kind, 0, organisation_kind=demo_admin.organisation_kind)
        caller.user_id = _fuzz_user(platform, caller, organisation_id=demo_admin.organisation_id)
        callers.append(caller)
    fuzzer = Fuzzer(platform, callers, _known_rows(platform))
    for caller in callers:
        fuzzer.issue(caller, revoker=False)
        fuzzer.issue(caller, revoker=True)
    return fuzzer


# A path parameter's rows: ``contract_id`` names a row of ``contract`` …
TABLES = {"user_id": "app_user", "token_id": "api_token", "source_id": "source_connection", "seq": "ledger_entry"}


def _known_rows(platform: Platform) -> dict[str, list[Any]]:
    """What the demo's rows are called by in a path: their ids (by parameter name) and the resource codes."""
    known: dict[str, list[Any]] = {}
    with platform.read() as session:
        for table in Base.metadata.sorted_tables:
            key = next(iter(table.primary_key.columns))
            if len(table.primary_key.columns) == 1 and key.type.python_type is int:
                name = next((name for name, held in TABLES.items() if held == table.name), f"{table.name}_id")
                known[name] = list(session.scalars(select(key).order_by(key).limit(200)))
        known["code"] = list(session.scalars(select(Resource.code)))
    return {name: values for name, values in known.items() if values}


def _realistic(data: st.DataObject, case: Any, known: dict[str, list[Any]]) -> None:
    """Half the time, point a path's id or code at a row the demo has, so the call reaches a real object; an id
    in the body likewise, to any row's id."""
    for name in list(case.path_parameters or {}):
        if name in known and data.draw(st.booleans()):
            case.path_parameters[name] = data.draw(st.sampled_from(known[name]))
    if isinstance(case.body, dict):
        for name, value in list(case.body.items()):
            if name.endswith("_id") and isinstance(value, int) and data.draw(st.booleans()):
                case.body[name] = data.draw(st.integers(1, 30))


def _strategy(operation: Any) -> st.SearchStrategy:
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    try:
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    except Exception:  # noqa: BLE001 - an operation with nothing to make invalid has no negative cases
        pass
    return st.one_of(strategies)


def _settings() -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=SEED is None,
        phases=[Phase.explicit, Phase.generate],  # failures are collected, not raised: nothing to shrink
        suppress_health_check=list(HealthCheck),
    )


def _fuzz_operation(fuzzer: Fuzzer, client: Any, operation: Any) -> None:
    label = f"{operation.method.upper()} {operation.path}"
    changes_state = operation.method.upper() != "GET"
    cases = _strategy(operation)

    @_settings()
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(cases)
        _realistic(data, case, fuzzer.known)
        caller = data.draw(st.sampled_from([None, *fuzzer.callers]))
        who = caller.kind if caller else "anonymous"
        fuzzer.calls += 1
        try:
            client.cookies.clear()  # each call stands alone: only the token says who calls
            response = case.call(headers=fuzzer.headers(caller, operation), session=client)
            case.validate_response(response, checks=CHECKS)
        except (FailureGroup, Exception) as error:  # noqa: BLE001 - collect every failure, report them together
            text = str(error).strip() or type(error).__name__
            fuzzer.failures.setdefault((label, who, text.splitlines()[0]), text[:1500])
        finally:
            if changes_state and caller is not None:
                fuzzer.restore()

    if SEED is not None:
        run = hypothesis.seed(int(SEED))(run)
    run()


def test_no_operation_answers_a_server_error_or_outside_its_documented_schema(platform):
    fuzzer = _fuzzer(platform)
    app = create_app(platform)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == sum(len(methods) for methods in app.openapi()["paths"].values()), "the whole API"
    with schemathesis.python.asgi.get_client(app) as client:
        for operation in operations:
            _fuzz_operation(fuzzer, client, operation)
        # Whatever the run revoked or deactivated, every identity it calls with still holds.
        identities = {
            caller.kind: client.get("http://testserver/api/v1/me", headers={"Authorization": f"Bearer {caller.token}"})
            for caller in fuzzer.callers
        }
    report = "\n\n".join(f"{label} as {who}: {text}" for (label, who, _), text in sorted(fuzzer.failures.items()))
    assert not fuzzer.failures, f"{len(fuzzer.failures)} failures in {fuzzer.calls} calls:\n{report}"
    assert {kind: me.status_code for kind, me in identities.items()} == dict.fromkeys(KINDS, 200)
