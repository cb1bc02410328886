"""The product pages, walked as each party uses them: the operator creates a product on its workbench under an
approved scenario and submits it; the bureau's reviewer fills the checklist on its queue; the operator applies
for registration; the bureau accepts it; after the notice the operator lists it from its to-dos. Every page in
Chinese."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from pubdata.common import clock
from pubdata.products import service as products
from tests import pages
from tests.products.builders import POPULATION, approved_scenario, operating_city
from tests.scenarios import PASSED_CHECKLIST, page_client, principal, read, reviewed_product, run, tick


def _chinese(answer) -> None:
    # The test accounts are named by their logins (``operator.admin``), shown beside the logout button.
    text = [line for line in pages.read(answer.text).text if ".admin" not in line]
    assert not pages.key_shaped(text), pages.key_shaped(text)
    assert not pages.english_words(text), pages.english_words(text)[:10]


def _post(client, csrf: str, path: str, data: dict) -> object:
    return client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)


def _state(platform, code: str) -> str:
    return read(platform, products.get, principal=principal(platform, "bureau.admin"), code=code).state


def test_a_product_from_the_workbench_to_the_public_list_through_the_pages(platform, city):
    operating_city(platform, city)
    approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    operator, operator_csrf = page_client(platform, "operator.admin")
    bureau, bureau_csrf = page_client(platform, "bureau.admin")

    workbench = operator.get("/products/manage")
    assert workbench.status_code == 200 and 'data-testid="create-form"' in workbench.text
    _chinese(workbench)
    scenario_id = re.search(r'name="scenario_id" required><option value="(\d+)"', workbench.text).group(1)
    form = {
        "scenario_id": scenario_id,
        "name": "分区人口统计",
        "kind": "query_template",
        "description": "按区县统计常住人口数。",
        "delivery": "api",
        "purposes": ["industry"],
        "definition": json.dumps(POPULATION),
    }
    refused = _post(operator, operator_csrf, "/products/new", {**form, "definition": "{不是 JSON"})
    assert refused.status_code == 422 and "分区人口统计" in refused.text  # what was typed comes back
    created = _post(operator, operator_csrf, "/products/new", form)
    assert created.status_code == 303
    code = created.headers["location"].rsplit("/", 1)[-1]
    page = operator.get(f"/products/{code}")
    assert page.status_code == 200 and 'data-testid="submit-review"' in page.text
    _chinese(page)
    assert _post(operator, operator_csrf, f"/products/{code}/do/submit-review", {}).status_code == 303

    queue = bureau.get("/products/reviews")
    assert queue.status_code == 200 and f'data-testid="review-{code}"' in queue.text
    _chinese(queue)
    half = {"decision": "approve", "passed_minimisation": "yes", "note_minimisation": "已核对"}
    refused = _post(bureau, bureau_csrf, f"/products/{code}/do/review", half)
    assert refused.status_code == 422 and 'data-rule="product.checklist"' in refused.text
    checklist = {f"passed_{item}": "yes" for item in PASSED_CHECKLIST} | {
        f"note_{item}": answer["note"] for item, answer in PASSED_CHECKLIST.items()
    }
    assert (
        _post(bureau, bureau_csrf, f"/products/{code}/do/review", {"decision": "approve", **checklist}).status_code
        == 303
    )
    assert _state(platform, code) == "approved"

    assert _post(operator, operator_csrf, f"/products/{code}/do/register", {}).status_code == 303
    registrations = bureau.get("/products/registrations")
    assert registrations.status_code == 200 and f'data-testid="application-{code}"' in registrations.text
    _chinese(registrations)
    registration_id = re.search(r'action="/products/registrations/(\d+)/decide"', registrations.text).group(1)
    decided = _post(bureau, bureau_csrf, f"/products/registrations/{registration_id}/decide", {"decision": "accept"})
    assert decided.status_code == 303
    notice = operator.get(f"/products/{code}")
    assert 'data-testid="in-notice"' in notice.text

    clock.freeze(clock.now() + timedelta(days=30))
    tick(platform)
    operator, operator_csrf = page_client(platform, "operator.admin")  # the earlier session has timed out
    bureau, bureau_csrf = page_client(platform, "bureau.admin")
    home = operator.get("/")
    assert "已登记待上架的数据产品" in home.text
    assert _post(operator, operator_csrf, f"/products/{code}/do/list", {}).status_code == 303
    assert _state(platform, code) == "listed"
    public = bureau.get("/products")
    assert f'data-code="{code}"' in public.text
    _chinese(public)


def test_the_bureaus_workbench_counts_products_awaiting_review(platform, city):
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    operator, csrf = page_client(platform, "operator.admin")
    form = {
        "scenario_id": str(scenario),
        "name": "分区人口统计",
        "kind": "query_template",
        "description": "按区县统计常住人口数。",
        "delivery": "api",
        "purposes": ["industry"],
        "definition": json.dumps(POPULATION),
    }
    code = _post(operator, csrf, "/products/new", form).headers["location"].rsplit("/", 1)[-1]
    _post(operator, csrf, f"/products/{code}/do/submit-review", {})
    bureau, _ = page_client(platform, "bureau.admin")
    home = bureau.get("/")
    assert "待安全审查的数据产品" in home.text and 'href="/products/reviews"' in home.text
    # The bureau's reviewer returns it; the operator's to-dos show it back.
    bureau_csrf = bureau.cookies["pubdata_csrf"]
    returned = _post(bureau, bureau_csrf, f"/products/{code}/do/review", {"decision": "return", "reason": "请补充说明"})
    assert returned.status_code == 303
    assert "被退回修改的数据产品" in operator.get("/").text
    assert _state(platform, code) == "development"


def test_the_bureau_answers_an_objection_to_a_product_on_its_registrations_page(platform, city):
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    code = reviewed_product(
        platform,
        developer_login="operator.admin",
        scenario_id=scenario,
        definition=POPULATION,
        kind="query_template",
        name="分区人口统计",
        purposes=("industry",),
    )
    application = run(
        platform, products.submit_registration, principal=principal(platform, "operator.admin"), code=code
    )
    run(
        platform,
        products.review_registration,
        principal=principal(platform, "bureau.admin"),
        registration_id=application.id,
        decision="accept",
        reason=None,
    )
    run(platform, products.file_objection, code=code, name="王五", contact="13912345678", reason="说明与实际用途不符")
    bureau, csrf = page_client(platform, "bureau.admin")
    page = bureau.get("/products/registrations")
    assert 'data-testid="unanswered"' in page.text and "139****5678" in page.text and "13912345678" not in page.text
    _chinese(page)
    objection_id = re.search(r'action="/products/registrations/objections/(\d+)/answer"', page.text).group(1)
    answered = _post(
        bureau,
        csrf,
        f"/products/registrations/objections/{objection_id}/answer",
        {"answer": "dismissed", "reason": "用途说明已核实"},
    )
    assert answered.status_code == 303
    assert 'data-answer="dismissed"' in bureau.get("/products/registrations").text
    clock.freeze(clock.now() + timedelta(days=30))
    assert any(change.startswith("product registered: CZCP") for change in tick(platform))
    assert _state(platform, code) == "registered"
