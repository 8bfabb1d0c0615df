"""What other areas read: the recipients verification re-checks (with the report each decision
rests on), the household's assistance chain, the KPI figures."""

from datetime import date, timedelta

import pytest

from jiuzhu.decisions import cases, selectors
from jiuzhu.registry.chain import assistance_chain
from jiuzhu.verification import services as verification

from .conftest import D0
from .test_workflow import investigate


@pytest.fixture
def decided(refer_to, poor_household, caseworker, approver, staff, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    r = refer_to(poor_household, "dibao")
    officer = staff("verification_officer", "civil_affairs")
    req = verification.request_create(
        actor=caseworker, household=poor_household, service_code="dibao", today=D0
    )
    for task in req.tasks.filter(state="open"):  # every data-source unit answers "no records"
        verification.task_answer(actor=staff("data_provider", task.unit.code), task=task, no_records=True)
    report = verification.report_issue(actor=officer, request=req, today=D0)
    c = cases.case_open(actor=caseworker, referral=r, today=D0)
    investigate(c, caseworker)
    c = cases.opinion_give(actor=caseworker, case=c, recommend="approve", today=D0 + timedelta(days=1))
    c = cases.case_approve(actor=approver, case=c, today=date(2026, 3, 20), without_account=True)
    return c, report


def test_recipients_carry_the_report_the_decision_rests_on(decided):
    c, report = decided
    assert c.verification_report_id == report.pk
    assert selectors.verification_recipients(date(2026, 4, 15)) == [(c.household_id, "dibao", report.pk)]
    assert selectors.verification_recipients(date(2026, 3, 15)) == []  # paid from April


def test_chain_and_kpi(decided, approver):
    c, _ = decided
    titles = [e.title for e in assistance_chain(household=c.household, role="approver")]
    assert any("审核确认" in t and "已批准" in t for t in titles)
    assert any("批准，每月 2850.00 元" in t for t in titles)
    k = selectors.kpi_decisions(start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert (k["cases_decided"], k["approved"], k["refused"], k["decided_on_time"]) == (1, 1, 0, 1)
    assert k["avg_working_days"] > 0 and k["open_overdue"] == 0
    assert (
        selectors.kpi_decisions(start=date(2026, 3, 1), end=date(2026, 3, 31), unit=c.town)["approved"] == 1
    )
