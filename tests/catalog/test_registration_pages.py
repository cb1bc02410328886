"""A department's registration forms on its resource page: cancelling a registered resource takes it out of the
catalogue, so the page asks for confirmation and a reason, which go to the bureau with the application."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from sqlalchemy import select

from pubdata.app import create_app
from pubdata.catalog.models import Resource
from pubdata.registration.models import Registration
from tests.data import PERSON_FIELDS, resource_body
from tests.forms import form_pairs
from tests.scenarios import PASSWORD


def _resource(platform, code: str) -> Resource:
    with platform.read() as session:
        return session.scalars(select(Resource).where(Resource.code == code)).one()


def test_cancelling_a_registration_asks_for_confirmation_and_a_reason(platform, city):
    resource_id = _resource(platform, "CZ-RK-0001").id
    with TestClient(create_app(platform)) as client:
        client.get("/login")
        csrf = client.cookies["pubdata_csrf"]
        client.post("/login", data={"login": "police.admin", "password": PASSWORD, "csrf_token": csrf})
        page = client.get(f"/resources/{resource_id}")
        assert 'data-testid="cancel-form"' in page.text and 'name="confirm"' in page.text
        address = f"/resources/{resource_id}/register"
        unticked = client.post(address, data={"csrf_token": csrf, "kind": "cancel", "reason": "数据已停止采集"})
        assert unticked.status_code == 422 and 'data-rule="web.confirm-needed"' in unticked.text
        silent = client.post(address, data={"csrf_token": csrf, "kind": "cancel", "confirm": "yes"})
        assert silent.status_code == 422 and 'data-rule="web.reason-needed"' in silent.text
        assert _resource(platform, "CZ-RK-0001").state == "registered"  # a refused form changed nothing
        done = client.post(
            address, data={"csrf_token": csrf, "kind": "cancel", "confirm": "yes", "reason": "数据已停止采集"}
        )
        assert done.status_code == 200 and "注销登记申请已提交" in done.text
    assert _resource(platform, "CZ-RK-0001").state == "cancel_submitted"
    with platform.read() as session:
        application = session.scalars(select(Registration).order_by(Registration.id.desc())).first()
        assert application.kind == "cancel" and json.loads(application.submission)["reason"] == "数据已停止采集"


def test_a_field_s_published_values_survive_the_form(platform, city):
    """The four districts a DP answer releases as groups are part of the description: saving the form with them
    unchanged keeps them, and a department can type them (贵池区、东至县 …)."""
    districts = ["贵池区", "东至县", "石台县", "青阳县"]
    fields = [dict(spec, values=districts) if spec["name"] == "district" else spec for spec in PERSON_FIELDS]
    with TestClient(create_app(platform)) as client:
        made = client.post(
            "/api/v1/resources",
            headers=city["police"].headers,
            json=resource_body(code="CZ-RK-0009", fields=fields),
        )
        assert made.status_code == 201, made.text
        client.get("/login")
        csrf = client.cookies["pubdata_csrf"]
        client.post("/login", data={"login": "police.admin", "password": PASSWORD, "csrf_token": csrf})
        edit = client.get(f"/resources/{made.json()['id']}/edit")
        assert 'value="贵池区、东至县、石台县、青阳县"' in edit.text
        saved = client.post(
            f"/resources/{made.json()['id']}/edit",
            content=urlencode(form_pairs(edit.text, "resource-form")),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert saved.status_code == 200, saved.text
    with platform.read() as session:
        resource = session.get(Resource, made.json()["id"])
        district = next(spec for spec in json.loads(resource.fields) if spec["name"] == "district")
    assert district["values"] == districts
