"""Catalogue and registration decisions, pure: grading, processing, states, field rules, masking, calendar."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from pubdata.calendar.rules import WorkCalendar
from pubdata.catalog import rules
from pubdata.catalog.schemas import FieldSpec, ResourceIn
from pubdata.common import masking
from pubdata.registration import rules as registration
from tests.data import resource_body


@pytest.mark.parametrize(
    "declared,sensitivities,expected",
    [
        ("general-1", ["none"], "general-1"),
        ("general-1", ["none", "personal"], "general-3"),
        ("general-2", ["sensitive", "personal"], "general-4"),
        ("important", ["sensitive"], "important"),
        ("core", ["none"], "core"),
    ],
)
def test_grade_is_the_strictest_of_declared_and_implied(declared, sensitivities, expected):
    assert rules.resource_grade(declared, sensitivities) == expected


def test_core_data_is_never_loaded_and_important_data_only_through_aggregates_or_privacy_computing():
    assert not rules.loadable("core") and rules.allowed_processing("core") == frozenset()
    assert rules.allowed_processing("important") == {"aggregate", "privacy"}
    assert "job" in rules.allowed_processing("general-4") and "match" not in rules.allowed_processing("general-4")


def test_resource_lifecycle_follows_the_state_table():
    assert rules.LIFECYCLE.target("draft", "submit") == "submitted"
    assert rules.LIFECYCLE.target("submitted", "register") == "registered"
    assert rules.LIFECYCLE.target("registered", "submit_change") == "change_submitted"
    assert rules.LIFECYCLE.target("cancel_submitted", "register") == "cancelled"
    assert rules.LIFECYCLE.target("cancelled", "submit") is None
    assert rules.LIFECYCLE.target("draft", "register") is None


def test_sensitive_field_needs_its_pipl_category():
    with pytest.raises(ValidationError, match="PIPL"):
        FieldSpec(name="diagnosis", label="诊断", sensitivity="sensitive")
    assert (
        FieldSpec(name="diagnosis", label="诊断", sensitivity="sensitive", pipl_category="medical_health").masking
        == "partial"
    )


def test_an_id_number_cannot_be_declared_not_personal():
    with pytest.raises(ValidationError, match="personal information"):
        FieldSpec(name="id_number", label="身份证号", format="resident_id")


def test_personal_field_cannot_be_shown_unmasked():
    with pytest.raises(ValidationError, match="masking"):
        FieldSpec(name="full_name", label="姓名", format="person_name", sensitivity="personal", masking="none")


def test_default_masking_follows_the_format():
    assert FieldSpec(name="p", label="手机", format="mobile", sensitivity="personal").masking == "mobile"


@pytest.mark.parametrize(
    "change,message",
    [
        ({"code": "cz-rk"}, "resource code"),
        ({"sector": "mining"}, "unknown sector"),
        ({"declared_grade": "secret"}, "unknown grade"),
        ({"fields": [{"name": "a", "label": "甲"}, {"name": "a", "label": "乙"}]}, "declared twice"),
        ({"fields": [{"name": "Bad Name", "label": "甲"}]}, "field name"),
        ({"fields": []}, "at least 1"),
    ],
)
def test_bad_descriptions_are_refused(change, message):
    with pytest.raises(ValidationError, match=message):
        ResourceIn.model_validate(resource_body(**change))


@pytest.mark.parametrize(
    "rule,value,shown",
    [
        ("name", "刘德华", "刘**"),
        ("id_number", "341702199003071234", "3417**********1234"),
        ("mobile", "13912345917", "139****5917"),
        ("full", "秘密", "**"),
        ("none", "贵池区", "贵池区"),
    ],
)
def test_masking_rules(rule, value, shown):
    assert masking.mask(rule, value) == shown


def test_public_notice_lasts_ten_working_days_and_then_is_over():
    ends = registration.notice_ends(date(2026, 11, 2), WorkCalendar())  # a Monday, no holiday after
    assert ends == date(2026, 11, 16)
    assert not registration.notice_over(today=ends, notice_until=ends)
    assert registration.notice_over(today=date(2026, 11, 17), notice_until=ends)


def test_registration_state_table_and_numbers():
    assert registration.LIFECYCLE.target("submitted", "accept") == "notice"
    assert registration.LIFECYCLE.target("notice", "finalise") == "registered"
    assert registration.LIFECYCLE.target("registered", "accept") is None
    assert registration.registration_number(subject_kind="resource", year=2026, serial=12) == "CZZY2026000012"
    assert registration.reason_needed("return") and not registration.reason_needed("accept")
