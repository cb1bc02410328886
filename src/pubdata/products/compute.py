"""What a product computes, run (产品计算): a template through the governed query path, a per-subject product
as the platform's own SQL over each subject's records, a statistical table from its released file.

- ``check_definition``: at review, a definition is planned (a template) or checked against the catalogue (a
  verification, a profile): a definition that cannot run is never signed off.
- ``bind``: a template's plan with every parameter replaced by the caller's checked, typed value — the
  template's text never runs, the plan is generated as always, and the engine never sees a parameter.
- ``run_template``: one call of a template under a contract, exactly as ``queries.service.run_query`` runs a
  query (the read step, the k or DP output rule, the charge in the ledger), its ledger entry carrying the
  definition's digest and the digest of the values, never the values themselves.
- ``answer_subjects``: a verification or credit profile for a batch of credit codes, one platform query per
  batch, each subject answered separately with exactly the declared fields.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from pubdata.catalog import service as catalog
from pubdata.common import canonical, clock
from pubdata.common.errors import Refused
from pubdata.common.ids import is_credit_code
from pubdata.common.messages import Phrase
from pubdata.contracts.schemas import Terms
from pubdata.db import UnitOfWork
from pubdata.engines import plan as p
from pubdata.engines.base import Engine, Limits, Result, TableRef
from pubdata.identity.access import Principal
from pubdata.jobs import service as jobs
from pubdata.privacy import dp
from pubdata.products import definitions as d
from pubdata.queries import planner
from pubdata.queries import service as queries

SUBJECT_TIMEOUT_SECONDS = 30.0


class TemplateRefused(planner.QueryRefused):
    """A template call refused before the data (its parameters, its definition): free and recorded, as a
    refused query is."""


# --- query templates -----------------------------------------------------------------------------------------


def declared_types(definition: d.QueryTemplate) -> dict[str, str]:
    return {parameter.name: parameter.type for parameter in definition.parameters}


def plan_template(policy: planner.Policy, definition: d.QueryTemplate) -> p.Plan:
    """The template planned under ``policy`` with its declared parameters, every one used, its outputs the
    declared ones in order; its parameters still ``Param``s (``bind`` gives them values)."""
    plan = planner.plan(definition.sql, policy, parameters=declared_types(definition))
    used = p.parameters_of(plan)
    for parameter in definition.parameters:
        if parameter.name not in used:
            raise TemplateRefused("product.parameter-unused", parameter=parameter.name)
    declared = tuple(output.name for output in definition.outputs)
    if tuple(plan.columns) != declared:
        raise TemplateRefused("product.outputs", outputs="、".join(plan.columns), declared="、".join(declared))
    return plan


def checked(parameters: Sequence[d.Parameter], values: Mapping[str, object]) -> dict[str, d.Value]:
    """The caller's values checked against the template's declarations (type, range, choices, length; an
    unknown or missing one): ``product.parameter`` naming the parameter and the rule, recorded like a query's."""
    try:
        return d.checked_values(tuple(parameters), values)
    except Refused as refused:
        raise TemplateRefused(refused.rule, **refused.params) from None


def bind(plan: p.Plan, values: Mapping[str, object], *, parameters: Sequence[d.Parameter]) -> p.Plan:
    """The plan with each parameter replaced by its value, checked first against its declaration (type, range,
    choices, length; an unknown or missing one): ``product.parameter`` naming the parameter and the rule. A
    value is only ever a typed literal of the plan, whatever text it holds."""
    return p.substitute(plan, checked(parameters, values))


def values_digest(values: Mapping[str, d.Value]) -> str:
    """What a call's ledger entry keeps of its values: the digest of the checked, typed values (a value may be
    personal, so never the values themselves)."""
    return hashlib.sha256(canonical.dumps(dict(values))).hexdigest()


def subjects_digest(credit_codes: Sequence[str]) -> str:
    """What a per-subject call's ledger entry may keep of its batch: the digest of its codes, in order."""
    return hashlib.sha256(canonical.dumps(list(credit_codes))).hexdigest()


