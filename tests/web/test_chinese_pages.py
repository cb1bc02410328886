"""Chinese throughout: every page each kind of organisation (and the public) reaches speaks zh-CN — no English
word outside code and typed text, no undeclared label, no 500, no raw file answering a page link — and the
English switch has every word too. Walked over HTTP on the demo city (``pubdata.demo``: every organisation
kind), on both databases; the pages are the links each visitor can follow and every GET page route of the app
with its path filled from the data, so a new page is walked without this test knowing it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from pubdata import demo
from pubdata.app import create_app
from pubdata.platform import Platform
from tests import pages, scenarios

# One account per organisation kind, and both consumers (a bank with a plain aggregate contract, a city agency
# with a differentially private one).
VISITORS = (
    "bureau.admin",
    "police.admin",
    "operator.admin",
    "partner.admin",
    "bank.admin",
    "city.admin",
    "pricing.admin",
    "finance.admin",
    "market.admin",
    "audit.admin",
    "security.admin",
    "meizheng.admin",  # a data subject (an enterprise with its own account)
)
KINDS = {
    *("bureau", "provider", "operator", "partner", "consumer", "pricing", "finance", "market", "audit", "security"),
    "subject",
}


@pytest.fixture
def demo_city(platform: Platform) -> dict[str, dict]:
    """The demo city, small: every kind of organisation with its users, resources, agreement, contracts, a job,
    and a registration waiting for review."""
    document = demo.build(platform, scale=0.02)
    scenarios.submitted_for_registration(platform)  # the bureau's queue has a registration to decide
    accounts = {account["login"]: account for account in document["accounts"]}
    assert {accounts[login]["kind"] for login in VISITORS} == KINDS
    return accounts


def log_in(client: TestClient, account: dict) -> None:
    client.get("/login")
    answer = client.post(
        "/login",
        data={"login": account["login"], "password": account["password"], "csrf_token": client.cookies["pubdata_csrf"]},
        follow_redirects=False,
    )
    assert answer.status_code == 303, (account["login"], answer.status_code)


def visitors(platform: Platform, accounts: dict[str, dict]) -> Iterator[tuple[str, TestClient]]:
    """The public, then each visitor logged in, each with a client of its own."""
    for login in (None, *VISITORS):
        with TestClient(create_app(platform)) as client:
            if login:
                log_in(client, accounts[login])
            yield login or "public", client


def every_page(platform: Platform, client: TestClient) -> list[str]:
    """Home, then every GET page route with its path ids filled from the data."""
    app = client.app
    with platform.read() as session:
        return ["/"] + [path for route in pages.page_routes(app) for path in pages.filled_paths(route, session)]


def downloads(client: TestClient):
    """The paths whose route declares a file, not a page (record.json, odrl.json, output.zip)."""
    files = [route.regex for route in pages.page_routes(client.app) if route.is_download]
    return lambda path: any(regex.match(path.split("?")[0]) for regex in files)


def chinese(path: str, html: str) -> list[str]:
    text = pages.read(html).text
    problems = [f"undeclared label {key}" for key in sorted(set(pages.key_shaped(text)))]
    words = sorted(set(pages.english_words(text)) - set(" ".join(problems).split()))
    if words:
        problems.append(f"English on a zh-CN page: {', '.join(words[:12])} — in «{_context(text, words[0])}»")
    if 'lang="zh-CN"' not in html and "<html" in html:
        problems.append("the page does not say it is zh-CN")
    return problems


def english(path: str, html: str) -> list[str]:
    return [f"undeclared label {key}" for key in sorted(set(pages.key_shaped(pages.read(html).text)))]


def _context(texts: list[str], word: str) -> str:
    return next((text for text in texts if re.search(rf"\b{re.escape(word)}\b", text)), "")[:120]


def walk_everything(platform: Platform, accounts: dict[str, dict], *, lang: str) -> list[pages.Finding]:
    findings: list[pages.Finding] = []
    for who, client in visitors(platform, accounts):
        if lang == "en":
            client.get("/?lang=en")  # the switch: remembered in a cookie for the rest of the walk
        walk = pages.Walk(client, who, chinese if lang == "zh-CN" else english, downloads(client))
        walk.visit(every_page(platform, client))
        assert len(walk.seen) > 10, (who, walk.seen)
        findings += walk.findings
    return findings


def test_every_page_speaks_chinese_to_every_kind_of_visitor(platform, demo_city):
    findings = walk_everything(platform, demo_city, lang="zh-CN")
    assert not findings, "\n".join(str(finding) for finding in findings)


def test_the_english_switch_has_every_word(platform, demo_city):
    findings = walk_everything(platform, demo_city, lang="en")
    assert not findings, "\n".join(str(finding) for finding in findings)


def test_the_checks_see_what_a_reader_would():
    """The reader is honest: English in the interface is found, code and typed text are not."""
    page = (
        "<p>Submitted <code>id_number</code></p><pre>SELECT 1</pre><textarea>select x</textarea>"
        '<input value="typed"><span translate="no">demo</span><p>CZ-RK-0001 · SQL · nav.home</p>'
        '<select><option>string</option></select><a href="/x" title="Download">下载</a>'
        "<p>格式 YYYY-MM-DD，<code>x</code> · Parquet · 共 1,234 行</p>"
    )
    text = pages.read(page).text
    assert pages.english_words(text) == ["Submitted", "nav", "home", "string", "Download"]
    assert pages.key_shaped(text) == ["nav.home"]
