"""Catalogue decisions, pure: vocabularies, classification and grading, what each grade allows, states.

Classification and grading follow GB/T 43697-2024 (数据安全技术 数据分类分级规则): core (核心数据),
important (重要数据) and general (一般数据), general split into levels 4 (most sensitive) to 1. A resource's
grade is at least the highest its fields imply (就高从严).
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pubdata.common.lifecycle import Lifecycle, State

# name -> (中文, English)
BASE_LIBRARIES: dict[str, tuple[str, str]] = {
    "population": ("人口", "Population"),
    "legal_entity": ("法人", "Legal entity"),
    "e_licence": ("电子证照", "E-licence"),
    "spatial": ("空间地理", "Spatial geography"),
    "macro_economy": ("宏观经济", "Macro-economy"),
    "credit": ("信用", "Credit"),
    "other": ("其他", "Other"),
}

SECTORS: dict[str, tuple[str, str]] = {
    "public_security": ("公安", "Public security"),
    "market_regulation": ("市场监管", "Market regulation"),
    "natural_resources": ("自然资源", "Natural resources"),
    "human_resources": ("人力资源和社会保障", "Human resources and social security"),
    "taxation": ("税务", "Taxation"),
    "statistics": ("统计", "Statistics"),
    "development_reform": ("发展改革", "Development and reform"),
    "utilities": ("公用事业", "Utilities"),
    "finance": ("金融", "Finance"),
    "urban_management": ("城市管理", "Urban management"),
    "other": ("其他", "Other"),
}

UPDATE_FREQUENCIES: dict[str, tuple[str, str]] = {
    "realtime": ("实时", "Real time"),
    "daily": ("每日", "Daily"),
    "weekly": ("每周", "Weekly"),
    "monthly": ("每月", "Monthly"),
    "quarterly": ("每季度", "Quarterly"),
    "yearly": ("每年", "Yearly"),
    "irregular": ("不定期", "Irregular"),
}

# 共享属性 (sharing between agencies) and 开放属性 (opening to society), as public-data catalogues record them.
SHARING: dict[str, tuple[str, str]] = {
    "unconditional": ("无条件共享", "Shared without conditions"),
    "conditional": ("有条件共享", "Shared with conditions"),
    "none": ("不予共享", "Not shared"),
}
OPENING: dict[str, tuple[str, str]] = {
    "open": ("无条件开放", "Open"),
    "conditional": ("有条件开放", "Open with conditions"),
    "closed": ("不予开放", "Not open"),
}

FIELD_TYPES = ("string", "integer", "decimal", "date", "timestamp", "boolean")
FIELD_TYPE_NAMES: dict[str, tuple[str, str]] = {
    "string": ("文本", "Text"),
    "integer": ("整数", "Whole number"),
    "decimal": ("小数", "Decimal number"),
    "date": ("日期", "Date"),
    "timestamp": ("日期时间", "Date and time"),
    "boolean": ("是/否", "Yes/no"),
}
# Formats the loader checks value by value.
FIELD_FORMATS = ("resident_id", "credit_code", "mobile", "person_name")
FIELD_FORMAT_NAMES: dict[str, tuple[str, str]] = {
    "resident_id": ("公民身份号码", "Resident ID number"),
    "credit_code": ("统一社会信用代码", "Unified social credit code"),
    "mobile": ("手机号码", "Mobile number"),
    "person_name": ("姓名", "Person's name"),
}

SENSITIVITIES: dict[str, tuple[str, str]] = {
    "none": ("非个人信息", "Not personal"),
    "personal": ("个人信息", "Personal information"),
    "sensitive": ("敏感个人信息", "Sensitive personal information"),
}
# PIPL art. 28: the kinds of sensitive personal information.
PIPL_SENSITIVE_CATEGORIES: dict[str, tuple[str, str]] = {
    "biometric": ("生物识别", "Biometric"),
    "religion": ("宗教信仰", "Religious belief"),
    "specific_identity": ("特定身份", "Specific identity"),
    "medical_health": ("医疗健康", "Medical and health"),
    "financial_account": ("金融账户", "Financial account"),
    "whereabouts": ("行踪轨迹", "Whereabouts"),
    "minor": ("不满十四周岁未成年人", "Minor under 14"),
    "identity_document": ("身份证件号码", "Identity document number"),
}
MASKINGS = ("none", "name", "id_number", "mobile", "partial", "full")
MASKING_NAMES: dict[str, tuple[str, str]] = {
    "none": ("不脱敏", "Not masked"),
    "name": ("姓名脱敏（保留姓氏）", "Name (surname kept)"),
    "id_number": ("证件号脱敏（保留前四后四位）", "ID number (first and last four kept)"),
    "mobile": ("手机号脱敏（保留前三后四位）", "Mobile (first three and last four kept)"),
    "partial": ("部分遮盖（保留首尾）", "Partly hidden (first and last kept)"),
    "full": ("完全遮盖", "Fully hidden"),
}

# Grades from most to least protected.
GRADES: dict[str, tuple[str, str]] = {
    "core": ("核心数据", "Core data"),
    "important": ("重要数据", "Important data"),
    "general-4": ("一般数据（4级）", "General data, level 4"),
    "general-3": ("一般数据（3级）", "General data, level 3"),
    "general-2": ("一般数据（2级）", "General data, level 2"),
    "general-1": ("一般数据（1级）", "General data, level 1"),
}
_GRADE_RANK = {grade: rank for rank, grade in enumerate(reversed(list(GRADES)))}

# The grade a field's sensitivity implies at least.
GRADE_IMPLIED_BY_SENSITIVITY = {"sensitive": "general-4", "personal": "general-3", "none": "general-1"}

# What processing each grade allows: the one table later capabilities consult.
#   aggregate: aggregate-only SQL with a minimum group size; privacy: DP, PSI, HE, MPC;
#   job: reviewed code jobs with held outputs; match: record matching that returns per-record answers.
# What a version was loaded from.
SOURCE_FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("CSV 文件", "CSV file"),
    "xlsx": ("XLSX 表格", "XLSX workbook"),
    "parquet": ("Parquet 文件", "Parquet file"),
    "sql": ("数据库查询（SQL）", "Database query (SQL)"),
}
PROCESSING_BY_GRADE: dict[str, frozenset[str]] = {
    "core": frozenset(),  # never loaded for operation
    "important": frozenset({"aggregate", "privacy"}),
    "general-4": frozenset({"aggregate", "privacy", "job"}),
    "general-3": frozenset({"aggregate", "privacy", "job", "match"}),
    "general-2": frozenset({"aggregate", "privacy", "job", "match"}),
    "general-1": frozenset({"aggregate", "privacy", "job", "match"}),
}


PROCESSING_NAMES: dict[str, tuple[str, str]] = {
    "aggregate": ("聚合统计查询", "Aggregate queries"),
    "privacy": ("隐私计算（差分隐私、隐私求交等）", "Privacy computing (DP, PSI …)"),
    "job": ("经审核的模型作业", "Reviewed code jobs"),
    "match": ("逐条比对核验", "Record matching"),
}


def stricter(a: str, b: str) -> str:
    return a if _GRADE_RANK[a] >= _GRADE_RANK[b] else b


def resource_grade(declared: str, sensitivities: list[str]) -> str:
    """就高从严: the declared grade, raised to what the most sensitive field implies."""
    grade = declared
    for sensitivity in sensitivities:
        grade = stricter(grade, GRADE_IMPLIED_BY_SENSITIVITY[sensitivity])
    return grade


@dataclass(frozen=True)
class GradeReason:
    """A field whose sensitivity implies a stricter grade than the declared one: why the grade was raised."""

    field: str
    label: str
    sensitivity: str
    pipl_category: str | None
    implies: str


def grade_reasons(declared: str, fields: list[dict[str, Any]]) -> list[GradeReason]:
    """Each field that raises ``declared`` (就高从严), with the grade its sensitivity implies; fields whose
    sensitivity is unknown (a form not yet valid) are left out."""
    found = []
    for spec in fields:
        implied = GRADE_IMPLIED_BY_SENSITIVITY.get(str(spec.get("sensitivity") or ""))
        if declared in GRADES and implied is not None and stricter(implied, declared) != declared:
            found.append(
                GradeReason(
                    str(spec.get("name") or ""),
                    str(spec.get("label") or ""),
                    str(spec["sensitivity"]),
                    spec.get("pipl_category") or None,
                    implied,
                )
            )
    return found


def allowed_processing(grade: str) -> frozenset[str]:
    return PROCESSING_BY_GRADE[grade]


def loadable(grade: str) -> bool:
    """Core data is never loaded into the operation domain."""
    return grade != "core"


Masking = Literal["none", "name", "id_number", "mobile", "partial", "full"]
MASKING_BY_FORMAT: dict[str, Masking] = {"person_name": "name", "resident_id": "id_number", "mobile": "mobile"}


def default_masking(*, sensitivity: str, format: str | None) -> Masking:
    if sensitivity == "none":
        return "none"
    return MASKING_BY_FORMAT.get(format or "", "partial")


FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
RESOURCE_CODE = re.compile(r"^[A-Z][A-Z0-9-]{2,39}$")

# --- the resource lifecycle (DESIGN.md §4) ------------------------------------------------------------
# draft → submitted → registered → (change submitted → registered) → cancelled


class ResourceState(State):
    DRAFT = "draft", "草稿", "Draft"
    SUBMITTED = "submitted", "登记审核中", "Registration under review"
    REGISTERED = "registered", "已登记", "Registered"
    CHANGE_SUBMITTED = "change_submitted", "变更登记审核中", "Change under review"
    CANCEL_SUBMITTED = "cancel_submitted", "注销登记审核中", "Cancellation under review"
    CANCELLED = "cancelled", "已注销", "Cancelled"


R = ResourceState
LIFECYCLE = Lifecycle(
    rule="catalog.transition",
    name=("数据资源", "resource"),
    states=ResourceState,
    start=R.DRAFT,
    events={
        "submit": ("申请首次登记", "apply for first registration"),
        "submit_change": ("申请变更登记", "apply for a change registration"),
        "submit_cancel": ("申请注销登记", "apply for cancellation"),
        "return": ("退回补正", "return for correction"),
        "reject": ("不予登记", "reject"),
        "register": ("登记", "register"),
    },
    transitions={
        (R.DRAFT, "submit"): R.SUBMITTED,
        (R.SUBMITTED, "return"): R.DRAFT,
        (R.SUBMITTED, "reject"): R.DRAFT,
        (R.SUBMITTED, "register"): R.REGISTERED,
        (R.REGISTERED, "submit_change"): R.CHANGE_SUBMITTED,
        (R.CHANGE_SUBMITTED, "return"): R.REGISTERED,
        (R.CHANGE_SUBMITTED, "reject"): R.REGISTERED,
        (R.CHANGE_SUBMITTED, "register"): R.REGISTERED,
        (R.REGISTERED, "submit_cancel"): R.CANCEL_SUBMITTED,
        (R.CANCEL_SUBMITTED, "return"): R.REGISTERED,
        (R.CANCEL_SUBMITTED, "reject"): R.REGISTERED,
        (R.CANCEL_SUBMITTED, "register"): R.CANCELLED,
    },
)
RESOURCE_STATES = LIFECYCLE.labels()
# The registration kind a department applies for, and the resource's event that starts it.
SUBMIT_EVENTS = {"first": "submit", "change": "submit_change", "cancel": "submit_cancel"}
# A registered resource stays in the public catalogue while a change or its cancellation is under review.
PUBLIC_STATES = (R.REGISTERED.value, R.CHANGE_SUBMITTED.value, R.CANCEL_SUBMITTED.value)


def editable(state: str) -> bool:
    """Only a draft's description may change in place; a registered resource changes by change registration."""
    return state == R.DRAFT


