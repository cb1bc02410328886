"""The consumers' console without a browser: the contract's tables explained (labels, roles, types in zh),
sample queries that all answer, headers in the catalogue's words, CSV and XLSX exports that are the answer shown
and cost nothing, DP answers labelled as noisy with their ε and intervals, limits near or reached, no development
or job forms for a consumer, refusals in zh with the SQL typed, and bad parameters as HTML 4xx pages."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from pubdata.contracts import service as contracts
from pubdata.platform import Platform
from tests.data import PERSON_FIELDS, person_rows, resource_body
from tests.scenarios import (
    Account,
    at,
    ledger_size,
    make_account,
    page_client,
    principal,
    read,
    registered_resource,
    signed_agreement,
    signed_contract,
    tick,
)

DISTRICTS = ["贵池区", "东至县", "石台县", "青阳县"]
# The districts published in the catalogue, so that a DP answer releases every one of them as a group.
FIELDS = [
    {**field, "values": DISTRICTS, "description": "居民户籍所在区县"} if field["name"] == "district" else field
    for field in PERSON_FIELDS
]
TERMS = {
    "resources": ["CZ-RK-0001", "CZ-CG-0001"],
    "purpose": "industry",
    "valid_from": "2026-01-05",
    "valid_until": "2026-12-31",
    "max_calls": 5,
    "max_rows": 1000,
    "output_rule": "aggregate",
    "dimensions": ["district"],
    "measures": ["household_size"],
    "join_columns": ["id_number"],
    "min_group_size": 10,
}
DP_TERMS = {
    **TERMS,
    "max_calls": 100,
    "output_rule": "dp",
    "epsilon": 1.0,
    "epsilon_per_query": 0.2,
    "delta": 1e-6,
    "bounds": {"household_size": [1, 10]},
}


def _register(platform: Platform, code: str, sector: str, rows: int) -> None:
    registered_resource(platform, resource_body(code=code, sector=sector, fields=FIELDS), person_rows(rows))


def bank_city(platform: Platform) -> dict[str, Any]:
    """Two registered tables of 120 people (enough for groups of 10 per district), the operator's agreement,
    and a bank (a consumer) holding an aggregate contract and a DP contract over both tables."""
    at("2025-12-01")
    accounts: dict[str, Account] = {
        "bureau": make_account(platform, kind="bureau", name="池州市数据资源局", login="bureau.admin", days=366),
        "police": make_account(platform, kind="provider", name="池州市公安局", login="police.admin", days=366),
        "operator": make_account(
            platform, kind="operator", name="池州数据运营有限公司", login="operator.admin", days=366
        ),
        "bank": make_account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin", days=366),
    }
    for code, sector in (("CZ-RK-0001", "public_security"), ("CZ-CG-0001", "urban_management")):
        _register(platform, code, sector, rows=120)
    at("2025-12-31")
    assert len(tick(platform)) == 2
    signed_agreement(platform)
    aggregate = signed_contract(platform, accounts["operator"], accounts["bank"], TERMS)["id"]
    dp = signed_contract(platform, accounts["operator"], accounts["bank"], DP_TERMS)["id"]
    at("2026-02-01")
    return {"aggregate": aggregate, "dp": dp, **accounts}


@pytest.fixture
def bank(platform: Platform) -> dict[str, Any]:
    return bank_city(platform)


def logged_in(platform: Platform, login: str) -> tuple[TestClient, str]:
    return page_client(platform, login)


def samples_of(page: str) -> list[str]:
    return [html.unescape(sql) for sql in re.findall(r'data-sql="([^"]*)"', page)]


def ask(client: TestClient, csrf: str, contract_id: int, sql: str, data: str = "real") -> Any:
    return client.post("/console", data={"csrf_token": csrf, "contract_id": str(contract_id), "sql": sql, "data": data})


def table(page: str, testid: str = "result") -> tuple[list[str], list[list[str]]]:
    """The headers and cells of a table, as text (an interval's note left out)."""
    body = re.search(rf'<table data-testid="{testid}">(.*?)</table>', page, re.S)
    assert body, f"no table {testid}"
    text = re.sub(r"<small.*?</small>", "", body.group(1), flags=re.S)
    headers = [html.unescape(h) for h in re.findall(r"<th>(.*?)</th>", text, re.S)]
    rows = [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", text.split("</thead>")[1], re.S)
    ]
    return headers, rows


def export_link(page: str, kind: str) -> str:
    found = re.search(rf'href="(/console/export/[^"]+\.{kind})"', page)
    assert found, f"no {kind} export"
    return found.group(1)


def counters(platform: Platform, contract_id: int) -> tuple[int, int, int]:
    contract = read(platform, contracts.get, principal=principal(platform, "operator.admin"), contract_id=contract_id)
    return contract.calls_used, contract.rows_used, contract.epsilon_spent_micro


def test_the_console_explains_the_contract_tables_with_labels_roles_and_types_in_chinese(platform, bank):
    client, _ = logged_in(platform, "bank.admin")
    page = client.get(f"/console?contract_id={bank['aggregate']}").text
    schema = page.split('data-testid="schema"')[1].split("</section>")[0]
    assert "人口基础信息库" in schema and "<code>cz_rk_0001</code>" in schema and "<code>cz_cg_0001</code>" in schema
    rows = dict(re.findall(r'data-column="(\w+)" data-roles="([^"]*)"', schema))
    assert rows["district"] == "dimension" and rows["household_size"] == "measure" and rows["id_number"] == "join"
    assert rows["full_name"] == "" and rows["phone"] == ""
    district = schema.split('data-column="district"')[1].split("</tr>")[0]
    assert "所属区县" in district and "文本" in district and "维度" in district and "居民户籍所在区县" in district
    size = schema.split('data-column="household_size"')[1].split("</tr>")[0]
    assert "家庭人口数" in size and "整数" in size and "度量" in size
    identity = schema.split('data-column="id_number"')[1].split("</tr>")[0]
    assert "公民身份号码" in identity and "关联键" in identity and "受保护" in identity
    assert "string" not in schema and "integer" not in schema


@pytest.mark.parametrize("rule", ["aggregate", "dp"])
def test_every_sample_query_runs_and_answers(platform, bank, rule):
    client, csrf = logged_in(platform, "bank.admin")
    page = client.get(f"/console?contract_id={bank[rule]}").text
    found = samples_of(page)
    assert len(found) == 3, found  # a count by the dimension, an average of the measure, a join on the key
    assert any(" JOIN " in sql for sql in found) and any("avg(household_size)" in sql for sql in found)
    assert "按“所属区县”统计" in page and "按“公民身份号码”关联" in page
    for sql in found:
        answer = ask(client, csrf, bank[rule], sql)
        assert answer.status_code == 200 and 'data-testid="refusal"' not in answer.text, sql
        headers, rows = table(answer.text)
        assert headers[0] == "所属区县" and len(rows) == 4, (sql, headers, rows)  # every district has ≥ 10
        assert {row[0] for row in rows} == set(DISTRICTS)
        assert "data-chart=" in answer.text


def test_an_answer_shows_chinese_headers_formatted_numbers_and_a_chart(platform, bank):
    client, csrf = logged_in(platform, "bank.admin")
    sql = "SELECT district, count(*) AS persons, avg(household_size) AS mean FROM cz_rk_0001 GROUP BY district"
    answer = ask(client, csrf, bank["aggregate"], sql).text
    headers, rows = table(answer)
    assert headers == ["所属区县", "记录数", "家庭人口数平均值"]  # by the catalogue's labels, not the aliases
    assert all(re.fullmatch(r"\d+\.\d{2}", row[2]) for row in rows)  # 3.45, not 3.4516129032258065
    option = json.loads(html.unescape(re.search(r"data-chart='([^']*)'", answer).group(1)))
    assert option["xAxis"]["data"] == [row[0] for row in rows]
    assert [s["name"] for s in option["series"]] == ["记录数", "家庭人口数平均值"]
    assert [s["yAxisIndex"] for s in option["series"]] == [0, 1] and option["series"][0]["type"] == "bar"
    assert option["series"][0]["data"] == [int(row[1]) for row in rows]
    assert "/static/charts.js" in answer and client.get("/static/charts.js").status_code == 200


def test_the_exports_are_the_answer_shown_and_cost_no_call(platform, bank):
    client, csrf = logged_in(platform, "bank.admin")
    sql = "SELECT district, count(*) AS persons, avg(household_size) AS mean FROM cz_rk_0001 GROUP BY district"
    asked = ask(client, csrf, bank["aggregate"], sql)
    assert asked.history[0].status_code == 303 and "answer=" in str(asked.url)  # post, redirect, get
    answer = asked.text
    assert "查询已完成" in answer
    headers, rows = table(answer)
    spent, entries = counters(platform, bank["aggregate"]), ledger_size(platform)

    reloaded = client.get(str(asked.url))  # a reload shows the kept answer, never asks again
    assert table(reloaded.text) == (headers, rows) and "查询已完成" not in reloaded.text
    assert f">{sql}</textarea>" in reloaded.text

    exported = client.get(export_link(answer, "csv"))
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"].startswith("attachment;")
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert lines[0] == headers and len(lines) == len(rows) + 1
    for line, row in zip(lines[1:], rows, strict=True):
        assert line[0] == row[0] and line[1] == row[1] and f"{float(line[2]):.2f}" == row[2]

    book = openpyxl.load_workbook(io.BytesIO(client.get(export_link(answer, "xlsx")).content))
    cells = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert cells[0] == headers
    assert [[c[0], str(c[1]), f"{c[2]:.2f}"] for c in cells[1:]] == rows
    assert counters(platform, bank["aggregate"]) == spent and ledger_size(platform) == entries  # not asked again

    other, _ = logged_in(platform, "operator.admin")  # the token is the asker's only
    refused = other.get(export_link(answer, "csv"))
    assert refused.status_code == 404 and refused.headers["content-type"].startswith("text/html")
    gone = client.get("/console/export/no-such-token.csv")
    assert gone.status_code == 404 and "请重新运行查询" in gone.text
    assert other.get(str(asked.url)).status_code == 404  # nor its page
    assert client.get(f"/console?contract_id={bank['aggregate']}&answer=no-such-token").status_code == 404
    assert client.get(export_link(answer, "csv").replace(".csv", ".pdf")).status_code == 404


def test_a_dp_answer_is_labelled_noisy_with_the_epsilon_it_spent_and_each_interval(platform, bank):
    client, csrf = logged_in(platform, "bank.admin")
    sql = "SELECT district, count(*) AS persons FROM cz_rk_0001 GROUP BY district"
    answer = ask(client, csrf, bank["dp"], sql).text
    assert "加噪结果" in answer and 'data-testid="noisy"' in answer
    privacy = answer.split('data-testid="privacy"')[1].split("</dl>")[0]
    assert "ε = 0.20" in privacy and "95% 区间 ±" in privacy
    ci = float(re.search(r"95% 区间 ±([\d.,]+)", privacy).group(1).replace(",", ""))
    cost = answer.split('data-testid="cost"')[1].split("</p>")[0]
    assert "调用 1 次 · ε 0.20" in cost
    client.get("/console?lang=en")  # the language switch
    english = ask(client, csrf, bank["dp"], sql + " ORDER BY district")
    client.get("/console?lang=zh-CN")
    assert "Noisy answer" in english.text and table(english.text)[0] == [
        "所属区县",
        "Records",
    ]  # the catalogue speaks zh
    body = re.search(r'<table data-testid="result">(.*?)</table>', answer, re.S).group(1)
    cells = re.findall(r"<td>([^<]*?)\s*(?:<small[^>]*>（95% 区间 ([-\d.,]+) 至 ([-\d.,]+)）</small>)?</td>", body)
    counts = [cell for cell in cells if cell[1]]
    assert len(counts) == 4  # each district's count carries its interval
    for value, low, high in counts:
        number = float(value.replace(",", ""))
        assert float(low.replace(",", "")) == pytest.approx(number - ci, abs=0.02)
        assert float(high.replace(",", "")) == pytest.approx(number + ci, abs=0.02)

    repeat = ask(client, csrf, bank["dp"], sql).text  # the released answer again, for nothing
    assert "调用 0 次 · ε 0" in repeat.split('data-testid="cost"')[1] and "未再花费隐私预算" in repeat


def limit(page: str, key: str) -> tuple[str, str]:
    found = re.search(rf'data-limit="{key}" data-state="(\w+)"[^>]*>(.*?)</li>', page, re.S)
    assert found, key
    return found.group(1), re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(2))).strip()


