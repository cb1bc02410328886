"""Page rules that need no browser: CSRF, login redirects, safe redirects."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from tests.scenarios import PASSWORD, ledger_size, make_account


@pytest.fixture
def client(platform):
    make_account(platform, kind="bureau", name="池州市数据资源局", login="bureau.admin")
    with TestClient(create_app(platform)) as test_client:
        yield test_client


def _csrf(client: TestClient) -> str:
    client.get("/login")
    return client.cookies["pubdata_csrf"]


def test_login_without_the_csrf_token_is_refused(client, platform):
    before = ledger_size(platform)
    response = client.post("/login", data={"login": "bureau.admin", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 403 and "web.csrf" in response.text and "<html" in response.text
    assert ledger_size(platform) == before


def test_login_opens_a_session_and_records_it(client, platform):
    before = ledger_size(platform)
    response = client.post(
        "/login",
        data={"login": "bureau.admin", "password": PASSWORD, "csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "httponly" in response.headers["set-cookie"].lower()
    assert ledger_size(platform) == before + 1
    assert client.get("/admin/organisations").status_code == 200


def test_wrong_password_writes_nothing(client, platform):
    before = ledger_size(platform)
    response = client.post(
        "/login", data={"login": "bureau.admin", "password": "not-the-password", "csrf_token": _csrf(client)}
    )
    assert response.status_code == 401
    assert ledger_size(platform) == before


def test_pages_behind_login_redirect_there(client):
    response = client.get("/admin/organisations", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/admin/organisations"


def test_login_never_redirects_off_site(client):
    response = client.post(
        "/login",
        data={"login": "bureau.admin", "password": PASSWORD, "csrf_token": _csrf(client), "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_pages_say_utf8_and_speak_chinese_first(client):
    page = client.get("/ledger")
    assert '<meta charset="utf-8">' in page.text and 'lang="zh-CN"' in page.text and "可信存证账本" in page.text
    english = client.get("/ledger?lang=en")
    assert "Tamper-evident ledger" in english.text
    assert "Tamper-evident ledger" in client.get("/ledger").text  # the choice is remembered


def test_refusals_on_pages_are_pages(client):
    client.post("/login", data={"login": "bureau.admin", "password": PASSWORD, "csrf_token": _csrf(client)})
    response = client.get("/admin/organisations/999")
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "identity.not-found" in response.text


def test_the_public_catalogue_page_takes_its_own_empty_filters(client):
    page = client.get("/catalog?q=人口&provider=&base_library=&sector=&grade=")
    assert page.status_code == 200 and "共 0 项" in page.text
