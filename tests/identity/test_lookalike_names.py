"""Names that look like another are the same name or no name (issue 11, point 8): every lookalike of an existing
organisation is refused with the rule it breaks, or normalised (NFKC) into the name it imitates and refused as
taken — through the API and through the form alike, on both databases; the same type guards every other name
and label the platform keeps."""

from __future__ import annotations

import unicodedata

import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.common.errors import Refused
from pubdata.common.names import clean, clean_prose
from pubdata.identity import service as identity
from tests.data import PERSON_FIELDS, resource_body
from tests.scenarios import AS_CLI, PASSWORD, make_account

POLICE = "池州市公安局"  # the demo city's police bureau
# A second existing name, with what NFD decomposes (é) and what NFKC folds (letters and a digit).
CAFE = "池州Café 1号数据服务中心"

# (what it is, the name sent, the rule it is refused by: a lookalike normalised into an existing name is taken)
LOOKALIKES = [
    ("zero-width space inside", "池州市\u200b公安局", "text.format"),
    ("NFD twin", unicodedata.normalize("NFD", CAFE), "identity.organisation-exists"),
    ("full-width letters and digit (NFKC)", "池州Ｃａｆé １号数据服务中心", "identity.organisation-exists"),
    ("right-to-left override", "池州市公安局\u202e", "text.format"),
    ("NUL byte", "池州市公安局\x00", "text.control"),
    ("only a zero-width space", "\u200b", "text.format"),
    ("only an ideographic space", "\u3000", "text.blank"),
    ("byte-order mark", "\ufeff池州市公安局", "text.format"),
    ("zero-width joiner", "池州市公\u200d安局", "text.format"),
    ("only a Hangul filler", "\u3164", "text.invisible"),
    ("a line separator", "池州市\u2028公安局", "text.separator"),
    ("a private-use character", "池州市公安局\ue000", "text.private-use"),
    ("two ideographic spaces", "池州市\u3000\u3000公安局", None),  # normalised, not a lookalike: see below
]
IDS = [what for what, _, _ in LOOKALIKES]


@pytest.fixture
def bureau(platform):
    account = make_account(platform, kind="bureau", name="池州市数据资源局", login="bureau.admin")
    make_account(platform, kind="provider", name=POLICE, login="police.admin")
    make_account(platform, kind="consumer", name=CAFE, login="cafe.admin")
    return account


@pytest.fixture
def client(platform, bureau):
    with TestClient(create_app(platform)) as test_client:
        yield test_client


def organisation_names(platform) -> list[str]:
    with platform.read() as session:
        return sorted(org.name for org in identity.list_organisations(session, principal=AS_CLI))


@pytest.mark.parametrize(("what", "name", "rule"), LOOKALIKES, ids=IDS)
def test_the_api_refuses_a_lookalike_of_an_existing_organisation(client, platform, bureau, what, name, rule):
    before = organisation_names(platform)
    answer = client.post("/api/v1/organisations", headers=bureau.headers, json={"kind": "consumer", "name": name})
    if rule is None:  # inner white space is one space: a new name, stored as shown
        assert answer.status_code == 201, answer.text
        assert answer.json()["name"] == "池州市 公安局"
        return
    assert answer.status_code in (409, 422), answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["rule"] == rule
    assert organisation_names(platform) == before


def _logged_in(client: TestClient) -> str:
    client.get("/login")
    csrf = client.cookies["pubdata_csrf"]
    client.post("/login", data={"login": "bureau.admin", "password": PASSWORD, "csrf_token": csrf})
    return client.cookies["pubdata_csrf"]


@pytest.mark.parametrize(("what", "name", "rule"), [item for item in LOOKALIKES if item[2]], ids=IDS[:-1])
def test_the_form_refuses_the_same_lookalikes(client, platform, what, name, rule):
    csrf = _logged_in(client)
    before = organisation_names(platform)
    answer = client.post(
        "/admin/organisations", data={"name": name, "kind": "consumer", "csrf_token": csrf}, follow_redirects=False
    )
    assert answer.status_code == (409 if rule.endswith("-exists") else 422), answer.text
    assert "<html" in answer.text and 'role="alert"' in answer.text
    assert organisation_names(platform) == before


def test_a_lookalike_is_refused_by_the_service_itself(platform):
    """The command line and the demo reach the same service: no way round the type."""
    make_account(platform, kind="provider", name=POLICE, login="police.admin")
    for name in ("池州市\u200b公安局", "池州市公安局\x00", "\u3000"):
        with pytest.raises(Refused), platform.command() as session:
            identity.create_organisation(session, principal=AS_CLI, kind="consumer", name=name)
    assert organisation_names(platform) == [POLICE]


# --- every other name and label ---------------------------------------------------------------------------


def test_users_and_tokens_and_resources_and_sources_refuse_invisible_characters(client, platform, bureau):
    police = make_account(platform, kind="provider", name="池州市公安局交警支队", login="traffic.admin")
    hidden = "名称\u200b"
    user = client.post(
        f"/api/v1/organisations/{police.organisation_id}/users",
        headers=bureau.headers,
        json={"login": "twin.user", "display_name": hidden, "role": "member", "password": PASSWORD},
    )
    token = client.post("/api/v1/tokens", headers=bureau.headers, json={"name": "脚本\u202e"})
    fields = [{**PERSON_FIELDS[0], "label": PERSON_FIELDS[0]["label"] + "\ufeff"}, *PERSON_FIELDS[1:]]
    label = client.post("/api/v1/resources", headers=police.headers, json=resource_body(fields=fields))
    resource = client.post("/api/v1/resources", headers=police.headers, json=resource_body(name="人口\u200d信息"))
    source = client.post(
        "/api/v1/sources",
        headers=bureau.headers,
        json={"name": "人口库\x00", "provider_id": police.organisation_id, "url": "postgresql://r@10.1.2.3/pop"},
    )
    for answer, rule in (
        (user, "text.format"),
        (token, "text.format"),
        (label, "text.format"),
        (resource, "text.format"),
    ):
        assert answer.status_code == 422 and answer.json()["rule"] == rule, answer.text
    assert source.status_code == 422 and source.json()["rule"] == "text.control", source.text


# --- the type itself --------------------------------------------------------------------------------------


def test_the_normal_form():
    assert clean("  Ｃｈｉｚｈｏｕ\u3000１号 ", field="name") == "Chizhou 1号"
    assert clean(unicodedata.normalize("NFD", "Café"), field="name") == "Café"
    assert clean("市公安局人口库（只读）", field="name") == "市公安局人口库(只读)"  # NFKC: one form of brackets
    assert clean("", field="time_span", blank=True) == ""
    assert clean_prose("第一行\r\n\t第二行（说明）", field="description") == "第一行\n\t第二行（说明）"
    for text, rule in (("\u2800", "text.blank"), ("a\ud800", "text.surrogate"), ("a\U000e0100", "text.invisible")):
        with pytest.raises(Refused) as refused:
            clean(text, field="name")
        assert refused.value.rule == rule
    with pytest.raises(Refused) as refused:
        clean_prose("说明\u200b", field="description")
    assert refused.value.rule == "text.format" and "U+200B" in refused.value.detail
    with pytest.raises(Refused) as refused:
        clean("x" * 201, field="name", max_length=200)
    assert refused.value.rule == "text.too-long"
