"""The demo's privacy computing (隐私计算, issue 14's item 7): the rural commercial bank's loan applicants, matched,
labelled and scored through ``pubdata_client`` — the bank's own client — over the platform's HTTP API.

- Three products over the inclusive-finance pilot's enterprise libraries, made by the partner, reviewed by the
  bureau, registered and listed by the operator like the other products (``demo.products``): a private set
  intersection over the enterprises rated A for tax credit in their latest rating (CZ-XY-0005), a labelled
  lookup on the same set whose label is the enterprise's administrative penalties in the latest three years
  (CZ-XY-0004), and a joint scoring of the bank's two private features with five public ones (logistic).
- The bank subscribes to each. Its 1,000 applicants (``demo-applicants.csv``: active enterprises of CZ-FR-0001,
  about a third of them rated A, with the bank's own monthly income and overdue-loan figures) are matched; the
  matches are labelled; all 1,000 are scored jointly, each under the signed authorization letter the bank took
  with its application, recorded as one batch (``consent.record_letters``).
- The bank's side runs exactly as it would on its own machine: ``pubdata_client.flows`` with its ``Api`` over
  an in-process ``TestClient`` of the app, its key store in ``DATA_DIR/demo-bank-keys``. The results are written
  beside ``demo-accounts.json``: ``demo-bank-matched.csv``, ``demo-bank-labels.csv``, ``demo-bank-scores.csv``;
  ``pubdata-client`` against ``make demo``'s server reruns any of them (``demo-accounts.json`` says how).

The demo plays the bank, so it is the one part of the server that imports the client (tests/system/
test_architecture.py). Idempotent like the rest of the demo: a product that exists is not made again, and the
bank's flows run only while their contracts are unused.
"""

from __future__ import annotations

import csv
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb

from pubdata.catalog import service as catalog
from pubdata.common import clock
from pubdata.common.digest import sm3
from pubdata.contracts import service as contracts
from pubdata.demo import pilot, usage
from pubdata.demo.products import _listed, _product, _subscribed
from pubdata.demo.usage import principal
from pubdata.platform import Platform
from pubdata.privacy import consent
from pubdata.privacy.rules import LETTER_BATCH_MAX
from pubdata.privacy.schemas import BatchLetterIn, LetterBatchIn
from pubdata.products import definitions as d

APPLICANTS = 1_000
RATED_SHARE = 0.35  # of the applicants, drawn from the A-rated set; the others from the other active enterprises
SEED = 2026
APPLICANTS_FILE = "demo-applicants.csv"
KEYS_DIR = "demo-bank-keys"
RESULTS = {"match": "demo-bank-matched.csv", "lookup": "demo-bank-labels.csv", "score": "demo-bank-scores.csv"}
CODE_COLUMN, NAME_COLUMN = "统一社会信用代码", "企业名称"
INCOME, OVERDUE = "monthly_income", "loan_overdue_times"

A_RATED = d.SetMembers(
    resource=pilot.TAX_CREDIT_RATINGS,
    key_field="credit_code",
    latest_by="rating_year",
    conditions=(d.Condition(field="rating", op="=", value="A"),),
)
PSI_NAME = "纳税信用A级企业隐私求交"
PSI = d.PrivateSet(resources=(pilot.TAX_CREDIT_RATINGS,), members=A_RATED)
PSI_DESCRIPTION = (
    "银行以隐私求交核对其贷款申请企业中哪些在最近一次纳税信用评价中为A级；平台只知道核对了多少家，不知道是哪些，"
    "银行也得不到名单中的其他企业。"
)
LOOKUP_NAME = "A级企业近三年行政处罚次数匿踪查询"
LOOKUP = d.LabelledLookup(
    resources=(pilot.TAX_CREDIT_RATINGS, pilot.PENALTIES),
    members=A_RATED,
    label=d.CountLabel(
        resource=pilot.PENALTIES,
        key_field="credit_code",
        date_field="decision_date",
        years=3,
        words=d.Words(zh="近3年行政处罚次数", en="Administrative penalties in the latest 3 years"),
    ),
)
LOOKUP_DESCRIPTION = (
    "对纳税信用A级企业，银行在本地查得其近三年行政处罚次数；加密标签表按集合版本下载一次，平台不知道查询了哪些企业。"
)
SCORING_NAME = "小微企业密态联合评分"
SCORING = d.JointScoring(
    resources=(pilot.LEGAL_ENTITIES, pilot.TAX_CREDIT_RATINGS, pilot.SOCIAL_INSURANCE, pilot.PENALTIES),
    public=(
        d.PublicTerm(feature="tax_credit_level", weight=0.6, mean=2.5, scale=1.0),
        d.PublicTerm(feature="social_insurance_arrears_months", weight=-0.4, mean=0.0, scale=3.0),
        d.PublicTerm(feature="penalties_count", weight=-0.5, mean=0.0, scale=2.0),
        d.PublicTerm(feature="registration_years", weight=0.3, mean=8.0, scale=6.0),
        d.PublicTerm(feature="registration_active", weight=0.5, mean=1.0, scale=1.0),
    ),
    private=(
        d.PrivateTerm(
            name=INCOME,
            words=d.Words(zh="企业月均经营收入（元）", en="Monthly operating income (yuan)"),
            weight=0.8,
            mean=60_000.0,
            scale=40_000.0,
        ),
        d.PrivateTerm(
            name=OVERDUE,
            words=d.Words(zh="本行贷款历史逾期次数", en="Past overdue loans at the bank"),
            weight=-0.7,
            mean=1.0,
            scale=2.0,
        ),
    ),
    bias=0.2,
    output="logistic",
)
SCORING_DESCRIPTION = (
    "银行以自己的同态加密密钥加密申请企业的经营收入和本行逾期记录，平台在密文上加上纳税信用、社保、处罚和登记等公共特征，"
    "算出联合评分（逻辑函数近似），只有银行能解密；双方都看不到对方的特征。每家企业须有授权。"
)
PURPOSE = "industry"
USE = "小微企业贷款贷前审查：核对申请企业的纳税信用、行政处罚并联合评分，不获取任何明细。"


