"""The bureau and the operator run an agreement's life in chromium: record, sign, partner, evaluate, exit."""

from __future__ import annotations

import re

import pytest

from tests.browser import browser_page, log_in, log_out, serving
from tests.scenarios import at

pytestmark = pytest.mark.browser


def test_an_agreement_from_tender_to_exit_in_the_browser(platform, city):
    at("2026-01-05")
    with serving(platform) as base, browser_page() as page:
        log_in(page, base, "bureau.admin")
        page.click("nav a[href='/agreements']")
        form = page.locator("[data-testid=record-agreement]")
        form.locator("input[name=tender_reference]").fill("CZZB-2025-001")
        for field in form.locator("input[name^=selection_]").all():
            field.fill("见评审报告")
        form.locator("textarea[name=resources]").fill("CZ-RK-0001")
        form.locator("input[name=sectors][value=urban_management]").check()
        form.locator("textarea[name=security_duties]").fill("落实数据安全主体责任")
        form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"/agreements/\d+$"))
        assert page.locator("[data-testid=state]").inner_text() == "待签署"
        page.click("[data-testid=sign] button")
        agreement_url = page.url
        log_out(page)

        log_in(page, base, "operator.admin")
        page.goto(agreement_url)
        page.click("[data-testid=sign] button")
        assert page.locator("[data-testid=state]").inner_text() == "运营中"
        assert "2026-01-05 – 2029-01-04" in page.locator("[data-testid=term]").inner_text()
        admit = page.locator("[data-testid=admit-partner]")
        admit.locator("input[name=sectors][value=taxation]").check()
        admit.locator("button[type=submit]").click()
        assert "须在运营机构的范围之内" in page.locator("[role=alert]").inner_text()  # the page's language
        admit = page.locator("[data-testid=admit-partner]")
        taxation = admit.locator("input[name=sectors][value=taxation]")
        assert taxation.is_checked()  # the refused form came back as the operator left it
        taxation.uncheck()
        admit.locator("textarea[name=resources]").fill("CZ-CG-0001")
        admit.locator("button[type=submit]").click()
        assert page.locator("td", has_text="池州普惠金融科技有限公司").count() == 1
        log_out(page)

        log_in(page, base, "bureau.admin")
        page.goto(agreement_url)
        evaluate = page.locator("[data-testid=evaluate]")
        evaluate.locator("input[name=period]").fill("2026年度")
        for dimension in ("security", "performance", "scenario_benefit", "public_welfare"):
            evaluate.locator(f"input[name=score_{dimension}]").fill("55")
            evaluate.locator(f"input[name=evidence_{dimension}]").fill("评估报告")
        evaluate.locator("select[name=result]").select_option("rectify")
        evaluate.locator("button[type=submit]").click()
        assert page.locator("[data-testid=state]").inner_text() == "限期整改"
        log_out(page)

        log_in(page, base, "security.admin")
        page.goto(agreement_url)
        report = page.locator("[data-testid=report-incident]")
        report.locator("textarea[name=description]").fill("接口越权访问")
        report.locator("button[type=submit]").click()
        log_out(page)

        log_in(page, base, "bureau.admin")
        page.goto(agreement_url)
        page.locator("select[name=bad_impact]").select_option("yes")
        page.locator("form[action$='/do/decide_incident'] button").click()
        assert page.locator("[data-testid=state]").inner_text() == "已退出"
        assert "发生造成不良影响的数据安全事件" in page.locator("[data-testid=exit-reason]").inner_text()
        log_out(page)

        page.goto(f"{base}/login")
        page.fill("input[name=login]", "operator.admin")
        page.fill("input[name=password]", "correct-horse-battery")
        page.click("form[action='/login'] button[type=submit]")
        assert "账号或密码错误" in page.locator("[role=alert]").inner_text()
