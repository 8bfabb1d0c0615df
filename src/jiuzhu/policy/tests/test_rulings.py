"""The rulings of DOMAIN §3 where the rules read two ways, each pinned by a worked example on
both paths (one household, and the batch over frames): a minor in extreme-poverty support keeps
it to 18 whatever his schooling; multiple disability of grade 1–2 is no labour capacity; facts
that cannot be true on the evaluation date are input errors with a field and a code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.policy import frames
from jiuzhu.policy.batch import evaluate_batch
from jiuzhu.policy.facts import DibaoStatus, HouseholdFacts, Income, InvalidFacts, MemberFacts
from jiuzhu.policy.rules import evaluate

ON = date(2026, 3, 1)  # urban dibao standard ¥950: tekun basic 1.3 × 950 = ¥1,235


def alone(**kw) -> HouseholdFacts:
    kw.setdefault("has_capable_supporter", False)
    return HouseholdFacts(area="urban", members=(MemberFacts(**kw),))


def both(policy, facts, code="tekun_dispersed"):
    """(eligible, monthly amount) of ``code`` by the single path and by the batch path."""
    (r,) = evaluate(facts, ON, policy, [code])
    row = evaluate_batch(frames.from_facts([facts]), ON, policy, [code]).row(0, named=True)
    batch = (row[f"{code}_eligible"], row[f"{code}_amount"])
    single = (r.eligible, None if r.monthly_amount is None else int(r.monthly_amount * 100))
    assert batch == single
    return r


@pytest.mark.parametrize(
    ("member", "eligible"),
    [
        # in support, not at school: kept to 18 (was: stopped at 16)
        (dict(age=16, in_tekun_support=True), True),
        (dict(age=17, in_tekun_support=True), True),
        (dict(age=18, in_tekun_support=True), False),
        # beyond 18 only while in compulsory, senior secondary or vocational schooling
        (dict(age=19, in_tekun_support=True, school_stage="vocational"), True),
        (dict(age=19, in_tekun_support=True, school_stage="university"), False),
        # a new applicant meets the age test on the day he applies
        (dict(age=16), False),
        (dict(age=16, school_stage="senior"), True),
    ],
)
def test_minor_in_extreme_poverty_support_keeps_it_to_18(policy, member, eligible):
    r = both(policy, alone(**member))
    assert r.eligible is eligible
    if eligible:
        assert r.monthly_amount == Decimal("1335.00")  # ¥1,235 basic + ¥100 care (self-caring)
    if member == dict(age=16, in_tekun_support=True):
        assert any("不论是否在学均保障至 18 周岁" in x.detail for x in r.reasons)


@pytest.mark.parametrize(("grade", "eligible"), [(1, True), (2, True), (3, False), (4, False)])
def test_multiple_disability_grade_1_to_2_is_no_labour_capacity(policy, grade, eligible):
    r = both(policy, alone(age=40, disability_kind="multiple", disability_grade=grade))
    assert r.eligible is eligible
    labour = next(x for x in r.reasons if x.rule == "tekun.no_labour_capacity")
    assert labour.passed is eligible and f"多重残疾 {grade} 级" in labour.detail


@pytest.mark.parametrize(
    ("facts", "code", "field"),
    [
        # a baby born after the evaluation date was assessed as aged −1 and granted tekun
        (
            HouseholdFacts(
                area="urban",
                members=(
                    MemberFacts(age=70, has_capable_supporter=False),
                    MemberFacts(relation="child", birth_date=date(2026, 3, 2), has_capable_supporter=False),
                ),
            ),
            "born_after_as_of",
            "members[1].birth_date",
        ),
        (
            HouseholdFacts(
                area="urban",
                members=(MemberFacts(age=40, employed=True, income=Income(wages=Decimal(1000))),),
                dibao_status=DibaoStatus(receiving=True, income_rose_on=date(2026, 4, 1)),
            ),
            "income_rose_after_as_of",
            "dibao_status.income_rose_on",
        ),
    ],
)
def test_impossible_facts_are_refused_on_both_paths(policy, facts, code, field):
    with pytest.raises(InvalidFacts) as exc:
        evaluate(facts, ON, policy)
    assert (exc.value.code, exc.value.field, exc.value.status) == (code, field, 422)
    out = evaluate_batch(frames.from_facts([facts]), ON, policy)
    row = out.row(0, named=True)
    assert (row["refused_code"], row["refused_field"]) == (code, field)
    assert not any(row[f"{s.code}_eligible"] for s in policy.services)
    # the same household the day the child was born is assessed as usual
    assert evaluate(facts, date(2026, 4, 1), policy)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: MemberFacts(age=-1), "age"),
        (lambda: Income(wages=Decimal("-0.01")), "wages"),
        (lambda: MemberFacts(age=30, disability_grade=2), "disability_grade"),
    ],
)
def test_values_impossible_on_any_date_are_refused_when_built(build, field):
    with pytest.raises(InvalidFacts) as exc:
        build()
    assert exc.value.field == field and exc.value.status == 422
