"""Issue 11, point 1: every integer the API takes — a path id, a query offset, a body field — is bounded to
what its column holds on both databases, so no number answers 500. Read off the OpenAPI document, so a new
route with an unbounded integer fails here without anyone listing it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.common.bounds import INT4_MAX, INT8_MAX


def _integers(schema: dict[str, Any], components: dict[str, Any], where: str, seen: set[str]) -> list[tuple]:
    """Every integer in a schema, with where it is and its declared maximum (None when unbounded)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return []
        return _integers(components[name], components, f"{where}→{name}", seen | {name})
    found = []
    if schema.get("type") == "integer" and "enum" not in schema and "const" not in schema:
        found.append((where, schema.get("maximum"), schema.get("minimum")))
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for i, part in enumerate(schema.get(key) or []):
            found += _integers(part, components, f"{where}[{i}]", seen)
    if isinstance(schema.get("items"), dict):
        found += _integers(schema["items"], components, f"{where}[]", seen)
    for name, part in (schema.get("properties") or {}).items():
        found += _integers(part, components, f"{where}.{name}", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        found += _integers(schema["additionalProperties"], components, f"{where}{{}}", seen)
    return found


def inputs(document: dict[str, Any]) -> list[tuple]:
    components = document.get("components", {}).get("schemas", {})
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                found += _integers(parameter["schema"], components, f"{method} {path} {parameter['name']}", set())
            for media in (operation.get("requestBody") or {}).get("content", {}).values():
                found += _integers(media["schema"], components, f"{method} {path} body", set())
    return found


def test_every_integer_the_api_takes_is_bounded_by_its_column(platform):
    found = inputs(create_app(platform).openapi())
    assert found, "the API takes integers"
    unbounded = [(where, high) for where, high, low in found if high is None or high > INT8_MAX or low is None]
    assert unbounded == []
    ids = [(where, high) for where, high, _ in found if where.endswith("_id") and high > INT4_MAX]
    assert ids == []


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_a_huge_number_in_any_path_or_query_is_a_clear_4xx(platform, number):
    """Every GET with an integer in its path or query, called with a number no column holds."""
    app = create_app(platform)
    document = app.openapi()
    with TestClient(app) as client:
        for path, operations in document["paths"].items():
            get = operations.get("get")
            if get is None:
                continue
            integers = [p for p in get.get("parameters", []) if p["schema"].get("type") == "integer"]
            if not integers:
                continue
            url, query = path, {}
            for parameter in get.get("parameters", []):
                value = number if parameter in integers else "1"
                if parameter["in"] == "path":
                    url = url.replace("{" + parameter["name"] + "}", str(value))
                elif parameter in integers:
                    query[parameter["name"]] = str(value)
            response = client.get(url, params=query)
            assert response.status_code < 500, (url, query, response.text[:200])


def test_a_form_naming_a_row_no_column_can_hold_is_refused_by_rule(platform, city):
    from tests.queries.test_pages_http import logged_in

    operator, csrf = logged_in(platform, "operator.admin")
    for number in (str(2**31), str(2**63), "9" * 40):
        answer = operator.post("/contracts", data={"assignee_id": number, "csrf_token": csrf, "resources": "X"})
        assert answer.status_code == 422 and 'role="alert"' in answer.text, answer.text[:300]


def test_the_cli_answers_a_huge_ledger_position_in_one_line(settings, monkeypatch):
    from tests.system.test_cli import run

    monkeypatch.setenv("PUBDATA_DATABASE_URL", settings.database_url)
    result = run("ledger", "proof", str(2**63), "--data-dir", str(settings.data_dir))
    assert result.exit_code == 2 and "Traceback" not in result.output
