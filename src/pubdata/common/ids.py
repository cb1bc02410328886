"""Chinese identifiers, validated once at the edge.

- 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters, mod-31 check character.
- 居民身份证号码 (resident ID number), GB 11643-1999: 18 characters, a real birth date, ISO 7064 MOD 11-2.
"""

from __future__ import annotations

from datetime import date

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def is_credit_code(code: str) -> bool:
    """True when ``code`` is a well-formed unified social credit code with the right check character."""
    if len(code) != 18 or any(c not in CREDIT_ALPHABET for c in code):
        return False
    return credit_code_check_char(code[:17]) == code[17]


def resident_id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_resident_id(number: str) -> bool:
    """True for an 18-digit resident ID with a real birth date and a correct check character.

    The region code is not checked against historical region tables (codes change over time).
    """
    # ASCII digits only: "²" is a digit to str.isdigit() but no int() reads it.
    if len(number) != 18 or not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return resident_id_check_char(number[:17]) == number[17]


# --- synthetic identifiers (mock data) --------------------------------------------------------------------
#
# Mock rows must let code that validates identifiers run as it will on the real data — so their check
# characters are right — yet never be a number someone really holds, and be recognisable as made up:
#
# - a synthetic resident ID begins with ``00``. An ID's first two digits are a province of GB/T 2260, which
#   starts at 11 (北京); Hong Kong, Macao and Taiwan residence permits use 81–83 and the foreigners' permanent
#   residence ID card (2023) begins with 9, so no number ever issued begins with 0. The next four digits are
#   the county part of a real district code (``001702`` for 贵池区 341702), so code that reads the region still
#   sees a district; the birth date is real and the check digit is ISO 7064 MOD 11-2 as GB 11643 requires.
# - a synthetic unified social credit code begins with ``0``. Its first character is the registration
#   authority (GB 32100 appendix A: 1 机构编制 … 9 市场监管, A 中央军委, N 农业, Y 其他); 0 is assigned to no
#   authority, so no organisation ever registered holds such a code. The rest is as a real one: an entity
#   category, a real region code, a 9-character organisation code with its GB 11714 check character, and the
#   GB 32100 mod-31 check character.
#
# A checker recognises them with ``is_synthetic_resident_id`` / ``is_synthetic_credit_code``.

SYNTHETIC_ID_PREFIX = "00"
SYNTHETIC_CREDIT_AUTHORITY = "0"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def synthetic_resident_id(region: str, born: date, serial: int) -> str:
    """A checksum-valid resident ID in the reserved range: ``00`` + the county part of ``region`` (a 6-digit
    district code), the birth date, a 3-digit serial (odd for men, even for women) and the check digit."""
    if len(region) != 6 or not (region.isascii() and region.isdigit()) or not 0 <= serial <= 999:
        raise ValueError("a region is 6 digits and a serial 0–999")
    first17 = f"{SYNTHETIC_ID_PREFIX}{region[2:]}{born:%Y%m%d}{serial:03d}"
    return first17 + resident_id_check_char(first17)


def is_synthetic_resident_id(number: str) -> bool:
    """A well-formed resident ID from the reserved range: made up by the platform, nobody's."""
    return number.startswith(SYNTHETIC_ID_PREFIX) and is_resident_id(number)


def org_code_check_char(first8: str) -> str:
    """GB 11714 check character of an organisation code's first eight characters (digits or capitals)."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def synthetic_credit_code(region: str, body: str, category: str = "1") -> str:
    """A checksum-valid unified social credit code in the reserved range: authority ``0``, ``category``, the
    6-digit ``region``, the 8-digit organisation ``body`` with its GB 11714 check, the GB 32100 check."""
    if not (len(region) == 6 and len(body) == 8 and (region + body).isascii() and (region + body).isdigit()):
        raise ValueError("a region is 6 digits and an organisation body 8")
    first17 = SYNTHETIC_CREDIT_AUTHORITY + category + region + body + org_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def is_synthetic_credit_code(code: str) -> bool:
    """A well-formed unified social credit code from the reserved range: made up by the platform, no firm's."""
    return code.startswith(SYNTHETIC_CREDIT_AUTHORITY) and is_credit_code(code)
