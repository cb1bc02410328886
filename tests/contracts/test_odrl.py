"""A contract's ODRL is W3C ODRL 2.2 under the published pubdata profile, on both databases.

Each demo contract's document, fetched through the API, is expanded with PyLD (contexts from the package, no
base IRI: a name where an IRI belongs stays visibly relative) — every term resolves to a full IRI in ODRL's
or the profile's namespace and none is dropped — and its RDF validates with pyshacl against the shapes of the
ODRL 2.2 Information Model the platform serves. Documents with the failures an outside validator found (a
display name as a party, two targets in a rule, an undefined action, an extension property on a rule, no
profile) do not conform.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pyshacl
import pytest
import rdflib
from fastapi.testclient import TestClient
from pyld import jsonld
from rdflib.namespace import RDF, RDFS, SKOS

from pubdata import demo
from pubdata.app import create_app
from pubdata.contracts import odrl
from pubdata.identity.models import Organisation

ODRL = rdflib.Namespace(odrl.ODRL)
PROFILE = rdflib.Namespace(odrl.NAMESPACE)
VCARD = "http://www.w3.org/2006/vcard/ns#"
# Where a property of a pubdata contract's ODRL may come from: ODRL, the profile, the party's name (vCard, as
# the Information Model suggests) and rdf:value (ODRL's form of a refined action).
PROPERTY_NAMESPACES = (odrl.ODRL, odrl.NAMESPACE, VCARD, str(RDF))
ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
OPTIONS = {"documentLoader": odrl.document_loader, "base": None}


def expanded(document: dict[str, Any]) -> list[dict[str, Any]]:
    return jsonld.expand(copy.deepcopy(document), dict(OPTIONS))


def graph_of(document: dict[str, Any], base: str | None = None) -> rdflib.Graph:
    quads = jsonld.to_rdf(copy.deepcopy(document), {**OPTIONS, "base": base, "format": "application/n-quads"})
    return rdflib.Graph().parse(data=quads, format="nt")


def vocabularies() -> rdflib.Graph:
    """ODRL 2.2's vocabulary (W3C's, vendored) and the pubdata profile."""
    graph = rdflib.Graph().parse(data=odrl.text_of("ODRL22.ttl"), format="turtle")
    return graph.parse(data=odrl.text_of("profile.ttl"), format="turtle")


def validate(document: dict[str, Any], shapes: rdflib.Graph, base: str | None = None) -> tuple[bool, str]:
    """pyshacl's verdict on the document's RDF with the vocabularies in the data graph (an action must be an
    odrl:Action as they declare; an ont_graph would lend only class axioms)."""
    conforms, _, text = pyshacl.validate(
        graph_of(document, base) + vocabularies(), shacl_graph=shapes, inference="none", advanced=True
    )
    return conforms, text


def keyword_aliases() -> set[str]:
    """Terms of the two contexts that stand for a JSON-LD keyword (uid → @id, type → @type)."""
    aliases = set()
    for name in odrl.LOCAL_DOCUMENTS.values():
        for term, definition in json.loads(odrl.text_of(name))["@context"].items():
            target = definition if isinstance(definition, str) else definition.get("@id", "")
            if target.startswith("@"):
                aliases.add(term)
    return aliases


def compact_terms(node: Any, aliases: set[str]) -> int:
    """How many properties a compact document writes (keywords and their aliases aside)."""
    if isinstance(node, list):
        return sum(compact_terms(item, aliases) for item in node)
    if not isinstance(node, dict):
        return 0
    own = sum(1 for key in node if not key.startswith("@") and key not in aliases)
    return own + sum(compact_terms(value, aliases) for key, value in node.items() if key != "@context")


def expanded_properties(node: Any) -> list[str]:
    if isinstance(node, list):
        return [p for item in node for p in expanded_properties(item)]
    if not isinstance(node, dict):
        return []
    own = [key for key in node if not key.startswith("@")]
    return own + [p for value in node.values() for p in expanded_properties(value)]


def iris_in(node: Any) -> list[str]:
    """Every IRI an expanded document names: properties, node ids, types."""
    if isinstance(node, list):
        return [iri for item in node for iri in iris_in(item)]
    if not isinstance(node, dict):
        return []
    found = [key for key in node if not key.startswith("@")]
    if "@id" in node:
        found.append(node["@id"])
    if "@type" in node and "@value" not in node:
        found += node["@type"]
    return found + [iri for key, value in node.items() if key != "@type" for iri in iris_in(value)]


def assert_conformant_json_ld(document: dict[str, Any], vocabulary: rdflib.Graph, label: str) -> None:
    """No term dropped or left relative, every property from ODRL or the profile (or vCard/rdf:value), and
    every vocabulary term used (actions, operands, operators, types) defined by ODRL 2.2 or the profile."""
    expansion = expanded(document)
    assert compact_terms(document, keyword_aliases()) == len(expanded_properties(expansion)), (
        f"{label}: a term the contexts do not define was dropped"
    )
    relative = [iri for iri in iris_in(expansion) if not ABSOLUTE.match(iri)]
    assert not relative, f"{label}: relative IRIs {relative}"
    outside = {p for p in expanded_properties(expansion) if not p.startswith(PROPERTY_NAMESPACES)}
    assert not outside, f"{label}: properties outside ODRL and the profile: {outside}"
    graph = graph_of(document)
    used = {o for p in (ODRL.action, RDF.value, ODRL.leftOperand, ODRL.operator) for o in graph.objects(None, p)}
    used |= {o for o in graph.objects(None, RDF.type) if str(o).startswith((odrl.ODRL, odrl.NAMESPACE))}
    used |= {o for o in graph.objects(None, ODRL.rightOperand) if isinstance(o, rdflib.URIRef)}
    undefined = {
        term
        for term in used
        if isinstance(term, rdflib.URIRef)
        and not (str(term).startswith((odrl.ODRL, odrl.NAMESPACE)) and (term, RDFS.isDefinedBy, None) in vocabulary)
    }
    assert not undefined, f"{label}: terms defined neither by ODRL 2.2 nor by the profile: {undefined}"


@pytest.fixture
def built(platform):
    """The demo city, with its three signed contracts."""
    return demo.build(platform, scale=0.01)


@pytest.fixture
def served(platform):
    """The profile's documents as the platform serves them."""
    with TestClient(create_app(platform)) as client:
        answers = {name: client.get(f"/odrl/{name}") for name in odrl.FILES}
    for name, (_, media_type) in odrl.FILES.items():
        assert answers[name].status_code == 200 and answers[name].headers["content-type"].startswith(media_type)
    return {
        "vocabulary": rdflib.Graph().parse(data=answers["profile"].text, format="turtle"),
        "context": answers["context.jsonld"].json(),
        "shapes": rdflib.Graph().parse(data=answers["shapes.ttl"].text, format="turtle"),
    }


