"""The bureau's review through the pages, on both databases: a change shown old beside new, a resource under
public notice open to everyone, objections filed by anyone during the notice and answered by the bureau before
the application can complete."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.catalog import service as catalog
from pubdata.common import clock
from pubdata.identity import service as identity
from pubdata.ledger import public as ledger_public
from pubdata.ledger import service as ledger
from tests.data import PERSON_FIELDS, csv_text, person_rows, resource_body
from tests.scenarios import log_in_page, make_account, tick

MOBILE = "13912345917"


@pytest.fixture
def app(platform):
    clock.freeze(clock.parse_moment("2026-11-02T09:00:00"))  # a Monday: the notice runs to 2026-11-16
    return create_app(platform)


@pytest.fixture
def police(platform):
    return make_account(platform, kind="provider", name="池州市公安局", login="police.admin", days=366)


@pytest.fixture
def bureau(platform):
    return make_account(
        platform, kind="bureau", name="池州市数据资源局", login="bureau.reviewer", role="reviewer", days=366
    )


def _csrf(client: TestClient, path: str = "/login") -> str:
    client.get(path)
    return client.cookies["pubdata_csrf"]


def logged_in(app, login: str) -> TestClient:
    client = TestClient(app)
    log_in_page(client, login)
    return client


def in_notice(client: TestClient, police, bureau, *, kind: str = "first", change: dict | None = None) -> dict:
    """The police's resource, applied for (first, or a change after its first registration) and accepted."""
    if kind == "first":
        resource = client.post("/api/v1/resources", headers=police.headers, json=resource_body()).json()
        client.post(
            f"/api/v1/resources/{resource['id']}/versions",
            headers=police.headers,
            files={"file": ("people.csv", csv_text(person_rows(5)).encode())},
        )
    else:
        resource = client.get("/api/v1/resources", headers=police.headers).json()[0]
    body = {"kind": kind, **({"change": change} if change else {})}
    application = client.post(f"/api/v1/resources/{resource['id']}/registrations", headers=police.headers, json=body)
    assert application.status_code == 201, application.text
    accepted = client.post(
        f"/api/v1/registrations/{application.json()['id']}/decision",
        headers=bureau.headers,
        json={"decision": "accept"},
    ).json()
    assert accepted["state"] == "notice"
    return {"resource": resource, "application": accepted}


def object_to(client: TestClient, code: str, **typed) -> object:
    form = {"name": "刘小明", "contact": MOBILE, "reason": "该资源的更新频率与实际不符，应为每日更新。", **typed}
    return client.post(f"/catalog/{code}/objections", data={**form, "csrf_token": _csrf(client, f"/catalog/{code}")})


def state_of(client: TestClient, police, resource_id: int) -> str:
    return client.get(f"/api/v1/resources/{resource_id}", headers=police.headers).json()["state"]


# --- b. public notice and objections ---------------------------------------------------------------------


def test_a_resource_under_notice_opens_publicly_and_anyone_objects(app, platform, police, bureau):
    public = TestClient(app)
    assert public.get("/catalog/CZ-RK-0001").status_code == 404  # a draft is nobody's business
    noticed = in_notice(public, police, bureau)
    page = public.get("/catalog/CZ-RK-0001")
    assert page.status_code == 200 and 'data-testid="in-notice"' in page.text and "公示中" in page.text
    assert "公示期至 2026-11-16（北京时间）24 时止" in page.text
    assert 'data-testid="objection-form"' in page.text

    filed = object_to(public, "CZ-RK-0001")
    assert filed.status_code == 200 and "您的异议已提交" in filed.text
    # Nothing the objector typed about themselves is public: not the page, not the public ledger.
    for text in (filed.text, public.get("/catalog/CZ-RK-0001").text, public.get("/ledger").text):
        assert MOBILE not in text and "刘小明" not in text
    with platform.read() as session:
        entries = ledger.latest_entries(session, limit=1000)
        shown = ledger_public.view(session, entries)
        filing = [entry for entry in entries if entry.action == "registration.objection.file"]
        assert len(filing) == 1 and MOBILE not in str(ledger.payload_of(filing[0]))
    assert [entry.internal for entry in shown if entry.seq == filing[0].seq] == [True]

    office = logged_in(app, "bureau.reviewer")
    queue = office.get("/registrations").text
    assert "刘**" in queue and "139****5917" in queue and MOBILE not in queue and "刘小明" not in queue
    assert "应为每日更新" in queue and 'data-testid="unanswered"' in queue
    assert noticed["application"]["notice_until"] == "2026-11-16"


