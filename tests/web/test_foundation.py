"""The web layer's shared parts every page relies on: numbers as people read them, a notice after each action,
error pages in Chinese for browsers, the confirmation of irreversible actions, and the vendored chart library."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.common.errors import Refused
from pubdata.web import render
from pubdata.web.forms import confirmed
from tests.scenarios import log_in_page, make_account

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [
        (216.69410443864228, None, "216.69"),
        (1234567, None, "1,234,567"),
        (1234567.0, None, "1,234,567"),
        (Decimal("98765.4321"), None, "98,765.43"),
        (0.0012345, None, "0.00123"),
        (0.25, 1, "0.2"),
        (-4821.5, None, "-4,821.50"),
        (None, None, "—"),
        (float("nan"), None, "—"),
        ("镇", None, "镇"),
    ],
)
def test_numbers_read_with_separators_and_sensible_decimals(value, digits, shown):
    assert render.num(value, digits) == shown


def test_a_refusal_names_the_fields_it_is_about():
    assert render.error_fields(Refused("web.number", field="quota")) == {"quota"}
    assert render.error_fields(None) == frozenset()


def test_an_irreversible_action_needs_the_box_ticked_and_a_reason():
    with pytest.raises(Refused) as unticked:
        confirmed({"reason": "不再需要"})
    assert unticked.value.rule == "web.confirm-needed"
    with pytest.raises(Refused) as silent:
        confirmed({"confirm": "yes", "reason": "  "})
    assert silent.value.rule == "web.reason-needed"
    assert confirmed({"confirm": "yes", "reason": " 不再需要 "}) == "不再需要"


def _visible(html: str) -> str:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.fixture
def client(platform):
    make_account(platform, kind="bureau", name="池州市数据资源局", login="bureau.admin")
    make_account(platform, kind="provider", name="池州市公安局", login="police.admin")
    with TestClient(create_app(platform)) as test_client:
        yield test_client


def _log_in(client: TestClient, login: str) -> str:
    return log_in_page(client, login)


@pytest.mark.parametrize(
    ("path", "status", "title"),
    [("/no-such-page", 404, "未找到"), ("/catalog?page=0", 422, "输入无效"), ("/resources/abc", 422, "输入无效")],
)
def test_a_browser_gets_an_error_page_in_chinese_with_a_way_on(client, path, status, title):
    _log_in(client, "bureau.admin")
    page = client.get(path)
    assert page.status_code == status and page.headers["content-type"].startswith("text/html")
    assert f'data-testid="error-title">{title}</h1>' in page.text
    assert 'href="/"' in page.text
    rule = re.search(r'data-rule="([^"]+)"', page.text).group(1)  # kept for support and tests
    assert rule not in _visible(page.text), "the internal rule code is shown"
    assert not re.search(r"[a-z]{3,}", _visible(page.text).replace("bureau.admin", "").replace("English", "")), (
        "English words"
    )


def test_an_api_client_still_gets_problem_json(client):
    answer = client.get("/api/v1/no-such-thing")
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("application/problem+json")


def test_a_done_action_leaves_a_notice_shown_once(client, platform):
    csrf = _log_in(client, "bureau.admin")
    police = client.get("/sources").text
    provider_id = re.search(r'<option value="(\d+)"[^>]*>池州市公安局', police).group(1)
    form = {"csrf_token": csrf, "name": "公安局人口库", "provider_id": provider_id, "url": "postgresql://r@10.9.8.7/p"}
    done = client.post("/sources", data=form, follow_redirects=False)
    assert done.status_code == 303 and render.NOTICE_COOKIE in done.headers["set-cookie"]
    shown = client.get(done.headers["location"])
    assert '<p class="notice" role="status">数据源连接已批准。</p>' in shown.text
    assert "数据源连接已批准" not in client.get("/sources").text  # once
    source_id = re.search(r"/sources/(\d+)/disable", shown.text).group(1)
    disabled = client.post(f"/sources/{source_id}/disable", data={"csrf_token": csrf})
    assert disabled.status_code == 200 and "数据源连接已停用。" in disabled.text


def test_a_notice_cookie_shows_only_a_declared_label(client):
    _log_in(client, "bureau.admin")
    client.cookies.set(render.NOTICE_COOKIE, "<script>alert(1)</script>")
    page = client.get("/sources")
    assert page.status_code == 200 and "alert(1)" not in page.text


def test_the_chart_library_is_the_npm_release_recorded_in_the_vendor_script():
    script = (ROOT / "scripts" / "vendor-static.sh").read_text()
    recorded = re.search(r"ECHARTS_SHA256=([0-9a-f]{64})", script).group(1)
    served = ROOT / "src" / "pubdata" / "web" / "static" / "echarts" / "echarts.min.js"
    assert hashlib.sha256(served.read_bytes()).hexdigest() == recorded


def test_a_refused_form_comes_back_with_what_was_typed_never_a_password(client):
    csrf = _log_in(client, "bureau.admin")
    typed = {"name": "池州市某某局", "kind": "market", "credit_code": "12345678901234567X", "csrf_token": csrf}
    refused = client.post("/admin/organisations", data=typed)
    assert refused.status_code == 422 and 'data-rule="identity.credit-code"' in refused.text
    assert 'value="池州市某某局"' in refused.text and 'value="12345678901234567X"' in refused.text
    assert '<option value="market" selected>' in refused.text
    fresh = client.get("/admin/organisations")
    assert "池州市某某局" not in fresh.text and " selected>" not in fresh.text.split('name="kind"')[1][:2000]
    wrong = client.post("/login", data={"login": "bureau.admin", "password": "不是密码-typed", "csrf_token": csrf})
    assert "不是密码-typed" not in wrong.text


def test_no_page_is_kept_by_a_cache(client):
    _log_in(client, "bureau.admin")
    for path in ("/", "/account/tokens", "/no-such-page"):
        assert client.get(path).headers["cache-control"] == "no-store", path


def test_the_language_switch_keeps_the_rest_of_the_address(client):
    _log_in(client, "bureau.admin")
    page = client.get("/catalog?q=人口&page=1")
    switch = page.text.split('data-testid="lang-switch"')[0].rsplit('href="', 1)[1].split('"')[0]
    switch = switch.replace("&amp;", "&")
    assert switch.startswith("/catalog?") and "lang=en" in switch and "page=1" in switch and "q=" in switch
    assert 'lang="en"' in client.get(switch).text
