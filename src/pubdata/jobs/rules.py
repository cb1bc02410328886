"""Job decisions, pure: the job state table, the import allow-list, limits, and the automatic output checks.

A job (作业) is a partner's or consumer's SQL or Python, run on the real data only after a reviewer of the
operator has read the code, inside an isolated sandbox (``isolation.py``). Its outputs are checked here and
then held until a reviewer of the operator *and* the bureau release them (数据可用不可见: nothing leaves the
domain unreviewed). The import check is the reviewer's help, not the wall: the sandbox is the wall.
"""

from __future__ import annotations

import ast
import base64
import binascii
import functools
import re
import unicodedata
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from faker.providers.person.zh_CN import Provider as _ChineseNames

from pubdata.common.ids import is_resident_id
from pubdata.common.lifecycle import Lifecycle, State
from pubdata.common.messages import Phrase, refusal
from pubdata.jobs.schemas import DeclaredOutput

JOB_KINDS: dict[str, tuple[str, str]] = {"sql": ("SQL 作业", "SQL job"), "python": ("Python 作业", "Python job")}
# The files a job may declare (``schemas.OutputFormat``), by what a page calls them.
OUTPUT_FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("CSV 表格", "CSV table"),
    "parquet": ("Parquet 表格", "Parquet table"),
    "json": ("JSON 记录", "JSON records"),
    "txt": ("文本文件", "Text file"),
}


class JobState(State):
    SUBMITTED = "submitted", "待审核代码", "Code awaiting review"
    REJECTED = "rejected", "代码未通过", "Code rejected"
    APPROVED = "approved", "待运行", "Waiting to run"
    RUNNING = "running", "运行中", "Running"
    FAILED = "failed", "运行失败", "Failed"
    BLOCKED = "blocked", "输出未通过自动检查", "Output blocked by the automatic checks"
    HELD = "held", "输出待放行", "Output held for release"
    WITHHELD = "withheld", "输出不予放行", "Output withheld"
    RELEASED = "released", "输出已放行", "Output released"


J = JobState
LIFECYCLE = Lifecycle(
    rule="job.transition",
    name=("作业", "job"),
    states=JobState,
    start=J.SUBMITTED,
    events={
        "approve": ("审核通过", "approve the code"),
        "reject": ("退回", "reject the code"),
        "start": ("开始运行", "start"),
        "hold": ("暂存输出待放行", "hold its output"),
        "block": ("拦截输出", "block its output"),
        "fail": ("运行失败", "fail"),
        "resume": ("重新运行", "run again"),
        "release": ("放行输出", "release the output"),
        "withhold": ("不予放行", "withhold the output"),
    },
    transitions={
        (J.SUBMITTED, "approve"): J.APPROVED,
        (J.SUBMITTED, "reject"): J.REJECTED,
        (J.APPROVED, "start"): J.RUNNING,
        (J.RUNNING, "hold"): J.HELD,
        (J.RUNNING, "block"): J.BLOCKED,
        (J.RUNNING, "fail"): J.FAILED,
        (J.RUNNING, "resume"): J.APPROVED,  # the server stopped mid-run: the run starts again from nothing
        (J.HELD, "release"): J.RELEASED,
        (J.HELD, "withhold"): J.WITHHELD,
    },
)
STATES = LIFECYCLE.labels()
# What a finished run's outcome is called in the ledger, by the event that ended it.
OUTCOME_EVENTS = {J.HELD.value: "hold", J.BLOCKED.value: "block", J.FAILED.value: "fail"}
MAX_ATTEMPTS = 2  # a job interrupted twice by a restart is marked failed rather than tried forever


