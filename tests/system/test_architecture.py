"""The import rule (docs/architecture.md), by walking every module's imports:

- a domain (and the demo) imports another domain only through its public modules: ``service``, ``schemas``
  (value types), ``rules`` (pure vocabularies and decisions) and ``messages``, plus what the domain declares in
  ``PUBLIC``; imports under ``if TYPE_CHECKING:`` are names for type hints only, and do not count;
- nothing imports a ``routes`` or ``pages`` module but ``pubdata.app``;
- ``common`` imports no domain; ``engines`` and the ledger's core (all but its routes and pages) import no
  domain either;
- ``pubdata_client`` (``client/``, installable alone) imports only ``pubdata_protocol``, which imports nothing
  of ours, and neither imports a server library; ``pubdata`` imports ``pubdata_client`` only in its demo.
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


# The consumer's client is installable alone (client/, distribution pubdata-client): it may use the wire and the
# shared constructions (pubdata_protocol) and nothing of the server; the protocol package imports neither. The
# server never imports the client, except the demo, which plays the bank.
ROOT = Path(__file__).parents[2]
STANDALONE = {
    "pubdata_client": (ROOT / "client" / "src" / "pubdata_client", ("pubdata_client", "pubdata_protocol")),
    "pubdata_protocol": (ROOT / "src" / "pubdata_protocol", ("pubdata_protocol",)),
}
OUR_PACKAGES = ("pubdata", "pubdata_client", "pubdata_protocol")
SERVER_LIBRARIES = ("sqlalchemy", "fastapi", "starlette", "duckdb", "alembic", "uvicorn", "psycopg")


def all_imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import, type hints included: an installed client without
    the server must not even name it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
    return found


def standalone_problems(package: str, module: str, path: Path) -> list[str]:
    """What a module of a standalone package imports beyond what it may."""
    allowed = STANDALONE[package][1]
    return [
        f"{module}:{line} imports {name}"
        for line, name in all_imports(path)
        if (name in OUR_PACKAGES and name not in allowed) or name in SERVER_LIBRARIES
    ]


def test_the_client_and_the_protocol_import_no_server_code():
    wrong = []
    for package, (folder, _) in STANDALONE.items():
        found = sorted(folder.rglob("*.py"))
        assert found, folder  # the walker reads the packages it guards
        for path in found:
            module = ".".join((package, *path.relative_to(folder).with_suffix("").parts))
            wrong += standalone_problems(package, module, path)
    assert wrong == []


def test_the_server_imports_the_client_only_in_the_demo():
    wrong = [
        f"{module}:{line} imports {name}"
        for module, path in modules()
        if module.split(".")[0] != "demo"
        for line, name in all_imports(path)
        if name == "pubdata_client"
    ]
    assert wrong == []


def test_the_rule_sees_the_imports_it_must_refuse(tmp_path):
    """The walker is not blind: a module importing another domain's models would be reported."""
    probe = tmp_path / "probe.py"
    probe.write_text("from pubdata.contracts.models import Contract\nimport pubdata.jobs.pages\n", encoding="utf-8")
    assert [name for _, name in imports_of(probe)] == ["pubdata.contracts.models.Contract", "pubdata.jobs.pages"]
    assert _imported("pubdata.contracts.models.Contract") == ("contracts", "models")
    assert "models" not in public_modules("contracts")
    sdk = tmp_path / "sdk.py"
    sdk.write_text(
        "from pubdata_protocol import messages\nfrom pubdata.identity import service\nimport sqlalchemy\n"
        "from pubdata_client import api\n",
        encoding="utf-8",
    )
    assert standalone_problems("pubdata_client", "pubdata_client.sdk", sdk) == [
        "pubdata_client.sdk:2 imports pubdata",
        "pubdata_client.sdk:3 imports sqlalchemy",
    ]
    assert standalone_problems("pubdata_protocol", "pubdata_protocol.sdk", sdk) == [
        "pubdata_protocol.sdk:2 imports pubdata",
        "pubdata_protocol.sdk:3 imports sqlalchemy",
        "pubdata_protocol.sdk:4 imports pubdata_client",
    ]
