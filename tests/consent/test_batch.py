"""A batch of authorization letters (a bank's applicants) on both databases: checked against the registry in one
query, all or none, each refusal naming positions only, counted against the consumer's day, names never kept."""

from __future__ import annotations

import json
import random

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from pubdata.app import create_app
from pubdata.catalog import service as catalog
from pubdata.common.digest import sm3
from pubdata.ledger import service as ledger
from pubdata.ledger.models import LedgerEntry
from pubdata.platform import Platform
from pubdata.privacy import consent
from pubdata.privacy.models import Consent
from pubdata.privacy.schemas import LetterBatchIn
from tests import scenarios
from tests.consent.conftest import ACTIVE, CLOSED, ENTITIES, OTHER, UNKNOWN_CODE, VERIFY, Entity, World, _code
from tests.consent.test_consent import checks_left, entries, grant, refusal_of
from tests.data import csv_text, person_name, resident_id

ACTIVE_ENTITIES = [entity for entity in ENTITIES if entity.status == "存续"]


def digest_of(position: int) -> str:
    return sm3(f"%PDF-1.7 letter {position}".encode())


def letters_of(entities, **changes) -> list[dict[str, str]]:
    return [
        {"credit_code": e.code, "legal_rep_name": e.rep, "letter_sm3": digest_of(n)} | changes
        for n, e in enumerate(entities, start=1)
    ]


def batch(world: World, letters: list[dict[str, str]], **changes) -> LetterBatchIn:
    values = {
        "product_code": world.codes[VERIFY],
        "purpose": "industry",
        "valid_from": "2026-03-02",
        "valid_until": "2026-12-31",
        "letters": letters,
    }
    return LetterBatchIn.model_validate(values | changes)


def record(platform: Platform, world: World, letters, login: str = "bank.admin", checks_per_day=None, **changes):
    return consent.record_letters(
        platform,
        principal=scenarios.principal(platform, login),
        body=batch(world, letters, **changes),
        engine=platform.query_engine,
        checks_per_day=checks_per_day,
    )


def consents_of(platform: Platform) -> list[Consent]:
    with platform.read() as session:
        return list(session.scalars(select(Consent).order_by(Consent.id)))


def test_a_matching_batch_is_recorded_each_letter_a_consent_with_its_entry(platform, world):
    before = checks_left(platform)
    recorded = record(platform, world, letters_of(ACTIVE_ENTITIES))
    assert [c.subject_credit_code for c in recorded] == [e.code for e in ACTIVE_ENTITIES]
    assert [c.letter_sm3 for c in recorded] == [digest_of(n) for n in range(1, len(ACTIVE_ENTITIES) + 1)]
    assert {c.via for c in recorded} == {"letter"}
    assert checks_left(platform) == before - len(ACTIVE_ENTITIES)
    kept = entries(platform, "consent.letter")
    assert len(kept) == len(ACTIVE_ENTITIES)
    payloads = [json.loads(entry.payload) for entry in kept]
    assert [p["batch"]["position"] for p in payloads] == list(range(1, len(ACTIVE_ENTITIES) + 1))
    assert len({p["batch"]["sm3"] for p in payloads}) == 1
    assert {p["outcome"] for p in payloads} == {"matched"}
    # The subject with its own account sees the letter recorded about it; a call now finds every consent.
    assert recorded[0].subject_organisation_id == world.accounts["firm"].organisation_id
    with platform.read() as session:
        found = consent.require(
            session,
            consumer_id=world.accounts["bank"].organisation_id,
            product_id=world.products[VERIFY],
            purpose="industry",
            credit_codes=[e.code for e in ACTIVE_ENTITIES],
        )
    assert len(found) == len(ACTIVE_ENTITIES)


@pytest.mark.parametrize(
    ("position", "change"),
    [
        (3, {"legal_rep_name": "欧阳不是"}),  # another name
        (1, {"credit_code": CLOSED.code, "legal_rep_name": CLOSED.rep}),  # an entity no longer active
        (5, {"credit_code": UNKNOWN_CODE}),  # in no registry
        (4, {"legal_rep_name": OTHER.rep}),  # another entity's representative
    ],
)
def test_a_mismatch_refuses_the_whole_batch_by_its_position_only_recorded_and_counted(
    platform, world, position, change
):
    letters = letters_of(ACTIVE_ENTITIES[:6])
    letters[position - 1] |= change
    before = checks_left(platform)
    error = refusal_of(lambda: record(platform, world, letters))
    assert (error.rule, error.status, error.extra) == ("consent.batch-mismatch", 403, {"positions": [position]})
    assert error.detail_in("en") == (
        f"Letters {position} do not match the registry entry, so the batch was not recorded; its checks are in the "
        "ledger and count against today's letter checks."
    )
    assert consents_of(platform) == []
    assert entries(platform, "consent.letter") == []
    assert checks_left(platform) == before - 6
    [entry] = entries(platform, "consent.letters-refused")
    payload = json.loads(entry.payload)
    assert payload["outcome"] == "not-matched" and payload["letters"] == 6
    assert payload["mismatched"] == [{"position": position, "credit_code": letters[position - 1]["credit_code"]}]


