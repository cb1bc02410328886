"""The quality and calendar pages over HTTP, as each side works them: a bank files from the resource's catalogue
page (a pasted ID number refused on the form, never shown back), the police answer late, the bank reopens and
then confirms; anyone checks a deadline on the calendar page; the bureau's admin uploads a year's table, and a
file with a bad line is refused whole with its line named."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pubdata.app import create_app
from tests.scenarios import at, make_account, page_client

ID_NUMBER = "340102199001011234"


def form(client: TestClient, url: str, csrf: str, **fields):
    return client.post(url, data={"csrf_token": csrf, **fields}, follow_redirects=False)


def test_a_ticket_goes_from_the_banks_form_through_a_late_answer_a_reopening_to_the_fix(platform, city):
    at("2026-09-30")
    make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=366)
    bank, bank_csrf = page_client(platform, "bank.admin")
    assert 'href="/quality/new?resource=CZ-RK-0001"' in bank.get("/catalog/CZ-RK-0001").text
    new = bank.get("/quality/new?resource=CZ-RK-0001")
    assert new.status_code == 200 and 'name="columns" value="2"' in new.text
    fields = {"resource": "CZ-RK-0001", "kind": "error", "rows": "3, 7-9", "columns": ["2", "3"]}
    pasted = form(bank, "/quality", bank_csrf, description=f"身份证 {ID_NUMBER} 的出生日期错误", **fields)
    assert pasted.status_code == 422 and 'data-rule="quality.personal"' in pasted.text
    assert ID_NUMBER not in pasted.text  # the typed description is not shown back when it holds one
    bad_rows = form(bank, "/quality", bank_csrf, description="出生日期错误", **{**fields, "rows": "9-3"})
    assert bad_rows.status_code == 422 and 'data-testid="error-rows"' in bad_rows.text
    filed = form(bank, "/quality", bank_csrf, description="第 3、7–9 行出生日期早于 1900 年。", **fields)
    assert filed.status_code == 303
    url = filed.headers["location"]
    page = bank.get(url).text
    assert 'data-testid="due">2026-10-13 当日结束前' in page and 'data-testid="withdraw-form"' in page
    police, police_csrf = page_client(platform, "police.admin")
    assert 'href="/quality?state=open"' in police.get("/").text  # the department's workbench to-do
    at("2026-10-14")  # a fortnight later: both sign in again
    police, police_csrf = page_client(platform, "police.admin")
    bank, bank_csrf = page_client(platform, "bank.admin")
    listed = police.get("/quality").text
    assert 'data-testid="overdue"' in listed and "逾期未答复 1 件" in listed
    assert form(police, f"{url}/do/answer", police_csrf, answer="已更正。").status_code == 303
    assert 'data-testid="late"' in bank.get(url).text
    assert form(bank, f"{url}/do/reopen", bank_csrf, reason="").status_code == 422
    assert form(bank, f"{url}/do/reopen", bank_csrf, reason="第 8 行仍未更正。").status_code == 303
    page = police.get(url).text
    assert 'data-testid="round-2"' in page and 'data-testid="answer-form"' in page
    assert form(police, f"{url}/do/answer", police_csrf, answer="第 8 行已更正。").status_code == 303
    assert form(bank, f"{url}/do/confirm", bank_csrf).status_code == 303
    assert 'data-testid="state">已关闭' in bank.get(url).text
    with TestClient(create_app(platform)) as public:
        assert public.get(url, follow_redirects=False).status_code in (303, 401)


def test_anyone_checks_a_deadline_and_the_bureau_uploads_the_years_table_refused_whole_when_bad(platform, city):
    at("2026-11-02")
    with TestClient(create_app(platform)) as public:
        checked = public.get("/calendar?year=2027&filed=2026-12-28&working_days=5").text
        assert 'data-testid="deadline-due">2027-01-05' in checked and 'data-testid="deadline-provisional"' in checked
        assert 'data-testid="source"' in checked and "暂定" in checked
        assert 'data-testid="load-form"' not in checked
        assert 'data-testid="day-2026-10-10"' in public.get("/calendar?year=2026").text
    bureau, csrf = page_client(platform, "bureau.admin")
    page = bureau.get("/calendar?year=2027").text
    assert 'data-testid="load-form"' in page
    bad = "日期,类型,名称\n2027-01-01,放假,元旦\n2027-01-01,放假,元旦\n"
    refused = bureau.post(
        "/calendar/2027/load",
        data={"csrf_token": csrf},
        files={"table": ("2027.csv", bad.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert refused.status_code == 422 and "第 3 行的日期 2027-01-01 重复" in refused.text
    good = "日期,类型,名称\n2027-01-01,放假,元旦\n2027-02-20,上班,春节\n"
    loaded = bureau.post(
        "/calendar/2027/load",
        data={"csrf_token": csrf},
        files={"table": ("2027.csv", good.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert loaded.status_code == 303, loaded.text
    page = bureau.get("/calendar?year=2027").text
    assert "市数据资源局录入的年度放假安排" in page and 'data-testid="day-2027-02-20"' in page
