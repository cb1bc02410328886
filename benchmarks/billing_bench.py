"""Billing benchmark: the write step of a product call with the meter against the same step without it, and a
month's statement and reconciliation against raw SQL on the same database.

Run: .venv/bin/python benchmarks/billing_bench.py [--calls 2000] [--product-calls 200] [--breakdown 200]
     [--month-calls N (default: --calls)] [--repeats 20] [--data-dir bench-data/billing] [--keep]
Prints a Markdown table for docs/benchmarks.md. Nothing here is a test: numbers are recorded, not asserted.

The platform is built through its services in a scratch data folder (embedded SQLite), with the clock frozen at
fixed days as the billing tests have it: a bureau, a department (the police, holding the legal-entity registry
CZ-FR-0001, 200 synthetic companies, loaded by ``catalog.service.load`` and registered after its public notice),
the operator (agreement signed by both), an approved industry scenario plan, a per-subject verification product
(企业登记状态核验) reviewed, registered and listed; the pricing authority's ceiling for the year and fee cap, the
operator's price at the cap (a yearly base fee of ¥5,000.00 and cumulative tiers: ¥2.00 an enterprise from the
first, ¥1.50 from the 2,001st, ¥1.00 from the 6,001st); a bank subscribed (its contract generated and signed) and
two enterprises' consents from their own accounts. Every call names those two enterprises: two units a call.

1. **Write step** (month A, the clock running from the 10th): the bank's contract is charged ``--calls`` times
   through ``contracts.service.charge`` (the conditional ``UPDATE``, ``billing.service.meter``, the ledger entry
   carrying what was metered, ``billing.service.attach``), each in its own ``platform.command()``, alternating
   (ABBA) with the same step as it was before billing, in the same run on the same contract: the contract's
   ``contracts.service.CHARGE`` and ``ledger.service.record`` with the same payload minus the meter. Each sample
   is the whole command (session, statements, commit) and, separately, the part before the commit. A shorter
   instrumented pass (``--breakdown``) times meter, entry, attach and commit one by one. For context, whole
   product calls through ``products.calls.call`` (read step, consents, DuckDB over the registry, write step).
2. **Statement and reconciliation** (month B, the month after, so that its ledger holds metered calls only):
   ``--month-calls`` more charges through ``contracts.service.charge``, then ``billing.service.statement`` for
   the bank and ``billing.service.reconcile`` for the month (each in a ``platform.read()``), alternating with
   raw ``sqlite3`` on the same database file (one warm read-only connection): one SQL statement grouping
   ``meter_line`` by contract, product, price, basis and tier, its tiers expanded by ``json_each`` (base fees and
   untiered lines as arms of a ``UNION ALL``: what the statement's lines are), and one join of the
   month's ``contract.call`` entries of ``ledger_entry`` to ``meter_line`` by ``ledger_seq`` comparing units,
   amount and contract (what the reconciliation checks). Both sides' totals are checked to agree.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform as host
import random
import shutil
import sqlite3
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from harness import Contention, cpu_model
from pubdata import scheduler
from pubdata.authorization import agreements
from pubdata.authorization.schemas import Scope
from pubdata.billing import service as billing
from pubdata.billing.schemas import CapIn, CeilingIn, TariffIn
from pubdata.catalog import service as catalog
from pubdata.catalog.schemas import ResourceIn
from pubdata.common import canonical, clock
from pubdata.common.actor import CLI
from pubdata.common.ids import credit_code_check_char
from pubdata.config import Settings
from pubdata.contracts import rules as contract_rules
from pubdata.contracts import service as contracts
from pubdata.identity import service as identity
from pubdata.identity.access import PlatformItself, Principal
from pubdata.ledger import service as ledger
from pubdata.platform import Platform, open_platform
from pubdata.privacy import consent
from pubdata.privacy.schemas import ConsentIn
from pubdata.products import calls, subscriptions
from pubdata.products import service as products
from pubdata.products.schemas import ProductIn
from pubdata.products.subscriptions import Application
from pubdata.scenarios import service as scenario_plans

PASSWORD = "correct-horse-battery"
AS_CLI = PlatformItself(CLI)
REGISTRY = "CZ-FR-0001"
COMPANIES = 200
REGISTRY_FIELDS = [
    {"name": "credit_code", "label": "统一社会信用代码", "format": "credit_code", "required": True},
    {"name": "name", "label": "企业名称", "required": True},
    {"name": "legal_rep_name", "label": "法定代表人姓名", "format": "person_name", "sensitivity": "personal"},
    {"name": "status", "label": "登记状态", "required": True},
]
VERIFICATION = {"kind": "verification", "resources": [REGISTRY], "check": "entity_active", "thresholds": {}}
SELECTION = {
    key: "见招标文件附件" for key in ("capability", "credibility", "knowledge", "environment", "responsibility")
}
LOW_RISK = {
    "personal_information": "low",
    "sensitive_personal": "none",
    "minors": "none",
    "cross_department": "none",
    "per_subject_output": "none",
    "external_delivery": "none",
}
PASSED_CHECKLIST = {
    item: {"passed": True, "note": "已核对：符合要求"}
    for item in ("minimisation", "output_rule", "reidentification", "consent", "purpose_fit")
}
SM3 = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
# The operator's price, at the cap: a yearly base fee and cumulative tiers (first unit of each, unit price in fen).
BASE_FEE_FEN = 500_000
TIERS = ((1, 200), (2_001, 150), (6_001, 100))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def credit_code(serial: int) -> str:
    first17 = f"91341702MA{serial:07d}"
    return first17 + credit_code_check_char(first17)


SUBJECTS = (credit_code(1), credit_code(2))  # what every call asks about: two units on the meter


# --- the platform, built through its services ------------------------------------------------------------


def at(day: str) -> None:
    clock.freeze(clock.parse_moment(day + "T10:00:00"))


def run(platform: Platform, command: Callable, **kwargs):
    """One command in one transaction (``platform.command()`` commits when the block ends), as a route would."""
    with platform.command() as session:
        return command(session, **kwargs)


def principal(platform: Platform, login: str) -> Principal:
    with platform.read() as session:
        return identity.principal_of(session, login=login)


def account(platform: Platform, *, kind: str, name: str, login: str, credit_code: str | None = None) -> int:
    """An organisation with its admin (and, for an enterprise, its credit code): the organisation's id."""
    with platform.command() as session:
        extra = {"credit_code": credit_code} if credit_code else {}
        organisation = identity.create_organisation(session, principal=AS_CLI, kind=kind, name=name, **extra)
        identity.create_user(
            session,
            principal=AS_CLI,
            organisation_id=organisation.id,
            login=login,
            display_name=login,
            role="admin",
            password=PASSWORD,
        )
        return organisation.id


