"""Issue 11, point 2: no input answers 500. A number JSON cannot hold is refused by rule, a form's id that is no
number is a 4xx page, and whatever still escapes a handler is a page for a browser, problem+json for an API
client (status 500, no internal detail) and a traceback in the log."""

from __future__ import annotations

import json
import logging
import re

import pytest
from fastapi import BackgroundTasks
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient

from pubdata.app import create_app
from tests.routes import every_route
from tests.scenarios import signed_agreement

DP_TERMS = {
    "resources": ["CZ-RK-0001"],
    "purpose": "public_governance",
    "valid_from": "2026-01-05",
    "valid_until": "2026-12-31",
    "max_calls": 10,
    "max_rows": 1000,
    "output_rule": "dp",
    "dimensions": ["district"],
    "epsilon": 1.0,
    "epsilon_per_query": 0.5,
    "bounds": {"household_size": [0, 10]},
}


def test_a_number_json_cannot_hold_in_contract_terms_is_refused_by_rule(platform, city):
    signed_agreement(platform)
    with TestClient(create_app(platform)) as client:
        for where in ("epsilon", "epsilon_per_query", "delta", "bounds"):
            for number in ("Infinity", "-Infinity", "NaN", "1e999", "1" + "0" * 400):
                terms = DP_TERMS | ({"bounds": {"household_size": [0, "@"]}} if where == "bounds" else {where: "@"})
                # Python's json writes (and reads) Infinity and NaN, which is what a client can send.
                body = json.dumps({"assignee_id": city["partner"].organisation_id, "terms": terms})
                answer = client.post(
                    "/api/v1/contracts",
                    content=body.replace('"@"', number),
                    headers={**city["operator"].headers, "Content-Type": "application/json"},
                )
                assert answer.status_code == 422, (where, number, answer.text)
                problem = answer.json()
                assert answer.headers["content-type"] == "application/problem+json"
                assert problem["rule"] == "http.validation"
                assert any(where in item["loc"] for item in problem["errors"]), problem


def _form_terms(**values):
    return {
        "resources": "CZ-RK-0001",
        "purpose": "public_governance",
        "valid_from": "2026-01-05",
        "valid_until": "2026-12-31",
        "max_calls": "10",
        "max_rows": "1000",
        "output_rule": "dp",
        "dimensions": "district",
        "epsilon": "1",
        "epsilon_per_query": "0.5",
        "bounds": "household_size: 0, 10",
    } | values


PROPOSALS = (
    {"epsilon": "inf"},
    {"epsilon_per_query": "nan"},
    {"delta": "-Infinity"},
    {"bounds": "household_size: 0, inf"},
    {"bounds": "household_size: nan, 1"},
    {"epsilon": "1e999"},
    {"assignee_id": "abc"},
    {"assignee_id": "1.5"},
    {"assignee_id": "-1"},
    {"max_calls": "ten"},
)


def test_a_proposal_form_with_a_number_no_contract_can_hold_is_a_4xx_page(platform, city):
    from tests.queries.test_pages_http import logged_in

    signed_agreement(platform)
    operator, csrf = logged_in(platform, "operator.admin")
    for values in PROPOSALS:
        form = {"assignee_id": str(city["partner"].organisation_id), "csrf_token": csrf} | _form_terms(**values)
        answer = operator.post("/contracts", data=form)
        assert 400 <= answer.status_code < 500 and 'role="alert"' in answer.text, (values, answer.text[:300])


# The ids and counts page forms read by name (web.forms.row_id / number) besides the fields their routes declare.
FORM_NUMBERS = (
    "assignee_id",
    "contract_id",
    "operator_id",
    "partner_id",
    "provider_id",
    "source_id",
    "resource_id",
    "max_calls",
    "max_rows",
    "min_group_size",
    "max_contributions",
    "days",
    "score_security",
    "output_rows_1",
)


def _page_posts(app):
    for route in every_route(app):
        if "POST" in route.methods and not route.path.startswith("/api/"):
            declared = {field.alias for field in route.dependant.body_params}
            yield route.path, declared


