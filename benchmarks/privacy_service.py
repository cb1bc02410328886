"""A 1,000-item match, a 1,000-item labelled lookup and a 1,000-applicant joint scoring through the whole
service — the bank's client (``pubdata_client.flows``) over the HTTP API, the governance (contract, quota,
ledger) and the protocol cores — beside raw openmined-psi on the same sizes, in the same run.

Run: .venv/bin/python benchmarks/privacy_service.py [--scale 0.2] [--data-dir DIR] [--serve]
  --data-dir DIR   a demo's data directory (``make demo`` builds ./pubdata-data); else a demo is built in a
                   temporary one at ``--scale`` (its build time is printed too);
  --serve          the service as ``pubdata serve`` in its own process, over real HTTP on 127.0.0.1; otherwise
                   the app in this process (starlette's TestClient: the same routes, no sockets).
Prints a Markdown table for docs/benchmarks.md (``run()`` gives its rows to privacy_bench.py). Nothing here is a
test: numbers are recorded, not asserted.

Cases: ``cold`` is the client's first run on a set version (offer, the setup or label table fetched, one run);
``warm`` a second run with the setup kept in the key store (offer, one run). Bytes are what the client sent and
received (bodies and URLs). The raw row is openmined-psi alone on the same sizes: the server's setup over the
same set, the client's request, the server's response and the intersection, in one process, no HTTP, no
governance; its bytes are the request up and the setup and response down.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import Contention, cpu_model

Row = dict[str, Any]
ITEMS = 1_000


DATABASE_URL: str | None = None  # --database-url: the demo's control-plane database, if not in its data directory


def settings(folder: Path) -> Any:
    from pubdata.config import Settings

    return Settings(data_dir=folder, database_url=DATABASE_URL)


def build_demo(scale: float) -> tuple[Path, float]:
    """A demo city in a temporary data directory (SQLite inside it): its folder and build time."""
    from pubdata import demo
    from pubdata.platform import open_platform

    folder = Path(tempfile.mkdtemp(prefix="privacy-service-bench-")) / "data"
    started = time.perf_counter()
    platform = open_platform(settings(folder))
    demo.build(platform, scale=scale)
    platform.close()
    return folder, time.perf_counter() - started


def demo_bank(folder: Path) -> tuple[str, dict[str, str], list[dict[str, str]]]:
    """The bank's token, the demo's privacy products by step, and its applicants (their rows)."""
    from pubdata.demo import privacy as bank_demo

    document = json.loads((folder / "demo-accounts.json").read_text("utf-8"))
    token = next(a["token"] for a in document["accounts"] if a["login"] == "bank.admin")
    names = {bank_demo.PSI_NAME: "match", bank_demo.LOOKUP_NAME: "lookup", bank_demo.SCORING_NAME: "score"}
    products = {names[p["name"]]: p["product"] for p in document["products"] if p["name"] in names}
    with (folder / bank_demo.APPLICANTS_FILE).open(encoding="utf-8-sig", newline="") as handle:
        applicants = list(csv.DictReader(handle))
    return token, products, applicants


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(folder: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    command = [str(Path(sys.executable).with_name("pubdata")), "serve", "--data-dir", str(folder), "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    import httpx

    for _ in range(300):
        try:
            httpx.get(url + "/api/v1/ledger/tree-head", timeout=1.0)
            return server, url
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("pubdata serve did not start")


def service_rows(folder: Path, url: str | None, items: int) -> tuple[list[Row], int]:
    """Cold and warm runs of match and lookup through the client; the size of the matched set."""
    from pubdata.demo import privacy as bank_demo
    from pubdata_client import flows
    from pubdata_client.api import Api
    from pubdata_client.keys import KeyStore

    token, products, applicants = demo_bank(folder)
    if len(applicants) < items:
        raise SystemExit(f"the demo has {len(applicants)} applicants, fewer than {items}: build it at a larger --scale")
    asked = [row[bank_demo.CODE_COLUMN] for row in applicants[:items]]
    if url is None:
        from fastapi.testclient import TestClient

        from pubdata.app import create_app
        from pubdata.platform import open_platform

        api = Api("http://testserver", token, http=TestClient(create_app(open_platform(settings(folder)))))
        where = "in process"
    else:
        api, where = Api(url, token), "served"
    store = KeyStore(Path(tempfile.mkdtemp(prefix="privacy-service-keys-")))
    rows: list[Row] = []
    members = 0
    for step, flow in (("match", flows.match), ("lookup", flows.lookup)):
        for case in ("cold", "warm"):
            started = time.perf_counter()
            found, report = flow(api, products[step], asked, store=store)
            seconds = time.perf_counter() - started
            hits = sum(1 for value in found if value not in (False, None))
            members = max(members, hits)
            rows.append(
                {
                    "protocol": "psi" if step == "match" else "labelled_lookup",
                    "case": f"service, {where}, {case}",
                    "items": items,
                    "seconds": seconds,
                    "per_second": items / seconds,
                    "bytes_up": report.sent,
                    "bytes_down": report.received,
                    "note": f"{hits} found; {len(report.runs)} run(s)",
                }
            )
        shutil.rmtree(store.root / "setups", ignore_errors=True)  # the next protocol starts cold too
    # Joint scoring of the same applicants (each has consented: the demo recorded their letters), with a key
    # of the benchmark's own, registered by the first run ("cold"), then a second run ("warm").
    store.new_scoring_keys()
    features = {
        name: [float(row[name]) for row in applicants[:items]] for name in (bank_demo.INCOME, bank_demo.OVERDUE)
    }
    for case in ("cold, key registered", "warm"):
        started = time.perf_counter()
        _, report = flows.score(api, products["score"], asked, features, store=store)
        seconds = time.perf_counter() - started
        rows.append(
            {
                "protocol": "joint_scoring",
                "case": f"service, {where}, {case}",
                "items": items,
                "seconds": seconds,
                "per_second": items / seconds,
                "bytes_up": report.sent,
                "bytes_down": report.received,
                "note": f"{len(report.runs)} run(s), 2 private features",
            }
        )
    return rows, members


def set_size(folder: Path) -> int:
    """The A-rated set's size, as the platform's own set versions recorded it."""
    from sqlalchemy import select

    from pubdata.platform import open_platform
    from pubdata.privacy.models import PrivacySetVersion

    platform = open_platform(settings(folder))
    with platform.read() as session:
        sizes = [v.items for v in session.scalars(select(PrivacySetVersion))]
    platform.close()
    return max(sizes) if sizes else 0


def raw_psi_rows(server_items: int, client_items: int) -> list[Row]:
    """openmined-psi alone on the same sizes: the server's setup over ``server_items`` (the service builds it
    once per set version), then one run — the client's request of ``client_items`` (half of them in the set),
    the server's response and the intersection (what the service's warm run does)."""
    from private_set_intersection.python import DataStructure, client, server

    server_set = [f"S{n:017d}" for n in range(server_items)]
    first = server_items - client_items // 2
    client_set = [f"S{n:017d}" for n in range(first, first + client_items)]
    started = time.perf_counter()
    psi_server = server.CreateWithNewKey(True)
    setup = psi_server.CreateSetupMessage(1e-9, client_items, server_set, DataStructure.GCS)
    built = time.perf_counter() - started
    started = time.perf_counter()
    psi_client = client.CreateWithNewKey(True)
    request = psi_client.CreateRequest(client_set)
    response = psi_server.ProcessRequest(request)
    found = psi_client.GetIntersection(setup, response)
    seconds = time.perf_counter() - started
    setup_bytes = len(setup.SerializeToString())
    return [
        {
            "protocol": "psi",
            "case": f"raw openmined-psi setup, server set {server_items:,}",
            "items": server_items,
            "seconds": built,
            "per_second": server_items / built,
            "bytes_down": setup_bytes,
        },
        {
            "protocol": "psi",
            "case": "raw openmined-psi run (request, response, intersection)",
            "items": client_items,
            "seconds": seconds,
            "per_second": client_items / seconds,
            "bytes_up": len(request.SerializeToString()),
            "bytes_down": len(response.SerializeToString()),
            "note": f"{len(found)} found; + {setup_bytes:,} setup bytes once",
        },
    ]


def run(*, scale: float = 0.2, data_dir: Path | None = None, served: bool = False, items: int = ITEMS) -> list[Row]:
    rows: list[Row] = []
    if data_dir is None:
        data_dir, built = build_demo(scale)
        print(f"the demo's data directory: {data_dir}", file=sys.stderr)
        rows.append({"protocol": "demo", "case": f"pubdata demo --scale {scale} (whole city)", "seconds": built})
    server = None
    url = None
    if served:
        server, url = serve(data_dir)
    try:
        found, _ = service_rows(data_dir, url, items)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    size = set_size(data_dir)
    rows += found
    rows += raw_psi_rows(size or items, items)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--items", type=int, default=ITEMS)
    parser.add_argument("--database-url", default=None, help="the demo's database (default: in its data directory)")
    args = parser.parse_args()
    global DATABASE_URL
    DATABASE_URL = args.database_url
    busy = Contention()
    with busy:
        rows = run(scale=args.scale, data_dir=args.data_dir, served=args.serve, items=args.items)
    from privacy_bench import print_table

    print(f"<!-- {cpu_model()}, {os.cpu_count()} cores -->")
    print_table(rows, {"service": busy.cores})


if __name__ == "__main__":
    main()
