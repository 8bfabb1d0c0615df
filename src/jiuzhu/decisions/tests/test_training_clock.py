"""The case path reads the platform's clock (jiuzhu.common.clock): on a training site a trainer
moves the date past the 7-day public notice and the approver can decide in the same sitting,
with the dates of the moved clock on the case, the entitlement and the intake record."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from jiuzhu.common import clock
from jiuzhu.common.services import training_clock_advance
from jiuzhu.decisions import cases
from jiuzhu.decisions.models import Case

from .test_home_queues import home, queue
from .test_workflow import investigate


def test_moving_the_training_clock_takes_a_case_past_its_notice(
    refer_to, poor_household, caseworker, approver, staff, settings
):
    settings.TRAINING_SITE = True
    real = timezone.localdate()
    # Everything from the window on runs on the platform's clock: no dates passed in.
    c = cases.case_open(actor=caseworker, referral=refer_to(poor_household, "dibao", today=real, verify=True))
    investigate(c, caseworker, on=real)
    cases.opinion_give(actor=caseworker, case=c, recommend="approve")
    c.refresh_from_db()
    assert c.state == Case.NOTICE

    page = Client()
    page.force_login(approver)
    refused = page.post(f"/decisions/c/{c.pk}/approve/", follow=True).content.decode()
    assert "公示期未满，不能审批" in refused
    assert queue(home(approver), "cases_ready")[0] == 0

    training_clock_advance(actor=staff("admin"), days=8)
    assert clock.today() == real + timedelta(days=8)
    n, text = queue(home(approver), "cases_ready")
    assert n == 1 and "公示期满，待审批" in text

    done = page.post(f"/decisions/c/{c.pk}/approve/", {"without_account": "1"}, follow=True).content.decode()
    assert "已批准，待遇已生成" in done
    c.refresh_from_db()
    assert c.state == Case.APPROVED and c.decided_on == real + timedelta(days=8)
    ent = poor_household.entitlements.get(service_code="dibao")
    # Paid from the month after the (moved) approval date.
    moved = real + timedelta(days=8)
    assert ent.start_month == (moved.replace(day=28) + timedelta(days=4)).replace(day=1)


def test_without_a_training_site_the_case_keeps_the_real_date(refer_to, poor_household, caseworker, settings):
    settings.TRAINING_SITE = False
    real = timezone.localdate()
    c = cases.case_open(actor=caseworker, referral=refer_to(poor_household, "dibao", today=real, verify=True))
    assert c.received_on == real and clock.today() == real
