"""The privacy-computing API and pages: the bank runs a match over HTTP as pubdata-client does (offer, setup
once, run), every malformed or oversize body is a 4xx problem and never a 500, and the pages show the protocol,
what each side learns, the set version, the items left and the runs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata_client.psi import PsiRun
from pubdata_protocol import messages as wire
from tests.privacy_computing.world import ENTERPRISES, build_world, latest_ratings, match
from tests.scenarios import page_client
from tests.web.test_chinese_pages import chinese


def _chinese(path: str, html: str) -> list[str]:
    """The Chinese-pages check, but for the test accounts' own names (``bank.admin`` in the page header)."""
    return [problem for problem in chinese(path, html) if "admin" not in problem]


@pytest.fixture
def world(platform, city):
    return build_world(platform)


def test_a_match_over_http_and_malformed_bodies_are_refused_with_4xx(platform, world):
    code = world["codes"]["psi"]
    headers = world["bank"].headers
    items = ENTERPRISES[:20]
    with TestClient(create_app(platform)) as client:
        offered = client.get(f"/api/v1/products/{code}/privacy", headers=headers)
        assert offered.status_code == 200, offered.text
        offer = wire.Offer.model_validate(offered.json())
        assert offer.protocol == "psi" and offer.items_left == 50 * 1000
        setup = client.get(
            f"/api/v1/products/{code}/privacy/setup", params={"set_version": offer.set_version}, headers=headers
        )
        assert setup.status_code == 200 and setup.headers["x-pubdata-set-version"] == offer.set_version
        assert len(setup.content) == offer.setup_bytes
        stale = client.get(f"/api/v1/products/{code}/privacy/setup", params={"set_version": "0" * 64}, headers=headers)
        assert stale.status_code == 409 and stale.json()["rule"] == "privacy.stale-set"
        run = PsiRun(items, set_version=offer.set_version)
        body = {
            "protocol": "psi",
            "set_version": offer.set_version,
            "key_id": offer.key_id,
            "nonce": wire.new_nonce(),
            "items": len(items),
            "message": wire.encode(run.message()),
        }
        answered = client.post(f"/api/v1/products/{code}/privacy/runs", headers=headers, json=body)
        assert answered.status_code == 200, answered.text
        answer = wire.RunAnswer.model_validate(answered.json())
        matched = run.matches(setup.content, wire.decode(answer.message, limit=wire.MAX_RUN_MESSAGE))
        latest = latest_ratings(world["rows"])
        assert matched == [latest.get(item) == "A" for item in items]
        again = client.post(f"/api/v1/products/{code}/privacy/runs", headers=headers, json=body)
        assert again.status_code == 409 and again.json()["rule"] == "privacy.replayed"
        wrong_bodies = [
            {},
            {**body, "nonce": "xyz"},
            {**body, "items": 0},
            {**body, "items": wire.MAX_ITEMS_PER_RUN + 1},
            {**body, "message": "not base64!"},
            {**body, "message": "QQ="},
            {**body, "protocol": "other"},
            {**body, "extra": 1},
            {**body, "set_version": "Z" * 64},
            {**body, "protocol": "joint_scoring"},
            {**body, "message": "A" * (wire.MAX_RUN_MESSAGE + 4)},
            {**body, "nonce": wire.new_nonce(), "message": ""},
            [1, 2, 3],
        ]
        for wrong in wrong_bodies:
            refused = client.post(f"/api/v1/products/{code}/privacy/runs", headers=headers, json=wrong)
            assert 400 <= refused.status_code < 500, (str(wrong)[:80], refused.status_code, refused.text[:200])
        raw = client.post(
            f"/api/v1/products/{code}/privacy/runs",
            headers={**headers, "content-type": "application/json"},
            content=b"{",
        )
        assert 400 <= raw.status_code < 500
        for wrong in ({}, {"context": "???"}, {"context": wire.encode(b"\x00" * 100)}):
            refused = client.post(
                f"/api/v1/products/{world['codes']['scoring']}/privacy/keys", headers=headers, json=wrong
            )
            assert 400 <= refused.status_code < 500, (wrong, refused.status_code)
        huge = client.post(
            f"/api/v1/products/{code}/privacy/runs",
            headers={**headers, "content-type": "application/json", "content-length": str(65 << 20)},
            content=b"{}",
        )
        assert huge.status_code == 413
        assert client.get("/api/v1/products/CP-9999/privacy", headers=headers).status_code == 404


def test_the_pages_show_the_protocol_the_set_version_the_items_left_and_the_runs(platform, world):
    code = world["codes"]["lookup"]
    with TestClient(create_app(platform)) as client:
        offered = wire.Offer.model_validate(
            client.get(f"/api/v1/products/{code}/privacy", headers=world["bank"].headers).json()
        )
    bank, _ = page_client(platform, "bank.admin")
    page = bank.get(f"/products/{code}/privacy")
    assert page.status_code == 200 and _chinese(f"/products/{code}/privacy", page.text) == []
    assert offered.set_version[:12] in page.text and "pubdata-client lookup" in page.text
    assert "匿踪标签查询" in page.text and any(left in page.text for left in ("50,000", "50000"))
    english = bank.get(f"/products/{code}/privacy?lang=en")
    assert "The platform learns" in english.text and "Only how many items were asked" in english.text
    assert bank.get(f"/products/{code}/call", follow_redirects=False).headers["location"] == f"/products/{code}/privacy"
    product_page = bank.get(f"/products/{code}")
    assert product_page.status_code == 200, product_page.text[-2000:]
    assert f"/products/{code}/privacy" in product_page.text
    bank.get("/?lang=zh-CN")  # the switch is remembered: back to Chinese
    runs = bank.get("/privacy/runs")
    assert runs.status_code == 200 and "privacy-runs" in runs.text and _chinese("/privacy/runs", runs.text) == []
    _, answer = match(platform, world["codes"]["psi"], ENTERPRISES[:4])
    listed = bank.get("/privacy/runs")
    assert f'data-testid="run-{answer.run_id}"' in listed.text and answer.set_version[:12] in listed.text
    operator, _ = page_client(platform, "operator.admin")  # its products' runs
    assert f'data-testid="run-{answer.run_id}"' in operator.get("/privacy/runs").text
    other, _ = page_client(platform, "other.admin")  # another bank sees none of them
    assert f'data-testid="run-{answer.run_id}"' not in other.get("/privacy/runs").text
    bureau, _ = page_client(platform, "bureau.admin")
    every = bureau.get("/privacy/runs")
    assert every.status_code == 200, every.text[-1500:]
    seen = bureau.get(f"/products/{code}/privacy")
    assert seen.status_code == 200, seen.text[-3000:]
