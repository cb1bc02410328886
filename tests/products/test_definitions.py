"""Product definitions, pure: parameters that refuse what they do not declare, verifications whose thresholds
are pinned in the digest, a scorecard scored without a database, and outputs described in both languages."""

from __future__ import annotations

import json
import typing
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from pubdata.common.errors import Refused
from pubdata.products import definitions as d

WORDS = d.Words(zh="区县", en="District")


def parameter(**fields) -> d.Parameter:
    return d.Parameter(name=fields.pop("name", "p"), label=WORDS, **fields)


# --- parameters ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "Bad-Name", "type": "string"},
        {"type": "string", "minimum": 1},
        {"type": "integer", "max_length": 5},
        {"type": "integer", "minimum": 5, "maximum": 1},
        {"type": "integer", "choices": ("a",)},
        {"type": "date", "minimum": "not a date"},
        {"type": "integer", "minimum": 1, "default": 0, "required": False},  # a default it would refuse
        {"type": "timestamp"},
    ],
)
def test_an_inconsistent_parameter_is_no_parameter(fields):
    with pytest.raises(ValidationError):
        parameter(**fields)


def test_a_parameter_survives_its_json_document_with_dates_as_dates():
    declared = parameter(
        type="date", minimum="2020-01-01", choices=("2021-01-01",), required=False, default="2021-01-01"
    )
    again = d.Parameter.model_validate(declared.model_dump(mode="json"))
    assert again == declared and again.minimum == date(2020, 1, 1) and again.choices == (date(2021, 1, 1),)


@pytest.mark.parametrize(
    ("type_", "raw", "value"),
    [
        ("integer", "12", 12),
        ("integer", 12.0, 12),
        ("decimal", "1.5", 1.5),
        ("decimal", 2, 2.0),
        ("date", "2026-03-01", date(2026, 3, 1)),
        ("boolean", "true", True),
        ("boolean", False, False),
        ("string", "x' OR 1=1 --", "x' OR 1=1 --"),
    ],
)
def test_a_value_is_read_as_its_declared_type(type_, raw, value):
    assert parameter(type=type_).value_of(raw) == value


@pytest.mark.parametrize(
    ("type_", "raw"),
    [
        ("integer", True),
        ("integer", "1e3"),
        ("integer", "１２"),  # full-width digits are not a number here
        ("integer", "--5"),
        ("integer", "1" * 19),
        ("integer", "+5"),
        ("integer", 1.5),
        ("decimal", "nan"),
        ("decimal", "inf"),
        ("date", "2026-02-30"),
        ("date", 20260301),
        ("boolean", "yes"),
        ("string", 5),
    ],
)
def test_a_value_of_another_type_is_refused_naming_the_parameter(type_, raw):
    with pytest.raises(Refused) as refused:
        parameter(name="amount", type=type_).value_of(raw)
    assert refused.value.rule == "product.parameter" and refused.value.params["parameter"] == "amount"
    assert refused.value.params["problem"].key == "product.parameter.type"
    assert "amount" in refused.value.detail_in("zh-CN")


def test_missing_values_take_their_defaults_and_required_ones_are_refused():
    declared = (parameter(name="a", type="integer"), parameter(name="b", type="integer", required=False, default=3))
    assert d.checked_values(declared, {"a": 1}) == {"a": 1, "b": 3}
    with pytest.raises(Refused) as refused:
        d.checked_values(declared, {"b": 1})
    assert refused.value.params["problem"].key == "product.parameter.required"


# --- templates and verifications -----------------------------------------------------------------------------


def test_a_template_names_each_parameter_and_output_once_and_defaults_its_optional_ones():
    output = d.OutputField(name="n", label=d.Words(zh="人数", en="People"))
    optional = parameter(type="integer", required=False)
    with pytest.raises(ValidationError):
        d.QueryTemplate(resources=("CZ-RK-0001",), sql="SELECT 1", parameters=(optional,), outputs=(output,))
    with pytest.raises(ValidationError):
        d.QueryTemplate(resources=("CZ-RK-0001",), sql="SELECT 1", outputs=(output, output))
    with pytest.raises(ValidationError):
        d.QueryTemplate(resources=("CZ-RK-0001",), sql="SELECT 1", outputs=(output,), min_group_size=5)


def test_a_verification_pins_every_threshold_defaults_included():
    typed = d.Verification(resources=(d.TAX_PAYMENTS,), check="tax_arrears_over", thresholds={"months": 6})
    assert typed.thresholds == {"months": 6, "late_months": 0}
    spelled = d.Verification(
        resources=(d.TAX_PAYMENTS,), check="tax_arrears_over", thresholds={"months": 6, "late_months": 0}
    )
    assert typed.digest == spelled.digest
    other = d.Verification(resources=(d.TAX_PAYMENTS,), check="tax_arrears_over", thresholds={"months": 3})
    assert other.digest != typed.digest
    assert d.Verification.model_validate(typed.document()).digest == typed.digest


