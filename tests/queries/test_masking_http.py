"""Masking follows the column's declared sensitivity, never a value's shape — over HTTP, on both databases.

A real aggregate grouped by industry shows 房地产业 as it is (the column is declared non-sensitive, however much
the value looks like a name); a declared personal column is masked by its declared rule even when its values
look like nothing personal (birth dates); a development run's file and log are masked the same way, and its
output check finds the mock identifiers as a real job's check finds real ones.
"""

from __future__ import annotations

import csv
import io
import random

import duckdb
import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.authorization import partners
from pubdata.authorization.schemas import Scope
from pubdata.common import masking
from pubdata.common.ids import is_synthetic_resident_id
from tests.data import credit_code, person_name, resource_body
from tests.queries.test_pages_http import logged_in
from tests.scenarios import (
    PARTNER_TERMS,
    approved_scenario,
    at,
    principal,
    registered_resource,
    run,
    signed_agreement,
    signed_contract,
    tick,
)

DISTRICTS = {"贵池区", "东至县", "石台县", "青阳县"}
FIRM_FIELDS = [
    {"name": "credit_code", "label": "统一社会信用代码", "format": "credit_code", "required": True},
    {"name": "industry", "label": "行业门类"},
    {"name": "legal_rep_name", "label": "法定代表人姓名", "format": "person_name", "sensitivity": "personal"},
    {"name": "registered_capital", "label": "注册资本（万元）", "type": "decimal"},
]
INDUSTRIES = ("房地产业", "制造业", "批发和零售业")


@pytest.fixture
def industry_deal(platform, city) -> dict:
    """The market regulator's legal-entity library (60 firms in three industries), registered after its
    notice; the operator's agreement reaches it and its partner holds a contract grouping by industry."""
    at("2026-01-02")
    rng = random.Random(11)
    rows = [
        {
            "credit_code": credit_code(rng),
            "industry": INDUSTRIES[index % 3],
            "legal_rep_name": person_name(rng),
            "registered_capital": f"{rng.uniform(10, 500):.2f}",
        }
        for index in range(60)
    ]
    body = resource_body(code="CZ-FR-0001", name="法人基础信息库", fields=FIRM_FIELDS, sector="market_regulation") | {
        "base_library": "legal_entity"
    }
    registered_resource(platform, body, rows)
    at("2026-02-05")
    assert tick(platform)  # its notice is over: registered
    agreement = signed_agreement(
        platform, day="2026-02-06", scope=Scope(resources=("CZ-RK-0001", "CZ-FR-0001"), max_grade="general-4")
    )
    run(
        platform,
        partners.admit_partner,
        principal=principal(platform, "operator.admin"),
        agreement_id=agreement.id,
        partner_id=city["partner"].organisation_id,
        scope=Scope(resources=("CZ-FR-0001",), max_grade="general-4"),
    )
    terms = PARTNER_TERMS | {"resources": ["CZ-FR-0001"], "dimensions": ["industry"], "valid_from": "2026-02-10"}
    signed = signed_contract(platform, city["operator"], city["partner"], terms)
    approved_scenario(
        platform, proposer_login="partner.admin", codes=("CZ-FR-0001",), purpose="industry", field="industry"
    )
    at("2026-02-12")
    return {"contract_id": signed["id"], **city}


