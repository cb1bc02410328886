"""The ``pubdata`` command: demo, serve, database, administration and ledger tools."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from typer.core import TyperGroup

from pubdata.common import clock, store
from pubdata.common.actor import CLI, SYSTEM
from pubdata.common.bounds import INT4_MAX, INT8_MAX
from pubdata.common.errors import Refused
from pubdata.config import Settings
from pubdata.identity.access import PlatformItself
from pubdata.platform import Platform, open_platform

EX_IOERR = 74  # sysexits.h: an input/output error, here a full or read-only store


class _Commands(TyperGroup):
    """Every command: a full or read-only store is one line and exit status 74, never a traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click Context
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise  # said already (an Exit raised while handling a storage fault carries it as its context)
        except Exception as error:
            fault = store.fault_of(error)
            if fault is None:
                raise
            _storage_failed(fault)


def _storage_failed(fault: store.StorageFault) -> NoReturn:
    where = f" ({fault.code}{': ' + fault.where if fault.where else ''})"
    console.print(
        f"[red]storage fault[/red] {escape(f'[{fault.rule}]')} {escape(fault.detail)}{escape(where)}", soft_wrap=True
    )
    raise typer.Exit(code=EX_IOERR)


app = typer.Typer(
    cls=_Commands,
    help="pubdata — authorized operation of public data (公共数据资源授权运营).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Control-plane database.", no_args_is_help=True)
admin_app = typer.Typer(help="Organisations, users and tokens.", no_args_is_help=True)
ledger_app = typer.Typer(help="The tamper-evident ledger.", no_args_is_help=True)
jobs_app = typer.Typer(help="Isolated jobs on the real data.", no_args_is_help=True)
docs_app = typer.Typer(help="Documents generated from the code.", no_args_is_help=True)
billing_app = typer.Typer(help="Prices, the meter and statements.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(admin_app, name="admin")
app.add_typer(ledger_app, name="ledger")
app.add_typer(jobs_app, name="jobs")
app.add_typer(docs_app, name="docs")
app.add_typer(billing_app, name="billing")
console = Console()
AS_CLI = PlatformItself(CLI)  # administration from the command line: the platform acting for itself

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Where everything lives (default ./pubdata-data, or PUBDATA_DATA_DIR)."),
]
Now = Annotated[str | None, typer.Option("--now", help="Set the platform clock, e.g. 2026-12-28 (Asia/Shanghai).")]
# A ledger position, bounded like its column: a larger number is a one-line usage error, not a traceback.
LedgerSeq = Annotated[int, typer.Argument(min=0, max=INT8_MAX)]
TreeSize = Annotated[int, typer.Argument(min=1, max=INT8_MAX)]


def _settings(data_dir: Path | None) -> Settings:
    return Settings(data_dir=data_dir) if data_dir else Settings()


def _open(data_dir: Path | None, now: str | None = None, *, frozen: bool = True) -> Platform:
    if now:
        moment = clock.parse_moment(now)
        clock.freeze(moment) if frozen else clock.start_at(moment)
    return open_platform(_settings(data_dir))


def _fail(error: Refused) -> NoReturn:
    if isinstance(error, store.StorageFault):
        _storage_failed(error)
    console.print(f"[red]refused[/red] {escape(f'[{error.rule}]')} {escape(error.detail)}")
    raise typer.Exit(code=2)


@app.command()
def demo(
    data_dir: DataDir = None,
    now: Now = None,
    scale: Annotated[
        float, typer.Option(help="Size of the pilot data: 1 ≈ 100,000 persons; 10 ≥ 1,000,000.", min=0.001, max=100)
    ] = 1.0,
) -> None:
    """Build the demo city (idempotent) and write DATA_DIR/demo-accounts.json."""
    from pubdata import demo as demo_module

    platform = _open(data_dir, now)
    document = demo_module.build(platform, scale=scale)
    path = platform.settings.data_dir / demo_module.ACCOUNTS_FILE
    console.print(f"demo ready: {len(document['accounts'])} organisations; accounts in {path}")
    platform.close()