def accepts_data(state: str) -> bool:
    """Data may be loaded while drafting and, as updates, once registered; never once cancelled."""
    return state in (R.DRAFT, R.REGISTERED, R.CHANGE_SUBMITTED)


# --- approved source connections ----------------------------------------------------------------------
# A provider loads from a department database only through a connection the bureau approved; these rules
# decide, from the connection's URL alone, whether it may be approved, and are checked again at each load
# (the platform's own database or data directory may have moved since).

# Network databases only, each with the DBAPIs that reach it over the network (None: SQLAlchemy's default).
SOURCE_DRIVERS: dict[str, tuple[str | None, ...]] = {
    "postgresql": (None, "psycopg", "psycopg2", "pg8000"),
    "mysql": (None, "pymysql", "mysqldb", "mysqlconnector"),
    "mariadb": (None, "pymysql", "mysqldb", "mariadbconnector"),
}
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306}
# Connection options a source may carry. Everything else is refused: libpq's ``host``/``hostaddr``/``service``
# and MySQL's ``unix_socket``/``read_default_file`` redirect the connection to a local socket or read a local
# file, and ``local_infile`` lets a query send the platform's files to the database.
SOURCE_OPTIONS: dict[str, tuple[str, ...]] = {
    "postgresql": (
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "sslcrl",
        "connect_timeout",
        "application_name",
        "target_session_attrs",
        "options",
    ),
    "mysql": ("charset", "ssl_ca", "ssl_cert", "ssl_key", "ssl_verify_cert", "ssl_verify_identity", "connect_timeout"),
}
SOURCE_OPTIONS["mariadb"] = SOURCE_OPTIONS["mysql"]
LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")
SOURCE_NAME = re.compile(r"^[\w\u4e00-\u9fff][\w\u4e00-\u9fff .·()（）-]{0,99}$")


