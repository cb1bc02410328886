"""In Chromium, in zh-CN: a user changes their password from the menu, and logs in with the new one."""

from __future__ import annotations

import pytest

from tests.browser import browser_page, log_in, log_out, serving
from tests.scenarios import PASSWORD, make_account

pytestmark = pytest.mark.browser
NEW = "new-password-for-2026"


def test_a_user_changes_their_password_and_logs_in_with_the_new_one(platform):
    make_account(platform, kind="consumer", name="池州农商银行", login="bank.officer", role="member")
    with serving(platform) as base, browser_page() as page:
        log_in(page, base, "bank.officer")
        page.click("nav >> text=修改密码")
        page.wait_for_url(f"{base}/account/password")
        assert page.locator("h1").inner_text() == "修改密码"

        page.fill("input[name=current_password]", "not-the-password")
        page.fill("input[name=new_password]", NEW)
        page.fill("input[name=new_password_again]", NEW)
        page.click("[data-testid=password-form] button[type=submit]")
        assert "当前密码不正确" in page.locator("[data-testid=error-current_password]").inner_text()

        page.fill("input[name=current_password]", PASSWORD)
        page.fill("input[name=new_password]", NEW)
        page.fill("input[name=new_password_again]", NEW)
        page.click("[data-testid=password-form] button[type=submit]")
        page.wait_for_url(f"{base}/")
        log_out(page)

        page.goto(f"{base}/login")
        page.fill("input[name=login]", "bank.officer")
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        assert "账号或密码错误" in page.locator("[role=alert]").inner_text()
        page.fill("input[name=password]", NEW)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(f"{base}/")
        assert "bank.officer" in page.locator("[data-testid=who]").inner_text()
