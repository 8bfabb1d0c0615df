"""Two partner staff paying from one fund at the same moment when it holds enough for only
one: one is paid, the other refused with a clear error; the fund never goes below zero and
the ledger still reconciles. SQLite (IMMEDIATE transactions) and PostgreSQL (FOR UPDATE)."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.charity import referrals, selectors, services
from jiuzhu.charity.models import Disbursement, Offer
from jiuzhu.charity.testing import make_partner_user
from jiuzhu.common.testing import race


@pytest.mark.django_db(transaction=True)
def test_two_payments_from_a_fund_that_holds_one(staff, make_household, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    admin = staff("admin")
    cw = staff("town_caseworker", "town_chengdong")
    p = services.partner_save(actor=admin, code="small", name="小额救助会", kind="charity")
    fund = services.fund_create(partner=p, code="f", name="救助金")
    services.donation_receive(actor=admin, partner=p, kind="money", anonymous=True, amount="3000", fund=fund)
    offer = services.offer_save(
        partner=p, code="cash", name="救助金", kind=Offer.CASH, needs=["living"], fund=fund
    )
    a, b = make_partner_user(p, "small_a"), make_partner_user(p, "small_b")
    refs = []
    for name in ("甲某", "乙某"):
        h = make_household(members=[{"name": name, "birth": date(1960, 1, 1)}])
        r = referrals.refer(
            actor=cw,
            household=h,
            offer=offer,
            need="living",
            consent_by=name,
            consent_on=date(2026, 9, 1),
            amount="2000",
        )
        referrals.accept(actor=a, referral=r)
        refs.append(r)
    results = race(
        [
            lambda: referrals.deliver(actor=a, referral=refs[0].pk, result="已支付"),
            lambda: referrals.deliver(actor=b, referral=refs[1].pk, result="已支付"),
        ]
    )
    assert sorted(k for k, _ in results) == ["error", "ok"], results
    loser = next(v for k, v in results if k == "error")
    assert loser.code in {"fund_insufficient", "busy"} and loser.message
    fund.refresh_from_db()
    assert fund.balance == Decimal("1000.00") and Disbursement.objects.count() == 1
    assert selectors.fund_reconciliation(fund)["reconciled"]
