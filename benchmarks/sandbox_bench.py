"""Sandbox benchmark: a GROUP BY through the whole service against the same query in raw DuckDB, and the
fixed cost of a small query.

Run: .venv/bin/python benchmarks/sandbox_bench.py [--rows 10000000] [--small-rows 1000] [--repeats 5]
     [--samples 500] [--data-dir bench-data/sandbox] [--dp-memory-limit 8GB] [--only big|small] [--keep] [--reuse]
Prints a Markdown table for docs/benchmarks.md. Nothing here is a test: numbers are recorded, not asserted.

The platform is built through its services in a scratch data folder (embedded SQLite): a bureau, a provider
department, an operator and a consumer bank. DuckDB writes a Parquet file of N synthetic persons (valid
resident IDs with check characters, a district, household size, yearly income); the department loads it with
``catalog.service.load`` (the real loader: every row checked, typed Parquet written, SM3 checksum, a version and
its ledger entry), submits it for registration, the bureau accepts, the clock moves past the 10-working-day
public notice and the scheduler's tick registers it. The bureau and the operator sign an authorization
agreement; the operator and the bank sign three contracts: aggregate and dp over the big table, aggregate over
a small one. Every step is a command or a read of the platform (its unit of work), as the routes have them.
Queries then go through ``POST /api/v1/queries`` (FastAPI ``TestClient``: bearer-token lookup; the read step:
contract, authorization scope, the catalogue's fields and files; the SQL checks; the engine, which receives the
checked tree and the tables' ``TableRef``s and generates its SQL itself; the write step: counters and ledger
entry; JSON) on ``platform.query_engine`` with the real clock, alternating with raw DuckDB on the very Parquet
file the platform stored.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform as host
import shutil
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import duckdb

from harness import Contention, cpu_model
from pubdata import scheduler
from pubdata.authorization import agreements, scope
from pubdata.authorization.schemas import Scope
from pubdata.catalog import service as catalog
from pubdata.catalog.schemas import ResourceIn
from pubdata.common import clock
from pubdata.common.actor import CLI
from pubdata.config import Settings
from pubdata.contracts import service as contracts
from pubdata.contracts.models import Contract
from pubdata.contracts.schemas import Terms
from pubdata.engines.duckdb import DuckDBEngine
from pubdata.engines.duckdb import sql_of as duckdb_sql_of
from pubdata.identity import service as identity
from pubdata.identity.access import PlatformItself, Principal
from pubdata.platform import Platform, open_platform
from pubdata.privacy import dp
from pubdata.privacy import service as privacy
from pubdata.queries import planner
from pubdata.queries import service as queries

PASSWORD = "correct-horse-battery"
AS_CLI = PlatformItself(CLI)
BIG, SMALL = "CZ-RK-0101", "CZ-RK-0102"
DISTRICTS = ("贵池区", "东至县", "石台县", "青阳县")
REGIONS = ("341702", "341721", "341722", "341723")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
FIELDS = [
    {
        "name": "id_number",
        "label": "公民身份号码",
        "format": "resident_id",
        "required": True,
        "sensitivity": "sensitive",
        "pipl_category": "identity_document",
    },
    {"name": "district", "label": "所属区县"},
    {"name": "household_size", "label": "家庭人口数", "type": "integer"},
    {"name": "income", "label": "家庭年收入（元）", "type": "integer"},
]
SETUP_FILE = "bench-setup.json"


# --- data ----------------------------------------------------------------------------------------------


def write_persons(path: Path, rows: int, seed: int) -> None:
    """``rows`` synthetic persons written by DuckDB itself: unique, valid resident IDs (GB 11643 check
    character), a district, a household size of 1–6 and an income of 20,000–199,999 yuan."""
    days = 365 * 55
    prefix = (
        f"CAST(list_extract({list(REGIONS)}, (i % 4) + 1) || strftime(DATE '1950-01-01' + CAST((i // 4) % {days} "
        f"AS INTEGER), '%Y%m%d')"
        f" || lpad(CAST(i // {4 * days} AS VARCHAR), 3, '0') AS BIGINT)"
    )
    weighted = " + ".join(f"((p // {10 ** (16 - k)}) % 10) * {w}" for k, w in enumerate(ID_WEIGHTS))
    con = duckdb.connect()
    con.execute(f"""
        COPY (
            SELECT CAST(p AS VARCHAR) || substr('10X98765432', (({weighted}) % 11) + 1, 1) AS id_number,
                   list_extract({list(DISTRICTS)}, CAST(hash(i, {seed}) % 4 AS INTEGER) + 1) AS district,
                   CAST(1 + hash(i, {seed + 1}) % 6 AS INTEGER) AS household_size,
                   CAST(20000 + hash(i, {seed + 2}) % 180000 AS INTEGER) AS income
            FROM (SELECT i, {prefix} AS p FROM range({rows}) t(i))
        ) TO '{path}' (FORMAT parquet, COMPRESSION zstd)
    """)
    con.close()


def resource_body(code: str, name: str) -> ResourceIn:
    return ResourceIn.model_validate(
        {
            "code": code,
            "name": name,
            "description": "池州市常住人口家庭收入（合成数据，基准测试用）",
            "sector": "public_security",
            "base_library": "population",
            "update_frequency": "monthly",
            "time_span": "2015 至今",
            "sharing": "conditional",
            "opening": "closed",
            "declared_grade": "general-2",
            "fields": FIELDS,
        }
    )


# --- the platform, built through its services ------------------------------------------------------------


def run(platform: Platform, command: Callable, **kwargs):
    """One command in one transaction (``platform.command()`` commits when the block ends), as a route would."""
    with platform.command() as session:
        return command(session, **kwargs)


def principal(platform: Platform, login: str) -> Principal:
    with platform.read() as session:
        return identity.principal_of(session, login=login)


def account(platform: Platform, *, kind: str, name: str, login: str) -> str:
    with platform.command() as session:
        organisation = identity.create_organisation(session, principal=AS_CLI, kind=kind, name=name)
        user = identity.create_user(
            session,
            principal=AS_CLI,
            organisation_id=organisation.id,
            login=login,
            display_name=login,
            role="admin",
            password=PASSWORD,
        )
        _, token = identity.issue_token(session, principal=AS_CLI, user_id=user.id, name="bench", days=366)
        return token


def build(args: argparse.Namespace, folder: Path) -> dict:
    """The whole story, with the clock frozen 30 days ago and then at now; returns what the timing needs."""
    shutil.rmtree(folder, ignore_errors=True)
    platform = open_platform(Settings(data_dir=folder, database_url=None))
    domain = platform.settings.domain_dir
    started, now = time.perf_counter(), clock.now()
    story_start = now - timedelta(days=30)
    timings: dict[str, float] = {}
    with clock.frozen_at(story_start):
        tokens = {
            "bureau": account(platform, kind="bureau", name="池州市数据资源局", login="bureau.admin"),
            "police": account(platform, kind="provider", name="池州市公安局", login="police.admin"),
            "operator": account(platform, kind="operator", name="池州数据运营有限公司", login="operator.admin"),
            "bank": account(platform, kind="consumer", name="池州农村商业银行", login="bank.admin"),
        }
        police, bureau = principal(platform, "police.admin"), principal(platform, "bureau.admin")
        sources = folder / "sources"
        sources.mkdir()
        for code, name, rows in ((BIG, "人口家庭收入库", args.rows), (SMALL, "人口家庭收入样本", args.small_rows)):
            source = sources / f"{code}.parquet"
            mark = time.perf_counter()
            write_persons(source, rows, seed=7 if code == BIG else 11)
            timings[f"generate {code}"] = time.perf_counter() - mark
            resource = run(platform, catalog.describe, principal=police, body=resource_body(code, name))
            mark = time.perf_counter()
            # The loader is a workflow of its own: a read to plan, the checks and the write holding no
            # transaction, a command to record the version.
            result, version = catalog.load(
                platform,
                principal=police,
                resource_id=resource.id,
                domain_dir=domain,
                source_format="parquet",
                path=source,
            )
            assert version is not None, result.problems[:3]
            timings[f"load {code}"] = time.perf_counter() - mark
            source.unlink()
            application = run(
                platform, catalog.submit_registration, principal=police, resource_id=resource.id, kind="first"
            )
            run(
                platform,
                catalog.review_registration,
                principal=bureau,
                registration_id=application.id,
                decision="accept",
                reason=None,
            )
    with clock.frozen_at(now):
        done = scheduler.tick(platform)  # the public notice (10 working days) is over; each domain its own command
        assert not any(domain_tick.failed for domain_tick in done.domains), [d.line() for d in done.domains]
        registered = [change for change in done.changes if change.startswith("resource registered")]
        assert len(registered) == 2, done.changes
        operator = principal(platform, "operator.admin")
        agreement = run(
            platform,
            agreements.record_agreement,
            principal=bureau,
            operator_id=operator.organisation_id,
            tender_reference="CZZB-2026-BENCH",
            selection={
                key: "见招标文件附件"
                for key in ("capability", "credibility", "knowledge", "environment", "responsibility")
            },
            scope=Scope(resources=(BIG, SMALL), sectors=(), max_grade="general-4"),
            security_duties="落实数据安全主体责任",
        )
        run(platform, agreements.sign, principal=bureau, agreement_id=agreement.id)
        run(platform, agreements.sign, principal=operator, agreement_id=agreement.id)
        bank = principal(platform, "bank.admin")
        window = {
            "purpose": "public_governance",
            "valid_from": clock.today().isoformat(),
            "valid_until": (clock.today() + timedelta(days=365)).isoformat(),
            "max_calls": 1_000_000,
            "max_rows": 100_000_000,
            "dimensions": ["district"],
            "min_group_size": 10,
        }
        terms = {
            "aggregate": {**window, "resources": [BIG], "output_rule": "aggregate"},
            "dp": {
                **window,
                "resources": [BIG],
                "output_rule": "dp",
                "epsilon": 10,
                "epsilon_per_query": 0.001,
                "delta": 1e-6,
                "bounds": {"income": [0, 200_000], "household_size": [1, 10]},
            },
            "small": {**window, "resources": [SMALL], "output_rule": "aggregate"},
        }
        contract_ids = {}
        for key, body in terms.items():
            contract = run(
                platform,
                contracts.propose,
                principal=operator,
                assignee_id=bank.organisation_id,
                terms=Terms.model_validate(body),
            )
            run(platform, contracts.sign, principal=operator, contract_id=contract.id)
            assert run(platform, contracts.sign, principal=bank, contract_id=contract.id).state == "active"
            contract_ids[key] = contract.id
    with platform.read() as session:
        # data_of names the current version's file relative to the domain (the engine's store)
        paths = {code: str((domain / catalog.data_of(session, code=code)[1]).resolve()) for code in (BIG, SMALL)}
    rows = {
        code: duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)", [path]).fetchone()[0]
        for code, path in paths.items()
    }
    platform.close()
    setup = {
        "tokens": tokens,
        "contracts": contract_ids,
        "paths": paths,
        "rows": rows,
        "timings": timings,
        "setup_s": time.perf_counter() - started,
    }
    (folder / SETUP_FILE).write_text(json.dumps(setup, ensure_ascii=False, indent=1), "utf-8")
    return setup


# --- timing ------------------------------------------------------------------------------------------


def raw(path: str, table: str, sql: str) -> float:
    """DuckDB with nothing around it: a connection, the table as a view over the same Parquet file, the query."""
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{path}')")
    con.execute(sql).fetchall()
    con.close()
    return time.perf_counter() - started


def through_service(client, token: str, contract_id: int, sql: str) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.post(
        "/api/v1/queries", headers={"Authorization": f"Bearer {token}"}, json={"contract_id": contract_id, "sql": sql}
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return elapsed, response.json()


def engine_sql(platform: Platform, contract_id: int, sql: str) -> str:
    """The SQL the engine runs for ``sql`` under the contract: generated from the governed plan, or from the
    dp rewrite of it, as the engine generates DuckDB SQL text."""
    with platform.read() as session:
        terms = contracts.terms_of(session.get(Contract, contract_id))
        policy, tables = queries.policy_for(session, terms)
    policy = queries.with_keys(policy, tables, platform.query_engine)
    plan = planner.plan(sql, policy)
    if not terms.is_dp:
        return duckdb_sql_of(plan)
    return duckdb_sql_of(queries.dp_release(plan, terms, policy, tables, platform.query_engine).query)


# One instrumented call: the query path's steps wrapped in timers (the call itself is unchanged). Each step counts
# its own time only: a wrapped step called inside another (the engine's one-off key check inside ``with_keys``,
# ``analyse`` inside ``check`` for a text not yet remembered) is counted once, as itself.
ENGINE = "engine: a cursor on the kept database, the query"
STEPS = {
    "token → principal": (identity, "principal_from_token"),
    "contract read (`contracts.get`)": (contracts, "get"),
    "contract terms parsed (`terms_of`)": (contracts, "terms_of"),
    "authorization scope (`scope.require_use`)": (scope, "require_use"),
    "catalogue: fields and files (`policy_for`)": (queries, "policy_for"),
    "privacy unit a key? (`with_keys`, remembered per file)": (queries, "with_keys"),
    "plan (`planner.plan`, remembered per text)": (planner, "plan"),
    "plan: parse and build (`planner.build`)": (planner, "build"),
    "dp rewrite of the plan (`dp.plan`)": (dp, "plan"),
    "dp answer cache lookup": (privacy, "released_answer"),
    "engine: SQL generated from the plan and self-checked (`sql_of`, remembered per plan)": (DuckDBEngine, "sql_of"),
    ENGINE: (DuckDBEngine, "run"),
    "dp noise (OpenDP)": (dp, "release"),
    "counters + ledger entry": (contracts, "charge"),
    "dp answer kept": (privacy, "keep_answer"),
}
ORDER = list(STEPS)


def staged(client, token: str, contract_id: int, sql: str, *, hold_gc: bool = False) -> tuple[float, dict[str, float]]:
    """One instrumented call. With ``hold_gc`` (the single calls over the big table) the garbage collector waits
    until the call is over: the imports leave about 270,000 objects for it to track, so a generation-2 pass costs
    about 100 ms here and would land in whichever step happened to trigger it. (A ``gc.collect()`` before the
    call instead leaves the CPU caches cold and every step slower.) The uninstrumented timings get no such help,
    and the small query's breakdown, a median of 50 calls, runs with the collector as it is."""
    spent = dict.fromkeys(ORDER, 0.0)
    originals = {label: getattr(owner, name) for label, (owner, name) in STEPS.items()}
    # The steps run one after another (the route's dependency, then its handler), so one stack serves: each frame
    # is [label, started, time spent in wrapped steps inside it].
    stack: list[list] = []

    def measured(label: str, fn, *a, **k):
        stack.append([label, time.perf_counter(), 0.0])
        try:
            return fn(*a, **k)
        finally:
            _, started, inner = stack.pop()
            elapsed = time.perf_counter() - started
            spent[label] += elapsed - inner
            if stack:
                stack[-1][2] += elapsed

    def timed(label, fn):
        def wrapper(*a, **k):
            return measured(label, fn, *a, **k)

        return wrapper

    for label, (owner, name) in STEPS.items():
        setattr(owner, name, timed(label, originals[label]))
    held = hold_gc and gc.isenabled()
    if held:
        gc.disable()
    try:
        total, _ = through_service(client, token, contract_id, sql)
    finally:
        if held:
            gc.enable()
        for label, (owner, name) in STEPS.items():
            setattr(owner, name, originals[label])
    spent = {label: s for label, s in spent.items() if s}
    spent["other (HTTP, JSON, sessions, commit)"] = total - sum(spent.values())
    return total, spent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(max(math.ceil(q * len(ordered)) - 1, 0), len(ordered) - 1)]


