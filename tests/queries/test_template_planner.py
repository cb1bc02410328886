"""A query template's parameters in the governed plan: declared, typed placeholders stand where a filter's
literal may stand and nowhere else; binding makes them typed literals of the plan, so no value is ever SQL."""

from __future__ import annotations

from datetime import date

import pytest

from pubdata.common.errors import Refused
from pubdata.engines import plan as p
from pubdata.engines.duckdb import sql_of
from pubdata.products import compute
from pubdata.products import definitions as d
from pubdata.queries import planner
from tests.queries import corpus

POLICY = corpus.POLICY
TYPES = {"district": "string", "since": "date", "size": "integer", "pattern": "string", "flag": "boolean"}


def planned(sql: str, parameters: dict[str, str] | None = None) -> p.Plan:
    return planner.build(sql, POLICY, parameters=TYPES if parameters is None else parameters)


def refusal(sql: str, parameters: dict[str, str] | None = None) -> Refused:
    with pytest.raises(Refused) as refused:
        planned(sql, parameters)
    return refused.value


def parameter(name: str, type_: str, **extra) -> d.Parameter:
    return d.Parameter(name=name, label=d.Words(zh=name, en=name), type=type_, **extra)


# --- where a parameter may stand ------------------------------------------------------------------------------


def test_a_declared_parameter_in_a_comparison_becomes_a_param_of_the_plan():
    plan = planned("SELECT township, COUNT(*) AS n FROM people WHERE district = :district GROUP BY township")
    assert plan.where == p.Compare(p.Col(0, "district", "string"), "=", (p.Param("district", "string"),))
    assert p.parameters_of(plan) == {"district": "string"}


@pytest.mark.parametrize(
    ("where", "used"),
    [
        ("district IN (:district, '东至县')", {"district": "string"}),
        ("registered BETWEEN :since AND DATE '2024-01-01'", {"since": "date"}),
        (":since <= registered", {"since": "date"}),
        ("township LIKE :pattern", {"pattern": "string"}),
        ("NOT (district = :district) AND YEAR(registered) > :size", {"district": "string", "size": "integer"}),
    ],
)
def test_parameters_stand_in_comparisons_in_lists_and_between(where, used):
    plan = planned(f"SELECT district, COUNT(*) AS n FROM people WHERE {where} GROUP BY district")
    assert p.parameters_of(plan) == used


def test_an_undeclared_parameter_is_refused_by_its_name():
    found = refusal("SELECT COUNT(*) AS n FROM people WHERE district = :other")
    assert found.rule == "sql.parameter-undeclared" and found.params["parameter"] == "other"


def test_a_free_query_has_no_parameters_at_all():
    with pytest.raises(Refused) as refused:
        planner.build("SELECT COUNT(*) AS n FROM people WHERE district = :district", POLICY)
    assert refused.value.rule == "sql.construct"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT COUNT(*) AS n FROM people WHERE district = :size",  # an integer compared with text
        "SELECT COUNT(*) AS n FROM people WHERE registered > :district",  # text compared with a date
        "SELECT COUNT(*) AS n FROM people WHERE household_size > :size",  # a measure is no dimension
    ],
)
def test_a_parameter_of_another_type_than_its_column_is_refused(sql):
    found = refusal(sql, {"size": "integer", "district": "string"})
    assert found.rule in ("sql.parameter-type", "sql.not-a-dimension")
    if found.rule == "sql.parameter-type":
        assert found.params["parameter"] in ("size", "district")


def test_a_like_pattern_is_a_string_parameter_only():
    assert refusal("SELECT COUNT(*) AS n FROM people WHERE township LIKE :size", {"size": "integer"}).rule == (
        "sql.parameter-type"
    )


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT district, :district AS d FROM people GROUP BY district",  # the SELECT list
        "SELECT district, COUNT(*) AS n FROM people GROUP BY :district",  # GROUP BY
        "SELECT district, COUNT(*) AS n FROM people GROUP BY district LIMIT :size",  # LIMIT
        "SELECT COUNT(*) AS n FROM :district",  # a table name
        "SELECT district, COUNT(*) AS n FROM people GROUP BY district HAVING COUNT(*) > :size",  # HAVING
        "SELECT district, COUNT(*) AS n FROM people GROUP BY district ORDER BY :size",  # ORDER BY
        "SELECT SUM(:size) AS s FROM people",  # an aggregate's argument
        "SELECT COUNT(*) AS n FROM people WHERE :district = :district",  # no key to compare with
        "SELECT COUNT(*) AS n FROM people WHERE district = ?",  # anonymous
        "SELECT COUNT(*) AS n FROM people p JOIN loans l ON p.id_number = :district",  # a join condition
        "SELECT COUNT(*) AS n FROM people WHERE district = CAST(:district AS VARCHAR)",  # inside a cast
        "SELECT COUNT(*) AS n FROM people WHERE YEAR(registered) = -:size",  # negated
        "SELECT COUNT(*) AS n FROM people WHERE district = :district || 'x'",  # an expression of one
    ],
)
def test_a_parameter_anywhere_else_is_refused(sql):
    assert refusal(sql).rule.startswith("sql.")


