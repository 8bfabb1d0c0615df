"""Focused rule checks the worked examples do not spell out."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.policy.facts import HouseholdFacts, MemberFacts, TemporaryNeed
from jiuzhu.policy.rules import assess, evaluate
from jiuzhu.policy.rules.base import months_between
from jiuzhu.policy.rules.extreme_poverty import care_level

ON = date(2026, 3, 1)


def alone(**kw) -> HouseholdFacts:
    kw.setdefault("has_capable_supporter", False)
    return HouseholdFacts(area="urban", members=(MemberFacts(**kw),))


def result(policy, facts, code, on=ON):
    (r,) = evaluate(facts, on, policy, [code])
    return r


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2025, 3, 15), date(2025, 9, 14), 5),
        (date(2025, 3, 15), date(2025, 9, 15), 6),
        # DOMAIN §3 rulings: month-end clamping — a month ends on its last day when it has no
        # day of the start's number
        (date(2025, 8, 31), date(2026, 2, 28), 6),
        (date(2025, 8, 31), date(2026, 2, 27), 5),
        (date(2024, 2, 29), date(2025, 2, 28), 12),
        (date(2024, 2, 29), date(2025, 2, 27), 11),
        (date(2024, 1, 31), date(2024, 2, 29), 1),
        (date(2026, 4, 1), date(2026, 3, 1), -1),
    ],
)
def test_months_between(start, end, months):
    assert months_between(start, end) == months


@pytest.mark.parametrize(
    ("failed", "level"), [(0, "full"), (1, "partial"), (3, "partial"), (4, "none"), (6, "none")]
)
def test_six_daily_living_items_decide_the_care_level(policy, failed, level):
    hh = assess(alone(age=80, self_care="full", self_care_items_failed=failed), ON, policy)
    assert care_level(hh, hh.members[0]) == level


@pytest.mark.parametrize(
    ("member", "tekun"),
    [
        (dict(age=15), True),
        (dict(age=16), False),
        (dict(age=17, school_stage="senior"), True),
        (dict(age=18, school_stage="senior"), False),
        (dict(age=18, school_stage="vocational", in_tekun_support=True), True),
        (dict(age=59), False),
        (dict(age=60), True),
        (dict(age=40, disability_kind="intellectual", disability_grade=3), True),
        (dict(age=40, disability_kind="mental", disability_grade=4), False),
        (dict(age=40, disability_kind="visual", disability_grade=1), True),
        (dict(age=40, disability_kind="visual", disability_grade=2), False),
        (dict(age=40, disability_kind="hearing", disability_grade=1), False),
        (dict(age=70, has_capable_supporter=True), False),
        (dict(age=70, supporter_unable="imprisoned"), True),
    ],
)
def test_extreme_poverty_no_labour_capacity_and_supporter(policy, member, tekun):
    assert result(policy, alone(**member), "tekun_dispersed").eligible is tekun


@pytest.mark.parametrize(
    ("amount", "level"), [("2850", "镇街审批"), ("2850.01", "县级民政部门审批"), ("5700.01", "联席会议")]
)
def test_temporary_approval_level(policy, amount, level):
    facts = HouseholdFacts(
        area="urban", members=(MemberFacts(age=40),), temporary=TemporaryNeed(kind="emergency", amount=amount)
    )
    r = result(policy, facts, "temporary_emergency")
    assert r.eligible and any(level in x.detail for x in r.reasons if x.rule == "temporary.amount")


def test_reason_text_cites_the_rule(policy):
    r = result(policy, alone(age=45, labour_capacity="partial", has_capable_supporter=True), "dibao")
    income = next(x for x in r.reasons if x.rule == "dibao.income")
    assert (
        income.text
        == "符合：家庭人均月收入 ¥0.00（1 人合计 ¥0.00）< 低保标准 ¥950.00（城市）（社会救助暂行办法 第九条）"
    )


def test_all_services_by_default_in_catalogue_order(policy):
    results = evaluate(alone(age=30), ON, policy)
    assert [r.service for r in results] == [s.code for s in policy.services]
    assert all(r.monthly_amount is None for r in results if not r.eligible)
