"""A month of simulated use (the demo's: the bank's daily profile calls, the city's weekly free statistics, the
privacy-computing runs) reconciles line for line, by the service and by the command; the statements bill exactly
what the ledger metered, public-governance lines free, and the public price list shows every price."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from pubdata import demo
from pubdata.app import create_app
from pubdata.billing import service as billing
from pubdata.billing.models import MeterLine
from pubdata.cli import app
from pubdata.common import clock
from pubdata.ledger.models import LedgerEntry
from tests.scenarios import AS_CLI


def test_the_demos_month_of_use_reconciles_line_for_line(platform, settings, monkeypatch):
    demo.build(platform, scale=0.02)
    this_month = clock.today().strftime("%Y-%m")
    last_month = (clock.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    with platform.read() as session:
        months = sorted(set(session.scalars(select(MeterLine.month))))
        assert last_month in months or this_month in months
        for month in months:
            checked = billing.reconcile(session, principal=AS_CLI, month=month)
            assert checked.balanced, checked.problems
            assert checked.entries == checked.lines and checked.ledger_fen == checked.billed_fen
        metered_calls = session.scalar(select(func.count()).select_from(MeterLine))
        calls = session.scalar(select(func.count()).where(LedgerEntry.action == "contract.call"))
        assert metered_calls == calls >= 20  # every call of the story metered, a month of them
        free = session.scalars(select(MeterLine).where(MeterLine.purpose == "public_governance")).all()
        assert free and all(line.amount_fen == 0 and line.basis == "free" for line in free)
        charged = session.scalars(select(MeterLine).where(MeterLine.basis == "charged")).all()
        assert sum(line.amount_fen for line in charged) > 0
        tiers = {tier for line in charged for tier, _, _ in json.loads(line.tiers)}
        assert tiers >= {1}
    monkeypatch.setenv("PUBDATA_DATABASE_URL", settings.database_url)
    for month in months:
        result = CliRunner().invoke(
            app, ["billing", "reconcile", "--month", month, "--data-dir", str(settings.data_dir)]
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["balanced"] is True
    with TestClient(create_app(platform)) as client:
        listed = client.get("/api/v1/public/products").json()
    assert listed and all(item["price"]["price"] is not None and item["price"]["trial"] for item in listed)