# --- binding --------------------------------------------------------------------------------------------------

DISTRICT = parameter("district", "string", max_length=20)
SIZE = parameter("size", "integer", minimum=1, maximum=10)
SINCE = parameter("since", "date", minimum=date(2015, 1, 1), required=False, default=date(2015, 1, 1))


def test_binding_replaces_every_param_by_its_typed_value():
    plan = planned(
        "SELECT township, COUNT(*) AS n FROM people WHERE district = :district AND registered >= :since "
        "GROUP BY township"
    )
    bound = compute.bind(plan, {"district": "贵池区", "since": "2016-01-01"}, parameters=[DISTRICT, SINCE])
    assert p.parameters_of(bound) == {}
    assert "CAST('贵池区' AS TEXT)" in sql_of(bound) and "CAST('2016-01-01' AS DATE)" in sql_of(bound)


def test_an_unbound_plan_is_never_generated():
    plan = planned("SELECT township, COUNT(*) AS n FROM people WHERE district = :district GROUP BY township")
    with pytest.raises(p.PlanInconsistent):
        sql_of(plan)


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"district": 3, "size": 2}, "product.parameter.type"),
        ({"district": "贵池区", "size": "two"}, "product.parameter.type"),
        ({"district": "贵池区", "size": True}, "product.parameter.type"),
        ({"district": "贵池区", "size": 11}, "product.parameter.maximum"),
        ({"district": "贵池区", "size": 0}, "product.parameter.minimum"),
        ({"district": "贵池区" * 10, "size": 2}, "product.parameter.length"),
        ({"size": 2}, "product.parameter.required"),
        ({"district": "贵池区", "size": 2, "since": "2014-12-31"}, "product.parameter.minimum"),
        ({"district": "贵池区", "size": 2, "since": "2016-02-30"}, "product.parameter.type"),
        ({"district": "贵池区", "size": 2, "extra": 1}, "product.parameter.unknown"),
    ],
)
def test_values_are_checked_against_their_declaration(values, problem):
    plan = planned(
        "SELECT township, COUNT(*) AS n FROM people WHERE district = :district "
        "AND YEAR(registered) > :size AND registered >= :since GROUP BY township"
    )
    with pytest.raises(Refused) as refused:
        compute.bind(plan, values, parameters=[DISTRICT, SIZE, SINCE])
    assert refused.value.rule == "product.parameter"
    assert refused.value.params["problem"].key == problem
    assert refused.value.params["parameter"] in ("district", "size", "since", "extra")


def test_choices_are_the_only_values_accepted():
    district = parameter("district", "string", choices=("贵池区", "东至县"))
    plan = planned("SELECT township, COUNT(*) AS n FROM people WHERE district = :district GROUP BY township")
    compute.bind(plan, {"district": "东至县"}, parameters=[district])
    with pytest.raises(Refused) as refused:
        compute.bind(plan, {"district": "青阳县"}, parameters=[district])
    assert refused.value.params["problem"].key == "product.parameter.choices"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return corpus.build(tmp_path_factory.mktemp("template"))


@pytest.mark.parametrize(
    "value",
    ["x' OR 1=1 --", "贵池区' UNION SELECT id_number FROM people --", "'; DROP TABLE people; --", "\\'", "%"],
)
def test_an_injection_attempt_is_only_a_value(world, value):
    plan = planned("SELECT district, COUNT(*) AS n FROM people WHERE district = :district GROUP BY district")
    bound = compute.bind(plan, {"district": value}, parameters=[parameter("district", "string")])
    assert world.engine.run(bound, tables=world.tables, limits=world.limits()).rows == []


def test_a_bound_template_answers_as_the_same_query_with_literals_and_keeps_the_k_rule(world):
    template = planned("SELECT township, COUNT(*) AS n FROM people WHERE district = :district GROUP BY township")
    bound = compute.bind(template, {"district": "贵池区"}, parameters=[DISTRICT])
    literal = planner.build(
        "SELECT township, COUNT(*) AS n FROM people WHERE district = '贵池区' GROUP BY township", POLICY
    )
    assert bound == literal
    rows = world.engine.run(bound, tables=world.tables, limits=world.limits()).rows
    assert rows and all(n >= corpus.K for _, n in rows)
    corpus.released_groups_pass_k(
        world, "SELECT township, COUNT(*) AS n FROM people WHERE district = '贵池区' GROUP BY township", rows
    )
