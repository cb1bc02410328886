"""Names and labels people type: one normal form, so that no two of them look alike and differ in bytes.

An organisation's name is how everyone recognises it: 池州市公安局 must not have a twin made of a zero-width
space, a decomposed character, full-width digits, a right-to-left override or a NUL byte. Every name and label
the platform stores from users goes through ``clean`` (services call it, so the API, pages, the command line
and the demo alike) or through the ``Name`` type of a schema (which calls it too):

- Unicode NFKC: compatibility twins (full-width letters and digits, the ideographic space, compatibility
  ideographs) become the one character they stand for, and a decomposed character its composed form;
- white space around it is dropped, and each run inside it becomes one space;
- control characters (NUL, line feeds…), format characters (zero-width space and joiner, bidirectional
  overrides and isolates, the byte-order mark…), surrogates, private-use and unassigned code points, line and
  paragraph separators, and the other default-ignorable code points (Hangul fillers, variation selectors) are
  refused, each by its own rule naming the character by its code point;
- a name made of nothing visible is refused.

Names are stored in this form, so the unique constraints on them compare normal forms. Case is kept: names are
mostly Chinese, and a Latin name is shown as its owner writes it (``ACME`` and ``Acme`` stay two names).

``Prose`` (a description, a reason) is the same but for length and lines: it keeps its line breaks and tabs and
is NFC-normalised only, since NFKC would turn Chinese full-width punctuation (，：（）) into ASCII.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationInfo

from pubdata.common.errors import Refused
from pubdata.common.messages import Text, declare

# Default-ignorable code points (Unicode DerivedCoreProperties) that are neither control, format nor unassigned:
# they render as nothing, so a name could carry them unseen.
_IGNORABLE = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0xFFA0]
    + list(range(0xFE00, 0xFE10))
    + list(range(0xE0100, 0xE01F0))
)
# Characters that show as blank although Unicode calls them symbols or letters.
_BLANK = frozenset([0x2800])
_RULE_OF = {"Cc": "text.control", "Cf": "text.format", "Cs": "text.surrogate", "Co": "text.private-use"}
_RULE_OF |= {"Cn": "text.unassigned", "Zl": "text.separator", "Zp": "text.separator"}
_SPACES = re.compile(r"\s+")
_PROSE_KEPT = frozenset("\n\t")

REFUSALS = {
    "text.control": (
        422,
        "{field} 含有控制字符 {character}，名称和文字中不能使用。",
        "{field} contains the control character {character}, which names and texts may not hold.",
    ),
    "text.format": (
        422,
        "{field} 含有不可见的格式字符 {character}（如零宽空格、从右到左覆盖、字节顺序标记），不能使用。",
        "{field} contains the invisible format character {character} (a zero-width space, a direction "
        "override, a byte-order mark…), which may not be used.",
    ),
    "text.surrogate": (
        422,
        "{field} 含有单独的代理码位 {character}，不是有效的文字。",
        "{field} contains the lone surrogate {character}, which is not text.",
    ),
    "text.private-use": (
        422,
        "{field} 含有私用区字符 {character}，各处显示不同，不能使用。",
        "{field} contains the private-use character {character}, which shows differently everywhere.",
    ),
    "text.unassigned": (
        422,
        "{field} 含有 Unicode 尚未分配的码位 {character}，不能使用。",
        "{field} contains {character}, a code point Unicode has not assigned.",
    ),
    "text.separator": (
        422,
        "{field} 含有行或段落分隔符 {character}，名称应为一行。",
        "{field} contains the line or paragraph separator {character}; a name is one line.",
    ),
    "text.invisible": (
        422,
        "{field} 含有不显示的字符 {character}（如填充符、异体字选择符），不能使用。",
        "{field} contains {character}, a character that shows as nothing (a filler, a variation selector).",
    ),
    "text.blank": (
        422,
        "{field} 不能为空，也不能只由空白或不可见字符组成。",
        "{field} may not be empty or made only of spaces and invisible characters.",
    ),
    "text.too-long": (
        422,
        "{field} 最多 {limit} 个字符。",
        "{field} may have at most {limit} characters.",
    ),
}

declare(refusals=REFUSALS)

# What a refusal calls the field, in both languages; a field not listed is called by its key.
FIELDS = {
    "name": ("名称", "The name"),
    "display_name": ("姓名", "The display name"),
    "title": ("标题", "The title"),
    "label": ("中文标签", "The label"),
    "description": ("说明", "The description"),
    "time_span": ("时间范围", "The time span"),
    "tender_reference": ("采购项目编号", "The tender reference"),
    "reason": ("理由", "The reason"),
    "note": ("意见", "The note"),
    "finding": ("监管意见", "The finding"),
}


def _called(field: str) -> Text | str:
    pair = FIELDS.get(field)
    return Text(pair) if pair else field


def clean(value: str, *, field: str, max_length: int | None = None, blank: bool = False) -> str:
    """A name or label in its normal form (NFKC, trimmed, inner spaces as one), or a refusal naming the rule.
    ``blank`` lets an optional label be empty; text of spaces or invisible characters alone is never a name."""
    text = unicodedata.normalize("NFKC", value)
    _refuse_characters(text, field=field, kept=frozenset())
    text = _SPACES.sub(" ", text).strip()
    return _checked(text, value, field=field, max_length=max_length, blank=blank)


def clean_prose(value: str, *, field: str, max_length: int | None = None, blank: bool = True) -> str:
    """A text of several lines (a description, a reason): NFC, trimmed, line ends as ``\\n``, with the same
    characters refused as in a name but line breaks and tabs."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    _refuse_characters(text, field=field, kept=_PROSE_KEPT)
    return _checked(text.strip(), value, field=field, max_length=max_length, blank=blank)


def _refuse_characters(text: str, *, field: str, kept: frozenset[str]) -> None:
    for character in text:
        if character in kept:
            continue
        rule = _RULE_OF.get(unicodedata.category(character))
        if rule is None and ord(character) in _IGNORABLE:
            rule = "text.invisible"
        if rule is not None:
            raise Refused(rule, field=_called(field), character=f"U+{ord(character):04X}")


def _checked(text: str, value: str, *, field: str, max_length: int | None, blank: bool) -> str:
    visible = any(not character.isspace() and ord(character) not in _BLANK for character in text)
    if not visible and (text or not blank):
        raise Refused("text.blank", field=_called(field))
    if not visible:
        return ""
    if max_length is not None and len(text) > max_length:
        raise Refused("text.too-long", field=_called(field), limit=max_length)
    return text


def _field_name(info: ValidationInfo) -> str:
    return info.field_name or "name"


def _name(value: Any, info: ValidationInfo) -> Any:
    # Anything but a string is left to the str type's own refusal.
    return clean(value, field=_field_name(info)) if isinstance(value, str) else value


def _optional_name(value: Any, info: ValidationInfo) -> Any:
    return clean(value, field=_field_name(info), blank=True) if isinstance(value, str) else value


def _prose(value: Any, info: ValidationInfo) -> Any:
    return clean_prose(value, field=_field_name(info)) if isinstance(value, str) else value


# In a schema: ``name: Name = Field(min_length=1, max_length=200)``; the length is the normal form's.
Name = Annotated[str, BeforeValidator(_name)]
OptionalName = Annotated[str, BeforeValidator(_optional_name)]  # may be empty (an optional label)
Prose = Annotated[str, BeforeValidator(_prose)]