def test_every_page_form_given_a_non_numeric_id_answers_a_4xx_page(platform, city):
    """Every form the pages post, with every id and count it may read set to something no number or row is, by
    each kind of user."""
    from tests.queries.test_pages_http import logged_in

    signed_agreement(platform)
    app = create_app(platform)
    posts = list(_page_posts(app))
    assert len(posts) > 20, "the pages' forms are found"
    for login in ("bureau.admin", "police.admin", "operator.admin", "partner.admin"):
        client, csrf = logged_in(platform, login)
        for path, declared in posts:
            if path in ("/login", "/logout"):
                continue
            url = re.sub(r"\{[^}]+\}", "1", path)
            for text in ("abc", "1.5", "１２x", "9" * 40):
                form = {name: text for name in (*FORM_NUMBERS, *declared)} | {"csrf_token": csrf}
                answer = client.post(url, data=form, follow_redirects=False)
                assert answer.status_code < 500, (login, path, text, answer.status_code, answer.text[:300])
                if answer.status_code >= 400:
                    assert "text/html" in answer.headers["content-type"], (login, path, text)


SECRET = "internal detail: /srv/pubdata/domain/cz_rk_0001.parquet"


def _crashing_app(platform):
    """The app with routes (API and page) that raise, stream then raise, or fail in a background task, and a
    middleware that raises on one path."""
    app = create_app(platform)

    def boom() -> None:
        raise RuntimeError(SECRET)

    def stream() -> StreamingResponse:
        def body():
            yield b"first part"
            raise RuntimeError(SECRET)

        return StreamingResponse(body(), media_type="text/plain")

    def background(tasks: BackgroundTasks) -> dict[str, str]:
        tasks.add_task(boom)
        return {"status": "accepted"}

    for prefix in ("/api/v1/test", "/test"):
        app.add_api_route(f"{prefix}/boom", boom, include_in_schema=False)
        app.add_api_route(f"{prefix}/stream", stream, include_in_schema=False)
        app.add_api_route(f"{prefix}/background", background, include_in_schema=False)

    class Raising:
        def __init__(self, inner):
            self.inner = inner

        async def __call__(self, scope, receive, send):
            if scope["type"] == "http" and scope["path"].endswith("/middleware"):
                raise RuntimeError(SECRET)
            await self.inner(scope, receive, send)

    app.add_middleware(Raising)
    return app


def _logged_crash(caplog, path: str) -> None:
    crashes = [r for r in caplog.records if r.name == "pubdata" and r.exc_info and path in r.getMessage()]
    assert crashes, f"no traceback logged for {path}"
    assert str(crashes[-1].exc_info[1]) == SECRET


@pytest.mark.parametrize("where", ["boom", "middleware"])
def test_an_exception_escaping_an_api_handler_is_problem_json_500_without_detail_and_logged(platform, caplog, where):
    caplog.set_level(logging.ERROR, logger="pubdata")
    with TestClient(_crashing_app(platform), raise_server_exceptions=False) as client:
        answer = client.get(f"/api/v1/test/{where}", headers={"Accept-Language": "en"})
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {
        "type": "urn:pubdata:rule:http.internal",
        "title": "Internal error",
        "status": 500,
        "detail": "Something went wrong on our side; nothing was changed.",
        "rule": "http.internal",
    }
    assert SECRET not in answer.text and "Traceback" not in answer.text
    _logged_crash(caplog, f"/api/v1/test/{where}")


@pytest.mark.parametrize("where", ["boom", "middleware"])
def test_an_exception_escaping_a_page_is_an_error_page_in_chinese_first_and_logged(platform, caplog, where):
    caplog.set_level(logging.ERROR, logger="pubdata")
    with TestClient(_crashing_app(platform), raise_server_exceptions=False) as client:
        answer = client.get(f"/test/{where}")
        english = client.get(f"/test/{where}?lang=en")
    assert answer.status_code == 500 and answer.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in answer.text and "平台内部出错，未做任何更改。" in answer.text
    assert english.status_code == 500 and "Something went wrong on our side" in english.text
    assert SECRET not in answer.text + english.text and "Traceback" not in answer.text
    _logged_crash(caplog, f"/test/{where}")