@dataclass(frozen=True)
class SourceRefusal:
    """Why a source URL is refused: the rule and its sentence's parameters."""

    rule: str
    params: dict[str, Any] = field(default_factory=dict)


def _same_host(host: str) -> str:
    """A host as a comparison key: every name and address of this machine's loopback is one host."""
    host = host.strip().lower().rstrip(".")
    if host in LOOPBACK_NAMES:
        return "loopback"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.is_loopback or address.is_unspecified:
        return "loopback"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _same_host(str(address.ipv4_mapped))
    return str(address)


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(HOST_NAME.match(host))
    return True


def _local_paths(value: str) -> list[str]:
    """The local file or socket paths an option value may name: each of a comma-separated list, with a
    ``file:`` URI taken as its path. A bare word (``require``, ``utf8mb4``) names none."""
    found = []
    for part in value.split(","):
        part = part.strip()
        if part.lower().startswith("file:"):
            rest = part[5:]
            part = "/" + rest.lstrip("/") if rest.startswith("/") else rest
        if part and ("/" in part or part.startswith((".", "~"))):
            found.append(part)
    return found


def _inside(path: str, folder: str) -> bool:
    target, root = os.path.realpath(path), os.path.realpath(folder)
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def source_url_refusal(url: str, *, platform_url: str, data_dir: str) -> SourceRefusal | None:
    """Why a department database URL may not be a source, or None.

    A load reads whatever the URL reaches, so it must reach a network database that is not the platform's
    own, and nothing in it may point at a local file or socket inside the platform's data directory or at
    the platform's database. Decided from the URL alone (SQLAlchemy's own parser), so the answer is the same
    when the bureau approves the connection and at every load; ``os.path.realpath`` resolves the paths it
    names the way the database client would.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        source = make_url(url.strip())
        port = source.port  # a port that is not a number fails here
    except (ArgumentError, ValueError):
        return SourceRefusal("catalog.source-not-a-url")
    backend, _, dbapi = source.drivername.lower().partition("+")
    own = make_url(platform_url)
    own_file = own.database if own.get_backend_name() in ("sqlite", "duckdb") and own.database else None
    # Paths first: a URL that names the platform's data or database is refused as that, whatever its driver.
    named = [path for value in _option_values(source) for path in _local_paths(value)]
    if backend not in SOURCE_DRIVERS and source.database:
        # A file database (sqlite:, duckdb:, file: …): its path read relative to the working directory, as the
        # driver reads it, and from the root, as a file: URI means it.
        named += [source.database, "/" + source.database.lstrip("/")]
    for path in named:
        if _inside(path, data_dir) or (own_file is not None and _inside(path, own_file)):
            return SourceRefusal("catalog.source-platform-path")
    if backend not in SOURCE_DRIVERS or (dbapi or None) not in SOURCE_DRIVERS[backend]:
        allowed = ", ".join(SOURCE_DRIVERS)
        return SourceRefusal("catalog.source-driver", {"driver": source.drivername, "allowed": allowed})
    if source.password is not None:
        return SourceRefusal("catalog.source-password-in-url")
    if not source.host or not _valid_host(source.host.lower()) or not (port is None or 0 < port < 65536):
        return SourceRefusal("catalog.source-address")
    if not source.database:
        return SourceRefusal("catalog.source-no-database")
    unknown = sorted(set(source.query) - set(SOURCE_OPTIONS[backend]))
    if unknown:
        return SourceRefusal("catalog.source-option", {"options": ", ".join(unknown)})
    if own_file is None and (_same_host(source.host), port or DEFAULT_PORTS[backend], source.database.lower()) == (
        _platform_host(own),
        own.port or DEFAULT_PORTS.get(own.get_backend_name(), 0),
        (own.database or "").lower(),
    ):
        return SourceRefusal("catalog.source-platform-database")
    return None


def _platform_host(own: Any) -> str:
    """The platform database's host as a comparison key; a Unix socket (no host, or a path) is this machine."""
    given = own.host or next((value for value in _option_values_of(own, "host") if "/" not in value), None)
    return _same_host(given) if given else "loopback"


