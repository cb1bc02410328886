"""``pubdata-client``: the consumer's command line (zh-CN first; ``--lang en`` for English).

    pubdata-client keys new                                   # the CKKS key pair for joint scoring
    pubdata-client offer  --product CODE                      # what a product runs on now
    pubdata-client match  --product CODE --input applicants.xlsx --column 统一社会信用代码 --output matched.csv
    pubdata-client lookup --product CODE --input applicants.csv --column 统一社会信用代码 --output labels.xlsx
    pubdata-client score  --product CODE --input applicants.csv --column 统一社会信用代码 --output scores.csv

``--url`` (or ``PUBDATA_URL``), ``--token`` (or ``PUBDATA_TOKEN``), ``--keys DIR`` (default ``~/.pubdata-client``).
Exit status: 0 done, 1 refused (by the platform or by the client, with the reason), 2 a wrong command line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from pubdata_client import files, flows
from pubdata_client.api import Api
from pubdata_client.keys import DEFAULT_DIR, KeyStore
from pubdata_client.problems import ClientError, ClientProblem
from pubdata_protocol.messages import Offer

DEFAULT_URL = "http://127.0.0.1:8000"


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=("zh-CN", "en"), default=None, help="消息语言 / language of messages")
    common.add_argument("--keys", type=Path, default=None, help=f"密钥目录 / key store (default {DEFAULT_DIR})")
    server = argparse.ArgumentParser(add_help=False)
    server.add_argument("--url", default=None, help=f"平台地址 / platform URL (PUBDATA_URL, default {DEFAULT_URL})")
    server.add_argument("--token", default=None, help="API 令牌 / API token (PUBDATA_TOKEN)")
    server.add_argument("--product", required=True, help="产品编码 / product code")
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument("--input", type=Path, required=True, help="输入文件 / input file (.csv or .xlsx)")
    data.add_argument("--column", required=True, help="项所在列 / the column of items (credit codes or ID numbers)")
    data.add_argument("--output", type=Path, required=True, help="结果文件 / result file (.csv or .xlsx)")

    parser = argparse.ArgumentParser(
        prog="pubdata-client", description="公共数据隐私计算客户端 / pubdata's privacy-computing client"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    keys = commands.add_parser("keys", parents=[common], help="密钥 / keys")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    new = keys_commands.add_parser("new", parents=[common], help="生成密态计算密钥 / make the scoring key pair")
    new.add_argument("--force", action="store_true", help="替换已有密钥 / replace the key there is")
    keys_commands.add_parser("show", parents=[common], help="显示密钥编号 / show the key id")
    commands.add_parser("offer", parents=[common, server], help="产品当前提供的内容 / what a product offers now")
    commands.add_parser("match", parents=[common, server, data], help="隐私求交 / private set intersection")
    commands.add_parser("lookup", parents=[common, server, data], help="匿踪标签查询 / labelled lookup")
    score = commands.add_parser("score", parents=[common, server, data], help="密态联合评分 / encrypted joint scoring")
    score.add_argument(
        "--feature",
        action="append",
        default=[],
        metavar="NAME=COLUMN",
        help="特征所在列（默认与特征同名）/ the column of a feature (by default its own name)",
    )
    return parser


def main(argv: Sequence[str] | None = None, *, http: httpx.Client | None = None) -> int:
    """The command line; ``http`` lets a test or the demo pass its own client (an in-process app)."""
    args = _parser().parse_args(argv)
    lang = args.lang or ("en" if os.environ.get("PUBDATA_LANG", "").startswith("en") else "zh-CN")
    try:
        return COMMANDS[args.command](args, lang, http)
    except ClientProblem as problem:
        print(_say(lang, "错误：", "Error: ") + problem.text(lang), file=sys.stderr)
        return 2 if problem.key.startswith("cli.") else 1
    except ClientError as error:
        print(_say(lang, "平台拒绝：", "Refused by the platform: ") + error.text(lang), file=sys.stderr)
        return 1


def _say(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def _store(args: argparse.Namespace) -> KeyStore:
    return KeyStore(args.keys)


def _api(args: argparse.Namespace, lang: str, http: httpx.Client | None) -> Api:
    token = args.token or os.environ.get("PUBDATA_TOKEN")
    if not token:
        raise ClientProblem("cli.token")
    url = args.url or os.environ.get("PUBDATA_URL") or DEFAULT_URL
    return Api(url, token, http=http, lang=lang)


def _keys(args: argparse.Namespace, lang: str, http: httpx.Client | None) -> int:
    store = _store(args)
    keys = store.new_scoring_keys(force=args.force) if args.keys_command == "new" else store.scoring_keys()
    print(json.dumps({"keys": str(store.root), "key_id": keys.key_id, "public_bytes": len(keys.public)}))
    return 0


def _offer(args: argparse.Namespace, lang: str, http: httpx.Client | None) -> int:
    offer = _api(args, lang, http).offer(args.product)
    print(offer.model_dump_json(indent=2, exclude_none=True))
    return 0


def _with_progress(total: int, lang: str, run: Callable[[flows.Progress], Any]) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn(_say(lang, "运行", "Running")),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=not console.is_terminal,
    ) as bar:
        task = bar.add_task("runs", total=total)
        return run(lambda done: bar.advance(task, done))


def _summary(lang: str, report: flows.Report, path: Path) -> None:
    if lang == "en":
        text = (
            f"{report.items} items in {len(report.runs)} run(s) on set version {report.set_version[:12]}…; "
            f"sent {report.sent} bytes, received {report.received}; results in {path}"
        )
    else:
        text = (
            f"共 {report.items} 项，{len(report.runs)} 次运行，集合版本 {report.set_version[:12]}…；"
            f"发送 {report.sent} 字节，接收 {report.received} 字节；结果已写入 {path}"
        )
    print(text, file=sys.stderr)


def _read_items(args: argparse.Namespace, api: Api, protocol: str) -> tuple[files.Table, list[str], Offer]:
    """The input's items, checked as the kind the product asks about, before any run spends quota."""
    table = files.read_table(args.input)
    files.check_output(args.output)
    offer = flows.offer_for(api, args.product, protocol)
    return table, files.items(table, args.column, kind=offer.item_kind), offer


