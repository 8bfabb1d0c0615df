"""Checks a programme area makes before a referral of its service is granted (the unit's
feedback, ``handling.referral_grant`` and the signed held grant through ``handling.do_grant``).

Intake sits below the programme areas and imports none of them: each area hands in its check
at start-up (its ``AppConfig.ready``) with ``register(service_code, check)``, as the areas hand
their member facts to the registry (``jiuzhu.registry.programme_facts``). A check takes
``(household, on)`` — the referral's household and the grant's first month — and raises
``common.errors.ValidationFailed`` (field, stable code, Chinese message) to refuse; the grant
then writes nothing. Housing registers the three exclusive options: a household holding public
rental housing or a rural renovation is refused the rent subsidy (``other_housing_option``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

Check = Callable[..., None]
_CHECKS: dict[str, list[Check]] = {}


def register(service_code: str, check: Check) -> None:
    """Hand in ``check`` for ``service_code`` (idempotent: the same function is kept once)."""
    checks = _CHECKS.setdefault(service_code, [])
    if check not in checks:
        checks.append(check)


def run(*, service_code: str, household, on: date) -> None:
    """Run the checks registered for ``service_code``; the first refusal raises."""
    for check in _CHECKS.get(service_code, ()):
        check(household=household, on=on)