# --- limits ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What one isolated run may use. The defaults are the platform's; tests use smaller ones."""

    wall_seconds: float = 900.0
    cpu_seconds: int = 600
    memory_bytes: int = 4 << 30
    file_bytes: int = 256 << 20  # one file written by the job
    processes: int = 64  # processes and threads of the run together: a fork bomb stops here
    output_bytes: int = 64 << 20  # all outputs together
    output_files: int = 20
    log_bytes: int = 64 << 10  # what is kept of the run's stdout and stderr
    # What the output check reads of one file at most (uncompressed): a tiny compressed file that expands past
    # this fails the check instead of growing the server.
    examined_bytes: int = 256 << 20
    examined_rows: int = 1_000_000


PLATFORM_LIMITS = Limits()
DEV_LIMITS = Limits(wall_seconds=60.0, cpu_seconds=60, memory_bytes=2 << 30, file_bytes=16 << 20, output_bytes=16 << 20)


# --- the import allow-list --------------------------------------------------------------------------------

# Requirement (as a person writes it) → the top-level modules it brings.
ALLOWED_REQUIREMENTS: dict[str, frozenset[str]] = {
    "pandas": frozenset({"pandas"}),
    "numpy": frozenset({"numpy"}),
    "duckdb": frozenset({"duckdb"}),
    "scikit-learn": frozenset({"sklearn", "joblib", "scipy"}),
    "statsmodels": frozenset({"statsmodels", "scipy", "patsy"}),
}
# The standard library a data job needs; nothing that reaches processes, sockets or the file system at large.
ALLOWED_STDLIB = frozenset(
    {
        "math",
        "statistics",
        "json",
        "csv",
        "datetime",
        "collections",
        "itertools",
        "functools",
        "re",
        "random",
        "decimal",
        "fractions",
        "typing",
        "dataclasses",
        "string",
        "textwrap",
        "heapq",
        "bisect",
        "operator",
        "copy",
        "pathlib",
        "pickle",
        "io",
        "time",
        "warnings",
        "enum",
        "zoneinfo",
        "calendar",
        "__future__",
    }
)
FORBIDDEN_NAMES = frozenset({"__import__", "exec", "eval", "compile", "breakpoint", "globals", "vars", "__builtins__"})
FORBIDDEN_ATTRIBUTES = re.compile(r"^__(subclasses|globals|builtins|code|closure|bases|mro|loader|spec)__$")


def requirement_problems(requirements: list[str]) -> list[str]:
    """The requirements that are not on the allow-list."""
    return sorted(set(requirements) - set(ALLOWED_REQUIREMENTS))


def script_problems(source: str, requirements: list[str]) -> list[tuple[str, Phrase]]:
    """(rule, what) for each thing the reviewer should not have to read past; empty when none."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return [("job.syntax", Phrase("job.syntax_at", {"line": error.lineno or 0, "problem": error.msg}))]
    allowed = ALLOWED_STDLIB.union(
        *(ALLOWED_REQUIREMENTS[name] for name in requirements if name in ALLOWED_REQUIREMENTS)
    )
    problems = []
    for node in ast.walk(tree):
        modules = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = ["." if node.level else (node.module or "")]
        for module in modules:
            if module.split(".")[0] not in allowed:
                where = {"line": getattr(node, "lineno", 0), "module": module}
                problems.append(("job.import-not-allowed", Phrase("job.import_at", where)))
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            where = {"line": node.lineno, "name": node.id}
            problems.append(("job.dynamic-code", Phrase("job.name_at", where)))
        if isinstance(node, ast.Attribute) and FORBIDDEN_ATTRIBUTES.match(node.attr):
            where = {"line": node.lineno, "name": "." + node.attr}
            problems.append(("job.dynamic-code", Phrase("job.name_at", where)))
    return problems


# --- declared outputs -----------------------------------------------------------------------------------


def output_name(index: int, output_format: str) -> str:
    """The platform names a job's files, in the declared order: the submitter never chooses a path."""
    return f"output-{index + 1}.{output_format}"


