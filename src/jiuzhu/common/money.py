"""Money is ``Decimal`` yuan with two places, always."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
YUAN = Decimal("1")


def money(value) -> Decimal:
    """Coerce to Decimal with two places. Floats are refused: they lose cents."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str, int or Decimal")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def ceil_yuan(value: Decimal) -> Decimal:
    """Round up to whole yuan (DOMAIN §3: benefit rounded to whole yuan upward)."""
    return Decimal(value).quantize(YUAN, rounding=ROUND_CEILING).quantize(CENT)
