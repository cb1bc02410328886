"""The inclusive-finance pilot end to end in chromium, through the pages wherever a page exists (三(五)): the bank posts
a data demand; the operator answers it with a scenario plan, fills it in and submits it; every department whose data
it uses agrees; the bureau approves; the operator builds an enterprise credit profile on it, the bureau's security
review passes it, the bureau accepts its registration, the notice runs out, the scheduler registers it and the
operator lists it; the bank applies for it, the operator approves, the bank signs the contract generated from it;
an enterprise grants its consent from its own account; the bank uploads a CSV of credit codes and sees and
downloads each enterprise's profile. The bank never writes SQL."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from pubdata import demo
from pubdata.common import clock
from pubdata.demo import products as demo_products
from pubdata.identity import service as identity
from pubdata.products import definitions
from pubdata.scenarios import service as scenarios
from tests.browser import browser_steps, log_in, log_out, serving
from tests.scenarios import AS_CLI, PASSWORD, tick

pytestmark = pytest.mark.browser

ENTERPRISE_RESOURCES = [
    "CZ-FR-0001",
    "CZ-XY-0001",
    "CZ-XY-0002",
    "CZ-XY-0003",
    "CZ-XY-0004",
    "CZ-XY-0005",
    "CZ-ZZ-0001",
]


def _subject(platform, code: str) -> None:
    """An enterprise of the pilot's registry opens its own account (数据主体（企业）)."""
    with platform.command() as session:
        organisation = identity.create_organisation(
            session, principal=AS_CLI, kind="subject", name="池州市测试商贸有限公司", credit_code=code
        )
        identity.create_user(
            session,
            principal=AS_CLI,
            organisation_id=organisation.id,
            login="firm.admin",
            display_name="企业财务负责人",
            role="admin",
            password=PASSWORD,
        )


def _admins_of(platform, organisation_ids: set[int]) -> list[str]:
    with platform.read() as session:
        logins = []
        for organisation_id in sorted(organisation_ids):
            users = identity.list_users(session, principal=AS_CLI, organisation_id=organisation_id)
            logins.append(next(user.login for user in users if user.role == "admin"))
        return logins