def test_several_mismatches_are_all_named_and_alike(platform, world):
    letters = letters_of(ACTIVE_ENTITIES[:6])
    letters[1] |= {"legal_rep_name": "欧阳不是"}
    letters[4] |= {"credit_code": UNKNOWN_CODE}
    error = refusal_of(lambda: record(platform, world, letters))
    assert error.extra == {"positions": [2, 5]}
    assert "2, 5" in error.detail_in("zh")


def test_a_batch_over_the_days_checks_is_refused_before_the_registry_is_read(platform, world):
    letters = letters_of(ACTIVE_ENTITIES[:7])
    record(platform, world, letters[:2], checks_per_day=5)
    error = refusal_of(lambda: record(platform, world, letters[2:6], checks_per_day=5))
    assert (error.rule, error.status) == ("consent.batch-limit", 429)
    assert error.params == {"count": 4, "left": 3, "limit": 5}
    assert entries(platform, "consent.letters-refused") == []  # nothing read, nothing counted
    assert checks_left(platform) == 2000 - 2 and len(consents_of(platform)) == 2
    assert len(record(platform, world, letters[2:5], checks_per_day=5)) == 3
    # The day's checks are used up for this consumer, not another, and come back the next day.
    assert refusal_of(lambda: record(platform, world, letters[6:], checks_per_day=5)).rule == "consent.batch-limit"
    assert len(record(platform, world, letters[6:], login="bank2.admin", checks_per_day=1)) == 1
    scenarios.at("2026-03-03")
    assert len(record(platform, world, letters[6:], checks_per_day=1)) == 1


def test_the_default_day_takes_a_banks_batch_and_the_single_letter_shares_it(platform, world):
    assert checks_left(platform) == consent.rules.LETTER_CHECKS_PER_DAY >= 2 * consent.rules.LETTER_BATCH_MAX
    record(platform, world, letters_of(ACTIVE_ENTITIES[:3]))
    assert checks_left(platform) == consent.rules.LETTER_CHECKS_PER_DAY - 3


def test_a_subject_named_twice_is_refused_by_both_positions(platform, world):
    letters = letters_of(ACTIVE_ENTITIES[:4])
    letters[3] = letters[1] | {"credit_code": " " + letters[1]["credit_code"].lower()}  # the same code, typed so
    error = refusal_of(lambda: record(platform, world, letters))
    assert (error.rule, error.extra) == ("consent.batch-duplicate", {"position": 4, "first": 2})
    assert entries(platform, "consent.letters-refused") == [] and checks_left(platform) == 2000


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"credit_code": "91341702MA0000001X"}, "consent.batch-credit-code"),  # a wrong check character
        ({"credit_code": "not a code"}, "consent.batch-credit-code"),
        ({"legal_rep_name": "  "}, "consent.batch-rep-name"),
        ({"letter_sm3": "xyz"}, "consent.batch-digest"),
    ],
)
def test_a_malformed_letter_is_refused_by_its_position_before_anything_is_read(platform, world, change, rule):
    letters = letters_of(ACTIVE_ENTITIES[:5])
    letters[2] |= change
    error = refusal_of(lambda: record(platform, world, letters))
    assert (error.rule, error.status, error.extra) == (rule, 422, {"position": 3})
    assert "Letter 3:" in error.detail_in("en")
    assert entries(platform, "consent.letters-refused") == [] and checks_left(platform) == 2000


def test_a_batch_of_no_letters_or_too_many_is_refused_by_its_size(platform, world):
    assert refusal_of(lambda: record(platform, world, [])).rule == "consent.batch-size"
    many = [letters_of([OTHER])[0]] * (consent.rules.LETTER_BATCH_MAX + 1)
    assert refusal_of(lambda: record(platform, world, many)).rule == "consent.batch-size"


