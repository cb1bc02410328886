"""Catalogue benchmark: a checked CSV load against DuckDB's raw CSV→Parquet, and public catalogue search.

Run: .venv/bin/python benchmarks/catalog_bench.py [--rows 1000000] [--repeats 5] [--resources 10000]
     [--queries 500] [--requests 200] [--data-dir bench-data/catalog] [--only load|search]
Prints a Markdown table for docs/benchmarks.md. Nothing here is a test: numbers are recorded, not asserted.

The CSV of synthetic people (valid resident IDs with check characters, names, mobiles, dates, districts,
integers: the shapes of ``tests/data.py``'s PERSON_FIELDS) is written once per run into the scratch
folder; the platform's load and DuckDB's own ``read_csv`` → Parquet then run alternately on that same file.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform as host
import random
import shutil
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
from sqlalchemy import text

from harness import Contention, cpu_model
from pubdata.catalog import loading
from pubdata.catalog import service as catalog
from pubdata.catalog.schemas import FieldSpec, ResourceIn
from pubdata.common.actor import CLI
from pubdata.common.ids import credit_code_check_char, resident_id_check_char
from pubdata.config import Settings
from pubdata.identity import service as identity
from pubdata.identity.access import PlatformItself
from pubdata.ledger.merkle import Hasher
from pubdata.platform import open_platform

# --- synthetic people (the helpers of tests/data.py, copied so the benchmark does not import tests) ---

CHIZHOU_REGIONS = ("341702", "341721", "341722", "341723")
DISTRICTS = ("贵池区", "东至县", "石台县", "青阳县")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"

PERSON_FIELDS = [
    {
        "name": "id_number",
        "label": "公民身份号码",
        "format": "resident_id",
        "required": True,
        "sensitivity": "sensitive",
        "pipl_category": "identity_document",
    },
    {"name": "full_name", "label": "姓名", "format": "person_name", "required": True, "sensitivity": "personal"},
    {"name": "phone", "label": "手机号码", "format": "mobile", "sensitivity": "personal"},
    {"name": "birth_date", "label": "出生日期", "type": "date", "sensitivity": "personal"},
    {"name": "district", "label": "所属区县"},
    {"name": "household_size", "label": "家庭人口数", "type": "integer"},
]
ENTERPRISE_FIELDS = [
    {"name": "credit_code", "label": "统一社会信用代码", "format": "credit_code", "required": True},
    {"name": "entity_name", "label": "企业名称", "required": True},
    {"name": "registered_on", "label": "成立日期", "type": "date"},
    {"name": "capital", "label": "注册资本（万元）", "type": "decimal"},
    {"name": "district", "label": "所属区县"},
]
STATISTICS_FIELDS = [
    {"name": "period", "label": "统计期", "required": True},
    {"name": "district", "label": "所属区县"},
    {"name": "indicator", "label": "指标名称", "required": True},
    {"name": "value", "label": "指标值", "type": "decimal"},
]


def generate_persons(path: Path, rows: int, seed: int = 7) -> None:
    """``rows`` synthetic people as UTF-8 CSV with a header of field names; plain ``random`` and ``csv``."""
    rng = random.Random(seed)
    start = date(1950, 1, 1)
    # One day of birth per possible offset, formatted once: 55 years of dates instead of a million strftime calls.
    births = [(start + timedelta(days=d)).strftime("%Y%m%d") for d in range(365 * 55)]
    regions, surnames, given = CHIZHOU_REGIONS, SURNAMES, GIVEN
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([spec["name"] for spec in PERSON_FIELDS])
        batch = []
        for _ in range(rows):
            born = births[rng.randrange(len(births))]
            first17 = f"{rng.choice(regions)}{born}{rng.randrange(1000):03d}"
            name = rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))
            batch.append(
                (
                    first17 + resident_id_check_char(first17),
                    name,
                    f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                    f"{born[:4]}-{born[4:6]}-{born[6:]}",
                    rng.choice(DISTRICTS),
                    rng.randrange(1, 7),
                )
            )
            if len(batch) == 50_000:
                writer.writerows(batch)
                batch.clear()
        writer.writerows(batch)


def credit_code(rng: random.Random) -> str:
    first17 = f"91341700MA{rng.randrange(0, 10**7):07d}"
    return first17 + credit_code_check_char(first17)


# --- loading -------------------------------------------------------------------------------------------


def platform_load(csv_path: Path, work_dir: Path) -> tuple[float, loading.LoadResult]:
    fields = [FieldSpec.model_validate(spec) for spec in PERSON_FIELDS]
    started = time.perf_counter()
    result = loading.check_and_write(
        source_format="csv", fields=fields, work_dir=work_dir, path=csv_path, hasher=Hasher("sm3")
    )
    elapsed = time.perf_counter() - started
    assert result.ok, result.problems[:3]
    return elapsed, result


def raw_load(csv_path: Path, target: Path) -> float:
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{csv_path}')) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
    con.close()
    return time.perf_counter() - started


STAGES = {
    "_csv_relation": "CSV read into DuckDB (strict UTF-8, all VARCHAR: also the encoding check)",
    "_check_rows": "checks scan (types, required, ID checksum, mobile)",
    "_find_lookalikes": "lookalike scan (sampled)",
    "_write_parquet": "typed Parquet write (zstd)",
    "file_digest": "SM3 checksum of the Parquet file",
}


def staged_load(csv_path: Path, work_dir: Path) -> tuple[float, dict[str, float]]:
    """One more load with the loader's stage functions wrapped in timers (the load itself is unchanged)."""
    spent = dict.fromkeys(STAGES, 0.0)
    originals = {name: getattr(loading, name) for name in STAGES}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return wrapper

    for name, fn in originals.items():
        setattr(loading, name, timed(name, fn))
    try:
        total, result = platform_load(csv_path, work_dir)
    finally:
        for name, fn in originals.items():
            setattr(loading, name, fn)
    result.parquet_path.unlink()
    spent["_write_parquet"] -= spent["file_digest"]  # the write stage calls the digest; count each once
    spent["other"] = total - sum(spent.values())
    return total, spent