def prepare(platform: Platform) -> None:
    """The three products, reviewed and accepted for registration (their public notice starts)."""
    partner, bureau = principal(platform, "partner.admin"), principal(platform, "bureau.admin")
    scenario = usage.approve_partner_scenario(platform, partner=partner, bureau=bureau)
    for name, kind, description, definition in (
        (PSI_NAME, "private_set", PSI_DESCRIPTION, PSI),
        (LOOKUP_NAME, "labelled_lookup", LOOKUP_DESCRIPTION, LOOKUP),
        (SCORING_NAME, "joint_scoring", SCORING_DESCRIPTION, SCORING),
    ):
        _product(
            platform,
            developer=partner,
            scenario_id=scenario,
            name=name,
            kind=kind,
            description=description,
            purposes=[PURPOSE],
            definition=definition.document(),
        )


def build(platform: Platform, *, bank_token: str, url: str = "http://127.0.0.1:8000") -> list[dict[str, Any]]:
    """After the products' notice: listed, subscribed and signed; the bank's applicants matched, labelled and
    scored through the client once. What demo-accounts.json lists of them."""
    operator, bank = principal(platform, "operator.admin"), principal(platform, "bank.admin")
    listed: dict[str, dict[str, Any]] = {}
    ids: dict[str, int] = {}
    for step, name in (("match", PSI_NAME), ("lookup", LOOKUP_NAME), ("score", SCORING_NAME)):
        product = _listed(platform, operator, name)
        if product is None:
            continue
        contract_id = _subscribed(platform, operator, bank, product, purpose=PURPOSE, use=USE)
        listed[step] = {"product": product.code, "name": name, "consumer_login": "bank.admin", "contract": contract_id}
        ids[step] = product.id
    if not listed:
        return []
    folder = platform.settings.data_dir
    applicants = _applicants(platform, folder / APPLICANTS_FILE)
    _bank_runs(platform, listed, ids, applicants, bank_token=bank_token)
    for step, item in listed.items():
        item["try"] = _command(step, item["product"], folder, url)
    return list(listed.values())


# --- the bank's applicants -------------------------------------------------------------------------------------


def _domain_rows(platform: Platform, code: str, sql: str) -> list[tuple[Any, ...]]:
    """The platform itself reads a resource's current version inside the domain (as the registry check does):
    the demo needs real enterprises to play the bank's applicants."""
    with platform.read() as session:
        _, recorded = catalog.data_of(session, code=code)
    path = Path(platform.settings.domain_dir) / recorded.file
    return duckdb.execute(sql.replace("{file}", "read_parquet(?)"), [str(path)]).fetchall()


def _applicants(platform: Platform, path: Path) -> list[dict[str, Any]]:
    """The bank's 1,000 applicants, written once as the bank's own file and read back on later builds."""
    if path.exists():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    active = _domain_rows(
        platform,
        pilot.LEGAL_ENTITIES,
        "SELECT credit_code, name, legal_rep_name FROM {file} WHERE status = '存续' ORDER BY credit_code",
    )
    rated = {
        str(code)
        for (code,) in _domain_rows(
            platform,
            pilot.TAX_CREDIT_RATINGS,
            "SELECT credit_code FROM {file} QUALIFY row_number() OVER (PARTITION BY credit_code "
            "ORDER BY rating_year DESC) = 1 AND rating = 'A'",
        )
    }
    rng = random.Random(SEED)
    members = [row for row in active if row[0] in rated]
    others = [row for row in active if row[0] not in rated]
    wanted = min(len(members), round(APPLICANTS * RATED_SHARE))
    chosen = rng.sample(members, wanted) + rng.sample(others, min(len(others), APPLICANTS - wanted))
    rng.shuffle(chosen)
    applicants = [
        {
            CODE_COLUMN: str(code),
            NAME_COLUMN: str(name),
            "法定代表人": str(rep),
            INCOME: round(min(250_000.0, max(2_000.0, rng.lognormvariate(10.9, 0.6))), 2),  # CKKS's range
            OVERDUE: min(9, int(rng.expovariate(0.9))),
        }
        for code, name, rep in chosen
    ]
    _write_csv(path, applicants)
    return applicants


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