def review_terms(definition: d.QueryTemplate) -> Terms:
    """Terms standing for any contract a template may be called under: its resources, the catalogue's default
    roles, its output rule and group size."""
    today = clock.today()
    dp_rule = definition.output_rule == "dp"
    return Terms(
        resources=definition.resources,
        purpose="public_governance",
        valid_from=today,
        valid_until=today,
        max_calls=1,
        max_rows=1,
        output_rule=definition.output_rule,
        min_group_size=definition.min_group_size,
        epsilon=1.0 if dp_rule else None,
        epsilon_per_query=1.0 if dp_rule else None,
        delta=1e-6 if dp_rule else None,
        bounds=definition.bounds,
    )


def _kind_of(definition: object, expected: type) -> None:
    if not isinstance(definition, expected):
        kind = getattr(definition, "kind", "query_template")
        raise Refused("product.wrong-kind", kind=Phrase(f"product.kind.{kind}"))


def check_definition(session: Session, definition: d.AnyDefinition, *, domain_dir: Path | None = None) -> None:
    """Refuse a definition that could not run as reviewed: a template that does not plan under the catalogue's
    policy of its resources (default roles), whose parameters are undeclared, unused or of another type than
    what they are compared with, whose output descriptions are not its outputs, or that the DP mechanism cannot
    answer; a per-subject product whose resources lack a field it reads; a table whose output is not released
    (checked when ``domain_dir`` is given: the file is read)."""
    if isinstance(definition, d.QueryTemplate):
        terms = review_terms(definition)
        policy, _ = queries.policy_for(session, terms)
        plan = plan_template(policy, definition)
        if terms.is_dp:
            dp.plan(
                plan,
                bounds=dict(terms.bounds),
                cap=terms.max_contributions,
                keyed=frozenset(range(1, len(plan.joins) + 1)),  # whether a join is keyed is the data's: at call
                public_values=policy.public_values,
                delta=terms.delta,
            )
        return
    if isinstance(definition, (d.Verification, d.CreditProfile)):
        subject_tables(session, definition)
        return
    if isinstance(definition, (d.PrivateSet, d.LabelledLookup, d.JointScoring)):
        check_protocol(session, definition)
        return
    if domain_dir is not None:
        check_table(session, definition, domain_dir=domain_dir)


def run_template(
    units: UnitOfWork,
    *,
    principal: Principal,
    contract_id: int,
    definition: d.QueryTemplate,
    values: Mapping[str, object],
    engine: Engine,
) -> Result:
    """One call of a template under a contract: planned under the contract's policy like a query, bound, run
    under its output rule (k or DP), charged; refusals recorded under the contract like a query's."""
    _kind_of(definition, d.QueryTemplate)
    ledger: dict[str, Any] = {"definition": definition.digest}

    def expected_rule(terms: Terms) -> None:
        if terms.output_rule != definition.output_rule:
            raise TemplateRefused(
                "product.output-rule",
                expected=Phrase(f"product.output-rule.{definition.output_rule}"),
                found=Phrase(f"product.output-rule.{terms.output_rule}"),
            )
        if not terms.is_dp and terms.min_group_size < definition.min_group_size:
            raise TemplateRefused("product.group-size", expected=definition.min_group_size, found=terms.min_group_size)

    def plan_of(policy: planner.Policy) -> p.Plan:
        plan = plan_template(policy, definition)
        typed = checked(definition.parameters, values)
        ledger["values_sha256"] = values_digest(typed)  # read by the charge, which comes after planning
        return p.substitute(plan, typed)

    return queries.run_planned(
        units,
        principal=principal,
        contract_id=contract_id,
        plan_of=plan_of,
        payload=ledger,
        dp_payload=ledger,
        engine=engine,
        check_terms=expected_rule,
    )


# --- per-subject products ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectAnswer:
    """One subject's answer: its position in the request (1-based) and exactly the declared fields."""

    position: int
    credit_code: str
    fields: dict[str, Any]