def test_a_subject_already_consented_refuses_the_batch_by_its_position(platform, world):
    granted = grant(platform, world)
    letters = letters_of([OTHER, ACTIVE])
    error = refusal_of(lambda: record(platform, world, letters))
    assert (error.rule, error.extra) == ("consent.batch-overlap", {"position": 2, "credit_code": ACTIVE.code})
    assert error.params["consent"] == granted
    assert len(consents_of(platform)) == 1


def test_a_batch_for_another_consumer_is_refused_and_recorded(platform, world):
    other = world.accounts["bank2"].organisation_id
    error = refusal_of(lambda: record(platform, world, letters_of([OTHER]), consumer_id=other))
    assert error.rule == "consent.other-consumer"
    assert json.loads(entries(platform, "consent.letter-refused")[0].payload)["outcome"] == "other-consumer"


def test_the_typed_names_are_never_in_the_ledger_or_the_database(platform, world):
    letters = letters_of(ACTIVE_ENTITIES[:-1])
    record(platform, world, letters)
    refused = letters_of(ACTIVE_ENTITIES[-1:])
    refused[0]["legal_rep_name"] = "司马未名"  # a name in no registry, refused
    assert refusal_of(lambda: record(platform, world, refused)).rule == "consent.batch-mismatch"
    names = [e.rep for e in ACTIVE_ENTITIES] + ["司马未名"]
    with platform.read() as session:
        payloads = list(session.scalars(select(LedgerEntry.payload)))
        dump = "\n".join(
            str(row) for table in _tables(session) for row in session.execute(text(f"SELECT * FROM {table}"))
        )
    assert payloads and not any(name in payload for payload in payloads for name in names)
    assert not any(name in dump for name in names)


def _tables(session) -> list[str]:
    from sqlalchemy import inspect

    return [name for name in inspect(session.get_bind()).get_table_names() if not name.startswith("alembic")]


def test_the_api_records_a_batch_and_refuses_any_input_with_a_4xx(platform, world):
    bank = world.accounts["bank"].headers
    body = batch(world, letters_of(ACTIVE_ENTITIES[:3])).model_dump(mode="json", exclude={"consumer_id"})
    with TestClient(create_app(platform)) as client:
        answer = client.post("/api/v1/consents/letters/batch", headers=bank, json=body)
        assert answer.status_code == 201, answer.text
        assert [c["subject_credit_code"] for c in answer.json()["consents"]] == [e.code for e in ACTIVE_ENTITIES[:3]]
        assert answer.json()["checks_left"] == 2000 - 3
        mismatch = body | {"letters": letters_of(ACTIVE_ENTITIES[3:5], legal_rep_name="欧阳不是")}
        refused = client.post("/api/v1/consents/letters/batch", headers=bank, json=mismatch)
        assert (refused.status_code, refused.json()["rule"], refused.json()["positions"]) == (
            403,
            "consent.batch-mismatch",
            [1, 2],
        )
        assert "欧阳不是" not in refused.text
        for wrong in (
            "{",
            [],
            {"letters": "x"},
            body | {"letters": [{"credit_code": "x" * 40}]},
            body | {"letters": [{}] * 3},
            body | {"letters": None},
            body | {"valid_from": "tomorrow"},
            body | {"product_code": "NOPE"},
            body | {"extra": 1},
        ):
            content = wrong if isinstance(wrong, str) else json.dumps(wrong)
            headers = bank | {"Content-Type": "application/json"}
            answer = client.post("/api/v1/consents/letters/batch", headers=headers, content=content)
            assert 400 <= answer.status_code < 500, (wrong, answer.status_code, answer.text)
            assert answer.json()["rule"]
        subject = world.accounts["firm"].headers
        assert client.post("/api/v1/consents/letters/batch", headers=subject, json=body).status_code in (403, 404)


def csv_of(letters: list[dict[str, str]], header: str = "credit_code,legal_rep_name,letter_sm3") -> bytes:
    rows = [header] + [f"{x['credit_code']},{x['legal_rep_name']},{x['letter_sm3']}" for x in letters]
    return ("\ufeff" + "\r\n".join(rows) + "\r\n").encode()  # as a spreadsheet saves it: UTF-8 with its mark