def _option_values_of(url: Any, name: str) -> list[str]:
    value = url.query.get(name, ())
    return [value] if isinstance(value, str) else list(value)


def _option_values(source: Any) -> list[str]:
    return [value for name in source.query for value in _option_values_of(source, name)]


def normalised_driver(driver: str) -> str:
    """A driver name as it is stored and given to SQLAlchemy: lower case (the URL's scheme is not case-sensitive)."""
    return driver.lower()


# --- describing a resource from a sample file ---------------------------------------------------------
# The loader's own checks (``catalog.checks``) count, column by column, how many of a sample's first rows pass
# each type and format; these rules turn the counts and the column's name into a suggested field. Nothing here
# sees a value: a suggestion is made from counts and the header alone.

# A format is suggested when this share of the filled values passes its check, as the loader flags a column
# whose values look personal (``loading.LOOKALIKE_SHARE``): a column suggested "not personal" would be refused.
FORMAT_SHARE = 0.6
# Formats before types: a mobile number or an ID is also a whole number.
_FORMAT_ORDER = ("resident_id", "credit_code", "mobile", "person_name")
_TYPE_ORDER = ("integer", "decimal", "date", "timestamp", "boolean")


@dataclass(frozen=True)
class ColumnSample:
    """What a sample tells of one column: its header, how many sampled values were filled or empty, and how
    many filled values pass each check (``integer`` … ``boolean``, the formats, and ``leading_zero``)."""

    header: str
    filled: int
    empty: int
    passing: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class NameHint:
    """What a column's name says about it: the sensitivity (and PIPL category) its kind of data has."""

    words: tuple[str, ...]
    sensitivity: str
    pipl_category: str | None = None