def declaration_problem(outputs: Sequence[DeclaredOutput]) -> tuple[str, dict[str, object]] | None:
    """Why a declaration cannot be run against (rule, parameters), or None. Shapes and bounds are the
    schema's; these are the rules between its parts."""
    if not outputs:
        return "job.outputs-none", {}
    for index, output in enumerate(outputs):
        name = output_name(index, output.format)
        names = [column.name for column in output.columns]
        if (output.format == "txt") != (not names):
            return "job.outputs-columns", {"file": name}
        if len(set(names)) != len(names):
            return "job.outputs-duplicate-column", {"file": name}
        if output.count_column is not None:
            declared = {column.name: column.type for column in output.columns}
            if declared.get(output.count_column) != "integer":
                return "job.outputs-count-column", {"file": name}
    return None


def declaration_document(outputs: Sequence[DeclaredOutput]) -> list[dict[str, object]]:
    """The declaration as stored and hashed: every field, in a fixed spelling."""
    return [output.model_dump(mode="json") for output in outputs]


# --- who sees what of a job ------------------------------------------------------------------------------

# A viewer's side of a job: ``reviewer`` may release it (the operator's reviewers, the bureau); ``submitter``
# is the organisation that handed it in; ``observer`` is anyone else who may read it (the audit bureau, the
# operator's other staff). Nobody gets a field that is not listed for them here: a new field is sealed until
# someone adds it to a list.
SUBMISSION_FIELDS = frozenset(
    {
        "id",
        "contract_id",
        "organisation_id",
        "operator_id",
        "title",
        "kind",
        "code",
        "requirements",
        "outputs",
        "code_digest",
        "state",
        "created_at",
        "reviewed_at",
        "review_note",
        "outcome_rule",
        "outcome_detail",
    }
)
RELEASED_FIELDS = SUBMISSION_FIELDS | {
    "attempts",
    "started_at",
    "finished_at",
    "exit_code",
    "files",
    "operator_released_at",
    "bureau_released_at",
    "downloads",
}
REVIEWER_FIELDS = RELEASED_FIELDS | {"findings", "previews", "log_preview"}
# What the submitter is told of a run that did not come out, whatever the reason: one sentence per state.
SEALED_OUTCOMES = {
    J.FAILED.value: "job.run-failed",
    J.BLOCKED.value: "job.output-check",
    J.WITHHELD.value: "job.withheld",
}


def audience(*, may_release: bool, is_submitter: bool) -> str:
    if may_release:
        return "reviewer"
    return "submitter" if is_submitter else "observer"


def visible_fields(state: str, viewer: str) -> frozenset[str]:
    """The fields of a job ``viewer`` may see in ``state``: reviewers everything checked and masked; anyone
    else what they handed in, and the run only once both releases are done."""
    if viewer == "reviewer":
        return REVIEWER_FIELDS
    return RELEASED_FIELDS if state == J.RELEASED else SUBMISSION_FIELDS


def job_view(record: Mapping[str, Any], *, viewer: str) -> dict[str, Any]:
    """What ``viewer`` may see of a job, from its full record. Sealed viewers learn a run's outcome only as one
    generic sentence per state: no file, size, row count, exit code, column name or log."""
    state = str(record["state"])
    allowed = visible_fields(state, viewer)
    view = {key: value for key, value in record.items() if key in allowed}
    if viewer != "reviewer" and state != J.RELEASED:
        sealed = SEALED_OUTCOMES.get(state)
        view["outcome_rule"] = sealed
        view["outcome_detail"] = refusal(sealed).sentence("en", {}) if sealed else ""
    return view


def columns_from_text(text: str) -> list[dict[str, str]] | None:
    """``district:string, n:integer`` as declared columns (a form's way of writing them); None if malformed."""
    columns = []
    for part in (piece.strip() for piece in text.replace("，", ",").split(",")):
        if not part:
            continue
        name, colon, kind = part.partition(":")
        if not colon:
            return None
        columns.append({"name": name.strip(), "type": kind.strip()})
    return columns