def test_the_page_takes_a_csv_of_the_batch_and_names_positions_or_a_line(platform, world):
    client, csrf = scenarios.page_client(platform, "bank.admin")
    page = client.get("/consents")
    assert page.status_code == 200 and 'data-testid="record-letters"' in page.text
    form = {
        "csrf_token": csrf,
        "product_code": world.codes[VERIFY],
        "purpose": "industry",
        "valid_from": "2026-03-02",
        "valid_until": "2026-12-31",
    }
    chinese = "统一社会信用代码,法定代表人,授权书SM3"
    done = client.post(
        "/consents/letters/batch",
        data=form,
        files={"letters": ("letters.csv", csv_of(letters_of(ACTIVE_ENTITIES[:3]), chinese), "text/csv")},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/consents"), done.text
    assert [c.subject_credit_code for c in consents_of(platform)] == [e.code for e in ACTIVE_ENTITIES[:3]]
    wrong = letters_of(ACTIVE_ENTITIES[3:6])
    wrong[1]["legal_rep_name"] = "欧阳不是"
    refused = client.post("/consents/letters/batch", data=form, files={"letters": ("l.csv", csv_of(wrong), "text/csv")})
    assert refused.status_code == 403 and "第 2 封授权书与登记信息不符" in refused.text
    assert "欧阳不是" not in refused.text and ACTIVE_ENTITIES[4].rep not in refused.text
    assert f'value="{form["valid_until"]}"' in refused.text  # what the form typed, but never the list
    broken = csv_of(letters_of(ACTIVE_ENTITIES[3:6])) + b"only-one-cell\r\n"
    line = client.post("/consents/letters/batch", data=form, files={"letters": ("l.csv", broken, "text/csv")})
    assert line.status_code == 422 and "第 5 行有误" in line.text
    for content in (b"", b"\xff\xfe not utf-8", b"name,code\r\nx,y\r\n"):
        bad = client.post("/consents/letters/batch", data=form, files={"letters": ("l.csv", content, "text/csv")})
        assert bad.status_code == 422 and "第 1 行有误" in bad.text
    assert len(consents_of(platform)) == 3
    # A subject's account records no letters; a forged form is refused before the list is read.
    firm, _ = scenarios.page_client(platform, "firm.admin")
    files = {"letters": ("l.csv", csv_of(wrong), "text/csv")}
    assert firm.post("/consents/letters/batch", data=form, files=files).status_code in (403, 404)
    assert client.post("/consents/letters/batch", data=form | {"csrf_token": "x"}, files=files).status_code == 403


def applicants(platform: Platform, count: int) -> list[Entity]:
    """A new version of the registry with ``count`` more active enterprises (a bank's applicants of a day)."""
    rng = random.Random(21)
    extra = [Entity(_code(5000 + n), f"池州申请{n}号有限公司", person_name(rng), "存续") for n in range(count)]
    rows = [
        {
            "credit_code": e.code,
            "name": e.name,
            "legal_rep_name": e.rep,
            "legal_rep_id": resident_id(rng),
            "status": e.status,
        }
        for e in ENTITIES + extra
    ]
    path = platform.settings.data_dir / "registry-v2.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    with platform.read() as session:
        resource_id = catalog.find_id(session, code="CZ-FR-0001")
    result, version = catalog.load(
        platform,
        principal=scenarios.principal(platform, "police.admin"),
        resource_id=resource_id,
        domain_dir=platform.settings.domain_dir,
        source_format="csv",
        path=path,
    )
    assert version is not None, result
    return extra


def test_a_banks_day_of_a_thousand_letters_is_one_batch(platform, world):
    extra = applicants(platform, consent.rules.LETTER_BATCH_MAX)
    letters = letters_of(extra)
    letters[-1]["legal_rep_name"] = extra[0].rep  # the first applicant's representative, for the last one
    error = refusal_of(lambda: record(platform, world, letters))
    assert (error.rule, error.extra) == ("consent.batch-mismatch", {"positions": [len(letters)]})
    letters[-1]["legal_rep_name"] = extra[-1].rep
    recorded = record(platform, world, letters)
    assert [c.subject_credit_code for c in recorded] == [e.code for e in extra]
    assert len(entries(platform, "consent.letter")) == len(extra)
    assert checks_left(platform) == consent.rules.LETTER_CHECKS_PER_DAY - 2 * len(extra)
    # The registry's new version is what the letters were checked against, and each entry says so.
    versions = {json.loads(entry.payload)["registry"]["version"] for entry in entries(platform, "consent.letter")}
    assert len(versions) == 1
    # Each consent is exactly as its one entry recorded it (the batch's single append, as record would leave it).
    with platform.read() as session:
        kept = list(session.scalars(select(Consent).order_by(Consent.id)))
        assert len(kept) == len(extra) and all(ledger.matches_latest_entry(session, row) for row in kept)
