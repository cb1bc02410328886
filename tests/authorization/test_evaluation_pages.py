"""Evaluations through the agreement page, on both databases: the result agrees with the scores by the stated
rule or carries the evaluator's reason, and every evaluation is shown again in full."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.config import Settings
from pubdata.platform import open_platform
from tests.scenarios import DIMENSIONS, at, log_in_page, signed_agreement


def logged_in(app, login: str) -> TestClient:
    client = TestClient(app)
    log_in_page(client, login)
    return client


def evaluation_form(client: TestClient, score: int, result: str, **extra) -> dict:
    form = {"csrf_token": client.cookies["pubdata_csrf"], "period": "2026年度", "result": result, **extra}
    for dimension in DIMENSIONS:
        form[f"score_{dimension}"] = str(score)
        form[f"evidence_{dimension}"] = f"{dimension}评估报告第3页"
    return form


@pytest.fixture
def agreement(platform, city):
    return signed_agreement(platform)


def test_a_pass_with_ten_everywhere_and_no_reason_is_refused_naming_the_rule(platform, city, agreement):
    at("2026-06-01")
    bureau = logged_in(create_app(platform), "bureau.admin")
    path = f"/agreements/{agreement.id}"
    page = bureau.get(path).text
    assert "通过须各维度均不低于 60 分且平均分不低于 70 分" in page

    refused = bureau.post(f"{path}/do/evaluate", data=evaluation_form(bureau, 10, "pass"))
    assert refused.status_code == 422
    assert (
        "评价结果“通过”与评分不符：按评价规则（通过须各维度均不低于 60 分且平均分不低于 70 分；平均分低于 50 分为"
        "未通过；其余为限期整改），本次评分（平均 10.0 分）应为“未通过”。" in refused.text
    )
    assert 'value="security评估报告第3页"' in refused.text  # what was typed comes back
    beside = refused.text.split('data-testid="error-override_reason">')[1].split("</span>")[0]
    assert "请改正评价结果，或写明改判理由。" in beside  # the refusal stands beside the reason it asks for
    api = f"/api/v1/agreements/{agreement.id}/evaluations"
    assert bureau.get(api, headers=city["bureau"].headers).json() == []

    reason = "评分表录入有误，复核报告附后，实际各项均达标。"
    done = bureau.post(
        f"{path}/do/evaluate", data=evaluation_form(bureau, 10, "pass", override_reason=reason), follow_redirects=False
    )
    assert done.status_code == 303
    page = bureau.get(path).text
    assert "已记录评价。" in page  # the notice the action left
    assert reason in page and "按规则应为：未通过" in page and "security评估报告第3页" in page
    kept = bureau.get(api, headers=city["bureau"].headers).json()
    assert [(e["result"], e["override_reason"], e["scores"]["security"]["score"]) for e in kept] == [
        ("pass", reason, 10)
    ]


def test_scores_evidence_and_the_rectification_are_shown_again(platform, agreement):
    at("2026-06-01")
    app = create_app(platform)
    bureau = logged_in(app, "bureau.admin")
    path = f"/agreements/{agreement.id}"
    assert bureau.post(f"{path}/do/evaluate", data=evaluation_form(bureau, 55, "rectify")).status_code == 200
    operator = logged_in(app, "operator.admin")
    plan, report = "一、补齐访问日志审计；二、每季度开展应急演练。", "已完成日志审计改造并于5月开展演练。"
    form = {"csrf_token": operator.cookies["pubdata_csrf"], "plan": plan, "report": report}
    assert operator.post(f"{path}/do/rectify", data=form, follow_redirects=False).status_code == 303
    page = bureau.get(path).text
    assert plan in page and report in page and "限期整改" in page
    assert page.count("评估报告第3页") == len(DIMENSIONS)
    assert 'data-testid="mean">55.0<' in page


def test_the_rule_follows_the_citys_settings(settings, city):
    stricter = Settings(**{**settings.model_dump(), "evaluation_pass_each": 90, "evaluation_pass_mean": 95})
    platform = open_platform(stricter)
    try:
        agreement = signed_agreement(platform)
        at("2026-06-01")
        bureau = logged_in(create_app(platform), "bureau.admin")
        refused = bureau.post(f"/agreements/{agreement.id}/do/evaluate", data=evaluation_form(bureau, 85, "pass"))
        assert refused.status_code == 422 and "通过须各维度均不低于 90 分且平均分不低于 95 分" in refused.text
    finally:
        platform.close()


def test_ending_an_authorization_asks_for_a_confirmation_and_the_violation(platform, city, agreement):
    at("2026-06-01")
    bureau = logged_in(create_app(platform), "bureau.admin")
    path = f"/agreements/{agreement.id}"
    assert 'data-testid="terminate"' in bureau.get(path).text
    form = {"csrf_token": bureau.cookies["pubdata_csrf"], "reason": "超授权范围使用公共数据资源"}
    refused = bureau.post(f"{path}/do/terminate", data=form)
    assert refused.status_code == 422
    assert bureau.get(f"/api/v1/agreements/{agreement.id}", headers=city["bureau"].headers).json()["state"] == "active"
    done = bureau.post(f"{path}/do/terminate", data={**form, "confirm": "yes"})
    assert done.status_code == 200 and "操作已完成" in done.text
    assert bureau.get(f"/api/v1/agreements/{agreement.id}", headers=city["bureau"].headers).json()["state"] == "exited"
