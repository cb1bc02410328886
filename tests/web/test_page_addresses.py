"""No dead ends from a typed or mangled address: every page route, asked with ids and parameters no row can
have or no form would send, answers a browser with an HTML page — a 4xx in Chinese — never raw JSON or a 500.
The routes are read from the app, so a new page is covered the day it is added."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from pubdata.app import create_app
from tests.routes import page_routes
from tests.scenarios import log_in_page

BAD_IDS = ("abc", "0", "-1", "2147483648", "1e3", "x" * 300, "%E4%B8%AD", "%C2%B2")  # ²: a digit to isdigit()
BAD_QUERY = ("abc", "-1", "0", "99999999999999999999", "%00", "<b>", "%C2%B2")
CALLERS = ("bureau.admin", "police.admin", "operator.admin", "partner.admin", "security.admin", None)


def _addresses(route: APIRoute) -> list[str]:
    names = re.findall(r"{(\w+)(?::\w+)?}", route.path)
    queries = [param.alias for param in route.dependant.query_params]
    addresses = []
    for bad in BAD_IDS:
        path = route.path
        for name in names:
            path = re.sub("{" + name + r"(?::\w+)?}", bad, path)
        addresses.append(path)
    if not names:
        for query in queries:
            addresses += [f"{route.path}?{query}={bad}" for bad in BAD_QUERY]
    return addresses


@pytest.mark.parametrize("caller", CALLERS)
def test_every_page_address_with_bad_parts_is_an_html_page_never_json_or_500(platform, city, caller):
    app = create_app(platform)
    with TestClient(app, raise_server_exceptions=False) as client:
        if caller:
            log_in_page(client, caller)
        routes = page_routes(app)
        assert len(routes) > 20  # the pages were found
        for route in routes:
            for address in _addresses(route):
                answer = client.get(address, follow_redirects=False)
                assert answer.status_code < 500, (caller, address, answer.status_code)
                if answer.status_code >= 400:
                    kind = answer.headers["content-type"]
                    assert kind.startswith("text/html"), (caller, address, kind)
                    assert 'lang="zh-CN"' in answer.text and 'data-testid="error-title"' in answer.text, address
