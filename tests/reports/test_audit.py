"""The audit bureau's views over HTTP, on both databases: the catalogue, contracts, calls with the governed plan
each ran (the SQL the platform generated, read from the ledger's payloads, the reading itself recorded), jobs,
each month's statements; filters; a CSV of metadata only; each row beside its ledger entry's proof. Others may
not open them."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.common.money import format_fen
from pubdata.ledger import service as ledger
from tests.data import person_rows
from tests.scenarios import BANK_TERMS, at, ledger_size, make_account, page_client, signed_agreement, signed_contract


@pytest.fixture
def audited(platform, city):
    signed_agreement(platform)
    bank = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=366)
    make_account(platform, kind="audit", name="池州市审计局", login="audit.admin", days=366)
    at("2026-03-10")
    contract = signed_contract(platform, city["operator"], bank, BANK_TERMS)
    with TestClient(create_app(platform)) as client:
        answer = client.post(
            "/api/v1/queries",
            headers=bank.headers,
            json={
                "contract_id": contract["id"],
                "sql": "SELECT district, count(*) AS n FROM cz_rk_0001 GROUP BY district",
            },
        )
        assert answer.status_code == 200, answer.text
    return {"contract": contract, "bank": bank, **city}


def test_the_auditor_reads_calls_with_their_plans_and_the_reading_is_recorded(platform, audited):
    client, _ = page_client(platform, "audit.admin")
    before = ledger_size(platform)
    page = client.get("/audit/calls?month=2026-03")
    assert page.status_code == 200
    assert "<code>SELECT" in page.text and "cz_rk_0001" in page.text and "GROUP BY" in page.text
    assert "/ledger/verify/" in page.text
    assert ledger_size(platform) == before + 1
    with platform.read() as session:
        (entry,) = ledger.latest_entries(session, limit=1)
        assert entry.action == "audit.calls-read"
    # No value of the data is in any view: the twenty persons' names and ID numbers appear nowhere.
    people = person_rows(20)
    for view in ("resources", "contracts", "calls", "jobs", "statements"):
        shown = client.get(f"/audit/{view}?month=2026-03").text
        assert not any(row["full_name"] in shown or row["id_number"] in shown for row in people), view


def test_views_filter_and_export_metadata_as_csv(platform, audited):
    client, _ = page_client(platform, "audit.admin")
    resources = client.get("/audit/resources").text
    assert "CZ-RK-0001" in resources and "CZ-CG-0001" in resources and "已登记" in resources
    only = client.get("/audit/resources?q=CZ-CG").text
    assert "CZ-CG-0001" in only and "CZ-RK-0001" not in only
    exported = client.get("/audit/contracts.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["合约", "提供方", "使用方"] and rows[0][-1] == "存证序号"
    assert rows[1][0] == f"#{audited['contract']['id']}" and rows[1][2] == "池州农村商业银行" and rows[1][-1].isdigit()
    assert client.get("/audit/secrets").status_code == 404


def test_the_auditor_reads_each_months_statements_as_their_pages_total_them(platform, audited):
    client, _ = page_client(platform, "audit.admin")
    bank = audited["bank"].organisation_id
    page = client.get("/audit/statements?month=2026-03").text
    assert f'href="/billing/statements/{bank}/2026-03"' in page and 'name="month"' in page
    exported = client.get("/audit/statements.csv?month=2026-03")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["调用方", "月份", "使用次数", "其中免费（公益）", "金额", "存证序号"]
    (row,) = rows[1:]
    assert row[:3] == ["池州农村商业银行", "2026-03", "1"] and row[-1].isdigit()
    statement = client.get(f"/api/v1/billing/statements/{bank}/2026-03", headers=audited["bank"].headers).json()
    assert row[4] == format_fen(statement["total_fen"])
    with platform.read() as session:
        assert ledger.entries_at(session, [int(row[-1])])[0].action == "contract.call"  # the month's last use
    assert client.get("/audit/statements?month=2026-04").text.count(f"/billing/statements/{bank}/") == 0
    assert client.get("/audit/statements?month=2026-13").status_code == 422


def test_only_the_auditor_and_the_bureau_open_the_audit_views(platform, audited):
    bank, _ = page_client(platform, "bank.admin")
    assert bank.get("/audit/contracts").status_code == 403
    operator, _ = page_client(platform, "operator.admin")
    assert operator.get("/audit/calls.csv").status_code == 403
    bureau, _ = page_client(platform, "bureau.admin")
    assert bureau.get("/audit/calls?month=2026-03").status_code == 200
