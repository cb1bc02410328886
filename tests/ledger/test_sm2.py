"""SM2 signatures (GB/T 32918): the standard's example, interoperation with OpenSSL on the command line, tree
heads, and the parties' signatures on sign-offs — made by the platform in the demo, or off-platform by an
organisation that registered only its public key; ``ledger verify`` names a forged or altered one."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from pubdata.app import create_app
from pubdata.authorization import agreements
from pubdata.authorization.schemas import Scope
from pubdata.common.actor import SYSTEM
from pubdata.common.errors import Refused
from pubdata.config import Settings
from pubdata.ledger import keys, signoff
from pubdata.ledger import service as ledger
from pubdata.ledger.models import LedgerEntry, OrganisationKey, Signature, SignedTreeHead
from pubdata.ledger.signing import PublicKey, SM2Signer, load_public_key_pem, public_key_pem, sm2_digest, sm2_z
from pubdata.ledger.verify import verify
from pubdata.platform import open_platform
from tests.ledger.test_signoff import SCOPE
from tests.scenarios import city, principal, recorded_agreement, run, signed_agreement

OPENSSL = shutil.which("openssl")

# GM/T 0003.5-2012 (GB/T 32918.5-2017) Annex A: the signature example on the recommended curve.
STANDARD_PUBLIC = bytes.fromhex(
    "04"
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
STANDARD_MESSAGE = b"message digest"
STANDARD_Z = bytes.fromhex("B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3")
STANDARD_E = bytes.fromhex("F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640")
STANDARD_R = int("F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3", 16)
STANDARD_S = int("B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA", 16)


def der_signature(r: int, s: int) -> bytes:
    """DER SEQUENCE { INTEGER r, INTEGER s }, written out here so the test does not lean on the code it tests."""

    def integer(value: int) -> bytes:
        body = value.to_bytes((value.bit_length() + 8) // 8, "big")  # a leading 0x00 when the top bit is set
        return b"\x02" + bytes([len(body)]) + body

    body = integer(r) + integer(s)
    return b"\x30" + bytes([len(body)]) + body


def openssl_verify(tmp_path: Path, pem: str, signature: bytes, message: bytes) -> subprocess.CompletedProcess:
    """``openssl dgst -sm3 -verify`` with the standard's default user ID, as docs/ledger.md shows."""
    assert OPENSSL, "openssl is needed (Debian's OpenSSL 3 has SM2; scripts/system-packages.sh installs it)"
    (tmp_path / "key.pem").write_text(pem)
    (tmp_path / "signature.der").write_bytes(signature)
    (tmp_path / "message").write_bytes(message)
    return subprocess.run(
        [OPENSSL, "dgst", "-sm3", "-verify", "key.pem", "-sigopt", "distid:1234567812345678"]
        + ["-signature", "signature.der", "message"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )


# --- the algorithm ---------------------------------------------------------------------------------


def test_the_standards_example_signature_verifies_with_its_z_and_digest():
    assert sm2_z(STANDARD_PUBLIC) == STANDARD_Z
    assert sm2_digest(STANDARD_PUBLIC, STANDARD_MESSAGE) == STANDARD_E
    key = PublicKey("sm2", STANDARD_PUBLIC)
    signature = der_signature(STANDARD_R, STANDARD_S)
    assert key.verify(signature, STANDARD_MESSAGE)
    assert not key.verify(signature, b"message digesT")
    assert not key.verify(der_signature(STANDARD_R, STANDARD_S ^ 1), STANDARD_MESSAGE)
    assert not key.verify(b"\x30\x00", STANDARD_MESSAGE)  # malformed: False, never an exception


def test_the_standards_example_verifies_with_openssl_from_the_published_pem(tmp_path):
    pem = public_key_pem("sm2", STANDARD_PUBLIC)
    assert load_public_key_pem(pem) == PublicKey("sm2", STANDARD_PUBLIC)
    done = openssl_verify(tmp_path, pem, der_signature(STANDARD_R, STANDARD_S), STANDARD_MESSAGE)
    assert done.returncode == 0 and "Verified OK" in done.stdout, done.stdout + done.stderr


def test_signatures_pass_both_ways_between_pubdata_and_openssl(tmp_path):
    signer = SM2Signer.generate()
    message = b'{"format":"pubdata-tree-head/1","size":3}'
    done = openssl_verify(tmp_path, signer.public_key_pem(), signer.sign(message), message)
    assert done.returncode == 0 and "Verified OK" in done.stdout, done.stdout + done.stderr
    assert openssl_verify(tmp_path, signer.public_key_pem(), signer.sign(message), message + b" ").returncode == 1
    # OpenSSL reads the private key the platform writes, and what it signs pubdata verifies.
    (tmp_path / "private.pem").write_text(signer.private_key_pem())
    (tmp_path / "message").write_bytes(message)
    subprocess.run(
        [OPENSSL, "dgst", "-sm3", "-sign", "private.pem", "-sigopt", "distid:1234567812345678"]
        + ["-out", "by-openssl.der", "message"],
        cwd=tmp_path,
        check=True,
    )
    assert signer.public().verify((tmp_path / "by-openssl.der").read_bytes(), message)


def test_a_public_key_off_the_curve_or_of_another_kind_is_refused():
    point = bytearray(STANDARD_PUBLIC)
    point[40] ^= 1
    with pytest.raises(ValueError):
        load_public_key_pem(public_key_pem("sm2", bytes(point)))
    with pytest.raises(ValueError):
        load_public_key_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")


# --- tree heads ------------------------------------------------------------------------------------


def test_a_tree_head_is_signed_with_sm2_and_verifies_with_openssl_from_the_published_key(platform, tmp_path):
    run(platform, lambda session: ledger.record(session, actor=SYSTEM, action="ledger.payload.read"))
    with TestClient(create_app(platform)) as client:
        head = client.get("/api/v1/ledger/tree-head").json()
        published = client.get("/api/v1/ledger/public-key")
    assert head["signature_algorithm"] == "sm2"
    assert published.headers["content-type"].startswith("application/x-pem-file")
    assert published.text == head["public_key_pem"]
    signature = base64.b64decode(head["signature"])
    message = head["signed_message"].encode()
    done = openssl_verify(tmp_path, published.text, signature, message)
    assert done.returncode == 0 and "Verified OK" in done.stdout, done.stdout + done.stderr
    altered = message.replace(b'"size":', b'"size":1')
    assert openssl_verify(tmp_path, published.text, signature, altered).returncode == 1


def test_an_ed25519_data_directory_keeps_verifying_its_old_heads_after_moving_to_sm2(database_url, tmp_path):
    data = tmp_path / "data"

    def head(settings: Settings) -> str:
        opened = open_platform(settings)
        try:
            run(opened, lambda session: ledger.record(session, actor=SYSTEM, action="ledger.payload.read"))
            with opened.command() as session:
                algorithm = ledger.current_tree_head(session, opened.signer).signature_algorithm
            with opened.read() as session:
                assert verify(session, public_keys=opened.public_keys).ok
            return algorithm
        finally:
            opened.close()

    assert head(Settings(data_dir=data, database_url=database_url, ledger_signer="ed25519")) == "ed25519"
    # Unset, an existing Ed25519 directory stays Ed25519; asked for SM2, it moves and the old heads still verify.
    assert head(Settings(data_dir=data, database_url=database_url)) == "ed25519"
    assert head(Settings(data_dir=data, database_url=database_url, ledger_signer="sm2")) == "sm2"
    opened = open_platform(Settings(data_dir=data, database_url=database_url))
    try:
        with opened.read() as session:
            stored = {h.signature_algorithm for h in session.execute(select(SignedTreeHead)).scalars()}
        assert stored == {"ed25519", "sm2"} and opened.signer.algorithm == "sm2"
    finally:
        opened.close()


def test_a_new_data_directory_signs_with_sm2(platform):
    assert platform.signer.algorithm == "sm2"
    assert (platform.settings.keys_dir / "ledger-sm2.pem").stat().st_mode & 0o777 == 0o600


def test_a_tree_head_signature_relabelled_or_altered_is_named(platform):
    run(platform, lambda session: ledger.record(session, actor=SYSTEM, action="ledger.payload.read"))
    with platform.command() as session:
        size = ledger.current_tree_head(session, platform.signer).size
    with platform.command() as session:
        session.execute(update(SignedTreeHead).values(signature_algorithm="ed25519"))
    with platform.read() as session:
        report = verify(session, public_keys=platform.public_keys)
    assert [p.reason for p in report.problems] == [f"the signature of tree head {size} does not verify"]


# --- sign-offs -------------------------------------------------------------------------------------


def signed_agreement_id(platform) -> int:
    return signed_agreement(platform, scope=Scope(**SCOPE)).id


def test_each_party_signs_with_its_own_sm2_key_held_under_the_data_directory(platform, city, tmp_path):
    agreement_id = signed_agreement_id(platform)
    with platform.read() as session:
        signatures = list(session.execute(select(Signature).where(Signature.subject == f"agreement:{agreement_id}")))
        rows = {row.side: row for (row,) in signatures}
        keys = {key.organisation_id: key for key in session.execute(select(OrganisationKey)).scalars()}
        payloads = [entry.payload for entry in session.execute(select(LedgerEntry)).scalars()]
        assert verify(session, public_keys=platform.public_keys).ok
    assert set(rows) == {"bureau", "operator"}
    assert rows["bureau"].organisation_id != rows["operator"].organisation_id
    folder = platform.settings.keys_dir / "organisations"
    assert folder.stat().st_mode & 0o777 == 0o700
    for side, row in rows.items():
        key = keys[row.organisation_id]
        assert row.key_id == key.key_id and key.custody == "platform"
        path = folder / f"{row.organisation_id}-sm2.pem"
        assert path.stat().st_mode & 0o777 == 0o600
        private_body = "".join(path.read_text().splitlines()[1:-1])
        assert not any(private_body in payload for payload in payloads)  # the private key is never recorded
        # Anyone with the organisation's published key checks its signature of the statement with openssl.
        message = signoff.statement(subject=row.subject, side=side, document_digest=row.document_digest)
        done = openssl_verify(tmp_path, public_key_pem("sm2", key.public_key), row.signature, message)
        assert done.returncode == 0 and "Verified OK" in done.stdout, done.stdout + done.stderr


def test_verify_names_a_sign_off_signature_altered_in_the_database(platform, city):
    agreement_id = signed_agreement_id(platform)
    subject = f"agreement:{agreement_id}"
    with platform.command() as session:
        row = session.execute(
            select(Signature).where(Signature.subject == subject, Signature.side == "bureau")
        ).scalar_one()
        forged = bytearray(row.signature)
        forged[-1] ^= 1
        row.signature = bytes(forged)
        seq = row.ledger_seq
    with platform.read() as session:
        report = verify(session, public_keys=platform.public_keys)
    assert [(p.seq, p.reason) for p in report.problems] == [
        (seq, f"the bureau signature on {subject} is not the one entry {seq} recorded")
    ]


def test_verify_names_a_signature_whose_registered_key_was_swapped(platform, city):
    """Swapping in another key (one whose private half an attacker holds) breaks every signature it claims."""
    agreement_id = signed_agreement_id(platform)
    operator = principal(platform, "operator.admin")
    with platform.command() as session:
        key = keys.active_key(session, organisation_id=operator.organisation_id)
        key.public_key = SM2Signer.generate().public_key
        key_seq, key_id = key.ledger_seq, key.key_id
        seq = session.execute(
            select(Signature.ledger_seq).where(
                Signature.subject == f"agreement:{agreement_id}", Signature.side == "operator"
            )
        ).scalar_one()
    with platform.read() as session:
        reasons = {(p.seq, p.reason) for p in verify(session, public_keys=platform.public_keys).problems}
    assert reasons == {
        (key_seq, f"organisation_key:{key.id} was changed after entry {key_seq} recorded it"),
        (
            seq,
            f"the operator signature on agreement:{agreement_id} does not verify with key {key_id}: "
            "it was forged or altered",
        ),
    }


def test_an_organisation_with_its_own_key_signs_off_platform_and_a_forgery_is_refused(database_url, tmp_path):
    """Production: the platform holds no organisation's key. The operator registers its public key, is told the
    statement to sign, signs it with openssl, submits it, and signs; a signature by another key is refused."""
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, platform_held_keys=False)
    opened = open_platform(settings)
    try:
        accounts = city(opened)
        operator = principal(opened, "operator.admin")
        agreement = recorded_agreement(opened, scope=Scope(**SCOPE))
        with pytest.raises(Refused) as none:
            run(opened, agreements.sign, principal=operator, agreement_id=agreement.id)
        assert none.value.rule == "ledger.no-signing-key"

        own = SM2Signer.generate()
        (tmp_path / "own.pem").write_text(own.private_key_pem())
        with TestClient(create_app(opened)) as client:
            headers = accounts["operator"].headers
            answer = client.post(
                f"/api/v1/organisations/{operator.organisation_id}/keys",
                json={"public_key_pem": own.public_key_pem()},
                headers=headers,
            )
            assert answer.status_code == 201, answer.text
            assert answer.json()["custody"] == "organisation" and answer.json()["key_id"] == own.key_id

            asked = client.post(f"/api/v1/agreements/{agreement.id}/signatures", headers=headers)
            assert asked.status_code == 409 and asked.json()["rule"] == "ledger.signature-required", asked.text
            text = asked.json()["detail"]
            statement = text[text.index('{"') :]
            assert json.loads(statement)["subject"] == f"agreement:{agreement.id}"

            forged = SM2Signer.generate().sign(statement.encode())
            refused = client.post(
                "/api/v1/ledger/signatures",
                json={"statement": statement, "signature": base64.b64encode(forged).decode()},
                headers=headers,
            )
            assert refused.status_code == 422 and refused.json()["rule"] == "ledger.bad-signature"

            (tmp_path / "statement").write_text(statement)
            subprocess.run(
                [OPENSSL, "dgst", "-sm3", "-sign", "own.pem", "-sigopt", "distid:1234567812345678"]
                + ["-out", "statement.der", "statement"],
                cwd=tmp_path,
                check=True,
            )
            real = (tmp_path / "statement.der").read_bytes()
            presented = client.post(
                "/api/v1/ledger/signatures",
                json={"statement": statement, "signature": base64.b64encode(real).decode()},
                headers=headers,
            )
            assert presented.status_code == 201, presented.text
            signed = client.post(f"/api/v1/agreements/{agreement.id}/signatures", headers=headers)
            assert signed.status_code == 200, signed.text
        with opened.read() as session:
            row = session.execute(
                select(Signature).where(Signature.subject == f"agreement:{agreement.id}")
            ).scalar_one()
            assert row.signature == real and row.key_id == own.key_id
            assert verify(session, public_keys=opened.public_keys).ok
        assert not (settings.keys_dir / "organisations").exists()  # the platform holds no organisation's key
    finally:
        opened.close()


