"""Home-page queues of supervision (``jiuzhu.common.worklist``): complaints for the handling
(discipline) unit and the supervisors, directive parts for the units and the convener."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from jiuzhu.common import masking as m
from jiuzhu.common.worklist import SHOWN, Item, Queue, due_counts

from . import access, selectors
from .models import Assignment, Complaint


def queues(*, user, role: str, today: date) -> list[Queue]:
    out: list[Queue] = []
    handles = (
        role in access.OVERSIGHT_ROLES
        or Complaint.objects.filter(handling_unit_id=getattr(user, "unit_id", None)).exists()
    )
    if role not in (m.DATA_PROVIDER, m.PARTNER) and handles:
        rows = list(selectors.complaints_for(user).exclude(state=Complaint.CLOSED).order_by("due_on", "id"))
        soon, over = due_counts((c.due_on for c in rows), today)
        out.append(
            Queue(
                key="complaints",
                title="待办理的投诉举报",
                count=len(rows),
                items=[
                    Item(
                        title=f"{c.code} · {c.get_kind_display()}",
                        url=reverse("supervision:complaint", args=[c.pk]),
                        detail=c.unit.name if c.unit_id else c.get_subject_display(),
                        due_on=c.due_on,
                        state=c.get_state_display(),
                    )
                    for c in rows[:SHOWN]
                ],
                url=reverse("supervision:complaints"),
                due_soon=soon,
                overdue=over,
                order=12 if role != m.CONVENER else 30,
            )
        )
    if role == m.CONVENER or (role in (m.DEPARTMENT_OFFICER, m.TOWN_CASEWORKER) and user.unit_id):
        parts = selectors.assignments(unit=None if role == m.CONVENER else user.unit, open_only=True)
        rows = list(parts)
        soon, over = due_counts((a.due_on for a in rows if a.state == Assignment.OPEN), today)
        out.append(
            Queue(
                key="assignments",
                title="督办任务（联席会议交办）" if role == m.CONVENER else "本单位的督办任务",
                count=len(rows),
                items=[
                    Item(
                        title=f"{a.directive.number} {a.directive.title}",
                        url=reverse("supervision:directive", args=[a.directive_id]),
                        detail=a.unit.name,
                        due_on=a.due_on,
                        state=a.get_state_display(),
                    )
                    for a in rows[:SHOWN]
                ],
                url=reverse("supervision:directives"),
                due_soon=soon,
                overdue=over,
                order=10 if role == m.CONVENER else 60,
            )
        )
    return out
