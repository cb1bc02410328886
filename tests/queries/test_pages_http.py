"""Contract and console pages without a browser: proposing through the form (a refusal shows the rule's
sentence and writes nothing), signing, the run record, and a DP contract's console offering no job form."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pubdata.platform import Platform
from tests.scenarios import ledger_size, page_client

DP_FORM = {
    "resources": "CZ-RK-0001",
    "purpose": "public_governance",
    "output_rule": "dp",
    "valid_from": "2026-01-05",
    "valid_until": "2026-12-31",
    "max_calls": "10",
    "max_rows": "100",
    "dimensions": "district",
    "min_group_size": "10",
    "epsilon": "1",
    "epsilon_per_query": "0.5",
    "delta": "1e-6",
    "bounds": "household_size: 1, 10",
    "max_contributions": "1",
}


def logged_in(platform: Platform, login: str) -> tuple[TestClient, str]:
    return page_client(platform, login)


def test_a_dp_contract_proposed_and_signed_through_the_pages_offers_queries_but_no_jobs(platform, partner_deal):
    operator, csrf = logged_in(platform, "operator.admin")
    partner_id = str(partner_deal["partner"].organisation_id)
    before = ledger_size(platform)
    refused = operator.post(
        "/contracts", data={**DP_FORM, "assignee_id": partner_id, "epsilon_per_query": "5", "csrf_token": csrf}
    )
    assert refused.status_code == 422 and "epsilon_per_query" in refused.text and 'role="alert"' in refused.text
    assert ledger_size(platform) == before
    proposed = operator.post(
        "/contracts", data={**DP_FORM, "assignee_id": partner_id, "csrf_token": csrf}, follow_redirects=False
    )
    assert proposed.status_code == 303
    page = proposed.headers["location"]
    assert operator.post(f"{page}/do/sign", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303

    partner, partner_csrf = logged_in(platform, "partner.admin")
    assert partner.post(f"{page}/do/sign", data={"csrf_token": partner_csrf}, follow_redirects=False).status_code == 303
    detail = partner.get(page).text
    assert 'data-testid="state">生效<' in detail and 'data-testid="epsilon-left">1<' in detail
    record = partner.get(f"{page}/record.json")
    assert [entry["action"] for entry in record.json()["ledger"]] == [
        "contract.propose",
        "contract.sign",
        "contract.sign",
    ]
    odrl = partner.get(f"{page}/odrl.json")
    assert (
        odrl.headers["content-disposition"].endswith('.odrl.jsonld"')
        and odrl.headers["content-type"].startswith("application/ld+json")
        and odrl.json()["@context"]
        == ["http://www.w3.org/ns/odrl.jsonld", "https://pubdata.example/odrl/context.jsonld"]
    )
    console = partner.get(f"/console?contract_id={page.rsplit('/', 1)[1]}").text
    assert (
        'data-testid="no-jobs"' in console
        and 'data-testid="job-form"' not in console
        and 'data-testid="sql-form"' in console
    )
    revoke = operator.post(f"{page}/do/revoke", data={"csrf_token": csrf, "reason": ""})
    assert revoke.status_code == 422 and "请说明撤销理由" in revoke.text  # the refusal, in the page's language
