"""The loader with real files (CSV in UTF-8 and GB18030, .xlsx, Parquet, a SQL database), no control plane.

Every check has a bad file; a bad file becomes nothing; reports name row and column, never the value.
"""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import duckdb
import pytest

from pubdata.catalog.loading import MAX_PROBLEMS, check_and_write
from pubdata.catalog.schemas import FieldSpec
from pubdata.ledger.merkle import Hasher
from tests.data import PERSON_FIELDS, bad_check, csv_text, person_rows

FIELDS = [FieldSpec.model_validate(spec) for spec in PERSON_FIELDS]
SM3 = Hasher("sm3")


def run(
    tmp_path: Path, text: str | bytes, *, source_format: str = "csv", fields=FIELDS, name: str = "source.csv", **options
):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return check_and_write(
        source_format=source_format, fields=fields, work_dir=tmp_path / "domain", path=path, hasher=SM3, **options
    )


def assert_refused(result, rule: str, *, row: int | None = None, column: str | None = None) -> None:
    assert not result.ok and result.parquet_path is None
    matching = [
        p
        for p in result.problems
        if p.rule == rule and (row is None or p.row == row) and (column is None or p.column == column)
    ]
    assert matching, result.problems


def no_files_left(tmp_path: Path) -> bool:
    return not any(path.is_file() for path in (tmp_path / "domain").rglob("*"))


def test_a_clean_csv_becomes_typed_parquet_with_a_checksum(tmp_path):
    rows = person_rows(50)
    result = run(tmp_path, csv_text(rows))
    assert result.ok, result.problems
    assert result.row_count == 50 and result.encoding == "utf-8" and len(result.checksum) == 64
    con = duckdb.connect()
    types = dict(
        con.execute(
            f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{result.parquet_path}'))"
        ).fetchall()
    )
    assert types["household_size"] == "BIGINT" and types["birth_date"] == "DATE" and types["id_number"] == "VARCHAR"
    assert con.execute(f"SELECT count(*) FROM read_parquet('{result.parquet_path}')").fetchone()[0] == 50


def test_chinese_labels_work_as_headers(tmp_path):
    rows = person_rows(5)
    labels = {spec.name: spec.label for spec in FIELDS}
    header = [labels[name] for name in rows[0]]
    text = "\n".join([",".join(header)] + [",".join(row.values()) for row in rows]) + "\n"
    assert run(tmp_path, text).ok


def test_gb18030_is_detected_and_said(tmp_path):
    result = run(tmp_path, csv_text(person_rows(20)).encode("gb18030"))
    assert result.ok and result.encoding == "gb18030"


def test_utf8_with_bom_is_read(tmp_path):
    result = run(tmp_path, b"\xef\xbb\xbf" + csv_text(person_rows(5)).encode())
    assert result.ok and result.encoding == "utf-8-sig"


def test_binary_garbage_is_refused_as_not_text(tmp_path):
    assert_refused(run(tmp_path, bytes(range(128, 256)) * 10), "catalog.encoding")


@pytest.mark.parametrize(
    "column,value,rule",
    [
        ("id_number", "bad-check", "catalog.check.resident_id"),
        ("id_number", "341702199002301234", "catalog.check.resident_id"),  # 30 February
        ("id_number", "", "catalog.check.required"),
        ("full_name", "", "catalog.check.required"),
        ("phone", "12912345678", "catalog.check.mobile"),
        ("birth_date", "1990-13-01", "catalog.check.date"),
        ("household_size", "three", "catalog.check.integer"),
    ],
)
def test_each_check_refuses_its_bad_value_by_row_and_column(tmp_path, column, value, rule):
    rows = person_rows(30)
    rows[16][column] = bad_check(rows[16]["id_number"]) if value == "bad-check" else value
    result = run(tmp_path, csv_text(rows))
    assert_refused(result, rule, row=17, column=column)
    assert result.problem_count == 1
    assert no_files_left(tmp_path)


def test_reports_never_show_the_offending_value(tmp_path):
    rows = person_rows(10)
    wrong = bad_check(rows[3]["id_number"])
    rows[3]["id_number"] = wrong
    result = run(tmp_path, csv_text(rows))
    assert wrong not in json.dumps([p.__dict__ for p in result.problems], ensure_ascii=False)


def test_only_the_first_hundred_problems_are_listed_but_all_are_counted(tmp_path):
    rows = person_rows(300)
    for row in rows:
        row["household_size"] = "many"
    result = run(tmp_path, csv_text(rows))
    assert len(result.problems) == MAX_PROBLEMS and result.problem_count == 300
    assert [p.row for p in result.problems[:3]] == [1, 2, 3]


def test_credit_codes_are_checked(tmp_path):
    fields = [
        FieldSpec(name="credit_code", label="统一社会信用代码", format="credit_code", required=True),
        FieldSpec(name="company", label="企业名称"),
    ]
    from tests.data import credit_code

    rng = random.Random(1)
    good = [credit_code(rng) for _ in range(5)]
    text = "credit_code,company\n" + "".join(f"{code},池州某某有限公司\n" for code in good)
    assert run(tmp_path, text, fields=fields).ok
    broken = text.replace(good[2], bad_check(good[2], "0123456789ABCDEFGHJKLMNPQRTUWXY"))
    assert_refused(run(tmp_path, broken, fields=fields), "catalog.check.credit_code", row=3, column="credit_code")