def registry_csv(folder: Path) -> Path:
    rng = random.Random(5)
    lines = [",".join(field["name"] for field in REGISTRY_FIELDS)]
    for serial in range(1, COMPANIES + 1):
        person = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        status = "注销" if serial % 7 == 2 else "存续"
        lines.append(f"{credit_code(serial)},池州恒瑞{serial}号商贸有限公司,{person},{status}")
    path = folder / f"{REGISTRY}.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def register_registry(platform: Platform, folder: Path) -> None:
    police, bureau = principal(platform, "police.admin"), principal(platform, "bureau.admin")
    body = ResourceIn.model_validate(
        {
            "code": REGISTRY,
            "name": "法人基础信息库",
            "description": "池州市法人基础信息（合成数据，基准测试用）",
            "sector": "market_regulation",
            "base_library": "legal_entity",
            "update_frequency": "monthly",
            "time_span": "2015 至今",
            "sharing": "conditional",
            "opening": "closed",
            "declared_grade": "general-2",
            "fields": REGISTRY_FIELDS,
        }
    )
    resource = run(platform, catalog.describe, principal=police, body=body)
    source = registry_csv(folder)
    result, version = catalog.load(
        platform,
        principal=police,
        resource_id=resource.id,
        domain_dir=platform.settings.domain_dir,
        source_format="csv",
        path=source,
    )
    assert version is not None, result.problems[:3]
    source.unlink()
    application = run(platform, catalog.submit_registration, principal=police, resource_id=resource.id, kind="first")
    run(
        platform,
        catalog.review_registration,
        principal=bureau,
        registration_id=application.id,
        decision="accept",
        reason=None,
    )


