"""The client's files: CSV in UTF-8 (with or without BOM) or GB18030 and .xlsx read by header; results written
without formulas; a bad file refused by row and column, never by its content."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from pubdata.common.ids import synthetic_credit_code, synthetic_resident_id
from pubdata_client import files
from pubdata_client.problems import ClientProblem

CODES = [synthetic_credit_code("341702", f"{n:08d}") for n in range(1, 4)]


def _csv(path: Path, rows: list[list[str]], encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_csv_column_is_read_by_its_header_in_each_encoding(tmp_path, encoding):
    path = _csv(
        tmp_path / "a.csv", [["企业名称", "统一社会信用代码"], *[["某某公司", c.lower()] for c in CODES]], encoding
    )
    table = files.read_table(path)
    assert table.headers == ("企业名称", "统一社会信用代码")
    assert files.items(table, "统一社会信用代码", kind="credit_code") == CODES  # upper-cased


def test_an_xlsx_column_and_numbers_are_read(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "income", "loans"])
    for n, code in enumerate(CODES):
        sheet.append([code, 1000.5 * n, n])
    sheet.append([None, None, None])  # an empty row at the end is left out
    book.save(tmp_path / "a.xlsx")
    table = files.read_table(tmp_path / "a.xlsx")
    assert files.items(table, "统一社会信用代码", kind="credit_code") == CODES
    assert files.numbers(table, "income") == [0.0, 1000.5, 2001.0]
    assert files.numbers(table, "loans") == [0.0, 1.0, 2.0]


def test_resident_ids_are_checked_by_their_check_character(tmp_path):
    good = synthetic_resident_id("341702", date(1990, 5, 17), 7)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    table = files.read_table(_csv(tmp_path / "a.csv", [["身份证号"], [good.lower()], [bad]], "utf-8"))
    with pytest.raises(ClientProblem) as refused:
        files.items(table, "身份证号", kind="resident_id")
    assert refused.value.key == "file.bad-item" and refused.value.params["row"] == 3
    assert bad not in refused.value.text("zh-CN") and bad not in refused.value.text("en")  # no ID in a message


@pytest.mark.parametrize(
    ("rows", "column", "key", "row"),
    [
        ([["code"], [CODES[0]], [""]], "code", None, None),  # a blank row is left out, not refused
        ([["code", "x"], [CODES[0], "1"], ["", "2"]], "code", "file.cell-empty", 3),
        ([["code"], [CODES[0]]], "代码", "file.column-missing", None),
        ([["code"], ["91341700MA0000001Z"]], "code", "file.bad-item", 2),
        ([["code", "code"], ["a", "b"]], "code", "file.header-duplicate", None),
        ([["code"], [CODES[0], "extra"]], "code", "file.ragged", 2),
        ([["code"]], "code", "file.no-rows", None),
    ],
)
def test_a_bad_file_is_refused_naming_the_row_and_column(tmp_path, rows, column, key, row):
    path = _csv(tmp_path / "a.csv", rows, "utf-8")
    if key is None:
        assert files.items(files.read_table(path), column, kind="credit_code") == [CODES[0]]
        return
    with pytest.raises(ClientProblem) as refused:
        files.items(files.read_table(path), column, kind="credit_code")
    assert refused.value.key == key
    if row is not None:
        assert refused.value.params["row"] == row
    assert refused.value.text("zh-CN") != refused.value.text("en")  # both languages say it


@pytest.mark.parametrize("value", ["abc", "nan", "inf", "1e999"])
def test_a_feature_that_is_not_a_finite_number_is_refused(tmp_path, value):
    table = files.read_table(_csv(tmp_path / "a.csv", [["income"], ["1"], [value]], "utf-8"))
    with pytest.raises(ClientProblem) as refused:
        files.numbers(table, "income")
    assert (refused.value.key, refused.value.params["row"], refused.value.params["column"]) == (
        "file.not-number",
        3,
        "income",
    )


def test_a_file_in_another_encoding_or_format_is_refused(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"\xff\xfe\x00c\x00o")  # UTF-16, neither UTF-8 nor GB18030
    (tmp_path / "a.txt").write_text("code\n")
    (tmp_path / "b.xlsx").write_bytes(b"not a zip")
    for path, key in (
        ("a.csv", "file.encoding"),
        ("a.txt", "file.format"),
        ("b.xlsx", "file.unreadable"),
        ("none.csv", "file.missing"),
    ):
        with pytest.raises(ClientProblem) as refused:
            files.read_table(tmp_path / path)
        assert refused.value.key == key


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_results_are_written_without_formulas(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    dangerous = ["=1+1", "+1", "-1", "@SUM(A1)", '=HYPERLINK("http://x")']
    files.write_table(path, ["名称", "score"], [[text, 0.5] for text in dangerous])
    if suffix == ".csv":
        text = path.read_bytes()
        assert text.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(text.decode("utf-8-sig").splitlines()))
        assert [row[0] for row in rows[1:]] == ["'" + d for d in dangerous]
    else:
        sheet = load_workbook(path).active
        cells = [sheet.cell(row=n, column=1) for n in range(2, 2 + len(dangerous))]
        assert [c.value for c in cells] == dangerous
        assert {c.data_type for c in cells} == {"s"}  # text, not formulas


def test_an_unknown_output_format_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(ClientProblem) as refused:
        files.check_output(tmp_path / "out.json")
    assert refused.value.key == "file.output-format"
