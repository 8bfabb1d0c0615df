"""A 低保 case walked through the screens only, in Debian's chromium (issue 19): the window
registers the request, records the adults' authorisations and refers it; the town caseworker
starts the investigation, records the three required investigations and asks for verification
from the case page; the verification centre issues the report; the caseworker's opinion puts
the case on public notice and he enters the payee's bank account (收款账户) on the case page; the
approver, warned that the account is not yet confirmed, confirms it as the second person; the
trainer moves the training clock past the 7-day notice; the approver approves; civil affairs'
payments officer generates and reviews the first month's roll, the approver approves and
exports the bank file, the bank's return file is imported: the household's line is paid the
rule's amount, and its household page says so.

Skipped (with the reason) only when /usr/bin/chromium is absent; CI installs it."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from jiuzhu.common import clock, jobs


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
def test_a_dibao_case_from_the_window_is_paid_in_the_first_roll(
    catalogue, live_server, browser, login, staff, make_household, policy, settings, tmp_path
):
    from jiuzhu.decisions.models import Case, Investigation
    from jiuzhu.intake.models import Application
    from jiuzhu.payments.bankfiles import PAID, RETURN_HEADERS
    from jiuzhu.payments.models import BankAccount, PaymentLine, PaymentRoll
    from jiuzhu.payments.services import budget_set
    from jiuzhu.registry.models import Unit
    from jiuzhu.verification import testing as vt
    from jiuzhu.verification.models import VerificationRequest
    from jiuzhu.verification.sources import catalogue as sources

    settings.TRAINING_SITE = True
    settings.DATA_DIR = tmp_path
    today = clock.today()
    household = make_household(
        members=[
            {"name": "王建国", "birth": date(1975, 3, 2), "relation": "head", "labour_capacity": "partial"},
            {
                "name": "李秀英",
                "birth": date(1978, 6, 9),
                "relation": "spouse",
                "gender": "F",
                "labour_capacity": "partial",
            },
            {"name": "王小明", "birth": date(2012, 9, 1), "relation": "child", "school_stage": "junior"},
        ]
    )
    staff("window_clerk", "town_chengdong", username="clerk")
    staff("town_caseworker", "town_chengdong", username="caseworker")
    staff("verification_officer", "civil_affairs", username="verifier")
    staff("approver", "civil_affairs", username="approver")
    staff("department_officer", "civil_affairs", username="payer")  # civil affairs' payments officer
    trainer = staff("admin", username="trainer")
    for year in (today.year, today.year + 1):  # the year's 低保 budget of the paying unit
        budget_set(
            actor=trainer,
            year=year,
            unit=Unit.objects.get(code="civil_affairs"),
            service_code="dibao",
            amount=Decimal("1000000"),
        )
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
    # required investigations, asks for verification from the case page
    worker = login(browser, base, "caseworker")
    worker.goto(f"{base}/decisions/")
    worker.click("button:has-text('启动调查')")
    worker.wait_for_url("**/decisions/c/*/")
    case = Case.objects.get(household=household)
    case_url = f"{base}/decisions/c/{case.pk}/"
    for kind in Investigation.REQUIRED:
        worker.select_option("#kind", kind)
        worker.fill("#staff_names", "张干事，李干事")
        worker.fill("#findings", "家中无稳定收入，房屋为租住")
        worker.click("button:has-text('登记调查记录')")
    assert case.investigations.count() == len(Investigation.REQUIRED)
    assert "尚未申请核对" in worker.inner_text("#verification")
    worker.click("#verification button:has-text('申请核对最低生活保障')")  # no household code retyped
    worker.wait_for_url("**/verification/r/*/")
    req = VerificationRequest.objects.get(household=household)
    assert (req.service_code, req.case_ref) == ("dibao", str(case.pk))

    # 3. the verification centre issues the report
    verifier = login(browser, base, "verifier")
    verifier.goto(f"{base}/verification/r/{req.pk}/")
    verifier.click("button:has-text('出具核对报告')")
    req.refresh_from_db()
    assert req.state == VerificationRequest.ISSUED

    # 4. the caseworker's opinion puts the case on public notice; meanwhile he enters the
    # payee's bank account on the case page (it waits for a second person)
    worker.goto(case_url)
    assert f"核对请求 #{req.pk}" in worker.inner_text("#verification")
    worker.check("input[name=recommend][value=approve]")
    worker.click("button:has-text('提出初审意见')")
    assert "公示" in worker.inner_text("#case-stage")
    case.refresh_from_db()
    assert case.state == Case.NOTICE and case.verification_report_id is not None
    panel = worker.locator("#payee-account")
    assert "尚无经复核的收款账户" in panel.inner_text()
    worker.fill("#pa-bank", "示范市农村商业银行")
    worker.fill("#pa-number", "6228480012345678901")
    worker.click("button:has-text('提交收款账户')")
    worker.wait_for_url(f"{case_url}#payee-account")
    assert "待复核" in worker.inner_text("#payee-account") and "8901" in worker.inner_text("#payee-account")

    # 5. the approver cannot approve during the notice and is warned that the payee has no
    # confirmed account; he confirms the account entered by the caseworker (second person)
    approver = login(browser, base, "approver")
    approver.goto(case_url)
    assert approver.locator("#account-missing").is_visible()
    approver.click("button:text-is('批准')")
    assert "公示期未满" in _main(approver)
    approver.click("#payee-account button:has-text('复核收款账户')")
    approver.wait_for_url(f"{case_url}#payee-account")
    assert "尾号 8901（已复核）" in approver.inner_text("#payee-account")
    assert approver.locator("#account-missing").count() == 0
    assert BankAccount.objects.get(person__household=household).tail == "8901"

    # 6. the trainer moves the clock past the notice; the approver approves (no warning left)
    trainer = login(browser, base, "trainer")
    trainer.goto(f"{base}/training-clock/")
    trainer.fill("#days", "8")
    trainer.click("button:has-text('拨动日期')")
    assert clock.today() > today
    approver.goto(case_url)
    assert approver.locator("input[name=without_account]").count() == 0
    approver.click("button:text-is('批准')")
    assert "已批准，待遇已生成" in _main(approver)
    ent = household.entitlements.get(service_code="dibao")
    first = ent.start_month
    assert BankAccount.objects.filter(person=ent.payee).exists()

    # 7. the first month's roll: civil affairs' payments officer generates and reviews it, the
    # approver approves it and exports the bank file
    payer = login(browser, base, "payer")
    payer.goto(f"{base}/payments/?month={first:%Y-%m}")
    payer.fill("form[action='/payments/generate/'] input[name=month]", f"{first:%Y-%m}")
    payer.click("button:has-text('生成')")
    line = PaymentLine.objects.get(household=household, period=first, kind=PaymentLine.REGULAR)
    assert line.state == PaymentLine.PENDING and line.amount == ent.amount > Decimal(0)
    assert line.hold_reason == "" and line.roll.month == first  # not held: the account is there
    roll_url = f"{base}/payments/roll/{line.roll_id}/"
    payer.goto(roll_url)
    payer.click("button:has-text('审核通过，提交审批')")
    approver.goto(roll_url)
    assert f"{ent.amount:,.2f}" in _main(approver) or f"{ent.amount}" in _main(approver)
    approver.click("button:has-text('审批并锁定')")
    assert "名册已审批并锁定" in _main(approver)
    with approver.expect_download() as download:
        approver.click("button:has-text('导出银行文件（CSV）')")
    sent = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert [(r["流水号"], r["账号"], r["金额"]) for r in sent] == [
        (str(line.pk), "6228480012345678901", f"{ent.amount:.2f}")
    ]

    # 8. the bank pays and returns its file; the payments officer imports it: the line is paid
    back = io.StringIO()
    out = csv.writer(back)
    out.writerow(RETURN_HEADERS)
    out.writerows([r["批次号"], r["流水号"], r["账号"], r["金额"], PAID, ""] for r in sent)
    returned = tmp_path / "return.csv"
    returned.write_text(back.getvalue(), encoding="utf-8")
    payer.goto(roll_url)
    payer.set_input_files("input[name=file]", str(returned))
    payer.click("button:has-text('导入回盘')")
    payer.wait_for_url("**/jobs/*/")  # read and applied by the background worker
    line.refresh_from_db()
    assert line.state == PaymentLine.PENDING  # nothing applied before the worker runs
    assert jobs.work_off() == 1
    back = payer.get_by_role("link", name="查看发放名册")  # the job's panel shows it when done
    back.wait_for()
    assert "回盘已导入：成功 1 笔" in _main(payer)
    back.click()
    payer.wait_for_url(roll_url)
    assert "回盘：成功 1 笔" in _main(payer)
    line.refresh_from_db()
    assert line.state == PaymentLine.PAID and line.paid_on == clock.today()
    assert line.roll.state == PaymentRoll.CLOSED and line.roll.paid_total == ent.amount
    worker.goto(f"{base}{reverse('registry:household', args=[household.code])}")
    chain = worker.inner_text("#chain")
    assert f"{first:%Y年%m月}名册" in chain and "已发放" in chain