def approved_scenario(platform: Platform) -> int:
    """The operator's industry scenario plan over the registry: submitted, agreed by the police, approved."""
    operator = principal(platform, "operator.admin")
    scenario = run(
        platform,
        scenario_plans.create_scenario,
        principal=operator,
        name="普惠金融信用服务场景",
        field="industry",
        users="辖区内商业银行的信贷审批人员",
        resources=[REGISTRY],
        purpose="industry",
        benefit="提升小微企业贷款审批效率",
        risk=LOW_RISK,
    )
    run(platform, scenario_plans.submit_scenario, principal=operator, scenario_id=scenario.id)
    police = principal(platform, "police.admin")
    run(platform, scenario_plans.give_opinion, principal=police, scenario_id=scenario.id, opinion="agree")
    bureau = principal(platform, "bureau.admin")
    run(platform, scenario_plans.decide_scenario, principal=bureau, scenario_id=scenario.id, approve=True)
    return int(scenario.id)


def listed_verification(platform: Platform, scenario_id: int) -> str:
    """The operator's verification, reviewed by the bureau, registered after its public notice (the clock moves
    past it and stays there) and listed: its code."""
    operator, bureau = principal(platform, "operator.admin"), principal(platform, "bureau.admin")
    body = ProductIn(
        scenario_id=scenario_id,
        name="企业登记状态核验",
        kind="verification",
        description="企业登记状态核验：按经审查的定义计算，只提供结果。",
        delivery="api",
        purposes=["industry"],
        definition=products.parse_definition(VERIFICATION),
    )
    code = run(platform, products.create, principal=operator, body=body).code
    run(platform, products.submit_review, principal=operator, code=code)
    run(
        platform,
        products.review,
        principal=bureau,
        code=code,
        decision="approve",
        checklist=PASSED_CHECKLIST,
    )
    application = run(platform, products.submit_registration, principal=operator, code=code)
    accepted = run(
        platform,
        products.review_registration,
        principal=bureau,
        registration_id=application.id,
        decision="accept",
        reason=None,
    )
    clock.freeze(clock.parse_moment(f"{accepted.notice_until.isoformat()}T10:00:00") + timedelta(days=1))
    done = scheduler.tick(platform)
    assert any(change.startswith("product registered: CZCP") for change in done.changes), done.changes
    run(platform, products.list_product, principal=operator, code=code)
    return code


def tariff(model: type[TariffIn], **extra: Any) -> Any:
    return model.model_validate(
        {
            "unit": "subject",
            "base_fee_fen": BASE_FEE_FEN,
            "tiers": [{"from_unit": start, "unit_fen": fen} for start, fen in TIERS],
            "effective_from": clock.today(),
            **extra,
        }
    )


def priced(platform: Platform, code: str, operator_id: int) -> None:
    """The pricing authority's ceiling for the year and cap; the operator's price at the cap."""
    pricing = principal(platform, "pricing.admin")
    part = {"basis": "经审计的2025年度运营成本"}
    ceiling = CeilingIn.model_validate(
        {
            "operator_id": operator_id,
            "year": clock.today().year,
            "operating_cost": {**part, "fen": 160_000_000},
            "permitted_profit": {**part, "fen": 20_000_000},
            "tax": {**part, "fen": 20_000_000},
            "attachments": [{"name": "成本监审报告.pdf", "sm3": SM3}],
            "effective_from": clock.today(),
        }
    )
    run(platform, billing.set_ceiling, principal=pricing, body=ceiling)
    run(platform, billing.set_cap, principal=pricing, code=code, body=tariff(CapIn, basis="按成本监审结果测算"))
    run(platform, billing.set_price, principal=principal(platform, "operator.admin"), code=code, body=tariff(TariffIn))


