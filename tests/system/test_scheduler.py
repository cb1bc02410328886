"""The scheduler applies each domain's deadlines in a command of its own: one domain failing neither rolls back
nor stops the others, and ``pubdata tick`` says what happened, a line per domain."""

from __future__ import annotations

from typer.testing import CliRunner

from pubdata import scheduler
from pubdata.cli import app
from pubdata.identity.models import Organisation
from pubdata.ledger import service as ledger
from tests.scenarios import at, make_account, registered_resources


def test_a_failing_domain_rolls_back_alone_and_the_others_still_apply(platform, monkeypatch):
    at("2026-11-02")
    make_account(platform, kind="bureau", name="池州市数据资源局", login="bureau.admin", days=366)
    make_account(platform, kind="provider", name="池州市公安局", login="police.admin", days=366)
    registered_resources(platform, (("CZ-RK-0001", "public_security"),))

    def broken(session, actor):  # writes, then fails: none of it may stay
        session.add(Organisation(kind="provider", name="半途而废", active=True, created_at=ledger.clock.now()))
        session.flush()
        raise RuntimeError("a bug in one domain's deadlines")

    monkeypatch.setattr(scheduler, "DOMAINS", (("broken", broken), *scheduler.DOMAINS))
    at("2026-11-30")
    report = scheduler.tick(platform)
    assert [(d.domain, d.failed) for d in report.domains] == [
        ("broken", True),
        ("catalog", False),
        ("authorization", False),
        ("contracts", False),
        ("products", False),
        ("consent", False),
        ("quality", False),
        ("billing", False),
    ]
    assert report.changes == ["resource registered: CZZY2026000001"]
    with platform.read() as session:
        assert session.query(Organisation).filter_by(name="半途而废").count() == 0
    assert scheduler.tick(platform).changes == []  # and running it again changes nothing more


def test_the_tick_command_prints_a_line_per_domain(platform, settings, monkeypatch):
    monkeypatch.setenv("PUBDATA_DATABASE_URL", settings.database_url)
    result = CliRunner().invoke(app, ["tick", "--data-dir", str(settings.data_dir), "--now", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.output.splitlines()] == [
        "catalog",
        "authorization",
        "contracts",
        "products",
        "consent",
        "quality",
        "billing",
    ]
    assert all(line.endswith("0 change(s)") for line in result.output.splitlines())
