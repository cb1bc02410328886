"""A department and the bureau take a resource from description to the public catalogue, in chromium."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from pubdata.common import clock
from tests.browser import browser_page, log_in, log_out, serving
from tests.data import bad_check, csv_text, person_rows
from tests.scenarios import make_account, tick

pytestmark = pytest.mark.browser


def test_describe_load_fix_register_and_publish(platform):
    clock.freeze(clock.parse_moment("2026-11-02T09:00:00"))
    make_account(platform, kind="provider", name="池州市公安局", login="police.admin", days=366)
    make_account(platform, kind="bureau", name="池州市数据资源局", login="bureau.reviewer", role="reviewer", days=366)
    rows = person_rows(60)
    with serving(platform) as base, browser_page() as page:
        log_in(page, base, "police.admin")
        page.click("text=数据资源")
        page.click("[data-testid=new-resource]")
        page.fill("input[name=code]", "CZ-RK-0001")
        page.fill("input[name=name]", "人口基础信息库")
        page.select_option("select[name=base_library]", "population")
        page.select_option("select[name=sector]", "public_security")
        specs = [
            ("id_number", "公民身份号码", "resident_id", True, "sensitive", "identity_document"),
            ("full_name", "姓名", "person_name", True, "personal", ""),
            ("district", "所属区县", "", False, "none", ""),
        ]
        field_rows = page.locator("table#fields tbody tr")
        for index, (name, label, fmt, required, sensitivity, category) in enumerate(specs):
            row = field_rows.nth(index)
            row.locator("input[name=field_name]").fill(name)
            row.locator("input[name=field_label]").fill(label)
            row.locator("select[name=field_format]").select_option(fmt)
            if required:
                row.locator("input[name=field_required]").check()
            row.locator("select[name=field_sensitivity]").select_option(sensitivity)
            row.locator("select[name=field_pipl_category]").select_option(category)
        page.click("[data-testid=save-resource]")
        page.wait_for_url(re.compile(r"/resources/\d+$"))
        assert page.locator("[data-testid=state]").inner_text() == "草稿"
        assert "一般数据（4级）" in page.locator("[data-testid=grade]").inner_text()

        bad = [dict(row) for row in rows]
        bad[4]["id_number"] = bad_check(bad[4]["id_number"])
        header = ["id_number", "full_name", "district"]
        page.set_input_files(
            "input[type=file]",
            files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": csv_text(bad, header).encode()}],
        )
        page.click("[data-testid=load-form] button[type=submit]")
        refused = page.locator("[data-testid=load-refused]")
        assert "未加载任何数据" in refused.inner_text() and "id_number" in refused.inner_text()
        assert refused.locator("tbody tr").first.locator("td").first.inner_text() == "5"
        assert bad[4]["id_number"] not in page.content()

        page.set_input_files(
            "input[type=file]",
            files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": csv_text(rows, header).encode("gb18030")}],
        )
        page.click("[data-testid=load-form] button[type=submit]")
        assert "第 1 版，60 行" in page.locator("[data-testid=load-ok]").inner_text()

        page.click("[data-testid=show-preview]")
        preview = page.locator("[data-testid=preview-table]")
        preview.wait_for()
        assert "*" in preview.inner_text()
        content = page.content()
        assert not any(row["id_number"] in content or row["full_name"] in content for row in rows)

        page.click("[data-testid=submit-first]")
        assert page.locator("[data-testid=state]").inner_text() == "登记审核中"
        log_out(page)

        log_in(page, base, "bureau.reviewer")
        page.click("text=登记审核")
        page.locator("[data-testid=application-CZ-RK-0001] button[value=accept]").click()
        assert "没有待处理" not in page.content() and "公示中" in page.content()

        clock.advance(timedelta(days=16))
        assert tick(platform) == ["resource registered: CZZY2026000001"]
        log_out(page)

        page.goto(f"{base}/catalog")
        page.fill("[data-testid=catalog-q]", "人口")
        page.click("form[role=search] button[type=submit]")
        assert page.locator("[data-testid=catalog-total]").inner_text() == "共 1 项"
        page.click("text=人口基础信息库")
        assert page.locator("[data-testid=registration-number]").inner_text() == "CZZY2026000001"
        content = page.content()
        assert not any(row["id_number"] in content for row in rows)