def bench(args: argparse.Namespace, setup: dict, platform: Platform) -> dict:
    from fastapi.testclient import TestClient

    from pubdata.app import create_app

    token, ids, paths = setup["tokens"]["bank"], setup["contracts"], setup["paths"]
    big, small = queries.table_name(BIG), queries.table_name(SMALL)
    group_by = f"SELECT district, count(*) AS n, avg(income) AS m FROM {big} GROUP BY district"
    dp_sql = f"SELECT district, count(*) AS n, avg(income) AS m FROM {big} WHERE district <> 'x{{k}}' GROUP BY district"
    nonce = time.time_ns() // 1000 * 100  # every dp text below is new, even on a platform kept from an earlier run
    small_sql = f"SELECT district, count(*) AS n FROM {small} GROUP BY district"
    checked_sql = engine_sql(platform, ids["aggregate"], group_by)
    out: dict = {
        "group_by": group_by,
        "checked_sql": checked_sql,
        "dp_sql": dp_sql.format(k=100),
        "small_sql": small_sql,
    }
    busy = {
        name: Contention()
        for name in (("aggregate", "dp") if args.only != "small" else ()) + (("small",) if args.only != "big" else ())
    }
    with TestClient(create_app(platform)) as client:
        if args.only != "small":
            # Warm-up: imports, the app, SQLite's page cache, the file in the OS cache.
            through_service(client, token, ids["aggregate"], group_by)
            raw(paths[BIG], big, group_by)
            service_t, raw_t, engine_t, warm_t = [], [], [], []
            answer = None
            warm = duckdb.connect()
            warm.execute(f"CREATE VIEW {big} AS SELECT * FROM read_parquet('{paths[BIG]}')")
            for _ in range(args.repeats):
                with busy["aggregate"]:
                    elapsed, answer = through_service(client, token, ids["aggregate"], group_by)
                service_t.append(elapsed)
                with busy["aggregate"]:
                    raw_t.append(raw(paths[BIG], big, group_by))
                with busy["aggregate"]:
                    started = time.perf_counter()
                    warm.execute(group_by).fetchall()
                    warm_t.append(time.perf_counter() - started)
                with busy["aggregate"]:
                    engine_t.append(raw(paths[BIG], big, checked_sql))
            warm.close()
            out["aggregate"] = {
                "service": service_t,
                "raw": raw_t,
                "engine_sql": engine_t,
                "warm": warm_t,
                "answer": answer,
            }
            out["aggregate_stages"] = staged(client, token, ids["aggregate"], group_by, hold_gc=True)

            service_t, raw_t, engine_t = [], [], []
            dp_plan_sql = engine_sql(platform, ids["dp"], dp_sql.format(k=nonce + 50))
            # First with the engine as configured; if it refuses (memory), once more with a larger limit for the
            # timings.
            started = time.perf_counter()
            response = client.post(
                "/api/v1/queries",
                headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
                json={"contract_id": ids["dp"], "sql": dp_sql.format(k=nonce + 50)},
            )
            refusal = (
                None
                if response.status_code == 200
                else (
                    time.perf_counter() - started,
                    f"`{response.json().get('rule')}`: {response.json().get('detail', response.text)}",
                )
            )
            # The query route runs on the platform's engine: for the timings, the benchmark swaps that attribute
            # for an engine with a larger memory limit, and puts the configured one back afterwards.
            default_engine = platform.query_engine
            try:
                if refusal:
                    platform.query_engine = DuckDBEngine(
                        store=default_engine.store, threads=default_engine.threads, memory_limit=args.dp_memory_limit
                    )
                    # warm-up (a charged query too): the new engine's own key check and locked-down database
                    through_service(client, token, ids["dp"], dp_sql.format(k=nonce + 51))
                for i in range(args.repeats):
                    # a different text each time: a real, charged query, never the cache
                    sql = dp_sql.format(k=nonce + 100 + i)
                    with busy["dp"]:
                        elapsed, answer = through_service(client, token, ids["dp"], sql)
                    service_t.append(elapsed)
                    with busy["dp"]:
                        raw_t.append(raw(paths[BIG], big, sql))
                    plan_sql = engine_sql(platform, ids["dp"], sql)
                    with busy["dp"]:
                        engine_t.append(raw(paths[BIG], big, plan_sql))
                cached, _ = through_service(client, token, ids["dp"], dp_sql.format(k=nonce + 100))
                out["dp"] = {
                    "service": service_t,
                    "raw": raw_t,
                    "engine_sql": engine_t,
                    "answer": answer,
                    "cached": cached,
                    "plan_sql": dp_plan_sql,
                    "refusal": refusal,
                    "engine": (platform.query_engine.threads, platform.query_engine.memory_limit),
                    "default_engine": (default_engine.threads, default_engine.memory_limit),
                }
                out["dp_stages"] = staged(client, token, ids["dp"], dp_sql.format(k=nonce + 99), hold_gc=True)
            finally:
                platform.query_engine = default_engine

        if args.only != "big":
            for _ in range(20):
                through_service(client, token, ids["small"], small_sql)
                raw(paths[SMALL], small, small_sql)
            warm = duckdb.connect()
            warm.execute(f"CREATE VIEW {small} AS SELECT * FROM read_parquet('{paths[SMALL]}')")
            service_t, raw_t, warm_t, health_t = [], [], [], []
            with busy["small"]:
                for _ in range(args.samples):
                    service_t.append(through_service(client, token, ids["small"], small_sql)[0])
                    raw_t.append(raw(paths[SMALL], small, small_sql))
                    started = time.perf_counter()
                    warm.execute(small_sql).fetchall()
                    warm_t.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    assert client.get("/healthz").status_code == 200
                    health_t.append(time.perf_counter() - started)
            warm.close()
            out["small"] = {"service": service_t, "raw": raw_t, "warm": warm_t, "healthz": health_t}
            connects = []
            for _ in range(50):
                started = time.perf_counter()
                duckdb.connect().close()
                connects.append(time.perf_counter() - started)
            out["connect"] = statistics.median(connects)
            stage_runs = [staged(client, token, ids["small"], small_sql) for _ in range(50)]
            out["small_stages"] = (
                statistics.median(t for t, _ in stage_runs),
                {label: statistics.median(s.get(label, 0.0) for _, s in stage_runs) for label in stage_runs[0][1]},
            )
    out["contention"] = {name: c.cores for name, c in busy.items()}
    return out