def checked_codes(credit_codes: Sequence[object]) -> list[str]:
    """The batch's credit codes, each checked (GB 32100 checksum) and refused by its position; 1–1000 of them."""
    if not 1 <= len(credit_codes) <= d.BATCH_LIMIT:
        raise Refused("product.batch-size", limit=d.BATCH_LIMIT, count=len(credit_codes))
    codes = []
    for position, code in enumerate(credit_codes, start=1):
        text = code.strip().upper() if isinstance(code, str) else ""
        if not is_credit_code(text):
            raise Refused("product.credit-code", position=position)
        codes.append(text)
    return codes


def _needed_fields(definition: d.Verification | d.CreditProfile) -> list[tuple[str, str, str]]:
    if isinstance(definition, d.Verification):
        return list(definition.spec.fields)
    needed = [(d.LEGAL_ENTITIES, "credit_code", "string"), (d.LEGAL_ENTITIES, "status", "string")]
    for factor in definition.factors:
        feature = d.FEATURES[factor.feature]
        needed += [(feature.resource, name, type_) for name, type_ in feature.fields]
    return needed


def subject_tables(session: Session, definition: d.Verification | d.CreditProfile) -> dict[str, TableRef]:
    """The read step of a per-subject product: each resource's current data version, and every field the
    computation reads present with its type (else ``product.definition-field``)."""
    tables: dict[str, TableRef] = {}
    published: dict[str, dict[str, str]] = {}
    for code in definition.resources:
        fields, recorded = catalog.data_of(session, code=code)
        published[code] = {spec.name: spec.type for spec in fields}
        tables[code] = TableRef(queries.table_name(code), recorded.file, recorded)
    what = (
        Phrase(f"product.kind.{definition.kind}")
        if isinstance(definition, d.CreditProfile)
        else definition.spec.label[0]
    )
    for code, name, type_ in _needed_fields(definition):
        if published.get(code, {}).get(name) != type_:
            raise Refused("product.definition-field", code=code, field=name, type=type_, what=what)
    return tables


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def profile_query(definition: d.CreditProfile, today: date) -> d.SubjectQuery:
    """One query over the batch: each enterprise's features, from the resources its factors read."""
    t = queries.table_name
    features = {factor.feature for factor in definition.factors}
    # Only the fields the definition declares are read (``_needed_fields``, checked at review and at each call).
    established = "registration_years" in features
    parts = [
        f"""fr AS (SELECT credit_code, MAX(CASE WHEN status = $active THEN 1 ELSE 0 END) AS active
  {", MIN(established_date) AS established" if established else ""}
  FROM {t(d.LEGAL_ENTITIES)} WHERE credit_code IN (SELECT code FROM c) GROUP BY credit_code)"""
    ]
    columns = ["fr.credit_code IS NOT NULL AS found", "fr.active AS registration_active"]
    if established:
        columns.append("date_diff('day', fr.established, $today) / 365.25 AS registration_years")
    joins = ["LEFT JOIN fr ON fr.credit_code = c.code"]
    if "tax_credit_level" in features:
        parts.append(
            f"""rating AS (SELECT credit_code, ARG_MAX(rating, rating_year) AS rating
  FROM {t(d.TAX_CREDIT_RATINGS)} WHERE credit_code IN (SELECT code FROM c) GROUP BY credit_code)"""
        )
        levels = " ".join(f"WHEN '{code}' THEN {level}" for code, level in d.TAX_CREDIT_LEVELS.items())
        columns.append(f"CASE rating.rating {levels} ELSE NULL END AS tax_credit_level")
        joins.append("LEFT JOIN rating ON rating.credit_code = c.code")
    if "social_insurance_arrears_months" in features:
        parts.append(
            f"""si AS (SELECT credit_code, COUNT(DISTINCT insured_month) FILTER (WHERE in_arrears) AS arrears
  FROM {t(d.SOCIAL_INSURANCE)} WHERE credit_code IN (SELECT code FROM c)
  AND insured_month >= $since12 AND insured_month <= $month GROUP BY credit_code)"""
        )
        columns.append(
            "CASE WHEN si.credit_code IS NULL THEN NULL ELSE si.arrears END AS social_insurance_arrears_months"
        )
        joins.append("LEFT JOIN si ON si.credit_code = c.code")
    if features & {"utility_on_time_ratio", "utility_overdue_days"}:
        parts.append(
            f"""ut AS (SELECT credit_code, AVG(CASE WHEN paid_on_time THEN 1.0 ELSE 0.0 END) AS on_time,
  MAX(overdue_days) AS overdue
  FROM {t(d.UTILITY_PAYMENTS)} WHERE credit_code IN (SELECT code FROM c)
  AND billing_month >= $since12 AND billing_month <= $month GROUP BY credit_code)"""
        )
        columns += ["ut.on_time AS utility_on_time_ratio", "ut.overdue AS utility_overdue_days"]
        joins.append("LEFT JOIN ut ON ut.credit_code = c.code")
    if features & {"penalties_count", "penalties_amount"}:
        parts.append(
            f"""pen AS (SELECT credit_code, COUNT(*) AS n, SUM(fine_amount) AS amount
  FROM {t(d.PENALTIES)} WHERE credit_code IN (SELECT code FROM c)
  AND decision_date >= $since3y AND decision_date <= $today GROUP BY credit_code)"""
        )
        columns += ["COALESCE(pen.n, 0) AS penalties_count", "COALESCE(pen.amount, 0) AS penalties_amount"]
        joins.append("LEFT JOIN pen ON pen.credit_code = c.code")
    if "licences_valid" in features:
        parts.append(
            f"""lic AS (SELECT holder_credit_code AS credit_code,
  COUNT(*) FILTER (WHERE status = $valid AND (expiry_date IS NULL OR expiry_date >= $today)) AS valid
  FROM {t(d.E_LICENCES)} WHERE holder_credit_code IN (SELECT code FROM c) GROUP BY holder_credit_code)"""
        )
        columns.append("COALESCE(lic.valid, 0) AS licences_valid")
        joins.append("LEFT JOIN lic ON lic.credit_code = c.code")
    if "tax_paid_trend" in features:
        parts.append(
            f"""tax AS (SELECT credit_code,
  SUM(total_tax_paid) FILTER (WHERE tax_month >= $since12 AND tax_month <= $month) AS recent,
  SUM(total_tax_paid) FILTER (WHERE tax_month >= $since24 AND tax_month < $since12) AS earlier
  FROM {t(d.TAX_PAYMENTS)} WHERE credit_code IN (SELECT code FROM c) GROUP BY credit_code)"""
        )
        columns.append("CASE WHEN tax.earlier > 0 THEN COALESCE(tax.recent, 0) / tax.earlier END AS tax_paid_trend")
        joins.append("LEFT JOIN tax ON tax.credit_code = c.code")
    sql = (
        f"WITH c AS {d.CODES},\n"
        + ",\n".join(parts)
        + f"\nSELECT c.code AS credit_code, {', '.join(columns)}\nFROM c\n"
        + "\n".join(joins)
    )
    parameters: dict[str, d.Value] = {
        "active": "存续",
        "valid": "有效",
        "today": today,
        "month": d.month_of(today),
        "since12": d.month_of(today, 11),
        "since24": d.month_of(today, 23),
        "since3y": _add_years(today, -3) + timedelta(days=1),
    }
    used = {name for name in parameters if f"${name}" in sql}
    return d.SubjectQuery(sql, {name: value for name, value in parameters.items() if name in used})


