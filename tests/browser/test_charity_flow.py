"""End to end in Debian's chromium (headless, through Playwright): a department refuses a
medical referral; the town caseworker finds the open need on the social-forces desk, with the
matching offer and its reasons, and refers the household to the Red Cross with its consent;
the Red Cross log-in sees the referral (masked), accepts and delivers; the result comes back
to the caseworker's desk and into the application's chain at the window.

Skipped (with the reason) only when /usr/bin/chromium is absent; CI installs it."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.common import clock


@pytest.mark.django_db(transaction=True)
def test_charity_referral_flow(catalogue, live_server, browser, login, staff, make_household, policy):
    from jiuzhu.charity.models import CharityReferral
    from jiuzhu.charity.testing import charity_setup, make_partner_user
    from jiuzhu.intake import handling
    from jiuzhu.intake import services as intake

    today = clock.today()
    household = make_household(
        members=[
            {"name": "周志强", "birth": date(1972, 7, 7), "relation": "head"},
            {"name": "周小雨", "birth": date(2011, 3, 3), "relation": "child", "gender": "F"},
        ]
    )
    admin = staff("admin")
    setup = charity_setup(admin=admin, received_on=today)
    clerk = staff("window_clerk", "town_chengdong", username="clerk")
    staff("town_caseworker", "town_chengdong", username="caseworker")
    officer = staff("department_officer", "health", username="officer")
    make_partner_user(setup["redcross"], "red")
    app = intake.application_create(
        actor=clerk, household=household, needs=["medical"], description="突发重病"
    )
    (ir,) = intake.refer(actor=clerk, application=app, service_codes=["medical_emergency"])
    handling.referral_accept(actor=officer, referral=ir)
    handling.referral_refuse(
        actor=officer,
        referral=ir,
        reasons="不属于疾病应急救助范围",
        basis="疾病应急救助管理办法",
        alternatives="慈善医疗救助",
    )
    base = live_server.url

    # 1. the caseworker sees the open need with the matching offer and refers with consent
    cw = login(browser, base, "caseworker")
    cw.click("nav >> text=社会力量")
    needs = cw.inner_text("#needs")
    assert household.code in needs and "大病医疗慈善救助金" in needs and "需求相符：医疗" in needs
    cw.click(f"#needs a[href*='/charity/refer/{household.code}/']")
    # choosing another need refreshes the offers that fit (HTMX), and back
    cw.select_option("#need", "education")
    cw.wait_for_selector("#offer-youth_vol-tutoring")
    assert cw.locator("#offer-redcross-medical_cash").count() == 0
    cw.select_option("#need", "medical")
    cw.wait_for_selector("#offer-redcross-medical_cash")
    cw.check("#offer-redcross-medical_cash")
    cw.fill("#amount", "1500")
    cw.fill("#consent_by", "周志强")
    cw.click("button:has-text('确认转介')")
    cw.wait_for_url("**/charity/r/*/")
    assert "已转介示范市红十字会" in cw.inner_text("main")
    cr = CharityReferral.objects.get()

    # 2. the Red Cross sees only what it needs, accepts and delivers
    red = login(browser, base, "red")
    red.goto(f"{base}/charity/")
    red.click(f"a[href='/charity/r/{cr.pk}/']")
    body = red.inner_text("main")
    assert "周*强" in body and "周志强" not in body and household.code not in body
    red.click("button:has-text('接收转介')")
    assert "已接收" in red.inner_text("main")
    red.fill("#d-result", "已支付至户主账户")
    red.click("button:has-text('反馈帮扶结果')")
    assert "已反馈帮扶结果" in red.inner_text("main")
    assert "1500.00 元" in red.inner_text("#result")

    # 3. back at the caseworker's desk and in the window's chain of the application
    cw.goto(f"{base}/charity/")
    assert "已帮扶并反馈" in cw.inner_text("main")
    window = login(browser, base, "clerk")
    window.goto(f"{base}/intake/a/{app.tracking_code}/")
    assert "示范市红十字会已资助 1500.00 元" in window.inner_text("main")