# --- report --------------------------------------------------------------------------------------------


def runs(values: list[float], unit: float = 1.0, fmt: str = "{:.3f}") -> str:
    return ", ".join(fmt.format(v * unit) for v in values)


def report(args: argparse.Namespace, setup: dict, out: dict) -> None:
    import sqlite3

    n_big, n_small = setup["rows"][BIG], setup["rows"][SMALL]
    print(
        f"\nmachine: {host.machine()}, {os.cpu_count()} cores ({cpu_model()}), "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, Python "
        f"{host.python_version()}, {host.platform()}, "
        f"DuckDB {duckdb.__version__}, SQLite {sqlite3.sqlite_version}"
    )
    print(f"date: {time.strftime('%Y-%m-%d %H:%M')}")
    print(
        "other processes' CPU during the timed sections, in cores (0 = quiet machine): "
        + ", ".join(f"{name} {cores:.2f}" for name, cores in out["contention"].items())
    )
    t = setup["timings"]
    print(
        f"setup: {setup['setup_s']:.1f} s (DuckDB writes {n_big:,} rows in {t[f'generate {BIG}']:.1f} s; "
        f"catalog.load checks and stores them in {t[f'load {BIG}']:.1f} s)\n"
    )
    print(f"- user query: `{out['group_by']}`")
    print(f"- the engine runs: `{out['checked_sql']}`")
    print(f"- dp query: `{out['dp_sql']}`")
    if "dp" in out:
        print(f"- dp engine SQL: `{out['dp']['plan_sql']}`")
    print(f"- small query: `{out['small_sql']}`\n")
    print("| measure | result | target |")
    print("|---|---|---|")
    if "aggregate" in out:
        report_big(out, n_big)
    if "small" in out:
        report_small(out, n_small)
    for key, title in (
        ("small_stages", "small query (median of 50 instrumented calls)"),
        ("aggregate_stages", f"GROUP BY over {n_big:,} rows (one instrumented call)"),
        ("dp_stages", f"dp GROUP BY over {n_big:,} rows (one instrumented call)"),
    ):
        if key not in out:
            continue
        total, spent = out[key]
        print(f"\nWhere the time goes, {title}: {total * 1000:.1f} ms\n")
        print("| step | ms | share |")
        print("|---|---|---|")
        for label, seconds in spent.items():
            print(f"| {label} | {seconds * 1000:.2f} | {seconds / total:.0%} |")
    if "aggregate" in out:
        print(f"\nanswer (aggregate): {out['aggregate']['answer']}\nanswer (dp): {out['dp']['answer']}")