def _match(args: argparse.Namespace, lang: str, http: httpx.Client | None) -> int:
    api = _api(args, lang, http)
    table, items, _ = _read_items(args, api, "psi")
    found, report = _with_progress(
        len(set(items)), lang, lambda step: flows.match(api, args.product, items, store=_store(args), progress=step)
    )
    yes, no = ("yes", "no") if lang == "en" else ("是", "否")
    header = "matched" if lang == "en" else "在集合中"
    files.write_table(
        args.output,
        [*table.headers, header],
        [[*row, yes if hit else no] for row, hit in zip(table.rows, found, strict=True)],
    )
    _summary(lang, report, args.output)
    return 0


def _lookup(args: argparse.Namespace, lang: str, http: httpx.Client | None) -> int:
    api = _api(args, lang, http)
    table, items, offer = _read_items(args, api, "labelled_lookup")
    labels, report = _with_progress(
        len(set(items)), lang, lambda step: flows.lookup(api, args.product, items, store=_store(args), progress=step)
    )
    header = _say(lang, "标签", "label")
    if offer.label is not None:
        header = _say(lang, offer.label.zh, offer.label.en)
    files.write_table(
        args.output, [*table.headers, header], [[*row, label] for row, label in zip(table.rows, labels, strict=True)]
    )
    _summary(lang, report, args.output)
    return 0


def _score(args: argparse.Namespace, lang: str, http: httpx.Client | None) -> int:
    api = _api(args, lang, http)
    store = _store(args)
    store.scoring_keys()  # no key, no run: refused before the file is read
    table = files.read_table(args.input)
    files.check_output(args.output)
    subjects = files.items(table, args.column, kind="credit_code")
    offer = flows.offer_for(api, args.product, "joint_scoring")
    columns = dict(_feature_column(spec) for spec in args.feature)
    features = {f.name: files.numbers(table, columns.get(f.name, f.name)) for f in offer.features}
    scores, report = _with_progress(
        len(subjects),
        lang,
        lambda step: flows.score(api, args.product, subjects, features, store=store, progress=step),
    )
    header = "score" if lang == "en" else "联合评分"
    files.write_table(
        args.output,
        [*table.headers, header],
        [[*row, round(value, 6)] for row, value in zip(table.rows, scores, strict=True)],
    )
    _summary(lang, report, args.output)
    return 0


def _feature_column(spec: str) -> tuple[str, str]:
    name, _, column = spec.partition("=")
    return name.strip(), (column or name).strip()


COMMANDS: dict[str, Callable[[argparse.Namespace, str, httpx.Client | None], int]] = {
    "keys": _keys,
    "offer": _offer,
    "match": _match,
    "lookup": _lookup,
    "score": _score,
}

if __name__ == "__main__":
    sys.exit(main())