@app.command()
def serve(
    data_dir: DataDir = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    now: Now = None,
) -> None:
    """Serve the API, the pages and the job worker in one process."""
    import uvicorn

    from pubdata import demo as demo_module
    from pubdata.app import create_app
    from pubdata.identity import service as identity

    platform = _open(data_dir, now, frozen=False)
    # Uploads are received straight into the domain (``web.uploads``); any other temporary file the server
    # makes goes there too, into this process's folder, which the next start tidies if the server is killed.
    import tempfile

    spool = store.scratch_for(platform.settings.domain_dir) / "tmp"
    spool.mkdir(exist_ok=True)
    tempfile.tempdir = str(spool)
    with platform.command() as session:
        first = identity.bootstrap(session, actor=CLI)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    console.print(f"pubdata is serving at [bold]{url}[/bold]")
    accounts = platform.settings.data_dir / demo_module.ACCOUNTS_FILE
    if first:
        console.print(
            f"first run: log in as [bold]{first[0]}[/bold] with password [bold]{first[1]}[/bold] (shown once)"
        )
    elif accounts.exists():
        bureau = json.loads(accounts.read_text("utf-8"))["accounts"][0]
        console.print(
            f"log in as [bold]{bureau['login']}[/bold] / [bold]{bureau['password']}[/bold]; every demo account "
            f"is in {accounts}"
        )
    _start_scheduler(platform)
    _start_job_worker(platform)
    uvicorn.run(create_app(platform), host=host, port=port, log_level="info")


def _start_scheduler(platform: Platform, every_seconds: float = 60.0) -> None:
    """Apply deadlines once a minute inside ``serve`` (``pubdata tick`` does the same once)."""
    import logging

    from pubdata import scheduler

    log = logging.getLogger("pubdata.scheduler")

    def run() -> None:
        while True:
            try:
                for line in scheduler.tick(platform).changes:
                    log.info(line)
            except Exception:
                log.exception("scheduled tick failed")
            stop.wait(every_seconds)

    stop = threading.Event()
    threading.Thread(target=run, name="pubdata-scheduler", daemon=True).start()


def _recover_jobs(platform: Platform) -> list[str]:
    from pubdata.jobs import worker

    with platform.command() as session:
        return worker.recover(session, actor=SYSTEM)


def _work(platform: Platform, *, stop: threading.Event | None = None, idle_seconds: float = 2.0) -> int:
    """Run approved jobs one after another; with no ``stop``, return once none is waiting."""
    import logging

    from pubdata.jobs import worker

    log, ran = logging.getLogger("pubdata.jobs"), 0
    while stop is None or not stop.is_set():
        try:
            step = worker.execute_next(platform, domain_dir=platform.settings.domain_dir)
        except Exception:
            log.exception("job worker step failed")
            step = None
        if step is not None:
            ran += 1
            log.info("job %s ran", step.job_id)
        elif stop is None:
            return ran
        else:
            stop.wait(idle_seconds)
    return ran


def _start_job_worker(platform: Platform) -> None:
    """Jobs left running by a stopped server run again (or fail); then approved jobs run as they come."""
    for line in _recover_jobs(platform):
        console.print(line)
    stop = threading.Event()
    threading.Thread(target=_work, args=(platform,), kwargs={"stop": stop}, name="pubdata-jobs", daemon=True).start()


