"""A new department describes a seven-field resource from its sample file, in zh-CN, in chromium."""

from __future__ import annotations

import re

import pytest

from pubdata.common import clock
from tests.browser import browser_page, log_in, serving
from tests.catalog.test_describe_pages import CHINESE_HEADER, csv_bytes, sample_rows, sample_values
from tests.scenarios import make_account

pytestmark = pytest.mark.browser


def test_a_new_department_describes_a_resource_from_its_sample_in_one_form(platform):
    clock.freeze(clock.parse_moment("2026-11-02T09:00:00"))
    make_account(platform, kind="provider", name="池州市民政局", login="civil.admin", days=366)
    rows = sample_rows()
    with serving(platform) as base, browser_page() as page:
        log_in(page, base, "civil.admin")
        page.click("text=数据资源")
        page.click("[data-testid=new-resource]")
        # What is typed before the sample is read stays (the page's script carries it along).
        page.fill("input[name=code]", "CZ-MZ-0001")
        page.fill("input[name=name]", "低保家庭信息")
        page.set_input_files(
            "[data-testid=sample-form] input[type=file]",
            files=[{"name": "低保.csv", "mimeType": "text/csv", "buffer": csv_bytes(CHINESE_HEADER, rows, "gb18030")}],
        )
        page.click("[data-testid=read-sample]")
        assert "已从样例识别出 7 个字段" in page.locator("[data-testid=sampled]").inner_text()
        field_rows = page.locator("table#fields tbody tr")
        assert field_rows.count() == 8  # seven suggested, one empty
        first = field_rows.nth(0)
        assert first.locator("select[name=field_format] option:checked").inner_text() == "公民身份号码"
        assert first.locator("select[name=field_sensitivity] option:checked").inner_text() == "敏感个人信息"
        assert first.locator("select[name=field_pipl_category] option:checked").inner_text() == "身份证件号码"
        assert field_rows.nth(3).locator("select[name=field_type] option:checked").inner_text() == "日期"
        assert page.input_value("input[name=code]") == "CZ-MZ-0001"
        content = page.content()
        assert not any(value in content for value in sample_values(rows))

        # The department edits: a label in Chinese words it prefers, and one more field added in place.
        field_rows.nth(6).locator("input[name=field_label]").fill("人均月收入")
        page.click("[data-testid=add-field]")
        assert field_rows.count() == 9 and page.url.endswith("/resources/new/sample")
        field_rows.nth(8).locator("input[name=field_name]").fill("remark")
        field_rows.nth(8).locator("input[name=field_label]").fill("备注")
        page.click("[data-testid=save-resource]")
        page.wait_for_url(re.compile(r"/resources/\d+$"))
        assert page.locator("[data-testid=state]").inner_text() == "草稿"
        raised = page.locator("[data-testid=grade-raised]").inner_text()
        assert "资源分级为「一般数据（4级）」" in raised and "id_number 字段「公民身份号码」为敏感个人信息" in raised
        table = page.locator("table").first.inner_text()
        assert "人均月收入" in table and "备注" in table and "公民身份号码" in table
