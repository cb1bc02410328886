"""The sign-off helper on real objects: a side signs once, only the document the others signed, and two sides
signing at the same moment still complete the sign-off."""

from __future__ import annotations

import threading

import pytest

from pubdata.authorization import agreements
from pubdata.authorization.models import Agreement
from pubdata.authorization.schemas import Scope
from pubdata.common.actor import SYSTEM
from pubdata.common.errors import Refused
from pubdata.ledger import signoff
from tests.scenarios import principal, read, recorded_agreement, run

SCOPE = {"resources": ("CZ-RK-0001",), "max_grade": "general-4"}


def proposed_agreement(platform) -> int:
    return recorded_agreement(platform, scope=Scope(**SCOPE)).id


def test_a_side_signs_once_and_only_the_document_the_others_signed(platform, city):
    agreement_id = proposed_agreement(platform)
    bureau = principal(platform, "bureau.admin")
    run(platform, agreements.sign, principal=bureau, agreement_id=agreement_id)
    with pytest.raises(Refused) as again:
        run(platform, agreements.sign, principal=bureau, agreement_id=agreement_id)
    assert again.value.rule == "ledger.already-signed"

    def sign_another_text(session):
        agreement = session.get(Agreement, agreement_id)
        document = {**agreements.document_of(agreement), "security_duties": "另一份文本"}
        signoff.sign(
            session, actor=SYSTEM, spec=agreements.SIGN_OFF, subject=agreement, side="operator", document=document
        )

    with pytest.raises(Refused) as changed:
        run(platform, sign_another_text)
    assert changed.value.rule == "ledger.document-changed"
    assert read(platform, lambda session: session.get(Agreement, agreement_id).state) == "draft"


def test_both_sides_signing_at_the_same_moment_complete_the_sign_off(platform, city, monkeypatch):
    """On PostgreSQL both signers compute the document and wait for each other before either looks at the
    signatures already there (SQLite's commands cannot overlap at all); the later must still see the earlier."""
    agreement_id = proposed_agreement(platform)
    signers = [principal(platform, "bureau.admin"), principal(platform, "operator.admin")]
    if platform.engine.dialect.name == "postgresql":
        together, digest = threading.Barrier(2, timeout=30), signoff.of_document

        def digest_together(document):
            found = digest(document)
            together.wait()
            return found

        monkeypatch.setattr(signoff, "of_document", digest_together)
    failures: list[BaseException] = []

    def sign(who) -> None:
        try:
            run(platform, agreements.sign, principal=who, agreement_id=agreement_id)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=sign, args=(who,)) for who in signers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    signed = read(platform, lambda session: session.get(Agreement, agreement_id))
    assert signed.state == "active" and signed.document_digest and signed.expires_on
