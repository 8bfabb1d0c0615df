"""Resident identity numbers (GB 11643-1999). Pure: no Django import.

18 digits: 6 address code, 8 birth date (YYYYMMDD), 3 sequence (odd = male), 1 check
character (ISO 7064 MOD 11-2, ``X`` for 10). A 15-digit number (pre-1999) has a
2-digit year and no check character; it is upgraded by inserting ``19`` and computing
the check character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .errors import ValidationFailed

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_RE18 = re.compile(r"^\d{17}[\dX]$")
_RE15 = re.compile(r"^\d{15}$")


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def upgrade15(number15: str) -> str:
    body = number15[:6] + "19" + number15[6:]
    return body + check_char(body)


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: date
    gender: str  # "M" | "F"
    division_code: str
    upgraded_from_15: bool = False


def parse(raw: str, *, field: str = "id_number", today: date | None = None) -> IdInfo:
    """Validate and normalise an ID number, or raise ``ValidationFailed`` saying why."""
    number = (raw or "").strip().upper()
    upgraded = False
    if _RE15.match(number):
        number = upgrade15(number)
        upgraded = True
    if not _RE18.match(number):
        raise ValidationFailed(
            "身份证号码应为18位（最后一位可为X）或15位数字", field=field, code="id_number_format"
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationFailed(
            f"身份证号码中的出生日期 {number[6:14]} 不存在", field=field, code="id_number_birth_date"
        ) from None
    if born < date(1890, 1, 1) or born > (today or date.today()):
        raise ValidationFailed(
            f"身份证号码中的出生日期 {born.isoformat()} 不可能", field=field, code="id_number_birth_date"
        )
    if not upgraded and number[17] != check_char(number[:17]):
        raise ValidationFailed(
            f"身份证号码校验位错误（第18位应为 {check_char(number[:17])}）",
            field=field,
            code="id_number_check_digit",
        )
    gender = "M" if int(number[16]) % 2 else "F"
    return IdInfo(number, born, gender, number[:6], upgraded)


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except ValidationFailed:
        return False
    return True


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
