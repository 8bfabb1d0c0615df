"""Formula id (the ``formula:`` of a service in the policy file) -> the function that pre-checks
the service for a household. Pure: no Django import."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from .base import Reason, Result, half_up

FORMULA_IMPL: dict[str, Callable] = {}


def formula(name: str):
    def register(fn):
        FORMULA_IMPL[name] = fn
        return fn

    return register


def make(svc, eligible: bool, amount: Decimal | None, reasons: list[Reason], members=()) -> Result:
    """A ``Result`` for service spec ``svc``; no amount when not eligible."""
    return Result(
        service=svc.code,
        category=svc.category,
        eligible=bool(eligible),
        monthly_amount=half_up(amount) if eligible and amount is not None else None,
        amount_period=svc.amount_period,
        reasons=list(reasons),
        name=svc.name,
        formula=svc.formula,
        members=tuple(members),
    )
