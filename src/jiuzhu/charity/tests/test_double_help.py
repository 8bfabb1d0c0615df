"""No double help: the same kind of charity cash for the same need only once in the offer's
period, and no charity cash for a cost a government service already paid (the uncovered part
of a stated cost may be topped up). Screening reads the payments through ``cash_aid_rows``."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from jiuzhu.charity import referrals, selectors, services
from jiuzhu.charity.models import CharityReferral, Offer
from jiuzhu.common.errors import Conflict
from jiuzhu.decisions.entitlements import entitlement_grant

from .conftest import D0


def _cash(caseworker, household, offer, amount="1000", today=D0, **kw):
    return referrals.refer(
        actor=caseworker,
        household=household,
        offer=offer,
        need="medical",
        consent_by="王建国",
        consent_on=today,
        amount=amount,
        today=today,
        **kw,
    )


def test_same_need_charity_cash_twice_in_period_is_refused(setup, caseworker, household, admin, red_user):
    first = _cash(caseworker, household, setup["cash"])
    # another charity's cash for the same need within the rule period is refused too
    other = services.partner_save(actor=admin, code="cf", name="市慈善总会", kind="charity")
    fund = services.fund_create(partner=other, code="general", name="综合救助基金")
    services.donation_receive(
        actor=admin, partner=other, kind="money", anonymous=True, amount="9000", fund=fund
    )
    offer2 = services.offer_save(
        partner=other,
        code="cash",
        name="慈善救助金",
        kind=Offer.CASH,
        needs=["medical", "living"],
        fund=fund,
        period_days=180,
    )
    for offer in (setup["cash"], offer2):
        with pytest.raises(Conflict) as exc:
            _cash(caseworker, household, offer, today=D0 + timedelta(days=100))
        assert exc.value.code == "charity_cash_twice"
    # goods or services for the same need are not cash: allowed
    assert (
        referrals.check_double_help(
            household=household, offer=setup["goods"], need="medical", amount=None, cost_amount=None, today=D0
        )
        == ""
    )
    # a declined referral was never help
    referrals.decline(actor=red_user, referral=first, reason="名额已满", today=D0)
    assert _cash(caseworker, household, setup["cash"], today=D0 + timedelta(days=1)).state == "referred"
    # after the period it may be given again
    assert _cash(caseworker, household, offer2, today=D0 + timedelta(days=182)).pk
    assert CharityReferral.objects.exclude(state="declined").count() == 2


def test_cost_already_paid_by_government_is_refused_unless_an_uncovered_part_remains(
    setup, caseworker, household, red_user, policy
):
    head = household.members.get(relation="head")
    entitlement_grant(
        household=household,
        payee=head,
        service_code="medical_expense",
        amount="3000.00",
        start_month=date(2026, 8, 1),
        actor=caseworker,
        policy=policy,
        amount_period="once",
    )
    with pytest.raises(Conflict) as exc:
        _cash(caseworker, household, setup["cash"], amount="1000")
    assert exc.value.code == "government_already_paid" and "medical_expense" in exc.value.message
    # a stated cost of 3,800 of which the government paid 3,000: at most 800 from charity
    with pytest.raises(Conflict) as exc:
        _cash(caseworker, household, setup["cash"], amount="1000", cost_amount="3800")
    assert exc.value.code == "government_already_paid" and "800.00" in exc.value.message
    assert not CharityReferral.objects.exists()
    cr = _cash(caseworker, household, setup["cash"], amount="800", cost_amount="3800")
    assert cr.government_service == "medical_expense"
    referrals.accept(actor=red_user, referral=cr, today=D0)
    referrals.deliver(actor=red_user, referral=cr, result="补足自付部分", today=D0)
    rows = list(selectors.cash_aid_rows())
    assert rows == [
        {
            "id": cr.disbursement.pk,
            "person_id": head.pk,
            "household_id": household.pk,
            "need": "medical",
            "amount": Decimal("800.00"),
            "cost_amount": Decimal("3800.00"),
            "paid_on": D0,
            "cover_from": None,
            "cover_to": None,
            "partner_code": "redcross",
            "covers_government_cost": "medical_expense",
        }
    ]


def test_kpi_charity_counts_referrals_cash_and_hours(setup, caseworker, household, red_user, grain_user):
    cr = _cash(caseworker, household, setup["cash"], amount="600")
    referrals.accept(actor=red_user, referral=cr, today=D0)
    referrals.deliver(actor=red_user, referral=cr, result="已支付", today=D0)
    services.volunteer_log(
        actor=grain_user,
        partner=setup["grainco"],
        team="送米小分队",
        volunteer="李志愿",
        served_on=D0,
        hours="3.5",
        kind="other",
        town="town_chengdong",
    )
    k = selectors.kpi_charity(start=D0, end=D0 + timedelta(days=30), unit="town_chengdong")
    assert k["referrals_made"] == 1 and k["referrals_accepted"] == 1 and k["referrals_delivered"] == 1
    assert k["cash_paid"] == Decimal("600.00") and k["volunteer_hours"] == Decimal("3.50")
    assert selectors.kpi_charity(start=D0, end=D0, unit="town_chengxi")["referrals_made"] == 0


def test_a_medical_referral_granted_at_the_window_counts_as_government_paid(
    setup, caseworker, household, staff
):
    from jiuzhu.decisions.testing import grant_signed
    from jiuzhu.intake import handling
    from jiuzhu.intake import services as intake

    clerk = staff("window_clerk", "town_chengdong")
    app = intake.application_create(actor=clerk, household=household, needs=["medical"], today=D0)
    (ir,) = intake.refer(actor=clerk, application=app, service_codes=["medical_emergency"], today=D0)
    officer = staff("department_officer", "health")
    handling.referral_accept(actor=officer, referral=ir)
    grant_signed(
        actor=officer,
        approver=staff("approver", "civil_affairs"),
        referral=ir,
        amount="1200",
        start_month=date(2026, 10, 1),
        period="once",
        today=D0,
    )
    with pytest.raises(Conflict) as exc:
        _cash(caseworker, household, setup["cash"], amount="500", today=D0 + timedelta(days=3))
    assert exc.value.code == "government_already_paid" and "medical_emergency" in exc.value.message
    cr = _cash(
        caseworker, household, setup["cash"], amount="500", cost_amount="2000", today=D0 + timedelta(days=3)
    )
    assert cr.government_service == "medical_emergency"


def test_the_months_paid_for_are_kept_as_month_starts_and_an_end_before_the_start_is_refused(
    setup, caseworker, household
):
    from jiuzhu.common.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        _cash(caseworker, household, setup["cash"], cover_from=date(2026, 9, 1), cover_to=date(2026, 8, 31))
    assert (exc.value.field, exc.value.code) == ("cover_to", "before_start")
    assert not CharityReferral.objects.exists()
    r = _cash(caseworker, household, setup["cash"], cover_from=date(2026, 7, 15), cover_to=date(2026, 9, 30))
    assert (r.cover_from, r.cover_to) == (date(2026, 7, 1), date(2026, 9, 1))