@pytest.mark.parametrize(
    "fields",
    [
        {"resources": (d.TAX_PAYMENTS,), "check": "no_such_check"},
        {"resources": (d.LEGAL_ENTITIES,), "check": "tax_arrears_over"},  # not what the check reads
        {"resources": (d.TAX_PAYMENTS,), "check": "tax_arrears_over", "thresholds": {"months": 99}},
        {"resources": (d.TAX_PAYMENTS,), "check": "tax_arrears_over", "thresholds": {"unknown": 1}},
        {"resources": (d.E_LICENCES,), "check": "licence_valid"},  # the licence type is required
        {"resources": (d.TAX_PAYMENTS,), "check": "sales_band", "thresholds": {"first": 9e6, "second": 1e6}},
    ],
)
def test_a_verification_outside_its_check_is_no_definition(fields):
    with pytest.raises(ValidationError):
        d.Verification(**fields)


def test_every_check_declares_its_no_record_answer_among_its_answers():
    for check in d.CHECKS.values():
        assert check.no_record in {code for code, _, _ in check.answers}
        assert set(check.resources) == {resource for resource, _, _ in check.fields}


# --- the scorecard -------------------------------------------------------------------------------------------

BEST = {
    "tax_credit_level": 4,
    "social_insurance_arrears_months": 0,
    "utility_on_time_ratio": 1.0,
    "utility_overdue_days": 0,
    "penalties_count": 0,
    "penalties_amount": 0,
    "licences_valid": 3,
    "tax_paid_trend": 1.5,
    "registration_years": 10,
    "registration_active": 1,
}
WORST = {
    "tax_credit_level": 0,
    "social_insurance_arrears_months": 6,
    "utility_on_time_ratio": 0.2,
    "utility_overdue_days": 120,
    "penalties_count": 5,
    "penalties_amount": 500_000,
    "licences_valid": 0,
    "tax_paid_trend": 0.1,
    "registration_years": 0.5,
    "registration_active": 0,
}


def test_the_best_enterprise_scores_100_in_the_top_band_with_positive_reasons_only():
    scored = d.score(d.DEFAULT_PROFILE, BEST)
    assert (scored.score, scored.band) == (100, "A")
    assert scored.reasons == ("P_TAX_CREDIT", "P_SOCIAL_PAID")  # the two heaviest positive factors
    assert all(code.startswith("P_") for code in scored.reasons)


def test_the_worst_enterprise_scores_only_its_factors_floors_in_the_bottom_band_heaviest_negative_first():
    scored = d.score(d.DEFAULT_PROFILE, WORST)
    # Every factor at its lowest points: only licences (30 of 5), age (20 of 5) and the tax trend (10 of 10).
    assert (scored.score, scored.band) == (round((5 * 30 + 5 * 20 + 10 * 10) / 100), "D")
    assert scored.reasons == ("N_TAX_CREDIT", "N_SOCIAL_ARREARS")


def test_a_missing_feature_scores_its_declared_missing_points():
    factor = d.DEFAULT_PROFILE.factors[0]
    assert factor.points_of(None) == factor.missing
    assert factor.points_of(float("nan")) == factor.missing


def test_cut_points_bound_their_interval_from_below():
    factor = d.Factor(
        feature="penalties_count", weight=1, cuts=(1, 3), points=(100, 40, 0), negative=d._reason("N_X", "x", "x")
    )
    assert [factor.points_of(v) for v in (0, 0.99, 1, 2.99, 3, 100)] == [100, 100, 40, 40, 0, 0]


def test_one_factor_lowers_the_score_by_its_weight_and_names_its_reason():
    with_arrears = BEST | {"social_insurance_arrears_months": 4}
    scored = d.score(d.DEFAULT_PROFILE, with_arrears)
    total = sum(f.weight for f in d.DEFAULT_PROFILE.factors)
    assert scored.score == round((total * 100 - 15 * 100) / total)
    assert scored.reasons[0] == "N_SOCIAL_ARREARS"


def test_the_score_is_monotone_in_each_factor():
    for factor in d.DEFAULT_PROFILE.factors:
        values = sorted({*factor.cuts, factor.cuts[0] - 1, factor.cuts[-1] + 1})
        scores = [d.score(d.DEFAULT_PROFILE, BEST | {factor.feature: v}).score for v in values]
        increasing = list(factor.points) == sorted(factor.points)
        assert scores == (sorted(scores) if increasing else sorted(scores, reverse=True)), factor.feature


@pytest.mark.parametrize(
    "change",
    [
        {"bands": (d.ScoreBand(code="A", minimum=50, label=WORDS), d.ScoreBand(code="B", minimum=10, label=WORDS))},
        {"bands": (d.ScoreBand(code="A", minimum=50, label=WORDS), d.ScoreBand(code="N", minimum=0, label=WORDS))},
        {"resources": (d.LEGAL_ENTITIES,)},  # the factors read more than that
        {"factors": d.DEFAULT_PROFILE.factors * 2},
    ],
)
def test_a_scorecard_out_of_shape_is_no_definition(change):
    with pytest.raises(ValidationError):
        d.CreditProfile.model_validate(d.DEFAULT_PROFILE.model_dump() | change)