def bench_load(args: argparse.Namespace) -> dict:
    folder = args.data_dir / "load"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    csv_path = folder / f"persons-{args.rows}.csv"
    started = time.perf_counter()
    generate_persons(csv_path, args.rows)
    generate_s = time.perf_counter() - started
    work_dir = folder / "work"
    raw_target = folder / "raw.parquet"
    platform_times, raw_times = [], []
    result = None
    contention = Contention()
    for _ in range(args.repeats):  # alternate, so both see the same machine noise
        with contention:
            raw_times.append(raw_load(csv_path, raw_target))
        with contention:
            elapsed, result = platform_load(csv_path, work_dir)
        platform_times.append(elapsed)
        size = result.size_bytes
        result.parquet_path.unlink()
    staged_total, stages = staged_load(csv_path, work_dir)
    out = {
        "rows": result.row_count,
        "csv_bytes": csv_path.stat().st_size,
        "generate_s": generate_s,
        "platform": platform_times,
        "raw": raw_times,
        "platform_parquet_bytes": size,
        "raw_parquet_bytes": raw_target.stat().st_size,
        "encoding": result.encoding,
        "lookalikes": result.lookalikes,
        "staged_total": staged_total,
        "stages": stages,
        "contention": contention.cores,
    }
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return out


# --- the public catalogue ------------------------------------------------------------------------------

# topic -> (code part, base library, sector, schema)
TOPICS = {
    "人口": ("RK", "population", "public_security", PERSON_FIELDS),
    "法人": ("FR", "legal_entity", "market_regulation", ENTERPRISE_FIELDS),
    "信用": ("XY", "credit", "development_reform", ENTERPRISE_FIELDS),
    "税务": ("SW", "macro_economy", "taxation", ENTERPRISE_FIELDS),
    "社保": ("SB", "population", "human_resources", PERSON_FIELDS),
    "电子证照": ("DZ", "e_licence", "market_regulation", ENTERPRISE_FIELDS),
    "空间": ("KJ", "spatial", "natural_resources", STATISTICS_FIELDS),
    "宏观": ("HG", "macro_economy", "statistics", STATISTICS_FIELDS),
    "企业": ("QY", "legal_entity", "market_regulation", ENTERPRISE_FIELDS),
    "医疗": ("YL", "other", "other", PERSON_FIELDS),
    "教育": ("JY", "other", "other", STATISTICS_FIELDS),
    "交通": ("JT", "other", "urban_management", STATISTICS_FIELDS),
}
KINDS = ("基础信息库", "专题库", "明细", "统计表")
QUALIFIERS = ("", "", "池州市", "贵池区", "东至县", "石台县", "青阳县", "年度", "季度")
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "yearly", "irregular")
RARE_WORD = "湿地"  # in about one resource in a thousand


def resource_body(i: int, rng: random.Random) -> dict:
    topic = rng.choice(list(TOPICS))
    part, base_library, sector, fields = TOPICS[topic]
    kind = rng.choice(KINDS)
    qualifier = rng.choice(QUALIFIERS)
    rare = RARE_WORD + "保护" if i % 997 == 0 else ""
    personal = fields is PERSON_FIELDS
    return {
        "code": f"CZ-{part}-{i:05d}",
        "name": f"{qualifier}{topic}{rare}{kind}{i:05d}",
        "description": f"{qualifier or '池州市'}{topic}领域{kind}，由提供部门按{rng.choice(('月', '季', '年'))}汇总"
        f"（合成数据，第 {i} 号）",
        "sector": sector,
        "base_library": base_library,
        "update_frequency": rng.choice(FREQUENCIES),
        "time_span": f"{rng.randrange(2010, 2024)} 至今",
        "sharing": rng.choice(("unconditional", "conditional", "none")),
        "opening": "closed" if personal else rng.choice(("open", "conditional", "closed")),
        "declared_grade": rng.choice(("general-1", "general-2", "general-3")),
        "fields": fields,
    }


