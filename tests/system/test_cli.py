"""The command line: demo, admin commands and ledger tools, on both databases."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pubdata.cli import app
from pubdata.identity import service as identity
from pubdata.platform import open_platform

runner = CliRunner()


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("PUBDATA_DATABASE_URL", settings.database_url)
    return ["--data-dir", str(settings.data_dir)]


def run(*args: str):
    result = runner.invoke(app, list(args))
    return result


def test_demo_is_idempotent_and_its_accounts_work(cli_env, settings):
    first = run("demo", "--scale", "0.01", *cli_env)
    assert first.exit_code == 0, first.output
    accounts = json.loads((settings.data_dir / "demo-accounts.json").read_text("utf-8"))["accounts"]
    kinds = {account["kind"] for account in accounts}
    assert kinds == {
        "bureau",
        "provider",
        "operator",
        "partner",
        "consumer",
        "pricing",
        "finance",
        "market",
        "audit",
        "security",
        "subject",
    }
    platform = open_platform(settings)
    with platform.command() as session:
        from pubdata.ledger import service as ledger

        size = ledger.size(session)
        for account in accounts:
            assert identity.authenticate(session, login=account["login"], password=account["password"])
            assert identity.principal_from_token(session, account["token"]).login == account["login"]
    assert run("demo", "--scale", "0.01", *cli_env).exit_code == 0
    with platform.command() as session:
        assert ledger.size(session) == size
    assert json.loads((settings.data_dir / "demo-accounts.json").read_text("utf-8"))["accounts"] == accounts
    assert oct((settings.data_dir / "demo-accounts.json").stat().st_mode & 0o777) == "0o600"
    platform.close()


def test_demo_registers_the_pilot_catalogue_through_the_workflow(cli_env, settings):
    from pubdata.catalog import service as catalog
    from pubdata.demo import pilot
    from pubdata.ledger.verify import verify
    from pubdata.registration.models import Registration

    assert run("demo", "--scale", "0.01", *cli_env).exit_code == 0
    platform = open_platform(settings)
    with platform.command() as session:
        found, total = catalog.search_public(session, filters=catalog.Filters(), limit=100)
        assert total == len(pilot.PILOT_RESOURCES)
        assert all(resource.registration_number and resource.current_version == 1 for resource in found)
        assert {r.base_library for r in found} >= {
            "population",
            "legal_entity",
            "e_licence",
            "spatial",
            "macro_economy",
            "credit",
        }
        steps = [(r.kind, r.state, r.decided_at is not None) for r in session.query(Registration)]
        assert steps and all(step == ("first", "registered", True) for step in steps)
        population = catalog.search_public(session, filters=catalog.Filters(q="人口"))[0]
        assert "CZ-RK-0001" in [r.code for r in population]
        from pubdata.authorization import scope
        from pubdata.authorization.models import Agreement, Partner

        agreement = session.query(Agreement).one()
        assert agreement.state == "active" and agreement.document_digest
        partner = session.query(Partner).one()
        assert partner.state == "admitted"
        assert scope.check_use(session, organisation_id=partner.organisation_id, code="CZ-XY-0005") is None
        assert scope.check_use(session, organisation_id=partner.organisation_id, code="CZ-RK-0001") is not None
        assert scope.check_use(session, organisation_id=agreement.operator_id, code="CZ-RK-0001") is None
        assert verify(session, public_keys=platform.public_keys).ok
    platform.close()


def test_demo_signs_contracts_runs_a_dp_query_and_releases_a_job(cli_env, settings):
    from pubdata.contracts.models import Contract
    from pubdata.jobs.models import Job
    from pubdata.privacy.models import DpAnswer

    assert run("demo", "--scale", "0.01", *cli_env).exit_code == 0
    document = json.loads((settings.data_dir / "demo-accounts.json").read_text("utf-8"))
    logins = {account["login"] for account in document["accounts"]}
    assert [(c["consumer_login"], c["output_rule"]) for c in document["contracts"]] == [
        ("city.admin", "dp"),
        ("bank.admin", "aggregate"),
        ("partner.admin", "aggregate"),
        ("operator.admin", "aggregate"),  # the operator's own development contract
    ]
    assert all(c["consumer_login"] in logins and c["consumer"] for c in document["contracts"])
    platform = open_platform(settings)
    with platform.command() as session:
        governance = session.get(Contract, document["contracts"][0]["id"])
        assert (governance.state, governance.calls_used, governance.epsilon_spent_micro) == ("active", 1, 500_000)
        assert json.loads(governance.terms)["purpose"] == "public_governance"
        assert session.query(DpAnswer).filter_by(contract_id=governance.id).count() == 1
        job = session.query(Job).one()
        assert job.state == "released" and job.operator_released_at and job.bureau_released_at
    platform.close()


def test_jobs_run_command_recovers_and_runs_waiting_jobs(cli_env, settings):
    from pubdata.jobs.models import Job

    assert run("demo", "--scale", "0.01", *cli_env).exit_code == 0
    platform = open_platform(settings)
    with platform.command() as session:  # as if the server had died while the demo's job ran
        session.query(Job).update({"state": "running", "attempts": 1})
    result = run("jobs", "run", *cli_env)
    assert result.exit_code == 0 and "will run again" in result.output and "1 job(s) ran" in result.output
    with platform.command() as session:
        assert session.query(Job).one().state == "held"
    platform.close()


def test_admin_commands_create_org_user_and_token(cli_env):
    created = run("admin", "create-org", "--kind", "provider", "--name", "池州市统计局", *cli_env)
    assert created.exit_code == 0, created.output
    org_id = created.output.split()[1]
    user = run(
        "admin",
        "create-user",
        "--org-id",
        org_id,
        "--login",
        "stats.admin",
        "--role",
        "admin",
        "--password",
        "long-enough-pw",
        *cli_env,
    )
    assert user.exit_code == 0, user.output
    token = run("admin", "create-token", "--login", "stats.admin", *cli_env)
    assert token.exit_code == 0 and token.output.strip().startswith("pdt_")
    refused = run("admin", "create-org", "--kind", "wizard", "--name", "x", *cli_env)
    assert refused.exit_code == 2 and "identity.organisation-kind" in refused.output


def test_ledger_head_proof_and_verify(cli_env):
    assert run("demo", "--scale", "0.01", *cli_env).exit_code == 0
    head = json.loads(run("ledger", "head", *cli_env).output)
    assert head["size"] > 20
    proof = run("ledger", "proof", "7", *cli_env)
    assert proof.exit_code == 0 and json.loads(proof.output)["verified"] is True
    assert run("ledger", "consistency", "3", str(head["size"]), *cli_env).exit_code == 0
    verified = run("ledger", "verify", *cli_env)
    assert verified.exit_code == 0 and "no problem found" in verified.output


def test_verify_names_the_entry_after_a_hand_edit(cli_env, settings):
    assert run("demo", "--scale", "0.01", *cli_env).exit_code == 0
    platform = open_platform(settings)
    with platform.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE app_user SET role = 'admin' WHERE login = 'bureau.admin'")
        connection.exec_driver_sql("UPDATE organisation SET name = '篡改' WHERE kind = 'operator'")
        seq = connection.exec_driver_sql("SELECT ledger_seq FROM organisation WHERE kind = 'operator'").scalar()
    platform.close()
    result = run("ledger", "verify", *cli_env)
    assert result.exit_code == 1
    assert f"first bad entry {seq}" in result.output
    assert "organisation:" in result.output and "was changed after entry" in result.output
