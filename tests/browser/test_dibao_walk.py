"""A 低保 case walked through the screens only, in Debian's chromium: the window registers the
request, records the adults' authorisations and refers it; the town caseworker starts the
investigation, records the three required investigations and asks for verification; the
verification centre issues the report; the caseworker's opinion puts the case on public notice;
the trainer moves the training clock past the 7-day notice; the approver approves; the bank
account is registered (change request reviewed, new account confirmed by a second person); the
first month's roll pays the household the rule's amount.

Skipped (with the reason) only when /usr/bin/chromium is absent; CI installs it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common import clock


def _main(page) -> str:
    return page.locator("main").inner_text()


def _stranger_rows(source_code: str) -> list[dict]:
    """Somebody else's row, so that every source has a dataset as of today and the request reads
    datasets instead of waiting for a provider's answer."""
    from jiuzhu.registry.testing import make_id
    from jiuzhu.verification.sources import catalogue as sources

    src = sources().get(source_code)
    row = {"id_number": make_id(date(1960, 1, 1), gender="M"), "name": "赵无关"}
    for c in src.columns:
        if c.name in row or not c.required:
            continue
        row[c.name] = {"date": "2025-06-30", "money": "100", "area": "50", "text": "X-1"}.get(c.type) or next(
            iter(c.choices), "男"
        )
    if src.period:
        row[src.period[0]], row[src.period[1]] = "2025-01-01", "2025-06-30"
    return [row]


