"""The import rule (docs/architecture.md), by walking every module's imports:

- a domain (and the demo) imports another domain only through its public modules: ``service``, ``schemas``
  (value types), ``rules`` (pure vocabularies and decisions) and ``messages``, plus what the domain declares in
  ``PUBLIC``; imports under ``if TYPE_CHECKING:`` are names for type hints only, and do not count;
- nothing imports a ``routes`` or ``pages`` module but ``pubdata.app``;
- ``common`` imports no domain; ``engines`` and the ledger's core (all but its routes and pages) import no
  domain either; ``client/`` (the consumer's SDK, once there) imports only ``protocol``, and neither imports
  server code or server libraries.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from pubdata.domains import DOMAINS

SOURCE = Path(__file__).parents[2] / "src" / "pubdata"
ALWAYS_PUBLIC = ("service", "schemas", "rules", "messages")
WEB_LAYER = ("routes", "pages")
# Shared by every domain; not domains themselves.
INFRASTRUCTURE = {"common", "engines", "db", "config", "platform", "domains", "all_models", "web"}


def public_modules(domain: str) -> set[str]:
    package = importlib.import_module(f"pubdata.{domain}")
    return set(ALWAYS_PUBLIC) | set(getattr(package, "PUBLIC", ()))


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every ``pubdata`` import, leaving out those only for type hints."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hinted = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hinted |= {id(child) for child in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if id(node) in hinted:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pubdata"):
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("pubdata")]
    return found


def modules() -> list[tuple[str, Path]]:
    return [(".".join(path.relative_to(SOURCE).with_suffix("").parts), path) for path in SOURCE.rglob("*.py")]


def _imported(name: str) -> tuple[str, str | None]:
    """``pubdata.catalog.service.x`` → ("catalog", "service"); a package imported whole → (domain, None)."""
    parts = name.split(".")[1:]
    if len(parts) >= 2 and (SOURCE / parts[0] / parts[1]).with_suffix(".py").exists():
        return parts[0], parts[1]
    if len(parts) >= 2 and (SOURCE / parts[0] / parts[1]).is_dir():
        return parts[0], parts[1]
    return parts[0], None


def test_a_domain_imports_another_only_through_its_public_modules():
    """The composition root (``app``, ``cli``, ``platform``, ``scheduler``, ``all_models``) wires the domains
    together and is exempt; the demo is held to the rule like a domain."""
    wrong = []
    for module, path in modules():
        own = module.split(".")[0]
        if own not in (*DOMAINS, "demo"):
            continue
        for line, name in imports_of(path):
            domain, target = _imported(name)
            if domain == own or domain in INFRASTRUCTURE or domain not in DOMAINS or target is None:
                continue
            if target not in public_modules(domain):
                wrong.append(f"{module}:{line} imports {name}")
    assert wrong == []


def test_nothing_imports_routes_or_pages_but_the_app():
    wrong = [
        f"{module}:{line} imports {name}"
        for module, path in modules()
        if module != "app"
        for line, name in imports_of(path)
        if name.split(".")[-1] in WEB_LAYER or (len(name.split(".")) > 2 and name.split(".")[2] in WEB_LAYER)
    ]
    assert wrong == []


def test_common_engines_and_the_ledger_core_import_no_domain():
    wrong = []
    for module, path in modules():
        layer = module.split(".")[0]
        if layer not in ("common", "engines", "ledger") or module.split(".")[-1] in WEB_LAYER:
            continue
        for line, name in imports_of(path):
            domain, _ = _imported(name)
            if domain in DOMAINS and domain not in ("common", layer):
                wrong.append(f"{module}:{line} imports {name}")
            if layer == "common" and domain not in ("common",):
                wrong.append(f"{module}:{line} imports {name}")
    assert wrong == []


# The consumer's SDK is installable alone: it may use the wire messages and nothing else of the server.
STANDALONE = {"client": ("client", "protocol"), "protocol": ("protocol",)}
SERVER_LIBRARIES = ("sqlalchemy", "fastapi", "starlette", "duckdb", "alembic")


def standalone_problems(module: str, path: Path) -> list[str]:
    """What a ``client`` or ``protocol`` module imports beyond what it may."""
    allowed = STANDALONE.get(module.split(".")[0])
    if allowed is None:
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wrong = [f"{module}:{line} imports {name}" for line, name in imports_of(path) if name.split(".")[1] not in allowed]
    for node in ast.walk(tree):
        names = (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
        wrong += [f"{module}:{node.lineno} imports {n}" for n in names if n.split(".")[0] in SERVER_LIBRARIES]
    return wrong


def test_the_client_and_the_protocol_import_no_server_code():
    assert [problem for module, path in modules() for problem in standalone_problems(module, path)] == []


def test_the_rule_sees_the_imports_it_must_refuse(tmp_path):
    """The walker is not blind: a module importing another domain's models would be reported."""
    probe = tmp_path / "probe.py"
    probe.write_text("from pubdata.contracts.models import Contract\nimport pubdata.jobs.pages\n", encoding="utf-8")
    assert [name for _, name in imports_of(probe)] == ["pubdata.contracts.models.Contract", "pubdata.jobs.pages"]
    assert _imported("pubdata.contracts.models.Contract") == ("contracts", "models")
    assert "models" not in public_modules("contracts")
    sdk = tmp_path / "sdk.py"
    sdk.write_text("from pubdata.protocol import messages\nfrom pubdata.identity import service\nimport sqlalchemy\n")
    assert standalone_problems("client.sdk", sdk) == [
        "client.sdk:2 imports pubdata.identity.service",
        "client.sdk:3 imports sqlalchemy",
    ]
