"""What leaves the bank's process: each flow of ``pubdata-client`` run against the real app, every request it
makes recorded (URL, headers, body), and searched for every item and feature value of the bank's file in every
encoding we could think of. None is there — except joint scoring's subjects, whose credit codes it sends by
design (an identified computation, each under its consent): those, in the request's ``subjects``, and nothing
else. The results are checked against a plain reading of the same data."""

from __future__ import annotations

import base64
import csv
import json
import random
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from pubdata.app import create_app
from pubdata.demo import privacy as bank_demo
from pubdata.platform import Platform
from pubdata.products import compute
from pubdata_client import cli
from pubdata_protocol import ckks
from tests.client.plain import a_rated, penalties_of_members


@dataclass(frozen=True)
class Sent:
    method: str
    url: str
    headers: bytes
    body: bytes


class Recorder:
    """An httpx event hook keeping every request exactly as it goes on the wire."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []

    def __call__(self, request: httpx.Request) -> None:
        headers = b"\n".join(k + b": " + v for k, v in request.headers.raw)
        self.sent.append(Sent(request.method, str(request.url), headers, request.read()))


def recording_client(platform: Platform) -> tuple[TestClient, Recorder]:
    recorder = Recorder()
    client = TestClient(create_app(platform))
    client.event_hooks = {"request": [recorder], "response": []}
    return client, recorder


# --- the encodings a value could leave in -------------------------------------------------------------------


def _base64_runs(data: bytes) -> list[bytes]:
    """The base64 of ``data`` at each alignment it can have inside a longer stream (the full groups only)."""
    runs = []
    for skip in range(3):
        rest = data[skip:]
        groups = len(rest) // 3
        if groups:
            runs.append(base64.b64encode(rest[: 3 * groups]))
            runs.append(base64.urlsafe_b64encode(rest[: 3 * groups]))
    return runs


def text_forms(text: str) -> set[bytes]:
    forms: set[bytes] = set()
    for variant in {text, text.lower(), text.upper()}:
        for encoding in ("utf-8", "gb18030", "utf-16-le", "utf-16-be"):
            raw = variant.encode(encoding)
            forms |= {raw, raw.hex().encode(), raw.hex().upper().encode(), *_base64_runs(raw)}
        forms.add(quote(variant).encode())  # percent-encoded, as in a URL
        forms.add(json.dumps(variant).encode()[1:-1])  # as a JSON string would escape it
    return forms


def number_forms(values: list[float]) -> set[bytes]:
    """Each value as decimal text, its float64 bytes (both orders) and float32 in pairs (four bytes alone
    would turn up by chance in megabytes of ciphertext), each also in hex and base64."""
    forms: set[bytes] = set()
    for value in values:
        forms |= {repr(value).encode(), f"{value:.2f}".encode(), f"{value:.1f}".encode(), json.dumps(value).encode()}
        for layout in ("<d", ">d"):
            raw = struct.pack(layout, value)
            forms |= {raw, raw.hex().encode(), *_base64_runs(raw)}
    for first, second in zip(values, values[1:], strict=False):
        for layout in ("<2f", ">2f", "<2d"):
            raw = struct.pack(layout, first, second)
            forms |= {raw, raw.hex().encode(), *_base64_runs(raw)}
    return forms


# A needle shorter than this would turn up in megabytes of random-looking base64 by chance (a 4-character run of
# a two-character name's base64 does); raw text outside ASCII cannot, and is always looked for.
MIN_FORM = 8


def found_in(sent: Iterable[Sent], forms: set[bytes]) -> list[str]:
    forms = {form for form in forms if len(form) >= MIN_FORM or not form.isascii()}
    hits = []
    for request in sent:
        for part, data in (("url", request.url.encode()), ("headers", request.headers), ("body", request.body)):
            hits += [f"{request.method} {request.url} {part}: {form[:24]!r}" for form in forms if form in data]
    return hits


# --- the bank's file ------------------------------------------------------------------------------------------


def bank_file(folder: Path, applicants: list[dict[str, str]], *, seed: int) -> tuple[Path, dict[str, list[float]]]:
    """The demo's applicants with private figures that are distinctive text: at least eight characters, never
    whole numbers (a short decimal would turn up in base64 by chance, and the search would prove nothing)."""
    rng = random.Random(seed)
    written = {
        bank_demo.INCOME: [f"{rng.uniform(20_000, 150_000):.2f}".rstrip("0") + "7" for _ in applicants],
        bank_demo.OVERDUE: [f"{rng.uniform(1.0, 6.0):.5f}".rstrip("0") + "3" for _ in applicants],
    }
    features = {name: [float(text) for text in column] for name, column in written.items()}  # as the client reads
    path = folder / "applicants.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([bank_demo.CODE_COLUMN, bank_demo.NAME_COLUMN, "法定代表人", *written])
        for index, row in enumerate(applicants):
            line = [row[bank_demo.CODE_COLUMN], row[bank_demo.NAME_COLUMN], row["法定代表人"]]
            writer.writerow([*line, *(written[name][index] for name in written)])
    return path, features


def read_results(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def bank(bank_city, tmp_path_factory):
    platform, document = bank_city
    products = {item["name"]: item for item in document["products"]}
    token = next(a["token"] for a in document["accounts"] if a["login"] == "bank.admin")
    folder = tmp_path_factory.mktemp("bank")
    applicants = read_results(platform.settings.data_dir / bank_demo.APPLICANTS_FILE)
    path, features = bank_file(folder, applicants, seed=14)
    return platform, products, token, folder, applicants, path, features


def run_cli(platform: Platform, token: str, folder: Path, *argv: str) -> list[Sent]:
    client, recorder = recording_client(platform)
    common = ["--url", "http://testserver", "--token", token, "--keys", str(folder / "keys")]
    assert cli.main([*argv, *common], http=client) == 0
    return recorder.sent


def secrets_of(applicants: list[dict[str, str]]) -> set[bytes]:
    """Every cell of the bank's file that is text: credit codes, names, legal representatives."""
    forms: set[bytes] = set()
    for row in applicants:
        for column in (bank_demo.CODE_COLUMN, bank_demo.NAME_COLUMN, "法定代表人"):
            forms |= text_forms(row[column])
    return forms