def build(folder: Path) -> dict:
    """The whole story on the frozen clock; returns what the timing needs (the clock stays frozen on its last day)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    platform = open_platform(Settings(data_dir=folder / "platform", database_url=None))
    started = time.perf_counter()
    at("2025-12-01")
    account(platform, kind="bureau", name="池州市数据资源局", login="bureau.admin")
    account(platform, kind="provider", name="池州市公安局", login="police.admin")
    operator_id = account(platform, kind="operator", name="池州数据运营有限公司", login="operator.admin")
    register_registry(platform, folder)
    at("2025-12-31")  # the registry's public notice (10 working days) is over
    done = scheduler.tick(platform)
    assert any(change.startswith("resource registered") for change in done.changes), done.changes
    at("2026-01-05")
    bureau, operator = principal(platform, "bureau.admin"), principal(platform, "operator.admin")
    agreement = run(
        platform,
        agreements.record_agreement,
        principal=bureau,
        operator_id=operator_id,
        tender_reference="CZZB-2025-BENCH",
        selection=SELECTION,
        scope=Scope(resources=(REGISTRY,), max_grade="general-4"),
        security_duties="落实数据安全主体责任",
    )
    run(platform, agreements.sign, principal=bureau, agreement_id=agreement.id)
    assert run(platform, agreements.sign, principal=operator, agreement_id=agreement.id).state == "active"
    code = listed_verification(platform, approved_scenario(platform))
    account(platform, kind="pricing", name="池州市发展改革委", login="pricing.admin")
    bank_id = account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin")
    priced(platform, code, operator_id)
    today = clock.today()
    application = Application("industry", "贷前核验企业登记状态", 1_000_000, today, today + timedelta(days=300))
    bank = principal(platform, "bank.admin")
    applied = run(platform, subscriptions.apply, principal=bank, code=code, application=application)
    approved = run(platform, subscriptions.approve, principal=operator, subscription_id=applied.id)
    assert run(platform, contracts.sign, principal=bank, contract_id=approved.contract_id).state == "active"
    for serial, subject in enumerate(SUBJECTS, start=1):
        login = f"subject{serial}.admin"
        account(platform, kind="subject", name=f"池州恒瑞{serial}号商贸有限公司", login=login, credit_code=subject)
        body = ConsentIn(
            consumer_id=bank_id,
            product_code=code,
            purpose="industry",
            valid_from=today,
            valid_until=today + timedelta(days=200),
        )
        run(platform, consent.grant, principal=principal(platform, login), body=body)
    with platform.read() as session:
        product = products.find(session, code=code)
        payload = {
            "product": code,
            "definition_digest": product.definition_digest,
            "request_sm3": calls.request_digest(calls.Request(subjects=SUBJECTS)),
            "rows": len(SUBJECTS),
        }
    return {
        "platform": platform,
        "code": code,
        "contract_id": approved.contract_id,
        "bank_id": bank_id,
        "payload": payload,
        "setup_s": time.perf_counter() - started,
        "listed_on": today,
    }


# --- the two write steps ------------------------------------------------------------------------------------


def with_meter(platform: Platform, actor: Any, contract_id: int, payload: dict) -> tuple[float, float]:
    """``contracts.service.charge`` as a product call's write step runs it: the whole command, and its part
    before the commit."""
    started = time.perf_counter()
    with platform.command() as session:
        contracts.charge(
            session,
            actor=actor,
            contract_id=contract_id,
            rows=len(SUBJECTS),
            epsilon_micro=0,
            payload=payload,
            subjects=len(SUBJECTS),
        )
        inside = time.perf_counter()
    done = time.perf_counter()
    return done - started, inside - started


def without_meter(platform: Platform, actor: Any, contract_id: int, payload: dict) -> tuple[float, float]:
    """What ``charge`` did before billing: the conditional UPDATE and the entry with the same payload, no meter."""
    started = time.perf_counter()
    with platform.command() as session:
        contract = session.execute(
            contracts.CHARGE, {"contract": contract_id, "rows": len(SUBJECTS), "epsilon": 0}
        ).scalar_one_or_none()
        if contract is None:
            raise contracts.ContractRefused("contract.exhausted")
        if contract.calls_used >= contract.max_calls:
            contract_rules.LIFECYCLE.apply(contract, "exhaust")
        ledger.record(session, actor=actor, action="contract.call", subject=contract, payload=payload)
        inside = time.perf_counter()
    done = time.perf_counter()
    return done - started, inside - started


def breakdown(platform: Platform, actor: Any, contract_id: int, payload: dict, samples: int) -> dict[str, dict]:
    """Each variant ``samples`` times with its parts timed (the wrappers cost a little; medians per part)."""
    spent: dict[str, float] = {}
    wrapped = {"meter": (billing, "meter"), "attach": (billing, "attach"), "entry": (ledger, "record")}
    originals = {label: getattr(owner, name) for label, (owner, name) in wrapped.items()}

    def timed(label: str, fn: Callable) -> Callable:
        def wrapper(*a, **k):
            started = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

        return wrapper

    for label, (owner, name) in wrapped.items():
        setattr(owner, name, timed(label, originals[label]))
    out: dict[str, dict[str, list[float]]] = {"with": {}, "without": {}}
    try:
        for i in range(2 * samples):
            key = "with" if (i % 4 in (0, 3)) else "without"
            spent.clear()
            total, inside = (with_meter if key == "with" else without_meter)(platform, actor, contract_id, payload)
            parts = dict(spent)
            parts["rest"] = inside - sum(spent.values())  # the UPDATE, the session, the exhaust check
            parts["commit"] = total - inside
            parts["total"] = total
            for label, seconds in parts.items():
                out[key].setdefault(label, []).append(seconds)
    finally:
        for label, (owner, name) in wrapped.items():
            setattr(owner, name, originals[label])
    return {key: {label: statistics.median(v) for label, v in parts.items()} for key, parts in out.items()}


# --- the month's statement and reconciliation, raw ----------------------------------------------------------

KEY = "l.contract_id, l.product_id, l.price_id, l.purpose, l.basis, l.unit"
RAW_STATEMENT = f"""
SELECT {KEY}, p.code, p.name, pr.version, pr.trial, tier, unit_fen, sum(units), count(*), sum(amount)
FROM (
    SELECT {KEY}, t.value ->> 0 AS tier, t.value ->> 2 AS unit_fen, t.value ->> 1 AS units,
           (t.value ->> 1) * (t.value ->> 2) AS amount
    FROM meter_line l, json_each(l.tiers) t WHERE l.month = :month AND l.consumer_id = :consumer
    UNION ALL
    SELECT {KEY}, 0, l.base_fee_fen, 0, l.base_fee_fen
    FROM meter_line l WHERE l.month = :month AND l.consumer_id = :consumer AND l.base_fee_fen > 0
    UNION ALL
    SELECT {KEY}, NULL, 0, l.units, 0
    FROM meter_line l WHERE l.month = :month AND l.consumer_id = :consumer AND l.tiers = '[]'
) l
LEFT JOIN product p ON p.id = l.product_id
LEFT JOIN price pr ON pr.id = l.price_id
GROUP BY {KEY}, tier, unit_fen
ORDER BY l.contract_id, p.code, pr.version, tier
"""
RAW_RECONCILE = """
SELECT count(*),
       sum(l.id IS NULL),
       sum(l.id IS NOT NULL AND (l.units != e.payload ->> '$.meter.units'
                                 OR l.amount_fen != e.payload ->> '$.meter.amount_fen'
                                 OR e.subject != 'contract:' || l.contract_id)),
       sum(e.payload ->> '$.meter.units'), sum(e.payload ->> '$.meter.amount_fen'),
       sum(l.units), sum(l.amount_fen),
       (SELECT count(*) FROM meter_line x WHERE x.month = :month AND NOT EXISTS (
            SELECT 1 FROM ledger_entry y WHERE y.seq = x.ledger_seq AND y.action = 'contract.call'))