def query_mix(n: int, resources: int, rng: random.Random) -> list[tuple[str, catalog.Filters]]:
    """Keywords common and rare, code prefixes and codes, no match, and a base-library filter alone."""
    topics = list(TOPICS)

    def with_sector(topic: str) -> catalog.Filters:
        return catalog.Filters(q=topic, sector=TOPICS[topic][2])

    makers = [
        ("common word (人口/信用/税务)", lambda: catalog.Filters(q=rng.choice(("人口", "信用", "税务")))),
        ("other topic word", lambda: catalog.Filters(q=rng.choice(topics))),
        ("topic + kind (人口基础信息库)", lambda: catalog.Filters(q=rng.choice(topics) + rng.choice(KINDS))),
        ("code prefix (CZ-XY)", lambda: catalog.Filters(q=f"CZ-{TOPICS[rng.choice(topics)][0]}")),
        ("one code", lambda: catalog.Filters(q=f"{rng.randrange(resources):05d}")),
        (f"rare word ({RARE_WORD})", lambda: catalog.Filters(q=RARE_WORD)),
        ("no match (量子)", lambda: catalog.Filters(q="量子")),
        ("topic word + its sector", lambda: with_sector(rng.choice(topics))),
        (
            "base_library filter, no keyword",
            lambda: catalog.Filters(
                base_library=rng.choice(
                    ("population", "legal_entity", "credit", "e_licence", "spatial", "macro_economy", "other")
                )
            ),
        ),
    ]
    return [(label, make()) for label, make in (makers[i % len(makers)] for i in range(n))]


def percentiles(times_ms: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times_ms)
    return statistics.median(ordered), ordered[max(int(len(ordered) * 0.95) - 1, 0)], ordered[-1]


def bench_search(args: argparse.Namespace) -> dict:
    from fastapi.testclient import TestClient

    from pubdata.app import create_app

    folder = args.data_dir / "platform"
    shutil.rmtree(folder, ignore_errors=True)
    platform = open_platform(Settings(data_dir=folder, database_url=None))
    rng = random.Random(10_000)
    cli = PlatformItself(CLI)
    with platform.command() as session:
        organisation = identity.create_organisation(
            session, principal=cli, kind="provider", name="池州市基准数据提供部门"
        )
        user = identity.create_user(
            session,
            principal=cli,
            organisation_id=organisation.id,
            login="bench.provider",
            display_name="基准",
            role="admin",
            password="correct-horse-battery",
        )
    with platform.read() as session:
        principal = identity.principal_of(session, login=user.login)
    started = time.perf_counter()
    for batch in range(0, args.resources, 500):  # one command per 500 descriptions
        with platform.command() as session:
            for i in range(batch, min(batch + 500, args.resources)):
                catalog.describe(session, principal=principal, body=ResourceIn.model_validate(resource_body(i, rng)))
    describe_s = time.perf_counter() - started
    # Bypasses the registration workflow (submission, review, public notice): acceptable for a search benchmark only.
    with platform.command() as session:
        session.execute(
            text("UPDATE resource SET state = 'registered', registration_number = printf('CZZY2026%06d', id)")
        )
    with platform.read() as session:
        registered = session.scalar(text("SELECT count(*) FROM resource WHERE state = 'registered'"))

    queries = query_mix(args.queries, args.resources, rng)
    for _, filters in queries[:20]:  # warm-up: caches, the pool, SQLite's page cache
        with platform.read() as session:
            catalog.search_public(session, filters=filters, limit=50)
    contention = Contention()
    times: list[float] = []
    by_kind: dict[str, list[float]] = {}
    matched: dict[str, list[int]] = {}
    with contention:
        for label, filters in queries:
            with platform.read() as session:  # a fresh read transaction per query, as a route has
                started = time.perf_counter()
                _, total = catalog.search_public(session, filters=filters, limit=50)
                elapsed = (time.perf_counter() - started) * 1000
            times.append(elapsed)
            by_kind.setdefault(label, []).append(elapsed)
            matched.setdefault(label, []).append(total)

    client = TestClient(create_app(platform))
    for _ in range(10):
        client.get("/api/v1/public/catalog", params={"q": "人口"})
    http_times: list[float] = []
    http_total = 0
    with contention:
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get("/api/v1/public/catalog", params={"q": "人口"})
            http_times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
            body = response.json()
            http_total = body["total"]
            assert len(body["items"]) == min(50, http_total)
    platform.close()
    out = {
        "resources": args.resources,
        "registered": registered,
        "describe_s": describe_s,
        "search": percentiles(times),
        "queries": len(queries),
        "by_kind": {
            label: (len(t), *percentiles(t), statistics.median(matched[label])) for label, t in by_kind.items()
        },
        "http": percentiles(http_times),
        "requests": args.requests,
        "http_total": http_total,
        "contention": contention.cores,
    }
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return out