def test_matching_sends_no_item_and_finds_exactly_the_set(bank):
    platform, products, token, folder, applicants, path, _ = bank
    code = products[bank_demo.PSI_NAME]["product"]
    out = folder / "matched.csv"
    sent = run_cli(
        platform,
        token,
        folder,
        "match",
        "--product",
        code,
        "--input",
        str(path),
        "--column",
        bank_demo.CODE_COLUMN,
        "--output",
        str(out),
    )
    assert {s.method for s in sent} == {"GET", "POST"} and any("/privacy/runs" in s.url for s in sent)
    assert found_in(sent, secrets_of(applicants)) == []
    members = a_rated(platform)
    assert [row["在集合中"] == "是" for row in read_results(out)] == [
        row[bank_demo.CODE_COLUMN] in members for row in applicants
    ]
    assert any(row[bank_demo.CODE_COLUMN] in members for row in applicants)  # the check is not vacuous
    assert not all(row[bank_demo.CODE_COLUMN] in members for row in applicants)


def test_a_lookup_sends_no_item_and_gets_the_members_labels(bank):
    platform, products, token, folder, applicants, path, _ = bank
    code = products[bank_demo.LOOKUP_NAME]["product"]
    out = folder / "labels.xlsx"
    sent = run_cli(
        platform,
        token,
        folder,
        "lookup",
        "--product",
        code,
        "--input",
        str(path),
        "--column",
        bank_demo.CODE_COLUMN,
        "--output",
        str(out),
    )
    assert found_in(sent, secrets_of(applicants)) == []
    from openpyxl import load_workbook

    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    label_at = rows[0].index(bank_demo.LOOKUP.label.words.zh)
    expected = penalties_of_members(platform)
    got = {row[0]: row[label_at] for row in rows[1:]}
    assert got == {row[bank_demo.CODE_COLUMN]: expected.get(row[bank_demo.CODE_COLUMN]) for row in applicants}


def test_joint_scoring_sends_only_the_subjects_codes_and_no_feature(bank):
    platform, products, token, folder, applicants, path, features = bank
    code = products[bank_demo.SCORING_NAME]["product"]
    out = folder / "scores.csv"
    assert cli.main(["keys", "new", "--keys", str(folder / "keys")]) == 0  # a key of its own: registered first
    sent = run_cli(
        platform,
        token,
        folder,
        "score",
        "--product",
        code,
        "--input",
        str(path),
        "--column",
        bank_demo.CODE_COLUMN,
        "--output",
        str(out),
    )
    assert found_in(sent, number_forms([v for column in features.values() for v in column])) == []
    codes = [row[bank_demo.CODE_COLUMN] for row in applicants]
    names = set()
    for row in applicants:
        names |= text_forms(row[bank_demo.NAME_COLUMN]) | text_forms(row["法定代表人"])
    assert found_in(sent, names) == []
    runs = [s for s in sent if s.method == "POST" and s.url.endswith("/privacy/runs")]
    assert runs and [c for s in runs for c in json.loads(s.body)["subjects"]] == codes
    # Take the subjects away: nothing of the bank's file is left in the clear.
    stripped = [
        Sent(s.method, s.url, s.headers, json.dumps({**json.loads(s.body), "subjects": []}).encode())
        if s in runs
        else s
        for s in sent
    ]
    assert found_in(stripped, secrets_of(applicants)) == []
    scores = [float(row["联合评分"]) for row in read_results(out)]
    assert scores == pytest.approx(plain_scores(platform, codes, features), abs=1e-3)


