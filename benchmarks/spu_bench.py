"""Bulk matching: SecretFlow spu's RR22 and unbalanced PSI against openmined-psi's ECDH PSI (issue 14, point 6).

spu is not a dependency of the project (docs/privacy-computing.md, "Bulk matching", says why): run this in a
venv of its own,
    python3 -m venv /tmp/spu-venv && /tmp/spu-venv/bin/pip install spu==0.9.5 openmined.psi
    /tmp/spu-venv/bin/python benchmarks/spu_bench.py --sizes 100000 1000000 --ub 1000000 --openmined 100000
or beside numpy 2 with ``pip install --no-deps spu==0.9.5`` and ``--direct`` (spu's extension modules loaded
without its Python package, which imports jax). ``--count-bytes`` puts a counting relay on spu's link.
Prints a Markdown table for docs/privacy-computing.md (Bulk matching). Nothing here is a test: numbers are recorded.

Both parties run as separate processes on this machine over spu's brpc link on 127.0.0.1 (the way two
organisations would run, minus the network), so the 2 cores are shared by both sides, as they would not be.
The client (rank 0, the bank) holds as many items as the server (rank 1, the platform) for RR22, half of them
in the server's set; only the client learns the intersection. Items look like credit codes (18 characters).
openmined-psi runs in this process (server and client halves back to back, no network), on the same items.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform as host
import random
import resource as rusage
import socket
import string
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from harness import cpu_model

DIRECT = False  # --direct: spu's extension modules without its Python package (see spu_modules)
CODE_CHARS = string.digits + "ABCDEFGHJKLMNPQRTUWXY"  # GB 32100's alphabet (no I, O, S, V, Z)


def credit_codes(count: int, rng: random.Random) -> list[str]:
    """Distinct 18-character strings shaped like unified social credit codes (the check character not computed)."""
    seen: set[str] = set()
    while len(seen) < count:
        seen.add("91" + "".join(rng.choices(CODE_CHARS, k=16)))
    return sorted(seen)


def sets(size: int, seed: int) -> tuple[list[str], list[str], set[str]]:
    """A server set, a client set of the same size with half its items in the server's, and their intersection."""
    rng = random.Random(seed)
    pool = credit_codes(size * 3 // 2, rng)
    rng.shuffle(pool)
    server = pool[:size]
    client = pool[size // 2 : size // 2 + size]
    return server, client, set(server) & set(client)


def write_csv(path: Path, items: list[str]) -> None:
    path.write_text("id\n" + "\n".join(items) + "\n")


def read_ids(path: Path) -> set[str]:
    lines = path.read_text().splitlines()
    return {line.strip().strip('"') for line in lines[1:] if line.strip()}


class Busy:
    """Wall time, the CPU our process and its reaped children used, and what everyone else used meanwhile."""

    @staticmethod
    def _sample() -> tuple[float, float, float]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        busy = (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
        own = sum(
            getattr(rusage.getrusage(who), f)
            for who in (rusage.RUSAGE_SELF, rusage.RUSAGE_CHILDREN)
            for f in ("ru_utime", "ru_stime")
        )
        return time.perf_counter(), busy, own

    def __enter__(self) -> Busy:
        self._start = self._sample()
        return self

    def __exit__(self, *_: object) -> None:
        end = self._sample()
        self.wall_s = end[0] - self._start[0]
        self.cpu_s = end[2] - self._start[2]
        self.foreign_cores = max((end[1] - self._start[1]) - self.cpu_s, 0.0) / self.wall_s


@dataclass
class Row:
    what: str
    size: str
    phase: str
    busy: Busy
    found: int
    expected: int
    protocol_s: float | None = None  # the PSI call alone, both parties connected (spu only)
    sent: list[int] | None = None  # bytes client → server, server → client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def link_desc(tag: str) -> dict[str, object]:
    return {"id": f"{tag}-{time.time_ns()}", "parties": [f"127.0.0.1:{free_port()}" for _ in range(2)]}


class Relay:
    """Counts the bytes each party sends: party i reaches the other through a TCP relay in this process.

    spu's brpc link has each party listen on its own address and connect to the other's; so party 0 is given
    relay[1] as party 1's address and party 1 relay[0] as party 0's. ``sent[i]`` is every byte party i wrote.
    """

    def __init__(self, parties: list[str]) -> None:
        self.targets = [(a.split(":")[0], int(a.split(":")[1])) for a in parties]
        self.ports = [free_port() for _ in parties]
        self.sent = [0, 0]
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait()

    def address(self, rank: int) -> str:
        return f"127.0.0.1:{self.ports[rank]}"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        for rank in range(2):
            # Connections to relay[rank] come from the other party (1 - rank) and go on to party ``rank``.
            self.loop.run_until_complete(
                asyncio.start_server(lambda r, w, to=rank: self._pipe(r, w, to), "127.0.0.1", self.ports[rank])
            )
        self.ready.set()
        self.loop.run_forever()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, to: int) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.targets[to])
        await asyncio.gather(self._copy(reader, up_writer, 1 - to), self._copy(up_reader, writer, to))

    async def _copy(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, sender: int) -> None:
        try:
            while chunk := await reader.read(1 << 16):
                self.sent[sender] += len(chunk)
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()


def _party(rank: int, desc: dict[str, object], run: str, config: dict[str, object], log: str, times: object) -> None:
    """One party's process: its own link endpoint, then spu's PSI call (it blocks until both sides finish)."""
    # spu's C++ logs every batch to stdout and stderr: into a file, so the table stays readable.
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    link, psi = spu_modules(bool(desc.get("direct")))
    lctx_desc = link.Desc()
    lctx_desc.id = str(desc["id"])
    lctx_desc.recv_timeout_ms = 3_600_000
    addresses = list(desc["parties"])  # type: ignore[call-overload]
    if desc.get("relay"):
        addresses[1 - rank] = desc["relay"][1 - rank]  # type: ignore[index]
    for i, address in enumerate(addresses):
        lctx_desc.add_party(f"party{i}", address)
    lctx = link.create_brpc(lctx_desc, rank)
    lctx.barrier()  # both ends up and connected: what follows is the protocol alone
    start = time.perf_counter()
    if run == "rr22":
        psi.psi_execute(rr22_config(psi, **config), lctx)  # type: ignore[arg-type]
    else:
        psi.ub_psi_execute(ub_config(psi, **config), lctx)  # type: ignore[arg-type]
    times.put((rank, time.perf_counter() - start))  # type: ignore[attr-defined]
    lctx.stop_link()


def spu_modules(direct: bool) -> tuple[object, object]:
    """spu's link and PSI modules. ``direct``: its two extension modules loaded from their files, without
    ``import spu`` (whose ``__init__`` imports jax and the SPU compiler): PSI needs neither, nor numpy < 2."""
    if not direct:
        import spu.libspu.link as link
        import spu.psi as psi

        return link, psi
    import importlib.util
    import sys

    folder = Path(importlib.util.find_spec("spu").submodule_search_locations[0])  # type: ignore[union-attr,index]
    loaded = []
    for name in ("libspu", "libpsi"):
        spec = importlib.util.spec_from_file_location(name, folder / f"{name}.so")
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        sys.modules[name] = module
        loaded.append(module)
    assert "jax" not in sys.modules
    return loaded[0].link, loaded[1]


def rr22_config(psi: object, *, rank: int, source: str, output: str) -> object:
    p = psi
    return p.PsiExecuteConfig(  # type: ignore[attr-defined]
        protocol_conf=p.PsiProtocolConfig(  # type: ignore[attr-defined]
            protocol=p.PsiProtocol.PROTOCOL_RR22,  # type: ignore[attr-defined]
            receiver_rank=0,
            broadcast_result=False,
        ),
        input_params=p.InputParams(path=source, selected_keys=["id"], keys_unique=True),  # type: ignore[attr-defined]
        output_params=p.OutputParams(path=output, disable_alignment=True),  # type: ignore[attr-defined]
    )


def ub_config(psi: object, *, rank: int, mode: str, cache: str, source: str = "", output: str = "") -> object:
    p = psi
    config = p.UbPsiExecuteConfig(  # type: ignore[attr-defined]
        mode=getattr(p.UbPsiMode, mode),  # type: ignore[attr-defined]
        role=p.UbPsiRole.ROLE_CLIENT if rank == 0 else p.UbPsiRole.ROLE_SERVER,  # type: ignore[attr-defined]
        cache_path=cache,
        client_receive_result=True,
    )
    if source:
        config.input_params = p.InputParams(path=source, selected_keys=["id"], keys_unique=True)  # type: ignore[attr-defined]
    if output:
        config.output_params = p.OutputParams(path=output)  # type: ignore[attr-defined]
    return config


def two_parties(
    run: str, configs: list[dict[str, object]], log: Path, relay: bool = False
) -> tuple[Busy, float, list[int] | None]:
    """Both parties' processes; the whole (start, import, connect, run), the protocol call's own wall time and,
    through a relay, the bytes each party sent."""
    ctx = multiprocessing.get_context("spawn")
    desc = link_desc(run)
    desc["direct"] = DIRECT
    counter = Relay(desc["parties"]) if relay else None  # type: ignore[arg-type]
    if counter:
        desc["relay"] = [counter.address(0), counter.address(1)]
    times = ctx.Queue()
    with Busy() as busy:
        jobs = [ctx.Process(target=_party, args=(rank, desc, run, configs[rank], str(log), times)) for rank in range(2)]
        for job in jobs:
            job.start()
        for job in jobs:
            job.join()
    if any(job.exitcode for job in jobs):
        raise RuntimeError(f"spu {run}: a party failed ({[job.exitcode for job in jobs]}); see {log}")
    return busy, max(times.get()[1] for _ in jobs), list(counter.sent) if counter else None


def bench_rr22(size: int, work: Path, relay: bool) -> Row:
    server, client, expected = sets(size, seed=size)
    write_csv(work / "client.csv", client)
    write_csv(work / "server.csv", server)
    out = [work / "client-out.csv", work / "server-out.csv"]
    for path in out:
        path.unlink(missing_ok=True)
    configs = [
        {"rank": 0, "source": str(work / "client.csv"), "output": str(out[0])},
        {"rank": 1, "source": str(work / "server.csv"), "output": str(out[1])},
    ]
    busy, protocol_s, sent = two_parties("rr22", configs, work / "spu.log", relay)
    found = read_ids(out[0])
    assert found == expected, f"RR22 {size}: {len(found)} found, {len(expected)} expected"
    return Row("spu RR22", f"{size:,} × {size:,}", "whole run", busy, len(found), len(expected), protocol_s, sent)


def bench_ub(server_size: int, client_size: int, work: Path, relay: bool) -> list[Row]:
    server, _, _ = sets(server_size, seed=server_size)
    rng = random.Random(7)
    inside = rng.sample(server, client_size // 2)
    outside = credit_codes(client_size - len(inside), random.Random(11))
    client = inside + outside
    expected = set(server) & set(client)
    write_csv(work / "ub-server.csv", server)
    write_csv(work / "ub-client.csv", client)
    out = work / "ub-client-out.csv"
    out.unlink(missing_ok=True)
    caches = [str(work / "ub-client-cache"), str(work / "ub-server-cache")]
    offline, offline_s, offline_sent = two_parties(
        "ub",
        [
            {"rank": 0, "mode": "MODE_OFFLINE", "cache": caches[0]},
            {"rank": 1, "mode": "MODE_OFFLINE", "cache": caches[1], "source": str(work / "ub-server.csv")},
        ],
        work / "spu.log",
        relay,
    )
    online, online_s, online_sent = two_parties(
        "ub",
        [
            {
                "rank": 0,
                "mode": "MODE_ONLINE",
                "cache": caches[0],
                "source": str(work / "ub-client.csv"),
                "output": str(out),
            },
            {"rank": 1, "mode": "MODE_ONLINE", "cache": caches[1]},
        ],
        work / "spu.log",
        relay,
    )
    found = read_ids(out)
    assert found == expected, f"UB {server_size}: {len(found)} found, {len(expected)} expected"
    label = f"{server_size:,} × {client_size:,}"
    return [
        Row(
            "spu unbalanced (ECDH-OPRF)",
            label,
            "offline: server set → client cache",
            offline,
            0,
            0,
            offline_s,
            offline_sent,
        ),
        Row(
            "spu unbalanced (ECDH-OPRF)",
            label,
            "online: client's items",
            online,
            len(found),
            len(expected),
            online_s,
            online_sent,
        ),
    ]


def bench_openmined(size: int) -> list[Row]:
    import private_set_intersection.python as psi

    server_items, client_items, expected = sets(size, seed=size)
    label = f"{size:,} × {size:,}"
    with Busy() as setup_busy:
        server = psi.server.CreateWithNewKey(True)
        setup = server.CreateSetupMessage(1e-9, len(client_items), server_items, psi.DataStructure.RAW)
    with Busy() as run_busy:
        client = psi.client.CreateWithNewKey(True)
        request = client.CreateRequest(client_items)
        response = server.ProcessRequest(request)
        indices = client.GetIntersection(setup, response)
    found = {client_items[i] for i in indices}
    assert found == expected, f"openmined {size}: {len(found)} found"
    return [
        Row("openmined-psi ECDH (RAW)", label, "server setup", setup_busy, 0, 0),
        Row("openmined-psi ECDH (RAW)", label, "request, answer, intersect", run_busy, len(found), len(expected)),
    ]


def table(rows: list[Row]) -> str:
    lines = [
        "| protocol | server × client items | phase | wall s | of which the protocol call | CPU s (both sides) "
        "| others' cores | bytes client → server / server → client | found / expected |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        b = r.busy
        found = f"{r.found:,} / {r.expected:,}" if r.expected else ""
        call = f"{r.protocol_s:.2f}" if r.protocol_s is not None else ""
        sent = f"{r.sent[0]:,} / {r.sent[1]:,}" if r.sent else ""
        lines.append(
            f"| {r.what} | {r.size} | {r.phase} | {b.wall_s:.2f} | {call} | {b.cpu_s:.2f} | {b.foreign_cores:.2f} "
            f"| {sent} | {found} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--ub", type=int, nargs="*", default=[1_000_000], help="server sizes for unbalanced PSI")
    parser.add_argument("--ub-client", type=int, default=1_000)
    parser.add_argument("--openmined", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--data-dir", type=Path, default=Path("bench-data/spu"))
    parser.add_argument("--direct", action="store_true", help="load spu's PSI modules without `import spu`")
    parser.add_argument("--count-bytes", action="store_true", help="spu's link through a counting relay (slower)")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    global DIRECT
    DIRECT = args.direct
    import importlib.metadata

    import numpy

    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    rows: list[Row] = []
    for size in args.openmined:
        rows += bench_openmined(size)
        print(table(rows[-2:]), flush=True)
    for size in args.sizes:
        rows.append(bench_rr22(size, args.data_dir, args.count_bytes))
        print(table(rows[-1:]), flush=True)
    for size in args.ub:
        rows += bench_ub(size, args.ub_client, args.data_dir, args.count_bytes)
        print(table(rows[-2:]), flush=True)
    print(
        f"\n### {started} — {host.machine()}, {os.cpu_count()} cores ({cpu_model()}), Python {host.python_version()},"
        f" spu {importlib.metadata.version('spu')}{' (extension modules loaded directly)' if DIRECT else ''},"
        f" numpy {numpy.__version__}\n"
    )
    print(table(rows))


if __name__ == "__main__":
    main()