def _number(value: object) -> float | None:
    if value is None:
        return None
    return float(value)  # type: ignore[arg-type]


def _read(source: UnitOfWork | Session, definition: d.Verification | d.CreditProfile) -> dict[str, TableRef]:
    if isinstance(source, Session):
        return subject_tables(source, definition)
    with source.read() as session:
        return subject_tables(session, definition)


def answer_subjects(
    source: UnitOfWork | Session,
    *,
    definition: d.Verification | d.CreditProfile,
    credit_codes: Sequence[object],
    engine: Engine,
    today: date | None = None,
) -> list[SubjectAnswer]:
    """Each subject's answer, in the order asked, with exactly the product's declared fields (a subject with no
    record gets the declared no-record answer). One platform query per batch over the current data versions;
    the engine runs holding no transaction when given a unit of work. Checking consent and charging the call
    are the caller's (``products.calls``)."""
    if not isinstance(definition, (d.Verification, d.CreditProfile)):
        _kind_of(definition, d.Verification)
    codes = checked_codes(credit_codes)
    day = today or clock.today()
    tables = _read(source, definition)
    if isinstance(definition, d.Verification):
        query = definition.spec.query(definition.values(day), day)
    else:
        query = profile_query(definition, day)
    unique = sorted(set(codes))
    result = engine.run_platform(
        query.sql,
        query.parameters | {"codes": unique},
        tables=list(tables.values()),
        limits=Limits(SUBJECT_TIMEOUT_SECONDS, len(unique)),
    )
    rows = {row[0]: dict(zip(result.columns, row, strict=True)) for row in result.rows}
    answers = []
    for position, code in enumerate(codes, start=1):
        row = rows.get(code) or {"found": False}
        answers.append(SubjectAnswer(position, code, _fields(definition, code, row)))
    return answers


