"""Contract decisions, pure: terms validation, the state table, the check on each call, ODRL export.

Terms follow W3C ODRL 2.2: one permission (use the target, for the purpose, within the window and counts,
under the output rule), one prohibition (no output of personal data), one duty (every use is recorded).
"""

from __future__ import annotations

from datetime import date
from typing import Any

PURPOSES: dict[str, tuple[str, str]] = {
    "public_governance": ("公共治理", "Public governance"),
    "public_welfare": ("公益事业", "Public welfare"),
    "industry": ("产业发展", "Industry development"),
    "sector": ("行业发展", "Sector development"),
}
FREE_PURPOSES = ("public_governance", "public_welfare")  # 三(六): free of charge
OUTPUT_RULES = ("aggregate", "dp")
STATES: dict[str, tuple[str, str]] = {
    "proposed": ("待签署", "Proposed"),
    "active": ("生效", "Active"),
    "exhausted": ("额度用尽", "Exhausted"),
    "expired": ("已到期", "Expired"),
    "revoked": ("已撤销", "Revoked"),
}
TRANSITIONS = {
    ("proposed", "sign"): "active",
    ("active", "exhaust"): "exhausted",
    ("active", "expire"): "expired",
    ("active", "revoke"): "revoked",
    ("proposed", "revoke"): "revoked",
}
MICRO = 1_000_000  # ε is kept in millionths, so spending it is integer arithmetic


def next_state(state: str, event: str) -> str | None:
    return TRANSITIONS.get((state, event))


def terms_problems(terms: dict[str, Any]) -> list[str]:
    """What is wrong with proposed terms, as sentences; empty when they are sound."""
    problems = []
    if terms.get("purpose") not in PURPOSES:
        problems.append(f"purpose must be one of {', '.join(PURPOSES)}")
    if terms.get("output_rule") not in OUTPUT_RULES:
        problems.append("output_rule must be aggregate or dp")
    if not terms.get("resources"):
        problems.append("name at least one resource")
    if terms.get("valid_from") and terms.get("valid_until") and terms["valid_until"] < terms["valid_from"]:
        problems.append("valid_until is before valid_from")
    for key in ("max_calls", "max_rows"):
        if not isinstance(terms.get(key), int) or terms[key] < 1:
            problems.append(f"{key} must be a positive whole number")
    if not isinstance(terms.get("min_group_size"), int) or terms["min_group_size"] < 10:
        problems.append("min_group_size is at least 10")
    if terms.get("output_rule") == "dp":
        if not (isinstance(terms.get("epsilon"), (int, float)) and 0 < terms["epsilon"] <= 10):
            problems.append("a dp contract has a privacy budget epsilon between 0 and 10")
        elif not (
            isinstance(terms.get("epsilon_per_query"), (int, float))
            and 0 < terms["epsilon_per_query"] <= terms["epsilon"]
        ):
            problems.append("a dp contract spends epsilon_per_query (above 0, at most epsilon) on each query")
        if terms.get("delta") is not None and not 0 < terms["delta"] < 1e-3:
            problems.append("delta is between 0 and 0.001")
        bounds = terms.get("bounds") or {}
        if any(not (isinstance(b, (list, tuple)) and len(b) == 2 and b[0] < b[1]) for b in bounds.values()):
            problems.append("bounds are [low, high] with low < high")
        if not isinstance(terms.get("max_contributions", 1), int) or not 1 <= terms.get("max_contributions", 1) <= 100:
            problems.append("max_contributions is a whole number from 1 to 100")
    return problems


def call_refusal(*, state: str, today: date, valid_from: date, valid_until: date) -> tuple[str, str] | None:
    """(rule, sentence) when a call must be refused before it runs, else None."""
    if state != "active":
        return f"contract.{state}", f"The contract is {state}."
    if today < valid_from:
        return "contract.not-yet-valid", f"The contract is valid from {valid_from.isoformat()}."
    if today > valid_until:
        return "contract.expired", f"The contract ended on {valid_until.isoformat()}."
    return None


def odrl(contract_id: int, *, assigner: str, assignee: str, terms: dict[str, Any]) -> dict[str, Any]:
    """The terms as ODRL 2.2 JSON-LD."""
    constraints = [
        {"leftOperand": "purpose", "operator": "eq", "rightOperand": terms["purpose"]},
        {
            "leftOperand": "dateTime",
            "operator": "gteq",
            "rightOperand": {"@value": str(terms["valid_from"]), "@type": "xsd:date"},
        },
        {
            "leftOperand": "dateTime",
            "operator": "lteq",
            "rightOperand": {"@value": str(terms["valid_until"]), "@type": "xsd:date"},
        },
        {"leftOperand": "count", "operator": "lteq", "rightOperand": terms["max_calls"]},
        {"leftOperand": "https://pubdata.example/odrl#rows", "operator": "lteq", "rightOperand": terms["max_rows"]},
        {
            "leftOperand": "https://pubdata.example/odrl#minGroupSize",
            "operator": "gteq",
            "rightOperand": terms["min_group_size"],
        },
    ]
    if terms.get("epsilon") is not None:
        constraints.append(
            {
                "leftOperand": "https://pubdata.example/odrl#epsilon",
                "operator": "lteq",
                "rightOperand": terms["epsilon"],
            }
        )
    return {
        "@context": "http://www.w3.org/ns/odrl.jsonld",
        "@type": "Agreement",
        "uid": f"urn:pubdata:contract:{contract_id}",
        "assigner": assigner,
        "assignee": assignee,
        "permission": [
            {
                "target": [f"urn:pubdata:resource:{code}" for code in terms["resources"]],
                "action": "aggregate"
                if terms["output_rule"] == "aggregate"
                else "https://pubdata.example/odrl#differentiallyPrivateQuery",
                "constraint": constraints,
            }
        ],
        "prohibition": [
            {"target": [f"urn:pubdata:resource:{code}" for code in terms["resources"]], "action": "reproduce"}
        ],
        "obligation": [
            {
                "action": "inform",
                "assignee": assignee,
                "https://pubdata.example/odrl#note": "every call is recorded in the ledger",
            }
        ],
    }