@pytest.mark.parametrize(
    "mutate,rule",
    [
        (lambda text: text.replace("household_size", "household"), "catalog.unknown-column"),
        (
            lambda text: "\n".join(",".join(line.split(",")[1:]) for line in text.splitlines()) + "\n",
            "catalog.missing-column",
        ),
        (lambda text: text.replace("district", "phone"), "catalog.duplicate-column"),
        (lambda text: text.splitlines()[0] + "\n", "catalog.empty"),
        (lambda text: text.replace("贵池区", '"贵池区', 1), "catalog.csv-structure"),
        (lambda text: text + "a,b,c,d,e,f,g,h\n", "catalog.csv-structure"),
        # A bad line whose words read like a full or read-only disk is still the file's problem.
        (lambda text: text + "no space left on device,read-only file system,c,d,e,f,g,h\n", "catalog.csv-structure"),
    ],
)
def test_structural_problems_are_refused(tmp_path, mutate, rule):
    text = csv_text(person_rows(20, seed=3))
    if "贵池区" not in text:
        text = text.replace("东至县", "贵池区", 1)
    assert_refused(run(tmp_path, mutate(text)), rule)
    assert no_files_left(tmp_path)


def test_a_column_of_names_declared_not_personal_is_flagged_until_confirmed(tmp_path):
    fields = [FieldSpec(name="contact", label="联系人"), FieldSpec(name="district", label="区县")]
    rows = person_rows(40)
    text = "contact,district\n" + "".join(f"{row['full_name']},{row['district']}\n" for row in rows)
    result = run(tmp_path, text, fields=fields)
    assert_refused(result, "catalog.undeclared-sensitive", column="contact")
    assert [(item.column, item.looks_like) for item in result.lookalikes] == [("contact", "person_name")]
    confirmed = run(tmp_path, text, fields=fields, confirmed_not_sensitive=["contact"])
    assert confirmed.ok


def test_hidden_phone_numbers_are_flagged(tmp_path):
    fields = [FieldSpec(name="note", label="备注")]
    rows = person_rows(30)
    assert_refused(
        run(tmp_path, "note\n" + "".join(f"{row['phone']}\n" for row in rows), fields=fields),
        "catalog.undeclared-sensitive",
        column="note",
    )


def test_xlsx_is_read_and_checked(tmp_path):
    from openpyxl import Workbook

    rows = person_rows(12)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append([row[key] if key != "household_size" else int(row[key]) for key in row])
    workbook.save(tmp_path / "people.xlsx")
    result = check_and_write(
        source_format="xlsx", fields=FIELDS, work_dir=tmp_path / "domain", path=tmp_path / "people.xlsx", hasher=SM3
    )
    assert result.ok and result.row_count == 12
    sheet.append([bad_check(rows[0]["id_number"]), "王五", "", "", "", 2])
    workbook.save(tmp_path / "people.xlsx")
    bad = check_and_write(
        source_format="xlsx", fields=FIELDS, work_dir=tmp_path / "domain", path=tmp_path / "people.xlsx", hasher=SM3
    )
    assert_refused(bad, "catalog.check.resident_id", row=13)


def test_a_corrupt_xlsx_is_refused(tmp_path):
    assert_refused(run(tmp_path, b"PK\x03\x04 not really", source_format="xlsx", name="x.xlsx"), "catalog.xlsx")


def test_parquet_is_read_and_checked(tmp_path):
    rows = person_rows(15)
    (tmp_path / "src.csv").write_text(csv_text(rows), encoding="utf-8")
    duckdb.connect().execute(
        f"COPY (SELECT * FROM read_csv('{tmp_path / 'src.csv'}', all_varchar = true)) "
        f"TO '{tmp_path / 'src.parquet'}' (FORMAT parquet)"
    )
    result = check_and_write(
        source_format="parquet", fields=FIELDS, work_dir=tmp_path / "domain", path=tmp_path / "src.parquet", hasher=SM3
    )
    assert result.ok and result.row_count == 15


def test_a_department_database_is_read_with_a_query(tmp_path):
    database = tmp_path / "department.sqlite3"
    rows = person_rows(25)
    with sqlite3.connect(database) as con:
        con.execute(
            "CREATE TABLE people (id_number TEXT, full_name TEXT, phone TEXT, birth_date TEXT, district TEXT, "
            "household_size INTEGER)"
        )
        con.executemany("INSERT INTO people VALUES (?, ?, ?, ?, ?, ?)", [tuple(row.values()) for row in rows])
    result = check_and_write(
        source_format="sql",
        fields=FIELDS,
        work_dir=tmp_path / "domain",
        sql_url=f"sqlite:///{database}",
        sql_query="SELECT * FROM people",
        hasher=SM3,
    )
    assert result.ok and result.row_count == 25
    refused = check_and_write(
        source_format="sql",
        fields=FIELDS,
        work_dir=tmp_path / "domain",
        sql_url=f"sqlite:///{database}",
        sql_query="SELECT * FROM nowhere",
        hasher=SM3,
    )
    assert_refused(refused, "catalog.sql-source")


@pytest.mark.parametrize(
    "field_type,good,bad",
    [("decimal", "12.50", "12,5"), ("timestamp", "2026-11-02 09:30:00", "2026-11-02 25:00"), ("boolean", "是", "也许")],
)
def test_decimal_timestamp_and_boolean_values_are_checked(tmp_path, field_type, good, bad):
    fields = [FieldSpec(name="value", label="值", type=field_type, required=True)]
    assert run(tmp_path, f"value\n{good}\n{good}\n", fields=fields).ok
    assert_refused(
        run(tmp_path, f'value\n{good}\n"{bad}"\n', fields=fields), f"catalog.check.{field_type}", row=2, column="value"
    )
