"""Per-subject products on the pilot's real data (the demo's own generators, loaded through the catalogue and read
by DuckDB): each verification and the credit profile answer each subject as a plain reading of the same source
rows says they should, with exactly the declared fields, the declared answer for a subject with no record, and
refusals for bad credit codes by their position."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from pubdata import demo
from pubdata.common.errors import Refused
from pubdata.common.ids import credit_code_check_char
from pubdata.config import Settings
from pubdata.demo import pilot
from pubdata.engines.base import Limits
from pubdata.engines.duckdb import DuckDBEngine
from pubdata.engines.plan import PlanInconsistent
from pubdata.platform import Platform, open_platform
from pubdata.products import compute
from pubdata.products import definitions as d

SCALE = 0.01
TODAY = date(2026, 11, 5)
MONTH, SINCE12, SINCE24 = "2026-11", "2025-12", "2024-12"
SINCE3Y = date(2023, 11, 6)


@pytest.fixture(scope="module")
def pilot_platform(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    folder = tmp_path_factory.mktemp("pilot-platform")
    shutil.copy(sqlite_template, folder / "pubdata.sqlite3")
    platform = open_platform(Settings(data_dir=folder / "data", database_url=f"sqlite:///{folder / 'pubdata.sqlite3'}"))
    demo.build(platform, scale=SCALE)
    yield platform
    platform.close()


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, str]]]:
    """The very rows the demo loaded (same generator, seed and scale), read as plain CSV: the reference."""
    paths = pilot.write_sources(tmp_path_factory.mktemp("pilot-sources"), scale=SCALE)
    rows = {}
    for code, path in paths.items():
        with path.open(encoding="utf-8", newline="") as handle:
            rows[code] = list(csv.DictReader(handle))
    return rows


@pytest.fixture(scope="module")
def engine(pilot_platform: Platform) -> DuckDBEngine:
    return DuckDBEngine(store=pilot_platform.settings.domain_dir)


def unknown_code(serial: int = 0) -> str:
    """A well-formed credit code no pilot enterprise holds (authority 0 is assigned to no one)."""
    first17 = f"0134170200000{serial:04d}"
    return first17 + credit_code_check_char(first17)


def answers(platform, engine, definition, codes):
    return compute.answer_subjects(platform, definition=definition, credit_codes=codes, engine=engine, today=TODAY)


def of(rows: list[dict[str, str]], code: str, column: str = "credit_code") -> list[dict[str, str]]:
    return [row for row in rows if row[column] == code]


def codes_of(sources) -> list[str]:
    return [row["credit_code"] for row in sources[d.LEGAL_ENTITIES]]


# --- verifications -------------------------------------------------------------------------------------------


def expected_verification(check: str, code: str, sources) -> str:
    if check == "entity_active":
        return "yes" if any(r["status"] == "存续" for r in of(sources[d.LEGAL_ENTITIES], code)) else "no"
    if check == "social_insurance_arrears":
        window = [r for r in of(sources[d.SOCIAL_INSURANCE], code) if SINCE12 <= r["insured_month"] <= MONTH]
        return "yes" if any(r["in_arrears"] == "是" for r in window) else "no"
    if check == "tax_arrears_over":
        window = [r for r in of(sources[d.TAX_PAYMENTS], code) if SINCE12 <= r["tax_month"] <= MONTH]
        return "yes" if sum(r["filed_on_time"] == "否" for r in window) > 0 else "no"
    if check == "licence_valid":
        held = of(sources[d.E_LICENCES], code, "holder_credit_code")
        valid = [
            r
            for r in held
            if r["licence_type"] == "食品经营许可证"
            and r["status"] == "有效"
            and date.fromisoformat(r["issue_date"]) <= TODAY
            and (not r["expiry_date"] or date.fromisoformat(r["expiry_date"]) >= TODAY)
        ]
        return "yes" if valid else "no"
    assert check == "sales_band"
    window = [r for r in of(sources[d.TAX_PAYMENTS], code) if SINCE12 <= r["tax_month"] <= MONTH]
    if not window:
        return "none"
    total = sum(float(r["declared_sales"]) for r in window)
    return "s1" if total < 1e6 else "s2" if total < 5e6 else "s3" if total < 2e7 else "s4"


VERIFICATIONS = {
    "entity_active": {},
    "social_insurance_arrears": {},
    "tax_arrears_over": {"months": 12},
    "licence_valid": {"licence_type": "食品经营许可证"},
    "sales_band": {},
}


@pytest.mark.parametrize("check", sorted(VERIFICATIONS))
def test_each_verification_answers_every_enterprise_as_its_records_say(pilot_platform, engine, sources, check):
    definition = d.Verification(resources=d.CHECKS[check].resources, check=check, thresholds=VERIFICATIONS[check])
    codes = codes_of(sources)
    found = answers(pilot_platform, engine, definition, codes)
    assert [a.credit_code for a in found] == codes and [a.position for a in found] == list(range(1, len(codes) + 1))
    assert [a.fields["result"] for a in found] == [expected_verification(check, code, sources) for code in codes]
    assert all(set(a.fields) == {"credit_code", "result"} for a in found)
    # The pilot has both answers for every check, so the test above is not passed by a constant.
    assert len({a.fields["result"] for a in found}) >= 2


@pytest.mark.parametrize("check", sorted(VERIFICATIONS))
def test_a_subject_with_no_record_gets_the_declared_answer_and_nothing_more(pilot_platform, engine, check):
    definition = d.Verification(resources=d.CHECKS[check].resources, check=check, thresholds=VERIFICATIONS[check])
    (answer,) = answers(pilot_platform, engine, definition, [unknown_code()])
    assert answer.fields == {"credit_code": unknown_code(), "result": d.CHECKS[check].no_record}


def test_an_inactive_enterprise_and_an_unknown_code_get_the_same_answer(pilot_platform, engine, sources):
    inactive = next(r["credit_code"] for r in sources[d.LEGAL_ENTITIES] if r["status"] != "存续")
    definition = d.Verification(resources=(d.LEGAL_ENTITIES,), check="entity_active")
    first, second = answers(pilot_platform, engine, definition, [inactive, unknown_code()])
    assert first.fields["result"] == second.fields["result"] == "no"


def test_each_subject_is_answered_alone_whatever_else_the_batch_holds(pilot_platform, engine, sources):
    codes = codes_of(sources)[:20]
    definition = d.Verification(resources=(d.SOCIAL_INSURANCE,), check="social_insurance_arrears")
    together = answers(pilot_platform, engine, definition, codes)
    alone = [answers(pilot_platform, engine, definition, [code])[0].fields for code in codes[:5]]
    assert [a.fields for a in together[:5]] == alone
    twice = answers(pilot_platform, engine, definition, [codes[0], codes[0].lower(), codes[1]])
    assert [a.fields["result"] for a in twice] == [together[0].fields["result"]] * 2 + [together[1].fields["result"]]


def test_a_stricter_threshold_is_another_definition_with_another_answer(pilot_platform, engine, sources):
    codes = codes_of(sources)
    lenient = d.Verification(resources=(d.TAX_PAYMENTS,), check="tax_arrears_over", thresholds={"late_months": 24})
    assert {a.fields["result"] for a in answers(pilot_platform, engine, lenient, codes)} == {"no"}


# --- the credit profile ------------------------------------------------------------------------------------


def features_from(sources, code: str) -> dict[str, float | None] | None:
    entity = of(sources[d.LEGAL_ENTITIES], code)
    if not entity:
        return None
    ratings = of(sources[d.TAX_CREDIT_RATINGS], code)
    latest = max(ratings, key=lambda r: int(r["rating_year"]))["rating"] if ratings else None
    insurance = [r for r in of(sources[d.SOCIAL_INSURANCE], code) if SINCE12 <= r["insured_month"] <= MONTH]
    utility = [r for r in of(sources[d.UTILITY_PAYMENTS], code) if SINCE12 <= r["billing_month"] <= MONTH]
    penalties = [
        r for r in of(sources[d.PENALTIES], code) if SINCE3Y <= date.fromisoformat(r["decision_date"]) <= TODAY
    ]
    licences = [
        r
        for r in of(sources[d.E_LICENCES], code, "holder_credit_code")
        if r["status"] == "有效" and (not r["expiry_date"] or date.fromisoformat(r["expiry_date"]) >= TODAY)
    ]
    taxes = of(sources[d.TAX_PAYMENTS], code)
    recent = sum(float(r["total_tax_paid"]) for r in taxes if SINCE12 <= r["tax_month"] <= MONTH)
    earlier = sum(float(r["total_tax_paid"]) for r in taxes if SINCE24 <= r["tax_month"] < SINCE12)
    established = min(date.fromisoformat(r["established_date"]) for r in entity)
    return {
        "registration_active": 1.0 if any(r["status"] == "存续" for r in entity) else 0.0,
        "registration_years": (TODAY - established).days / 365.25,
        "tax_credit_level": d.TAX_CREDIT_LEVELS.get(latest) if latest else None,
        "social_insurance_arrears_months": (
            len({r["insured_month"] for r in insurance if r["in_arrears"] == "是"}) if insurance else None
        ),
        "utility_on_time_ratio": sum(r["paid_on_time"] == "是" for r in utility) / len(utility) if utility else None,
        "utility_overdue_days": max(int(r["overdue_days"]) for r in utility) if utility else None,
        "penalties_count": len(penalties),
        "penalties_amount": sum(float(r["fine_amount"]) for r in penalties),
        "licences_valid": len(licences),
        "tax_paid_trend": recent / earlier if earlier > 0 else None,
    }


def test_the_profile_scores_every_enterprise_as_its_records_say(pilot_platform, engine, sources):
    codes = codes_of(sources)
    found = answers(pilot_platform, engine, d.DEFAULT_PROFILE, codes)
    for answer in found:
        features = features_from(sources, answer.credit_code)
        assert features is not None
        scored = d.score(d.DEFAULT_PROFILE, features)
        assert answer.fields == {
            "credit_code": answer.credit_code,
            "score": scored.score,
            "band": scored.band,
            "reasons": list(scored.reasons),
        }, answer.credit_code
    assert len({a.fields["band"] for a in found}) >= 3  # the pilot's enterprises are not all alike


def test_the_profile_answers_only_score_band_and_reasons_never_a_row_or_an_amount(pilot_platform, engine, sources):
    found = answers(pilot_platform, engine, d.DEFAULT_PROFILE, codes_of(sources)[:10])
    for answer in found:
        assert set(answer.fields) == {"credit_code", "score", "band", "reasons"}
        assert isinstance(answer.fields["score"], int) and 0 <= answer.fields["score"] <= 100
        declared = {code for code, _, _ in d.describe(d.DEFAULT_PROFILE).values["reasons"]}
        assert set(answer.fields["reasons"]) <= declared


def test_an_enterprise_with_no_record_is_banded_no_record(pilot_platform, engine):
    (answer,) = answers(pilot_platform, engine, d.DEFAULT_PROFILE, [unknown_code(7)])
    assert answer.fields == {"credit_code": unknown_code(7), "score": None, "band": "N", "reasons": []}


def test_the_profile_runs_on_the_data_as_of_the_day_asked(pilot_platform, engine, sources):
    code = codes_of(sources)[0]
    later = compute.answer_subjects(
        pilot_platform, definition=d.DEFAULT_PROFILE, credit_codes=[code], engine=engine, today=TODAY + timedelta(3650)
    )[0]
    assert later.fields["band"] != "N"  # still registered; the monthly records are out of the window by then


# --- refusals and review -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "position"),
    [
        (["91341700697421891X"], 1),  # wrong check character
        ([unknown_code(), "12345"], 2),
        ([unknown_code(), unknown_code(1), "91341700697421891I"], 3),  # I is not in the alphabet
        ([unknown_code(), 91341700697421891], 2),
        ([None], 1),
    ],
)
def test_a_bad_credit_code_is_refused_by_its_position_before_any_data_is_read(pilot_platform, engine, codes, position):
    with pytest.raises(Refused) as refused:
        answers(pilot_platform, engine, d.DEFAULT_PROFILE, codes)
    assert refused.value.rule == "product.credit-code" and refused.value.params == {"position": position}
    assert "91341700" not in refused.value.detail_in("zh-CN")


@pytest.mark.parametrize("count", [0, d.BATCH_LIMIT + 1])
def test_a_batch_is_one_to_a_thousand_subjects(pilot_platform, engine, count):
    with pytest.raises(Refused) as refused:
        answers(pilot_platform, engine, d.DEFAULT_PROFILE, [unknown_code()] * count)
    assert refused.value.rule == "product.batch-size"


def test_a_full_batch_of_a_thousand_is_one_answer_each(pilot_platform, engine, sources):
    codes = (codes_of(sources) * 10)[: d.BATCH_LIMIT]
    definition = d.Verification(resources=(d.LEGAL_ENTITIES,), check="entity_active")
    assert len(answers(pilot_platform, engine, definition, codes)) == d.BATCH_LIMIT


def test_a_template_is_not_answered_per_subject(pilot_platform, engine):
    template = d.QueryTemplate(
        resources=(d.LEGAL_ENTITIES,),
        sql="SELECT district, COUNT(*) AS n FROM cz_fr_0001 GROUP BY district",
        outputs=(d.OutputField(name="n", label=d.Words(zh="数", en="n")),),
    )
    with pytest.raises(Refused) as refused:
        answers(pilot_platform, engine, template, [unknown_code()])
    assert refused.value.rule == "product.wrong-kind"


def test_review_accepts_each_check_and_the_profile_over_the_catalogue(pilot_platform):
    with pilot_platform.read() as session:
        compute.check_definition(session, d.DEFAULT_PROFILE)
        for check, thresholds in VERIFICATIONS.items():
            compute.check_definition(
                session, d.Verification(resources=d.CHECKS[check].resources, check=check, thresholds=thresholds)
            )


def test_platform_sql_reads_only_the_tables_it_was_given(pilot_platform, engine):
    with pilot_platform.read() as session:
        tables = compute.subject_tables(session, d.Verification(resources=(d.LEGAL_ENTITIES,), check="entity_active"))
    with pytest.raises(PlanInconsistent):
        engine.run_platform("SELECT COUNT(*) FROM cz_rk_0001", {}, tables=list(tables.values()), limits=Limits(10, 10))
    (row,) = engine.run_platform(
        "WITH c AS (SELECT 1 AS x) SELECT COUNT(*) FROM cz_fr_0001, c WHERE credit_code = $code",
        {"code": "x' OR 1=1 --"},
        tables=list(tables.values()),
        limits=Limits(10, 10),
    ).rows
    assert row == (0,)
