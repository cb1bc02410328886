"""Each kind of organisation does its main task in zh-CN through chromium, on the demo city, with a screenshot of
every step kept as an artefact of the run (``tests.browser.Steps``).

A task is a function of ``(steps, base)`` registered in ``TASKS`` under the login that does it; to add one,
write the function and add it there. Each task starts logged in on the home page and ends wherever it likes.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable

import pytest

from pubdata import demo
from tests.browser import Steps, browser_steps, log_in, log_out, serving
from tests.scenarios import submitted_for_registration

pytestmark = pytest.mark.browser

NEW_RESOURCE = "CZ-RK-0090"


def heading(steps: Steps) -> str:
    return steps.page.locator("h1").first.inner_text()


# --- the tasks -------------------------------------------------------------------------------------------------


def bureau_reviews_a_registration(steps: Steps, base: str) -> None:
    page = steps.page
    page.click("nav a[href='/registrations']")
    row = page.locator(f"[data-testid=application-{NEW_RESOURCE}]")
    assert "待审核" in row.inner_text(), row.inner_text()
    steps.shot("bureau-registration-queue")
    row.locator("button[value=accept]").click()
    page.wait_for_url(re.compile(r"/registrations"))
    assert "公示中" in page.locator(f"[data-testid=application-{NEW_RESOURCE}]").inner_text()
    steps.shot("bureau-registration-accepted")
    page.goto(f"{base}/catalog")
    assert page.locator("[data-testid=notices]", has_text=NEW_RESOURCE).count() == 1
    steps.shot("bureau-notice-published")


def department_opens_its_resource(steps: Steps, base: str) -> None:
    page = steps.page
    page.click("nav a[href='/resources']")
    steps.shot("department-resources")
    page.locator("tbody a[href^='/resources/']").first.click()
    page.wait_for_url(re.compile(r"/resources/\d+$"))
    assert page.locator("[data-testid=state]").inner_text()
    assert page.locator("h2", has_text="数据项").count() >= 1
    steps.shot("department-resource")


def consumer_runs_a_query(steps: Steps, base: str) -> None:
    page = steps.page
    page.click("nav a[href='/console']")
    steps.shot("consumer-console")
    form = page.locator("[data-testid=sql-form]")
    form.locator("textarea[name=sql]").fill("SELECT district, count(*) AS firms FROM cz_fr_0001 GROUP BY district")
    form.locator("button[type=submit]").click()
    page.locator("[data-testid=result]").wait_for()
    assert "真实数据" in page.locator("[data-testid=result] caption").inner_text()
    steps.shot("consumer-query-result")


def partner_opens_its_job(steps: Steps, base: str) -> None:
    page = steps.page
    page.click("nav a[href='/jobs']")
    steps.shot("partner-jobs")
    page.locator("[data-testid=jobs] tbody a[href^='/jobs/']").first.click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    assert heading(steps).startswith("作业")
    steps.shot("partner-job")


def operator_opens_an_agreement(steps: Steps, base: str) -> None:
    page = steps.page
    page.click("nav a[href='/agreements']")
    steps.shot("operator-agreements")
    page.locator("tbody a[href^='/agreements/']").first.click()
    page.wait_for_url(re.compile(r"/agreements/\d+$"))
    assert page.locator("[data-testid=state]").inner_text() == "运营中"
    steps.shot("operator-agreement")


def opens_home_and(path: str, name: str) -> Callable[[Steps, str], None]:
    """A supervising organisation's day, for now: its home, then a page of its own."""

    def task(steps: Steps, base: str) -> None:
        page = steps.page
        steps.shot(f"{name}-home")
        answer = page.goto(f"{base}{path}")
        assert answer is not None and answer.status == 200, (path, answer and answer.status)
        assert heading(steps)
        steps.shot(f"{name}-{path.strip('/').replace('/', '-') or 'home'}")

    return task


# Login → its main task, in the order they run (the bureau accepts what the department submitted).
TASKS: dict[str, Callable[[Steps, str], None]] = {
    "bureau.admin": bureau_reviews_a_registration,
    "police.admin": department_opens_its_resource,
    "bank.admin": consumer_runs_a_query,
    "partner.admin": partner_opens_its_job,
    "operator.admin": operator_opens_an_agreement,
    "pricing.admin": opens_home_and("/catalog", "pricing"),
    "finance.admin": opens_home_and("/contracts", "finance"),
    "market.admin": opens_home_and("/catalog", "market"),
    "audit.admin": opens_home_and("/resources", "audit"),
    "security.admin": opens_home_and("/agreements", "security"),
}


def test_each_kind_of_organisation_does_its_main_task_in_chinese(platform, request):
    document = demo.build(platform, scale=0.02)
    accounts = {account["login"]: account for account in document["accounts"]}
    submitted_for_registration(platform, NEW_RESOURCE)
    failures = []
    with serving(platform) as base, browser_steps(request) as steps:
        for login, task in TASKS.items():
            log_in(steps.page, base, login, accounts[login]["password"])
            assert steps.page.locator("html").get_attribute("lang") == "zh-CN"
            try:
                task(steps, base)
            except Exception:  # noqa: BLE001 - every kind's task runs; each failure is reported with its picture
                failures.append(f"{login}: {traceback.format_exc(limit=3)}\n  see {steps.shot(f'{login}-failed')}")
            log_out(steps.page)
    assert not failures, "\n".join(failures)
    assert len(steps.taken) >= 2 * len(TASKS)