# Chinese words match anywhere in the header, English ones as a whole word of a snake_case or spaced header.
NAME_HINTS = (
    NameHint(
        ("身份证", "身份号码", "证件号", "id_number", "id_card", "idcard", "sfzh"), "sensitive", "identity_document"
    ),
    NameHint(("银行卡", "银行账", "账号", "账户", "bank", "account", "card_no"), "sensitive", "financial_account"),
    NameHint(
        ("诊断", "病历", "病史", "疾病", "健康", "医疗", "diagnosis", "health", "medical"),
        "sensitive",
        "medical_health",
    ),
    NameHint(("宗教", "信仰", "religion"), "sensitive", "religion"),
    NameHint(("指纹", "人脸", "面部", "虹膜", "声纹", "fingerprint", "face", "biometric"), "sensitive", "biometric"),
    NameHint(
        ("轨迹", "行踪", "经度", "纬度", "定位", "trajectory", "latitude", "longitude", "gps"),
        "sensitive",
        "whereabouts",
    ),
    NameHint(("姓名", "full_name", "person_name", "xm"), "personal"),
    NameHint(("手机", "电话", "联系方式", "mobile", "phone", "tel"), "personal"),
    NameHint(("住址", "家庭地址", "居住地", "户籍地", "home_address", "address"), "personal"),
    NameHint(("出生", "生日", "birth", "birthday"), "personal"),
    NameHint(("性别", "民族", "gender", "sex", "ethnicity"), "personal"),
)
_SENSITIVITY_BY_FORMAT = {"resident_id": ("sensitive", "identity_document"), "mobile": ("personal", None)}
_SENSITIVITY_BY_FORMAT["person_name"] = ("personal", None)
_SENSITIVITY_RANK = {"none": 0, "personal": 1, "sensitive": 2}