def _fields(definition: d.Verification | d.CreditProfile, code: str, row: Mapping[str, Any]) -> dict[str, Any]:
    found = bool(row.get("found"))
    if isinstance(definition, d.Verification):
        answers = {answer for answer, _, _ in definition.spec.answers}
        result = str(row.get("result")) if found else definition.spec.no_record
        if result not in answers:  # the platform's own SQL answered outside its declaration: never shown
            raise p.PlanInconsistent(f"check {definition.check} answered outside its declared values")
        return {"credit_code": code, "result": result}
    if not found:
        return {"credit_code": code, "score": None, "band": d.NO_RECORD_BAND.code, "reasons": []}
    scored = d.score(definition, {name: _number(row.get(name)) for name in d.FEATURES})
    return {"credit_code": code, "score": scored.score, "band": scored.band, "reasons": list(scored.reasons)}


# --- statistical tables --------------------------------------------------------------------------------------

TABLE_ROWS = 10_000


def _table_file(session: Session, definition: d.StatisticalTable, domain_dir: Path) -> bytes:
    found = jobs.released_file(session, job_id=definition.job_id, name=definition.output, domain_dir=domain_dir)
    if found is None or found[1] != definition.output_digest:
        raise Refused("product.table-output", job=definition.job_id, output=definition.output)
    return found[0]


def check_table(session: Session, definition: d.StatisticalTable, *, domain_dir: Path) -> None:
    """The table's job is released and its output is still the file whose digest the definition pins."""
    _table_file(session, definition, domain_dir)


def table_rows(
    session: Session, *, definition: d.StatisticalTable, domain_dir: Path
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The released table's columns and rows (CSV or Parquet, at most ``TABLE_ROWS``): it was checked and
    released twice as a job's output, so it is shown as it is."""
    content = _table_file(session, definition, domain_dir)
    if definition.output.lower().endswith(".parquet"):
        table = pq.read_table(io.BytesIO(content))
        return list(table.column_names), [tuple(row.values()) for row in table.slice(0, TABLE_ROWS).to_pylist()]
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    header = next(reader, [])
    return header, [tuple(row) for _, row in zip(range(TABLE_ROWS), reader, strict=False)]


# --- privacy-computing sets (隐私计算集合) ----------------------------------------------------------------------

SET_TIMEOUT_SECONDS = 600.0
MAX_SET_ITEMS = 5_000_000  # the items one set version may hold (a PSI setup of 5M items is about 30 MB)
SQL_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "decimal": "DOUBLE", "date": "DATE", "boolean": "BOOLEAN"}
SQL_OPS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _field_of(
    published: Mapping[str, Mapping[str, Any]], code: str, name: str, types: tuple[str, ...], what: object
) -> Any:
    spec = published.get(code, {}).get(name)
    if spec is None or spec.type not in types:
        raise Refused("product.definition-field", code=code, field=name, type="/".join(types), what=what)
    return spec