def test_the_console_says_which_limit_is_near_or_reached(platform, bank):
    client, csrf = logged_in(platform, "bank.admin")
    page = client.get(f"/console?contract_id={bank['aggregate']}").text
    assert limit(page, "calls")[0] == "ok" and 'data-limit="epsilon"' not in page
    sql = "SELECT district, count(*) AS n FROM cz_rk_0001 GROUP BY district"
    for _ in range(4):
        assert ask(client, csrf, bank["aggregate"], sql).status_code == 200
    state, text = limit(client.get(f"/console?contract_id={bank['aggregate']}").text, "calls")
    assert state == "near" and "已用 4 / 5（80%）" in text and "接近上限" in text
    assert limit(client.get(f"/console?contract_id={bank['aggregate']}").text, "rows") == (
        "ok",
        "结果行数：已用 16 / 1,000（2%） · 充足",
    )
    ask(client, csrf, bank["aggregate"], sql)
    page = client.get(f"/console?contract_id={bank['aggregate']}").text  # used up: still listed, and says why
    state, text = limit(page, "calls")
    assert state == "reached" and "已用 5 / 5（100%）" in text and "已达上限" in text
    refused = ask(client, csrf, bank["aggregate"], sql)
    assert refused.status_code == 403 and 'data-testid="refusal"' in refused.text

    for sql in (
        "SELECT district, count(*) AS n FROM cz_rk_0001 GROUP BY district",
        "SELECT count(*) AS n FROM cz_rk_0001",
        "SELECT district, sum(household_size) AS s FROM cz_rk_0001 GROUP BY district",
        "SELECT sum(household_size) AS s FROM cz_rk_0001",
    ):
        assert ask(client, csrf, bank["dp"], sql).status_code == 200
    state, text = limit(client.get(f"/console?contract_id={bank['dp']}").text, "epsilon")
    assert state == "near" and "已用 0.80 / 1.00（80%）" in text
    assert limit(client.get(f"/console?contract_id={bank['dp']}").text, "calls")[0] == "ok"