FROM ledger_entry e LEFT JOIN meter_line l ON l.ledger_seq = e.seq
WHERE e.action = 'contract.call' AND e.recorded_at >= :since AND e.recorded_at < :until
  AND e.payload ->> '$.meter' IS NOT NULL
"""


def timed(fn: Callable, *a, **k) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn(*a, **k)
    return time.perf_counter() - started, result


def in_read(platform: Platform, query: Callable, **kwargs) -> Any:
    with platform.read() as session:
        return query(session, **kwargs)


# --- the run ------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(max(math.ceil(q * len(ordered)) - 1, 0), len(ordered) - 1)]


def tenth_of_next_month(day: Any) -> datetime:
    first = day.replace(day=1) + timedelta(days=32)
    return clock.parse_moment(f"{first.replace(day=10).isoformat()}T10:00:00")


def bench(args: argparse.Namespace, setup: dict) -> dict:
    platform: Platform = setup["platform"]
    contract_id, payload, code = setup["contract_id"], setup["payload"], setup["code"]
    bank, pricing = principal(platform, "bank.admin"), principal(platform, "pricing.admin")
    actor = bank.actor
    busy = {name: Contention() for name in ("write", "product", "month fill", "statement", "reconcile")}
    out: dict = {}

    # Month A: the write steps, side by side on the running clock.
    month_a = tenth_of_next_month(setup["listed_on"])
    clock.start_at(month_a)
    for _ in range(50):  # warm-up: imports, statements compiled, SQLite's page cache
        with_meter(platform, actor, contract_id, payload)
        without_meter(platform, actor, contract_id, payload)
    samples: dict[str, list[tuple[float, float]]] = {"with": [], "without": []}
    with busy["write"]:
        for i in range(args.calls):
            first, second = ("with", "without") if i % 2 == 0 else ("without", "with")
            for key in (first, second):
                step = with_meter if key == "with" else without_meter
                samples[key].append(step(platform, actor, contract_id, payload))
    out["write"] = samples
    out["breakdown"] = breakdown(platform, actor, contract_id, payload, args.breakdown) if args.breakdown else None
    if args.product_calls:
        request = calls.Request(subjects=SUBJECTS)

        def product_call() -> calls.Answer:
            return calls.call(platform, principal=bank, code=code, request=request, engine=platform.query_engine)

        answer = product_call()
        assert [row[1] for row in answer.rows] == ["yes", "no"], answer.rows
        for _ in range(10):
            product_call()
        with busy["product"]:
            out["product"] = [timed(product_call)[0] for _ in range(args.product_calls)]
    out["month_a"] = clock.today().strftime("%Y-%m")

    # Month B: metered calls only, then its statement and reconciliation against raw SQL.
    clock.start_at(tenth_of_next_month(clock.today()))
    month = clock.today().strftime("%Y-%m")
    with busy["month fill"]:
        started = time.perf_counter()
        for _ in range(args.month_calls):
            with_meter(platform, actor, contract_id, payload)
        out["fill_s"] = time.perf_counter() - started
    assert clock.today().strftime("%Y-%m") == month, "the month's calls crossed into the next month"
    since, until = billing.month_bounds(month)
    params = {
        "month": month,
        "consumer": setup["bank_id"],
        "since": canonical.format_time(since),
        "until": canonical.format_time(until),
    }
    raw = sqlite3.connect(f"file:{platform.settings.data_dir / 'pubdata.sqlite3'}?mode=ro", uri=True)

    def raw_statement() -> list:
        return raw.execute(RAW_STATEMENT, params).fetchall()

    def raw_reconcile() -> tuple:
        return raw.execute(RAW_RECONCILE, params).fetchone()

    def statement() -> billing.Statement:
        return in_read(platform, billing.statement, principal=bank, consumer_id=setup["bank_id"], month=month)

    def reconcile() -> billing.Reconciliation:
        return in_read(platform, billing.reconcile, principal=pricing, month=month)

    # The same answers from both sides, once, before timing (and a warm-up for each).
    found, rows = statement(), raw_statement()
    assert [(line.tier, line.units, line.uses, line.amount_fen) for line in found.lines] == [
        (row[10], row[12], row[13], row[14]) for row in rows
    ], (found.lines, rows)
    checked, counts = reconcile(), raw_reconcile()
    assert checked.balanced and counts[1:3] == (0, 0) and counts[7] == 0, (checked.problems, counts)
    assert (checked.entries, checked.ledger_units, checked.ledger_fen) == (counts[0], counts[3], counts[4]), counts
    assert (checked.billed_units, checked.billed_fen) == (counts[5], counts[6]), counts
    out["month"] = {
        "month": month,
        "lines": checked.lines,
        "entries": checked.entries,
        "units": checked.billed_units,
        "fen": checked.billed_fen,
        "statement_lines": len(found.lines),
    }
    times: dict[str, list[float]] = {"statement": [], "raw statement": [], "reconcile": [], "raw reconcile": []}
    for _ in range(args.repeats):
        with busy["statement"]:
            times["statement"].append(timed(statement)[0])
            times["raw statement"].append(timed(raw_statement)[0])
        with busy["reconcile"]:
            times["reconcile"].append(timed(reconcile)[0])
            times["raw reconcile"].append(timed(raw_reconcile)[0])
    raw.close()
    with platform.read() as session:
        out["ledger_size"] = ledger.size(session)
    out["times"] = times
    out["contention"] = {name: c.cores for name, c in busy.items()}
    return out


# --- report --------------------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def secs(seconds: float) -> str:
    return f"{seconds:.3g}"


def report(args: argparse.Namespace, setup: dict, out: dict) -> None:
    print(
        f"\nmachine: {host.machine()}, {os.cpu_count()} cores ({cpu_model()}), "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, Python "
        f"{host.python_version()}, {host.platform()}, SQLite {sqlite3.sqlite_version} (WAL)"
    )
    print(f"date: {time.strftime('%Y-%m-%d %H:%M')}")
    print(
        "other processes' CPU during the timed sections, in cores (0 = quiet machine): "
        + ", ".join(f"{name} {cores:.2f}" for name, cores in out["contention"].items())
    )
    m = out["month"]
    print(
        f"setup: {setup['setup_s']:.1f} s through the services; write steps in {out['month_a']}, the month measured "
        f"{m['month']}: {m['entries']:,} `contract.call` entries and {m['lines']:,} meter lines ({m['units']:,} units, "
        f"¥{m['fen'] / 100:,.2f}, {m['statement_lines']} statement lines) in a ledger of {out['ledger_size']:,} "
        f"entries; {args.month_calls:,} metered charges filled it in {out['fill_s']:.1f} s\n"
    )
    w = out["write"]
    total = {key: [t for t, _ in w[key]] for key in w}
    inside = {key: [i for _, i in w[key]] for key in w}
    n = len(total["with"])
    med = {key: statistics.median(total[key]) for key in total}
    p95 = {key: percentile(total[key], 0.95) for key in total}
    imed = {key: statistics.median(inside[key]) for key in inside}
    print("| measure | result |")
    print("|---|---|")
    print(
        f"| write step with billing: `contracts.charge` (UPDATE, `billing.meter`, entry with the meter, `attach`), "
        f"one `platform.command()`, {n:,} calls, median / p95 | **{ms(med['with'])}** / {ms(p95['with'])} ms |"
    )
    print(
        f"| write step without billing, same run, same contract: `CHARGE` + `ledger.record` (same payload, no meter), "
        f"median / p95 | **{ms(med['without'])}** / {ms(p95['without'])} ms |"
    )
    print(
        f"| ratio with / without | **{med['with'] / med['without']:.2f}×** (p95 "
        f"{p95['with'] / p95['without']:.2f}×); the meter adds {ms(med['with'] - med['without'])} ms |"
    )
    print(
        f"| the same, before the commit only, median with / without | {ms(imed['with'])} / {ms(imed['without'])} ms "
        f"({imed['with'] / imed['without']:.2f}×) |"
    )
    parts = out["breakdown"]
    if parts:
        b, r = parts["with"], parts["without"]
        print(
            f"| where it goes, medians of {args.breakdown} instrumented calls each (with billing) | meter "
            f"{ms(b['meter'])}, entry {ms(b['entry'])}, attach {ms(b['attach'])}, commit {ms(b['commit'])}, "
            f"UPDATE + session {ms(b['rest'])} ms; total {ms(b['total'])} |"
        )
        print(
            f"| where it goes (without billing) | entry {ms(r['entry'])}, commit {ms(r['commit'])}, "
            f"UPDATE + session {ms(r['rest'])} ms; total {ms(r['total'])} |"
        )
    if "product" in out:
        p = out["product"]
        print(
            f"| context: a whole product call, `products.calls.call` (read step, 2 consents, DuckDB, write step), "
            f"{len(p)} calls, median / p95 | {ms(statistics.median(p))} / {ms(percentile(p, 0.95))} ms |"
        )
    t = out["times"]
    reps = len(t["statement"])
    for name, what, raw_what in (
        (
            "statement",
            "`billing.statement` (the bank, the month)",
            "raw `sqlite3`: one `GROUP BY` over `meter_line`, tiers by `json_each`",
        ),
        (
            "reconcile",
            "`billing.reconcile` (the month)",
            "raw `sqlite3`: `ledger_entry` joined to `meter_line` by seq, compared",
        ),
    ):
        service, raw = t[name], t[f"raw {name}"]
        for label, values in ((f"{what}, {m['lines']:,} lines", service), (f"{raw_what}, same data", raw)):
            print(
                f"| {label}, median (best, worst) of {reps} | {secs(statistics.median(values))} s "
                f"({secs(min(values))}, {secs(max(values))}) |"
            )
        print(
            f"| ratio {name} / raw (medians) | **{statistics.median(service) / statistics.median(raw):.1f}×** "
            f"(best runs {min(service) / min(raw):.1f}×) |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000, help="write steps timed of each kind")
    parser.add_argument("--month-calls", type=int, help="metered calls in the month measured (default: --calls)")
    parser.add_argument("--product-calls", type=int, default=200, help="whole product calls (0: none)")
    parser.add_argument("--breakdown", type=int, default=200, help="instrumented write steps of each kind (0: none)")
    parser.add_argument("--repeats", type=int, default=20, help="statements and reconciliations timed")
    parser.add_argument("--data-dir", type=Path, default=Path("bench-data/billing"))
    parser.add_argument("--keep", action="store_true", help="keep the platform's data dir afterwards")
    args = parser.parse_args()
    if args.month_calls is None:
        args.month_calls = args.calls
    setup = build(args.data_dir)
    gc.collect()
    try:
        out = bench(args, setup)
    finally:
        setup["platform"].close()
        clock.reset()
    report(args, setup, out)
    if not args.keep:
        shutil.rmtree(args.data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
