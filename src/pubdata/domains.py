"""The platform's domains, in one list: importing each declares its words (labels, refusals, ledger actions)
and its tables. The app imports them through their routes and pages; tools that need every domain's
declarations without the app (the refusal catalogue, the import rule) call ``load``."""

from __future__ import annotations

import importlib
import importlib.util

from pubdata.common import messages

DOMAINS = (
    "identity",
    "ledger",
    "catalog",
    "registration",
    "authorization",
    "contracts",
    "queries",
    "jobs",
    "privacy",
    "scenarios",
    "products",
    "billing",
    "calendar",
    "quality",
    "reports",
    "engines",
    "workbench",
    "web",
)


def load() -> None:
    """Every domain with its declarations, as the running platform has them (lifecycles declare their rules in
    their domain's ``rules``, which the app reaches)."""
    for domain in DOMAINS:
        importlib.import_module(f"pubdata.{domain}")
        # A domain's lifecycles declare their refusals in its ``rules``, which the app may not reach yet (a
        # lifecycle whose service is still to come): the catalogue must not depend on which test ran first.
        if importlib.util.find_spec(f"pubdata.{domain}.rules") is not None:
            importlib.import_module(f"pubdata.{domain}.rules")
    importlib.import_module("pubdata.app")


def refusals_markdown() -> str:
    """Every rule the platform can refuse with, by domain: ``docs/refusals.md``."""
    load()
    lines = [
        "# Refusals",
        "",
        "Every rule the platform refuses with: its HTTP status and its sentence in zh-CN and English, `{name}` for",
        "a parameter of the request. An API answer is RFC 9457 problem+json carrying `rule`, `title` and `detail`",
        "in the language of `Accept-Language` (zh-CN by default); a page shows the sentence in the page's language.",
        "",
        "Generated from the domains' `messages.py` by `pubdata docs refusals`; a test keeps this file current.",
    ]
    current = None
    for refusal in messages.refusals():
        family = refusal.rule.split(".")[0]
        if family != current:
            current = family
            lines += ["", f"## {family}", "", "| rule | status | zh-CN | English |", "|---|---|---|---|"]
        zh, en = (text.replace("|", "\\|") for text in (refusal.zh, refusal.en))
        lines.append(f"| `{refusal.rule}` | {refusal.status} | {zh} | {en} |")
    return "\n".join(lines) + "\n"