# --- the plain computations --------------------------------------------------------------------------------


def plain_scores(platform: Platform, codes: list[str], features: dict[str, list[float]]) -> list[float]:
    """The joint score in the clear: the definition's plain part over the public features, plus each private
    feature's weight times its value, through the product's logistic polynomial."""
    definition = bank_demo.SCORING
    public = compute.public_features(platform, definition=definition, credit_codes=codes, engine=platform.query_engine)
    weights = definition.weights()
    linear = [
        definition.plain_part(public[index]) + sum(weights[name] * features[name][index] for name in weights)
        for index in range(len(codes))
    ]
    return [ckks.logistic(z) for z in linear] if definition.output == "logistic" else linear


@pytest.mark.parametrize(
    "leak",
    [
        lambda code, value: json.dumps({"items": [code]}).encode(),
        lambda code, value: base64.b64encode(b"xy" + code.encode() + b"z"),  # base64 at another alignment
        lambda code, value: code.encode().hex().encode(),
        lambda code, value: base64.b64encode(bytes(range(7)) + struct.pack("<d", value) + bytes(5)),
        lambda code, value: base64.b64encode(b"q" + struct.pack("<2f", value, value + 1.0)),
        lambda code, value: f'{{"v": {value}}}'.encode(),
        lambda code, value: code.encode("utf-16-le"),
    ],
)
def test_the_search_finds_each_encoding_it_looks_for(leak):
    """The search is not blind: a request carrying an item or a feature in any of these ways is caught."""
    code, value = "91341702795076630D", 54321.497
    body = b'{"message": "' + leak(code, value) + b'"}'
    forms = text_forms(code) | number_forms([value, value + 1.0])
    assert found_in([Sent("POST", "http://testserver/api/v1/products/P/privacy/runs", b"", body)], forms) != []


@pytest.mark.parametrize("protocol", ["psi", "labelled_lookup"])
def test_resident_ids_leave_only_as_blinded_points(protocol):
    """The demo's products ask about credit codes; a product over resident IDs sends the same kind of message.
    The client's request body for 300 ID numbers (with their birth dates and serials) carries none of them."""
    from datetime import date, timedelta

    from pubdata.common.ids import synthetic_resident_id
    from pubdata_client.lookup import LookupRun
    from pubdata_client.psi import PsiRun
    from pubdata_protocol.messages import RunRequest, encode, new_nonce

    people = [synthetic_resident_id("341702", date(1980, 1, 1) + timedelta(days=37 * n), n % 1000) for n in range(300)]
    version = "ab" * 32
    run = PsiRun(people, set_version=version) if protocol == "psi" else LookupRun(people, set_version=version)
    request = RunRequest(
        protocol=protocol,
        set_version=version,
        key_id="cd" * 32,
        nonce=new_nonce(),
        items=300,
        message=encode(run.message()),
    )
    body = request.model_dump_json().encode()
    forms = set()
    for number in people:
        forms |= text_forms(number) | text_forms(number[:17]) | text_forms(number[6:14])  # the ID, its stem, birth date
    sent = [Sent("POST", "http://testserver/api/v1/products/P/privacy/runs", b"", body)]
    assert found_in(sent, forms) == []


def test_an_excel_list_with_repeats_in_english(bank, capsys):
    """An .xlsx input, English messages and headers; an item listed twice is asked (and charged) once."""
    from openpyxl import Workbook

    platform, products, token, folder, applicants, _, _ = bank
    codes = [row[bank_demo.CODE_COLUMN] for row in applicants[:20]]
    book = Workbook()
    book.active.append(["credit code"])
    for code in [*codes, *codes[:5]]:
        book.active.append([code.lower()])  # as a clerk might type it
    book.save(folder / "repeats.xlsx")
    out = folder / "repeats-matched.csv"
    capsys.readouterr()
    sent = run_cli(
        platform,
        token,
        folder,
        "match",
        "--product",
        products[bank_demo.PSI_NAME]["product"],
        "--input",
        str(folder / "repeats.xlsx"),
        "--column",
        "credit code",
        "--output",
        str(out),
        "--lang",
        "en",
    )
    assert found_in(sent, secrets_of(applicants[:20])) == []
    runs = [json.loads(s.body) for s in sent if s.url.endswith("/privacy/runs")]
    assert [r["items"] for r in runs] == [len(codes)]
    assert f"{len(codes)} items in 1 run(s)" in capsys.readouterr().err
    results = read_results(out)
    members = a_rated(platform)
    assert [row["matched"] for row in results] == ["yes" if c in members else "no" for c in [*codes, *codes[:5]]]