@pytest.mark.parametrize(
    "statement",
    [
        "not json",
        '{"document_digest":"'
        + "a" * 64
        + '","format":"pubdata-sign-off/1","side":"operator","subject":"'
        + "x" * 201
        + '"}',
        '{"document_digest":"zz","format":"pubdata-sign-off/1","side":"operator","subject":"agreement:1"}',
        '{"format":"pubdata-sign-off/1", "side":"operator"}',
    ],
)
def test_a_submitted_statement_not_as_the_platform_gives_it_is_refused(platform, city, statement):
    with TestClient(create_app(platform)) as client:
        answer = client.post(
            "/api/v1/ledger/signatures",
            json={"statement": statement, "signature": base64.b64encode(b"0" * 70).decode()},
            headers=city["operator"].headers,
        )
    assert answer.status_code == 422 and answer.json()["rule"] == "ledger.bad-statement", answer.text


def test_the_platform_acting_for_itself_cannot_sign_for_a_party(platform, city):
    from pubdata.cli import AS_CLI

    agreement = recorded_agreement(platform, scope=Scope(**SCOPE))
    with pytest.raises(Refused) as refused:
        run(platform, agreements.sign, principal=AS_CLI, agreement_id=agreement.id)
    assert refused.value.rule == "ledger.not-a-party"
