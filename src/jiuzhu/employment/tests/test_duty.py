"""The employment duty walked end to end (DOMAIN §7 就业; 社会救助暂行办法 第四十五条): an able
member of a dibao household is registered unemployed, refuses three suitable offers without
good reason → the duty letter (PDF) is issued and the household's dibao goes to review the same
day, where the rules leave his own share out; the caseworker confirms, the approver signs and
the entitlement is lower from the next month. A refusal with a good reason does not count; an
acceptance ends the registration in employment, which the next review reads."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.errors import IllegalTransition, PermissionDenied, ValidationFailed
from jiuzhu.decisions import reviews
from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.decisions.letters import pdf
from jiuzhu.decisions.models import Entitlement, Review
from jiuzhu.employment import selectors, services
from jiuzhu.employment.models import DutyLetter, Offer
from jiuzhu.registry import programme_facts


@pytest.fixture
def world(staff, make_household, policy):
    home = make_household(
        members=[
            {"name": "张志强", "birth": date(1986, 3, 2), "relation": "head", "labour_capacity": "full"},
            {
                "name": "李秀英",
                "birth": date(1978, 6, 9),
                "relation": "spouse",
                "gender": "F",
                "labour_capacity": "partial",
            },
            {"name": "张小明", "birth": date(2012, 9, 1), "relation": "child", "school_stage": "junior"},
        ]
    )
    members = list(home.members.order_by("id"))
    dibao = entitlement_grant(
        household=home,
        payee=members[0],
        members=members,
        service_code="dibao",
        amount="2850",
        start_month=date(2026, 4, 1),
        next_review_on=date(2027, 4, 1),
        actor=staff("approver"),
        policy=policy,
        origin="审核确认",
    )
    officer = staff("department_officer", "hrss")
    return {"home": home, "head": members[0], "spouse": members[1], "dibao": dibao, "officer": officer}


def _offer(w, on, employer="示范市物业公司"):
    return services.offer_create(
        actor=w["officer"],
        registration=w["reg"],
        employer=employer,
        position="保洁员",
        monthly_wage="2200",
        offered_on=on,
    )


def _refuse(w, offer, on, reason="嫌工资低", good=False, policy=None):
    return services.offer_answer(
        actor=w["officer"],
        offer=offer,
        answer=Offer.REFUSED,
        answered_on=on,
        reason=reason,
        good_reason=good,
        policy=policy,
    )


def test_three_refusals_bring_the_duty_letter_and_the_review_stops_his_share(world, staff, policy):
    w = world
    w["reg"] = services.registration_create(
        actor=w["officer"], person=w["head"], registered_on=date(2026, 5, 4), policy=policy
    )
    with pytest.raises(ValidationFailed) as err:  # the spouse cannot fully work: not registered
        services.registration_create(
            actor=w["officer"], person=w["spouse"], registered_on=date(2026, 5, 4), policy=policy
        )
    assert err.value.code == "not_able_to_work"

    _refuse(w, _offer(w, date(2026, 5, 6)), date(2026, 5, 7), policy=policy)
    _refuse(
        w, _offer(w, date(2026, 5, 11)), date(2026, 5, 12), reason="母亲住院需陪护", good=True, policy=policy
    )
    _refuse(w, _offer(w, date(2026, 5, 18)), date(2026, 5, 19), policy=policy)
    assert not DutyLetter.objects.exists() and not Review.objects.exists()  # two without good reason so far
    assert programme_facts.household_facts(w["home"], date(2026, 5, 20))[w["head"].pk] == {"work_refusals": 2}

    third = _offer(w, date(2026, 6, 1), employer="示范市园林绿化公司")
    _refuse(w, third, date(2026, 6, 2), reason="不想干", policy=policy)

    letter = DutyLetter.objects.get()
    assert letter.last_offer == third and letter.issued_on == date(2026, 6, 2)
    assert letter.content["addressee"] == "张志强" and "连续 3 次" in letter.content["opening"]
    assert [r["detail"][:11] for r in letter.content["reasons"]] == [
        "2026年05月07日",
        "2026年05月19日",
        "2026年06月02日",
    ]
    assert "行政复议" in letter.content["appeal"]["text"]
    body = pdf(letter)
    assert body.startswith(b"%PDF") and len(body) > 1000

    review = Review.objects.get()  # the dibao put to review the same day, reason: 家庭情况变化
    assert (review.entitlement_id, review.reason, review.generated_on) == (
        w["dibao"].pk,
        Review.CHANGE,
        date(2026, 6, 2),
    )
    assert review.proposal == Review.ADJUST and review.proposed_amount == Decimal("1900.00")  # 2 of 3 shares
    duty = [r for r in review.result["reasons"] if r["rule"] == "dibao.employment_duty"]
    assert duty and not duty[0]["passed"] and "连续 3 次" in duty[0]["detail"]

    reviews.review_confirm(actor=staff("town_caseworker"), review=review, today=date(2026, 6, 3))
    signed = reviews.review_sign(actor=staff("approver"), review=review, today=date(2026, 6, 5))
    new = signed.result_entitlement
    assert (new.amount, new.start_month) == (Decimal("1900.00"), date(2026, 7, 1))
    assert Entitlement.objects.get(pk=w["dibao"].pk).end_month == date(2026, 6, 1)

    fourth = _offer(w, date(2026, 6, 8))  # a fourth refusal: no second letter for the same row
    _refuse(w, fourth, date(2026, 6, 9), policy=policy)
    assert DutyLetter.objects.count() == 1


def test_accepting_an_offer_ends_the_registration_in_employment_and_feeds_the_review(world, policy):
    w = world
    w["reg"] = services.registration_create(
        actor=w["officer"], person=w["head"], registered_on=date(2026, 5, 4), policy=policy
    )
    o = _offer(w, date(2026, 5, 6))
    with pytest.raises(ValidationFailed) as err:  # one open offer at a time
        _offer(w, date(2026, 5, 7))
    assert err.value.code == "offer_pending"
    services.offer_answer(
        actor=w["officer"], offer=o, answer=Offer.ACCEPTED, answered_on=date(2026, 5, 8), policy=policy
    )
    w["reg"].refresh_from_db()
    assert (w["reg"].ended_reason, w["reg"].employer, w["reg"].monthly_wage) == (
        "employed",
        "示范市物业公司",
        Decimal("2200.00"),
    )
    assert programme_facts.household_facts(w["home"], date(2026, 5, 9))[w["head"].pk] == {"employed": True}
    assert Review.objects.get().reason == Review.CHANGE  # the dibao looked at again with the job on file
    with pytest.raises(IllegalTransition):
        services.offer_answer(
            actor=w["officer"],
            offer=o,
            answer=Offer.REFUSED,
            answered_on=date(2026, 5, 9),
            reason="反悔",
            policy=policy,
        )


def test_public_post_only_for_a_zero_employment_dibao_household_and_due_within_30_days(world, policy):
    w = world
    reg = services.registration_create(
        actor=w["officer"], person=w["head"], registered_on=date(2026, 5, 4), policy=policy
    )
    due = selectors.public_post_due(actor=w["officer"], on=date(2026, 6, 10), policy=policy)
    assert [(d["household"].pk, d["due_on"], d["overdue"]) for d in due] == [
        (w["home"].pk, date(2026, 6, 3), True)
    ]
    w["spouse"].employment_status = "flexible"  # a member works: not a zero-employment household
    w["spouse"].save()
    with pytest.raises(ValidationFailed) as err:
        services.offer_create(
            actor=w["officer"],
            registration=reg,
            employer="幸福社区居委会",
            position="保洁公益岗",
            monthly_wage="1800",
            offered_on=date(2026, 6, 10),
            kind=Offer.PUBLIC_POST,
        )
    assert err.value.code == "not_zero_employment"
    assert selectors.public_post_due(actor=w["officer"], on=date(2026, 6, 10), policy=policy) == []
    w["spouse"].employment_status = "none"
    w["spouse"].save()
    post = services.offer_create(
        actor=w["officer"],
        registration=reg,
        employer="幸福社区居委会",
        position="保洁公益岗",
        monthly_wage="1800",
        offered_on=date(2026, 6, 10),
        kind=Offer.PUBLIC_POST,
    )
    assert selectors.public_post_due(actor=w["officer"], on=date(2026, 6, 10), policy=policy) == []
    services.offer_answer(
        actor=w["officer"], offer=post, answer=Offer.ACCEPTED, answered_on=date(2026, 6, 11), policy=policy
    )
    s = services.subsidy_grant(
        actor=w["officer"], registration=reg, kind="post", start_month=date(2026, 7, 1), policy=policy
    )
    assert (s.amount, s.entitlement.amount_period, s.entitlement.payee_id, s.entitlement.unit.code) == (
        Decimal("600.00"),
        "month",
        w["head"].pk,
        "hrss",
    )
    with pytest.raises(ValidationFailed) as err:
        services.subsidy_grant(
            actor=w["officer"], registration=reg, kind="post", start_month=date(2026, 8, 1), policy=policy
        )
    assert err.value.code == "already_granted"


def test_training_subsidy_paid_to_the_employer_and_scope(world, staff, policy):
    from jiuzhu.payments import institutions

    w = world
    reg = services.registration_create(
        actor=w["officer"], person=w["head"], registered_on=date(2026, 5, 4), policy=policy
    )
    firm = institutions.institution_register(
        actor=w["officer"],
        code="EMP-1",
        name="示范市技工培训中心",
        kind=institutions.Institution.EMPLOYER,
        unit=reg.unit,
        bank_name="示范市农业银行",
        holder_name="示范市技工培训中心",
        account="622800003333000001",
    )
    s = services.subsidy_grant(
        actor=w["officer"],
        registration=reg,
        kind="training",
        start_month=date(2026, 6, 1),
        policy=policy,
        employer=firm,
    )
    assert (s.transfer.institution_id, s.transfer.amount, s.transfer.service_code, s.transfer.state) == (
        firm.pk,
        Decimal("1500.00"),
        "employment_training",
        "pending",
    )
    with pytest.raises(PermissionDenied):  # another bureau cannot record offers for this unit
        services.offer_create(
            actor=staff("department_officer", "education"),
            registration=reg,
            employer="某公司",
            position="岗位",
            monthly_wage="2000",
            offered_on=date(2026, 6, 1),
        )