# Common Chinese headers and the field name a department would give them.
KNOWN_NAMES = {
    "公民身份号码": "id_number",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "姓名": "full_name",
    "手机号码": "phone",
    "手机号": "phone",
    "联系电话": "phone",
    "出生日期": "birth_date",
    "性别": "gender",
    "民族": "ethnicity",
    "住址": "address",
    "地址": "address",
    "所属区县": "district",
    "区县": "district",
    "乡镇街道": "township",
    "统一社会信用代码": "credit_code",
    "企业名称": "company_name",
    "法定代表人": "legal_representative",
    "注册资本": "registered_capital",
    "成立日期": "founded_on",
    "行业": "industry",
    "家庭人口数": "household_size",
    "日期": "day",
    "金额": "amount",
    "数量": "quantity",
}


def hint_for(header: str) -> NameHint | None:
    """The first hint whose word the header holds."""
    lowered = header.strip().lower()
    words = set(re.split(r"[^a-z0-9]+", lowered)) | {lowered}
    for hint in NAME_HINTS:
        if any((word in lowered) if not word.isascii() else (word in words) for word in hint.words):
            return hint
    return None


def _format_of(sample: ColumnSample) -> str | None:
    if not sample.filled:
        return None
    for name in _FORMAT_ORDER:
        if sample.passing.get(name, 0) / sample.filled >= FORMAT_SHARE:
            return name
    return None


def _all(sample: ColumnSample, check: str) -> bool:
    return sample.passing.get(check, 0) == sample.filled


def _type_of(sample: ColumnSample) -> str:
    """The strictest type every filled value passes; text when a code keeps its leading zeros (0731)."""
    if not sample.filled or sample.passing.get("leading_zero", 0):
        return "string"
    header = sample.header.lower()
    if _all(sample, "integer"):
        # 20240102 and 0/1 are whole numbers too: the name says when they are dates or yes/no.
        if _all(sample, "date") and ("日期" in header or "date" in header):
            return "date"
        if _all(sample, "boolean") and ("是否" in header or header.startswith(("is_", "has_"))):
            return "boolean"
        return "integer"
    for name in _TYPE_ORDER[1:]:
        if _all(sample, name):
            return name
    return "string"


def field_name_for(header: str, index: int, taken: set[str]) -> str:
    """A field name from the header: itself when it is one, a known header's name, else ``field_N``."""
    text = header.strip()
    lowered = re.sub(r"[\s\-]+", "_", text.lower())
    if FIELD_NAME.match(lowered):
        name = lowered
    else:
        name = KNOWN_NAMES.get(text, f"field_{index + 1}")
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}"[:63], n + 1
    taken.add(candidate)
    return candidate


def suggest_field(sample: ColumnSample, index: int, taken: set[str]) -> dict[str, Any]:
    """A field as a department would describe it, from a column's sample counts and its header: the type and
    format its values pass, the sensitivity its format or name implies (the stricter), a PIPL category for
    sensitive information, the masking that follows (``default_masking``); required when no sampled value was
    empty. ``basis`` says what the sensitivity was suggested from: ``format``, ``name`` or nothing."""
    fmt = _format_of(sample)
    sensitivity, category, basis = "none", None, None
    if fmt in _SENSITIVITY_BY_FORMAT:
        (sensitivity, category), basis = _SENSITIVITY_BY_FORMAT[fmt], "format"
    hint = hint_for(sample.header)
    if hint is not None and _SENSITIVITY_RANK[hint.sensitivity] > _SENSITIVITY_RANK[sensitivity]:
        sensitivity, category, basis = hint.sensitivity, hint.pipl_category, "name"
    label = sample.header.strip()[:100] or f"字段{index + 1}"
    return {
        "name": field_name_for(sample.header, index, taken),
        "label": label,
        "type": "string" if fmt else _type_of(sample),
        "format": fmt,
        "required": sample.filled > 0 and sample.empty == 0,
        "sensitivity": sensitivity,
        "pipl_category": category if sensitivity == "sensitive" else None,
        "masking": default_masking(sensitivity=sensitivity, format=fmt),
        "description": "",
        "basis": basis,
    }