def test_objections_are_validated_in_chinese_and_keep_what_was_typed(app, police, bureau):
    public = TestClient(app)
    in_notice(public, police, bureau)
    for typed, field, sentence in (
        ({"contact": "not a contact"}, "contact", "手机号码、固定电话或电子邮箱"),
        ({"name": " "}, "name", "请填写异议人姓名"),
        ({"reason": "不对"}, "reason", "请写明异议理由"),
    ):
        refused = object_to(public, "CZ-RK-0001", **typed)
        assert refused.status_code == 422 and sentence in refused.text
        beside = refused.text.split(f'data-testid="error-{field}">')[1].split("</span>")[0]
        assert sentence in beside  # the refusal stands beside the field it is about
        assert "应为每日更新" in refused.text or typed.get("reason")  # the grounds typed come back
        assert MOBILE not in refused.text and "刘小明" not in refused.text  # personal data never does
        assert "请重新填写姓名和联系方式" in refused.text
    assert object_to(public, "CZ-NO-0001").status_code == 404
    # The same through the public API, without logging in.
    api = public.post(
        "/api/v1/public/catalog/CZ-RK-0001/objections",
        json={"name": "王芳", "contact": "0566-2021234", "reason": "描述遗漏了数据的时间范围。"},
    )
    assert api.status_code == 201 and api.json() == {"filed": True, "notice_until": "2026-11-16"}
    refused = public.post(
        "/api/v1/public/catalog/CZ-RK-0001/objections",
        json={"name": "王芳", "contact": "x", "reason": "理由充分的异议"},
    )
    assert refused.status_code == 422 and refused.json()["rule"] == "registration.objection-contact"


def test_no_objection_after_the_notice_ends(app, platform, police, bureau):
    public = TestClient(app)
    noticed = in_notice(public, police, bureau)
    clock.freeze(clock.parse_moment("2026-11-16T23:30:00"))  # the last evening of the notice, Beijing time
    assert object_to(public, "CZ-RK-0001").status_code == 200
    clock.freeze(clock.parse_moment("2026-11-17T00:10:00"))
    refused = object_to(public, "CZ-RK-0001")
    assert refused.status_code == 409
    assert "公示期已于 2026-11-16 结束，不再受理异议：异议须在公示期内提出。" in refused.text
    assert 'data-testid="objections-closed"' in public.get("/catalog/CZ-RK-0001").text
    # Held back by the objection filed in time: the tick does not register it.
    assert tick(platform) == []
    assert state_of(public, police, noticed["resource"]["id"]) == "submitted"


def test_the_tick_does_not_complete_with_an_unanswered_objection_and_a_dismissal_lets_it(app, platform, police, bureau):
    public = TestClient(app)
    noticed = in_notice(public, police, bureau)
    object_to(public, "CZ-RK-0001")
    clock.freeze(clock.parse_moment("2026-11-17T08:00:00"))
    assert tick(platform) == []
    assert state_of(public, police, noticed["resource"]["id"]) == "submitted"
    office = logged_in(app, "bureau.reviewer")
    queue = office.get("/registrations").text
    assert "有未答复的异议" in queue
    objection_id = int(re.search(r"/registrations/objections/(\d+)/answer", queue).group(1))

    answer = {"csrf_token": office.cookies["pubdata_csrf"], "answer": "dismissed", "reason": ""}
    refused = office.post(f"/registrations/objections/{objection_id}/answer", data=answer)
    assert refused.status_code == 422 and "请答复异议成立或不成立，并写明理由。" in refused.text
    answer["reason"] = "经核实，该资源按月汇聚，描述无误。"
    done = office.post(f"/registrations/objections/{objection_id}/answer", data=answer, follow_redirects=False)
    assert done.status_code == 303
    again = office.post(f"/registrations/objections/{objection_id}/answer", data=answer)
    assert again.status_code == 409 and "该异议已经答复。" in again.text
    assert tick(platform) == ["resource registered: CZZY2026000001"]
    assert state_of(public, police, noticed["resource"]["id"]) == "registered"


def test_an_upheld_objection_sends_the_application_back(app, platform, police, bureau):
    public = TestClient(app)
    noticed = in_notice(public, police, bureau)
    object_to(public, "CZ-RK-0001")
    object_to(public, "CZ-RK-0001", name="王芳", contact="wangfang@example.cn")
    with platform.read() as session:
        reviewer = identity.principal_of(session, login="bureau.reviewer")
        assert catalog.objections_to_answer(session, principal=reviewer) == 2
    office = logged_in(app, "bureau.reviewer")
    queue = office.get("/registrations").text
    assert "w***@example.cn" in queue and "wangfang@" not in queue
    first = int(re.search(r"/registrations/objections/(\d+)/answer", queue).group(1))
    upheld = {"csrf_token": office.cookies["pubdata_csrf"], "answer": "upheld", "reason": "更新频率确有误，请改正。"}
    assert office.post(f"/registrations/objections/{first}/answer", data=upheld).status_code == 200
    # Back for correction: a draft the department may edit and apply for again; the notice is over.
    assert state_of(public, police, noticed["resource"]["id"]) == "draft"
    with platform.read() as session:
        assert catalog.objections_to_answer(session, principal=reviewer) == 0  # the other closed with it
    history = public.get(f"/api/v1/resources/{noticed['resource']['id']}/registrations", headers=police.headers)
    assert history.json()[0]["state"] == "returned" and history.json()[0]["reason"] == "更新频率确有误，请改正。"
    assert public.get("/catalog/CZ-RK-0001").status_code == 404
    page = logged_in(app, "police.admin").get(f"/resources/{noticed['resource']['id']}").text
    assert "异议成立" in page and "随申请办结" in page and "wangfang" not in page and "139****" not in page
    clock.freeze(clock.parse_moment("2026-11-20T08:00:00"))
    assert tick(platform) == []