@jobs_app.command("run")
def jobs_run(data_dir: DataDir = None) -> None:
    """Recover interrupted jobs, run every approved job isolated, and stop when none is waiting."""
    platform = _open(data_dir, frozen=False)
    for line in _recover_jobs(platform):
        console.print(line)
    console.print(f"{_work(platform)} job(s) ran")
    platform.close()


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Apply every migration (also done on each start)."""
    platform = _open(data_dir)
    console.print(f"database at the newest schema: {platform.engine.url.render_as_string(hide_password=True)}")
    platform.close()


@admin_app.command("create-org")
def create_org(
    kind: Annotated[
        str,
        typer.Option(help="bureau, provider, operator, partner, consumer, pricing, finance, market, audit, security"),
    ],
    name: Annotated[str, typer.Option(help="The organisation's name.")],
    credit_code: Annotated[str | None, typer.Option(help="Unified social credit code (18 characters).")] = None,
    data_dir: DataDir = None,
) -> None:
    from pubdata.identity import service as identity

    platform = _open(data_dir)
    try:
        with platform.command() as session:
            organisation = identity.create_organisation(
                session, principal=AS_CLI, kind=kind, name=name, credit_code=credit_code
            )
    except Refused as error:
        _fail(error)
    console.print(f"organisation {organisation.id} created: {organisation.name} ({organisation.kind})")


@admin_app.command("create-user")
def create_user(
    organisation_id: Annotated[int, typer.Option("--org-id", min=1, max=INT4_MAX, help="The user's organisation.")],
    login: Annotated[str, typer.Option(help="Login name.")],
    role: Annotated[str, typer.Option(help="admin, member or reviewer")] = "member",
    display_name: Annotated[str | None, typer.Option(help="Name shown on pages.")] = None,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="At least 10 characters.")
    ] = "",
    data_dir: DataDir = None,
) -> None:
    from pubdata.identity import service as identity

    platform = _open(data_dir)
    try:
        with platform.command() as session:
            user = identity.create_user(
                session,
                principal=AS_CLI,
                organisation_id=organisation_id,
                login=login,
                display_name=display_name or login,
                role=role,
                password=password,
            )
    except Refused as error:
        _fail(error)
    console.print(f"user {user.id} created: {user.login} ({user.role})")


@admin_app.command("register-key")
def register_key(
    organisation_id: Annotated[int, typer.Option("--org-id", min=1, max=INT4_MAX, help="Whose key.")],
    pem_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The SM2 public key, PEM.")],
    data_dir: DataDir = None,
) -> None:
    """Register an organisation's own SM2 public key (it keeps the private key and signs off-platform)."""
    from pubdata.identity import service as identity

    platform = _open(data_dir)
    try:
        with platform.command() as session:
            key = identity.register_public_key(
                session,
                principal=AS_CLI,
                organisation_id=organisation_id,
                pem=pem_file.read_text(errors="replace")[:1000],
            )
            key_id = key.key_id
    except Refused as error:
        _fail(error)
    console.print(f"key {key_id} registered for organisation {organisation_id}")


