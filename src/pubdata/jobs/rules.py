"""Job decisions, pure: the job state table, the import allow-list, limits, and the automatic output checks.

A job (作业) is a partner's or consumer's SQL or Python, run on the real data only after a reviewer of the
operator has read the code, inside an isolated sandbox (``isolation.py``). Its outputs are checked here and
then held until a reviewer of the operator *and* the bureau release them (数据可用不可见: nothing leaves the
domain unreviewed). The import check is the reviewer's help, not the wall: the sandbox is the wall.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from faker.providers.person.zh_CN import Provider as _ChineseNames

from pubdata.common.ids import is_resident_id
from pubdata.common.lifecycle import Lifecycle, State
from pubdata.common.messages import Phrase

JOB_KINDS = ("sql", "python")


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


# --- output checks --------------------------------------------------------------------------------------

MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
RESIDENT_ID_IN_TEXT = re.compile(rb"(?<!\d)\d{17}[\dXx](?!\d)")
MOBILE_IN_TEXT = re.compile(rb"(?<!\d)1[3-9]\d{9}(?!\d)")
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
COUNT_COLUMN = re.compile(
    r"^(n|cnt|count|num|total|persons?|people|households?|人数|户数|数量|.*_(count|cnt|n|num))$", re.IGNORECASE
)
NAME_SHARE = 0.3  # a column where this share of values look like personal names is a column of names


def looks_like_person_name(value: str) -> bool:
    value = value.strip()
    if not HAN.match(value) or value.endswith(PLACE_SUFFIXES):
        return False
    return value[:2] in SURNAMES or value[0] in SURNAMES


def personal_column_problem(name: str, values: list[str]) -> str | None:
    """Why a column of an output looks like personal data (ID numbers, phones, names), or None."""
    strings = [str(value).strip() for value in values if value is not None and str(value).strip()]
    if any(len(value) == 18 and is_resident_id(value.upper()) for value in strings):
        return f"column {name} holds values shaped like resident ID numbers"
    if any(MOBILE.match(value) for value in strings):
        return f"column {name} holds values shaped like mobile numbers"
    if len(set(strings)) >= 5 and sum(looks_like_person_name(value) for value in strings) >= NAME_SHARE * len(strings):
        return f"column {name} holds values shaped like personal names"
    return None


def small_group_problem(name: str, values: list[object], min_group_size: int) -> str | None:
    """A count column with a group of 1 … k−1 would single people out."""
    if not COUNT_COLUMN.match(name):
        return None
    small = [
        value
        for value in values
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < min_group_size
    ]
    return f"column {name} counts a group smaller than {min_group_size}" if small else None


def text_problem(name: str, content: bytes) -> str | None:
    """For a file that is not a table (a model, a report): personal numbers anywhere in its bytes."""
    if any(is_resident_id(match.decode().upper()) for match in RESIDENT_ID_IN_TEXT.findall(content)):
        return f"{name} contains something shaped like a resident ID number"
    if MOBILE_IN_TEXT.search(content):
        return f"{name} contains something shaped like a mobile number"
    return None


def size_problems(files: list[tuple[str, int]], limits: Limits) -> list[str]:
    problems = []
    if len(files) > limits.output_files:
        problems.append(f"{len(files)} output files; at most {limits.output_files}")
    total = sum(size for _, size in files)
    if total > limits.output_bytes:
        problems.append(f"outputs total {total} bytes; at most {limits.output_bytes}")
    if not files:
        problems.append("the job wrote no output")
    return problems
