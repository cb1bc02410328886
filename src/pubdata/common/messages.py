"""Every word the platform shows, declared once by the domain it belongs to: zh-CN first, English beside it.

Three registries, filled by each domain's ``messages.py`` when the domain is imported:

- labels: the words of pages (``label("nav.home", lang)``);
- refusals: rule → HTTP status and a sentence in each language, with named parameters (``{code}``);
- ledger actions: action → what the public ledger calls it, and whether it is about a person (``PERSONAL``: a
  session, an account, a token), which the public ledger keeps in its tree but shows only as an internal
  operation, without who, what or whom.

A missing label, an undeclared rule or an undeclared action is a bug, so each raises instead of showing a
code. Parameters go into sentences through ``safe``: no long digit run (an ID number, a mobile) is ever
echoed, whoever typed it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
Pair = tuple[str, str]  # (zh-CN, English)

# The title of a problem answer, by status.
TITLES: dict[int, Pair] = {
    400: ("请求有误", "Bad request"),
    401: ("未通过身份验证", "Not authenticated"),
    403: ("已拒绝", "Refused"),
    404: ("未找到", "Not found"),
    405: ("不允许的请求方法", "Method not allowed"),
    409: ("当前状态不允许", "Not allowed in this state"),
    413: ("请求过大", "Payload too large"),
    422: ("输入无效", "Invalid input"),
    429: ("次数已达上限", "Too many requests"),
    500: ("服务器内部错误", "Internal error"),
    503: ("暂不可用", "Unavailable"),
    507: ("存储空间不足", "Insufficient storage"),
}


class Undeclared(LookupError):
    """A label, rule or action no domain declared: a bug in the platform, never the user's fault."""


@dataclass(frozen=True)
class Refusal:
    """A rule that refuses: its status and its sentence in each language, with ``{named}`` parameters."""

    rule: str
    status: int
    zh: str
    en: str

    @property
    def parameters(self) -> frozenset[str]:
        return _fields(self.zh) | _fields(self.en)

    def sentence(self, lang: str, params: Mapping[str, Any]) -> str:
        template = self.en if lang == "en" else self.zh
        return template.format_map({name: safe(params[name], lang) for name in _fields(template)})


_LABELS: dict[str, Pair] = {}
_REFUSALS: dict[str, Refusal] = {}
_ACTIONS: dict[str, Pair] = {}
_PERSONAL: set[str] = set()
# The mark of an action about a person: ``"identity.session.open": ("登录", "Signed in", PERSONAL)``.
PERSONAL = "personal"
Declared = Pair | tuple[str, str, str]  # an action's labels, and PERSONAL when it is about a person


def declare(
    *,
    labels: Mapping[str, Pair] | None = None,
    refusals: Mapping[str, tuple[int, str, str]] | None = None,
    actions: Mapping[str, Declared] | None = None,
) -> None:
    """Add a domain's words. A key declared twice is a bug: two domains would disagree on what it says."""
    for key, pair in (labels or {}).items():
        _add(_LABELS, key, pair)
    for rule, (status, zh, en) in (refusals or {}).items():
        refusal = Refusal(rule, status, zh, en)
        if _fields(zh) != _fields(en):
            raise ValueError(f"refusal {rule}: the two sentences take different parameters")
        _add(_REFUSALS, rule, refusal)
    for action, (zh, en, *marks) in (actions or {}).items():
        if marks not in ([], [PERSONAL]):
            raise ValueError(f"action {action}: the only mark an action takes is PERSONAL")
        _add(_ACTIONS, action, (zh, en))
        if marks:
            _PERSONAL.add(action)


def _add(table: dict[str, Any], key: str, value: Any) -> None:
    if key in table and table[key] != value:
        raise ValueError(f"{key} is declared twice")
    table[key] = value


def language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def pick(pair: Pair, lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def label(key: str, lang: str) -> str:
    try:
        return pick(_LABELS[key], lang)
    except KeyError:
        raise Undeclared(f"no label {key!r}") from None


def label_pair(key: str) -> Pair:
    try:
        return _LABELS[key]
    except KeyError:
        raise Undeclared(f"no label {key!r}") from None


def is_label(key: str) -> bool:
    return key in _LABELS


def refusal(rule: str) -> Refusal:
    try:
        return _REFUSALS[rule]
    except KeyError:
        raise Undeclared(f"no refusal {rule!r} is declared") from None


def action(action: str) -> Pair:
    try:
        return _ACTIONS[action]
    except KeyError:
        raise Undeclared(f"no ledger action {action!r} is declared") from None


def is_action(name: str) -> bool:
    return name in _ACTIONS


def is_personal(name: str) -> bool:
    """Whether an action is about a person's session or account (an undeclared action is a bug)."""
    action(name)
    return name in _PERSONAL


def is_refusal(rule: str) -> bool:
    return rule in _REFUSALS


def title(status: int, lang: str) -> str:
    return pick(TITLES.get(status, TITLES[400 if status < 500 else 500]), lang)


def refusals() -> list[Refusal]:
    return sorted(_REFUSALS.values(), key=lambda item: item.rule)


def actions() -> dict[str, Pair]:
    return dict(sorted(_ACTIONS.items()))


def negotiate(accept_language: str | None) -> str:
    """The language an API client asked for in ``Accept-Language`` (RFC 9110 weights), zh-CN by default."""
    best, best_weight = DEFAULT_LANGUAGE, 0.0
    for item in (accept_language or "").split(","):
        tag, _, parameters = item.strip().partition(";")
        weight = 1.0
        if parameters.strip().startswith("q="):
            try:
                weight = float(parameters.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        chosen = {"zh": "zh-CN", "en": "en"}.get(primary)
        if chosen and weight > best_weight:
            best, best_weight = chosen, weight
    return best


# --- parameters ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """Words with both their languages, as a parameter: a state's label, an event's, a vocabulary's."""

    pair: Pair

    def localized(self, lang: str) -> str:
        return pick(self.pair, lang)


@dataclass(frozen=True)
class Phrase:
    """A declared label with its own parameters, as one parameter of a larger sentence (a rule's problems)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def localized(self, lang: str) -> str:
        template = label(self.key, lang)
        return template.format_map({name: safe(self.params[name], lang) for name in _fields(template)})


_LONG_DIGITS = re.compile(r"\d{11,}[Xx]?")  # resident IDs (18), mobiles (11): never echoed back
_MAX_PARAMETER = 200


def safe(value: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """A parameter as a sentence may show it: lists joined, control characters dropped, long text cut, and any
    run of 11 or more digits masked, so that a refusal never repeats an ID number or a mobile."""
    if isinstance(value, Phrase):
        return value.localized(lang)  # its own parameters went through here already
    if isinstance(value, Text):
        value = value.localized(lang)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        sentences = any(isinstance(item, Phrase) for item in items)
        separator = ("；" if lang != "en" else "; ") if sentences else ("、" if lang != "en" else ", ")
        return separator.join(safe(item, lang) for item in items)
    if isinstance(value, bool):
        return pick(("是", "yes") if value else ("否", "no"), lang)
    text = "".join(ch for ch in str(value) if ch.isprintable())
    if len(text) > _MAX_PARAMETER:
        text = text[: _MAX_PARAMETER - 1] + "…"
    return _LONG_DIGITS.sub(lambda match: match[0][:3] + "*" * (len(match[0]) - 3), text)


def _fields(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)
