"""A meeting with directives: planned, held with attendance and minutes, directives assigned
to two units, progress, closure sent back and accepted, overdue escalation, the next agenda."""

from datetime import date

import pytest
from django.core.management import call_command

from jiuzhu.common.errors import IllegalTransition, PermissionDenied, ValidationFailed
from jiuzhu.intake.models import Notification
from jiuzhu.supervision import escalation, services
from jiuzhu.supervision.models import Assignment, Directive, Meeting

pytestmark = pytest.mark.django_db


def test_year_plan_has_four_quarterly_meetings_on_working_days_once(convener):
    made = services.meetings_plan_year(actor=convener, year=2026, today=date(2026, 1, 5))
    assert [m.quarter for m in made] == [1, 2, 3, 4]
    assert all(m.planned_on.weekday() < 5 and m.planned_on.month == 3 * m.quarter for m in made)
    # 2026-06-20 is a Saturday: the meeting moves to Monday the 22nd
    assert made[1].planned_on == date(2026, 6, 22)
    assert services.meetings_plan_year(actor=convener, year=2026) == []
    assert Meeting.objects.count() == 4
    kinds = [a.kind for a in made[0].agenda.all()]
    assert kinds[:2] == ["directives", "figures"]


def test_meeting_directives_escalate_and_close(convener, staff, units):
    q1, q2, *_ = services.meetings_plan_year(actor=convener, year=2026, today=date(2026, 1, 5))
    services.attendance_record(
        actor=convener, meeting=q1, unit="education", status="present", attendee="王局长"
    )
    services.attendance_record(
        actor=convener, meeting=q1, unit="housing", status="delegate", attendee="李科长"
    )
    with pytest.raises(ValidationFailed) as err:
        services.attendance_record(actor=convener, meeting=q1, unit="health", status="delegate")
    assert err.value.code == "required"
    services.meeting_hold(
        actor=convener, meeting=q1, minutes="会议研究了教育救助和住房救助衔接问题。", today=date(2026, 3, 2)
    )
    d = services.directive_create(
        actor=convener,
        meeting=q1,
        title="完善教育救助与住房救助数据共享",
        units=["education", "housing"],
        limit_days=5,
        today=date(2026, 3, 2),
    )
    assert d.number == "DB2026-001" and d.due_on == date(2026, 3, 9)  # 5 working days from Monday
    edu, hou = d.assignments.get(unit__code="education"), d.assignments.get(unit__code="housing")
    # the next meeting's agenda follows at once
    assert [r["unit_code"] for r in q2.agenda.get(kind="directives").data["rows"]] == ["education", "housing"]
    assert edu.lead and not hou.lead

    edu_officer, hou_officer = (
        staff("department_officer", "education"),
        staff("department_officer", "housing"),
    )
    with pytest.raises(PermissionDenied):
        services.assignment_report(actor=hou_officer, assignment=edu, note="不是我的", today=date(2026, 3, 3))
    services.assignment_report(
        actor=edu_officer, assignment=edu, note="已起草共享清单", today=date(2026, 3, 3)
    )
    services.assignment_request_closure(
        actor=edu_officer, assignment=edu, note="清单已印发", today=date(2026, 3, 4)
    )
    with pytest.raises(PermissionDenied):
        services.assignment_accept(actor=edu_officer, assignment=edu)
    services.assignment_send_back(
        actor=convener, assignment=edu, reason="缺少住房部门会签", today=date(2026, 3, 5)
    )
    edu.refresh_from_db()
    assert edu.state == Assignment.OPEN
    with pytest.raises(IllegalTransition):
        services.assignment_accept(actor=convener, assignment=edu, today=date(2026, 3, 5))
    services.assignment_request_closure(
        actor=edu_officer, assignment=edu, note="已会签", today=date(2026, 3, 6)
    )
    services.assignment_accept(actor=convener, assignment=edu, today=date(2026, 3, 6))

    # housing does nothing: reminded before, overdue the day after its due date, notices to unit
    # and convener
    assert escalation.tick(today=date(2026, 3, 6)).due_soon == 1
    assert escalation.tick(today=date(2026, 3, 6)).due_soon == 0
    assert str(escalation.tick(today=date(2026, 3, 9))).count("新超期 0")
    first = escalation.tick(today=date(2026, 3, 10))
    assert first.overdue == 1
    hou.refresh_from_db()
    assert hou.escalation_level == 1
    notices = Notification.objects.filter(kind="directive_overdue")
    assert Notification.objects.get(kind="directive_due_soon").unit.code == "housing"
    assert {(n.unit.code if n.unit else n.role) for n in notices} == {"housing", "convener"}
    again = escalation.tick(today=date(2026, 3, 10))
    assert again.overdue == 0 and again.notifications == 0  # safe to run twice
    assert escalation.tick(today=date(2026, 3, 16)).escalated == 0  # 5 working days not yet passed
    second = escalation.tick(today=date(2026, 3, 17))
    assert second.escalated == 1
    hou.refresh_from_db()
    assert hou.escalation_level == 2
    assert Notification.objects.filter(kind="directive_overdue", role="supervisor").count() == 1
    assert [e.kind for e in hou.events.all()] == ["assigned", "overdue", "escalated"]

    # the next meeting's agenda opens with the open directive, overdue
    q2.refresh_from_db()
    rows = q2.agenda.get(kind="directives").data["rows"]
    assert [(r["unit_code"], r["overdue"], r["escalation_level"]) for r in rows] == [("housing", True, 2)]
    assert q2.agenda.get(kind="figures").data["figures"]

    services.assignment_request_closure(
        actor=hou_officer, assignment=hou, note="已完成", today=date(2026, 3, 18)
    )
    assert escalation.tick(today=date(2026, 3, 30)).escalated == 0  # clock stops while closure is asked
    services.assignment_accept(actor=convener, assignment=hou, today=date(2026, 3, 30))
    d.refresh_from_db()
    assert d.status == Directive.CLOSED and d.closed_on == date(2026, 3, 30)


