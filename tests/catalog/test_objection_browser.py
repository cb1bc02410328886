"""The public objects to a resource under notice and the bureau answers, in chromium (zh-CN)."""

from __future__ import annotations

import pytest

from pubdata.common import clock
from tests.browser import browser_page, log_in, serving
from tests.scenarios import make_account, registered_resources, tick

pytestmark = pytest.mark.browser


def test_the_public_objects_and_the_bureau_answers(platform, tmp_path):
    clock.freeze(clock.parse_moment("2026-11-02T09:00:00"))
    make_account(platform, kind="provider", name="池州市公安局", login="police.admin", days=366)
    make_account(platform, kind="bureau", name="池州市数据资源局", login="bureau.admin", days=366)
    registered_resources(platform, (("CZ-RK-0001", "public_security"),))  # accepted: its notice runs
    with serving(platform) as base, browser_page() as page:
        page.goto(f"{base}/catalog")
        page.click("[data-testid=notices] >> text=人口基础信息库")
        assert page.locator("[data-testid=in-notice]").inner_text() == "公示中"
        assert "2026-11-16（北京时间）" in page.locator("[data-testid=notice-until]").inner_text()
        form = page.locator("[data-testid=objection-form]")
        form.locator("input[name=name]").fill("刘小明")
        form.locator("input[name=contact]").fill("13912345917")
        form.locator("textarea[name=reason]").fill("所属区县一项漏列了开发区，请核实。")
        page.screenshot(path=str(tmp_path / "1-objection.png"))
        form.locator("button[type=submit]").click()
        assert "您的异议已提交" in page.locator("p.notice[role=status]").inner_text()
        assert "13912345917" not in page.content()

        log_in(page, base, "bureau.admin")
        page.click("nav >> text=登记审核")
        application = page.locator("[data-testid=application-CZ-RK-0001]")
        assert "1 条异议待答复" in application.locator("[data-testid=unanswered]").inner_text()
        row = application.locator("[data-testid=objections] tbody tr").first
        assert "刘**" in row.inner_text() and "139****5917" in row.inner_text()
        assert "漏列了开发区" in row.inner_text()
        row.locator("textarea[name=reason]").fill("经核实，开发区数据由管委会另行登记，本资源描述无误。")
        row.locator("input[value=dismissed]").check()
        page.screenshot(path=str(tmp_path / "2-answer.png"))
        row.locator("button[type=submit]").click()
        page.wait_for_url(f"{base}/registrations")
        answered = page.locator("[data-testid=application-CZ-RK-0001] [data-testid=objections] tbody tr").first
        assert "异议不成立" in answered.inner_text() and "另行登记" in answered.inner_text()
        assert page.locator("[data-testid=application-CZ-RK-0001] [data-testid=unanswered]").count() == 0
        page.screenshot(path=str(tmp_path / "3-answered.png"))

    clock.freeze(clock.parse_moment("2026-11-17T08:00:00"))
    assert tick(platform) == ["resource registered: CZZY2026000001"]
