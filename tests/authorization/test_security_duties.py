"""Security duties (三(七)) over the API, on both databases: the bureau sets how often drills and risk assessments
are due; the operator records one with its evidence (attachments' SM3 digests), findings and a rectification due
by a day, and records the rectification done; what is past its cycle or its day is flagged overdue, on the
pages and workbenches of the operator, the bureau and the security office."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.common.digest import sm3
from tests.scenarios import at, ledger_size, signed_agreement

DIGEST = sm3(b"drill report")


@pytest.fixture
def office(platform, city):
    agreement = signed_agreement(platform)  # signed on 5 January 2026
    with TestClient(create_app(platform)) as client:
        yield {"client": client, "agreement": agreement, **city}


def duties(office, account):
    found = office["client"].get("/api/v1/security-duties", headers=account.headers).json()
    return {item["kind"]: item for item in found}


def record(office, **changes):
    body = {"kind": "drill", "performed_on": "2026-07-06", "summary": "数据泄露应急演练", **changes}
    url = f"/api/v1/agreements/{office['agreement'].id}/security-activities"
    return office["client"].post(url, headers=office["operator"].headers, json=body)


def test_a_drill_past_the_bureaus_cycle_is_overdue_until_one_is_recorded(platform, office):
    client, bureau = office["client"], office["bureau"]
    at("2026-07-06")
    assert duties(office, bureau)["drill"]["due"] is None  # no cycle set: nothing is due yet
    refused = client.put(
        "/api/v1/security-cycles", headers=office["operator"].headers, json={"kind": "drill", "months": 6}
    )
    assert refused.status_code == 403
    assert (
        client.put("/api/v1/security-cycles", headers=bureau.headers, json={"kind": "drill", "months": 0}).status_code
        == 422
    )
    for kind, months in (("drill", 6), ("risk_assessment", 12)):
        set_ = client.put("/api/v1/security-cycles", headers=bureau.headers, json={"kind": kind, "months": months})
        assert set_.status_code == 201 and set_.json()["version"] == 1
    found = duties(office, bureau)
    assert found["drill"] == {**found["drill"], "due": "2026-07-05", "overdue": True, "last": None}
    assert found["risk_assessment"]["due"] == "2027-01-05" and not found["risk_assessment"]["overdue"]
    assert duties(office, office["security"])["drill"]["overdue"] is True  # the security office sees it too
    recorded = record(office, evidence=[{"name": "演练报告.pdf", "sm3": DIGEST}])
    assert recorded.status_code == 201, recorded.text
    found = duties(office, office["operator"])
    assert found["drill"]["last"] == "2026-07-06" and found["drill"]["due"] == "2027-01-06"
    assert found["drill"]["overdue"] is False


def test_a_rectification_is_due_by_its_day_and_recorded_done(platform, office):
    at("2026-07-06")
    recorded = record(office, findings="备份恢复超时", rectification="优化备份恢复流程", rectification_due="2026-07-31")
    assert recorded.status_code == 201, recorded.text
    activity = recorded.json()["id"]
    at("2026-08-03")
    client, operator = office["client"], office["operator"]
    page = client.get(f"/agreements/{office['agreement'].id}")
    assert page.status_code in (200, 303, 401)
    done = client.post(
        f"/api/v1/security-activities/{activity}/rectified", headers=operator.headers, json={"note": "已完成"}
    )
    assert done.status_code == 200 and done.json()["rectified_on"] == "2026-08-03"
    again = client.post(
        f"/api/v1/security-activities/{activity}/rectified", headers=operator.headers, json={"note": "再次"}
    )
    assert again.status_code == 409 and again.json()["rule"] == "security.nothing-to-rectify"


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"evidence": [{"name": "报告.pdf", "sm3": "ab" * 31 + "zz"}]}, None),  # not a digest: the schema
        ({"findings": "联系人 13812345678 未接听"}, "security.personal"),
        ({"rectification": "更换密钥"}, "security.rectification-due"),
        ({"rectification_due": "2026-07-31"}, "security.rectification-due"),
        ({"rectification": "更换密钥", "rectification_due": "2026-07-01"}, "security.rectification-due"),
        ({"performed_on": "2026-07-07"}, "authorization.activity"),
    ],
)
def test_a_bad_security_record_is_refused_with_its_rule_and_nothing_is_written(platform, office, changes, rule):
    at("2026-07-06")
    before = ledger_size(platform)
    refused = record(office, **changes)
    assert refused.status_code == 422, refused.text
    if rule:
        assert refused.json()["rule"] == rule
    assert "13812345678" not in refused.text
    assert ledger_size(platform) == before
