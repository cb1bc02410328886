"""The subscription's decisions, pure: which applications are sound, and the terms a product's contract carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from pubdata.products.subscriptions import (
    MAX_CALLS,
    ROWS_PER_CALL,
    Application,
    application_refusal,
    output_terms,
    terms_for,
)

TODAY = date(2026, 11, 2)
DIGEST = "ab" * 32


def _application(**changed: object) -> Application:
    values: dict[str, object] = {
        "purpose": "industry",
        "use": "小微企业授信前的信用核查",
        "max_calls": 500,
        "valid_from": TODAY,
        "valid_until": TODAY + timedelta(days=365),
    }
    return Application(**(values | changed))  # type: ignore[arg-type]


def _refusal(
    application: Application, purposes: tuple[str, ...] = ("industry",), scenario: str = "industry"
) -> str | None:
    found = application_refusal(application, product_purposes=list(purposes), scenario_purpose=scenario, today=TODAY)
    return found[0] if found else None


@pytest.mark.parametrize(
    ("changed", "purposes", "scenario", "rule"),
    [
        ({}, ("industry",), "industry", None),
        # a free purpose the product is offered for fits any scenario (三(六))
        ({"purpose": "public_welfare"}, ("industry", "public_welfare"), "industry", None),
        ({"purpose": "sector"}, ("industry",), "industry", "subscription.purpose"),  # not offered
        ({"purpose": "sector"}, ("industry", "sector"), "industry", "subscription.purpose"),  # not the scenario's
        ({"purpose": "marketing"}, ("industry",), "industry", "subscription.purpose"),  # no such purpose
        ({"max_calls": 0}, ("industry",), "industry", "subscription.quota"),
        ({"max_calls": MAX_CALLS + 1}, ("industry",), "industry", "subscription.quota"),
        ({"valid_from": TODAY - timedelta(days=1)}, ("industry",), "industry", "subscription.window"),
        ({"valid_until": TODAY - timedelta(days=1)}, ("industry",), "industry", "subscription.window"),
        ({"valid_until": TODAY + timedelta(days=4 * 366)}, ("industry",), "industry", "subscription.window"),
        ({"use": "  "}, ("industry",), "industry", "subscription.use"),
    ],
)
def test_application_rules(changed, purposes, scenario, rule):
    assert _refusal(_application(**changed), purposes, scenario) == rule


@dataclass(frozen=True)
class _Template:
    resources: tuple[str, ...] = ("CZ-RK-0001",)
    output_rule: str = "aggregate"
    min_group_size: int | None = 20
    epsilon_per_query: float | None = None
    delta: float | None = None
    bounds: dict[str, tuple[float, float]] = field(default_factory=dict)


def test_a_products_contract_names_the_product_its_digest_and_the_applied_quota_and_window():
    application = _application()
    terms = terms_for(
        product_code="CP-0001",
        definition=_Template(),
        definition_digest=DIGEST,
        application=application,
        purpose="industry",
    )
    assert terms.product is not None
    assert (terms.product.code, terms.product.definition_digest) == ("CP-0001", DIGEST)
    assert terms.resources == ("CZ-RK-0001",)
    assert (terms.valid_from, terms.valid_until) == (application.valid_from, application.valid_until)
    assert terms.max_calls == 500 and terms.max_rows == 500 * ROWS_PER_CALL
    assert terms.min_group_size == 20 and terms.output_rule == "aggregate"
    assert terms.document()["product"] == {"code": "CP-0001", "definition_digest": DIGEST}


def test_a_dp_templates_budget_is_its_epsilon_per_call_for_the_quota_capped_at_a_contracts_whole():
    template = _Template(output_rule="dp", epsilon_per_query=0.5, delta=1e-6, bounds={"household_size": (1, 10)})
    assert output_terms(template, max_calls=4)["epsilon"] == 2.0
    assert output_terms(template, max_calls=1000)["epsilon"] == 10.0
    terms = terms_for(
        product_code="CP-0002",
        definition=template,
        definition_digest=DIGEST,
        application=_application(purpose="public_governance", max_calls=4),
        purpose="public_governance",
    )
    assert terms.is_dp and terms.epsilon == 2.0 and terms.epsilon_per_query == 0.5


def test_terms_without_a_product_keep_the_digest_they_were_signed_with():
    """Contracts signed before products existed: their document, hence their digest, is unchanged."""
    from pubdata.contracts.schemas import Terms

    plain = Terms.model_validate(
        {
            "resources": ["CZ-RK-0001"],
            "purpose": "industry",
            "valid_from": "2026-01-05",
            "valid_until": "2026-12-31",
            "max_calls": 10,
            "max_rows": 1000,
        }
    )
    assert "product" not in plain.document()
    assert plain.digest == Terms.model_validate(plain.document()).digest


def test_a_dp_template_without_its_own_epsilon_spends_the_default_per_call():
    from pubdata.products.subscriptions import DEFAULT_EPSILON_PER_CALL

    declared = output_terms(_Template(output_rule="dp"), max_calls=2)
    assert declared["epsilon_per_query"] == DEFAULT_EPSILON_PER_CALL
    assert declared["epsilon"] == 2 * DEFAULT_EPSILON_PER_CALL and declared["delta"] == 1e-6