def fetch(platform, document: dict, contract: dict) -> Any:
    token = next(a["token"] for a in document["accounts"] if a["login"] == contract["consumer_login"])
    with TestClient(create_app(platform)) as client:
        return client.get(f"/api/v1/contracts/{contract['id']}/odrl", headers={"Authorization": f"Bearer {token}"})


def test_every_demo_contract_is_odrl_2_2_under_the_pubdata_profile(platform, built, served):
    assert len(built["contracts"]) == 4  # the operator's own development contract too
    vocabulary = served["vocabulary"] + vocabularies()
    with platform.read() as session:
        codes = {o.name: o.credit_code for o in session.query(Organisation)}
    for contract in built["contracts"]:
        answer = fetch(platform, built, contract)
        label = f"contract {contract['id']} ({contract['consumer']})"
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("application/ld+json"), label
        document = answer.json()
        assert document["@context"] == [odrl.ODRL_CONTEXT, odrl.PROFILE_CONTEXT] and document["profile"] == odrl.PROFILE
        assert_conformant_json_ld(document, vocabulary, label)
        conforms, report = validate(document, served["shapes"])
        assert conforms, f"{label}:\n{report}"

        graph = graph_of(document)
        policy = rdflib.URIRef(f"urn:pubdata:contract:{contract['id']}")
        assert (policy, RDF.type, ODRL.Agreement) in graph
        assignee = graph.value(policy, ODRL.assignee)
        assert assignee == rdflib.URIRef(f"urn:uscc:{codes[contract['consumer']]}"), label
        assert str(graph.value(assignee, rdflib.URIRef(VCARD + "fn"))) == contract["consumer"]
        assert str(graph.value(policy, ODRL.assigner)) == f"urn:uscc:{codes['池州数据运营有限公司']}"
        # One rule per resource and kind, each with one target.
        resources = {rdflib.URIRef(f"urn:pubdata:resource:{code}") for code in contract["resources"]}
        for kind in (ODRL.permission, ODRL.prohibition, ODRL.obligation):
            rules = list(graph.objects(policy, kind))
            assert len(rules) == len(resources) and {graph.value(rule, ODRL.target) for rule in rules} == resources
        permission = next(graph.objects(policy, ODRL.permission))
        action = graph.value(graph.value(permission, ODRL.action), RDF.value)
        assert action == (PROFILE.dpAggregate if contract["output_rule"] == "dp" else ODRL.aggregate), label
        purpose = {
            graph.value(c, ODRL.rightOperand)
            for c in graph.objects(permission, ODRL.constraint)
            if graph.value(c, ODRL.leftOperand) == ODRL.purpose
        }
        assert purpose == {rdflib.URIRef(odrl.NAMESPACE + odrl.PURPOSE_IRIS[contract["purpose"]].split(":")[1])}