@admin_app.command("create-token")
def create_token(
    login: Annotated[str, typer.Option(help="Whose token.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    days: Annotated[int, typer.Option(help="Lifetime in days (1–366).")] = 90,
    data_dir: DataDir = None,
) -> None:
    """Print a new API token once; only its hash is kept."""
    from pubdata.identity import service as identity

    platform = _open(data_dir)
    try:
        with platform.command() as session:
            user = identity.principal_of(session, login=login)
            _, plaintext = identity.issue_token(session, principal=AS_CLI, user_id=user.user_id, name=name, days=days)
    except Refused as error:
        _fail(error)
    typer.echo(plaintext)


@app.command()
def load(
    code: Annotated[str, typer.Argument(help="The resource's catalogue code.")],
    file: Annotated[
        Path, typer.Argument(help="CSV (UTF-8 or GB18030/GBK), .xlsx or Parquet.", exists=True, dir_okay=False)
    ],
    login: Annotated[str, typer.Option("--as", help="The department user loading it.")],
    source_format: Annotated[
        str | None, typer.Option("--format", help="csv, xlsx or parquet (default: from the extension).")
    ] = None,
    confirm_not_sensitive: Annotated[str, typer.Option(help="Comma-separated fields confirmed not personal.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Check a file against the resource's schema and keep it as a new immutable version."""
    from pubdata.catalog import service as catalog
    from pubdata.catalog.loading import FORMAT_BY_SUFFIX
    from pubdata.identity import service as identity

    platform = _open(data_dir)
    chosen = source_format or FORMAT_BY_SUFFIX.get(file.suffix.lower(), "csv")
    try:
        with platform.read() as session:
            principal = identity.principal_of(session, login=login)
            resource_id = catalog.find_id(session, code=code)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("loading", total=None)

            def advance(stage: str, done: int, total: int) -> None:
                bar.update(task, description=stage, completed=done, total=total)

            result, version = catalog.load(
                platform,
                principal=principal,
                resource_id=resource_id,
                domain_dir=platform.settings.domain_dir,
                source_format=chosen,
                path=file,
                progress=advance,
                confirm_not_sensitive=[name.strip() for name in confirm_not_sensitive.split(",") if name.strip()],
            )
    except Refused as error:
        _fail(error)
    if version is None:
        console.print(f"[red]nothing loaded[/red]: {result.problem_count} problem(s)")
        for problem in result.problems:
            where = ", ".join(
                part for part in (f"row {problem.row}" if problem.row else "", problem.column or "") if part
            )
            console.print(f"  {escape(where or '—')}: {escape(problem.message)} {escape(f'[{problem.rule}]')}")
        raise typer.Exit(code=1)
    console.print(
        f"version {version.number} of {escape(code)}: {version.row_count} rows, checksum {version.checksum[:16]}…"
        + (f", read as {result.encoding}" if result.encoding else "")
    )


@app.command()
def tick(data_dir: DataDir = None, now: Now = None) -> None:
    """Apply every deadline that has passed (idempotent); ``serve`` runs the same on a timer."""
    from pubdata import scheduler

    platform = _open(data_dir, now)
    for domain in scheduler.tick(platform).domains:
        console.print(escape(domain.line()))


@billing_app.command("reconcile")
def billing_reconcile(
    month: Annotated[str, typer.Option("--month", help="The month, e.g. 2026-11 (Asia/Shanghai).")],
    data_dir: DataDir = None,
) -> None:
    """Check a month: every call's ledger entry against its meter line, and the statements against the ledger.
    Exit code 1 when they disagree."""
    from pubdata.billing import service
    from pubdata.billing.schemas import ReconciliationOut

    platform = _open(data_dir)
    try:
        with platform.read() as session:
            found = service.reconcile(session, principal=AS_CLI, month=month)
    except Refused as error:
        _fail(error)
    typer.echo(ReconciliationOut.of(found).model_dump_json(indent=2))
    if not found.balanced:
        raise typer.Exit(code=1)


@ledger_app.command("head")
def ledger_head(data_dir: DataDir = None) -> None:
    """Print the current signed tree head."""
    from pubdata.ledger import schemas, service

    platform = _open(data_dir)
    with platform.command() as session:  # signing a head keeps it
        head = service.current_tree_head(session, platform.signer)
    typer.echo(schemas.TreeHeadOut.of(head).model_dump_json(indent=2))


@ledger_app.command("public-key")
def ledger_public_key(data_dir: DataDir = None) -> None:
    """Print the PEM public key tree heads are signed with (docs/ledger.md shows how to check one)."""
    typer.echo(_open(data_dir).signer.public_key_pem(), nl=False)


@ledger_app.command("proof")
def ledger_proof(seq: LedgerSeq, data_dir: DataDir = None) -> None:
    """Print entry SEQ with its inclusion proof against the current tree head, and check it."""
    from pubdata.ledger import merkle, schemas, service

    platform = _open(data_dir)
    try:
        with platform.command() as session:
            entry = service.get_entry(session, seq)
            head = service.current_tree_head(session, platform.signer)
            path = service.inclusion_proof(session, seq=seq, tree_size=head.size)
    except Refused as error:
        _fail(error)
    leaf = service.hasher(head.algorithm).leaf(service.document_of(entry))
    ok = head.signature_valid() and merkle.verify_inclusion(
        service.hasher(head.algorithm), seq, head.size, leaf, path, head.root_hash
    )
    document = {
        "entry": schemas.RecordedEntryOut.of(entry).model_dump(),
        "tree_head": schemas.TreeHeadOut.of(head).model_dump(),
        "audit_path": [p.hex() for p in path],
        "verified": ok,
    }
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    raise typer.Exit(code=0 if ok else 1)


@ledger_app.command("consistency")
def ledger_consistency(first: TreeSize, second: TreeSize, data_dir: DataDir = None) -> None:
    """Print and check the proof that the tree of FIRST entries is a prefix of the tree of SECOND."""
    from pubdata.ledger import merkle, service

    platform = _open(data_dir)
    try:
        with platform.read() as session:
            path = service.consistency_proof(session, first=first, second=second)
            first_root, second_root = service.root_at(session, first), service.root_at(session, second)
            ok = merkle.verify_consistency(
                service.hasher(service.algorithm(session)), first, second, first_root, second_root, path
            )
    except Refused as error:
        _fail(error)
    typer.echo(
        json.dumps(
            {
                "first": first,
                "second": second,
                "first_root": first_root.hex(),
                "second_root": second_root.hex(),
                "consistency_path": [p.hex() for p in path],
                "verified": ok,
            },
            indent=2,
        )
    )
    raise typer.Exit(code=0 if ok else 1)


@ledger_app.command("verify")
def ledger_verify(
    data_dir: DataDir = None,
    data: Annotated[
        bool, typer.Option("--data", help="Also hash every version's data file against its recorded checksum.")
    ] = False,
) -> None:
    """Rebuild the whole log and check every audited row; names the first bad entry. With --data, also check
    every data version's file and name each damaged or missing one by resource and version."""
    from pubdata.ledger.verify import verify

    platform = _open(data_dir)
    with (
        platform.read() as session,
        Progress(
            TextColumn("verifying"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as progress,
    ):
        task = progress.add_task("entries", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = verify(session, public_keys=platform.public_keys, progress=advance)
    files_ok = _verify_data_files(platform) if data else True
    if report.ok:
        console.print(f"ledger verified: {report.size} entries, {report.rows_checked} audited rows, no problem found")
        if not files_ok:
            raise typer.Exit(code=1)
        return
    first = report.first_bad_seq
    console.print(
        f"[red]ledger verification FAILED[/red]: first bad entry {first if first is not None else '(none: see below)'}"
    )
    for problem in report.problems[:50]:
        where = f"entry {problem.seq}" if problem.seq is not None else "—"
        console.print(f"  {where}: {escape(problem.reason)}")
    raise typer.Exit(code=1)


def _verify_data_files(platform: Platform) -> bool:
    """``ledger verify --data``: every version's file hashed against its recorded checksum, with a progress bar;
    each damaged or missing file named by resource and version. True when all are intact."""
    from pubdata.catalog import integrity
    from pubdata.engines import files

    with platform.read() as session:
        records = integrity.every_version(session)
    with Progress(
        TextColumn("checking data files"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("bytes", total=None)
        damaged = integrity.damaged_files(
            records,
            domain_dir=platform.settings.domain_dir,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    checked = len(records)
    for damage in damaged:
        record = damage.recorded
        console.print(
            f"[red]damaged[/red]: the data file of resource {escape(record.resource)} version {record.version} "
            f"({escape(record.file)}) {files.SAYS[damage.problem]}"
        )
    if damaged:
        console.print(f"[red]data files FAILED[/red]: {len(damaged)} of {checked} versions damaged or missing")
        return False
    console.print(f"data files verified: {checked} versions, each matches its recorded checksum")
    return True


@docs_app.command("refusals")
def docs_refusals(
    out: Annotated[Path, typer.Option(help="Where to write it.")] = Path("docs/refusals.md"),
) -> None:
    """Write the catalogue of refusals (rule, status, sentences) from the domains' declarations."""
    from pubdata.domains import refusals_markdown

    out.write_text(refusals_markdown(), encoding="utf-8")
    console.print(f"wrote {out}")