# --- output checks: what identifies a person, whatever its disguise --------------------------------------

MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
SURNAMES = frozenset(_ChineseNames.last_names)
PLACE_SUFFIXES = (
    "省",
    "市",
    "区",
    "县",
    "镇",
    "乡",
    "村",
    "街道",
    "路",
    "街",
    "局",
    "委",
    "办",
    "公司",
    "中心",
    "队",
    "所",
    "站",
)
HAN = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ffff]{2,}")
DIGIT_RUN = re.compile(r"\d{11,}x?")
MOBILE_WINDOW = re.compile(r"1[3-9]\d{9}")
ENCODED = re.compile(r"[A-Za-z0-9+/=_-]{8,}")  # base64 of a two-character name is 8
HEX = re.compile(r"^(?:[0-9a-fA-F]{2})+$")
# The first two digits of a resident ID: a province (GB/T 2260), so a 17-digit run of another shape is not one.
PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54}
    | {61, 62, 63, 64, 65, 71, 81, 82, 83}
)
MAX_DECODE_DEPTH = 3  # base64 of hex of gzip …: each layer is decoded, up to this many
MAX_DECODED_BYTES = 64 << 10  # what one decoded token may grow to (a gzip bomb stops here)
COUNT_COLUMN = re.compile(
    r"^(n|cnt|count|counts|num|number|total|freq|frequency|size|persons?|people|households?|members?|users?|"
    r"firms?|entities|units|人数|户数|数量|计数|频数|.*_(count|counts|cnt|n|num|number|total|freq))$|.*数$",
    re.IGNORECASE,
)
NAME_SHARE = 0.3  # a column where this share of values look like personal names is a column of names
KINDS = {"resident_id": ("身份证号", "resident ID"), "mobile": ("手机号", "mobile"), "name": ("姓名", "name")}


@dataclass(frozen=True)
class Protected:
    """The values of the contract's identifying columns (resident IDs, mobiles, names), normalised: read from
    the real data by the worker and used only to look candidates up — never shown, never stored."""

    ids: frozenset[str] = frozenset()
    id_prefixes: frozenset[str] = frozenset()
    mobiles: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()

    @property
    def name_lengths(self) -> frozenset[int]:
        return frozenset(len(name) for name in self.names)

    @staticmethod
    def of(ids: Iterable[str] = (), mobiles: Iterable[str] = (), names: Iterable[str] = ()) -> Protected:
        normal_ids = frozenset(normalised(value) for value in ids) - {""}
        return Protected(
            ids=normal_ids,
            id_prefixes=frozenset(value[:17] for value in normal_ids if len(value) >= 17),
            mobiles=frozenset(normalised(value) for value in mobiles) - {""},
            names=frozenset(name for name in (normalised(value) for value in names) if len(name) >= 2),
        )


NO_PROTECTED = Protected()


@functools.cache
def _strip_table() -> dict[int, int | None]:
    """Separators go (spaces, punctuation, symbols, control and format characters, so a zero-width space or a
    dash hides nothing); every decimal digit becomes its ASCII digit."""
    table: dict[int, int | None] = {}
    for code in range(0x10000):
        category = unicodedata.category(chr(code))
        if category[0] in "ZPSC":
            table[code] = None
        elif category == "Nd" and code > 0x7F:
            table[code] = ord(str(unicodedata.digit(chr(code))))
    return table


def normalised(text: str) -> str:
    """NFKC (full-width forms become plain), case-folded, separators stripped: the form every check looks at."""
    stripped = unicodedata.normalize("NFKC", text).casefold().translate(_strip_table())
    if not stripped.isascii() and any(ord(char) > 0xFFFF for char in stripped):  # an emoji between digits
        stripped = "".join(c for c in stripped if ord(c) <= 0xFFFF or unicodedata.category(c)[0] not in "ZPSC")
    return stripped


