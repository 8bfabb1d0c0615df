"""Building facts: from the API's shape, and from a registry household (the one intake's
proposals use)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.policy.facts import InvalidFacts, MemberFacts, from_dict, from_registry
from jiuzhu.policy.rules import assess, evaluate, review_months
from jiuzhu.registry.services import asset_add, income_add


def test_from_dict_names_nested_fields():
    with pytest.raises(InvalidFacts) as info:
        from_dict(
            {
                "area": "urban",
                "members": [{"age": 30}],
                "assets": {"vehicles": [{"value": "1", "purpose": "boat"}]},
            }
        )
    assert info.value.field == "household.assets.vehicles.0.purpose" and info.value.status == 422


def test_floats_are_refused():
    with pytest.raises(InvalidFacts):
        MemberFacts(age=30, out_of_pocket=0.1)


def test_review_cycle_six_months_with_able_members(policy):
    on = date(2026, 3, 1)
    able = from_dict({"area": "urban", "members": [{"age": 35, "gender": "M"}]})
    old = from_dict({"area": "urban", "members": [{"age": 75, "gender": "M"}]})
    assert review_months(assess(able, on, policy)) == 6
    assert review_months(assess(old, on, policy)) == 12


def test_from_registry(make_household, policy):
    household = make_household(
        members=[
            {
                "name": "王芳",
                "birth": date(1985, 4, 2),
                "gender": "F",
                "relation": "head",
                "employment_status": "employed",
            },
            {"name": "王小明", "birth": date(2016, 9, 1), "relation": "child", "school_stage": "primary"},
            {
                "name": "王老汉",
                "birth": date(1950, 1, 1),
                "relation": "parent",
                "disability_kind": "physical",
                "disability_grade": 2,
            },
        ],
        dwelling_area=Decimal("30"),
    )
    head, child, elder = household.members.order_by("id")
    income_add(
        actor=None,
        person=head,
        kind="wages",
        monthly_amount="1500",
        period_start=date(2025, 3, 1),
        period_end=date(2026, 2, 28),
    )
    income_add(
        actor=None,
        person=elder,
        kind="special_care",
        monthly_amount="300",
        period_start=date(2025, 3, 1),
        period_end=date(2026, 2, 28),
    )
    income_add(
        actor=None,
        person=elder,
        kind="transfer",
        monthly_amount="999",
        period_start=date(2020, 1, 1),
        period_end=date(2020, 12, 31),
    )  # too old to count
    asset_add(actor=None, household=household, kind="financial", value="10000", as_of=date(2026, 1, 1))
    asset_add(
        actor=None, household=household, kind="house", value="0", floor_area="30", as_of=date(2026, 1, 1)
    )

    facts = from_registry(household, date(2026, 3, 1))
    assert [m.age_on(date(2026, 3, 1)) for m in facts.members] == [40, 9, 76]
    assert facts.members[0].employed and facts.members[0].income.wages == Decimal("1500.00")
    assert facts.members[2].income.excluded == Decimal("300.00") and facts.members[2].income.transfer == 0
    assert facts.assets.financial == Decimal("10000.00") and len(facts.assets.houses) == 1
    results = {r.service: r for r in evaluate(facts, date(2026, 3, 1), policy)}
    # 1,200 counted after the employment cost; gap 1,650; the elder (76, grade 2) gets one add-on of 190
    assert results["dibao"].eligible and results["dibao"].monthly_amount == Decimal("1840.00")
    assert results["housing_rent_subsidy"].monthly_amount == Decimal("300.00")


def test_from_registry_without_living_members_is_none(make_household):
    household = make_household(members=[{"name": "李四", "birth": date(1940, 1, 1), "relation": "head"}])
    household.members.update(deceased_on=date(2025, 1, 1))
    assert from_registry(household, date(2026, 3, 1)) is None