def test_bad_directive_changes_nothing(convener, staff):
    with pytest.raises(ValidationFailed) as err:
        services.directive_create(actor=convener, title="x", units=["education"], limit_days="五")
    assert err.value.code == "invalid_limit"
    with pytest.raises(ValidationFailed) as err:
        services.directive_create(actor=convener, title="x", units=["nowhere"], limit_days=5)
    assert err.value.code == "unknown_unit"
    with pytest.raises(PermissionDenied):
        services.directive_create(actor=staff("approver"), title="x", units=["education"], limit_days=5)
    planned = services.meetings_plan_year(actor=convener, year=2026, today=date(2026, 1, 5))[0]
    with pytest.raises(IllegalTransition):
        services.directive_create(
            actor=convener,
            meeting=planned,
            title="x",
            units=["education"],
            limit_days=5,
            today=date(2026, 1, 5),
        )
    assert Directive.objects.count() == 0 and Assignment.objects.count() == 0


def test_supervise_command(convener, capsys):
    services.directive_create(
        actor=convener,
        title="落实临时救助备用金",
        units=["town_chengdong"],
        limit_days=3,
        today=date(2026, 3, 2),
    )
    call_command("supervise", "--tick", "--date", "2026-03-10")
    out = capsys.readouterr().out
    assert "新超期 1 项" in out
    call_command("supervise", "--plan-year", "2027")
    assert Meeting.objects.filter(year=2027).count() == 4


def test_agenda_figures_count_the_quarters_intake(convener, make_household, staff):
    from jiuzhu.intake import services as intake
    from jiuzhu.supervision import figures

    household = make_household()
    intake.application_create(
        actor=staff("window_clerk"), household=household, needs=["living"], today=date(2026, 2, 3)
    )
    intake.application_create(
        actor=staff("window_clerk"), household=household, needs=["medical"], today=date(2026, 4, 3)
    )
    got = figures.intake_figures(start=date(2026, 1, 1), end=date(2026, 3, 31))
    assert got["applications"] == 1 and got["referrals"] == 0
    q1 = services.meetings_plan_year(actor=convener, year=2026, today=date(2026, 3, 10))[0]
    item = q1.agenda.get(kind="figures")
    assert item.data["start"] == "2026-01-01" and item.data["end"] == "2026-03-10"
    if item.data["source"] == "intake":
        assert {"key": "applications", "label": "受理救助申请（件）", "value": 1} in item.data["figures"]
