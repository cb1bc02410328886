"""The catalogue through the API on both databases: describe, load, fix a bad load, register, publish."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.common import clock
from pubdata.ledger.verify import verify
from tests.data import bad_check, csv_text, person_rows, resource_body
from tests.scenarios import ledger_size, make_account, tick


@pytest.fixture
def client(platform):
    clock.freeze(clock.parse_moment("2026-11-02T09:00:00"))  # a Monday
    with TestClient(create_app(platform)) as test_client:
        yield test_client


@pytest.fixture
def police(platform):
    return make_account(platform, kind="provider", name="池州市公安局", login="police.admin", days=366)


@pytest.fixture
def bureau(platform):
    return make_account(
        platform, kind="bureau", name="池州市数据资源局", login="bureau.reviewer", role="reviewer", days=366
    )


def upload(client, account, resource_id: int, text: str | bytes, name: str = "people.csv", **form):
    content = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        f"/api/v1/resources/{resource_id}/versions", headers=account.headers, files={"file": (name, content)}, data=form
    )


def describe(client, account, **extra) -> dict:
    response = client.post("/api/v1/resources", headers=account.headers, json=resource_body(**extra))
    assert response.status_code == 201, response.text
    return response.json()


def test_department_describes_loads_and_registers_a_resource(client, platform, police, bureau):
    resource = describe(client, police)
    assert resource["state"] == "draft" and resource["grade"] == "general-4"
    assert resource["allowed_processing"] == ["aggregate", "job", "privacy"]

    loaded = upload(client, police, resource["id"], csv_text(person_rows(200)))
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["version"]["number"] == 1 and loaded.json()["row_count"] == 200

    preview = client.get(f"/api/v1/resources/{resource['id']}/preview", headers=police.headers).json()
    names = dict(zip(preview["columns"], preview["rows"][0], strict=True))
    assert (
        names["id_number"].count("*") == 10
        and names["phone"].count("*") == 4
        and names["full_name"][1:].strip("*") == ""
    )
    assert names["district"] in ("贵池区", "东至县", "石台县", "青阳县")

    application = client.post(
        f"/api/v1/resources/{resource['id']}/registrations", headers=police.headers, json={"kind": "first"}
    ).json()
    assert application["state"] == "submitted"
    assert [item["id"] for item in client.get("/api/v1/registrations", headers=bureau.headers).json()] == [
        application["id"]
    ]
    accepted = client.post(
        f"/api/v1/registrations/{application['id']}/decision", headers=bureau.headers, json={"decision": "accept"}
    ).json()
    assert accepted["state"] == "notice" and accepted["notice_until"] == "2026-11-16"

    assert client.get("/api/v1/public/catalog?q=人口").json()["total"] == 0  # not registered until the notice is over
    clock.freeze(clock.parse_moment("2026-11-16T20:00:00"))
    assert tick(platform) == []
    clock.freeze(clock.parse_moment("2026-11-17T08:00:00"))
    assert tick(platform) == ["resource registered: CZZY2026000001"]
    assert tick(platform) == []  # idempotent

    public = client.get("/api/v1/public/catalog?q=人口").json()
    assert public["total"] == 1
    item = public["items"][0]
    assert item["name"] == "人口基础信息库" and item["registration_number"] == "CZZY2026000001"
    assert item["provider_name"] == "池州市公安局"
    published = json.dumps(public, ensure_ascii=False)
    for row in person_rows(200):
        assert row["id_number"] not in published and row["phone"] not in published
    with platform.command() as session:
        assert verify(session, public_keys=platform.public_keys).ok


def test_a_bad_load_gets_a_report_and_leaves_nothing(client, platform, police):
    resource = describe(client, police)
    rows = person_rows(40)
    rows[9]["id_number"] = bad_check(rows[9]["id_number"])
    rows[20]["household_size"] = "五"
    before = ledger_size(platform)
    response = upload(client, police, resource["id"], csv_text(rows))
    assert response.status_code == 422
    body = response.json()
    assert body["rule"] == "catalog.load-refused"
    problems = [(p["row"], p["column"], p["rule"]) for p in body["report"]["problems"]]
    assert problems == [(10, "id_number", "catalog.check.resident_id"), (21, "household_size", "catalog.check.integer")]
    assert rows[9]["id_number"] not in response.text
    assert ledger_size(platform) == before
    assert client.get(f"/api/v1/resources/{resource['id']}/versions", headers=police.headers).json() == []
    assert not [p for p in (platform.settings.domain_dir).rglob("*") if p.is_file()]

    # The department fixes the file and loads again.
    rows[9]["id_number"], rows[20]["household_size"] = person_rows(40)[9]["id_number"], "5"
    assert upload(client, police, resource["id"], csv_text(rows)).status_code == 201


def test_gb18030_upload_is_read_and_the_encoding_is_said(client, police):
    resource = describe(client, police)
    response = upload(client, police, resource["id"], csv_text(person_rows(10)).encode("gb18030"))
    assert response.status_code == 201 and response.json()["encoding"] == "gb18030"


def test_versions_are_immutable_files_with_checksums(client, platform, police):
    resource = describe(client, police)
    upload(client, police, resource["id"], csv_text(person_rows(10)))
    upload(client, police, resource["id"], csv_text(person_rows(12, seed=9)))
    versions = client.get(f"/api/v1/resources/{resource['id']}/versions", headers=police.headers).json()
    assert [(v["number"], v["row_count"]) for v in versions] == [(1, 10), (2, 12)]
    files = sorted(p for p in platform.settings.domain_dir.rglob("*.parquet"))
    assert len(files) == 2 and all(oct(f.stat().st_mode & 0o777) == "0o444" for f in files)


def test_another_department_cannot_see_or_load(client, platform, police):
    resource = describe(client, police)
    land = make_account(platform, kind="provider", name="池州市自然资源和规划局", login="land.admin")
    assert client.get(f"/api/v1/resources/{resource['id']}", headers=land.headers).status_code == 404
    assert upload(client, land, resource["id"], csv_text(person_rows(5))).status_code == 404
    assert client.get(f"/api/v1/resources/{resource['id']}/preview", headers=land.headers).status_code == 404
    assert client.get("/api/v1/resources", headers=land.headers).json() == []


def test_an_operator_cannot_describe_resources(client, platform):
    operator = make_account(platform, kind="operator", name="池州数据运营有限公司", login="operator.admin")
    response = client.post("/api/v1/resources", headers=operator.headers, json=resource_body())
    assert response.status_code == 403 and response.json()["rule"] == "identity.permission"


def test_core_data_is_never_loaded(client, police):
    resource = describe(client, police, code="CZ-HX-0001", declared_grade="core")
    response = upload(client, police, resource["id"], csv_text(person_rows(5)))
    assert response.status_code == 409 and response.json()["rule"] == "catalog.core-not-loadable"


def test_registration_without_data_and_decisions_without_reasons_are_refused(client, police, bureau):
    resource = describe(client, police)
    refused = client.post(
        f"/api/v1/resources/{resource['id']}/registrations", headers=police.headers, json={"kind": "first"}
    )
    assert refused.status_code == 409 and refused.json()["rule"] == "catalog.no-data"
    upload(client, police, resource["id"], csv_text(person_rows(5)))
    application = client.post(
        f"/api/v1/resources/{resource['id']}/registrations", headers=police.headers, json={"kind": "first"}
    ).json()
    no_reason = client.post(
        f"/api/v1/registrations/{application['id']}/decision", headers=bureau.headers, json={"decision": "return"}
    )
    assert no_reason.status_code == 422 and no_reason.json()["rule"] == "registration.reason-required"
    assert (
        client.post(
            f"/api/v1/registrations/{application['id']}/decision", headers=police.headers, json={"decision": "accept"}
        ).status_code
        == 403
    )


def test_returned_registration_goes_back_to_draft_for_correction(client, police, bureau):
    resource = describe(client, police)
    upload(client, police, resource["id"], csv_text(person_rows(5)))
    application = client.post(
        f"/api/v1/resources/{resource['id']}/registrations", headers=police.headers, json={"kind": "first"}
    ).json()
    returned = client.post(
        f"/api/v1/registrations/{application['id']}/decision",
        headers=bureau.headers,
        json={"decision": "return", "reason": "请补充更新频率说明"},
    )
    assert returned.json()["state"] == "returned" and returned.json()["reason"] == "请补充更新频率说明"
    assert client.get(f"/api/v1/resources/{resource['id']}", headers=police.headers).json()["state"] == "draft"
    revised = client.put(
        f"/api/v1/resources/{resource['id']}", headers=police.headers, json=resource_body(description="每月更新")
    )
    assert revised.status_code == 200
    again = client.post(
        f"/api/v1/resources/{resource['id']}/registrations", headers=police.headers, json={"kind": "first"}
    )
    assert again.status_code == 201


def test_change_and_cancellation_registration(client, platform, police, bureau):
    resource = describe(client, police)
    upload(client, police, resource["id"], csv_text(person_rows(5)))

    def register(kind: str, **body) -> dict:
        application = client.post(
            f"/api/v1/resources/{resource['id']}/registrations", headers=police.headers, json={"kind": kind, **body}
        )
        assert application.status_code == 201, application.text
        client.post(
            f"/api/v1/registrations/{application.json()['id']}/decision",
            headers=bureau.headers,
            json={"decision": "accept"},
        )
        clock.advance(timedelta(days=30))
        tick(platform)
        return client.get(f"/api/v1/resources/{resource['id']}", headers=police.headers).json()

    assert register("first")["state"] == "registered"
    assert (
        client.put(
            f"/api/v1/resources/{resource['id']}", headers=police.headers, json=resource_body(description="x")
        ).json()["rule"]
        == "catalog.not-editable"
    )
    changed = register("change", change=resource_body(description="池州市常住人口（变更后）"))
    assert changed["state"] == "registered" and changed["description"] == "池州市常住人口（变更后）"
    assert changed["registration_number"] == "CZZY2026000001"
    cancelled = register("cancel")
    assert cancelled["state"] == "cancelled"
    assert client.get("/api/v1/public/catalog").json()["total"] == 0
    assert upload(client, police, resource["id"], csv_text(person_rows(5))).json()["rule"] == "catalog.no-data-now"


def test_public_catalogue_filters_and_vocabularies(client, platform, police, bureau):
    for code, name, library in (
        ("CZ-RK-0001", "人口基础信息库", "population"),
        ("CZ-FR-0001", "法人基础信息库", "legal_entity"),
    ):
        resource = describe(client, police, code=code, name=name, base_library=library)
        upload(client, police, resource["id"], csv_text(person_rows(5)))
        application = client.post(
            f"/api/v1/resources/{resource['id']}/registrations", headers=police.headers, json={"kind": "first"}
        ).json()
        client.post(
            f"/api/v1/registrations/{application['id']}/decision", headers=bureau.headers, json={"decision": "accept"}
        )
    clock.advance(timedelta(days=30))
    tick(platform)
    assert client.get("/api/v1/public/catalog").json()["total"] == 2
    assert [i["code"] for i in client.get("/api/v1/public/catalog?base_library=legal_entity").json()["items"]] == [
        "CZ-FR-0001"
    ]
    assert client.get("/api/v1/public/catalog/CZ-RK-0001").json()["fields"][0] == {
        "name": "id_number",
        "label": "公民身份号码",
        "type": "string",
        "sensitivity": "sensitive",
        "description": "",
    }
    assert client.get("/api/v1/public/catalog-vocabularies").json()["base_libraries"]["population"] == {
        "zh": "人口",
        "en": "Population",
    }


def test_public_notice_is_public_while_it_runs(client, police, bureau):
    resource = describe(client, police)
    upload(client, police, resource["id"], csv_text(person_rows(5)))
    application = client.post(
        f"/api/v1/resources/{resource['id']}/registrations", headers=police.headers, json={"kind": "first"}
    ).json()
    assert client.get("/api/v1/public/notices").json() == []
    client.post(
        f"/api/v1/registrations/{application['id']}/decision", headers=bureau.headers, json={"decision": "accept"}
    )
    notices = client.get("/api/v1/public/notices").json()
    assert [(n["resource"]["code"], n["notice_until"], n["kind"]) for n in notices] == [
        ("CZ-RK-0001", "2026-11-16", "first")
    ]
    assert "公示" in client.get("/catalog").text


def test_the_load_command_reports_rows_and_columns(platform, police, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from pubdata.cli import app

    monkeypatch.setenv("PUBDATA_DATABASE_URL", platform.settings.database_url)
    with platform.command() as session:
        from pubdata.catalog import service as catalog
        from pubdata.catalog.schemas import ResourceIn
        from pubdata.identity import service as identity

        principal = identity.principal_for(session, identity.find_user(session, login="police.admin"))
        catalog.describe(session, principal=principal, body=ResourceIn.model_validate(resource_body()))
    rows = person_rows(20)
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(csv_text(rows), encoding="gb18030")
    rows[6]["phone"] = "1234"
    bad.write_text(csv_text(rows), encoding="utf-8")
    base = ["--data-dir", str(platform.settings.data_dir)]
    refused = CliRunner().invoke(app, ["load", "CZ-RK-0001", str(bad), "--as", "police.admin", *base])
    assert refused.exit_code == 1 and "row 7, phone" in refused.output and "catalog.check.mobile" in refused.output
    loaded = CliRunner().invoke(app, ["load", "CZ-RK-0001", str(good), "--as", "police.admin", *base])
    assert loaded.exit_code == 0 and "version 1 of CZ-RK-0001: 20 rows" in loaded.output and "gb18030" in loaded.output