def test_from_a_demand_to_a_bank_downloading_credit_profiles(platform, request, tmp_path):
    document = demo.build(platform, scale=0.02)
    passwords = {account["login"]: account["password"] for account in document["accounts"]}
    (firm_code, _), (unknown_code, _) = demo_products._enterprises(platform, 12)[-2:]
    _subject(platform, firm_code)
    passwords["firm.admin"] = PASSWORD

    with serving(platform) as base, browser_steps(request) as steps:
        page = steps.page

        def as_user(login: str) -> None:
            log_in(page, base, login, passwords[login])

        # 1. The bank posts what it needs.
        as_user("bank.admin")
        page.goto(f"{base}/demands/new")
        form = page.locator("[data-testid=demand-form]")
        form.locator("input[name=title]").fill("小微企业信用状况核查")
        form.locator("textarea[name=data_wanted]").fill("企业纳税、社保、水电缴费、处罚和证照情况的综合评价")
        form.locator("textarea[name=use]").fill("小微企业贷款贷前审查")
        form.locator("select[name=purpose]").select_option("industry")
        form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"/demands/\d+$"))
        demand_path = page.url.removeprefix(base)
        steps.shot("demand-posted")
        log_out(page)

        # 2. The operator answers with a new scenario plan, fills it in and submits it.
        as_user("operator.admin")
        page.goto(base + demand_path)
        answer = page.locator("[data-testid=answer-scenario]")
        answer.locator("select[name=field]").select_option("inclusive_finance")
        answer.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"/demands/\d+$"))
        page.click("[data-testid=answer] a")
        page.wait_for_url(re.compile(r"/scenarios/\d+$"))
        scenario_id = int(page.url.rsplit("/", 1)[1])
        page.click("[data-testid=edit]")
        form = page.locator("[data-testid=scenario-form]")
        form.locator("input[name=name]").fill("普惠金融企业信用画像场景")
        form.locator("textarea[name=users]").fill("池州农村商业银行小微企业信贷审批人员")
        form.locator("input[name=resources]").fill(", ".join(ENTERPRISE_RESOURCES))
        form.locator("textarea[name=benefit]").fill("缩短小微企业贷款审批时间，扩大首贷覆盖面。")
        for item, level in (
            ("personal_information", "low"),
            ("sensitive_personal", "none"),
            ("minors", "none"),
            ("cross_department", "medium"),
            ("per_subject_output", "medium"),
            ("external_delivery", "low"),
        ):
            form.locator(f"select[name=risk_{item}]").select_option(level)
        form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(rf"/scenarios/{scenario_id}$"))
        page.click("[data-testid=submit] button")
        page.wait_for_url(re.compile(rf"/scenarios/{scenario_id}$"))
        assert page.locator("[data-testid=state]").inner_text() == "评审中"
        steps.shot("scenario-submitted")
        log_out(page)

        # 3. Every department whose data the plan uses gives its opinion; the bureau approves.
        with platform.read() as session:
            plan = scenarios.get_scenario(session, principal=AS_CLI, scenario_id=scenario_id)
            departments = scenarios.departments_of(session, plan)
        for login in _admins_of(platform, departments):
            as_user(login)
            page.goto(f"{base}/scenarios/{scenario_id}")
            opinion = page.locator("[data-testid=opinion-form]")
            opinion.locator("select[name=opinion]").select_option("agree")
            opinion.locator("textarea[name=reason]").fill("同意在授权范围内使用本部门数据。")
            opinion.locator("button[type=submit]").click()
            page.wait_for_url(re.compile(rf"/scenarios/{scenario_id}$"))
            log_out(page)
        as_user("bureau.admin")
        page.goto(f"{base}/scenarios/{scenario_id}")
        page.click("[data-testid=approve] button")
        page.wait_for_url(re.compile(rf"/scenarios/{scenario_id}$"))
        assert page.locator("[data-testid=state]").inner_text() == "已批准"
        steps.shot("scenario-approved")
        log_out(page)

        # 4. The operator builds the credit profile on the approved plan and sends it to security review.
        as_user("operator.admin")
        page.goto(f"{base}/products/manage")
        form = page.locator("[data-testid=create-form]")
        form.locator("select[name=scenario_id]").select_option(str(scenario_id))
        form.locator("input[name=name]").fill("小微企业信用画像")
        form.locator("select[name=kind]").select_option("credit_profile")
        form.locator("textarea[name=description]").fill(
            "为取得授权的企业逐户给出信用评分、等级和理由码，不提供明细记录。"
        )
        form.locator("select[name=delivery]").select_option("api")
        form.locator("input[name=purposes][value=industry]").check()
        form.locator("textarea[name=definition]").fill(json.dumps(definitions.DEFAULT_PROFILE.document()))
        form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"/products/CP-\d+$"))
        code = page.url.rsplit("/", 1)[1]
        page.click("[data-testid=submit-review]")
        page.wait_for_url(re.compile(rf"/products/{code}$"))
        steps.shot("product-in-review")
        log_out(page)

        # 5. The bureau's security review: every checklist item passed, with a note.
        as_user("bureau.admin")
        page.goto(f"{base}/products/reviews")
        review = page.locator(f"[data-testid=review-form-{code}]")
        for item in ("minimisation", "output_rule", "reidentification", "consent", "purpose_fit"):
            review.locator(f"input[name=passed_{item}]").check()
            review.locator(f"input[name=note_{item}]").fill("已核查，符合要求。")
        review.locator("[data-testid=approve]").click()
        page.wait_for_load_state()
        steps.shot("review-passed")
        log_out(page)

        # 6. Registration: the operator applies, the bureau accepts, the notice runs out, the scheduler registers.
        as_user("operator.admin")
        page.goto(f"{base}/products/{code}")
        page.click("[data-testid=register]")
        page.wait_for_url(re.compile(rf"/products/{code}$"))
        log_out(page)
        as_user("bureau.admin")
        page.goto(f"{base}/products/registrations")
        decide = page.locator("form[data-testid^=decide-]").first
        decide.locator("button[value=accept]").click()
        page.wait_for_load_state()
        steps.shot("registration-accepted")
        log_out(page)
        clock.freeze(clock.now() + timedelta(days=30))
        assert any(change.startswith("product registered") for change in tick(platform))

        # 7. The operator lists it.
        as_user("operator.admin")
        page.goto(f"{base}/products/{code}")
        page.click("[data-testid=list]")
        page.wait_for_url(re.compile(rf"/products/{code}$"))
        assert page.locator("[data-testid=state]").inner_text() == "已上架"
        log_out(page)

        # 8. The bank applies from the product's page; the operator approves; the bank signs.
        as_user("bank.admin")
        page.goto(f"{base}/products/{code}")
        page.click("[data-testid=apply-subscription]")
        form = page.locator("[data-testid=apply]")
        form.locator("select[name=purpose]").select_option("industry")
        form.locator("textarea[name=use]").fill("小微企业贷款贷前审查：了解申请企业的经营和守法情况。")
        form.locator("input[name=max_calls]").fill("200")
        today = clock.today()
        form.locator("input[name=valid_from]").fill(today.isoformat())
        form.locator("input[name=valid_until]").fill((today + timedelta(days=300)).isoformat())
        form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"/products/subscriptions/\d+$"))
        subscription_path = page.url.removeprefix(base)
        assert page.locator("[data-testid=state]").inner_text() == "待审批"
        steps.shot("applied")
        log_out(page)
        as_user("operator.admin")
        page.goto(f"{base}/products/subscriptions")
        page.goto(base + subscription_path)
        page.click("[data-testid=approve] button")
        page.wait_for_url(re.compile(r"/products/subscriptions/\d+$"))
        assert page.locator("[data-testid=contract-state]").inner_text() == "待签署"
        log_out(page)
        as_user("bank.admin")
        page.goto(base + subscription_path)
        page.click("[data-testid=sign] button")
        page.wait_for_url(re.compile(r"/products/subscriptions/\d+$"))
        assert page.locator("[data-testid=contract-state]").inner_text() == "生效"
        steps.shot("contract-signed")
        log_out(page)

        # 9. The enterprise grants its consent from its own account.
        as_user("firm.admin")
        page.goto(f"{base}/consents")
        grant = page.locator("[data-testid=grant-consent]")
        grant.locator("select[name=consumer_id]").select_option(label="池州农村商业银行")
        grant.locator("select[name=product_code]").select_option(code)
        grant.locator("select[name=purpose]").select_option("industry")
        grant.locator("button[type=submit]").click()
        page.wait_for_load_state()
        steps.shot("consent-granted")
        log_out(page)

        # 10. The bank uploads a CSV of credit codes: a subject without consent is refused, by its place only.
        as_user("bank.admin")
        page.goto(base + subscription_path)
        page.click("[data-testid=open-call]")
        page.wait_for_url(re.compile(rf"/products/{code}/call$"))
        assert "SELECT" not in page.content()
        upload = page.locator("[data-testid=upload-form]")
        wrong = f"统一社会信用代码\n{firm_code}\n{unknown_code}\n".encode()
        upload.locator("input[type=file]").set_input_files(
            files=[{"name": "enterprises.csv", "mimeType": "text/csv", "buffer": wrong}]
        )
        upload.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "第 2 个" in page.locator(".error").first.inner_text()
        steps.shot("consent-missing")
        upload = page.locator("[data-testid=upload-form]")
        upload.locator("input[type=file]").set_input_files(
            files=[{"name": "enterprises.csv", "mimeType": "text/csv", "buffer": f"{firm_code}\n".encode()}]
        )
        upload.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(rf"/products/{code}/call\?answer="))
        table = page.locator("[data-testid=answer-table]")
        assert "统一社会信用代码" in table.locator("thead").inner_text()
        assert firm_code in table.locator("tbody").inner_text()
        steps.shot("profile-shown")
        with page.expect_download() as download:
            page.click("[data-testid=download-csv]")
        saved = tmp_path / "profile.csv"
        download.value.save_as(saved)
        text = saved.read_bytes().decode("utf-8-sig")
        assert text.startswith("统一社会信用代码") and firm_code in text
        page.reload()  # post, redirect, get: a refresh shows the kept answer and calls nothing again
        assert firm_code in page.locator("[data-testid=answer-table]").inner_text()
        log_out(page)
