"""A call's checks that need no data: the batch's subjects, what the ledger keeps of a request, reading a CSV."""

from __future__ import annotations

import pytest

from pubdata.common.errors import Refused
from pubdata.common.ids import credit_code_check_char
from pubdata.products.call_pages import codes_from_csv, codes_from_text
from pubdata.products.calls import MAX_SUBJECTS, Request, checked_subjects, request_digest


def code(serial: int) -> str:
    first17 = f"91341700MA{serial:07d}"
    return first17 + credit_code_check_char(first17)


def _rule(subjects: list[str] | None) -> tuple[str, dict] | None:
    try:
        checked_subjects(subjects)
    except Refused as refusal:
        return refusal.rule, refusal.params
    return None


def test_a_batch_is_well_formed_codes_none_twice_named_by_position_only():
    assert checked_subjects([code(1), f" {code(2).lower()} "]) == (code(1), code(2))
    assert _rule([]) == ("call.subjects-needed", {"most": MAX_SUBJECTS})
    assert _rule(None) == ("call.subjects-needed", {"most": MAX_SUBJECTS})
    assert _rule([code(n) for n in range(MAX_SUBJECTS + 1)])[0] == "call.subjects-needed"
    wrong = code(3)[:-1] + ("0" if code(3)[-1] != "0" else "1")
    assert _rule([code(1), wrong]) == ("call.subject-invalid", {"position": 2})
    assert _rule([code(1), code(2), code(1)]) == ("call.subject-repeated", {"position": 3})


def test_a_refusal_for_a_subject_never_echoes_its_code():
    wrong = code(3)[:-1] + ("0" if code(3)[-1] != "0" else "1")
    with pytest.raises(Refused) as refused:
        checked_subjects([wrong])
    assert wrong not in refused.value.detail_in("zh-CN") and wrong not in refused.value.detail_in("en")


def test_the_ledger_keeps_a_digest_of_the_request_not_the_request():
    asked = Request(subjects=(code(1), code(2)))
    digest = request_digest(asked)
    assert len(digest) == 64 and code(1) not in digest
    assert digest == request_digest(Request(subjects=(code(2), code(1))))  # the same batch in another order
    assert digest != request_digest(Request(subjects=(code(1),)))
    assert request_digest(Request(parameters={"district": "贵池区"})) != request_digest(Request())


def test_credit_codes_from_a_typed_list_and_from_a_csv_with_or_without_its_header(tmp_path):
    assert codes_from_text(f"{code(1)}\n{code(2)}， {code(3)}") == [code(1), code(2), code(3)]
    with_header = tmp_path / "with.csv"
    with_header.write_text(f"统一社会信用代码,企业名称\n{code(1)},甲公司\n{code(2)},乙公司\n", encoding="gb18030")
    assert codes_from_csv(with_header) == [code(1), code(2)]
    bare = tmp_path / "bare.csv"
    bare.write_text(f"\ufeff{code(1)}\n\n{code(2)}\n", encoding="utf-8")
    assert codes_from_csv(bare) == [code(1), code(2)]
