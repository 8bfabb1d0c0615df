"""Every role's home page opens on its queue (issue 19): the window's applications of today,
the caseworker's new 低保 referral to start, the approver's case whose notice has ended
("公示期满，待审批"), the unit's referrals by due date, the partner's own referrals."""

import re
from datetime import timedelta

from django.test import Client

from jiuzhu.common import clock
from jiuzhu.decisions import cases
from jiuzhu.registry.models import User

from .test_workflow import investigate


def home(user) -> str:
    c = Client()
    c.force_login(user)
    page = c.get("/")
    assert page.status_code == 200
    return page.content.decode()


def queue(html: str, key: str) -> tuple[int, str]:
    """(count, text) of the queue ``key`` on a home page."""
    m = re.search(rf'data-queue="{key}".*?data-count="(\d+)"(.*?)</section>', html, re.S)
    assert m, f"no queue {key}"
    return int(m.group(1)), m.group(2)


def test_window_and_caseworker_see_todays_dibao_application(refer_to, poor_household, clerk, caseworker):
    today = clock.today()
    r = refer_to(poor_household, "dibao", today=today)
    n, text = queue(home(clerk), "applications_today")
    assert n == 1 and r.application.tracking_code in text
    page = home(caseworker)
    n, text = queue(page, "referrals_to_start")
    assert n == 1 and poor_household.code in text and "最低生活保障" in text
    # The queue comes before the shortcuts.
    assert page.index('data-queue="referrals_to_start"') < page.index("常用功能")


def test_approver_sees_a_case_whose_notice_ended(refer_to, poor_household, caseworker, approver, staff):
    start = clock.today() - timedelta(days=12)
    c = cases.case_open(
        actor=caseworker, referral=refer_to(poor_household, "dibao", today=start), today=start
    )
    investigate(c, caseworker)
    cases.opinion_give(actor=caseworker, case=c, recommend="approve", today=start + timedelta(days=2))
    n, text = queue(home(approver), "cases_ready")
    assert n == 1 and "公示期满，待审批" in text and poor_household.code in text
    c2 = Client()
    c2.force_login(approver)
    assert "公示期满，待审批" in c2.get(f"/decisions/c/{c.pk}/").content.decode()
    # Not yet for the caseworker's "investigations": the case is past that step.
    n, _ = queue(home(caseworker), "investigations")
    assert n == 0


def test_case_on_a_running_notice_is_not_ready(refer_to, poor_household, caseworker, approver):
    today = clock.today()
    c = cases.case_open(
        actor=caseworker, referral=refer_to(poor_household, "dibao", today=today), today=today
    )
    investigate(c, caseworker)
    cases.opinion_give(actor=caseworker, case=c, recommend="approve", today=today)
    n, _ = queue(home(approver), "cases_ready")
    assert n == 0
    n, _ = queue(home(caseworker), "notices_ending")
    assert n == 0  # ends in 7 days: not yet "ending"


def test_department_officer_sees_its_referrals_by_due_date(refer_to, poor_household, staff):
    today = clock.today()
    r = refer_to(poor_household, "employment_services", today=today)
    officer = staff("department_officer", r.unit.code)
    n, text = queue(home(officer), "unit_referrals")
    assert n == 1 and r.application.tracking_code in text and f"{r.due_on:%Y-%m-%d}" in text


def test_partner_home_is_not_unassigned(db, units):
    partner = User.objects.create_user(username="p1", password="x-pass-123", role="partner")
    page = home(partner)
    assert "尚未分配角色" not in page
    assert 'data-queue="partner_referrals"' in page


def test_approver_is_warned_when_the_household_has_no_bank_account(
    refer_to, poor_household, caseworker, approver
):
    from jiuzhu.payments.services import bank_account_confirm, bank_account_set

    today = clock.today()
    c = cases.case_open(
        actor=caseworker, referral=refer_to(poor_household, "dibao", today=today), today=today
    )
    client = Client()
    client.force_login(approver)
    assert 'id="account-missing"' in client.get(f"/decisions/c/{c.pk}/").content.decode()
    head = poor_household.members.get(relation="head")
    change = bank_account_set(
        actor=caseworker,
        person=head,
        number="6222020200112233445",
        bank_name="示范银行",
        holder_name=head.name,
    )
    # Still missing until a second person confirms the account (the scope rule).
    assert 'id="account-missing"' in client.get(f"/decisions/c/{c.pk}/").content.decode()
    bank_account_confirm(actor=approver, change=change)
    assert 'id="account-missing"' not in client.get(f"/decisions/c/{c.pk}/").content.decode()