@pytest.mark.parametrize("where", ["stream", "background"])
def test_an_exception_after_the_answer_started_is_logged_and_shows_no_detail(platform, caplog, where):
    """Once the status is sent it cannot become 500; the log still gets the traceback, the client no detail."""
    caplog.set_level(logging.ERROR, logger="pubdata")
    with TestClient(_crashing_app(platform), raise_server_exceptions=False) as client:
        answer = client.get(f"/api/v1/test/{where}")
    assert SECRET not in answer.text
    _logged_crash(caplog, f"/api/v1/test/{where}")


def test_text_with_a_nul_character_is_refused_by_rule_on_both_databases(platform, city):
    """PostgreSQL's text cannot hold U+0000: a body, a query string, a token or a form with it is refused (422)
    on both databases, and nothing is written. A name meets the name type first, which refuses it as a control
    character (``text.control``); any other text meets the database's guard (``text.nul-character``)."""
    from tests.queries.test_pages_http import logged_in
    from tests.scenarios import ledger_size

    before = ledger_size(platform)
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        answers = [
            client.post(
                "/api/v1/organisations",
                headers=city["bureau"].headers,
                json={"kind": "consumer", "name": "池州\x00银行"},
            ),
            client.post("/api/v1/tokens", headers=city["bureau"].headers, json={"name": "a\x00b", "days": 3}),
            client.get("/api/v1/public/catalog", params={"q": "人口\x00"}),
            client.get("/api/v1/resources", headers=city["bureau"].headers, params={"q": "\x00"}),
            client.get("/api/v1/me", headers={"Authorization": "Bearer pdt_ab\x00cd_secret"}),
        ]
    rules = ["text.control", "text.control"] + ["text.nul-character"] * 3
    for answer, rule in zip(answers, rules, strict=True):
        assert answer.status_code == 422, (answer.request.url, answer.text[:300])
        assert answer.json()["rule"] == rule
    operator, csrf = logged_in(platform, "operator.admin")
    page = operator.post("/account/tokens", data={"name": "x\x00y", "days": "30", "csrf_token": csrf})
    assert page.status_code == 422 and 'role="alert"' in page.text, page.text[:300]
    assert ledger_size(platform) == before + 1  # the operator's login, nothing else


def test_a_refused_proposal_comes_back_with_every_term_typed(platform, city):
    from tests.queries.test_pages_http import logged_in

    signed_agreement(platform)
    operator, csrf = logged_in(platform, "operator.admin")
    partner = str(city["partner"].organisation_id)
    form = {"assignee_id": partner, "csrf_token": csrf} | _form_terms(epsilon="inf", max_calls="77")
    answer = operator.post("/contracts", data=form)
    assert answer.status_code == 422
    for shown in ('value="inf"', 'value="77"', 'value="2026-12-31"', 'value="CZ-RK-0001"', "household_size: 0, 10"):
        assert shown in answer.text, shown
    assert f'<option value="{partner}" selected>' in answer.text and '<option value="dp" selected>' in answer.text


def test_a_refused_agreement_record_comes_back_with_what_the_bureau_typed(platform, city):
    from tests.queries.test_pages_http import logged_in

    bureau, csrf = logged_in(platform, "bureau.admin")
    form = {
        "csrf_token": csrf,
        "operator_id": str(city["operator"].organisation_id),
        "tender_reference": "CZZB-2026-007",
        **{f"selection_{key}": "见附件" for key in ("capability", "credibility", "knowledge", "environment")},
        "selection_responsibility": "",  # every condition must be stated: refused
        "resources": "CZ-RK-0001",
        "sectors": "public_security",
        "max_grade": "general-3",
        "security_duties": "落实数据安全主体责任",
    }
    answer = bureau.post("/agreements", data=form)
    assert answer.status_code == 422, answer.text[:300]
    for shown in (
        'value="CZZB-2026-007"',
        'value="见附件"',
        ">CZ-RK-0001</textarea>",
        ">落实数据安全主体责任</textarea>",
    ):
        assert shown in answer.text, shown
    assert 'value="public_security" checked' in answer.text and 'value="general-3" selected' in answer.text
