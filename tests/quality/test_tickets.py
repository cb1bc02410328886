"""Quality tickets (三(三)3) over the API, on both databases: filed by a consumer, the operator or the bureau against
a registered resource's version, pointing at rows and columns by number; answered by the providing department
within 5 working days on China's calendar (late answers accepted and recorded late); confirmed, reopened (a new
deadline) or withdrawn by the filer; flagged overdue by the scheduler; provisional deadlines into 2027
recomputed when the bureau loads the 2027 table, and a bad table refused whole."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pubdata.app import create_app
from pubdata.calendar.models import CalendarTable
from pubdata.quality.models import QualityRound, QualityTicket
from tests.data import person_rows
from tests.scenarios import at, ledger_size, loaded_version, make_account, tick

TICKET = {
    "resource": "CZ-RK-0001",
    "kind": "error",
    "rows": "3, 7-9",
    "columns": [2],
    "description": "第 3 行及第 7 至 9 行的出生日期早于 1900 年，疑为录入错误。",
}
TABLE_2027 = "日期,类型,名称\n2027-01-01,放假,元旦\n2027-01-04,放假,元旦\n2027-02-05,放假,春节\n2027-02-20,上班,春节\n"


@pytest.fixture
def desk(platform, city):
    """A bank, a second department, and the API, on the city's registered resources."""
    bank = make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.clerk", role="member", days=366)
    tax = make_account(platform, kind="provider", name="池州市税务局", login="tax.admin", days=366)
    with TestClient(create_app(platform)) as client:
        yield {"client": client, "bank": bank, "tax": tax, **city}


def file(desk, account=None, **changes):
    body = {**TICKET, **changes}
    return desk["client"].post("/api/v1/quality/tickets", headers=(account or desk["bank"]).headers, json=body)


def act(desk, account, ticket_id, action, **body):
    return desk["client"].post(f"/api/v1/quality/tickets/{ticket_id}/{action}", headers=account.headers, json=body)


def counts(platform):
    with platform.read() as session:
        return (
            session.scalar(select(func.count()).select_from(QualityTicket)),
            session.scalar(select(func.count()).select_from(QualityRound)),
        )


def test_a_bank_files_across_national_day_and_the_department_answers_within_five_working_days(platform, desk):
    at("2026-09-30")  # 1–7 October off, Saturday 10 October works
    filed = file(desk)
    assert filed.status_code == 201, filed.text
    ticket = filed.json()
    assert ticket["state"] == "open" and ticket["due"] == "2026-10-13" and ticket["provisional"] is False
    assert ticket["rows"] == "3, 7-9" and ticket["columns"] == [2] and ticket["department"] == "池州市公安局"
    # The department sees it among its own; another department does not even learn it exists.
    police, tax = desk["police"], desk["tax"]
    listed = desk["client"].get("/api/v1/quality/tickets", headers=police.headers).json()
    assert [item["id"] for item in listed] == [ticket["id"]]
    hidden = desk["client"].get(f"/api/v1/quality/tickets/{ticket['id']}", headers=tax.headers)
    assert hidden.status_code == 404 and hidden.json()["rule"] == "quality.not-found"
    # The filer may not answer its own ticket; the department does, on the last day: on time.
    assert act(desk, desk["bank"], ticket["id"], "answer", answer="已改").status_code == 403
    at("2026-10-13")
    answered = act(desk, police, ticket["id"], "answer", answer="已核对原始登记并更正。")
    assert answered.status_code == 200, answered.text
    assert answered.json()["state"] == "answered" and answered.json()["rounds"][0]["late"] is False
    closed = act(desk, desk["bank"], ticket["id"], "confirm")
    assert closed.json()["state"] == "closed" and closed.json()["rounds"][0]["outcome"] == "confirmed"


