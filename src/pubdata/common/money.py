"""Money in integer fen (分): parsed from what people write (``¥1,234.56``, ``1234.5``, ``１２３４元``), shown as
``¥1,234.56``, and never a float — a float cannot hold 0.1 yuan exactly, and prices, caps and statements must
add up to the fen.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

FEN_PER_YUAN = 100
# Yuan with thousands separators in the right places or none, and at most two decimals: 1,234.56 | 1234 | 0.5;
# at most fifteen digits of yuan (below ¥10^15: no amount here comes near, and no huge number reaches int()).
_AMOUNT = re.compile(r"^(?P<sign>-)?(?P<yuan>\d{1,3}(?:,\d{3}){1,4}|\d{1,15})(?:\.(?P<fen>\d{1,2}))?$")
_MARKS = ("¥", "￥", "元", "CNY", "RMB")


class MoneyError(ValueError):
    """Text that is not an amount of money as this platform writes one."""


@dataclass(frozen=True, order=True)
class Money:
    """An amount in fen. ``Money(123456)`` is ¥1,234.56."""

    fen: int

    def __post_init__(self) -> None:
        if not isinstance(self.fen, int) or isinstance(self.fen, bool):
            raise TypeError("money is a whole number of fen, never a float")

    @classmethod
    def of_yuan(cls, yuan: int) -> Money:
        if not isinstance(yuan, int) or isinstance(yuan, bool):
            raise TypeError("whole yuan only; write fractions of a yuan as fen")
        return cls(yuan * FEN_PER_YUAN)

    def __add__(self, other: Money) -> Money:
        return Money(self.fen + other.fen)

    def __sub__(self, other: Money) -> Money:
        return Money(self.fen - other.fen)

    def times(self, units: int) -> Money:
        """A unit price times a whole number of units (calls, subjects, records)."""
        if not isinstance(units, int) or isinstance(units, bool):
            raise TypeError("units are counted, not measured")
        return Money(self.fen * units)

    def __str__(self) -> str:
        return format_fen(self.fen)


def parse(text: str, *, allow_negative: bool = False) -> Money:
    """``¥1,234.56`` → Money(123456). Full-width digits and currency marks are accepted; a third decimal, a
    misplaced separator, a float's exponent or an empty string are not (nothing is rounded)."""
    normalised = unicodedata.normalize("NFKC", str(text)).strip()
    for mark in _MARKS:
        normalised = normalised.replace(unicodedata.normalize("NFKC", mark), "")
    normalised = normalised.replace(" ", "")
    found = _AMOUNT.match(normalised)
    if found is None:
        raise MoneyError(f"not an amount of money: {text!r}")
    if found["sign"] and not allow_negative:
        raise MoneyError("an amount here cannot be negative")
    yuan = int(found["yuan"].replace(",", ""))
    fen = int((found["fen"] or "0").ljust(2, "0"))
    total = yuan * FEN_PER_YUAN + fen
    return Money(-total if found["sign"] else total)


def format_fen(fen: int) -> str:
    """123456 → ``¥1,234.56``; -5 → ``-¥0.05``."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError("money is a whole number of fen, never a float")
    sign = "-" if fen < 0 else ""
    yuan, rest = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}¥{yuan:,}.{rest:02d}"