def test_a_scorecard_is_pinned_by_its_digest():
    heavier = d.DEFAULT_PROFILE.model_copy(update={"negative_below": 60})
    assert d.CreditProfile.model_validate(d.DEFAULT_PROFILE.document()).digest == d.DEFAULT_PROFILE.digest
    assert heavier.digest != d.DEFAULT_PROFILE.digest


# --- descriptions --------------------------------------------------------------------------------------------


def test_a_profile_is_described_by_exactly_its_four_fields_and_its_codes():
    described = d.describe(d.DEFAULT_PROFILE)
    assert [f.name for f in described.fields] == ["credit_code", "score", "band", "reasons"]
    assert [code for code, _, _ in described.values["band"]] == ["A", "B", "C", "D", "N"]
    reasons = {code: zh for code, zh, _ in described.values["reasons"]}
    assert reasons["N_SOCIAL_ARREARS"] == "近一年有社保欠费"
    assert all(f.label.zh and f.label.en for f in described.fields)


def test_a_verification_is_described_by_its_question_and_answers():
    verification = d.Verification(resources=(d.LEGAL_ENTITIES,), check="entity_active")
    described = d.describe(verification)
    assert [f.name for f in described.fields] == ["credit_code", "result"]
    assert "存续" in described.fields[1].description.zh
    assert described.values["result"] == d.YES_NO


def test_the_definition_union_reads_each_kind_by_its_tag():
    assert isinstance(d.parse(d.DEFAULT_PROFILE.document()), d.CreditProfile)
    verification = d.Verification(resources=(d.LEGAL_ENTITIES,), check="entity_active")
    assert d.parse(verification.document()) == verification
    assert d.parse(json.dumps(verification.document())).digest == verification.digest
    with pytest.raises(ValidationError):
        d.parse({"kind": "private_matching", "resources": ["CZ-FR-0001"]})


def test_a_template_is_described_with_the_parameters_a_caller_passes():
    district = parameter(name="district", type="string")
    template = d.QueryTemplate(
        resources=("CZ-RK-0001",),
        sql="SELECT district, COUNT(*) AS n FROM cz_rk_0001 WHERE district = :district GROUP BY district",
        parameters=(district,),
        outputs=(d.OutputField(name="district", label=WORDS), d.OutputField(name="n", label=WORDS)),
    )
    described = d.describe(template)
    assert described.parameters == (district,) and [f.name for f in described.fields] == ["district", "n"]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)
DECLARED = [
    parameter(type="integer", minimum=-5, maximum=5),
    parameter(type="decimal", minimum=0, maximum=1.5),
    parameter(type="date", minimum=date(2020, 1, 1)),
    parameter(type="boolean"),
    parameter(type="string", max_length=8, choices=("a", "b")),
]


@settings(max_examples=300, deadline=None)
@given(raw=JSON_VALUES | st.from_regex(r"-?[0-9]{0,25}(\.[0-9]*)?(e-?[0-9]+)?", fullmatch=True))
def test_whatever_a_caller_sends_is_a_checked_value_or_a_parameter_refusal(raw):
    for declared in DECLARED:
        try:
            value = declared.value_of(raw)
        except Refused as refused:
            assert refused.rule == "product.parameter"
            refused.detail_in("zh-CN")
            continue
        assert declared.value_of(value) == value


def test_a_band_is_worded_by_the_limits_its_definition_pins():
    banded = d.Verification(
        resources=(d.TAX_PAYMENTS,), check="sales_band", thresholds={"first": 500_000, "second": 3e6, "third": 1e7}
    )
    words = {code: zh for code, zh, _ in d.describe(banded).values["result"]}
    assert words == {
        "s1": "低于 50 万元",
        "s2": "50 万元 至 300 万元",
        "s3": "300 万元 至 1000 万元",
        "s4": "1000 万元 及以上",
        "none": "无记录",
    }
    assert [code for code, _, _ in d.describe(banded).values["result"]] == [code for code, _, _ in d.SALES_BANDS]


def test_every_feature_a_factor_may_name_is_computed_and_from_its_resource():
    assert set(typing.get_args(d.FeatureName)) == set(d.FEATURES)
    assert {feature.resource for feature in d.FEATURES.values()} | {d.LEGAL_ENTITIES} == set(
        d.DEFAULT_PROFILE.resources
    )


def test_a_licence_check_left_without_a_day_checks_the_day_of_the_call():
    undated = d.Verification(resources=(d.E_LICENCES,), check="licence_valid", thresholds={"licence_type": "营业执照"})
    assert undated.thresholds == {"licence_type": "营业执照"}
    assert undated.values(date(2026, 11, 5))["on"] == date(2026, 11, 5)
    dated = d.Verification(
        resources=(d.E_LICENCES,), check="licence_valid", thresholds={"licence_type": "营业执照", "on": "2026-01-01"}
    )
    assert dated.values(date(2026, 11, 5))["on"] == date(2026, 1, 1) and dated.digest != undated.digest
