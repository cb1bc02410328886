"""What a product computes (产品定义): the one value its security review signs off by digest and every call runs.

Each kind has its definition; all name the resources they read, and none carries a consumer's text:
- a query template (``QueryTemplate``): SQL written by the operator or a partner, with typed, range-checked
  parameters, compiled through the governed plan with the parameters bound as typed literals of the plan;
- a verification (``Verification``) and a credit profile (``CreditProfile``): a pinned, platform-defined
  computation over one subject's records, whose answer is exactly its declared fields;
- a statistical table (``StatisticalTable``): a job's released output, published as a version.

Everything a call's answer depends on is in the definition — a verification's thresholds, a profile's
scorecard — so it is in the digest the review signs. ``describe`` gives the outputs' zh/en words for pages.
Nothing here reads a database: the scoring (``score``) is a pure function of a subject's features.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, TypeAdapter, model_validator

from pubdata.common.digest import of_document
from pubdata.common.errors import Refused
from pubdata.common.messages import Phrase
from pubdata.common.names import Name, Prose
from pubdata_protocol import ckks

IDENTIFIER = r"^[a-z][a-z0-9_]{0,39}$"
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")
Identifier = Annotated[str, Field(pattern=IDENTIFIER)]
ParameterType = Literal["string", "integer", "decimal", "date", "boolean"]
Scalar = StrictBool | StrictInt | StrictFloat | date | str
Value = str | int | float | bool | date
MAX_STRING = 1000  # the planner's longest text literal
BATCH_LIMIT = 1000  # subjects in one per-subject call

# The pilot's resources a per-subject computation reads (demo/pilot): their codes, here as data.
LEGAL_ENTITIES = "CZ-FR-0001"
TAX_PAYMENTS = "CZ-XY-0001"
SOCIAL_INSURANCE = "CZ-XY-0002"
UTILITY_PAYMENTS = "CZ-XY-0003"
PENALTIES = "CZ-XY-0004"
TAX_CREDIT_RATINGS = "CZ-XY-0005"
E_LICENCES = "CZ-ZZ-0001"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Words(_Frozen):
    """A label in both languages (common.names ``Name``: one normal form)."""

    zh: Name = Field(min_length=1, max_length=100)
    en: Name = Field(min_length=1, max_length=200)


class Text(_Frozen):
    """A description in both languages."""

    zh: Prose = Field(default="", max_length=2000)
    en: Prose = Field(default="", max_length=4000)


# --- parameters -------------------------------------------------------------------------------------------


def is_text(value: str) -> bool:
    """Whether a caller's string is text a page, a ledger entry and an engine can all hold: no control
    character (NUL, escapes) and no lone surrogate (which JSON's ``\\ud800`` gives and UTF-8 cannot encode)."""
    return not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value)


def shown_name(name: object) -> str:
    """A caller's parameter name as a refusal may repeat it: an identifier as it is, anything else elided."""
    text = str(name)
    return text if re.fullmatch(IDENTIFIER, text) else "…"


def parameter_refused(name: str, problem: str, **params: Any) -> Refused:
    return Refused("product.parameter", parameter=name, problem=Phrase(f"product.parameter.{problem}", params))


class Parameter(_Frozen):
    """A typed parameter of a template (or a threshold of a verification): what a caller may pass, and what
    is refused. In a template's SQL it is ``:name``, standing where a filter's literal may stand."""

    name: Identifier
    label: Words
    type: ParameterType
    description: Text = Text()
    minimum: StrictInt | StrictFloat | date | None = None  # numbers and dates
    maximum: StrictInt | StrictFloat | date | None = None
    choices: tuple[Scalar, ...] | None = Field(default=None, min_length=1, max_length=100)
    max_length: int | None = Field(default=None, ge=1, le=MAX_STRING)  # strings
    required: bool = True
    default: Scalar | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        ordered = self.type in ("integer", "decimal", "date")
        if not ordered and (self.minimum is not None or self.maximum is not None):
            raise ValueError("minimum and maximum are for numbers and dates")
        if self.type != "string" and self.max_length is not None:
            raise ValueError("max_length is for strings")
        minimum, maximum = (self._typed(bound) for bound in (self.minimum, self.maximum))
        if minimum is not None and maximum is not None and minimum > maximum:
            raise ValueError("minimum is above maximum")
        # Stored as JSON, a date is text: each bound, choice and default is kept as a value of the type.
        object.__setattr__(self, "minimum", minimum)
        object.__setattr__(self, "maximum", maximum)
        if self.choices is not None:
            object.__setattr__(self, "choices", tuple(self._typed(choice) for choice in self.choices))
        if self.default is not None:
            try:
                object.__setattr__(self, "default", self.value_of(self.default))
            except Refused:
                raise ValueError("the default is a value the parameter accepts") from None
        return self

    def _typed(self, value: Any) -> Any:
        if value is None:
            return None
        try:
            return self._coerced(value)
        except Refused:
            raise ValueError(f"bounds and choices are of the parameter's type ({self.type})") from None

    def _coerced(self, raw: object) -> Value:
        """The raw value (JSON or form text) as this parameter's type, or ``product.parameter … type``."""
        kind = self.type
        wrong = parameter_refused(self.name, "type", type=Phrase(f"product.type.{kind}"))
        if kind == "boolean":
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
                return raw.strip().lower() == "true"
            raise wrong
        if isinstance(raw, bool):
            raise wrong
        if kind == "integer":
            if isinstance(raw, int):
                number = raw
            elif isinstance(raw, float) and raw.is_integer():
                number = int(raw)
            elif isinstance(raw, str) and WHOLE_NUMBER.fullmatch(raw.strip()):
                number = int(raw.strip())
            else:
                raise wrong
            if abs(number) >= 10**18:
                raise wrong
            return number
        if kind == "decimal":
            if isinstance(raw, (int, float)):
                value = float(raw)
            elif isinstance(raw, str):
                try:
                    value = float(raw.strip()) if raw.strip().isascii() else math.nan
                except ValueError:
                    raise wrong from None
            else:
                raise wrong
            if not math.isfinite(value):
                raise wrong
            return value
        if kind == "date":
            if isinstance(raw, date):
                return raw
            if isinstance(raw, str) and len(raw.strip()) == 10:
                try:
                    return date.fromisoformat(raw.strip())
                except ValueError:
                    raise wrong from None
            raise wrong
        if not isinstance(raw, str):
            raise wrong
        if not is_text(raw):
            raise parameter_refused(self.name, "text")
        return raw

    def value_of(self, raw: object) -> Value:
        """The checked value of this parameter: its type, its range, its choices, its length."""
        value = self._coerced(raw)
        if self.type == "string":
            assert isinstance(value, str)
            limit = self.max_length or MAX_STRING
            if len(value) > limit:
                raise parameter_refused(self.name, "length", max_length=limit)
        if self.minimum is not None and value < self.minimum:  # type: ignore[operator]
            raise parameter_refused(self.name, "minimum", minimum=_shown(self.minimum))
        if self.maximum is not None and value > self.maximum:  # type: ignore[operator]
            raise parameter_refused(self.name, "maximum", maximum=_shown(self.maximum))
        if self.choices is not None and value not in self.choices:
            raise parameter_refused(self.name, "choices", choices="、".join(_shown(c) for c in self.choices))
        return value