def test_the_profile_declares_its_terms_as_odrl_asks(platform, served):
    """Every term of the served context is in the served vocabulary as ODRL's profile mechanism requires: an
    Action includedIn another, a LeftOperand or RightOperand, and a skos:Concept with a label."""
    vocabulary = served["vocabulary"]
    assert (rdflib.URIRef(odrl.PROFILE), RDF.type, rdflib.OWL.Ontology) in vocabulary
    assert served["context"] == json.loads(odrl.text_of("context.jsonld"))
    terms = {
        rdflib.URIRef(odrl.NAMESPACE + definition.split(":", 1)[1])
        for definition in served["context"]["@context"].values()
        if isinstance(definition, str) and definition.startswith("pubdata:")
    }
    terms |= {rdflib.URIRef(odrl.NAMESPACE + value.split(":")[1]) for value in odrl.PURPOSE_IRIS.values()}
    for term in terms:
        kinds = set(vocabulary.objects(term, RDF.type))
        assert SKOS.Concept in kinds and kinds & {ODRL.Action, ODRL.LeftOperand, ODRL.RightOperand}, term
        assert (term, RDFS.isDefinedBy, rdflib.URIRef(odrl.PROFILE)) in vocabulary
        assert vocabulary.value(term, RDFS.label) and vocabulary.value(term, SKOS.definition)
    assert (PROFILE.dpAggregate, ODRL.includedIn, ODRL.aggregate) in vocabulary
    # The profile's definitions themselves meet the shapes (an Action is includedIn one Action, up to use).
    conforms, _, report = pyshacl.validate(
        vocabularies(), shacl_graph=served["shapes"], inference="none", advanced=True
    )
    assert conforms, report


@pytest.fixture
def deal_document(platform, partner_deal):
    """A signed contract's ODRL, as its assignee fetches it."""
    with TestClient(create_app(platform)) as client:
        answer = client.get(
            f"/api/v1/contracts/{partner_deal['contract_id']}/odrl", headers=partner_deal["partner"].headers
        )
        shapes = rdflib.Graph().parse(data=client.get("/odrl/shapes.ttl").text, format="turtle")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/ld+json")
    document = answer.json()
    assert validate(document, shapes)[0], "the contract as served conforms"
    return document, shapes


def _display_name_party(document):
    document["assignee"] = "池州普惠金融科技有限公司"


def _two_targets(document):
    document["permission"][0]["target"] = ["urn:pubdata:resource:CZ-RK-0001", "urn:pubdata:resource:CZ-FR-0001"]


def _undefined_action(document):
    document["prohibition"][0]["action"] = "pubdata:exfiltrate"


def _undefined_action_term(document):
    document["prohibition"][0]["action"] = "exfiltrate"


def _extension_property_on_the_obligation(document):
    document["obligation"][0][odrl.NAMESPACE + "note"] = "every call is recorded in the ledger"


def _no_profile(document):
    del document["profile"]


