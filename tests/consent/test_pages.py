"""The consent pages as each side uses them: the enterprise grants, sees uses and revokes; the bank records a
letter (the file) and sees its own consents; another bank meets a 404; the enterprise's workbench."""

from __future__ import annotations

import re

from pubdata.common.digest import sm3
from pubdata.platform import Platform
from pubdata.privacy import consent
from tests import scenarios
from tests.consent.conftest import ACTIVE, OTHER, VERIFY, World


def browser_form(fields: dict[str, str]) -> tuple[bytes, str]:
    """A multipart form as a browser sends it with the file input left empty (``filename=""``)."""
    boundary = "----consentform"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="letter"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), boundary


def _consent_id(location: str) -> int:
    found = re.fullmatch(r"/consents/(\d+)", location)
    assert found, location
    return int(found[1])


def test_the_enterprise_grants_sees_its_consent_and_revokes_it(platform: Platform, world: World):
    client, csrf = scenarios.page_client(platform, "firm.admin")
    page = client.get("/consents")
    assert page.status_code == 200 and 'data-testid="grant-consent"' in page.text
    assert 'data-testid="record-letter"' not in page.text  # letters are the consumer's to record
    form = {
        "csrf_token": csrf,
        "consumer_id": str(world.accounts["bank"].organisation_id),
        "product_code": world.codes[VERIFY],
        "purpose": "industry",
        "valid_from": "2026-03-02",
        "valid_until": "2026-12-31",
    }
    answer = client.post("/consents", data=form, follow_redirects=False)
    assert answer.status_code == 303
    consent_id = _consent_id(answer.headers["location"])
    shown = client.get(f"/consents/{consent_id}")
    assert "已授权" in shown.text and ACTIVE.code in shown.text and "池州农村商业银行" in shown.text
    # Too long a period: the form comes back with the reason and what was typed.
    refused = client.post("/consents", data=form | {"valid_until": "2027-06-01"})
    assert refused.status_code == 422 and "最长一年" in refused.text and 'value="2027-06-01"' in refused.text
    # Revoking asks for a confirmation and a reason.
    unconfirmed = client.post(f"/consents/{consent_id}/do/revoke", data={"csrf_token": csrf, "reason": "停止合作"})
    assert unconfirmed.status_code == 422
    done = client.post(
        f"/consents/{consent_id}/do/revoke",
        data={"csrf_token": csrf, "reason": "停止合作", "confirm": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "已撤回" in client.get(f"/consents/{consent_id}").text


def test_the_enterprise_sees_every_use_on_its_pages_and_workbench(platform: Platform, world: World):
    client, csrf = scenarios.page_client(platform, "firm.admin")
    firm = scenarios.principal(platform, "firm.admin")
    body = consent.ConsentIn(
        consumer_id=world.accounts["bank"].organisation_id,
        product_code=world.codes[VERIFY],
        purpose="industry",
        valid_from="2026-03-02",
        valid_until="2026-12-31",
    )
    consent_id = scenarios.run(platform, consent.grant, principal=firm, body=body).id
    bank = scenarios.principal(platform, "bank.admin")
    with platform.command() as session:
        found = consent.require(
            session,
            consumer_id=bank.organisation_id,
            product_id=world.products[VERIFY],
            purpose="industry",
            credit_codes=[ACTIVE.code],
        )
        consent.record_uses(session, consents=found.values(), contract_id=world.contract_id, actor=bank.actor)
    page = client.get(f"/consents/{consent_id}")
    assert 'data-testid="uses-count">1<' in page.text
    listing = client.get("/consents").text
    assert "企业登记状态核验" in listing and str(world.contract_id) in listing
    home = client.get("/")
    assert home.status_code == 200
    assert (
        'data-kind="subject"' in home.text
        and "每月授权使用次数" in home.text
        and f"/consents/{consent_id}" in home.text
    )
    assert 'href="/consents"' in home.text  # the menu


def test_the_bank_records_a_letter_file_and_a_mismatch_is_refused_without_echoing_the_name(platform, world):
    client, csrf = scenarios.page_client(platform, "bank.admin")
    page = client.get("/consents")
    assert 'data-testid="record-letter"' in page.text and 'data-testid="checks-left">2,000<' in page.text
    fields = {
        "csrf_token": csrf,
        "credit_code": OTHER.code,
        "legal_rep_name": OTHER.rep,
        "product_code": world.codes[VERIFY],
        "purpose": "industry",
        "valid_from": "2026-03-02",
        "valid_until": "2026-12-31",
        "letter_sm3": "",
    }
    scan = b"\xff\xd8\xff\xe0" + b"jpeg" * 100
    answer = client.post(
        "/consents/letters", data=fields, files={"letter": ("letter.jpg", scan, "image/jpeg")}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    consent_id = _consent_id(answer.headers["location"])
    assert sm3(scan) in client.get(f"/consents/{consent_id}").text
    wrong = "欧阳错名"
    refused = client.post(
        "/consents/letters",
        data=fields | {"credit_code": ACTIVE.code, "legal_rep_name": wrong},
        files={"letter": ("letter.jpg", scan, "image/jpeg")},
    )
    assert refused.status_code == 403
    assert "授权书与登记信息不符" in refused.text and wrong not in refused.text and ACTIVE.rep not in refused.text
    assert f'value="{ACTIVE.code}"' in refused.text  # the rest of the form is typed back
    assert 'data-testid="checks-left">1,998<' in refused.text
    # A digest typed instead of a file: the browser sends the empty file input as a part without content.
    body, boundary = browser_form(
        fields | {"credit_code": ACTIVE.code, "legal_rep_name": ACTIVE.rep, "letter_sm3": "ab" * 32}
    )
    typed = client.post(
        "/consents/letters",
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        follow_redirects=False,
    )
    assert typed.status_code == 303, typed.text
    # Another bank sees none of it.
    other, _ = scenarios.page_client(platform, "bank2.admin")
    assert other.get(f"/consents/{consent_id}").status_code == 404
    assert OTHER.code not in other.get("/consents").text


def test_a_letter_form_without_the_page_token_is_refused_before_the_file_is_read(platform, world):
    client, _ = scenarios.page_client(platform, "bank.admin")
    answer = client.post(
        "/consents/letters", data={"csrf_token": "forged"}, files={"letter": ("l.pdf", b"%PDF-1.7", "application/pdf")}
    )
    assert answer.status_code == 403
