"""The public ledger does not show who logged in (issue 11, point 11): an entry about a person's session or
account stays a leaf of the tree — counted, proved, its leaf hash unchanged — but the public API and the
public page show it only as an internal operation, with no actor, subject, payload digest or action code;
every other entry shows its label, the organisation that acted, and a link to its subject's public page. No
internal code (``user:7``, ``resource:1``) is ever public."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pubdata.app import create_app
from pubdata.common import messages
from pubdata.ledger import merkle, service
from pubdata.ledger.models import LedgerEntry
from tests.scenarios import log_in_page

INTERNAL_CODE = re.compile(r"\b(?:user|app_user|api_token|resource|resource_version|organisation|contract):\d+")


@pytest.fixture
def client(platform, city):
    with TestClient(create_app(platform)) as test_client:
        yield test_client


def log_in(client: TestClient) -> None:
    log_in_page(client, "police.admin")


def recorded(platform) -> list[LedgerEntry]:
    with platform.read() as session:
        return list(session.execute(select(LedgerEntry).order_by(LedgerEntry.seq)).scalars())


def public_entries(client: TestClient) -> dict[int, dict]:
    entries = client.get("/api/v1/ledger/entries?limit=500").json()
    return {entry["seq"]: entry for entry in entries}


def test_a_login_is_kept_in_the_tree_but_shown_only_as_an_internal_operation(client, platform):
    before = client.get("/api/v1/ledger/tree-head").json()
    log_in(client)
    rows = recorded(platform)
    login = rows[-1]
    assert login.action == "identity.session.open"  # the control plane keeps who it was
    head = client.get("/api/v1/ledger/tree-head").json()
    assert head["size"] == len(rows) == before["size"] + 1  # counted in the tree

    shown = public_entries(client)
    assert set(shown) == {row.seq for row in rows}
    personal = [row for row in rows if messages.is_personal(row.action)]
    assert {row.action for row in personal} >= {"identity.session.open", "identity.user.create", "identity.token.issue"}
    for row in personal:
        entry = shown[row.seq]
        assert entry["internal"] is True and entry["label"] == "内部操作", entry
        assert entry["actor"] is None and entry["subject"] is None and entry["action"] is None
        assert entry["payload_digest"] is None and entry["state_digest"] is None
        assert entry["leaf_hash"] == row.leaf_hash.hex()  # the leaf itself is unchanged
    text = client.get("/api/v1/ledger/entries?limit=500").text
    assert "identity.session" not in text and "police.admin" not in text
    assert INTERNAL_CODE.search(text) is None, INTERNAL_CODE.search(text)

    # The login's inclusion proof verifies from its public leaf hash, and the log before it is a prefix.
    hasher = merkle.Hasher(head["hash_algorithm"])
    proved = client.get(f"/api/v1/ledger/entries/{login.seq}").json()
    assert proved["entry"]["internal"] is True and proved["entry"]["actor"] is None
    assert INTERNAL_CODE.search(str(proved)) is None and "document" not in proved["entry"]
    leaf = bytes.fromhex(proved["entry"]["leaf_hash"])
    assert leaf == hasher.leaf(service.document_of(login))  # the leaf hashes what it always hashed
    path = [bytes.fromhex(node) for node in proved["inclusion_proof"]["audit_path"]]
    root = bytes.fromhex(proved["tree_head"]["root_hash"])
    assert merkle.verify_inclusion(hasher, login.seq, proved["tree_head"]["size"], leaf, path, root)
    consistency = client.get(f"/api/v1/ledger/consistency?first={before['size']}&second={head['size']}").json()
    assert merkle.verify_consistency(
        hasher,
        before["size"],
        head["size"],
        bytes.fromhex(before["root_hash"]),
        bytes.fromhex(head["root_hash"]),
        [bytes.fromhex(node) for node in consistency["consistency_path"]],
    )


def test_other_entries_show_their_label_the_organisation_and_the_subjects_public_page(client, platform):
    log_in(client)
    rows, shown = recorded(platform), public_entries(client)
    for row in rows:
        if not messages.is_personal(row.action):
            entry = shown[row.seq]
            assert entry["internal"] is False and entry["action"] == row.action
            assert (entry["label"], entry["label_en"]) == messages.action(row.action)
            assert entry["payload_digest"] == row.payload_digest
    registered = next(row for row in rows if row.action == "catalog.resource.registered-first")
    entry = shown[registered.seq]
    assert entry["subject"] == {
        "kind": "数据资源",
        "kind_en": "Data resource",
        "title": "人口基础信息库",
        "url": "/catalog/CZ-RK-0001",
    }
    assert client.get(entry["subject"]["url"]).status_code == 200  # the link is a public page
    described = next(row for row in rows if row.action == "catalog.resource.describe")
    assert shown[described.seq]["actor"] == "池州市公安局"  # the organisation, not the person
    system = next(row for row in rows if row.organisation_id is None and not messages.is_personal(row.action))
    assert shown[system.seq]["actor"] == "平台"


def test_the_public_page_shows_no_session_and_links_the_catalogue(client, platform):
    log_in(client)
    rows = recorded(platform)
    login = rows[-1]
    client.cookies.clear()  # anyone, not logged in
    page = client.get("/ledger").text
    row = re.search(rf'<tr data-testid="ledger-entry" data-seq="{login.seq}".*?</tr>', page, re.S)
    assert row is not None and "内部操作" in row[0]
    assert "登录" not in row[0] and "police.admin" not in page and "池州市公安局" not in row[0]
    assert INTERNAL_CODE.search(page) is None, INTERNAL_CODE.search(page)
    registered = next(row for row in rows if row.action == "catalog.resource.registered-first")
    older = client.get(f"/ledger?before={registered.seq + 1}").text
    assert '<a href="/catalog/CZ-RK-0001">人口基础信息库</a>' in older and "完成首次登记" in older
    check = client.get(f"/ledger/check?seq={login.seq}").text
    assert "内部操作" in check and "identity.session.open" not in check
    assert "已验证" in check  # the inclusion proof verifies, checked from the entry's contents
