"""The bureau's review, pure: what a change changes, when objections are taken, contacts and their masks."""

from __future__ import annotations

from datetime import date

import pytest

from pubdata.catalog import rules
from pubdata.catalog.schemas import DESCRIPTION_KEYS
from pubdata.registration import rules as registration

OLD = {
    "code": "CZ-RK-0001",
    "name": "人口基础信息库",
    "update_frequency": "monthly",
    "fields": [
        {"name": "id_number", "label": "公民身份号码", "sensitivity": "sensitive", "required": True},
        {"name": "phone", "label": "手机号码"},
        {"name": "district", "label": "所属区县"},
    ],
}


def test_a_change_names_each_changed_key_and_field_and_leaves_the_rest_unchanged():
    new = {
        **OLD,
        "update_frequency": "daily",
        "fields": [
            {"name": "district", "label": "所属区县", "required": False, "description": ""},  # defaults: unchanged
            {"name": "id_number", "label": "居民身份证号码", "sensitivity": "sensitive", "required": True},
            {"name": "township", "label": "所属乡镇"},
        ],
    }
    change = rules.description_change(OLD, new, DESCRIPTION_KEYS)
    assert [(c.key, c.old, c.new) for c in change.changed_keys] == [("update_frequency", "monthly", "daily")]
    assert "name" in {c.key for c in change.unchanged_keys} and "code" not in {c.key for c in change.keys}
    assert [(f.name, f.status, f.attributes) for f in change.changed_fields] == [
        ("id_number", "changed", ("label",)),
        ("phone", "removed", ()),
        ("township", "added", ()),
    ]
    assert [f.name for f in change.unchanged_fields] == ["district"]
    assert not change.empty and rules.description_change(OLD, OLD, DESCRIPTION_KEYS).empty


@pytest.mark.parametrize(
    ("today", "state", "open_"),
    [
        (date(2026, 11, 16), "notice", True),  # the last day of the notice
        (date(2026, 11, 17), "notice", False),  # over, though not yet finalised
        (date(2026, 11, 10), "registered", False),
        (date(2026, 11, 10), "submitted", False),
    ],
)
def test_objections_are_taken_while_the_notice_runs(today, state, open_):
    assert registration.objection_open(today=today, notice_until=date(2026, 11, 16), state=state) is open_


def test_contacts_are_a_mobile_a_landline_or_an_email_and_are_masked():
    assert registration.contact_of(" １３９１２３４５９１７ ") == "13912345917"  # full-width digits and spaces
    assert registration.contact_of("0566-2021234") == "0566-2021234"
    assert registration.contact_of("wang.fang@example.cn") == "wang.fang@example.cn"
    for bad in ("", "12345", "call me", "1391234591", "@example.cn", "x" * 200 + "@example.cn"):
        assert registration.contact_of(bad) is None
    assert registration.masked_contact("13912345917") == "139****5917"
    assert registration.masked_contact("wang.fang@example.cn") == "w***@example.cn"
    assert registration.masked_name("刘小明") == "刘**"


def test_an_application_completes_only_with_every_objection_answered():
    assert registration.finalisable(unanswered_objections=0)
    assert not registration.finalisable(unanswered_objections=1)
