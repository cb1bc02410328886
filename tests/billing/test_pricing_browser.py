"""Pricing to statement in chromium, through the pages: the pricing authority sets the operator's maximum
permitted revenue and a product's fee cap; the operator's price above the cap is refused naming it, the one at
the cap taken as a trial price; the bank calls the product; its statement shows the tiers, and downloads as CSV
and PDF; the public product list shows the price."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from pubdata.common import clock
from tests.browser import browser_steps, log_in, log_out, serving
from tests.products.test_calls import CLOSED, GRANTED
from tests.scenarios import make_account

pytestmark = pytest.mark.browser


def test_pricing_cap_price_call_statement(platform, world, request):
    make_account(platform, kind="pricing", name="池州市发展改革委", login="pricing.admin", days=366)
    code, today = world["verify"], clock.today()
    with serving(platform) as base, browser_steps(request) as steps:
        page = steps.page
        log_in(page, base, "pricing.admin")
        page.goto(f"{base}/billing/revenue")
        form = page.get_by_test_id("set-ceiling")
        form.locator("input[name=operating_cost]").fill("800,000.00")
        form.locator("input[name=operating_cost_basis]").fill("经成本监审的运营成本")
        form.locator("input[name=permitted_profit]").fill("64000")
        form.locator("input[name=permitted_profit_basis]").fill("按成本的 8% 核定")
        form.locator("input[name=tax]").fill("¥48,000")
        form.locator("input[name=tax_basis]").fill("按现行税率测算")
        form.locator("button[type=submit]").click()
        allowed = page.get_by_test_id("allowed").first
        assert allowed.inner_text() == "¥912,000.00"
        steps.shot("ceiling set")

        page.goto(f"{base}/billing/prices")
        form = page.get_by_test_id("set-cap")
        form.locator("select[name=product]").select_option(code)
        form.locator("select[name=unit]").select_option("subject")
        form.locator("input[name=effective_from]").fill(today.isoformat())
        form.locator("textarea[name=tiers]").fill("1, 2.00\n4, 1.00")
        form.locator("textarea[name=basis]").fill("按核验的计算与运维成本测算")
        form.locator("button[type=submit]").click()
        assert "¥2.00" in page.get_by_test_id(f"price-{code}").inner_text()
        steps.shot("cap set")
        log_out(page)

        log_in(page, base, "operator.admin")
        page.goto(f"{base}/billing/prices")
        form = page.get_by_test_id("set-price")
        form.locator("select[name=unit]").select_option("subject")
        form.locator("input[name=effective_from]").fill(today.isoformat())
        form.locator("textarea[name=tiers]").fill("1, 2.50")
        form.locator("button[type=submit]").click()
        refusal = page.locator("p.error")
        assert refusal.get_attribute("data-rule") == "billing.above-cap"
        assert "上限" in refusal.inner_text() and "¥2.00" in refusal.inner_text()
        steps.shot("price above the cap refused")
        form = page.get_by_test_id("set-price")
        form.locator("select[name=unit]").select_option("subject")
        form.locator("input[name=effective_from]").fill(today.isoformat())
        form.locator("textarea[name=tiers]").fill("1, 2.00\n4, 1.00")
        form.locator("button[type=submit]").click()
        row = page.get_by_test_id(f"price-{code}").inner_text()
        assert "试行价格" in row and "¥1.00" in row
        steps.shot("price set")
        log_out(page)

        log_in(page, base, "bank.admin")
        for _ in range(2):  # units 1–2, then 3 at ¥2.00 and 4 at ¥1.00
            page.goto(f"{base}/products/{code}/call")
            page.get_by_test_id("call-form").first.locator("textarea[name=subjects]").fill(f"{GRANTED}\n{CLOSED}")
            page.get_by_test_id("call-form").first.locator("button[type=submit]").click()
            page.wait_for_load_state()
        steps.shot("called")
        page.goto(f"{base}/billing/statements")
        page.get_by_test_id("statement-months").locator("a").first.click()
        lines = page.get_by_test_id("statement-line")
        assert lines.count() == 2
        assert page.get_by_test_id("statement-total").inner_text() == "¥7.00"
        steps.shot("statement")
        with page.expect_download() as csv_download:
            page.get_by_test_id("statement-csv").click()
        csv_text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
        assert "金额（元）" in csv_text and "7.00" in csv_text
        pdf = page.request.get(base + page.get_by_test_id("statement-pdf").get_attribute("href"))
        text = PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()
        assert "对账单" in text and "¥7.00" in text
        log_out(page)

        page.goto(f"{base}/products")
        assert "试行价格" in page.locator(f"[data-code='{code}'] [data-testid=product-price]").inner_text()
        steps.shot("public price list")