# --- report --------------------------------------------------------------------------------------------


def report(load: dict | None, search: dict | None) -> None:
    print(
        f"\nmachine: {host.machine()}, {os.cpu_count()} cores ({cpu_model()}), Python {host.python_version()}, "
        f"{host.platform()}, DuckDB {duckdb.__version__}"
    )
    print(f"date: {time.strftime('%Y-%m-%d %H:%M')}")
    busy = [f"{name} {part['contention']:.2f}" for name, part in (("load", load), ("search", search)) if part]
    print(f"other processes' CPU during the timed sections, in cores (0 = quiet machine): {', '.join(busy)}\n")
    print("| measure | result | target |")
    print("|---|---|---|")
    if load:
        n = load["rows"]
        platform_s, raw_s = statistics.median(load["platform"]), statistics.median(load["raw"])
        runs = len(load["platform"])
        print(
            f"| CSV written once per run ({load['csv_bytes'] / 2**20:.0f} MiB, {n:,} rows) | "
            f"{load['generate_s']:.1f} s | — |"
        )
        print(
            f"| platform load, all checks (`check_and_write`, SM3), median of {runs} | {n / platform_s:,.0f} "
            f"rows/s ({platform_s:.2f} s; runs {', '.join(f'{t:.2f}' for t in load['platform'])}) | — |"
        )
        print(
            f"| DuckDB `read_csv` → Parquet (zstd), no checks, median of {runs} | {n / raw_s:,.0f} rows/s "
            f"({raw_s:.2f} s; runs {', '.join(f'{t:.2f}' for t in load['raw'])}) | — |"
        )
        print(
            f"| ratio platform / raw (medians) | **{platform_s / raw_s:.2f}×** (best runs: "
            f"{min(load['platform']) / min(load['raw']):.2f}×) | ≤ 3× |"
        )
        print(
            f"| Parquet size, platform (typed) / raw (inferred) | {load['platform_parquet_bytes'] / 2**20:.1f} / "
            f"{load['raw_parquet_bytes'] / 2**20:.1f} MiB | — |"
        )
    if search:
        s, h = search["search"], search["http"]
        print(
            f"| describe {search['resources']:,} resources (service, ledger entry each) | "
            f"{search['resources'] / search['describe_s']:,.0f} resources/s ({search['describe_s']:.1f} s) | — |"
        )
        print(
            f"| `search_public`, {search['queries']} mixed queries over {search['registered']:,} registered, p50 "
            f"/ p95 / max | {s[0]:.2f} / {s[1]:.2f} / {s[2]:.2f} ms | p95 < 50 ms |"
        )
        print(
            f"| `GET /api/v1/public/catalog?q=人口` ({search['requests']} requests, {search['http_total']:,} "
            f"matches, {min(50, search['http_total'])} returned), p50 / p95 / max | {h[0]:.2f} / {h[1]:.2f} / "
            f"{h[2]:.2f} ms | p95 < 50 ms |"
        )
    if load:
        print(f"\nStage breakdown, one instrumented load ({load['staged_total']:.2f} s in all):\n")
        print("| stage | seconds | share |")
        print("|---|---|---|")
        for name, seconds in load["stages"].items():
            print(
                f"| {STAGES.get(name, 'other (DESCRIBE, count, scratch folder)')} | {seconds:.2f} | "
                f"{seconds / load['staged_total']:.0%} |"
            )
    if search:
        print("\nSearch by kind of query:\n")
        print("| query | n | median matches | p50 / p95 / max ms |")
        print("|---|---|---|---|")
        for label, (count, p50, p95, worst, matches) in search["by_kind"].items():
            print(f"| {label} | {count} | {matches:,.0f} | {p50:.2f} / {p95:.2f} / {worst:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, default=Path("bench-data/catalog"))
    parser.add_argument("--only", choices=("load", "search"))
    parser.add_argument("--keep", action="store_true", help="keep the CSV and the platform's data dir afterwards")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    load = bench_load(args) if args.only != "search" else None
    search = bench_search(args) if args.only != "load" else None
    report(load, search)


if __name__ == "__main__":
    main()