# --- a. a change registration, old and new side by side ----------------------------------------------------


def test_a_change_registration_shows_old_and_new_side_by_side(app, platform, police, bureau):
    client = TestClient(app)
    in_notice(client, police, bureau)
    clock.freeze(clock.parse_moment("2026-11-20T08:00:00"))
    assert tick(platform) == ["resource registered: CZZY2026000001"]
    fields = [dict(spec) for spec in PERSON_FIELDS if spec["name"] != "phone"]
    fields[-1] = {**fields[-1], "label": "家庭成员数"}
    fields.append({"name": "township", "label": "所属乡镇"})
    change = resource_body(update_frequency="daily", fields=fields)
    noticed = in_notice(client, police, bureau, kind="change", change=change)

    office = logged_in(app, "bureau.reviewer")
    block = office.get("/registrations").text
    changed = block.split('data-testid="changed"')[1].split("</table>")[0]
    assert re.search(r'data-key="update_frequency".*?每月.*?每日', changed, re.S)
    assert re.search(r'data-field="phone" data-status="removed"', changed)
    assert re.search(r'data-field="township" data-status="added"', changed)
    assert re.search(r'data-field="household_size" data-status="changed".*?家庭人口数.*?家庭成员数', changed, re.S)
    assert 'data-field="full_name"' not in changed and 'data-key="name"' not in changed
    unchanged = block.split('data-testid="unchanged"')[1].split("</details>")[0]
    assert 'data-field="full_name"' in unchanged and 'data-key="name"' in unchanged

    # The same change where the public sees the notice, and on the department's page.
    public = client.get("/catalog/CZ-RK-0001").text
    assert "公示中" in public and 'data-field="township" data-status="added"' in public
    department = logged_in(app, "police.admin").get(f"/resources/{noticed['resource']['id']}").text
    assert 'data-field="phone" data-status="removed"' in department

    clock.freeze(clock.parse_moment("2026-12-20T08:00:00"))
    tick(platform)
    # Once registered, the change is still shown against what was registered before it.
    department = logged_in(app, "police.admin").get(f"/resources/{noticed['resource']['id']}").text
    assert re.search(r'data-key="update_frequency".*?每月.*?每日', department, re.S)


# --- irreversible: a rejection asks for a confirmation and a reason --------------------------------------------


def test_rejecting_an_application_asks_for_a_confirmation_and_a_reason(app, platform, police, bureau):
    client = TestClient(app)
    resource = client.post("/api/v1/resources", headers=police.headers, json=resource_body()).json()
    client.post(
        f"/api/v1/resources/{resource['id']}/versions",
        headers=police.headers,
        files={"file": ("people.csv", csv_text(person_rows(5)).encode())},
    )
    application = client.post(
        f"/api/v1/resources/{resource['id']}/registrations", headers=police.headers, json={"kind": "first"}
    ).json()
    office = logged_in(app, "bureau.reviewer")
    queue = office.get("/registrations").text
    assert f'data-testid="reject-{application["id"]}"' in queue and 'name="confirm"' in queue
    path = f"/registrations/{application['id']}/decide"
    form = {"csrf_token": office.cookies["pubdata_csrf"], "decision": "reject", "reason": "数据来源不合规"}
    unconfirmed = office.post(path, data=form)
    assert unconfirmed.status_code == 422 and state_of(client, police, resource["id"]) == "submitted"
    no_reason = office.post(path, data={**form, "reason": " ", "confirm": "yes"})
    assert no_reason.status_code == 422 and state_of(client, police, resource["id"]) == "submitted"
    done = office.post(path, data={**form, "confirm": "yes"})
    assert done.status_code == 200 and "已记录对登记申请的决定。" in done.text  # the notice after the redirect
    assert state_of(client, police, resource["id"]) == "draft"


def test_one_objector_is_one_objection_and_a_flood_waits_for_the_bureau(app, platform, police, bureau, monkeypatch):
    from pubdata.registration import rules as registration_rules
    from pubdata.registration.models import Objection

    monkeypatch.setattr(registration_rules, "MAX_OPEN_OBJECTIONS", 3)
    public = TestClient(app)
    in_notice(public, police, bureau)
    address = "/api/v1/public/catalog/CZ-RK-0001/objections"
    body = {"name": "王芳", "contact": "0566-2021234", "reason": "描述遗漏了数据的时间范围。"}
    first, again = public.post(address, json=body), public.post(address, json=body | {"reason": "再次提出同一异议。"})
    assert first.json() == again.json() and again.status_code == 201  # the same answer: no oracle on who objected
    for mobile in ("13900001111", "13900002222"):
        assert public.post(address, json=body | {"contact": mobile}).status_code == 201
    flooded = public.post(address, json=body | {"contact": "13900003333"})
    assert flooded.status_code == 409 and flooded.json()["rule"] == "registration.objection-limit"
    with platform.read() as session:
        assert session.query(Objection).count() == 3
