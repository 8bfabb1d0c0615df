"""Rules as code: every rule of DOMAIN §3 as pure functions over ``HouseholdFacts`` with the
parameters in force on the date asked. Each service's pre-check returns a ``Result`` with
the amount and one ``Reason`` per criterion (rule, basis, passed, figures compared).

    from jiuzhu.policy.rules import evaluate
    results = evaluate(facts, date(2026, 3, 1), policy)            # every service
    results = evaluate(facts, date(2026, 3, 1), policy, ["dibao"])  # some

Pure: no Django import. The batch path (``jiuzhu.policy.batch``) computes the same results
over data frames; a property test keeps the two equal.
"""

from __future__ import annotations

from datetime import date

from . import (  # noqa: F401  (registering the formulas)
    disaster,
    education,
    employment,
    extreme_poverty,
    housing,
    medical,
    minimum_living,
    social,
    temporary,
)
from .base import Params, Reason, Result
from .context import Household
from .minimum_living import review_months
from .registry import FORMULA_IMPL

__all__ = ["FORMULA_IMPL", "Household", "Params", "Reason", "Result", "assess", "evaluate", "review_months"]


def assess(household, as_of: date, policy) -> Household:
    """The household as the rules see it on ``as_of`` (members, means, statuses), for
    callers that want more than the per-service results (e.g. a verification report)."""
    return Household(household, as_of, policy)


def evaluate(household, as_of: date, policy, services=None) -> list[Result]:
    """Pre-check ``services`` (codes; default every service of the policy, in catalogue order)
    for ``household`` (``HouseholdFacts``) with the parameters in force on ``as_of``.
    Raises ``UnknownService`` for a code the policy lacks and ``ParameterNotInForce`` for a
    date before the parameters begin."""
    hh = Household(household, as_of, policy)
    specs = policy.services if services is None else [policy.service(c) for c in services]
    names = {s.code: s.name for s in policy.services}
    out = []
    for svc in specs:
        result = FORMULA_IMPL[svc.formula](hh, svc)
        if result.eligible and svc.exclusive_with:
            others = "、".join(names[c] for c in svc.exclusive_with)
            result.reasons.append(
                Reason("exclusive_with", svc.basis, True, f"同一人、同一需求不得同时享受：{others}")
            )
        out.append(result)
    return out