def test_an_answer_after_the_deadline_is_accepted_and_recorded_late_and_the_scheduler_flags_it_once(platform, desk):
    at("2026-02-13")  # Spring Festival: due Friday 27 February
    ticket = file(desk).json()
    assert ticket["due"] == "2026-02-27"
    at("2026-02-27")
    assert tick(platform) == []  # the last day itself is not overdue
    at("2026-02-28")
    flagged = tick(platform)
    assert flagged == [f"quality ticket {ticket['id']} overdue (due 2026-02-27)"]
    assert tick(platform) == []  # once
    shown = desk["client"].get(f"/api/v1/quality/tickets/{ticket['id']}", headers=desk["bureau"].headers).json()
    assert shown["overdue"] is True and shown["rounds"][0]["overdue_flagged_at"] is not None
    overdue = desk["client"].get("/api/v1/quality/tickets?overdue=true", headers=desk["bureau"].headers).json()
    assert [item["id"] for item in overdue] == [ticket["id"]]
    at("2026-03-02")
    late = act(desk, desk["police"], ticket["id"], "answer", answer="数据已更正。")
    assert late.status_code == 200 and late.json()["rounds"][0]["late"] is True
    assert late.json()["overdue"] is False


def test_a_reopened_ticket_gets_a_new_deadline_from_the_reopening_day_and_can_attach_a_new_version(platform, desk):
    at("2026-11-02")
    ticket = file(desk).json()
    police = desk["police"]
    at("2026-11-03")
    act(desk, police, ticket["id"], "answer", answer="已核对，数据无误。")
    at("2026-11-06")  # a Friday
    reopened = act(desk, desk["bank"], ticket["id"], "reopen", reason="第 8 行仍有问题。")
    assert reopened.status_code == 200, reopened.text
    body = reopened.json()
    assert body["state"] == "open" and [r["outcome"] for r in body["rounds"]] == ["reopened", None]
    assert body["rounds"][1]["opened_on"] == "2026-11-06" and body["due"] == "2026-11-13"
    # The department loads a corrected version and answers with it; an earlier or unknown version is refused.
    loaded_version(platform, "CZ-RK-0001", person_rows(20, seed=8))
    for wrong in (1, 9):
        refused = act(desk, police, ticket["id"], "answer", answer="已更正。", fixed_version=wrong)
        assert refused.status_code == 422 and refused.json()["rule"] == "quality.fixed-version"
    fixed = act(desk, police, ticket["id"], "answer", answer="已更正并导入新版本。", fixed_version=2)
    assert fixed.status_code == 200 and fixed.json()["rounds"][1]["fixed_version_id"] is not None


def test_the_filer_withdraws_an_unanswered_ticket_and_nothing_moves_outside_its_lifecycle(platform, desk):
    at("2026-11-02")
    ticket = file(desk, desk["operator"], kind="staleness", rows="", columns=[]).json()
    assert ticket["rows"] == "" and ticket["columns"] == []
    assert act(desk, desk["operator"], ticket["id"], "confirm").json()["rule"] == "quality.transition"
    withdrawn = act(desk, desk["operator"], ticket["id"], "withdraw")
    assert withdrawn.json()["state"] == "closed" and withdrawn.json()["rounds"][0]["outcome"] == "withdrawn"
    late = act(desk, desk["police"], ticket["id"], "answer", answer="已处理。")
    assert late.status_code == 409 and late.json()["rule"] == "quality.transition"


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"description": "张三的身份证号 340102199001011234 有误"}, "quality.personal"),
        ({"description": "联系人手机 138 1234 5678 错误"}, "quality.personal"),
        ({"description": "编码后 MzQwMTAyMTk5MDAxMDExMjM0 也不行"}, "quality.personal"),
        ({"rows": "0"}, "quality.where"),
        ({"rows": "9-3"}, "quality.where"),
        ({"rows": "第三行"}, "quality.where"),
        ({"columns": [99]}, "quality.where"),
        ({"columns": [2, 2]}, "quality.where"),
        ({"version": 7}, "quality.version"),
        ({"kind": "typo"}, "quality.kind"),
        ({"resource": "CZ-XX-9999"}, "catalog.unknown-code"),
    ],
)
def test_a_bad_ticket_is_refused_with_its_rule_and_nothing_is_written(platform, desk, changes, rule):
    at("2026-11-02")
    before = ledger_size(platform), counts(platform)
    refused = file(desk, **changes)
    assert refused.status_code in (404, 422) and refused.json()["rule"] == rule, refused.text
    assert "340102199001011234" not in refused.text and "13812345678" not in refused.text
    assert (ledger_size(platform), counts(platform)) == before


