"""``jiuzhu supervise --tick``: overdue directives escalate like overdue referrals. An open
assignment past its due date is marked overdue (level 1) and the unit and the convener are
notified; every ``JIUZHU_DIRECTIVE_ESCALATE_DAYS`` (default 5) further working days without
closure it escalates again (level 2, 3 …), from level 2 also to the supervisors. Overdue
complaints notify their handling unit and the supervisors once.

Safe to run twice: a level is raised by a conditional update (whoever changes the row from the
level it read does it) and each notice has a unique key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction

from jiuzhu.common import clock
from jiuzhu.common import masking as m
from jiuzhu.common.selectors import deadline, holiday_table
from jiuzhu.intake.notify import notify
from jiuzhu.intake.selectors import due_soon_until

from .models import Assignment, AssignmentEvent, AssignmentEventKind, Complaint, Meeting

DEFAULT_ESCALATE_DAYS = 5


def escalate_every() -> int:
    return int(getattr(settings, "JIUZHU_DIRECTIVE_ESCALATE_DAYS", DEFAULT_ESCALATE_DAYS))


@dataclass
class TickReport:
    today: date
    due_soon: int = 0
    overdue: int = 0
    escalated: int = 0
    complaints_overdue: int = 0
    notifications: int = 0
    agendas: int = 0

    def __str__(self):
        return (
            f"{self.today.isoformat()}：督办事项临近期限 {self.due_soon} 项，新超期 {self.overdue} 项，再次升级 {self.escalated} 项，"
            f"投诉超期 {self.complaints_overdue} 件，通知 {self.notifications} 条，更新会议议程 {self.agendas} 个"
        )


def _send(key: str, kind: str, text: str, *, unit=None, role: str = "") -> int:
    return notify(key=key, kind=kind, message=text, unit=unit, role=role) is not None


def _notify_assignment(a: Assignment, level: int, text: str) -> int:
    base = f"directive:{a.pk}:{level}"
    sent = _send(f"{base}:{a.unit.code}", "directive_overdue", text, unit=a.unit)
    sent += _send(f"{base}:role:{m.CONVENER}", "directive_overdue", text, role=m.CONVENER)
    if level >= 2:
        sent += _send(f"{base}:role:{m.SUPERVISOR}", "directive_overdue", text, role=m.SUPERVISOR)
    return sent


def _raise(a: Assignment, level: int, today: date) -> bool:
    return bool(
        Assignment.objects.filter(pk=a.pk, state=Assignment.OPEN, escalation_level=a.escalation_level).update(
            escalation_level=level, escalated_on=today
        )
    )


@transaction.atomic
def tick(*, today: date | None = None) -> TickReport:
    today = today or clock.today()
    report = TickReport(today=today)
    table = holiday_table()
    every = escalate_every()
    late = (
        Assignment.objects.filter(state=Assignment.OPEN, due_on__lt=today)
        .select_related("directive", "unit")
        .order_by("due_on", "id")
    )
    for a in late:
        d = a.directive
        if a.escalation_level == 0:
            if not _raise(a, 1, today):
                continue
            report.overdue += 1
            text = f"督办事项已超期：{d.number} {d.title}（{a.unit.name}），期限 {a.due_on.isoformat()}"
            AssignmentEvent.objects.create(
                assignment=a, kind=AssignmentEventKind.OVERDUE, on=today, note=text, data={"level": 1}
            )
            report.notifications += _notify_assignment(a, 1, text)
            continue
        assert a.escalated_on is not None  # _raise set it with the first level
        again = deadline(a.escalated_on, every, table).due
        if today < again:
            continue
        level = a.escalation_level + 1
        if not _raise(a, level, today):
            continue
        report.escalated += 1
        text = (
            f"督办事项第 {level} 次升级督办：{d.number} {d.title}（{a.unit.name}），"
            f"期限 {a.due_on.isoformat()}，至今未办结"
        )
        AssignmentEvent.objects.create(
            assignment=a, kind=AssignmentEventKind.ESCALATED, on=today, note=text, data={"level": level}
        )
        report.notifications += _notify_assignment(a, level, text)
    # Due soon (the same window as referrals): one reminder to the unit per due date.
    soon = Assignment.objects.filter(
        state=Assignment.OPEN, due_on__gte=today, due_on__lte=due_soon_until(today)
    ).select_related("directive", "unit")
    for a in soon:
        d = a.directive
        text = f"督办事项临近期限：{d.number} {d.title}，请于 {a.due_on.isoformat()} 前办结并申请验收"
        sent = _send(
            f"directive:{a.pk}:due_soon:{a.due_on.isoformat()}", "directive_due_soon", text, unit=a.unit
        )
        report.due_soon += sent
        report.notifications += sent
    for c in (
        Complaint.objects.exclude(state=Complaint.CLOSED)
        .filter(due_on__lt=today)
        .select_related("handling_unit")
    ):
        text = f"投诉办理已超期：{c.code}（{c.get_kind_display()}），期限 {c.due_on.isoformat()}"
        sent = _send(
            f"complaint:{c.pk}:overdue:{c.handling_unit.code}",
            "complaint_overdue",
            text,
            unit=c.handling_unit,
        )
        sent += _send(
            f"complaint:{c.pk}:overdue:role:{m.SUPERVISOR}", "complaint_overdue", text, role=m.SUPERVISOR
        )
        if sent:
            report.complaints_overdue += 1
            report.notifications += sent
    # The next planned meeting's automatic agenda follows the directives as they move.
    from .services import _refresh_agenda

    nxt = Meeting.objects.filter(status=Meeting.PLANNED, planned_on__gte=today).order_by("planned_on").first()
    if nxt is not None:
        _refresh_agenda(nxt, today=today)
        report.agendas += 1
    return report
