"""A partner sees its own authorized scope — which resources, which sectors up to which grade, under which
agreement, until when, usable today or not — on a page its menu links to and over the API; the operator sees
its agreement's; an organisation that holds none is told it may not ask."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.authorization import partners
from pubdata.authorization.models import Partner
from tests.scenarios import make_account, page_client, principal, run


def logged_in(platform, login: str) -> TestClient:
    return page_client(platform, login)[0]


def test_a_partner_sees_its_scope_on_a_page_from_its_menu_and_over_the_api(platform, partner_deal):
    pages = logged_in(platform, "partner.admin")
    home = pages.get("/").text
    assert 'href="/scope"' in home
    page = pages.get("/scope")
    assert page.status_code == 200
    assert "人口基础信息库" in page.text and "CZ-RK-0001" in page.text
    assert "合伙人（运营机构准入）" in page.text and "池州数据运营有限公司" in page.text
    assert "2029-01-04" in page.text  # the agreement's term: signed 2026-01-05 for three years
    assert "一般数据（4级）" in page.text and "general-4" not in page.text

    with TestClient(create_app(platform)) as client:
        (held,) = client.get("/api/v1/scope", headers=partner_deal["partner"].headers).json()
        assert held["held_as"] == "partner" and held["state"] == "admitted" and held["usable"] is True
        assert [resource["code"] for resource in held["resources"]] == ["CZ-RK-0001"]
        assert held["sectors"] == [] and held["expires_on"] == "2029-01-04"

        # The operator's own, wider: its agreement names a sector too.
        (own,) = client.get("/api/v1/scope", headers=partner_deal["operator"].headers).json()
        assert own["held_as"] == "operator" and own["sectors"] == ["urban_management"]
        assert own["agreement_id"] == held["agreement_id"]

        with platform.read() as session:
            partner_id = session.query(Partner.id).scalar()
        run(
            platform,
            partners.change_partner,
            principal=principal(platform, "operator.admin"),
            partner_id=partner_id,
            event="suspend",
            reason="整改",
        )
        (suspended,) = client.get("/api/v1/scope", headers=partner_deal["partner"].headers).json()
        assert suspended["state"] == "suspended" and suspended["usable"] is False
    page = pages.get("/scope").text
    assert "已暂停" in page and "今日不可用" in page


def test_only_operators_and_partners_hold_a_scope(platform, partner_deal):
    bank = make_account(platform, kind="consumer", name="池州农商银行", login="bank.admin")
    with TestClient(create_app(platform)) as client:
        refused = client.get("/api/v1/scope", headers=bank.headers)
        assert refused.status_code == 403 and refused.json()["rule"] == "identity.permission"
    pages = logged_in(platform, "bank.admin")
    assert 'href="/scope"' not in pages.get("/").text
    assert pages.get("/scope").status_code == 403