def test_who_may_file_a_department_and_the_public_may_not(platform, desk):
    at("2026-11-02")
    for account in (desk["bank"], desk["operator"], desk["partner"], desk["bureau"]):
        assert file(desk, account).status_code == 201
    assert file(desk, desk["police"]).status_code == 403
    assert desk["client"].post("/api/v1/quality/tickets", json=TICKET).status_code == 401
    # The bureau sees all five; the partner only its own.
    assert len(desk["client"].get("/api/v1/quality/tickets", headers=desk["bureau"].headers).json()) == 4
    assert len(desk["client"].get("/api/v1/quality/tickets", headers=desk["partner"].headers).json()) == 1


def test_a_deadline_into_2027_is_provisional_until_the_bureau_loads_the_2027_table(platform, desk):
    at("2026-12-28")  # the city's tokens of December 2025 have expired: the bureau and the police sign in again
    client = desk["client"]
    bureau = make_account(platform, kind="bureau", name="池州市数据资源局", login="bureau.admin2", days=60)
    police = make_account(platform, kind="provider", name="池州市公安局", login="police.admin2", days=60)
    ticket = file(desk).json()
    assert ticket["due"] == "2027-01-05" and ticket["provisional"] is True
    checked = client.get("/api/v1/calendar/deadline", params={"filed": "2026-12-28", "working_days": 5})
    assert checked.json() == {"filed": "2026-12-28", "working_days": 5, "due": "2027-01-05", "provisional": True}
    # A table with one bad line is refused whole: no table, the ticket unchanged, nothing in the ledger.
    before = ledger_size(platform)
    bad = client.put(
        "/api/v1/calendar/years/2027", headers=bureau.headers, json={"table": TABLE_2027 + "2027-02-30,放假,春节\n"}
    )
    assert bad.status_code == 422 and bad.json()["rule"] == "calendar.bad-table"
    assert "第 6 行" in bad.json()["detail"]
    assert ledger_size(platform) == before
    with platform.read() as session:
        assert session.scalar(select(func.count()).select_from(CalendarTable)) == 0
    # Only the bureau's admin loads a table.
    assert (
        client.put("/api/v1/calendar/years/2027", headers=police.headers, json={"table": TABLE_2027}).status_code == 403
    )
    loaded = client.put("/api/v1/calendar/years/2027", headers=bureau.headers, json={"table": TABLE_2027})
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["version"] == 1 and loaded.json()["recomputed"] == 1
    # 29, 30, 31 December; 1 and 4 January off: Tue 5, Wed 6.
    shown = client.get(f"/api/v1/quality/tickets/{ticket['id']}", headers=bureau.headers).json()
    assert shown["due"] == "2027-01-06" and shown["provisional"] is False
    checked = client.get("/api/v1/calendar/deadline", params={"filed": "2026-12-28"}).json()
    assert checked == {"filed": "2026-12-28", "working_days": 5, "due": "2027-01-06", "provisional": False}
    year = client.get("/api/v1/calendar/years/2027").json()
    assert year["source"] == "table" and {d["day"] for d in year["days"]} == {
        "2027-01-01",
        "2027-01-04",
        "2027-02-05",
        "2027-02-20",
    }


@pytest.mark.parametrize(
    ("params", "rule"),
    [
        ({"filed": "1999-12-31"}, "calendar.year-range"),
        ({"filed": "2026-02-30"}, None),
        ({"filed": "2026-01-05", "working_days": 0}, None),
    ],
)
def test_the_public_deadline_check_refuses_what_it_cannot_answer(platform, desk, params, rule):
    answered = desk["client"].get("/api/v1/calendar/deadline", params=params)
    assert answered.status_code == 422
    if rule:
        assert answered.json()["rule"] == rule
