"""The household page on a phone (issue 19), in Debian's chromium at 390 px: it never scrolls
sideways (members, incomes, assets and the chain as cards); the window starts an application
(受理申请) from it; the caseworker enters the bank account there and a second person confirms it
there.

Screenshots are kept in the test's temporary directory.
Skipped (with the reason) only when /usr/bin/chromium is absent; CI installs it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jiuzhu.common import clock

PASSWORD = "test-pass-123"  # the ``staff`` fixture's users

PHONE = {"width": 390, "height": 844}


def _phone(browser, base, username):
    page = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def _no_sideways_scroll(page, what: str) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    seen = page.evaluate("document.documentElement.clientWidth")
    assert seen <= PHONE["width"] and wide <= seen, f"{what}: {wide} px of content in {seen} px"


@pytest.mark.django_db(transaction=True)
def test_the_household_page_at_390_px(
    catalogue, live_server, browser, staff, make_household, settings, tmp_path
):
    from jiuzhu.intake.models import Application
    from jiuzhu.payments.models import BankAccount
    from jiuzhu.registry.services import asset_add, income_add

    settings.SECOND_FACTOR_REQUIRED = False
    today = clock.today()
    hh = make_household(
        members=[
            {
                "name": "欧阳建国",
                "birth": date(1958, 3, 2),
                "relation": "head",
                "labour_capacity": "none",
                "disability_kind": "physical",
                "disability_grade": 2,
                "serious_illness": "慢性肾功能衰竭（尿毒症期）",
            },
            {"name": "司马秀英", "birth": date(1960, 6, 9), "relation": "spouse", "gender": "F"},
            {"name": "欧阳小明", "birth": date(2012, 9, 1), "relation": "child", "school_stage": "junior"},
        ],
        address="示范市城东街道幸福路一百二十三号幸福家园小区十二栋三单元六百零一室",
    )
    head = hh.members.get(relation="head")
    income_add(
        actor=None,
        person=head,
        kind="pension_basic",
        monthly_amount="1234567.89",
        period_start=today - timedelta(days=300),
        period_end=today,
        note="城乡居民基本养老保险金按月发放",
    )
    asset_add(
        actor=None,
        household=hh,
        kind="house",
        value="350000",
        floor_area="89.5",
        as_of=today,
        description="自有住房一套，位于幸福家园小区",
    )
    staff("window_clerk", "town_chengdong", username="clerk")
    staff("town_caseworker", "town_chengdong", username="caseworker")
    staff("approver", "civil_affairs", username="approver")
    base = live_server.url

    # the window: the page fits the screen; 受理申请 starts an application for this household
    clerk = _phone(browser, base, "clerk")
    clerk.goto(f"{base}/households/{hh.code}/")
    clerk.screenshot(path=str(tmp_path / "phone-household-clerk.png"), full_page=True)
    _no_sideways_scroll(clerk, "household page (window)")
    assert clerk.locator("td[data-label=身份证号码]").first.is_visible()
    clerk.click("a.button:has-text('受理申请')")
    clerk.wait_for_url(f"**/intake/new/{hh.code}/")
    _no_sideways_scroll(clerk, "application form")
    assert not Application.objects.filter(household=hh).exists()
    assert "欧阳建国" in clerk.inner_text("main")

    # the caseworker enters the head's bank account on the household page; nothing is paid to
    # it until a second person confirms it, there too
    worker = _phone(browser, base, "caseworker")
    worker.goto(f"{base}/households/{hh.code}/")
    _no_sideways_scroll(worker, "household page (caseworker)")
    bank = worker.locator("#bank")
    assert "未登记银行账户" in bank.inner_text()
    bank.locator("summary:has-text('登记银行账户（欧阳建国）')").click()
    bank.locator(f"#bank-name-{head.pk}").fill("示范市农村商业银行")
    bank.locator(f"#bank-number-{head.pk}").fill("6228480012345678901")
    bank.locator("button:has-text('提交复核')").first.click()
    worker.wait_for_url(f"**/households/{hh.code}/**")
    assert "须另一名工作人员复核" in worker.inner_text("main")
    assert "待复核：示范市农村商业银行 尾号 8901" in worker.inner_text("#bank")
    assert worker.locator("#bank button:has-text('复核生效')").count() == 0  # not his own
    assert not BankAccount.objects.filter(person=head).exists()

    approver = _phone(browser, base, "approver")
    approver.goto(f"{base}/households/{hh.code}/")
    approver.locator("#bank button:has-text('复核生效')").click()
    approver.wait_for_url(f"**/households/{hh.code}/**")
    assert "已复核生效" in approver.inner_text("main")
    assert "尾号 8901" in approver.inner_text("#bank")
    _no_sideways_scroll(approver, "household page (approver)")
    approver.screenshot(path=str(tmp_path / "phone-household-approver.png"), full_page=True)
    assert BankAccount.objects.get(person=head).tail == "8901"
