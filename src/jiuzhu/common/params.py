"""A dated policy parameter, read one way everywhere.

The value — and every default — lives in the city's policy file (``policies/*.yaml``,
OpenFisca style: a value holds *from* a date). Code never types a figure in again: a file
without the parameter, or a date before its first value, is refused with the policy's own
error (``UnknownParameter`` / ``ParameterNotInForce``, both ``LookupError``) instead of
quietly using a number the city never decided."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol


class _Policy(Protocol):
    def param(self, name: str, as_of: date, **dims: Any) -> Any: ...


def parameter(policy: _Policy, key: str, on: date, **dims: Any) -> Any:
    """The value of ``key`` in force ``on`` (selected by ``dims``), from ``policy``."""
    return policy.param(key, on, **dims)
