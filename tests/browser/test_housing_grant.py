"""Grant control end to end in Debian's chromium (issue 16): the housing officer answers a rent
subsidy referral with ¥5,000 a month where the rule computes ¥403.40; the grant waits for a
second signature and nothing is owed; the civil-affairs approver signs it on the screen; the
officer generates next month's roll and the ¥5,000 line is on it.

Skipped (with the reason) only when /usr/bin/chromium is absent; CI installs it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest


@pytest.mark.django_db(transaction=True)
def test_housing_grant_from_referral_to_second_signature_to_the_roll(
    catalogue, live_server, browser, login, staff, make_household
):
    from jiuzhu.common import clock
    from jiuzhu.decisions.entitlements import add_months
    from jiuzhu.decisions.models import Entitlement, GrantRequest
    from jiuzhu.intake import handling
    from jiuzhu.intake import services as intake
    from jiuzhu.payments.models import PaymentLine
    from jiuzhu.verification.testing import verified

    today = clock.today()
    household = make_household(
        members=[
            {"name": "赵大力", "birth": date(1975, 3, 2), "relation": "head", "labour_capacity": "partial"},
            {
                "name": "孙桂兰",
                "birth": date(1978, 6, 9),
                "relation": "spouse",
                "gender": "F",
                "labour_capacity": "partial",
            },
            {"name": "赵小军", "birth": date(2012, 9, 1), "relation": "child", "school_stage": "junior"},
        ],
        dwelling_area=Decimal("24.83"),  # (15 × 3 − 24.83) × ¥20 = ¥403.40 a month
    )
    clerk = staff("window_clerk", "town_chengdong", username="clerk")
    officer = staff("department_officer", "housing", username="housing_officer")
    staff("approver", "civil_affairs", username="approver")
    app = intake.application_create(
        actor=clerk, household=household, needs=["housing"], description="住房困难"
    )
    for p in intake.adults(household, today):
        intake.authorisation_record(actor=clerk, application=app, person=p, signed_on=today)
    r = intake.refer(actor=clerk, application=app, service_codes=["housing_rent_subsidy"])[0]
    handling.referral_accept(actor=officer, referral=r)
    verified(household, requester=officer, service_code="housing_rent_subsidy", today=today)
    base = live_server.url
    month = add_months(today, 1)

    # 1. the housing officer grants ¥5,000 with a reason: held for a second signature
    page = login(browser, base, "housing_officer")
    page.goto(f"{base}/intake/r/{r.pk}/")
    assert "403.40" in page.inner_text("#rule-amount")
    page.fill("#amount", "5000")
    page.fill("#g-note", "租住危房，需整租")
    page.click("button:has-text('反馈给予救助')")
    page.wait_for_selector("#held-grant")
    assert "签批前不发放" in page.inner_text("#held-grant")
    held = GrantRequest.objects.get(referral=r)
    assert held.amount == Decimal("5000.00") and held.rule_amount == Decimal("403.40")
    assert not Entitlement.objects.filter(household=household).exists()

    # 2. the approver signs it on the screen
    signer = login(browser, base, "approver")
    signer.goto(f"{base}/decisions/grants/")
    signer.click(f"a[href='/decisions/grants/{held.pk}/']")
    signer.fill("#sign-note", "经核实同意")
    signer.click("button:has-text('签批同意发放')")
    signer.wait_for_load_state()
    held.refresh_from_db()
    assert held.state == GrantRequest.SIGNED
    ent = Entitlement.objects.get(household=household)
    assert ent.amount == Decimal("5000.00") and ent.signed_by.username == "approver"

    # 3. the officer generates next month's roll: the signed ¥5,000 is on it
    page.goto(f"{base}/payments/?month={month:%Y-%m}")
    page.fill("form[action='/payments/generate/'] input[name=month]", f"{month:%Y-%m}")
    page.click("button:has-text('生成（或重新生成待审核的）名册')")
    page.wait_for_url("**/payments/?month=*")
    line = PaymentLine.objects.get(household=household, period=month)
    assert line.amount == Decimal("5000.00") and line.entitlement_id == ent.pk
    page.click(f"a[href='/payments/roll/{line.roll_id}/']")
    assert "5000.00" in page.locator("main").inner_text()
