"""Deadlines in statutory working days across the 2026 National Day holiday and its adjusted
working weekend days; due-soon and overdue lists; ``jiuzhu tick`` idempotent."""

import logging
from datetime import date

import pytest
from django.core.management import call_command

from jiuzhu.common.selectors import deadline
from jiuzhu.intake import handling, selectors, services
from jiuzhu.intake.deadlines import tick
from jiuzhu.intake.models import CaseEvent, Notification, Referral
from jiuzhu.intake.testing import two_services


def test_calendar_facts_used_below(db):
    # 2026-10-01..07 off; Sunday 2026-09-20 and Saturday 2026-10-10 are adjusted working days
    assert deadline(date(2026, 9, 29), 5).due == date(2026, 10, 12)  # 9-30, 10-8, 10-9, 10-10, 10-12
    assert deadline(date(2026, 9, 18), 1).due == date(2026, 9, 20)  # Friday -> working Sunday


@pytest.fixture
def refer_on(clerk, application, policy):
    a, b = two_services(policy)

    def make(day, code=None):
        return services.refer(
            actor=clerk, application=application, service_codes=[code or a.code], today=day
        )[0]

    make.services = (a, b)
    return make


def test_referral_due_date_skips_the_holiday(refer_on):
    r = refer_on(date(2026, 9, 30))
    a = refer_on.services[0]
    assert r.due_on == deadline(date(2026, 9, 30), a.limit_days).due
    # the 7 holiday days are not counted: the limit ends at least 7 calendar days later than
    # it would on weekends alone
    assert (r.due_on - date(2026, 9, 30)).days >= a.limit_days + 7


def test_due_soon_and_overdue_lists_for_unit_window_and_supervisor(refer_on, clerk, staff):
    r = refer_on(date(2026, 9, 1))
    unit = r.unit
    # on the due date's eve (two working days before) it is due soon
    before = r.due_on
    two_before = [d for d in (date.fromordinal(before.toordinal() - k) for k in range(1, 6))]
    lists = selectors.deadline_lists(unit=unit, today=r.due_on)
    assert r in lists.due_soon and not lists.overdue
    day_after = date.fromordinal(r.due_on.toordinal() + 1)
    for scope in ({"unit": unit}, {"window": clerk.unit}, {}):
        lists = selectors.deadline_lists(today=day_after, **scope)
        assert r in lists.overdue and r not in lists.due_soon
    assert not selectors.deadline_lists(
        window=staff("window_clerk", "town_chengxi").unit, today=day_after
    ).overdue
    assert two_before  # keeps the helper honest


def test_due_soon_counts_working_days_over_an_adjusted_weekend(refer_on):
    r = refer_on(date(2026, 9, 1))
    Referral.objects.filter(pk=r.pk).update(due_on=date(2026, 10, 12))
    # Thursday 10-08: two working days on are 10-09 and the working Saturday 10-10 -> not yet
    assert r not in selectors.deadline_lists(unit=r.unit, today=date(2026, 10, 8)).due_soon
    # Friday 10-09: 10-10 (Sat, working) and 10-12 -> due soon
    assert r in selectors.deadline_lists(unit=r.unit, today=date(2026, 10, 9)).due_soon
    # before the holiday, Wednesday 09-30: next working days are 10-08 and 10-09 -> not yet
    assert r not in selectors.deadline_lists(unit=r.unit, today=date(2026, 9, 30)).due_soon


def test_paused_referrals_are_neither_due_soon_nor_overdue(refer_on, officer):
    r = refer_on(date(2026, 9, 1))
    handling.referral_request_supplement(
        actor=officer(r.unit.code), referral=r, missing="材料", today=date(2026, 9, 2)
    )
    late = date(2026, 12, 1)
    lists = selectors.deadline_lists(unit=r.unit, today=late)
    assert r not in lists.overdue and r not in lists.due_soon


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_tick_marks_notifies_and_is_idempotent(refer_on, clerk, django_capture_on_commit_callbacks):
    r = refer_on(date(2026, 9, 1))
    soon = refer_on(date(2026, 9, 29), code=refer_on.services[1].code)
    today = date.fromordinal(r.due_on.toordinal() + 1)
    Referral.objects.filter(pk=soon.pk).update(due_on=today)
    log = _Lines()
    logging.getLogger("jiuzhu.notify").addHandler(log)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report = tick(today=today)
    finally:
        logging.getLogger("jiuzhu.notify").removeHandler(log)
    assert (report.overdue, report.due_soon) == (1, 1)
    r.refresh_from_db()
    assert r.flag == "overdue" and r.flagged_due == r.due_on
    overdue = Notification.objects.filter(kind="overdue", referral=r)
    assert {n.unit.code if n.unit_id else n.role for n in overdue} == {
        r.unit.code,
        clerk.unit.code,
        "supervisor",
    }
    assert Notification.objects.filter(kind="due_soon", referral_id=soon.pk).count() == 2
    assert sum("kind=overdue" in line for line in log.lines) == 3  # the default sender logs each
    counts = (Notification.objects.count(), CaseEvent.objects.count())
    again = tick(today=today)
    assert (again.overdue, again.due_soon, again.notifications) == (0, 0, 0)
    assert (Notification.objects.count(), CaseEvent.objects.count()) == counts
    call_command("tick", "--date", today.isoformat())  # the command runs and changes nothing
    assert (Notification.objects.count(), CaseEvent.objects.count()) == counts


def test_tick_notifies_again_after_the_due_date_moved(refer_on, officer, clerk):
    r = refer_on(date(2026, 9, 1))
    today = date.fromordinal(r.due_on.toordinal() + 1)
    tick(today=today)
    who = officer(r.unit.code)
    handling.referral_request_supplement(actor=who, referral=r, missing="材料", today=today)
    handling.referral_receive_supplement(actor=clerk, referral=r, today=deadline(today, 3).due)
    r.refresh_from_db()
    assert r.paused_days == 3
    later = date.fromordinal(r.due_on.toordinal() + 1)
    assert tick(today=later).overdue == 1


def test_sender_is_pluggable(refer_on, settings, django_capture_on_commit_callbacks):
    from jiuzhu.intake import notify

    settings.JIUZHU_NOTIFY_SENDER = "jiuzhu.intake.tests.test_deadlines.CollectSender"
    CollectSender.keys = []
    assert isinstance(notify.sender(), CollectSender)
    with django_capture_on_commit_callbacks(execute=True):
        r = refer_on(date(2026, 9, 1))
        tick(today=date.fromordinal(r.due_on.toordinal() + 1))
    assert f"referred:{r.pk}" in CollectSender.keys
    assert any(k.startswith(f"overdue:{r.pk}:") for k in CollectSender.keys)


class CollectSender:
    keys: list = []

    def send(self, n):
        CollectSender.keys.append(n.key)
