"""The workbench's charts drawn in a real browser (chromium through Playwright), for two kinds."""

from __future__ import annotations

import pytest

from tests.browser import browser_page, log_in, log_out, serving

pytestmark = pytest.mark.browser


def _drawn_charts(page) -> list[str]:
    """The keys of the charts ECharts drew (a canvas or an svg inside the chart's element)."""
    page.locator("[data-testid=chart] canvas, [data-testid=chart] svg").first.wait_for()
    return page.eval_on_selector_all(
        "[data-testid=chart]",
        "els => els.filter(el => el.querySelector('canvas, svg')).map(el => el.dataset.chartKey)",
    )


def test_the_bureau_and_a_department_see_their_charts_drawn(platform, city):
    with serving(platform) as base, browser_page() as page:
        log_in(page, base, "bureau.admin")
        assert page.locator("h1").inner_text() == "工作台"
        assert "workbench.chart.registrations" in _drawn_charts(page)
        registrations = page.locator("[data-todo='workbench.bureau.registrations']")
        assert registrations.get_attribute("data-count") == "0" and "待审核的登记申请" in registrations.inner_text()
        log_out(page)

        log_in(page, base, "police.admin")
        assert page.locator("h1").inner_text() == "工作台"
        drawn = _drawn_charts(page)
        assert {"workbench.chart.resources", "workbench.chart.loads"} <= set(drawn)
        # ECharts laid the chart out at the element's size: it is really drawn, not an empty box.
        box = page.locator(
            "[data-chart-key='workbench.chart.resources'] svg, [data-chart-key='workbench.chart.resources'] canvas"
        ).first.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100
