"""The demo's bank (demo/privacy.py, issue 14's item 7): its applicants matched, the matches labelled and all of
them scored through pubdata_client; the results written beside demo-accounts.json, each run in the ledger with
its set version, item count and the bank's user."""

from __future__ import annotations

import csv
import json

from sqlalchemy import select

from pubdata.demo import privacy as bank_demo
from pubdata.identity import service as identity
from pubdata.ledger.models import LedgerEntry
from tests.client.plain import a_rated, penalties_of_members


def _read(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _charges(platform) -> dict[str, list[dict]]:
    """The contract.call entries of protocol runs, by protocol, in ledger order."""
    with platform.read() as session:
        found = session.execute(
            select(LedgerEntry).where(LedgerEntry.action == "contract.call").order_by(LedgerEntry.seq)
        ).scalars()
        entries = [{"actor": e.actor, "payload": json.loads(e.payload)} for e in found]
    by_protocol: dict[str, list[dict]] = {}
    for entry in entries:
        if "protocol" in entry["payload"]:
            by_protocol.setdefault(entry["payload"]["protocol"], []).append(entry)
    return by_protocol


def test_the_bank_matches_labels_and_scores_its_applicants_through_the_client(bank_city):
    platform, document = bank_city
    folder = platform.settings.data_dir
    applicants = _read(folder / bank_demo.APPLICANTS_FILE)
    codes = [row[bank_demo.CODE_COLUMN] for row in applicants]
    members = a_rated(platform)
    assert 0 < sum(code in members for code in codes) < len(codes)

    matched = _read(folder / bank_demo.RESULTS["match"])
    assert [row[bank_demo.CODE_COLUMN] for row in matched] == codes
    assert [row["在集合中"] == "是" for row in matched] == [code in members for code in codes]

    labels = _read(folder / bank_demo.RESULTS["lookup"])
    expected = penalties_of_members(platform)
    assert {row[bank_demo.CODE_COLUMN]: row[bank_demo.LOOKUP.label.words.zh] for row in labels} == {
        code: expected[code] for code in codes if code in members
    }

    scores = _read(folder / bank_demo.RESULTS["score"])
    assert [row[bank_demo.CODE_COLUMN] for row in scores] == codes
    assert all(-0.2 < float(row["联合评分"]) < 1.2 for row in scores)  # the logistic's cubic, near [0, 1]
    assert len({row["联合评分"] for row in scores}) > len(scores) // 2  # scores, not one constant

    # What demo-accounts.json offers to try again by hand, with pubdata-client against the served demo.
    offered = {item["name"]: item for item in document["products"]}
    for name in (bank_demo.PSI_NAME, bank_demo.LOOKUP_NAME, bank_demo.SCORING_NAME):
        assert offered[name]["consumer_login"] == "bank.admin"
        assert offered[name]["try"].startswith("pubdata-client ") and offered[name]["product"] in offered[name]["try"]
    assert "--keys" in offered[bank_demo.SCORING_NAME]["try"]


def test_the_ledger_shows_each_of_the_banks_runs(bank_city):
    platform, _ = bank_city
    folder = platform.settings.data_dir
    applicants = _read(folder / bank_demo.APPLICANTS_FILE)
    with platform.read() as session:
        bank = identity.find_user(session, login="bank.admin")
    charges = _charges(platform)
    # The demo's own runs come first: the capture tests run theirs on the same city afterwards.
    first = {protocol: entries[0] for protocol, entries in charges.items()}
    assert set(first) >= {"psi", "labelled_lookup", "joint_scoring"}
    assert first["psi"]["payload"]["items"] == len(applicants)
    assert first["labelled_lookup"]["payload"]["items"] == len(_read(folder / bank_demo.RESULTS["lookup"]))
    assert first["joint_scoring"]["payload"]["items"] == len(applicants)
    for entry in first.values():
        assert entry["actor"] == f"user:{bank.id}"
        assert len(entry["payload"]["set_version"]) == 64
    text = json.dumps(charges, ensure_ascii=False)
    assert not any(row[bank_demo.CODE_COLUMN] in text for row in applicants[:50])  # counts, never the items
