"""Contracts, the console and jobs in chromium: the partner develops on mock data and submits a job, the
operator reviews it, the worker runs it isolated, the operator and the bureau release it, the partner downloads."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from tests.browser import browser_page, log_in, log_out, serving
from tests.scenarios import MODEL_SCRIPT, real_ids, run_next_job

pytestmark = pytest.mark.browser


def test_a_partner_develops_submits_and_downloads_a_released_job_in_the_browser(platform, partner_deal):
    with serving(platform) as base, browser_page() as page:
        log_in(page, base, "partner.admin")
        page.click("nav a[href='/contracts']")
        assert page.locator("[data-testid=contracts] tbody tr").count() == 1
        page.click(f"[data-testid=contracts] a[href='/contracts/{partner_deal['contract_id']}']")
        assert page.locator("[data-testid=calls-left]").inner_text() == "50"
        page.click("[data-testid=open-console]")

        sql = page.locator("[data-testid=sql-form]")
        sql.locator("textarea[name=sql]").fill("SELECT id_number, district FROM cz_rk_0001 LIMIT 5")
        sql.locator("input[value=mock]").check()
        sql.locator("button[type=submit]").click()
        cells = page.locator("[data-testid=result] tbody td").all_inner_texts()
        assert len(cells) == 10 and all("*" in cell for cell in cells[::2])  # mock IDs, and masked even so
        sql = page.locator("[data-testid=sql-form]")
        sql.locator("textarea[name=sql]").fill("SELECT id_number FROM cz_rk_0001")
        sql.locator("input[value=real]").check()
        sql.locator("button[type=submit]").click()
        refusal = page.locator("[data-testid=refusal]")  # in zh, the rule only in an attribute
        assert refusal.get_attribute("data-rule") == "sql.sensitive-column" and "sql." not in refusal.inner_text()
        assert page.locator("[data-testid=refused-sql]").inner_text() == "SELECT id_number FROM cz_rk_0001"

        python = page.locator("[data-testid=python-form]")
        python.locator("textarea[name=code]").fill(MODEL_SCRIPT)
        python.locator("input[name=requirements][value=scikit-learn]").check()
        python.locator("button[type=submit]").click()
        assert "output-1.json" in page.locator("[data-testid=run]").inner_text()

        form = page.locator("[data-testid=job-form]")
        form.locator("input[name=title]").fill("户规模模型")
        form.locator("textarea[name=code]").fill(MODEL_SCRIPT)
        form.locator("input[name=requirements][value=scikit-learn]").check()
        form.locator("select[name=output_format_1]").select_option("json")  # what MODEL_SCRIPT writes
        form.locator("input[name=output_columns_1]").fill("coefficient:decimal, intercept:decimal, rows:integer")
        form.locator("input[name=output_count_1]").fill("")
        form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"/jobs/\d+$"))
        job_url = page.url
        assert page.locator("[data-testid=state]").inner_text() == "待审核代码"
        log_out(page)

        log_in(page, base, "operator.admin")
        page.click("nav a[href='/jobs']")
        page.click("[data-testid=review-queue] a[href^='/jobs/']")
        page.locator("[data-testid=approve] input[name=note]").fill("仅输出模型系数")
        page.click("[data-testid=approve] button")
        assert page.locator("[data-testid=state]").inner_text() == "待运行"
        assert run_next_job(platform) is not None  # the worker's step
        page.reload()
        assert page.locator("[data-testid=state]").inner_text() == "输出待放行"
        assert "model fitted" in page.locator("[data-testid=log]").inner_text()
        preview = page.locator("[data-testid=preview]").inner_text()  # the reviewer sees what would leave, masked
        assert "rows" in preview and "20" in preview
        page.click("[data-testid=release] button")
        log_out(page)

        log_in(page, base, "bureau.admin")
        page.click("nav a[href='/jobs']")
        page.click("[data-testid=release-queue] a[href^='/jobs/']")
        page.click("[data-testid=release] button")
        assert page.locator("[data-testid=state]").inner_text() == "输出已放行"
        assert page.locator("[data-testid=download]").count() == 0  # only the submitter downloads
        log_out(page)

        log_in(page, base, "partner.admin")
        page.goto(job_url)
        with page.expect_download() as download:
            page.click("[data-testid=download]")
        archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
        assert json.loads(archive.read("output-1.json"))["rows"] == 20
        with page.expect_download() as record:
            page.click("[data-testid=record]")
        actions = [
            entry["action"] for entry in json.loads(open(record.value.path(), encoding="utf-8").read())["ledger"]
        ]
        assert actions[-1] == "job.download"
        page.click("[data-testid=lang-switch]")
        assert page.locator("[data-testid=state]").inner_text() == "Output released"
        content = page.content()
    assert not any(value in content for value in real_ids(platform))


def test_a_bank_runs_a_sample_query_sees_its_chart_and_downloads_the_csv(platform):
    from tests.queries.test_console_http import bank_city

    bank = bank_city(platform)
    with serving(platform) as base, browser_page() as page:
        log_in(page, base, "bank.admin")
        page.click("nav a[href='/console']")
        page.goto(f"{base}/console?contract_id={bank['aggregate']}")
        assert page.locator("[data-testid=table-cz_rk_0001] tr[data-column=district]").inner_text().count("维度") == 1
        assert (
            page.locator("[data-testid=python-form]").count() == 0
            and page.locator("[data-testid=job-form]").count() == 0
        )
        sample = page.locator("[data-testid=sample]").nth(1)  # the average by district
        sql = sample.locator("pre").inner_text()
        page.locator("[data-testid=sql-form] textarea[name=sql]").fill("")
        sample.locator("button").click()
        assert page.locator("[data-testid=sql-form] textarea[name=sql]").input_value() == sql
        page.click("[data-testid=sql-form] button[type=submit]")
        headers = page.locator("[data-testid=result] th").all_inner_texts()
        assert headers == ["所属区县", "家庭人口数平均值"]
        chart = page.locator("[data-testid=chart]")
        chart.locator("svg").first.wait_for()  # ECharts drew it
        assert chart.locator("svg").first.inner_html().count("<path") >= 4  # a bar per district, at least
        with page.expect_download() as download:
            page.click("[data-testid=export-csv]")
        lines = open(download.value.path(), encoding="utf-8-sig").read().splitlines()
        assert lines[0] == "所属区县,家庭人口数平均值" and len(lines) == 5
        shown = page.locator("[data-testid=result] tbody tr td:first-child").all_inner_texts()
        assert [line.split(",")[0] for line in lines[1:]] == shown
