"""A department's load from its page: all or nothing by default, or the good rows kept with a report of the bad
ones (rows and rules, never values), shown on a page of its own so that a refresh loads nothing again."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.catalog import service as catalog
from pubdata.catalog.models import LoadReport
from pubdata.catalog.schemas import ResourceIn
from pubdata.ledger import service as ledger
from tests.data import bad_check, csv_text, person_rows, resource_body
from tests.scenarios import PASSWORD, ledger_size, make_account, principal, read, run


@pytest.fixture
def setting(platform):
    account = make_account(platform, kind="provider", name="池州市公安局", login="police.admin", days=366)
    resource = run(
        platform,
        catalog.describe,
        principal=principal(platform, "police.admin"),
        body=ResourceIn.model_validate(resource_body()),
    )
    with TestClient(create_app(platform)) as client:
        client.get("/login")
        answer = client.post(
            "/login",
            data={"login": "police.admin", "password": PASSWORD, "csrf_token": client.cookies["pubdata_csrf"]},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        yield client, account, resource.id


def bad_file() -> tuple[list[dict[str, str]], bytes]:
    """60 people; row 5 has a wrong ID check character, row 9 a household size that is no number."""
    rows = person_rows(60, seed=5)
    rows[4]["id_number"] = bad_check(rows[4]["id_number"])
    rows[8]["household_size"] = "三口"
    return rows, csv_text(rows).encode()


def load(client: TestClient, resource_id: int, content: bytes, **fields: str):
    return client.post(
        f"/catalog/resources/{resource_id}/load",
        data={"csrf_token": client.cookies["pubdata_csrf"], **fields},
        files={"file": ("people.csv", content)},
        follow_redirects=False,
    )


def versions(platform, resource_id: int) -> list:
    return read(platform, catalog.versions, principal=principal(platform, "police.admin"), resource_id=resource_id)


def test_by_default_one_bad_row_refuses_the_file_and_the_result_is_a_page(platform, setting):
    client, _, resource_id = setting
    rows, content = bad_file()
    posted = load(client, resource_id, content)
    assert posted.status_code == 303
    location = posted.headers["location"]
    assert location.startswith(f"/resources/{resource_id}/loads/")
    page = client.get(location)
    assert page.status_code == 200 and 'data-testid="load-refused"' in page.text
    assert "未加载任何数据：发现 2 个问题" in page.text
    assert "不是有效的 18 位公民身份号码" in page.text and "不是整数" in page.text
    assert rows[4]["id_number"] not in page.text and "三口" not in page.text
    assert versions(platform, resource_id) == []


def test_keeping_the_good_rows_loads_them_and_reports_the_bad_ones_without_values(platform, setting):
    client, _, resource_id = setting
    rows, content = bad_file()
    before = ledger_size(platform)
    posted = load(client, resource_id, content, keep_good_rows="1")
    assert posted.status_code == 303
    page = client.get(posted.headers["location"])
    assert "加载成功：第 1 版，保留 58 行，未通过校验的 2 行未加载。" in page.text
    problems = page.text[page.text.index('data-testid="load-problems"') :]
    assert 'data-rule="catalog.check.resident_id"' in problems and 'data-rule="catalog.check.integer"' in problems
    assert "<td>5</td><td><code>id_number</code></td>" in problems
    assert "<td>9</td><td><code>household_size</code></td>" in problems
    assert rows[4]["id_number"] not in page.text and "三口" not in page.text
    (version,) = versions(platform, resource_id)
    assert version.row_count == 58

    report = client.get(posted.headers["location"] + "/problems.csv")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "row,column,rule",
        "5,id_number,catalog.check.resident_id",
        "9,household_size,catalog.check.integer",
    ]
    assert rows[4]["id_number"] not in report.text and "三口" not in report.text

    # The ledger keeps the counts: the version's entry and the report's, no row number, no value.
    entries = read(platform, ledger.latest_entries, limit=ledger_size(platform) - before)
    payloads = {entry.action: ledger.payload_of(entry) for entry in entries}
    assert payloads["catalog.version.load"]["rows"] == 58 and payloads["catalog.version.load"]["rows_rejected"] == 2
    assert payloads["catalog.load.report"] == {
        "resource": "CZ-RK-0001",
        "loaded": True,
        "rows_read": 60,
        "rows_kept": 58,
        "rows_rejected": 2,
        "problems": 2,
    }
    versions_page = client.get(f"/resources/{resource_id}").text
    assert f'<a href="{posted.headers["location"]}">2</a>' in versions_page  # the rows left out, linked


def test_refreshing_the_result_page_loads_nothing_again(platform, setting):
    client, _, resource_id = setting
    posted = load(client, resource_id, csv_text(person_rows(20)).encode())
    location = posted.headers["location"]
    first = client.get(location)
    assert "加载成功：第 1 版，20 行。" in first.text
    size = ledger_size(platform)
    again = client.get(location)
    assert again.status_code == 200 and "加载成功：第 1 版，20 行。" in again.text
    assert ledger_size(platform) == size and len(versions(platform, resource_id)) == 1


def test_a_file_with_no_good_row_is_refused_even_when_keeping_good_rows(platform, setting):
    client, _, resource_id = setting
    rows = person_rows(3)
    for row in rows:
        row["household_size"] = "多"
    page = client.get(load(client, resource_id, csv_text(rows).encode(), keep_good_rows="1").headers["location"])
    assert 'data-testid="load-refused"' in page.text and "没有一行通过校验" in page.text
    assert versions(platform, resource_id) == []


def test_a_report_of_another_resource_or_department_is_not_found(platform, setting):
    client, _, resource_id = setting
    location = load(client, resource_id, csv_text(person_rows(20)).encode()).headers["location"]
    other = run(
        platform,
        catalog.describe,
        principal=principal(platform, "police.admin"),
        body=ResourceIn.model_validate(resource_body(code="CZ-RK-0002")),
    )
    report_id = location.rsplit("/", 1)[1]
    assert client.get(f"/resources/{other.id}/loads/{report_id}").status_code == 404
    make_account(platform, kind="provider", name="池州市民政局", login="civil.admin")
    with TestClient(create_app(platform)) as stranger:
        stranger.get("/login")
        stranger.post(
            "/login",
            data={"login": "civil.admin", "password": PASSWORD, "csrf_token": stranger.cookies["pubdata_csrf"]},
        )
        assert stranger.get(location).status_code == 404
        assert stranger.get(location + "/problems.csv").status_code == 404


def test_the_api_keeps_good_rows_when_asked_and_refuses_the_file_by_default(platform, setting):
    client, account, resource_id = setting
    rows, content = bad_file()
    url = f"/api/v1/resources/{resource_id}/versions"
    refused = client.post(url, headers=account.headers, files={"file": ("people.csv", content)})
    assert refused.status_code == 422 and refused.json()["rule"] == "catalog.load-refused"
    kept = client.post(
        url, headers=account.headers, data={"keep_good_rows": "true"}, files={"file": ("people.csv", content)}
    )
    assert kept.status_code == 201, kept.text
    body = kept.json()
    assert (body["rows_read"], body["row_count"], body["rows_rejected"]) == (60, 58, 2)
    assert [(p["row"], p["column"], p["rule"]) for p in body["rejected"]] == [
        (5, "id_number", "catalog.check.resident_id"),
        (9, "household_size", "catalog.check.integer"),
    ]
    assert rows[4]["id_number"] not in kept.text and "三口" not in kept.text
    report = client.get(body["report_csv"], headers=account.headers)
    assert report.status_code == 200 and report.content.decode("utf-8-sig").splitlines()[1:] == [
        "5,id_number,catalog.check.resident_id",
        "9,household_size,catalog.check.integer",
    ]


def test_a_file_without_its_header_line_keeps_none_of_its_first_row_in_the_report(platform, setting):
    """Without a header line the file's first row is read as column names, every one unknown: the kept report
    names declared fields only, so none of that row's values stays in the control plane."""
    client, _, resource_id = setting
    rows = person_rows(12, seed=9)
    content = "\n".join(",".join(row.values()) for row in rows).encode() + b"\n"
    posted = load(client, resource_id, content)
    assert posted.status_code == 303
    page = client.get(posted.headers["location"])
    problems = client.get(posted.headers["location"] + "/problems.csv")
    with platform.read() as session:
        kept = session.get(LoadReport, int(posted.headers["location"].rsplit("/", 1)[1])).problems
    for value in rows[0].values():
        if len(value) > 1:
            assert value not in page.text and value not in problems.text and value not in kept, value