def _shown(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def checked_values(parameters: tuple[Parameter, ...], raw: Mapping[str, object]) -> dict[str, Value]:
    """Every parameter's checked value from a caller's ``raw`` values (defaults filling the optional ones):
    an unknown name, a missing required one or a bad value is refused naming the parameter."""
    declared = {parameter.name: parameter for parameter in parameters}
    if not isinstance(raw, Mapping):  # a list or a number where the values' object was expected
        raise parameter_refused("…", "unknown")
    for name in raw:
        if name not in declared:
            raise parameter_refused(shown_name(name), "unknown")
    values: dict[str, Value] = {}
    for parameter in parameters:
        given = raw.get(parameter.name)
        if given is None or given == "":
            if parameter.required:
                raise parameter_refused(parameter.name, "required")
            if parameter.default is None:
                continue  # left out: what it stands for is the definition's to say (a check's day: the call's)
            given = parameter.default
        values[parameter.name] = parameter.value_of(given)
    return values


# --- the definitions --------------------------------------------------------------------------------------


class OutputField(_Frozen):
    """One output as pages describe it: its name in the answer, its label and what it means."""

    name: Identifier
    label: Words
    description: Text = Text()


class _Definition(_Frozen):
    version: Literal[1] = 1
    resources: tuple[str, ...] = Field(min_length=1, max_length=20)

    def document(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @property
    def digest(self) -> str:
        return of_document(self.document())


class QueryTemplate(_Definition):
    """Reviewed SQL with typed parameters: planned under the contract's policy like any query, the parameters
    bound as typed literals of the plan, the output rule (k or DP) as always."""

    kind: Literal["query_template"] = "query_template"
    sql: str = Field(min_length=1, max_length=20_000)
    parameters: tuple[Parameter, ...] = Field(default=(), max_length=20)
    outputs: tuple[OutputField, ...] = Field(min_length=1, max_length=64)  # exactly the plan's outputs, in order
    output_rule: Literal["aggregate", "dp"] = "aggregate"
    min_group_size: int = Field(default=10, ge=10, le=1_000_000)  # at review; a call applies its contract's
    # DP: each measure's clamping bounds, for the contract generated from the product (Terms.bounds).
    bounds: dict[Identifier, tuple[float, float]] = Field(default_factory=dict, max_length=200)

    @model_validator(mode="after")
    def _unique(self) -> QueryTemplate:
        if any(not parameter.required and parameter.default is None for parameter in self.parameters):
            raise ValueError("an optional parameter of a template has a default (a plan has no empty value)")
        for what, names in (
            ("parameters", [p.name for p in self.parameters]),
            ("outputs", [o.name for o in self.outputs]),
        ):
            if len(set(names)) != len(names):
                raise ValueError(f"{what} are named once each")
        return self


# --- verification (核验) ------------------------------------------------------------------------------------


def _table(code: str) -> str:
    """How a resource is named in SQL (as queries.service names it): ``CZ-FR-0001`` → ``cz_fr_0001``."""
    return code.lower().replace("-", "_")


@dataclass(frozen=True)
class SubjectQuery:
    """Platform SQL over a batch of subjects: ``$codes`` is the list of requested credit codes, every other
    ``$name`` a value bound by the engine (never formatted into the text). One row per code: ``credit_code``,
    ``found`` (any record of the subject) and the computed columns."""

    sql: str
    parameters: dict[str, Value]


Band = tuple[str, str, str]  # code, zh, en

YES, NO = "yes", "no"
YES_NO: tuple[Band, ...] = ((YES, "是", "Yes"), (NO, "否", "No"))
NO_RECORD = "none"


@dataclass(frozen=True)
class Check:
    """A verification the platform defines: what it asks, what it reads, its thresholds, its answers."""

    name: str
    label: tuple[str, str]
    question: tuple[str, str]
    resources: tuple[str, ...]
    fields: tuple[tuple[str, str, str], ...]  # (resource, field, type) it reads, checked against the catalogue
    thresholds: tuple[Parameter, ...]
    answers: tuple[Band, ...]
    no_record: str  # the declared answer for a subject with no record (one of ``answers``)
    query: Callable[[Mapping[str, Value], date], SubjectQuery]
    # The answers' words under the definition's thresholds (a band's limits), when they depend on them.
    worded: Callable[[Mapping[str, Value]], tuple[Band, ...]] | None = None

    def answers_under(self, thresholds: Mapping[str, Value]) -> tuple[Band, ...]:
        return self.worded(thresholds) if self.worded is not None else self.answers


def month_of(day: date, back: int = 0) -> str:
    """``YYYY-MM`` of the month ``back`` months before ``day``'s."""
    index = day.year * 12 + day.month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


CODES = "(SELECT DISTINCT UNNEST($codes) AS code)"


def _entity_active(thresholds: Mapping[str, Value], today: date) -> SubjectQuery:
    sql = f"""
SELECT c.code AS credit_code, COUNT(e.credit_code) > 0 AS found,
  CASE WHEN COALESCE(BOOL_OR(e.status = $active), FALSE) THEN 'yes' ELSE 'no' END AS result
FROM {CODES} c LEFT JOIN {_table(LEGAL_ENTITIES)} e ON e.credit_code = c.code
GROUP BY c.code"""
    return SubjectQuery(sql, {"active": "存续"})


def _tax_arrears_over(thresholds: Mapping[str, Value], today: date) -> SubjectQuery:
    months = int(thresholds["months"])  # type: ignore[arg-type]
    sql = f"""
SELECT c.code AS credit_code, COUNT(t.credit_code) > 0 AS found,
  CASE WHEN COUNT(t.credit_code) FILTER (WHERE NOT t.filed_on_time) > $late THEN 'yes' ELSE 'no' END AS result
FROM {CODES} c LEFT JOIN {_table(TAX_PAYMENTS)} t
  ON t.credit_code = c.code AND t.tax_month >= $since AND t.tax_month <= $until
GROUP BY c.code"""
    return SubjectQuery(
        sql,
        {"late": int(thresholds["late_months"]), "since": month_of(today, months - 1), "until": month_of(today)},  # type: ignore[arg-type]
    )


def _social_insurance_arrears(thresholds: Mapping[str, Value], today: date) -> SubjectQuery:
    months = int(thresholds["months"])  # type: ignore[arg-type]
    sql = f"""
SELECT c.code AS credit_code, COUNT(s.credit_code) > 0 AS found,
  CASE WHEN COALESCE(BOOL_OR(s.in_arrears), FALSE) THEN 'yes' ELSE 'no' END AS result
FROM {CODES} c LEFT JOIN {_table(SOCIAL_INSURANCE)} s
  ON s.credit_code = c.code AND s.insured_month >= $since AND s.insured_month <= $until
GROUP BY c.code"""
    return SubjectQuery(sql, {"since": month_of(today, months - 1), "until": month_of(today)})


def _licence_valid(thresholds: Mapping[str, Value], today: date) -> SubjectQuery:
    on = thresholds.get("on") or today
    sql = f"""
SELECT c.code AS credit_code, COUNT(l.holder_credit_code) > 0 AS found,
  CASE WHEN COALESCE(BOOL_OR(l.licence_type = $type AND l.status = $valid AND l.issue_date <= $on
    AND (l.expiry_date IS NULL OR l.expiry_date >= $on)), FALSE) THEN 'yes' ELSE 'no' END AS result
FROM {CODES} c LEFT JOIN {_table(E_LICENCES)} l ON l.holder_credit_code = c.code
GROUP BY c.code"""
    return SubjectQuery(sql, {"type": thresholds["licence_type"], "valid": "有效", "on": on})


SALES_BANDS: tuple[Band, ...] = (
    ("s1", "低于下限一", "Below the first limit"),
    ("s2", "下限一至下限二", "Between the first and second limits"),
    ("s3", "下限二至下限三", "Between the second and third limits"),
    ("s4", "下限三及以上", "At or above the third limit"),
    (NO_RECORD, "无记录", "No record"),
)


def _yuan(value: Value) -> tuple[str, str]:
    amount = float(value)  # type: ignore[arg-type]
    zh = f"{amount / 10_000:g} 万元" if amount >= 10_000 else f"{amount:g} 元"
    return zh, f"{amount:,.0f} yuan"


def _sales_words(thresholds: Mapping[str, Value]) -> tuple[Band, ...]:
    (a, a_en), (b, b_en), (c, c_en) = (_yuan(thresholds[name]) for name in ("first", "second", "third"))
    return (
        ("s1", f"低于 {a}", f"Below {a_en}"),
        ("s2", f"{a} 至 {b}", f"{a_en} to {b_en}"),
        ("s3", f"{b} 至 {c}", f"{b_en} to {c_en}"),
        ("s4", f"{c} 及以上", f"{c_en} or more"),
        (NO_RECORD, "无记录", "No record"),
    )


def _sales_band(thresholds: Mapping[str, Value], today: date) -> SubjectQuery:
    sql = f"""
SELECT c.code AS credit_code, COUNT(t.credit_code) > 0 AS found,
  CASE WHEN COALESCE(SUM(t.declared_sales), 0) < $first THEN 's1'
       WHEN SUM(t.declared_sales) < $second THEN 's2'
       WHEN SUM(t.declared_sales) < $third THEN 's3' ELSE 's4' END AS result
FROM {CODES} c LEFT JOIN {_table(TAX_PAYMENTS)} t
  ON t.credit_code = c.code AND t.tax_month >= $since AND t.tax_month <= $until
GROUP BY c.code"""
    return SubjectQuery(
        sql,
        {
            "first": float(thresholds["first"]),  # type: ignore[arg-type]
            "second": float(thresholds["second"]),  # type: ignore[arg-type]
            "third": float(thresholds["third"]),  # type: ignore[arg-type]
            "since": month_of(today, 11),
            "until": month_of(today),
        },
    )


def _months(default: int) -> Parameter:
    return Parameter(
        name="months",
        label=Words(zh="统计月数", en="Months counted"),
        type="integer",
        minimum=1,
        maximum=24,
        required=False,
        default=default,
        description=Text(zh="截至调用当月的最近月数。", en="The latest months up to the month of the call."),
    )


def _limit(name: str, zh: str, en: str, default: float) -> Parameter:
    return Parameter(
        name=name, label=Words(zh=zh, en=en), type="decimal", minimum=0, maximum=1e12, required=False, default=default
    )


CHECKS: dict[str, Check] = {
    check.name: check
    for check in (
        Check(
            name="entity_active",
            label=("企业登记状态核验", "Registration status check"),
            question=("该统一社会信用代码是否已登记且处于存续状态？", "Is this credit code registered and active?"),
            resources=(LEGAL_ENTITIES,),
            fields=((LEGAL_ENTITIES, "credit_code", "string"), (LEGAL_ENTITIES, "status", "string")),
            thresholds=(),
            answers=YES_NO,
            no_record=NO,
            query=_entity_active,
        ),
        Check(
            name="tax_arrears_over",
            label=("纳税申报逾期核验", "Late tax filing check"),
            question=(
                "最近若干个月中未按期申报的月数是否超过阈值？",
                "In the latest months, were more months filed late than the threshold?",
            ),
            resources=(TAX_PAYMENTS,),
            fields=(
                (TAX_PAYMENTS, "credit_code", "string"),
                (TAX_PAYMENTS, "tax_month", "string"),
                (TAX_PAYMENTS, "filed_on_time", "boolean"),
            ),
            thresholds=(
                _months(12),
                Parameter(
                    name="late_months",
                    label=Words(zh="允许的逾期月数", en="Late months allowed"),
                    type="integer",
                    minimum=0,
                    maximum=24,
                    required=False,
                    default=0,
                ),
            ),
            answers=YES_NO,
            no_record=NO,
            query=_tax_arrears_over,
        ),
        Check(
            name="social_insurance_arrears",
            label=("社保欠费核验", "Social insurance arrears check"),
            question=(
                "最近若干个月中是否有社保欠费？",
                "Were social insurance contributions in arrears in the latest months?",
            ),
            resources=(SOCIAL_INSURANCE,),
            fields=(
                (SOCIAL_INSURANCE, "credit_code", "string"),
                (SOCIAL_INSURANCE, "insured_month", "string"),
                (SOCIAL_INSURANCE, "in_arrears", "boolean"),
            ),
            thresholds=(_months(12),),
            answers=YES_NO,
            no_record=NO,
            query=_social_insurance_arrears,
        ),
        Check(
            name="licence_valid",
            label=("证照有效性核验", "Licence validity check"),
            question=(
                "该主体是否持有在指定日期有效的指定类型证照？",
                "Does the subject hold a licence of this type valid on the day?",
            ),
            resources=(E_LICENCES,),
            fields=(
                (E_LICENCES, "holder_credit_code", "string"),
                (E_LICENCES, "licence_type", "string"),
                (E_LICENCES, "status", "string"),
                (E_LICENCES, "issue_date", "date"),
                (E_LICENCES, "expiry_date", "date"),
            ),
            thresholds=(
                Parameter(
                    name="licence_type", label=Words(zh="证照类型", en="Licence type"), type="string", max_length=50
                ),
                Parameter(
                    name="on",
                    label=Words(zh="核验日期", en="Day checked"),
                    type="date",
                    required=False,
                    description=Text(zh="不填时为调用当日。", en="The day of the call when left out."),
                ),
            ),
            answers=YES_NO,
            no_record=NO,
            query=_licence_valid,
        ),
        Check(
            name="sales_band",
            label=("申报销售额区间核验", "Declared sales band"),
            question=(
                "最近 12 个月申报销售额合计落在哪个区间？",
                "In which band are the declared sales of the latest 12 months?",
            ),
            resources=(TAX_PAYMENTS,),
            fields=(
                (TAX_PAYMENTS, "credit_code", "string"),
                (TAX_PAYMENTS, "tax_month", "string"),
                (TAX_PAYMENTS, "declared_sales", "decimal"),
            ),
            thresholds=(
                _limit("first", "下限一（元）", "First limit (yuan)", 1_000_000),
                _limit("second", "下限二（元）", "Second limit (yuan)", 5_000_000),
                _limit("third", "下限三（元）", "Third limit (yuan)", 20_000_000),
            ),
            answers=SALES_BANDS,
            no_record=NO_RECORD,
            query=_sales_band,
            worded=_sales_words,
        ),
    )
}


class Verification(_Definition):
    """A pinned check (``CHECKS``) and its thresholds: a yes/no or band answer per subject."""

    kind: Literal["verification"] = "verification"
    check: str
    thresholds: dict[str, Scalar] = Field(default_factory=dict, max_length=20)

    @model_validator(mode="after")
    def _known(self) -> Verification:
        check = CHECKS.get(self.check)
        if check is None:
            raise ValueError(f"check must be one of {', '.join(sorted(CHECKS))}")
        if tuple(self.resources) != check.resources:
            raise ValueError(f"the check {check.name} reads exactly {', '.join(check.resources)}")
        try:
            values = checked_values(check.thresholds, self.thresholds)
        except Refused as refused:
            raise ValueError(f"threshold {refused.params['parameter']} is not valid") from None
        if self.check == "sales_band" and not values["first"] < values["second"] < values["third"]:  # type: ignore[operator]
            raise ValueError("the sales limits rise")
        # Every threshold is written out, defaults too: the digest pins what is computed, not what was typed.
        object.__setattr__(self, "thresholds", {k: v for k, v in values.items()})
        return self

    @property
    def spec(self) -> Check:
        return CHECKS[self.check]

    def values(self, today: date) -> dict[str, Value]:
        """The thresholds a call computes with: a date threshold left out is the day of the call."""
        values: dict[str, Value] = dict(self.thresholds)
        for threshold in self.spec.thresholds:
            if threshold.type == "date" and threshold.name not in values:
                values[threshold.name] = today
        return values


# --- the enterprise credit profile (企业信用画像) -------------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    """A number the platform computes per enterprise from one resource (None: the enterprise has no record
    there that gives it)."""

    name: str
    label: tuple[str, str]
    resource: str
    fields: tuple[tuple[str, str], ...]  # (field, type) it reads


FEATURES: dict[str, Feature] = {
    feature.name: feature
    for feature in (
        Feature(
            "tax_credit_level",
            ("纳税信用等级（A=4 … D=0）", "Tax credit level (A=4 … D=0)"),
            TAX_CREDIT_RATINGS,
            (("credit_code", "string"), ("rating_year", "integer"), ("rating", "string")),
        ),
        Feature(
            "social_insurance_arrears_months",
            ("近 12 个月社保欠费月数", "Months of social insurance arrears in the latest 12"),
            SOCIAL_INSURANCE,
            (("credit_code", "string"), ("insured_month", "string"), ("in_arrears", "boolean")),
        ),
        Feature(
            "utility_on_time_ratio",
            ("近 12 个月水电费按时缴费比例", "Share of utility bills paid on time in the latest 12 months"),
            UTILITY_PAYMENTS,
            (("credit_code", "string"), ("billing_month", "string"), ("paid_on_time", "boolean")),
        ),
        Feature(
            "utility_overdue_days",
            ("近 12 个月水电费最长逾期天数", "Longest utility payment delay in the latest 12 months (days)"),
            UTILITY_PAYMENTS,
            (("credit_code", "string"), ("billing_month", "string"), ("overdue_days", "integer")),
        ),
        Feature(
            "penalties_count",
            ("近 3 年行政处罚次数", "Administrative penalties in the latest 3 years"),
            PENALTIES,
            (("credit_code", "string"), ("decision_date", "date")),
        ),
        Feature(
            "penalties_amount",
            ("近 3 年罚没金额合计（元）", "Fines in the latest 3 years (yuan)"),
            PENALTIES,
            (("credit_code", "string"), ("decision_date", "date"), ("fine_amount", "decimal")),
        ),
        Feature(
            "licences_valid",
            ("有效证照数", "Valid licences held"),
            E_LICENCES,
            (("holder_credit_code", "string"), ("status", "string"), ("expiry_date", "date")),
        ),
        Feature(
            "tax_paid_trend",
            ("近 12 个月实缴税费与前 12 个月之比", "Taxes paid in the latest 12 months over the 12 before"),
            TAX_PAYMENTS,
            (("credit_code", "string"), ("tax_month", "string"), ("total_tax_paid", "decimal")),
        ),
        Feature(
            "registration_years",
            ("成立年限（年）", "Years since establishment"),
            LEGAL_ENTITIES,
            (("credit_code", "string"), ("established_date", "date")),
        ),
        Feature(
            "registration_active",
            ("登记状态为存续（1 是，0 否）", "Registered as active (1 yes, 0 no)"),
            LEGAL_ENTITIES,
            (("credit_code", "string"), ("status", "string")),
        ),
    )
}
FeatureName = Literal[
    "tax_credit_level",
    "social_insurance_arrears_months",
    "utility_on_time_ratio",
    "utility_overdue_days",
    "penalties_count",
    "penalties_amount",
    "licences_valid",
    "tax_paid_trend",
    "registration_years",
    "registration_active",
]
TAX_CREDIT_LEVELS = {"A": 4, "B": 3, "M": 2, "C": 1, "D": 0}


class Reason(_Frozen):
    """A reason code and what it says (理由码)."""

    code: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{1,19}$")]
    text: Words


class Factor(_Frozen):
    """One factor of a scorecard: a feature's value falls between cut points, each interval gives points
    (0–100, as a share of the factor's weight); an enterprise without the value gets ``missing``."""

    feature: FeatureName
    weight: int = Field(ge=1, le=100)
    cuts: tuple[float, ...] = Field(min_length=1, max_length=9)  # rising
    points: tuple[int, ...] = Field(min_length=2, max_length=10)  # one more than the cuts
    missing: int = Field(default=50, ge=0, le=100)
    negative: Reason  # given when the factor's points are below the profile's ``negative_below``
    positive: Reason | None = None  # given when they reach ``positive_from``

    @model_validator(mode="after")
    def _shape(self) -> Factor:
        if len(self.points) != len(self.cuts) + 1:
            raise ValueError("points: one more than the cuts")
        if any(not 0 <= point <= 100 for point in self.points):
            raise ValueError("points are 0–100")
        if any(b <= a for a, b in zip(self.cuts, self.cuts[1:], strict=False)):
            raise ValueError("cuts rise")
        return self

    def points_of(self, value: float | None) -> int:
        if value is None or not math.isfinite(value):
            return self.missing
        return self.points[bisect.bisect_right(self.cuts, value)]


class ScoreBand(_Frozen):
    code: Annotated[str, Field(pattern=r"^[A-Z]$")]
    minimum: int = Field(ge=0, le=100)  # the lowest score in the band
    label: Words


NO_RECORD_BAND = ScoreBand(code="N", minimum=0, label=Words(zh="无记录", en="No record"))


class CreditProfile(_Definition):
    """A scorecard over an enterprise's public records: a score 0–100, its band and the reason codes of the
    factors that weighed most — never a row, never an amount."""

    kind: Literal["credit_profile"] = "credit_profile"
    factors: tuple[Factor, ...] = Field(min_length=1, max_length=20)
    bands: tuple[ScoreBand, ...] = Field(min_length=2, max_length=10)  # falling minimums, the last 0
    negative_below: int = Field(default=50, ge=1, le=100)
    positive_from: int = Field(default=80, ge=1, le=100)
    reasons: int = Field(default=2, ge=1, le=5)  # at most this many negative and this many positive codes

    @model_validator(mode="after")
    def _shape(self) -> CreditProfile:
        minimums = [band.minimum for band in self.bands]
        if minimums != sorted(minimums, reverse=True) or len(set(minimums)) != len(minimums) or minimums[-1] != 0:
            raise ValueError("bands: falling minimums, the last 0")
        codes = [band.code for band in self.bands]
        if len(set(codes)) != len(codes) or NO_RECORD_BAND.code in codes:
            raise ValueError(f"band codes are unique and not {NO_RECORD_BAND.code} (no record)")
        features = [factor.feature for factor in self.factors]
        if len(set(features)) != len(features):
            raise ValueError("a feature is one factor")
        reasons = [r.code for f in self.factors for r in (f.negative, f.positive) if r is not None]
        if len(set(reasons)) != len(reasons):
            raise ValueError("reason codes are unique")
        needed = {LEGAL_ENTITIES} | {FEATURES[f].resource for f in features}
        if set(self.resources) != needed or len(self.resources) != len(needed):
            raise ValueError(f"the factors read exactly {', '.join(sorted(needed))}")
        if self.positive_from < self.negative_below:
            raise ValueError("positive_from is at least negative_below")
        return self


@dataclass(frozen=True)
class Scored:
    score: int
    band: str
    reasons: tuple[str, ...]  # negative codes first (the heaviest first), then positive ones


def score(profile: CreditProfile, features: Mapping[str, float | None]) -> Scored:
    """The profile's answer for one enterprise's features: pure, no database."""
    total = sum(factor.weight for factor in profile.factors)
    earned = 0
    negatives: list[tuple[int, int, str]] = []
    positives: list[tuple[int, int, str]] = []
    for order, factor in enumerate(profile.factors):
        points = factor.points_of(features.get(factor.feature))
        earned += factor.weight * points
        if points < profile.negative_below:
            negatives.append((-factor.weight * (100 - points), order, factor.negative.code))
        elif factor.positive is not None and points >= profile.positive_from:
            positives.append((-factor.weight * points, order, factor.positive.code))
    value = max(0, min(100, round(earned / total)))
    band = next(band.code for band in profile.bands if value >= band.minimum)
    chosen = sorted(negatives)[: profile.reasons] + sorted(positives)[: profile.reasons]
    return Scored(value, band, tuple(code for _, _, code in chosen))


def _reason(code: str, zh: str, en: str) -> Reason:
    return Reason(code=code, text=Words(zh=zh, en=en))


# The inclusive-finance pilot's scorecard (普惠金融): a reviewed product may use it as it is.
DEFAULT_PROFILE = CreditProfile(
    resources=(
        LEGAL_ENTITIES,
        TAX_PAYMENTS,
        SOCIAL_INSURANCE,
        UTILITY_PAYMENTS,
        PENALTIES,
        TAX_CREDIT_RATINGS,
        E_LICENCES,
    ),
    factors=(
        Factor(
            feature="tax_credit_level",
            weight=25,
            cuts=(1, 2, 3, 4),
            points=(0, 25, 50, 80, 100),
            missing=40,
            negative=_reason("N_TAX_CREDIT", "纳税信用等级较低或无评价", "Low or no tax credit rating"),
            positive=_reason("P_TAX_CREDIT", "纳税信用等级良好", "Good tax credit rating"),
        ),
        Factor(
            feature="social_insurance_arrears_months",
            weight=15,
            cuts=(1, 3),
            points=(100, 40, 0),
            missing=50,
            negative=_reason("N_SOCIAL_ARREARS", "近一年有社保欠费", "Social insurance arrears in the last year"),
            positive=_reason(
                "P_SOCIAL_PAID", "近一年社保按时足额缴纳", "Social insurance paid in full in the last year"
            ),
        ),
        Factor(
            feature="utility_on_time_ratio",
            weight=10,
            cuts=(0.8, 0.95),
            points=(0, 60, 100),
            missing=50,
            negative=_reason("N_UTILITY_LATE", "水电费经常逾期缴纳", "Utility bills often paid late"),
            positive=_reason("P_UTILITY_ON_TIME", "水电费按时缴纳", "Utility bills paid on time"),
        ),
        Factor(
            feature="utility_overdue_days",
            weight=5,
            cuts=(1, 30, 90),
            points=(100, 70, 30, 0),
            missing=50,
            negative=_reason("N_UTILITY_OVERDUE", "水电费逾期时间较长", "Long utility payment delays"),
        ),
        Factor(
            feature="penalties_count",
            weight=15,
            cuts=(1, 3),
            points=(100, 40, 0),
            missing=100,
            negative=_reason("N_PENALTIES", "近三年受到行政处罚", "Administrative penalties in the last 3 years"),
            positive=_reason("P_NO_PENALTIES", "近三年无行政处罚", "No administrative penalty in the last 3 years"),
        ),
        Factor(
            feature="penalties_amount",
            weight=5,
            cuts=(10_000, 100_000),
            points=(100, 40, 0),
            missing=100,
            negative=_reason("N_FINES", "近三年罚没金额较大", "Large fines in the last 3 years"),
        ),
        Factor(
            feature="licences_valid",
            weight=5,
            cuts=(1, 2),
            points=(30, 80, 100),
            missing=30,
            negative=_reason("N_NO_LICENCE", "无有效证照", "No valid licence"),
        ),
        Factor(
            feature="tax_paid_trend",
            weight=10,
            cuts=(0.8, 1.0, 1.2),
            points=(10, 50, 80, 100),
            missing=40,
            negative=_reason("N_TAX_FALLING", "实缴税费同比下降", "Taxes paid falling year on year"),
            positive=_reason("P_TAX_RISING", "实缴税费同比增长", "Taxes paid rising year on year"),
        ),
        Factor(
            feature="registration_years",
            weight=5,
            cuts=(1, 3, 5),
            points=(20, 50, 80, 100),
            missing=0,
            negative=_reason("N_YOUNG", "成立时间较短", "Recently established"),
            positive=_reason("P_ESTABLISHED", "经营年限较长", "Long in business"),
        ),
        Factor(
            feature="registration_active",
            weight=5,
            cuts=(1,),
            points=(0, 100),
            missing=0,
            negative=_reason("N_NOT_ACTIVE", "登记状态非存续", "Not registered as active"),
        ),
    ),
    bands=(
        ScoreBand(code="A", minimum=80, label=Words(zh="优", en="Excellent")),
        ScoreBand(code="B", minimum=65, label=Words(zh="良", en="Good")),
        ScoreBand(code="C", minimum=50, label=Words(zh="中", en="Fair")),
        ScoreBand(code="D", minimum=0, label=Words(zh="差", en="Poor")),
    ),
)


# --- the statistical table -----------------------------------------------------------------------------------


class StatisticalTable(_Definition):
    """A job's released output, pinned by its name and the digest of the file that was released."""

    kind: Literal["statistical_table"] = "statistical_table"
    job_id: int = Field(ge=1)
    output: str = Field(min_length=1, max_length=200)
    output_digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    columns: tuple[OutputField, ...] = Field(default=(), max_length=64)


# --- privacy computing (隐私计算): the set a consumer matches against, the label, the joint score ----------------

ConditionOp = Literal["=", "!=", "<", "<=", ">", ">=", "in"]
ItemKind = Literal["credit_code", "resident_id"]
RESOURCE_CODE = r"^[A-Z]{2}-[A-Z]{2}-[0-9]{4}$"
ResourceCode = Annotated[str, Field(pattern=RESOURCE_CODE)]
MAX_CONDITIONS = 5
MAX_IN_VALUES = 50
ITEM_FORMATS: dict[str, str] = {"credit_code": "credit_code", "resident_id": "resident_id"}  # catalogue format


class Condition(_Frozen):
    """One typed filter on the members' rows: ``field op value`` (``in``: a list of values). The value is typed
    against the catalogue's field at review (``compute.check_definition``) and bound by the engine, never
    formatted into SQL."""

    field: Identifier
    op: ConditionOp
    value: Scalar | tuple[Scalar, ...]

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        listed = isinstance(self.value, tuple)
        if listed != (self.op == "in"):
            raise ValueError("a list of values goes with in, and only with in")
        if listed and not 1 <= len(self.value) <= MAX_IN_VALUES:  # type: ignore[arg-type]
            raise ValueError(f"in takes 1–{MAX_IN_VALUES} values")
        for value in self.value if isinstance(self.value, tuple) else (self.value,):
            if isinstance(value, str) and (len(value) > MAX_STRING or not is_text(value)):
                raise ValueError("a condition's text is at most 1000 characters of text")
        return self


class SetMembers(_Frozen):
    """Who is in a set (集合成员): the distinct ``key_field`` values of ``resource``'s rows meeting every
    condition — taken over each key's latest row only when ``latest_by`` is given (e.g. the latest tax credit
    rating). With ``consent`` (credit codes only), the set a consumer matches holds only the subjects with a
    consent in force for that consumer, product and purpose: the platform, which never sees what is asked,
    still answers nothing about a subject who did not consent."""

    resource: ResourceCode
    key_field: Identifier
    item_kind: ItemKind = "credit_code"
    latest_by: Identifier | None = None
    conditions: tuple[Condition, ...] = Field(default=(), max_length=MAX_CONDITIONS)
    consent: bool = False

    @model_validator(mode="after")
    def _shape(self) -> SetMembers:
        if self.consent and self.item_kind != "credit_code":
            raise ValueError("a consent-restricted set holds credit codes (consent is recorded per credit code)")
        return self


class FieldLabel(_Frozen):
    """A label from the member's own row (its latest row when the members have ``latest_by``)."""

    source: Literal["field"] = "field"
    field: Identifier
    words: Words


class CountLabel(_Frozen):
    """A label counting the rows of another resource by key, e.g. penalties in the latest 3 years."""

    source: Literal["count"] = "count"
    resource: ResourceCode
    key_field: Identifier
    date_field: Identifier | None = None
    years: int | None = Field(default=None, ge=1, le=20)  # rows dated in the latest ``years`` years only
    words: Words

    @model_validator(mode="after")
    def _shape(self) -> CountLabel:
        if (self.date_field is None) != (self.years is None):
            raise ValueError("date_field and years go together")
        return self


Label = Annotated[FieldLabel | CountLabel, Field(discriminator="source")]


def _members_resources(members: SetMembers, label: FieldLabel | CountLabel | None = None) -> tuple[str, ...]:
    codes = [members.resource]
    if isinstance(label, CountLabel) and label.resource not in codes:
        codes.append(label.resource)
    return tuple(codes)


class PrivateSet(_Definition):
    """隐私求交: the consumer learns which of its items are in the set; the platform learns how many it asked."""

    kind: Literal["private_set"] = "private_set"
    members: SetMembers

    @model_validator(mode="after")
    def _resources(self) -> PrivateSet:
        if tuple(self.resources) != _members_resources(self.members):
            raise ValueError(f"the set reads exactly {self.members.resource}")
        return self


class LabelledLookup(_Definition):
    """匿踪标签查询: the consumer learns, for each of its items in the set, the item's label, and nothing for the
    others; it looks up locally in the set version's encrypted label table, so the platform learns nothing of
    what was asked but how many."""

    kind: Literal["labelled_lookup"] = "labelled_lookup"
    members: SetMembers
    label: Label

    @model_validator(mode="after")
    def _resources(self) -> LabelledLookup:
        needed = _members_resources(self.members, self.label)
        if tuple(self.resources) != needed:
            raise ValueError(f"the lookup reads exactly {', '.join(needed)}")
        return self


class PublicTerm(_Frozen):
    """A public feature of the joint score (a credit profile's ``FEATURES``): weight·(value − mean)/scale; an
    enterprise without the value contributes nothing (its value taken as the mean)."""

    feature: FeatureName
    weight: StrictFloat | StrictInt = Field(ge=-1e6, le=1e6)
    mean: StrictFloat | StrictInt = Field(default=0.0, ge=-1e12, le=1e12)
    scale: StrictFloat | StrictInt = Field(default=1.0, gt=0, le=1e12)


class PrivateTerm(_Frozen):
    """A feature the consumer supplies encrypted (its income, its loan history): weight·(value − mean)/scale,
    computed on the ciphertext."""

    name: Identifier
    words: Words
    weight: StrictFloat | StrictInt = Field(ge=-1e6, le=1e6)
    mean: StrictFloat | StrictInt = Field(default=0.0, ge=-1e12, le=1e12)
    scale: StrictFloat | StrictInt = Field(default=1.0, gt=0, le=1e12)


MAX_PRIVATE_TERMS = 16  # pubdata_protocol.messages.MAX_PRIVATE_FEATURES


class JointScoring(_Definition):
    """密态联合评分: bias + Σ public terms + Σ private terms per enterprise, the private ones on the consumer's
    CKKS ciphertexts; linear, or its approximate logistic. Identified: every subject needs consent."""

    kind: Literal["joint_scoring"] = "joint_scoring"
    public: tuple[PublicTerm, ...] = Field(default=(), max_length=len(FEATURES))
    private: tuple[PrivateTerm, ...] = Field(min_length=1, max_length=MAX_PRIVATE_TERMS)
    bias: StrictFloat | StrictInt = Field(default=0.0, ge=-1e6, le=1e6)
    output: Literal["linear", "logistic"] = "linear"

    @model_validator(mode="after")
    def _shape(self) -> JointScoring:
        features = [term.feature for term in self.public]
        if len(set(features)) != len(features):
            raise ValueError("a public feature is one term")
        names = [term.name for term in self.private]
        if len(set(names)) != len(names):
            raise ValueError("private terms are named once each")
        weights = list(self.weights().values())
        if not all(ckks.weight_fits(weight) for weight in weights) or not any(weights):
            raise ValueError(
                f"each private term's weight/scale is 0 or between {ckks.MIN_WEIGHT:g} and {ckks.WEIGHT_BOUND:g} in "
                "magnitude, and one is not 0 (what CKKS can carry)"
            )
        needed = {LEGAL_ENTITIES} | {FEATURES[f].resource for f in features}
        if set(self.resources) != needed or len(self.resources) != len(needed):
            raise ValueError(f"the public terms read exactly {', '.join(sorted(needed))}")
        return self

    def profile(self) -> CreditProfile:
        """The credit profile whose features the public terms are (``compute.profile_query`` reads them)."""
        return CreditProfile(
            resources=self.resources,
            factors=tuple(
                Factor(
                    feature=term.feature,
                    weight=1,
                    cuts=(0,),
                    points=(0, 100),
                    negative=Reason(code=f"F{index}", text=Words(zh=term.feature, en=term.feature)),
                )
                for index, term in enumerate(self.public, start=1)
            )
            or (
                Factor(
                    feature="registration_active",
                    weight=1,
                    cuts=(1,),
                    points=(0, 100),
                    negative=Reason(code="F0", text=Words(zh="registration_active", en="registration_active")),
                ),
            ),
            bands=(
                ScoreBand(code="A", minimum=50, label=Words(zh="高", en="High")),
                ScoreBand(code="B", minimum=0, label=Words(zh="低", en="Low")),
            ),
        )

    def weights(self) -> dict[str, float]:
        """Each private feature's weight on its raw value (the scale folded in)."""
        return {term.name: float(term.weight) / float(term.scale) for term in self.private}

    def plain_part(self, features: Mapping[str, float | None]) -> float:
        """One enterprise's score but for its private features' weighted values: the bias, the public terms and
        the private terms' constant part (their means)."""
        total = float(self.bias) - sum(float(t.weight) * float(t.mean) / float(t.scale) for t in self.private)
        for term in self.public:
            value = features.get(term.feature)
            if value is not None and math.isfinite(value):
                total += float(term.weight) * (value - float(term.mean)) / float(term.scale)
        return total


Definition = Annotated[
    QueryTemplate | Verification | CreditProfile | StatisticalTable | PrivateSet | LabelledLookup | JointScoring,
    Field(discriminator="kind"),
]
AnyDefinition = (
    QueryTemplate | Verification | CreditProfile | StatisticalTable | PrivateSet | LabelledLookup | JointScoring
)
ProtocolDefinition = PrivateSet | LabelledLookup | JointScoring
_DEFINITION: TypeAdapter[AnyDefinition] = TypeAdapter(Definition)


def parse(document: Mapping[str, Any] | str) -> AnyDefinition:
    """A definition from its stored document (a dict, or its JSON text), by its ``kind``: pydantic's
    ``ValidationError`` when it is not one."""
    if isinstance(document, str):
        return _DEFINITION.validate_json(document)
    return _DEFINITION.validate_python(dict(document))


# --- describing the outputs -----------------------------------------------------------------------------------


def _field(name: str, zh: str, en: str, zh_text: str = "", en_text: str = "") -> OutputField:
    return OutputField(name=name, label=Words(zh=zh, en=en), description=Text(zh=zh_text, en=en_text))


CREDIT_CODE_FIELD = _field(
    "credit_code",
    "统一社会信用代码",
    "Credit code",
    "请求中的统一社会信用代码，原样返回。",
    "The credit code asked about, echoed.",
)


def output_fields(definition: AnyDefinition) -> tuple[OutputField, ...]:
    """Exactly the fields a call answers with, in order."""
    if isinstance(definition, QueryTemplate):
        return definition.outputs
    if isinstance(definition, StatisticalTable):
        return definition.columns
    if isinstance(definition, (PrivateSet, LabelledLookup, JointScoring)):
        return protocol_fields(definition)
    if isinstance(definition, Verification):
        check = definition.spec
        worded = check.answers_under(definition.thresholds)
        answers = "；".join(f"{zh}" for _, zh, _ in worded)
        answers_en = "; ".join(en for _, _, en in worded)
        return (
            CREDIT_CODE_FIELD,
            _field(
                "result",
                check.label[0],
                check.label[1],
                f"{check.question[0]}（{answers}）",
                f"{check.question[1]} ({answers_en})",
            ),
        )
    bands = "；".join(f"{b.code} {b.label.zh}（≥{b.minimum}）" for b in definition.bands)
    bands_en = "; ".join(f"{b.code} {b.label.en} (≥{b.minimum})" for b in definition.bands)
    return (
        CREDIT_CODE_FIELD,
        _field(
            "score",
            "信用评分",
            "Score",
            "0–100 的整数，越高越好；无记录时为空。",
            "A whole number 0–100, higher is better; empty with no record.",
        ),
        _field("band", "信用等级", "Band", f"{bands}；N 无记录", f"{bands_en}; N no record"),
        _field(
            "reasons",
            "理由码",
            "Reason codes",
            "影响最大的不利因素在前，有利因素在后。",
            "The heaviest negative factors first, then the positive ones.",
        ),
    )


ITEM_WORDS: dict[str, tuple[str, str]] = {
    "credit_code": ("统一社会信用代码", "Credit code"),
    "resident_id": ("公民身份号码", "Resident ID"),
}


def protocol_fields(definition: PrivateSet | LabelledLookup | JointScoring) -> tuple[OutputField, ...]:
    """What the consumer's client writes for each of its items (the platform never sees these rows)."""
    if isinstance(definition, JointScoring):
        result = (
            _field(
                "score",
                "联合评分",
                "Joint score",
                "线性评分（密态计算，仅请求方可解密）。",
                "The linear score, computed encrypted; only the consumer can decrypt it.",
            )
            if definition.output == "linear"
            else _field(
                "score",
                "联合评分（概率）",
                "Joint score (probability)",
                "评分的近似逻辑函数值（0–1），仅请求方可解密。",
                "The score's approximate logistic (0–1); only the consumer can decrypt it.",
            )
        )
        return (CREDIT_CODE_FIELD, result)
    zh, en = ITEM_WORDS[definition.members.item_kind]
    item = _field("item", zh, en, "请求方自己的条目，仅在请求方本地。", "The consumer's own item, only on its machine.")
    matched = _field("matched", "是否在集合中", "In the set", "是 / 否。", "Yes or no.")
    if isinstance(definition, PrivateSet):
        return (item, matched)
    words = definition.label.words
    label = _field(
        "label",
        words.zh,
        words.en,
        "仅对集合中的条目给出；其他条目为空。",
        "Given for the items in the set only; empty for the others.",
    )
    return (item, matched, label)


@dataclass(frozen=True)
class Described:
    """What pages show of a definition's outputs: each field's words, and the code lists its values use."""

    fields: tuple[OutputField, ...]
    values: dict[str, tuple[Band, ...]]  # field → (code, zh, en) of each value it may take
    parameters: tuple[Parameter, ...] = ()  # what a caller passes (a template's; a verification's are pinned)


def describe(definition: AnyDefinition) -> Described:
    """The zh/en description of a definition's outputs, for its pages."""
    values: dict[str, tuple[Band, ...]] = {}
    if isinstance(definition, Verification):
        values["result"] = definition.spec.answers_under(definition.thresholds)
    elif isinstance(definition, CreditProfile):
        values["band"] = (*((b.code, b.label.zh, b.label.en) for b in definition.bands), ("N", "无记录", "No record"))
        values["reasons"] = tuple(
            (r.code, r.text.zh, r.text.en)
            for f in definition.factors
            for r in (f.negative, f.positive)
            if r is not None
        )
    elif isinstance(definition, (PrivateSet, LabelledLookup)):
        values["matched"] = YES_NO
    parameters = definition.parameters if isinstance(definition, QueryTemplate) else ()
    return Described(output_fields(definition), values, parameters)
