"""Set versions of the other shapes a definition allows: a set restricted to the subjects who consented (the
platform answers nothing about the others, and a new consent is a new set version), a label counting another
resource's rows in the latest years, and a definition the catalogue cannot run refused at review."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from pubdata.common.errors import Refused
from pubdata.ledger.verify import verify
from pubdata.products import compute, definitions
from tests.privacy_computing.world import (
    ENTERPRISES,
    OUTSIDERS,
    PENALTIES,
    RATINGS,
    build_world,
    entries,
    grant,
    lookup,
    match,
    offer,
    subscribed,
)
from tests.scenarios import listed_product

CONSENTED_SET = {
    "kind": "private_set",
    "resources": [RATINGS],
    "members": {"resource": RATINGS, "key_field": "credit_code", "consent": True},
}
PENALTY_COUNT = {
    "kind": "labelled_lookup",
    "resources": [PENALTIES],
    "members": {"resource": PENALTIES, "key_field": "credit_code"},
    "label": {
        "source": "count",
        "resource": PENALTIES,
        "key_field": "credit_code",
        "date_field": "decision_date",
        "years": 3,
        "words": {"zh": "近 3 年行政处罚次数", "en": "Penalties in the latest 3 years"},
    },
}


@pytest.fixture
def world(platform, city):
    return build_world(platform)


def _listed(platform, world, definition, name) -> str:
    return listed_product(
        platform,
        developer_login="operator.admin",
        scenario_id=world["scenario"],
        definition=definition,
        kind=definition["kind"],
        name=name,
        purposes=("industry",),
    )


def test_a_consent_restricted_set_holds_only_consenting_subjects_and_a_new_consent_is_a_new_version(platform, world):
    code = _listed(platform, world, CONSENTED_SET, "已授权企业纳税信用隐私求交")
    subscribed(platform, "bank.admin", code)
    grant(platform, "subject1.admin", world["bank"], code)
    before = offer(platform, code)
    matched, _ = match(platform, code, ENTERPRISES[:3])
    assert matched == [True, False, False]  # the second and third are rated, but gave this bank no consent
    grant(platform, "subject2.admin", world["bank"], code)
    after = offer(platform, code)
    assert after.set_version != before.set_version
    matched, _ = match(platform, code, ENTERPRISES[:3])
    assert matched == [True, True, False]


def test_a_count_label_counts_the_latest_years_only(platform, world):
    code = _listed(platform, world, PENALTY_COUNT, "企业近三年行政处罚次数匿踪查询")
    subscribed(platform, "bank.admin", code)
    items = ENTERPRISES[:8] + OUTSIDERS[:2]
    labels, _ = lookup(platform, code, items)
    assert labels == [str(n % 4) for n in range(1, 9)] + [None, None]
    with platform.read() as session:
        assert verify(session, public_keys=platform.public_keys).ok  # keys, set versions: every row as recorded
    assert {e["payload"]["product"] for e in entries(platform, "privacy.set-built")} == {code}


@pytest.mark.parametrize(
    "members, rule",
    [
        ({"resource": RATINGS, "key_field": "nonexistent"}, "product.definition-field"),
        ({"resource": RATINGS, "key_field": "rating_year"}, "product.definition-field"),  # a key is text
        (
            {
                "resource": RATINGS,
                "key_field": "credit_code",
                "conditions": [{"field": "rating_year", "op": ">", "value": "x"}],
            },
            "product.set-condition",
        ),
        ({"resource": RATINGS, "key_field": "credit_code", "item_kind": "resident_id"}, "product.set-key"),
    ],
)
def test_a_definition_the_catalogue_cannot_run_is_refused_at_review(platform, world, members, rule):
    definition = definitions.parse({"kind": "private_set", "resources": [RATINGS], "members": members})
    with platform.read() as session, pytest.raises(Refused) as refused:
        compute.check_definition(session, definition)
    assert refused.value.rule == rule


def test_two_runs_at_once_build_a_new_set_version_once(platform, world):
    """Both wait for the one build (a lock in the process, a file lock across processes) and get its version."""
    code = world["codes"]["lookup"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        offers = list(pool.map(lambda _: offer(platform, code), range(2)))
    assert offers[0].set_version == offers[1].set_version
    assert len(entries(platform, "privacy.set-built")) == 1
    assert len(entries(platform, "privacy.key-created")) == 1
