"""Verification before decisions (DOMAIN §7; 最低生活保障审核确认办法 第十五条、第十七条): a dibao
case is neither approved nor refused without a valid 核对 report on file; an application whose
investigation did not start, or whose verification is late, shows in the caseworker's queue."""

from datetime import date, timedelta

import pytest

from jiuzhu.common.errors import IllegalTransition
from jiuzhu.common.selectors import deadline
from jiuzhu.decisions import cases, selectors
from jiuzhu.decisions.models import Case, Entitlement, Letter
from jiuzhu.verification import services as verification
from jiuzhu.verification.testing import verified

from .conftest import D0
from .test_home_queues import home, queue
from .test_workflow import investigate


def test_no_decision_without_a_verification_report(refer_to, poor_household, caseworker, approver):
    c = cases.case_open(actor=caseworker, referral=refer_to(poor_household, "dibao"), today=D0)
    investigate(c, caseworker)
    c = cases.opinion_give(actor=caseworker, case=c, recommend="approve", today=D0 + timedelta(days=1))
    decided = date(2026, 3, 20)  # the notice ended on 03-09 without objection
    for decide in (
        lambda: cases.case_approve(actor=approver, case=c, today=decided, without_account=True),
        lambda: cases.case_refuse(actor=approver, case=c, reasons="另有收入", today=decided),
    ):
        with pytest.raises(IllegalTransition) as exc:
            decide()
        assert exc.value.code == "verification_report_required" and exc.value.field == "verification"
        assert "核对报告" in str(exc.value)
    c.refresh_from_db()
    assert c.state in Case.OPEN_STATES and c.decided_on is None  # nothing written
    assert not Entitlement.objects.exists() and not Letter.objects.exists()

    report = verified(poor_household, requester=caseworker, service_code="dibao", today=decided)
    c = cases.case_approve(actor=approver, case=c, today=decided, without_account=True)
    assert c.state == Case.APPROVED and c.verification_report_id == report.pk
    assert c.entitlement.amount == c.amount


def test_an_expired_report_does_not_count(refer_to, poor_household, caseworker, approver):
    r = refer_to(poor_household, "dibao", verify=True)  # read on D0, valid 90 days
    c = cases.case_open(actor=caseworker, referral=r, today=D0)
    investigate(c, caseworker)
    cases.opinion_give(actor=caseworker, case=c, recommend="approve", today=D0 + timedelta(days=1))
    with pytest.raises(IllegalTransition) as exc:
        cases.case_approve(actor=approver, case=c, today=D0 + timedelta(days=91), without_account=True)
    assert exc.value.code == "verification_report_required"
    assert (
        cases.case_approve(actor=approver, case=c, today=D0 + timedelta(days=90), without_account=True).state
        == Case.APPROVED
    )


def test_late_verification_is_in_the_caseworker_queue(refer_to, poor_household, caseworker, clerk):
    start = date.today() - timedelta(days=40)
    r = refer_to(poor_household, "dibao", today=start)
    c = cases.case_open(actor=caseworker, referral=r, today=start)
    asked_by = deadline(start, 3).due  # 3 working days after acceptance
    assert selectors.verification_overdue(caseworker, today=asked_by) == []
    late = selectors.verification_overdue(caseworker, today=asked_by + timedelta(days=1))
    assert [(x.pk, due, what) for x, due, what in late] == [(c.pk, asked_by, "未申请核对")]

    # Asked late: the data-source units have their answer limit, the centre 3 working days more.
    asked_on = asked_by + timedelta(days=1)
    req = verification.request_create(
        actor=clerk, household=poor_household, service_code="dibao", today=asked_on
    )
    answers = max(t.due_on for t in req.tasks.all())
    report_by = deadline(answers, 3).due
    assert selectors.verification_overdue(caseworker, today=report_by) == []
    late = selectors.verification_overdue(caseworker, today=report_by + timedelta(days=1))
    assert [(x.pk, due, what) for x, due, what in late] == [(c.pk, report_by, "核对报告逾期")]

    # The caseworker's home page today shows it among his queues.
    n, text = queue(home(caseworker), "verification_overdue")
    assert n == 1 and "核对报告逾期" in text and poor_household.code in text

    verified(poor_household, requester=clerk, service_code="dibao", today=date.today())
    assert selectors.verification_overdue(caseworker, today=date.today()) == []
    n, _ = queue(home(caseworker), "verification_overdue")
    assert n == 0


def test_late_investigation_start_is_in_the_caseworker_queue(refer_to, poor_household, caseworker):
    start = date.today() - timedelta(days=30)
    r = refer_to(poor_household, "dibao", today=start)
    due = deadline(start, 3).due  # the investigation starts within 3 working days of acceptance
    assert selectors.investigation_overdue(caseworker, today=due) == []
    late = selectors.investigation_overdue(caseworker, today=due + timedelta(days=1))
    assert [(x.pk, d, what) for x, d, what in late] == [(r.pk, due, "未启动审核确认")]

    c = cases.case_open(actor=caseworker, referral=r, today=due + timedelta(days=1))
    late = selectors.investigation_overdue(caseworker, today=due + timedelta(days=1))
    assert [(x.pk, d, what) for x, d, what in late] == [(c.pk, due, "未开展调查核实")]
    n, text = queue(home(caseworker), "investigation_overdue")
    assert n == 1 and "未开展调查核实" in text and poor_household.code in text

    investigate(c, caseworker, on=due + timedelta(days=2))
    assert selectors.investigation_overdue(caseworker, today=date.today()) == []
    n, _ = queue(home(caseworker), "investigation_overdue")
    assert n == 0
