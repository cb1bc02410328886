"""The pages in a real browser (Debian's chromium through Playwright), on both databases."""

from __future__ import annotations

import re

import pytest

from tests.browser import browser_page, serving
from tests.scenarios import PASSWORD, make_account

pytestmark = pytest.mark.browser


def test_admin_logs_in_manages_organisations_and_checks_the_ledger(platform):
    make_account(platform, kind="bureau", name="池州市数据资源局", login="bureau.admin")
    with serving(platform) as base, browser_page() as page:
        page.goto(f"{base}/login")
        assert page.evaluate("document.characterSet") == "UTF-8"
        assert page.locator("h1").inner_text() == "登录"
        # Chinese must render with a real CJK font, not boxes.
        assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '池州')")

        page.fill("input[name=login]", "bureau.admin")
        page.fill("input[name=password]", "wrong-password-1")
        page.click("button[type=submit]")
        assert "账号或密码错误" in page.locator("[role=alert]").inner_text()

        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(f"{base}/")
        assert "bureau.admin" in page.locator("main").inner_text()

        page.click("text=机构与用户")
        page.fill("input[name=name]", "池州市公安局")
        page.select_option("select[name=kind]", "provider")
        page.click("form[action='/admin/organisations'] button[type=submit]")
        page.wait_for_url(re.compile(r"/admin/organisations/\d+$"))
        assert page.locator("h1").inner_text() == "池州市公安局"

        page.fill("input[name=login]", "police.admin")
        page.fill("input[name=display_name]", "公安局数据专员")
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action$='/users'] button[type=submit]")
        assert page.locator("td", has_text="police.admin").count() == 1

        page.click("[data-testid=lang-switch]")
        assert page.locator("h2", has_text="Users").count() == 1
        page.click("text=Ledger")
        size = int(page.locator("[data-testid=tree-size]").inner_text().replace(",", ""))
        assert size >= 5
        page.fill("[data-testid=check-seq]", str(size - 1))
        page.click("button:has-text('Verify')")
        verdict = page.locator("[data-testid=check-verdict]")
        verdict.wait_for()
        assert "Verified" in verdict.inner_text()
        # The last entry made a user: a person's account, so the public log shows only an internal operation.
        assert "Internal operation" in verdict.inner_text() and "identity.user.create" not in verdict.inner_text()
        rows = page.locator("[data-testid=ledger-entry]")
        assert "bureau.admin" not in page.locator("main").inner_text() and rows.count() == size

        page.click("text=Log out")
        page.goto(f"{base}/admin/organisations")
        assert "/login" in page.url


def test_an_operator_sees_only_its_own_organisation(platform):
    make_account(platform, kind="bureau", name="池州市数据资源局", login="bureau.admin")
    make_account(platform, kind="operator", name="池州数据运营有限公司", login="operator.admin")
    with serving(platform) as base, browser_page() as page:
        page.goto(f"{base}/login")
        page.fill("input[name=login]", "operator.admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/admin/organisations")
        rows = page.locator("tbody tr")
        assert rows.count() == 1 and "池州数据运营有限公司" in rows.inner_text()
        assert page.locator("text=新建机构").count() == 0
        response = page.goto(f"{base}/admin/organisations/1")
        assert response.status == 404

        page.goto(f"{base}/account/tokens")
        page.fill("input[name=name]", "脚本")
        page.click("form[action='/account/tokens'] button[type=submit]")
        token = page.locator("[data-testid=new-token]").inner_text()
        assert token.startswith("pdt_")
        page.goto(f"{base}/account/tokens")
        assert page.locator("[data-testid=new-token]").count() == 0
