"""Suggesting a field from a sample column's counts and header: pure rules, no file and no database."""

from __future__ import annotations

from pubdata.catalog import rules
from pubdata.catalog.rules import ColumnSample
from pubdata.catalog.schemas import FieldSpec


def column(header: str, filled: int = 10, empty: int = 0, **passing: int) -> ColumnSample:
    return ColumnSample(header, filled, empty, passing)


def suggested(sample: ColumnSample) -> dict:
    return rules.suggest_field(sample, 0, set())


def test_a_format_comes_before_the_type_its_values_also_pass():
    ids = suggested(column("证件", resident_id=10, integer=9, decimal=9))
    assert (ids["type"], ids["format"], ids["sensitivity"], ids["pipl_category"], ids["masking"]) == (
        "string",
        "resident_id",
        "sensitive",
        "identity_document",
        "id_number",
    )
    phones = suggested(column("联系", mobile=10, integer=10, decimal=10))
    assert (phones["format"], phones["sensitivity"], phones["masking"]) == ("mobile", "personal", "mobile")
    codes = suggested(column("代码", credit_code=10))
    assert (codes["format"], codes["sensitivity"], codes["masking"]) == ("credit_code", "none", "none")


def test_a_format_needs_most_values_to_pass_as_the_loader_flags_lookalikes():
    assert suggested(column("c", person_name=6))["format"] == "person_name"
    assert suggested(column("c", person_name=5))["format"] is None


def test_types_are_the_strictest_every_value_passes():
    assert suggested(column("n", integer=10, decimal=10))["type"] == "integer"
    assert suggested(column("n", integer=9, decimal=10))["type"] == "decimal"
    assert suggested(column("d", date=10, timestamp=10))["type"] == "date"
    assert suggested(column("t", date=9, timestamp=10))["type"] == "timestamp"
    assert suggested(column("b", boolean=10))["type"] == "boolean"
    assert suggested(column("s", integer=9))["type"] == "string"
    assert suggested(column("empty", filled=0, empty=10))["type"] == "string"


def test_codes_with_leading_zeros_stay_text_and_names_decide_digits_that_are_dates_or_flags():
    assert suggested(column("邮编", integer=10, decimal=10, leading_zero=3))["type"] == "string"
    assert suggested(column("登记日期", integer=10, decimal=10, date=10))["type"] == "date"
    assert suggested(column("序号", integer=10, decimal=10, date=10))["type"] == "integer"
    assert suggested(column("是否低保", integer=10, decimal=10, boolean=10))["type"] == "boolean"
    assert suggested(column("人数", integer=10, decimal=10, boolean=10))["type"] == "integer"


def test_the_name_suggests_sensitivity_the_values_cannot_show():
    bank = suggested(column("银行卡号"))
    assert (bank["sensitivity"], bank["pipl_category"], bank["masking"], bank["basis"]) == (
        "sensitive",
        "financial_account",
        "partial",
        "name",
    )
    assert suggested(column("diagnosis"))["pipl_category"] == "medical_health"
    assert suggested(column("home_address"))["sensitivity"] == "personal"
    assert suggested(column("出生日期", date=10, timestamp=10))["sensitivity"] == "personal"
    # English words match whole: a hotel is no telephone, a company's name no person's.
    assert suggested(column("hotel"))["sensitivity"] == "none"
    assert suggested(column("company_name"))["sensitivity"] == "none"
    plain = suggested(column("所属区县"))
    assert (plain["sensitivity"], plain["masking"], plain["basis"]) == ("none", "none", None)


def test_the_stricter_of_name_and_format_wins():
    named_id = suggested(column("身份证号", mobile=10))
    assert (named_id["format"], named_id["sensitivity"], named_id["pipl_category"]) == (
        "mobile",
        "sensitive",
        "identity_document",
    )


def test_names_labels_and_required_from_the_header_and_the_empties():
    taken: set[str] = set()
    fields = [rules.suggest_field(column(h), i, taken) for i, h in enumerate(["姓名", "Birth Date", "备注", "姓名 "])]
    assert [f["name"] for f in fields] == ["full_name", "birth_date", "field_3", "full_name_2"]
    assert [f["label"] for f in fields] == ["姓名", "Birth Date", "备注", "姓名"]
    assert suggested(column("x", empty=0))["required"] is True
    assert suggested(column("x", empty=1))["required"] is False
    assert suggested(column("x", filled=0, empty=0))["required"] is False


def test_every_suggestion_is_a_valid_field():
    samples = [
        column("身份证", resident_id=10),
        column("姓名", person_name=10),
        column("电话", mobile=10, integer=10, decimal=10),
        column("银行账户"),
        column("轨迹"),
        column("统一社会信用代码", credit_code=10),
        column("金额", decimal=10),
    ]
    for spec in rules.suggest_fields(samples):
        FieldSpec.model_validate({key: value for key, value in spec.items() if key != "basis"})


def test_grade_reasons_name_each_field_that_raises_the_declared_grade():
    fields = [
        {
            "name": "id_number",
            "label": "公民身份号码",
            "sensitivity": "sensitive",
            "pipl_category": "identity_document",
        },
        {"name": "phone", "label": "手机号码", "sensitivity": "personal"},
        {"name": "district", "label": "区县", "sensitivity": "none"},
    ]
    reasons = rules.grade_reasons("general-2", fields)
    assert [(r.field, r.implies) for r in reasons] == [("id_number", "general-4"), ("phone", "general-3")]
    assert [r.field for r in rules.grade_reasons("general-3", fields)] == ["id_number"]
    assert rules.grade_reasons("important", fields) == []
    assert rules.grade_reasons("general-2", [{"name": "x", "sensitivity": "unknown"}]) == []