def report_big(out: dict, n_big: int) -> None:
    a, d = out["aggregate"], out["dp"]
    reps = len(a["service"])
    sa, ra, ea = (statistics.median(a[k]) for k in ("service", "raw", "engine_sql"))
    print(
        f"| GROUP BY over {n_big:,} rows, `POST /api/v1/queries` (aggregate contract), median of {reps} | "
        f"{sa:.3f} s (runs {runs(a['service'])}) | — |"
    )
    print(
        f"| the same query, raw DuckDB on the same Parquet file, median of {reps} | {ra:.3f} s (runs "
        f"{runs(a['raw'])}) | — |"
    )
    print(
        f"| ratio service / raw (medians) | **{sa / ra:.2f}×** "
        f"(best runs {min(a['service']) / min(a['raw']):.2f}×) | ≤ 1.15× |"
    )
    wa = statistics.median(a["warm"])
    print(
        f"| the same query, raw DuckDB on one warm connection (no connect), median | {wa:.3f} s; service / it: "
        f"**{sa / wa:.2f}×** | — |"
    )
    print(
        f"| the engine's SQL (with the small-group `HAVING`), raw DuckDB, median | {ea:.3f} s (runs "
        f"{runs(a['engine_sql'])}); service / it: {sa / ea:.2f}× | — |"
    )
    sd, rd, ed = (statistics.median(d[k]) for k in ("service", "raw", "engine_sql"))
    if d["refusal"]:
        seconds, detail = d["refusal"]
        print(
            f"| dp GROUP BY over {n_big:,} rows, engine as configured (threads {d['default_engine'][0]}, "
            f"memory_limit {d['default_engine'][1]}) | "
            f"**refused** after {seconds:.1f} s: {detail} | — |"
        )
        print(
            f"| *the dp rows below: engine memory_limit raised to {d['engine'][1]} by the benchmark "
            f"(`--dp-memory-limit`)* | | |"
        )
    print(
        f"| same GROUP BY under the dp contract (ε 0.001 a query, a new query text each run), median of {reps} | "
        f"{sd:.3f} s (runs {runs(d['service'])}) | — |"
    )
    print(f"| the same queries, raw DuckDB (no bounding, no noise), median | {rd:.3f} s (runs {runs(d['raw'])}) | — |")
    print(f"| ratio dp service / raw (medians) | **{sd / rd:.2f}×** | — |")
    print(
        f"| the dp plan's SQL (capped, clamped where needed), raw DuckDB, median | {ed:.3f} s; service / it: "
        f"{sd / ed:.2f}× | — |"
    )
    print(f"| a repeated dp query (answered from the cache, nothing charged) | {d['cached'] * 1000:.1f} ms | — |")