def _plausible_id(window: str) -> bool:
    """17 digits shaped like a resident ID's first 17: a province, then (after the region) a birth date."""
    if int(window[:2]) not in PROVINCES:
        return False
    try:
        born = date(int(window[6:10]), int(window[10:12]), int(window[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2100


def _digit_findings(run: str, protected: Protected, shapes: bool) -> set[str]:
    found: set[str] = set()
    for start in range(len(run) - 16):
        window = run[start : start + 17]
        if not window.isdigit():
            break
        whole = run[start : start + 18]
        if window in protected.id_prefixes or whole in protected.ids:
            found.add("resident_id")
        elif shapes and _plausible_id(window):
            found.add("resident_id")
        elif len(whole) == 18 and is_resident_id(whole.upper()) and _plausible_id(window):
            found.add("resident_id")
    # By shape, a mobile is a run of its own (or after 86): inside a longer run (an ID's digits, read either
    # way) it would be found in every ID. A real mobile is found by its value wherever it is.
    mobile_shapes = shapes and len(run) <= 13
    for start in range(len(run) - 10):
        window = run[start : start + 11]
        if window in protected.mobiles or (mobile_shapes and MOBILE_WINDOW.fullmatch(window)):
            found.add("mobile")
    return found


def _plain_findings(text: str, protected: Protected, shapes: bool) -> set[str]:
    """Identifiers in an already normalised text, read forwards and backwards."""
    found: set[str] = set()
    lengths = protected.name_lengths
    for candidate in (text, text[::-1]):
        for match in DIGIT_RUN.finditer(candidate):
            found |= _digit_findings(match.group(), protected, shapes)
        if lengths:
            for match in HAN_RUN.finditer(candidate):
                run = match.group()
                if any(
                    run[start : start + size] in protected.names
                    for size in lengths
                    for start in range(len(run) - size + 1)
                ):
                    found.add("name")
                    break
    return found


def _decoded(token: str) -> list[str]:
    """What a token may be hiding: hex, base64 (standard or URL-safe, at any alignment), and gzip or zlib
    inside either; bounded, so a small token cannot grow into a large one."""
    raw: list[bytes] = []
    if HEX.match(token) and len(token) >= 16:
        raw.append(bytes.fromhex(token))
    body = token.rstrip("=")
    for offset in range(4):
        chunk = body[offset:]
        chunk = chunk[: len(chunk) - len(chunk) % 4] if len(chunk) % 4 == 1 else chunk
        padded = chunk + "=" * (-len(chunk) % 4)
        for altchars in (b"+/", b"-_"):
            try:
                raw.append(base64.b64decode(padded, altchars=altchars, validate=True))
            except (binascii.Error, ValueError):
                continue
    texts = []
    for data in raw:
        if data[:2] == b"\x1f\x8b" or data[:1] == b"\x78":
            try:
                wbits = 16 + zlib.MAX_WBITS if data[:2] == b"\x1f\x8b" else zlib.MAX_WBITS
                data = zlib.decompressobj(wbits).decompress(data, MAX_DECODED_BYTES)
            except zlib.error:
                pass
        text = data[:MAX_DECODED_BYTES].decode("utf-8", errors="ignore")
        if len(text) >= 2:
            texts.append(text)
    return texts


def holds_identifier(text: str) -> bool:
    """Whether a text a person wrote (a demand, a ticket, a security record) holds anything shaped like a resident
    ID or a mobile number, as ``findings_in`` reads it: such text is refused before it is kept or shown."""
    return bool(findings_in(text) & {"resident_id", "mobile"})


def findings_in(text: str, protected: Protected = NO_PROTECTED, *, shapes: bool = True, depth: int = 0) -> set[str]:
    """The kinds of identifier (``resident_id``, ``mobile``, ``name``) anywhere in ``text``: after NFKC,
    case-folding and stripping separators, forwards and reversed, as substrings (a prefix or suffix hides
    nothing), and inside hex, base64 and gzip layers. Real values of the contract's data are found whatever
    their shape; with ``shapes``, anything shaped like an ID's 17 digits (region and birth date) or a mobile
    number is found too."""
    found = _plain_findings(normalised(text), protected, shapes)
    for token in text.split():  # letters between the digits of one token: the digits alone, looked up
        digits = "".join(char for char in normalised(token) if char.isdigit())
        if len(digits) >= 11 and len(digits) != len(token):
            found |= _digit_findings(digits, protected, shapes=False)
    if depth < MAX_DECODE_DEPTH:
        for match in ENCODED.finditer(unicodedata.normalize("NFKC", text)):
            for decoded in _decoded(match.group()):
                found |= findings_in(decoded, protected, shapes=True, depth=depth + 1)
    return found


def findings_across(cells: Sequence[str], protected: Protected) -> tuple[set[str], set[int]]:
    """Identifiers split over adjacent cells of one row (``3417021980`` | ``01011234``): the row's normalised
    cells joined, looked up against the real values only (and full 18-character IDs with a valid check
    character) — shapes alone would match an innocent code next to a date. A cell that holds a whole one by
    itself is its own finding, and breaks the row, so its innocent neighbours stay innocent. Returns the kinds
    and the cells (by index) a finding spans."""
    parts = [normalised(cell) for cell in cells]
    found: set[str] = set()
    spanned: set[int] = set()
    for index, part in enumerate(parts):
        kinds = _plain_findings(part, protected, shapes=False)
        if kinds:
            found |= kinds
            spanned.add(index)
    rest = ["|" if index in spanned else part for index, part in enumerate(parts)]  # "|" ends every run
    if not _plain_findings("".join(rest), protected, shapes=False):
        return found, spanned
    # Which cells: the smallest windows of adjacent cells that still find something.
    for width in range(2, len(rest) + 1):
        hits = set()
        for start in range(len(rest) - width + 1):
            kinds = _plain_findings("".join(rest[start : start + width]), protected, shapes=False)
            if kinds:
                found |= kinds
                hits |= set(range(start, start + width))
        if hits:
            return found, spanned | hits
    return found, spanned


def looks_like_person_name(value: str) -> bool:
    value = value.strip()
    if not HAN.match(value) or value.endswith(PLACE_SUFFIXES):
        return False
    return value[:2] in SURNAMES or value[0] in SURNAMES


def names_by_shape(values: Sequence[str]) -> bool:
    """A column whose values look like Chinese personal names: a fallback for names not in the contract's data."""
    strings = [value.strip() for value in values if value.strip()]
    return len(set(strings)) >= 5 and sum(looks_like_person_name(value) for value in strings) >= NAME_SHARE * len(
        strings
    )


def looks_like_count(name: str) -> bool:
    return bool(COUNT_COLUMN.match(name))


def small_group(value: object, min_group_size: int) -> bool:
    """A count below the contract's minimum would single people out (a count is a whole number ≥ k)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return value < min_group_size


def distinct_bucket(count: int, capped: bool) -> str:
    """How many distinct values a column has, told only roughly (an exact count can itself identify)."""
    if capped or count >= 1000:
        return "≥1000"
    if count <= 1:
        return str(count)
    return "2–9" if count < 10 else "10–99" if count < 100 else "100–999"


def safe_text(value: str, limit: int = 120) -> str:
    """A value a reviewer may see: no run of 6 or more digits survives, and no more than ``limit`` characters."""
    return re.sub(r"\d{6,}", lambda match: "＊" * len(match.group()), value[:limit])


def size_problems(files: list[tuple[str, int]], limits: Limits) -> list[str]:
    problems = []
    if len(files) > limits.output_files:
        problems.append(f"{len(files)} output files; at most {limits.output_files}")
    total = sum(size for _, size in files)
    if total > limits.output_bytes:
        problems.append(f"outputs total {total} bytes; at most {limits.output_bytes}")
    return problems