def suggest_fields(samples: list[ColumnSample]) -> list[dict[str, Any]]:
    taken: set[str] = set()
    return [suggest_field(sample, index, taken) for index, sample in enumerate(samples)]


SUGGESTION_BASES: dict[str, tuple[str, str]] = {
    "format": ("依据数据格式", "from the values' format"),
    "name": ("依据列名", "from the column's name"),
}


# --- what a change registration changes (old and new side by side) -------------------------------------

# A change shows each code by its name in the description's vocabularies above.
YES_NO: dict[str, tuple[str, str]] = {"True": ("是", "Yes"), "False": ("否", "No")}
# The vocabulary each description key and field attribute is shown in (None: shown as typed).
KEY_VOCABULARIES: dict[str, dict[str, tuple[str, str]] | None] = {
    "sector": SECTORS,
    "base_library": BASE_LIBRARIES,
    "update_frequency": UPDATE_FREQUENCIES,
    "sharing": SHARING,
    "opening": OPENING,
    "declared_grade": GRADES,
}
FIELD_ATTRIBUTES: dict[str, dict[str, tuple[str, str]] | None] = {
    "label": None,
    "type": FIELD_TYPE_NAMES,
    "format": FIELD_FORMAT_NAMES,
    "required": YES_NO,
    "sensitivity": SENSITIVITIES,
    "pipl_category": PIPL_SENSITIVE_CATEGORIES,
    "masking": MASKING_NAMES,
    "description": None,
    "values": None,
}


@dataclass(frozen=True)
class KeyChange:
    """One description key, before and after."""

    key: str
    old: Any
    new: Any

    @property
    def changed(self) -> bool:
        return bool(self.old != self.new)


@dataclass(frozen=True)
class FieldChange:
    """One field: added (no ``old``), removed (no ``new``), changed (``attributes`` that differ) or unchanged."""

    name: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    attributes: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed" if self.attributes else "unchanged"


@dataclass(frozen=True)
class DescriptionChange:
    keys: list[KeyChange]
    fields: list[FieldChange]

    @property
    def changed_keys(self) -> list[KeyChange]:
        return [change for change in self.keys if change.changed]

    @property
    def unchanged_keys(self) -> list[KeyChange]:
        return [change for change in self.keys if not change.changed]

    @property
    def changed_fields(self) -> list[FieldChange]:
        return [change for change in self.fields if change.status != "unchanged"]

    @property
    def unchanged_fields(self) -> list[FieldChange]:
        return [change for change in self.fields if change.status == "unchanged"]

    @property
    def empty(self) -> bool:
        return not self.changed_keys and not self.changed_fields


def _normal(spec: dict[str, Any]) -> dict[str, Any]:
    """A field as compared: absent attributes as their defaults, values as a list, so equal means unchanged."""
    defaults = {attribute: None for attribute in FIELD_ATTRIBUTES} | {"required": False, "description": ""}
    merged = {**defaults, **spec}
    if merged.get("values") is not None:
        merged["values"] = list(merged["values"])
    return merged


def description_change(old: dict[str, Any], new: dict[str, Any], keys: tuple[str, ...]) -> DescriptionChange:
    """What a change registration changes: each description key, and each field matched by name (the old
    order first, added fields after)."""
    key_changes = [KeyChange(key, old.get(key), new.get(key)) for key in keys if key != "code"]
    old_fields = {spec["name"]: _normal(spec) for spec in old.get("fields", [])}
    new_fields = {spec["name"]: _normal(spec) for spec in new.get("fields", [])}
    field_changes = []
    for name, before in old_fields.items():
        after = new_fields.get(name)
        differs = tuple(a for a in FIELD_ATTRIBUTES if after is not None and before.get(a) != after.get(a))
        field_changes.append(FieldChange(name, before, after, differs))
    field_changes += [FieldChange(name, None, spec) for name, spec in new_fields.items() if name not in old_fields]
    return DescriptionChange(key_changes, field_changes)