# --- the bank's runs, through its client -----------------------------------------------------------------------


def _unused(platform: Platform, contract_id: int | None) -> bool:
    if contract_id is None:
        return False
    with platform.read() as session:
        contract = contracts.get(session, principal=principal(platform, "operator.admin"), contract_id=contract_id)
    return contract.calls_used == 0


def _bank_runs(
    platform: Platform,
    listed: dict[str, dict[str, Any]],
    ids: dict[str, int],
    applicants: list[dict[str, Any]],
    *,
    bank_token: str,
) -> None:
    from fastapi.testclient import TestClient

    from pubdata.app import create_app
    from pubdata_client import flows
    from pubdata_client.api import Api
    from pubdata_client.keys import KeyStore

    folder = platform.settings.data_dir
    store = KeyStore(folder / KEYS_DIR)
    api = Api("http://testserver", bank_token, http=TestClient(create_app(platform)))
    codes = [row[CODE_COLUMN] for row in applicants]
    matched: list[bool] | None = None
    if "match" in listed and _unused(platform, listed["match"]["contract"]):
        matched, _ = flows.match(api, listed["match"]["product"], codes, store=store)
        _results(folder / RESULTS["match"], applicants, "在集合中", ["是" if hit else "否" for hit in matched])
    asked = [code for code, hit in zip(codes, matched or [True] * len(codes), strict=True) if hit]
    if "lookup" in listed and asked and _unused(platform, listed["lookup"]["contract"]):
        labels, _ = flows.lookup(api, listed["lookup"]["product"], asked, store=store)
        by_code = dict(zip(asked, labels, strict=True))
        chosen = [row for row in applicants if row[CODE_COLUMN] in by_code]
        _results(folder / RESULTS["lookup"], chosen, LOOKUP.label.words.zh, [by_code[r[CODE_COLUMN]] for r in chosen])
    if "score" in listed and _unused(platform, listed["score"]["contract"]):
        _letters(platform, listed["score"]["product"], ids["score"], applicants)
        if not store.has_scoring_keys():
            store.new_scoring_keys()
        features = {name: [float(row[name]) for row in applicants] for name in (INCOME, OVERDUE)}
        scores, _ = flows.score(api, listed["score"]["product"], codes, features, store=store)
        _results(folder / RESULTS["score"], applicants, "联合评分", [round(s, 6) for s in scores])


def _results(path: Path, rows: list[dict[str, Any]], header: str, values: list[Any]) -> None:
    from pubdata_client.files import write_table

    headers = [CODE_COLUMN, NAME_COLUMN, header]
    write_table(path, headers, [[row[CODE_COLUMN], row[NAME_COLUMN], v] for row, v in zip(rows, values, strict=True)])


def _letters(platform: Platform, product_code: str, product_id: int, applicants: list[dict[str, Any]]) -> None:
    """Each applicant's signed authorization letter, taken with its application, recorded as batches."""
    bank = principal(platform, "bank.admin")
    today = clock.today()
    with platform.read() as session:
        held = {
            c.subject_credit_code
            for c in consent.list_for(session, principal=bank)
            if c.state == "granted" and c.product_id == product_id
        }
    letters = [
        BatchLetterIn(
            credit_code=row[CODE_COLUMN],
            legal_rep_name=row["法定代表人"],
            letter_sm3=sm3(f"授权书：{row[CODE_COLUMN]} 授权池州农村商业银行联合评分，用于贷前审查。".encode()),
        )
        for row in applicants
        if row[CODE_COLUMN] not in held
    ]
    for first in range(0, len(letters), LETTER_BATCH_MAX):
        body = LetterBatchIn(
            product_code=product_code,
            purpose=PURPOSE,
            valid_from=today,
            valid_until=today + timedelta(days=300),
            letters=letters[first : first + LETTER_BATCH_MAX],
        )
        consent.record_letters(platform, principal=bank, body=body, engine=platform.query_engine)


def _command(step: str, product: str, folder: Path, url: str) -> str:
    output = folder / RESULTS[step]
    line = (
        f"pubdata-client {step} --url {url} --token $BANK_TOKEN --product {product} --input {folder / APPLICANTS_FILE} "
        f"--column {CODE_COLUMN} --output {output.with_name(output.stem + '-again.csv')}"
    )
    if step == "score":
        line += f" --keys {folder / KEYS_DIR}"
    return line