def report_small(out: dict, n_small: int) -> None:
    s = out["small"]
    print(
        f"| small GROUP BY ({n_small:,} rows), `POST /api/v1/queries`, {len(s['service'])} calls, p50 / p99 / max | "
        f"**{percentile(s['service'], 0.5) * 1000:.1f}** / {percentile(s['service'], 0.99) * 1000:.1f} / "
        f"{max(s['service']) * 1000:.1f} ms | p50 < 20 ms |"
    )
    print(
        f"| the same small query, raw DuckDB (new connection each time), p50 / p99 | "
        f"{percentile(s['raw'], 0.5) * 1000:.2f} / {percentile(s['raw'], 0.99) * 1000:.2f} ms | — |"
    )
    print(
        f"| the same small query, raw DuckDB on one warm connection, p50 / p99 | "
        f"{percentile(s['warm'], 0.5) * 1000:.2f} / {percentile(s['warm'], 0.99) * 1000:.2f} ms | — |"
    )
    print(f"| `duckdb.connect()` + `close()` alone, median of 50 | {out['connect'] * 1000:.1f} ms | — |")
    print(
        f"| `GET /healthz` through the same `TestClient` (the HTTP harness's floor), p50 | "
        f"{percentile(s['healthz'], 0.5) * 1000:.2f} ms | — |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--small-rows", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--data-dir", type=Path, default=Path("bench-data/sandbox"))
    parser.add_argument(
        "--dp-memory-limit",
        default="8GB",
        help="if the engine as configured refuses the dp query, time it with this DuckDB memory_limit instead",
    )
    parser.add_argument(
        "--only", choices=("big", "small"), help="time only the 10M-row queries, or only the small query"
    )
    parser.add_argument("--keep", action="store_true", help="keep the platform's data dir afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a platform kept by an earlier --keep run (same --rows)"
    )
    args = parser.parse_args()
    folder = args.data_dir / "platform"
    setup_file = folder / SETUP_FILE
    if args.reuse and setup_file.exists():
        setup = json.loads(setup_file.read_text("utf-8"))
        assert setup["rows"][BIG] == args.rows, f"the kept platform has {setup['rows'][BIG]:,} rows"
    else:
        setup = build(args, folder)
    clock.reset()  # queries run on the real clock, after the story
    platform = open_platform(Settings(data_dir=folder, database_url=None))
    try:
        out = bench(args, setup, platform)
    finally:
        platform.close()
    report(args, setup, out)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
