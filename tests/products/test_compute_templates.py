"""A query template called under a contract: planned under the contract's policy like any query, its values
bound as typed literals, the output rule (k or DP) applied as always, charged with the definition's digest and
the values' digest in the ledger, never the values; and its review refusing what could not run as reviewed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from pubdata.common.errors import Refused
from pubdata.contracts import service as contracts
from pubdata.engines.duckdb import DuckDBEngine
from pubdata.ledger.models import LedgerEntry
from pubdata.platform import Platform
from pubdata.products import compute
from pubdata.products import definitions as d
from pubdata.queries import service as queries
from tests.queries.test_console_http import bank_city
from tests.scenarios import principal

DISTRICT = d.Parameter(name="district", label=d.Words(zh="区县", en="District"), type="string", max_length=20)
COUNT = d.OutputField(name="n", label=d.Words(zh="人数", en="People"))
BY_DISTRICT = d.OutputField(name="district", label=d.Words(zh="区县", en="District"))
TEMPLATE = d.QueryTemplate(
    resources=("CZ-RK-0001",),
    sql="SELECT district, COUNT(*) AS n FROM cz_rk_0001 WHERE district = :district GROUP BY district",
    parameters=(DISTRICT,),
    outputs=(BY_DISTRICT, COUNT),
)
PAIR = tuple(
    d.Parameter(name=name, label=d.Words(zh=name, en=name), type="string", max_length=20) for name in ("a", "b")
)
DP_TEMPLATE = d.QueryTemplate(
    resources=("CZ-RK-0001",),
    sql="SELECT district, COUNT(*) AS n FROM cz_rk_0001 WHERE district IN (:a, :b) GROUP BY district",
    parameters=PAIR,
    outputs=(BY_DISTRICT, COUNT),
    output_rule="dp",
)


@pytest.fixture
def bank(platform: Platform) -> dict[str, Any]:
    return bank_city(platform)


def call(platform: Platform, bank: dict, definition: d.QueryTemplate, values: dict, *, contract: str = "aggregate"):
    return compute.run_template(
        platform,
        principal=principal(platform, "bank.admin"),
        contract_id=bank[contract],
        definition=definition,
        values=values,
        engine=DuckDBEngine(store=platform.settings.domain_dir),
    )


def last_entry(platform: Platform) -> LedgerEntry:
    with platform.read() as session:
        return session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(1)).one()


def calls_used(platform: Platform, contract_id: int) -> int:
    with platform.read() as session:
        return contracts.get(session, principal=principal(platform, "bank.admin"), contract_id=contract_id).calls_used


def test_a_template_answers_as_the_same_query_and_its_ledger_entry_keeps_digests_only(platform, bank):
    answered = call(platform, bank, TEMPLATE, {"district": "贵池区"})
    entry = last_entry(platform)
    query = queries.run_query(
        platform,
        principal=principal(platform, "bank.admin"),
        contract_id=bank["aggregate"],
        sql="SELECT district, COUNT(*) AS n FROM cz_rk_0001 WHERE district = '贵池区' GROUP BY district",
        engine=DuckDBEngine(store=platform.settings.domain_dir),
    )
    assert answered.rows == query.rows and answered.rows and answered.rows[0][0] == "贵池区"
    assert answered.rows[0][1] >= 10
    assert entry.action == "contract.call"
    payload = json.loads(entry.payload)
    assert payload["definition"] == TEMPLATE.digest
    assert payload["values_sha256"] == compute.values_digest({"district": "贵池区"})
    assert "贵池区" not in entry.payload
    assert calls_used(platform, bank["aggregate"]) == 2


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"district": 5}, "product.parameter.type"),
        ({}, "product.parameter.required"),
        ({"district": "贵池区", "other": "x"}, "product.parameter.unknown"),
        ({"district": "贵" * 21}, "product.parameter.length"),
        ({"district": float("nan")}, "product.parameter.type"),
    ],
)
def test_a_bad_value_is_refused_by_its_parameter_free_and_recorded(platform, bank, values, problem):
    with pytest.raises(Refused) as refused:
        call(platform, bank, TEMPLATE, values)
    assert refused.value.rule == "product.parameter" and refused.value.params["problem"].key == problem
    assert calls_used(platform, bank["aggregate"]) == 0
    entry = last_entry(platform)
    assert entry.action == "sandbox.query-refused" and json.loads(entry.payload)["rule"] == "product.parameter"


def test_an_injection_attempt_is_a_value_that_matches_nothing(platform, bank):
    answered = call(platform, bank, TEMPLATE, {"district": "x' OR 1=1 --"})
    assert answered.rows == []
    assert calls_used(platform, bank["aggregate"]) == 1


def test_a_template_on_a_dp_contract_is_answered_with_noise_and_its_epsilon(platform, bank):
    answered = call(platform, bank, DP_TEMPLATE, {"a": "贵池区", "b": "东至县"}, contract="dp")
    assert answered.privacy is not None and answered.privacy["epsilon"] > 0
    # DP releases every published district as a group (which groups exist never depends on the data); those
    # the values leave out are noise around zero.
    assert {row[0] for row in answered.rows} == {"贵池区", "东至县", "石台县", "青阳县"}
    with platform.read() as session:
        charged = session.scalars(
            select(LedgerEntry).where(LedgerEntry.action == "contract.call").order_by(LedgerEntry.seq.desc()).limit(1)
        ).one()
    assert json.loads(charged.payload)["definition"] == DP_TEMPLATE.digest
    # The same values again are the same question: its released answer, free (re-asking never averages noise away).
    with platform.read() as session:
        spent = contracts.get(session, principal=principal(platform, "bank.admin"), contract_id=bank["dp"])
        spent_before = spent.epsilon_spent_micro
    again = call(platform, bank, DP_TEMPLATE, {"b": "东至县", "a": "贵池区"}, contract="dp")
    assert again.rows == answered.rows and last_entry(platform).action == "sandbox.dp-repeat"
    other = call(platform, bank, DP_TEMPLATE, {"a": "贵池区", "b": "青阳县"}, contract="dp")
    assert other.privacy is not None
    with platform.read() as session:
        spent = contracts.get(session, principal=principal(platform, "bank.admin"), contract_id=bank["dp"])
        assert spent.epsilon_spent_micro == 2 * spent_before  # the repeat spent nothing, the new values ε once


def test_a_template_expecting_another_output_rule_than_the_contract_is_refused(platform, bank):
    with pytest.raises(Refused) as refused:
        call(platform, bank, TEMPLATE, {"district": "贵池区"}, contract="dp")
    assert refused.value.rule == "product.output-rule"
    assert calls_used(platform, bank["dp"]) == 0


def test_a_contract_looser_than_the_reviewed_group_size_is_refused(platform, bank):
    stricter = TEMPLATE.model_copy(update={"min_group_size": 20})
    with pytest.raises(Refused) as refused:
        call(platform, bank, stricter, {"district": "贵池区"})
    assert refused.value.rule == "product.group-size" and refused.value.params == {"expected": 20, "found": 10}
    assert calls_used(platform, bank["aggregate"]) == 0


def template(sql: str, parameters=(DISTRICT,), outputs=(BY_DISTRICT, COUNT), **extra) -> d.QueryTemplate:
    return d.QueryTemplate(resources=("CZ-RK-0001",), sql=sql, parameters=parameters, outputs=outputs, **extra)


GROUPED = "SELECT district, COUNT(*) AS n FROM cz_rk_0001 WHERE {where} GROUP BY district"


@pytest.mark.parametrize(
    ("definition", "rule"),
    [
        (template(GROUPED.format(where="district = '贵池区'")), "product.parameter-unused"),
        (template(GROUPED.format(where="district = :other")), "sql.parameter-undeclared"),
        (
            template(
                GROUPED.format(where="household_size > :district"),
                parameters=(d.Parameter(name="district", label=DISTRICT.label, type="integer"),),
            ),
            "sql.not-a-dimension",
        ),
        (
            template(
                GROUPED.format(where="district = :district"),
                parameters=(d.Parameter(name="district", label=DISTRICT.label, type="integer"),),
            ),
            "sql.parameter-type",
        ),
        (template(GROUPED.format(where="district = :district"), outputs=(COUNT, BY_DISTRICT)), "product.outputs"),
        (template(GROUPED.format(where="district = :district"), outputs=(BY_DISTRICT,)), "product.outputs"),
        (template(GROUPED.format(where="id_number = :district")), "sql.sensitive-column"),
        (
            template(
                "SELECT id_number, COUNT(*) AS n FROM cz_rk_0001 WHERE district = :district GROUP BY id_number",
                outputs=(d.OutputField(name="id_number", label=DISTRICT.label), COUNT),
            ),
            "sql.sensitive-column",
        ),
    ],
)
def test_review_refuses_a_template_that_could_not_run_as_reviewed(platform, bank, definition, rule):
    with platform.read() as session, pytest.raises(Refused) as refused:
        compute.check_definition(session, definition)
    assert refused.value.rule == rule


def test_review_accepts_the_k_and_the_dp_templates(platform, bank):
    with platform.read() as session:
        compute.check_definition(session, TEMPLATE)
        compute.check_definition(session, DP_TEMPLATE)
