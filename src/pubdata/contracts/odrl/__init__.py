"""A contract's terms as a W3C ODRL 2.2 Agreement, under the pubdata ODRL profile; pure.

The profile (``profile.ttl``: the DP action, the quota and output-rule left operands, the purpose categories),
its JSON-LD context (``context.jsonld``) and the SHACL shapes of the ODRL 2.2 Information Model's normative
constraints (``shapes.ttl``) ship with the package and are served at ``/odrl/…``. ``odrl.jsonld`` and
``ODRL22.ttl`` are W3C's own context and vocabulary, vendored unchanged, so a JSON-LD processor here never
fetches anything (``document_loader``).

The rendering is derived from the terms on request; what the parties sign is the terms document
(``contracts.service.document_of``), so a change here never touches a signature or a digest.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from pubdata.contracts.schemas import Terms

ODRL = "http://www.w3.org/ns/odrl/2/"
ODRL_CONTEXT = "http://www.w3.org/ns/odrl.jsonld"
# The profile's names. pubdata.example is the placeholder the platform names its own vocabulary under; a
# deployment that owns a domain changes these four constants (and the files) together.
PROFILE = "https://pubdata.example/odrl/profile"
NAMESPACE = PROFILE + "#"
PROFILE_CONTEXT = "https://pubdata.example/odrl/context.jsonld"
SHAPES = "https://pubdata.example/odrl/shapes.ttl"

# The files, by the name the platform serves them under (routes.profile) and their media type.
FILES: dict[str, tuple[str, str]] = {
    "profile": ("profile.ttl", "text/turtle"),
    "context.jsonld": ("context.jsonld", "application/ld+json"),
    "shapes.ttl": ("shapes.ttl", "text/turtle"),
}
# What each IRI a document names is loaded from, so nothing is fetched over the network.
LOCAL_DOCUMENTS = {ODRL_CONTEXT: "odrl.jsonld", PROFILE_CONTEXT: "context.jsonld"}

# Purpose categories (rules.PURPOSES) as the profile's right operands.
PURPOSE_IRIS = {
    "public_governance": "pubdata:publicGovernance",
    "public_welfare": "pubdata:publicWelfare",
    "industry": "pubdata:industry",
    "sector": "pubdata:sector",
}


@cache
def text_of(name: str) -> str:
    """One of the profile's files (or W3C's vendored ones), as shipped in the package."""
    return resources.files(__package__).joinpath(name).read_text("utf-8")


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A JSON-LD document loader (PyLD's ``documentLoader``) for the two contexts a contract's ODRL names,
    from the package; any other IRI is refused rather than fetched."""
    if url not in LOCAL_DOCUMENTS:
        raise LookupError(f"not a context of the pubdata ODRL profile: {url}")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(text_of(LOCAL_DOCUMENTS[url])),
    }


def party_iri(organisation_id: int, credit_code: str | None) -> str:
    """An organisation's IRI: its unified social credit code (统一社会信用代码) when it has one, which names it
    outside the platform too; else the platform's own name for it."""
    return f"urn:uscc:{credit_code}" if credit_code else f"urn:pubdata:organisation:{organisation_id}"


def party(organisation_id: int, *, name: str, credit_code: str | None) -> dict[str, Any]:
    return {
        "@type": ["Party", "vcard:Organization"],
        "uid": party_iri(organisation_id, credit_code),
        "name": name,
    }


def _constraint(left: str, operator: str, right: Any) -> dict[str, Any]:
    return {"leftOperand": left, "operator": operator, "rightOperand": right}


def _date(day: object) -> dict[str, str]:
    return {"@value": str(day), "@type": "xsd:date"}


def _action(terms: Terms) -> list[dict[str, Any]]:
    """The permitted action, refined by the output rule: aggregate with a minimum group size, or
    aggregate under differential privacy with each answer's ε, δ and contributions bounded."""
    refinement = [_constraint("groupSize", "gteq", terms.min_group_size)]
    if not terms.is_dp:
        return [{"rdf:value": {"@id": "odrl:aggregate"}, "refinement": refinement}]
    if terms.epsilon_per_query is not None:
        refinement.append(_constraint("epsilon", "lteq", terms.epsilon_per_query))
    if terms.delta is not None:
        refinement.append(_constraint("delta", "lteq", terms.delta))
    refinement.append(_constraint("contributions", "lteq", terms.max_contributions))
    return [{"rdf:value": {"@id": "pubdata:dpAggregate"}, "refinement": refinement}]


def _constraints(terms: Terms) -> list[dict[str, Any]]:
    """When the permission holds: for the purpose, within the window, while the agreement's quotas last."""
    constraints = [
        _constraint("purpose", "eq", {"@id": PURPOSE_IRIS[terms.purpose]}),
        _constraint("dateTime", "gteq", _date(terms.valid_from)),
        _constraint("dateTime", "lteq", _date(terms.valid_until)),
        _constraint("calls", "lteq", terms.max_calls),
        _constraint("rows", "lteq", terms.max_rows),
    ]
    if terms.is_dp and terms.epsilon is not None:
        constraints.append(_constraint("epsilonSpent", "lteq", terms.epsilon))
    return constraints


def agreement(contract_id: int, *, assigner: dict[str, Any], assignee: dict[str, Any], terms: Terms) -> dict[str, Any]:
    """The terms as an ODRL 2.2 Agreement in JSON-LD: per resource, one permission (aggregate it, for the
    purpose, within the window and the quotas, under the output rule), one prohibition (no copy of it) and one
    obligation (accept that every use is tracked — each call is in the ledger). One target per rule; the
    quotas are the profile's agreement-wide left operands, so splitting the rules does not multiply them."""
    targets = [f"urn:pubdata:resource:{code}" for code in terms.resources]
    action, constraints = _action(terms), _constraints(terms)
    return {
        "@context": [ODRL_CONTEXT, PROFILE_CONTEXT],
        "@type": "Agreement",
        "uid": f"urn:pubdata:contract:{contract_id}",
        "profile": PROFILE,
        "assigner": assigner,
        "assignee": assignee,
        "permission": [{"target": target, "action": action, "constraint": constraints} for target in targets],
        "prohibition": [{"target": target, "action": "reproduce"} for target in targets],
        "obligation": [{"target": target, "action": "acceptTracking"} for target in targets],
    }
