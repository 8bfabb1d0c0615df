"""Money is ``Decimal`` yuan with two places, always — and never passes through a binary float.

``parse_decimal`` is the one reading of a number typed by a person or read from a spreadsheet
cell: text as written (thousands separators dropped), a float cell by its shortest ``repr``
(what the spreadsheet showed: ``0.1`` stays ``Decimal("0.1")``, not ``0.1000000000000000055…``).
``amount`` is the one check of an amount a person enters (more than zero, at most
``MONEY_MAX``, at most two places)."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal, overload

from .errors import ValidationFailed

CENT = Decimal("0.01")
YUAN = Decimal("1")
MONEY_MAX = Decimal("100000000.00")  # one hundred million yuan: any amount above is a typing error


def money(value) -> Decimal:
    """Coerce to Decimal with two places. Floats are refused: they lose cents."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str, int or Decimal")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def ceil_yuan(value: Decimal) -> Decimal:
    """Round up to whole yuan (DOMAIN §3: benefit rounded to whole yuan upward)."""
    return Decimal(value).quantize(YUAN, rounding=ROUND_CEILING).quantize(CENT)


def parse_decimal(raw: Any) -> Decimal:
    """``raw`` (text, int, Decimal or a spreadsheet's float cell) as a finite Decimal.
    Raises ``ValueError`` for anything else (blank, words, NaN, infinity, a bool)."""
    if isinstance(raw, bool) or raw is None:
        raise ValueError(f"not a number: {raw!r}")
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    else:
        text = repr(raw) if isinstance(raw, float) else str(raw)
        text = text.strip().replace(",", "").replace("，", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not a number: {raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a finite number: {raw!r}")
    return value


@overload
def amount(raw: Any, *, field: str = ..., allow_none: Literal[False] = ..., label: str = ...) -> Decimal: ...
@overload
def amount(raw: Any, *, field: str = ..., allow_none: bool, label: str = ...) -> Decimal | None: ...


def amount(
    raw: Any, *, field: str = "amount", allow_none: bool = False, label: str = "金额"
) -> Decimal | None:
    """An amount a person enters (a payment, a donation; ``label`` names a quantity or hours
    counted the same way): more than zero, at most two decimal places
    (``ValidationFailed(code="invalid_amount")`` otherwise; ``amount_out_of_range`` above
    ``MONEY_MAX``)."""
    if (raw is None or (isinstance(raw, str) and not raw.strip())) and allow_none:
        return None
    try:
        value = parse_decimal(raw)
    except ValueError:
        raise ValidationFailed(f"{label}“{raw}”不是数字", field=field, code="invalid_amount") from None
    if value <= 0:
        raise ValidationFailed(f"{label}须大于0", field=field, code="invalid_amount")
    if value > MONEY_MAX:  # before quantize: 1e30 cannot be quantized (InvalidOperation, a 500)
        raise ValidationFailed(
            f"{label}超出合理范围（不超过 {MONEY_MAX:,}）", field=field, code="amount_out_of_range"
        )
    if value != value.quantize(CENT):
        raise ValidationFailed(f"{label}最多两位小数", field=field, code="invalid_amount")
    return value.quantize(CENT)