def _cells(page: str) -> list[str]:
    """The console's result table, cell by cell."""
    table = page.split('data-testid="result"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [cell.split("</td>", 1)[0] for cell in body.split("<td>")[1:]]


def test_a_real_aggregate_by_industry_shows_the_industry_unmasked(platform, industry_deal):
    sql = "SELECT industry, count(*) AS n FROM cz_fr_0001 GROUP BY industry ORDER BY industry"
    page_client, csrf = logged_in(platform, "partner.admin")
    page = page_client.post(
        "/console",
        data={"contract_id": str(industry_deal["contract_id"]), "sql": sql, "data": "real", "csrf_token": csrf},
    )
    assert page.status_code == 200, page.text
    cells = _cells(page.text)
    assert sorted(cells[::2]) == sorted(INDUSTRIES) and cells[1::2] == ["20", "20", "20"]
    assert "房***" not in page.text and "房*" not in page.text  # 房 is a surname; the column is declared open
    with TestClient(create_app(platform)) as client:
        answer = client.post(
            "/api/v1/queries",
            headers=industry_deal["partner"].headers,
            json={"contract_id": industry_deal["contract_id"], "sql": sql},
        )
    assert answer.status_code == 200, answer.text
    assert sorted(row[0] for row in answer.json()["rows"]) == sorted(INDUSTRIES)


def test_a_declared_personal_column_is_masked_even_when_its_values_do_not_look_personal(platform, partner_deal):
    sql = "SELECT id_number, full_name, birth_date, district, household_size FROM cz_rk_0001 LIMIT 30"
    with TestClient(create_app(platform)) as client:
        answer = client.post(
            "/api/v1/dev/queries",
            headers=partner_deal["partner"].headers,
            json={"contract_id": partner_deal["contract_id"], "sql": sql},
        )
    assert answer.status_code == 200, answer.text
    rows = answer.json()["rows"]
    mock = _mock_table(platform)
    raw_ids, raw_names = set(mock["id_number"]), set(mock["full_name"])
    for id_number, name, born, district, size in rows:
        # The birth date is a date, nothing like an ID or a name: masked all the same, by its declaration.
        assert born.count("*") == 6 and len(born) == 10
        assert id_number.count("*") == 10 and id_number not in raw_ids
        assert name not in raw_names and name.endswith("*")
        assert district in DISTRICTS and isinstance(size, int)  # declared open: as they are
    # The masked ID is the masked mock ID of the synthetic range, not something else.
    assert {row[0] for row in rows} <= {masking.mask_id_number(number) for number in raw_ids}
    page_client, csrf = logged_in(platform, "partner.admin")
    page = page_client.post(
        "/console",
        data={"contract_id": str(partner_deal["contract_id"]), "sql": sql, "data": "mock", "csrf_token": csrf},
    )
    cells = _cells(page.text)
    assert len(cells) == 150 and all(cell.count("*") == 6 for cell in cells[2::5])
    assert all(cell in DISTRICTS for cell in cells[3::5])


DEV_SCRIPT = """\
import pandas as pd

people = pd.read_parquet("/data/cz_rk_0001.parquet")
out = people[["id_number", "full_name", "district", "household_size"]].head(10).copy()
out["who"] = out["full_name"]  # renamed: still the declared name column's values
out.to_csv("/output/output-1.csv", index=False)
print(people[["id_number", "full_name", "district"]].head(10).to_string())
"""


def test_a_development_runs_output_and_log_are_masked_by_declaration(platform, partner_deal):
    declared = [
        {
            "format": "csv",
            "columns": [
                {"name": "id_number", "type": "string"},
                {"name": "full_name", "type": "string"},
                {"name": "district", "type": "string"},
                {"name": "household_size", "type": "integer"},
                {"name": "who", "type": "string"},
            ],
        }
    ]
    with TestClient(create_app(platform)) as client:
        answer = client.post(
            "/api/v1/dev/runs",
            headers=partner_deal["partner"].headers,
            json={
                "contract_id": partner_deal["contract_id"],
                "code": DEV_SCRIPT,
                "requirements": ["pandas"],
                "outputs": declared,
            },
        )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["exit_code"] == 0, result["log"]
    mock = _mock_table(platform)
    first_ids, first_names = mock["id_number"][:10], mock["full_name"][:10]
    assert all(is_synthetic_resident_id(number) for number in first_ids)
    (file,) = result["files"]
    rows = list(csv.reader(io.StringIO(file["preview"])))
    assert rows[0] == ["id_number", "full_name", "district", "household_size", "who"] and len(rows) == 11
    for (id_number, name, district, size, who), raw_id, raw_name in zip(rows[1:], first_ids, first_names, strict=True):
        assert id_number == masking.mask_id_number(raw_id) and name == masking.mask_name(raw_name)
        assert who == masking.mask_name(raw_name)  # by the values' column, not by the output's name
        assert district in DISTRICTS and size.isdigit()  # declared open: as they are
    log = result["log"]
    assert not any(number in log or name in log for number, name in zip(first_ids, first_names, strict=True))
    assert masking.mask_id_number(first_ids[0]) in log and any(district in log for district in DISTRICTS)
    # The output check looks the mock identifiers up, as a real job's check looks up the real ones.
    assert {kind for finding in result["findings"] for kind in finding["kinds"]} >= {"resident_id", "name"}


def _mock_table(platform) -> dict[str, list]:
    (path,) = platform.settings.mock_dir.glob("cz_rk_0001-*.parquet")
    table = duckdb.sql(f"SELECT id_number, full_name FROM read_parquet('{path}')").fetchall()
    return {"id_number": [row[0] for row in table], "full_name": [row[1] for row in table]}
