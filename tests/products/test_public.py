"""What anyone sees of products without logging in (三(四)6: the public product list): the list over the API and
as pages, on the public home too, with every code by its Chinese name; a product under public notice with the
objection form; nothing of a product still in development."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.products import service as products
from tests import pages
from tests.products.builders import POPULATION, approved_scenario, operating_city
from tests.scenarios import listed_product, principal, reviewed_product, run


def _listed(platform, city) -> str:
    operating_city(platform, city)
    scenario = approved_scenario(platform, codes=("CZ-RK-0001",), purpose="industry")
    return listed_product(
        platform,
        developer_login="partner.admin",
        scenario_id=scenario,
        definition=POPULATION,
        kind="query_template",
        name="分区人口统计",
        purposes=("industry", "public_welfare"),
    )


def test_the_public_product_list_names_everything_in_chinese(platform, city):
    code = _listed(platform, city)
    with TestClient(create_app(platform)) as client:
        answer = client.get("/api/v1/public/products")
    assert answer.status_code == 200
    (item,) = answer.json()
    assert item["code"] == code and item["name"] == "分区人口统计"
    assert item["kind_name"] == "查询模板" and item["operator"] == "池州数据运营有限公司"
    assert item["field_name"] == "普惠金融" and item["delivery_name"] == "接口调用"
    assert item["purpose_names"] == ["产业发展", "公益事业"]
    assert item["resources"] == [{"code": "CZ-RK-0001", "name": item["resources"][0]["name"]}]
    assert item["resources"][0]["name"] and item["registration_number"].startswith("CZCP")
    assert "definition" not in item and "sql" not in str(item)  # metadata only: not the template's SQL


def test_the_public_pages_and_the_home_show_the_listed_product(platform, city):
    code = _listed(platform, city)
    with TestClient(create_app(platform)) as client:
        listing = client.get("/products")
        home = client.get("/")
        page = client.get(f"/products/{code}")
    for answer in (listing, home):
        assert answer.status_code == 200
        assert f'data-code="{code}"' in answer.text and "分区人口统计" in answer.text and "普惠金融" in answer.text
    assert page.status_code == 200 and "CZCP" in page.text and "产业发展" in page.text
    assert "SELECT" not in page.text  # the public sees what it computes in words, never its SQL


def test_a_product_in_development_is_unknown_to_the_public(platform, city):
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
    with TestClient(create_app(platform)) as client:
        assert client.get(f"/products/{code}").status_code == 404
        assert client.get(f"/api/v1/public/products/{code}").status_code == 404
        assert client.get("/api/v1/public/products").json() == []


def test_a_product_under_notice_takes_objections_from_anyone(platform, city):
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
    with TestClient(create_app(platform)) as client:
        page = client.get(f"/products/{code}")
        assert page.status_code == 200 and 'data-testid="objection-form"' in page.text
        assert "公示中" in page.text
        filed = client.post(
            f"/products/{code}/objections",
            data={
                "csrf_token": client.cookies["pubdata_csrf"],
                "name": "李四",
                "contact": "13912345678",
                "reason": "该产品的用途说明不清楚",
            },
            follow_redirects=False,
        )
        assert filed.status_code == 303
        refused = client.post(
            f"/products/{code}/objections",
            data={
                "csrf_token": client.cookies["pubdata_csrf"],
                "name": "李四",
                "contact": "不是电话",
                "reason": "理由",
            },
        )
        assert refused.status_code == 422 and "13912345678" not in refused.text
        listing = client.get("/products")
        assert 'data-testid="product-notices"' in listing.text


def test_the_english_switch_has_every_word_of_the_product_pages(platform, city):
    code = _listed(platform, city)
    with TestClient(create_app(platform)) as client:
        for path in ("/products?lang=en", f"/products/{code}?lang=en", "/?lang=en"):
            answer = client.get(path)
            assert answer.status_code == 200
            text = pages.read(answer.text).text
            assert not pages.key_shaped(text), (path, pages.key_shaped(text))
        assert "Query template" in client.get("/products?lang=en").text
