"""Due-soon and overdue verification tasks (``jiuzhu verify --tick``), as for referrals: a task
is flagged once per state (a conditional UPDATE decides who flags it) and its unit — and, when
overdue, the verification centre — is notified once (intake's notices, unique keys)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from jiuzhu.common import masking as m

from .models import SourceTask
from .selectors import task_flag
from .sources import source


@dataclass
class TaskTick:
    today: date
    due_soon: int = 0
    overdue: int = 0
    notifications: int = 0

    def __str__(self):
        return (
            f"{self.today.isoformat()}：核对任务新临近期限 {self.due_soon} 件，新超期 {self.overdue} 件，"
            f"通知 {self.notifications} 条"
        )


def _notify(task: SourceTask, flag: str) -> int:
    try:
        from jiuzhu.intake.notify import notify
    except ImportError:  # intake absent: the flag on the task is the notice
        return 0
    what = "已超期" if flag == "overdue" else "临近期限"
    text = f"核对任务 #{task.pk}（{source(task.source).name}）{what}，反馈期限 {task.due_on.isoformat()}"
    sent: int = (
        notify(
            key=f"verification_{flag}:{task.pk}:{task.due_on}:{task.unit.code}",
            kind=flag,
            unit=task.unit,
            message=text,
        )
        is not None
    )
    if flag == "overdue":
        sent += (
            notify(
                key=f"verification_{flag}:{task.pk}:{task.due_on}:role:{m.VERIFICATION_OFFICER}",
                kind=flag,
                role=m.VERIFICATION_OFFICER,
                message=text,
            )
            is not None
        )
    return sent


@transaction.atomic
def tick(*, today: date) -> TaskTick:
    out = TaskTick(today=today)
    for task in SourceTask.objects.filter(state=SourceTask.OPEN).select_related("unit"):
        flag = task_flag(task, today)
        if not flag:
            continue
        if (
            not SourceTask.objects.filter(pk=task.pk, state=SourceTask.OPEN)
            .exclude(flag=flag)
            .update(flag=flag)
        ):
            continue
        out.overdue += flag == "overdue"
        out.due_soon += flag == "due_soon"
        out.notifications += _notify(task, flag)
    return out
