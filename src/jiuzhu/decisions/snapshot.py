"""What a decision saw, frozen (DOMAIN §6): the household facts from the registry on a date,
the rules' result for the service with every reason and figure, the review cycle, and the
other services the rules find (the alternatives a refusal must name)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from jiuzhu.policy.facts import DibaoStatus
from jiuzhu.policy.rules import assess, evaluate, review_months

from .frames import household_facts
from .scope import decision_codes


def jsonable(value):
    if dataclasses.is_dataclass(value):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def living_members(household, on: date) -> list:
    """The members ``registry_facts`` assesses, in its order (so result indexes map to them)."""
    return [
        p
        for p in household.members.all().order_by("id")
        if not (p.deceased_on and p.deceased_on <= on) and p.birth_date <= on
    ]


def _reason(r) -> dict:
    return {"rule": r.rule, "basis": r.basis, "passed": r.passed, "detail": r.detail}


def take(household, service_code: str, on: date, policy, *, receiving: Decimal | None = None):
    """``(facts_json, result_json)`` for ``service_code`` on ``on``. ``receiving`` is the
    current monthly amount of a household under review (for gradual exit: the rules then
    decide whether the rise in income through work still pays for up to 6 months)."""
    facts = household_facts(household, on)
    if facts is None:
        return {}, {
            "service": service_code,
            "eligible": False,
            "amount": None,
            "reasons": [
                {
                    "rule": "household.alive",
                    "basis": "社会救助暂行办法 第十三条",
                    "passed": False,
                    "detail": "家庭成员均已死亡，无保障对象",
                }
            ],
            "members": [],
            "others": [],
            "as_of": on.isoformat(),
        }
    if receiving is not None:
        employed = any(m.employed for m in facts.members)
        facts = dataclasses.replace(
            facts,
            dibao_status=DibaoStatus(
                receiving=True, monthly_amount=receiving, income_rose_on=on, rose_through_employment=employed
            ),
        )
    people = living_members(household, on)
    results = evaluate(facts, on, policy)
    by_code = {r.service: r for r in results}
    res = by_code[service_code]
    spec = policy.service(service_code)
    if spec.category == "minimum_living":
        months = review_months(assess(facts, on, policy))
    else:
        months = spec.review_months or 12
    decided = decision_codes(policy)
    others = [
        {
            "service": r.service,
            "name": r.name,
            "category": r.category,
            "amount": None if r.monthly_amount is None else f"{r.monthly_amount:.2f}",
            "period": r.amount_period,
        }
        for r in results
        if r.eligible and r.service not in decided
    ]
    gradual = any(x.rule == "dibao.gradual_exit" and x.passed for x in res.reasons)
    result = {
        "service": service_code,
        "name": spec.name,
        "basis": spec.basis,
        "eligible": res.eligible,
        "amount": None if res.monthly_amount is None else f"{res.monthly_amount:.2f}",
        "period": res.amount_period,
        "reasons": [_reason(x) for x in res.reasons],
        "members": [people[i].pk for i in res.members if i < len(people)],
        "review_months": months,
        "gradual_exit": gradual,
        "others": others,
        "as_of": on.isoformat(),
    }
    return jsonable(facts), result


def failed_reasons(result: dict) -> list[dict]:
    return [r for r in result.get("reasons", []) if not r["passed"]]