@pytest.mark.django_db(transaction=True)
def test_a_dibao_case_from_the_window_to_the_first_roll(
    catalogue, live_server, browser, login, staff, make_household, policy, settings, tmp_path
):
    from jiuzhu.decisions.models import Case, Investigation
    from jiuzhu.intake.models import Application
    from jiuzhu.payments.models import PaymentLine
    from jiuzhu.verification import testing as vt
    from jiuzhu.verification.models import VerificationRequest
    from jiuzhu.verification.sources import catalogue as sources

    settings.TRAINING_SITE = True
    settings.DATA_DIR = tmp_path
    today = clock.today()
    household = make_household(
        members=[
            {"name": "王建国", "birth": date(1975, 3, 2), "relation": "head", "labour_capacity": "partial"},
            {"name": "李秀英", "birth": date(1978, 6, 9), "relation": "spouse", "gender": "F",
             "labour_capacity": "partial"},
            {"name": "王小明", "birth": date(2012, 9, 1), "relation": "child", "school_stage": "junior"},
        ]
    )  # fmt: skip
    staff("window_clerk", "town_chengdong", username="clerk")
    staff("town_caseworker", "town_chengdong", username="caseworker")
    staff("verification_officer", "civil_affairs", username="verifier")
    staff("approver", "civil_affairs", username="approver")
    staff("approver", "civil_affairs", username="approver2")
    staff("admin", username="trainer")
    providers: dict = {}
    for s in sources().sources:
        provider = providers.setdefault(s.unit, staff("data_provider", s.unit))
        vt.load_dataset(provider, s.code, _stranger_rows(s.code), as_of=today)
    base = live_server.url

    # 1. the window: finds the household, takes the request, records the authorisations, refers
    clerk = login(browser, base, "clerk")
    clerk.goto(f"{base}/intake/")
    clerk.fill("#q", household.code)
    clerk.keyboard.press("Enter")
    clerk.click(f"a[href='/intake/new/{household.code}/']")
    clerk.check("input[name=needs][value=living]")
    clerk.fill("#description", "夫妻二人打零工，收入不稳定")
    clerk.click("button:has-text('受理并生成查询码')")
    clerk.wait_for_url("**/intake/a/*/")
    assert "已受理" in _main(clerk)
    assert Application.objects.get(household=household).needs == ["living"]
    for person in household.members.exclude(relation="child"):
        clerk.select_option("#auth-person", str(person.pk))
        clerk.check("input[name=service_code][value=dibao]")  # the 授权书 names its service
        clerk.click("button:has-text('登记授权')")
        assert "核对授权已登记" in _main(clerk)
    assert clerk.locator("#svc-dibao").is_visible()  # 最低生活保障 unfolded: the need asked for
    clerk.check("#svc-dibao")
    clerk.click("button:has-text('确认分办所选事项')")
    assert "已分办" in _main(clerk)

    # 2. the town caseworker: starts the investigation from the queue, records the three
    # required investigations, asks for verification
    worker = login(browser, base, "caseworker")
    worker.goto(f"{base}/decisions/")
    worker.click("button:has-text('启动调查')")
    worker.wait_for_url("**/decisions/c/*/")
    case = Case.objects.get(household=household)
    for kind in Investigation.REQUIRED:
        worker.select_option("#kind", kind)
        worker.fill("#staff_names", "张干事，李干事")
        worker.fill("#findings", "家中无稳定收入，房屋为租住")
        worker.click("button:has-text('登记调查记录')")
    assert case.investigations.count() == len(Investigation.REQUIRED)
    worker.goto(f"{base}/verification/")
    worker.fill("input[name=household]", household.code)
    worker.select_option("select[name=service]", "dibao")
    worker.click("form[action='/verification/requests/new/'] button[type=submit]")
    worker.wait_for_url("**/verification/r/*/")
    req = VerificationRequest.objects.get(household=household)

    # 3. the verification centre issues the report
    verifier = login(browser, base, "verifier")
    verifier.goto(f"{base}/verification/r/{req.pk}/")
    verifier.click("button:has-text('出具核对报告')")
    req.refresh_from_db()
    assert req.state == VerificationRequest.ISSUED

    # 4. the caseworker's opinion puts the case on public notice
    worker.goto(f"{base}/decisions/c/{case.pk}/")
    worker.check("input[name=recommend][value=approve]")
    worker.click("button:has-text('提出初审意见')")
    assert "公示" in worker.inner_text("#case-stage")
    case.refresh_from_db()
    assert case.state == Case.NOTICE and case.verification_report_id is not None

    # 5. the approver cannot approve during the notice; the trainer moves the clock past it
    approver = login(browser, base, "approver")
    approver.goto(f"{base}/decisions/c/{case.pk}/")
    approver.click("button:has-text('批准')")
    assert "公示期未满" in _main(approver)
    trainer = login(browser, base, "trainer")
    trainer.goto(f"{base}/training-clock/")
    trainer.fill("#days", "8")
    trainer.click("button:has-text('拨动日期')")
    assert clock.today() > today

    # 6. the approver approves: the entitlement starts the month after
    approver.goto(f"{base}/decisions/c/{case.pk}/")
    approver.click("button:has-text('批准')")
    assert "已批准，待遇已生成" in _main(approver)
    ent = household.entitlements.get(service_code="dibao")
    first = ent.start_month

    # 7. the bank account: the caseworker raises it on the household's change form, the approver
    # reviews the change, a second person confirms the new account before any roll uses it
    worker.goto(f"{base}/caseload/households/{household.code}/changes/new/?kind=bank_account")
    worker.select_option("#person", str(ent.payee_id))
    worker.fill("#bank_name", "示范市农村商业银行")
    worker.fill("#number", "6228480012345678901")
    worker.click("button:has-text('提交变更申请')")
    worker.wait_for_url("**/caseload/changes/*/")
    approver.goto(worker.url)
    approver.click("button:has-text('复核通过，变更生效')")
    # the caseworker may change the payee's account, so the approver's review was the second
    # person's confirmation: the account is in force at once, nothing waits in payments
    assert "8901" in _main(approver)
    worker.goto(f"{base}/payments/attention/")
    assert "没有待复核的变更" in _main(worker)

    # 8. the first roll pays the household the rule's amount
    approver.goto(f"{base}/payments/?month={first:%Y-%m}")
    approver.fill("form[action='/payments/generate/'] input[name=month]", f"{first:%Y-%m}")
    approver.click("button:has-text('生成')")
    line = PaymentLine.objects.get(household=household, period=first, kind=PaymentLine.REGULAR)
    assert line.state == PaymentLine.PENDING and line.amount == ent.amount > Decimal(0)
    assert line.roll.month == first  # the first month of the entitlement, not a month later
    approver.goto(f"{base}/payments/roll/{line.roll_id}/")
    roll = _main(approver)
    assert household.code in roll or "王" in roll
    assert f"{ent.amount:,.2f}" in roll or f"{ent.amount}" in roll