# What an outside validator found in the former rendering, each with what the shapes say about it.
DAMAGES = [
    (_display_name_party, "An Agreement has exactly one assignee"),
    (_two_targets, "A Permission has exactly one target"),
    (_undefined_action, "An action is an Action the ODRL vocabulary or a named profile defines"),
    (_undefined_action_term, "A Rule has exactly one action"),  # a relative IRI, which RDF drops
    (_extension_property_on_the_obligation, "A policy under the pubdata profile"),
    (_no_profile, "without naming that profile"),
]


def test_documents_with_the_reported_failures_do_not_conform(deal_document):
    document, shapes = deal_document
    for damage, expected in DAMAGES:
        damaged = copy.deepcopy(document)
        damage(damaged)
        conforms, report = validate(damaged, shapes)
        assert not conforms and expected in report, f"{damage.__name__}:\n{report}"
    # A processor that resolves a name against the document's URL makes it an IRI: still not a credit code.
    damaged = copy.deepcopy(document)
    _display_name_party(damaged)
    conforms, report = validate(damaged, shapes, base="http://testserver/api/v1/contracts/1/odrl")
    assert not conforms and "A policy under the pubdata profile" in report, report


# The Information Model's own forms (after its examples), which the shapes must not reject: a Set; an Offer
# whose assigner is on the rule; a duty with a consequence; a prohibition with a remedy; a refinement by a
# logical constraint; a right operand by reference; an obligation.
W3C = "http://www.w3.org/ns/odrl.jsonld"
ASSET, ORG, PERSON = "http://example.com/asset:9898", "http://example.com/org:43", "http://example.com/person:44"
VALID_POLICIES = [
    {"@type": "Set", "permission": [{"target": ASSET, "action": "use"}]},
    {"@type": "Offer", "permission": [{"target": ASSET, "assigner": ORG, "action": "play"}]},
    {
        "@type": "Agreement",
        "assigner": ORG,
        "assignee": PERSON,
        "permission": [
            {
                "target": ASSET,
                "action": "distribute",
                "duty": [
                    {
                        "action": "attribute",
                        "attributedParty": "http://australia.gov.au/",
                        "consequence": [{"action": "acceptTracking", "trackingParty": "http://example.com/dept:100"}],
                    }
                ],
            }
        ],
    },
    {
        "@type": "Agreement",
        "assigner": ORG,
        "assignee": PERSON,
        "prohibition": [{"target": ASSET, "action": "index", "remedy": [{"action": "anonymize", "target": ASSET}]}],
    },
    {
        "@type": "Offer",
        "assigner": ORG,
        "permission": [
            {
                "target": ASSET,
                "action": [
                    {
                        "rdf:value": {"@id": "odrl:reproduce"},
                        "refinement": {
                            "xone": {"@list": [{"@id": "http://example.com/c:1"}, {"@id": "http://example.com/c:2"}]}
                        },
                    }
                ],
            }
        ],
    },
    {
        "@type": "Set",
        "permission": [
            {
                "target": ASSET,
                "action": "use",
                "constraint": [
                    {"leftOperand": "dateTime", "operator": "lt", "rightOperandReference": "http://example.com/date"}
                ],
            }
        ],
    },
    {"@type": "Agreement", "assigner": ORG, "assignee": PERSON, "obligation": [{"action": "delete", "target": ASSET}]},
]


def test_the_shapes_accept_the_information_models_own_forms():
    shapes = rdflib.Graph().parse(data=odrl.text_of("shapes.ttl"), format="turtle")
    for number, policy in enumerate(VALID_POLICIES):
        document = {"@context": W3C, "uid": f"http://example.com/policy:{number}", **policy}
        conforms, report = validate(document, shapes)
        assert conforms, f"{policy['@type']} {number}:\n{report}"
        anonymous = {key: value for key, value in document.items() if key != "uid"}
        assert not validate(anonymous, shapes)[0], "a policy without a uid is refused"


def test_a_display_name_party_is_a_relative_iri_the_expansion_shows(deal_document):
    document, _ = deal_document
    damaged = copy.deepcopy(document)
    _display_name_party(damaged)
    with pytest.raises(AssertionError, match="relative IRIs"):
        assert_conformant_json_ld(damaged, vocabularies(), "damaged")
    undefined = copy.deepcopy(document)
    undefined["permission"][0]["frequency"] = "daily"  # no context defines it: JSON-LD drops it silently
    with pytest.raises(AssertionError, match="was dropped"):
        assert_conformant_json_ld(undefined, vocabularies(), "undefined")