def condition_value(condition: d.Condition, field_type: str) -> d.Value | list[d.Value]:
    """A condition's value typed as its field (``product.set-condition`` naming the field otherwise): bound by
    the engine as a value of that type, never formatted into the SQL."""
    checker = d.Parameter(name=condition.field, label=d.Words(zh=condition.field, en=condition.field), type=field_type)  # type: ignore[arg-type]
    try:
        if isinstance(condition.value, tuple):
            return [checker.value_of(value) for value in condition.value]
        return checker.value_of(condition.value)
    except Refused:
        raise Refused(
            "product.set-condition", field=condition.field, type=Phrase(f"product.type.{field_type}")
        ) from None


@dataclass(frozen=True)
class SetTables:
    """What a set's build reads: each resource's current version and the published type of each field used."""

    tables: dict[str, TableRef]
    types: dict[tuple[str, str], str]  # (resource, field) → type


def set_tables(session: Session, definition: d.PrivateSet | d.LabelledLookup) -> SetTables:
    """The read step of a set's build, and its review-time check: every field it reads published with a type it
    can use — the key a string of the item's kind (when the catalogue declares a format), ``latest_by`` ordered,
    each condition's value of its field's type, a count label's date a date."""
    published: dict[str, dict[str, Any]] = {}
    tables: dict[str, TableRef] = {}
    for code in definition.resources:
        fields, recorded = catalog.data_of(session, code=code)
        published[code] = {spec.name: spec for spec in fields}
        tables[code] = TableRef(queries.table_name(code), recorded.file, recorded)
    what = Phrase(f"product.kind.{definition.kind}")
    members = definition.members
    types: dict[tuple[str, str], str] = {}
    key = _field_of(published, members.resource, members.key_field, ("string",), what)
    if key.format is not None and key.format != d.ITEM_FORMATS[members.item_kind]:
        raise Refused("product.set-key", field=members.key_field, kind=Phrase(f"product.item.{members.item_kind}"))
    ordered = ("integer", "decimal", "date", "timestamp", "string")
    if members.latest_by is not None:
        _field_of(published, members.resource, members.latest_by, ordered, what)
    for condition in members.conditions:
        spec = _field_of(published, members.resource, condition.field, tuple(SQL_TYPES), what)
        if condition.op not in ("=", "!=", "in") and spec.type == "boolean":
            raise Refused("product.set-condition", field=condition.field, type=Phrase("product.type.boolean"))
        condition_value(condition, spec.type)
        types[(members.resource, condition.field)] = spec.type
    if isinstance(definition, d.LabelledLookup):
        label = definition.label
        if isinstance(label, d.FieldLabel):
            _field_of(published, members.resource, label.field, tuple(SQL_TYPES), what)
        else:
            _field_of(published, label.resource, label.key_field, ("string",), what)
            if label.date_field is not None:
                _field_of(published, label.resource, label.date_field, ("date",), what)
    return SetTables(tables, types)


def _q(name: str) -> str:
    return '"' + name + '"'  # an identifier of the definition (``IDENTIFIER``), checked against the catalogue


