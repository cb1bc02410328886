"""A department describes a resource on its pages: from a sample file, in one form, told why its grade rose."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from tests.data import person_rows
from tests.forms import field_rows, form_pairs, replace, set_row
from tests.scenarios import PASSWORD, make_account

FORM = {"content-type": "application/x-www-form-urlencoded"}
# Seven columns: a resident ID, a name, a mobile, a date, a district, a whole number and a decimal.
CHINESE_HEADER = ["公民身份号码", "姓名", "手机号码", "出生日期", "所属区县", "家庭人口数", "月收入"]
ENGLISH_HEADER = ["id_number", "full_name", "phone", "birth_date", "district", "household_size", "income"]
EXPECTED = [
    ("string", "resident_id", "sensitive", "identity_document", "id_number"),
    ("string", "person_name", "personal", "", "name"),
    ("string", "mobile", "personal", "", "mobile"),
    ("date", "", "personal", "", "partial"),
    ("string", "", "none", "", "none"),
    ("integer", "", "none", "", "none"),
    ("decimal", "", "none", "", "none"),
]


def sample_rows(n: int = 30) -> list[list[str]]:
    return [
        [r["id_number"], r["full_name"], r["phone"], r["birth_date"], r["district"], r["household_size"], f"{i}.5"]
        for i, r in enumerate(person_rows(n, seed=11))
    ]


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str) -> bytes:
    return "\n".join(",".join(line) for line in [header, *rows]).encode(encoding) + b"\n"


def xlsx_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    # As a spreadsheet holds them: a date cell, whole numbers and decimals as numbers.
    kinds = {3: date.fromisoformat, 5: int, 6: float}
    for row in rows:
        sheet.append([kinds.get(i, str)(value) for i, value in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sample_values(rows: list[list[str]]) -> set[str]:
    """Every personal value of the sample: none may come back in a page."""
    return {value for row in rows for value in row[:4]}


@pytest.fixture
def pages(platform):
    make_account(platform, kind="provider", name="池州市民政局", login="civil.admin", days=366)
    with TestClient(create_app(platform)) as client:
        client.get("/login")
        csrf = client.cookies["pubdata_csrf"]
        answer = client.post(
            "/login", data={"login": "civil.admin", "password": PASSWORD, "csrf_token": csrf}, follow_redirects=False
        )
        assert answer.status_code == 303
        yield client


def csrf(client: TestClient) -> str:
    return client.cookies["pubdata_csrf"]


def read_sample(client: TestClient, name: str, content: bytes, action: str = "/resources/new") -> str:
    client.get(action)
    page = client.post(f"{action}/sample", data={"csrf_token": csrf(client)}, files={"file": (name, content)})
    assert page.status_code == 200, page.text
    return page.text


def save(client: TestClient, html: str, action: str = "/resources/new", **typed: str):
    pairs = replace(form_pairs(html, "resource-form"), **typed)
    return client.post(action, content=urlencode(pairs), headers=FORM, follow_redirects=False)


@pytest.mark.parametrize(
    ("name", "header", "make"),
    [
        ("people.csv", CHINESE_HEADER, lambda h, rows: csv_bytes(h, rows, "gb18030")),
        ("people.csv", ENGLISH_HEADER, lambda h, rows: csv_bytes(h, rows, "utf-8")),
        ("people.xlsx", CHINESE_HEADER, xlsx_bytes),
    ],
    ids=["csv-gb18030", "csv-utf8", "xlsx"],
)
def test_a_seven_field_resource_is_described_from_its_sample_in_one_submission(pages, name, header, make):
    rows = sample_rows()
    html = read_sample(pages, name, make(header, rows))
    assert "已从样例识别出 7 个字段" in html
    suggested = [row for row in field_rows(html) if row["name"]]
    assert len(suggested) == 7
    assert [(r["type"], r["format"], r["sensitivity"], r["pipl_category"], r["masking"]) for r in suggested] == EXPECTED
    assert [r["label"] for r in suggested] == header
    assert suggested[0]["name"] == "id_number" and all(r["required"] for r in suggested)
    assert "敏感个人信息" in html and "身份证件号码" in html and "依据数据格式" in html
    assert not any(value in html for value in sample_values(rows))

    saved = save(pages, html, code="CZ-MZ-0001", name="低保家庭信息")
    assert saved.status_code == 303, saved.text
    resource = pages.get(saved.headers["location"])
    assert resource.status_code == 200 and resource.text.count("<tr>") >= 7
    assert all(label in resource.text for label in header)
    assert not any(value in resource.text for value in sample_values(rows))


def test_the_form_has_as_many_rows_as_asked_and_adds_one_without_a_script(pages):
    assert len(field_rows(pages.get("/resources/new?rows=12").text)) == 12
    html = pages.get("/resources/new").text
    assert len(field_rows(html)) == 3
    pairs = replace(form_pairs(html, "resource-form"), code="CZ-MZ-0002", name="养老机构")
    pairs = set_row(pairs, 0, name="beds", label="床位数", type="integer")
    more = pages.post("/resources/new", content=urlencode([*pairs, ("add_field", "1")]), headers=FORM)
    assert more.status_code == 200
    rows = field_rows(more.text)
    assert len(rows) == 5 and rows[0]["name"] == "beds"  # the typed row kept, three blank and one more
    assert 'value="CZ-MZ-0002"' in more.text


def test_a_refused_form_keeps_what_was_typed_and_marks_the_row(pages):
    html = read_sample(pages, "people.csv", csv_bytes(CHINESE_HEADER, sample_rows(), "utf-8"))
    pairs = replace(form_pairs(html, "resource-form"), code="CZ-MZ-0003", name="救助对象")
    # The department clears the ID column's PIPL category: sensitive information needs one.
    cleared = set_row(pairs, 0, pipl_category="")
    refused = pages.post("/resources/new", content=urlencode(cleared), headers=FORM)
    assert refused.status_code == 422
    assert 'value="CZ-MZ-0003"' in refused.text and 'value="救助对象"' in refused.text
    rows = [row for row in field_rows(refused.text) if row["name"]]
    assert len(rows) == 7 and rows[0]["pipl_category"] == "" and rows[1]["format"] == "person_name"
    assert refused.text.count('data-testid="row-problem"') == 1


def test_a_sample_that_is_not_a_table_is_refused_in_words(pages):
    pages.get("/resources/new")
    page = pages.post(
        "/resources/new/sample", data={"csrf_token": csrf(pages)}, files={"file": ("x.csv", b"a,a\n1,2\n")}
    )
    assert page.status_code == 422 and "列名 a 出现了两次" in page.text
    page = pages.post("/resources/new/sample", data={"csrf_token": csrf(pages)}, files={"file": ("x.pdf", b"%PDF")})
    assert page.status_code == 422 and "样例文件须为 CSV" in page.text
    rows = sample_rows()
    headerless = pages.post(
        "/resources/new/sample",
        data={"csrf_token": csrf(pages)},
        files={"file": ("x.csv", csv_bytes(rows[0], rows[1:], "utf-8"))},
    )
    assert headerless.status_code == 422 and "第一行是数据而不是列名" in headerless.text
    assert not any(value in headerless.text for value in sample_values(rows))
    forged = pages.post("/resources/new/sample", data={"csrf_token": "forged"}, files={"file": ("x.csv", b"a\n1\n")})
    assert forged.status_code == 403


def test_the_page_says_which_field_raised_the_grade_and_why(pages):
    html = read_sample(pages, "people.csv", csv_bytes(CHINESE_HEADER, sample_rows(), "utf-8"))
    assert 'data-testid="grade-raised"' in html  # already on the form, before saving
    saved = save(pages, html, code="CZ-MZ-0004", name="困难群众")
    page = pages.get(saved.headers["location"]).text
    assert "已保存数据资源描述。部分字段的个人信息属性提高了资源分级" in page  # the notice, once
    assert "部分字段的个人信息属性提高了资源分级" not in pages.get(saved.headers["location"]).text
    assert "申报分级为「一般数据（2级）」" in page and "资源分级为「一般数据（4级）」" in page
    sensitive = "字段「公民身份号码」为敏感个人信息 · 身份证件号码，要求资源至少为「一般数据（4级）」"
    assert f"<code>id_number</code> {sensitive}" in page
    assert "<code>full_name</code> 字段「姓名」为个人信息，要求资源至少为「一般数据（3级）」" in page
    assert 'data-field="district"' not in page  # a field that raises nothing is not named
    english = pages.get(saved.headers["location"] + "?lang=en").text
    assert "<code>id_number</code> the field “公民身份号码” is Sensitive personal information" in english


def test_editing_from_a_sample_keeps_what_was_described(pages):
    html = read_sample(pages, "people.csv", csv_bytes(CHINESE_HEADER[:3], [r[:3] for r in sample_rows()], "utf-8"))
    pairs = replace(form_pairs(html, "resource-form"), code="CZ-MZ-0005", name="低保")
    pairs = set_row(pairs, 0, name="applicant_id", description="申请人的身份证号")
    saved = pages.post("/resources/new", content=urlencode(pairs), headers=FORM, follow_redirects=False)
    location = saved.headers["location"]
    html = read_sample(pages, "people.csv", csv_bytes(CHINESE_HEADER, sample_rows(), "utf-8"), f"{location}/edit")
    rows = [row for row in field_rows(html) if row["name"]]
    assert [row["label"] for row in rows] == CHINESE_HEADER
    assert rows[0]["name"] == "applicant_id" and "申请人的身份证号" in html  # described before: kept
    assert rows[3]["type"] == "date"  # a new column: suggested
    assert 'value="CZ-MZ-0005"' in html and 'value="低保"' in html


def test_a_code_already_taken_is_refused_beside_the_code_with_everything_typed_kept(pages):
    html = read_sample(pages, "people.csv", csv_bytes(CHINESE_HEADER, sample_rows(), "utf-8"))
    assert save(pages, html, code="CZ-MZ-0006", name="第一份").status_code == 303
    again = save(pages, html, code="CZ-MZ-0006", name="第二份")
    assert again.status_code == 409 and "目录中已有资源 CZ-MZ-0006" in again.text
    assert 'data-testid="field-error" data-field="code"' in again.text
    assert 'value="第二份"' in again.text and len([row for row in field_rows(again.text) if row["name"]]) == 7


@pytest.mark.parametrize(
    "first_line",
    [
        ["张伟", "男", "贵池区", "1985-03-02"],  # a name, a sex, a place, a date: none looks like an ID
        ["王秀英", "女", "东至县", "退休"],
        ["李娜", "42", "石台县", "青阳县"],
    ],
)
def test_a_headerless_sample_of_names_and_dates_is_refused_and_no_value_comes_back(pages, first_line):
    rows = [first_line, ["刘洋", "男", "青阳县", "1990-07-15"], ["陈静", "女", "贵池区", "1979-11-30"]]
    rows += [["黄磊", "男", "东至县", "1968-01-09"], ["赵敏", "女", "石台县", "2001-05-21"]]
    answer = pages.post(
        "/resources/new/sample",
        data={"csrf_token": csrf(pages)},
        files={"file": ("x.csv", csv_bytes(rows[0], rows[1:], "utf-8"))},
    )
    assert answer.status_code == 422 and "第一行是数据而不是列名" in answer.text
    leaked = [value for value in (first_line[0], first_line[3]) if value in answer.text]  # the personal ones
    assert not leaked, leaked


def test_column_names_are_not_taken_for_values(pages):
    header = ["姓名", "性别", "所属区县", "出生日期"]
    rows = [["刘洋", "男", "青阳县", "1990-07-15"], ["陈静", "女", "贵池区", "1979-11-30"]]
    html = read_sample(pages, "x.csv", csv_bytes(header, rows, "utf-8"))
    assert [row["label"] for row in field_rows(html)][:4] == header


def test_a_damaged_workbook_sample_is_refused_not_a_500(pages):
    whole = xlsx_bytes(CHINESE_HEADER, sample_rows())
    source = zipfile.ZipFile(io.BytesIO(whole))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    answer = pages.post(
        "/resources/new/sample", data={"csrf_token": csrf(pages)}, files={"file": ("x.xlsx", damaged.getvalue())}
    )
    assert answer.status_code == 422 and 'data-rule="catalog.' in answer.text
