"""The registries of refusals and ledger actions: everything raised or recorded is declared, sentences speak
both languages and never repeat a sensitive value, and ``docs/refusals.md`` is the registry as it stands."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pubdata import domains
from pubdata.app import create_app
from pubdata.common import messages
from pubdata.common.actor import CLI
from pubdata.common.errors import Refused
from pubdata.contracts import rules as contract_rules
from pubdata.ledger import service as ledger

SOURCE = Path(__file__).parents[2] / "src" / "pubdata"
DOCS = Path(__file__).parents[2] / "docs" / "refusals.md"
# The refusal families: calls that take a rule as their first argument.
REFUSING = {"Refused", "QueryRefused", "ContractRefused", "EngineRefused", "DpRefused", "IsolationUnavailable"}
# Helpers that prefix a rule: (module, function) → prefix.
PREFIXED = {("queries/checks.py", "_refuse"): "sql.", ("privacy/dp.py", "_refuse"): "sql.dp-"}
# Rules and actions named by f-strings, with every value they can take.
DYNAMIC_RULES = [
    f"contract.{state.value}" for state in contract_rules.ContractState if state != contract_rules.C.ACTIVE
] + ["identity.token-revoked", "identity.token-expired", "job.syntax", "job.import-not-allowed", "job.dynamic-code"]
DYNAMIC_ACTIONS = (
    [f"registration.{kind}.submit" for kind in ("first", "change", "cancel")]
    + [f"registration.{decision}" for decision in ("accept", "return", "reject")]
    + [f"catalog.resource.{event}" for event in ("submit", "submit_change", "submit_cancel")]
    + [f"catalog.resource.registration-{decision}" for decision in ("return", "reject")]
    + [f"catalog.resource.registered-{kind}" for kind in ("first", "change", "cancel")]
    + [f"authorization.agreement.sign-{side}" for side in ("bureau", "operator")]
    + [f"authorization.renewal.{decision}" for decision in ("approve", "refuse")]
    + [f"authorization.evaluation.{result}" for result in ("pass", "fail", "rectify")]
    + [f"authorization.{kind}" for kind in ("drill", "risk_assessment")]
    + [f"authorization.partner.{event}" for event in ("suspend", "resume", "remove")]
    + [f"job.{event}" for event in ("hold", "block", "fail")]
)


def _calls() -> list[tuple[str, str, ast.Call]]:
    found = []
    for path in SOURCE.rglob("*.py"):
        module = str(path.relative_to(SOURCE))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                found.append((module, name, node))
    return found


CALLS = _calls()
domains.load()


def _constant(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def test_every_rule_the_code_names_is_declared():
    named = set(DYNAMIC_RULES)
    for module, name, call in CALLS:
        first = _constant(call.args[0]) if call.args else None
        if first is None:
            continue
        if name in REFUSING or name == "outcome":
            named.add(first)
        elif (module, name) in PREFIXED:
            named.add(PREFIXED[(module, name)] + first)
    assert named, "the scan found no rule at all"
    assert sorted(rule for rule in named if not messages.is_refusal(rule)) == []


def test_every_ledger_action_the_code_records_is_declared():
    named = set(DYNAMIC_ACTIONS)
    for _, name, call in CALLS:
        keywords = {keyword.arg: _constant(keyword.value) for keyword in call.keywords}
        if name in ("record", "Draft", "SignOff") and keywords.get("action"):
            named.add(str(keywords["action"]).replace("{side}", "bureau"))
        if name == "RefusalEntry" and len(call.args) > 1 and _constant(call.args[1]):
            named.add(str(_constant(call.args[1])))
    assert len(named) > 40
    assert sorted(action for action in named if not messages.is_action(action)) == []


def test_an_undeclared_rule_or_action_fails_where_it_is_used(platform):
    with pytest.raises(messages.Undeclared):
        Refused("catalog.no-such-rule")
    with pytest.raises(TypeError, match="needs code"):
        Refused("catalog.code-taken")  # a declared rule without the parameter its sentence names
    with pytest.raises(messages.Undeclared), platform.command() as session:
        ledger.record(session, actor=CLI, action="catalog.no-such-action")
    with platform.read() as session:
        assert ledger.size(session) == 0


def test_every_refusal_speaks_both_languages_with_the_same_parameters():
    for refusal in messages.refusals():
        assert refusal.zh and refusal.en and refusal.zh != refusal.en, refusal.rule
        assert 400 <= refusal.status < 600, refusal.rule
        assert any("\u4e00" <= ch <= "\u9fff" for ch in refusal.zh), refusal.rule


ID_NUMBER, MOBILE = "341702199003071234", "13912345678"


def test_no_sentence_repeats_an_id_number_or_a_mobile_whoever_typed_it():
    for refusal in messages.refusals():
        params = {name: f"{ID_NUMBER} / {MOBILE}" for name in refusal.parameters}
        for lang in messages.LANGUAGES:
            sentence = refusal.sentence(lang, params)
            assert ID_NUMBER not in sentence and MOBILE not in sentence, refusal.rule


def test_parameters_are_shown_safely():
    assert messages.safe("x\x00\u202eevil\n") == "xevil"
    assert messages.safe("a" * 500).endswith("…") and len(messages.safe("a" * 500)) == 200
    assert messages.safe(["CZ-RK-0001", "CZ-FR-0001"], "en") == "CZ-RK-0001, CZ-FR-0001"
    assert messages.safe(True, "zh-CN") == "是"


def test_the_refusal_catalogue_is_current():
    assert DOCS.read_text(encoding="utf-8") == domains.refusals_markdown(), "run `pubdata docs refusals`"


def test_a_problem_answer_speaks_the_language_the_client_asks_for(platform):
    with TestClient(create_app(platform)) as client:
        chinese = client.get("/api/v1/me").json()
        english = client.get("/api/v1/me", headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.1"}).json()
        weighted = client.get("/api/v1/me", headers={"Accept-Language": "en;q=0.2, zh-CN;q=0.8"}).json()
    assert chinese["rule"] == english["rule"] == "identity.no-credentials"
    assert chinese["title"] == "未通过身份验证" and "发送 API 令牌" in chinese["detail"]
    assert english["title"] == "Not authenticated" and english["detail"].startswith("Send an API token")
    assert weighted["detail"] == chinese["detail"]


def test_pages_speak_chinese_by_default_and_english_when_chosen(platform):
    with TestClient(create_app(platform)) as client:
        missing = client.get("/catalog/CZ-NO-0000")
        assert missing.status_code == 404 and "没有代码为 CZ-NO-0000 的已登记资源" in missing.text
        english = client.get("/catalog/CZ-NO-0000?lang=en")
        assert "No registered resource has the code CZ-NO-0000" in english.text


def test_every_audited_row_has_a_name_on_the_public_ledger():
    """An entry about a row says what kind of thing it is about (``subject.<table>``), in both languages; a new
    audited table without its name would show as an unnamed object."""
    from pubdata.ledger.verify import audited_models

    unnamed = [
        model.__tablename__ for model in audited_models() if not messages.is_label(f"subject.{model.__tablename__}")
    ]
    assert unnamed == []
