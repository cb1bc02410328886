"""Everyone changes their own password (the current one required, the identity rules' minimum length, every
other browser login ended, a PERSONAL ledger entry); an organisation's admin resets a colleague's to a
temporary one, shown once, that must be changed at the next login. Refusals say in Chinese which rule."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.identity.models import User
from pubdata.ledger import service as ledger
from tests.scenarios import PASSWORD, ledger_size, log_in_page, make_account

NEW = "a-new-password-2026"
OPERATOR = "池州数据运营有限公司"


def browser(platform, login: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(create_app(platform))
    log_in_page(client, login, password)
    return client


def can_log_in(platform, login: str, password: str) -> bool:
    client = TestClient(create_app(platform))
    client.get("/login")
    form = {"login": login, "password": password, "csrf_token": client.cookies["pubdata_csrf"]}
    return client.post("/login", data=form, follow_redirects=False).status_code == 303


def change(client: TestClient, current: str, new: str, again: str | None = None):
    form = {
        "current_password": current,
        "new_password": new,
        "new_password_again": new if again is None else again,
        "csrf_token": client.cookies["pubdata_csrf"],
    }
    return client.post("/account/password", data=form, follow_redirects=False)


def last_entry(platform) -> dict:
    with platform.read() as session:
        (entry,) = ledger.latest_entries(session, limit=1)
        return {"seq": entry.seq, "action": entry.action, "payload": ledger.payload_of(entry)}


def test_a_user_changes_their_password_and_their_other_logins_end(platform, city):
    here, elsewhere = browser(platform, "partner.admin"), browser(platform, "partner.admin")
    page = here.get("/")
    assert 'href="/account/password"' in page.text
    form = here.get("/account/password")
    assert form.status_code == 200 and "至少 10 个字符" in form.text

    before = ledger_size(platform)
    wrong = change(here, "not-my-password", NEW)
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.text
    assert 'data-testid="error-current_password"' in wrong.text
    short = change(here, PASSWORD, "short-1")
    assert short.status_code == 422 and "至少需要 10 个字符" in short.text
    assert 'data-testid="error-new_password"' in short.text
    mismatch = change(here, PASSWORD, NEW, again=NEW + "x")
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.text
    same = change(here, PASSWORD, PASSWORD)
    assert same.status_code == 422 and "不能与当前密码相同" in same.text
    assert ledger_size(platform) == before  # nothing of a refused change is kept

    done = change(here, PASSWORD, NEW)
    assert done.status_code == 303
    assert "密码已修改" in here.get(done.headers["location"]).text  # the notice on the next page
    entry = last_entry(platform)
    assert entry["action"] == "identity.user.change-password" and entry["payload"]["sessions_ended"] == 1
    assert here.get("/account/tokens").status_code == 200  # the browser that changed it stays logged in
    assert elsewhere.get("/account/tokens", follow_redirects=False).headers["location"].startswith("/login")
    assert not can_log_in(platform, "partner.admin", PASSWORD)
    assert can_log_in(platform, "partner.admin", NEW)


def test_the_public_ledger_keeps_a_password_change_as_an_internal_operation(platform, city):
    with TestClient(create_app(platform)) as client:
        answer = client.post(
            "/api/v1/me/password",
            headers=city["partner"].headers,
            json={"current_password": PASSWORD, "new_password": NEW},
        )
        assert answer.status_code == 200, answer.text
        entry = last_entry(platform)
        assert entry["action"] == "identity.user.change-password"
        shown = {item["seq"]: item for item in client.get("/api/v1/ledger/entries?limit=500").json()}[entry["seq"]]
        assert shown["internal"] is True and shown["label"] == "内部操作" and shown["action"] is None
    assert can_log_in(platform, "partner.admin", NEW) and not can_log_in(platform, "partner.admin", PASSWORD)


def test_the_api_refuses_a_wrong_current_password_and_a_short_new_one(platform, city):
    with TestClient(create_app(platform)) as client:
        headers = {**city["partner"].headers, "Accept-Language": "zh-CN"}
        wrong = client.post(
            "/api/v1/me/password", headers=headers, json={"current_password": "nope-nope-nope", "new_password": NEW}
        )
        assert wrong.status_code == 422 and wrong.json()["rule"] == "identity.wrong-password"
        assert "当前密码不正确" in wrong.json()["detail"]
        short = client.post(
            "/api/v1/me/password", headers=headers, json={"current_password": PASSWORD, "new_password": "short"}
        )
        assert short.status_code == 422 and short.json()["rule"] == "identity.password-policy"
        assert "至少需要 10 个字符" in short.json()["detail"]


def test_an_admin_resets_a_colleagues_password_which_must_be_changed_at_the_next_login(platform, city):
    colleague = make_account(platform, kind="operator", name=OPERATOR, login="operator.dev", role="member")
    admin = browser(platform, "operator.admin")
    with platform.read() as session:
        organisation_id = session.get(User, colleague.user_id).organisation_id
    users = admin.get(f"/admin/organisations/{organisation_id}").text
    assert 'data-testid="reset-operator.dev"' in users and 'data-testid="reset-operator.admin"' not in users

    unconfirmed = admin.post(
        f"/admin/users/{colleague.user_id}/password-reset",
        data={"csrf_token": admin.cookies["pubdata_csrf"], "reason": "忘记密码"},
    )
    assert unconfirmed.status_code == 422 and 'data-testid="temporary-password"' not in unconfirmed.text
    assert can_log_in(platform, "operator.dev", PASSWORD)  # nothing was reset
    theirs = browser(platform, "operator.dev")
    shown = admin.post(
        f"/admin/users/{colleague.user_id}/password-reset",
        data={"csrf_token": admin.cookies["pubdata_csrf"], "reason": "同事忘记密码", "confirm": "yes"},
    )
    assert shown.status_code == 200 and 'data-testid="temporary-password"' in shown.text
    temporary = shown.text.split('data-testid="temporary-password">')[1].split("<")[0]
    assert len(temporary) >= 10
    entry = last_entry(platform)
    assert entry["action"] == "identity.user.reset-password" and temporary not in str(entry)
    assert entry["payload"]["reason"] == "同事忘记密码"
    assert admin.get(f"/admin/organisations/{organisation_id}").text.count(temporary) == 0  # shown once

    # The colleague's browser login and API token ended; the old password no longer works; the temporary one
    # leads to the form.
    assert theirs.get("/jobs", follow_redirects=False).headers["location"].startswith("/login")
    assert client_of(platform).get("/api/v1/me", headers=colleague.headers).status_code == 401
    assert not can_log_in(platform, "operator.dev", PASSWORD)
    client = TestClient(create_app(platform))
    client.get("/login")
    login = client.post(
        "/login",
        data={"login": "operator.dev", "password": temporary, "csrf_token": client.cookies["pubdata_csrf"]},
        follow_redirects=False,
    )
    assert login.headers["location"] == "/account/password"
    for elsewhere in ("/", "/jobs", "/console", "/contracts", "/account/tokens"):
        assert client.get(elsewhere, follow_redirects=False).headers["location"] == "/account/password"
    assert 'data-testid="must-change"' in client.get("/account/password").text
    assert change(client, temporary, NEW).status_code == 303
    assert client.get("/jobs").status_code == 200
    assert 'data-testid="must-change"' not in client.get("/account/password").text


def test_a_reset_is_only_for_an_admin_and_only_for_a_colleague(platform, city):
    member = make_account(platform, kind="operator", name=OPERATOR, login="operator.dev", role="member")
    with TestClient(create_app(platform)) as client:
        zh = {"Accept-Language": "zh-CN"}
        before = ledger_size(platform)
        by_member = client.post(
            f"/api/v1/users/{city['operator'].user_id}/password-reset", headers={**member.headers, **zh}
        )
        assert by_member.status_code == 403 and by_member.json()["rule"] == "identity.permission"
        # The bureau's admin sees every user, but resets only its own colleagues'.
        by_bureau = client.post(
            f"/api/v1/users/{member.user_id}/password-reset", headers={**city["bureau"].headers, **zh}
        )
        assert by_bureau.status_code == 403 and by_bureau.json()["rule"] == "identity.not-a-colleague"
        assert "只能重置本机构同事的密码" in by_bureau.json()["detail"]
        # Another organisation's admin does not even learn that the user exists.
        by_partner = client.post(f"/api/v1/users/{member.user_id}/password-reset", headers=city["partner"].headers)
        assert by_partner.status_code == 404
        own = client.post(f"/api/v1/users/{city['operator'].user_id}/password-reset", headers=city["operator"].headers)
        assert own.status_code == 422 and own.json()["rule"] == "identity.reset-own"
        assert ledger_size(platform) == before

        done = client.post(f"/api/v1/users/{member.user_id}/password-reset", headers=city["operator"].headers)
        assert done.status_code == 200 and done.json()["must_change_password"] is True
        assert can_log_in(platform, "operator.dev", done.json()["temporary_password"])
    pages = browser(platform, "bureau.admin")
    refused = pages.post(
        f"/admin/users/{member.user_id}/password-reset",
        data={"csrf_token": pages.cookies["pubdata_csrf"], "reason": "测试", "confirm": "yes"},
    )
    assert refused.status_code == 403 and "只能重置本机构同事的密码" in refused.text


def client_of(platform) -> TestClient:
    return TestClient(create_app(platform))