def test_a_consumer_sees_no_development_or_job_forms_and_cannot_post_them(platform, bank):
    client, csrf = logged_in(platform, "bank.admin")
    page = client.get(f"/console?contract_id={bank['aggregate']}").text
    assert 'data-testid="sql-form"' in page
    for absent in ('data-testid="python-form"', 'data-testid="job-form"', 'value="mock"', "/console/run"):
        assert absent not in page
    assert 'href="/console">' + "提交作业" not in client.get("/jobs").text
    for path, form in (
        ("/console", {"sql": "SELECT count(*) AS n FROM cz_rk_0001", "data": "mock"}),
        ("/console/run", {"code": "print(1)"}),
        ("/jobs", {"title": "t", "kind": "python", "code": "print(1)"}),
    ):
        answer = client.post(path, data={"csrf_token": csrf, "contract_id": str(bank["aggregate"]), **form})
        assert answer.status_code == 403 and answer.headers["content-type"].startswith("text/html"), path
        assert "数据使用方在此只做受控查询" in answer.text


def test_bad_contract_parameters_are_html_4xx_pages(platform, bank):
    client, csrf = logged_in(platform, "bank.admin")
    for value, status in (("abc", 422), ("1.5", 422), ("99999999999", 422), ("99999", 404), ("0", 422), ("-1", 422)):
        answer = client.get(f"/console?contract_id={value}")
        assert answer.status_code == status and answer.headers["content-type"].startswith("text/html"), value
        assert 'role="alert"' in answer.text
    answer = client.post("/console", data={"csrf_token": csrf, "contract_id": "abc", "sql": "SELECT 1"})
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/html")
    other = signed_contract(
        platform,
        bank["operator"],
        make_account(platform, kind="consumer", name="池州市城市管理局", login="city.admin"),
        TERMS,
    )
    assert client.get(f"/console?contract_id={other['id']}").status_code == 404  # another's, as if none


def test_a_refused_query_comes_back_with_the_sql_typed_and_the_refusal_in_chinese(platform, bank):
    client, csrf = logged_in(platform, "bank.admin")
    sql = "SELECT id_number, count(*) AS n FROM cz_rk_0001 GROUP BY id_number"
    answer = ask(client, csrf, bank["aggregate"], sql)
    assert answer.status_code == 403
    refusal = answer.text.split('data-testid="refusal"')[1].split("</section>")[0]
    assert html.escape(sql, quote=False) in refusal and "受保护" in refusal
    assert 'data-rule="sql.' in refusal  # the rule, for tests and support, in an attribute only
    visible = re.sub(r'data-rule="[^"]*"', "", answer.text)
    assert "sql." not in re.sub(r"<[^>]+>", "", visible.split("<main>")[1]).replace("cz_rk_0001", "")
    assert f">{html.escape(sql, quote=False)}</textarea>" in answer.text  # still there to fix