def members_query(
    definition: d.PrivateSet | d.LabelledLookup, tables: SetTables, today: date, *, consented: bool
) -> d.SubjectQuery:
    """One platform query for a set version's items (``item``), and for a lookup their labels (``label``, text):
    the members' rows (each key's latest when ``latest_by``) meeting every condition, each item once. With
    ``consented``, ``$consented`` is the list of credit codes the set is restricted to."""
    members = definition.members
    source = queries.table_name(members.resource)
    key = f"UPPER(TRIM(CAST({_q(members.key_field)} AS VARCHAR)))"
    ranked = ""
    if members.latest_by is not None:
        ranked = f", ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY {_q(members.latest_by)} DESC NULLS LAST) AS rk"
    where = [f"{_q(members.key_field)} IS NOT NULL"]
    parameters: dict[str, Any] = {}
    outer = ["rk = 1"] if members.latest_by is not None else []
    for index, condition in enumerate(members.conditions):
        field_type = tables.types[(members.resource, condition.field)]
        name = f"v{index}"
        parameters[name] = condition_value(condition, field_type)
        if condition.op == "in":
            outer.append(f"{_q(condition.field)} IN (SELECT UNNEST(${name}::{SQL_TYPES[field_type]}[]))")
        else:
            outer.append(f"{_q(condition.field)} {SQL_OPS[condition.op]} ${name}::{SQL_TYPES[field_type]}")
    if consented:
        outer.append("item IN (SELECT UNNEST($consented::VARCHAR[]))")
    label_column = ""
    joins = ""
    if isinstance(definition, d.LabelledLookup):
        label = definition.label
        if isinstance(label, d.FieldLabel):
            label_column = f", MAX(CAST({_q(label.field)} AS VARCHAR)) AS label"
        else:
            dated = ""
            if label.date_field is not None and label.years is not None:
                dated = f" WHERE {_q(label.date_field)} >= $since AND {_q(label.date_field)} <= $today"
                parameters["since"] = _add_years(today, -label.years) + timedelta(days=1)
                parameters["today"] = today
            joins = (
                f" LEFT JOIN (SELECT UPPER(TRIM(CAST({_q(label.key_field)} AS VARCHAR))) AS k, COUNT(*) AS n"
                f" FROM {queries.table_name(label.resource)}{dated} GROUP BY k) counted ON counted.k = m.item"
            )
            label_column = ", CAST(COALESCE(MAX(counted.n), 0) AS VARCHAR) AS label"
    sql = (
        f"WITH r AS (SELECT *, {key} AS item{ranked} FROM {source} WHERE {' AND '.join(where)}),\n"
        f"m AS (SELECT * FROM r{' WHERE ' + ' AND '.join(outer) if outer else ''})\n"
        f"SELECT m.item{label_column} FROM m{joins} GROUP BY m.item ORDER BY m.item"
    )
    return d.SubjectQuery(sql, parameters)


def set_rows(
    engine: Engine, definition: d.PrivateSet | d.LabelledLookup, tables: SetTables, *, consented: list[str] | None
) -> list[tuple[Any, ...]]:
    """A set version's items (and labels), over the current data versions, the engine holding no transaction.
    More than ``MAX_SET_ITEMS`` is refused (the build would not fit what a setup holds)."""
    query = members_query(definition, tables, clock.today(), consented=consented is not None)
    parameters: dict[str, Any] = dict(query.parameters)
    if consented is not None:
        parameters["consented"] = sorted(consented)
    result = engine.run_platform(
        query.sql,
        parameters,
        tables=list(tables.tables.values()),
        limits=Limits(SET_TIMEOUT_SECONDS, MAX_SET_ITEMS),
    )
    if result.truncated:
        raise Refused("product.set-too-large", most=MAX_SET_ITEMS)
    return list(result.rows)


def public_features(
    source: UnitOfWork | Session, *, definition: d.JointScoring, credit_codes: Sequence[str], engine: Engine
) -> list[dict[str, float | None]]:
    """The joint score's public features for a batch, in order: the credit profile's ``FEATURES``, by the same
    query (``profile_query``) over the current data versions."""
    profile = definition.profile()
    tables = _read(source, profile)
    day = clock.today()
    query = profile_query(profile, day)
    unique = sorted(set(credit_codes))
    result = engine.run_platform(
        query.sql,
        query.parameters | {"codes": unique},
        tables=list(tables.values()),
        limits=Limits(SUBJECT_TIMEOUT_SECONDS, len(unique)),
    )
    rows = {row[0]: dict(zip(result.columns, row, strict=True)) for row in result.rows}
    return [{name: _number((rows.get(code) or {}).get(name)) for name in d.FEATURES} for code in credit_codes]


def check_protocol(session: Session, definition: d.ProtocolDefinition) -> None:
    """A protocol product's definition can run as reviewed: its fields published with usable types."""
    if isinstance(definition, d.JointScoring):
        subject_tables(session, definition.profile())
        return
    set_tables(session, definition)
