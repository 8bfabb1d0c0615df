"""``jiuzhu tick``: mark due-soon and overdue referrals and overdue emergency-aid files, and
notify the unit, the window that took the request and the supervisor. Safe to run twice: a
referral is marked once per due date (a conditional update decides who marks it) and each
notice has a unique key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.common import clock
from jiuzhu.common import masking as m

from .models import EmergencyAid, Referral, TrackingAttempt
from .notify import notify
from .selectors import due_soon_until
from .services import event

# Failed tracking look-ups older than this are no longer needed for throttling.
ATTEMPT_RETENTION = timedelta(days=1)


@dataclass
class TickReport:
    today: date
    due_soon: int = 0
    overdue: int = 0
    emergency_overdue: int = 0
    notifications: int = 0
    purged_attempts: int = 0

    def __str__(self):
        return (
            f"{self.today.isoformat()}：新临近期限 {self.due_soon} 件，新超期 {self.overdue} 件，"
            f"先行救助手续新超期 {self.emergency_overdue} 件，通知 {self.notifications} 条，"
            f"清理查询记录 {self.purged_attempts} 条"
        )


def _mark(r: Referral, flag: str) -> bool:
    """Flag ``r`` for its current due date unless already flagged so; True for the one caller
    that did it."""
    return bool(
        Referral.objects.filter(pk=r.pk, state__in=Referral.RUNNING_STATES, due_on=r.due_on)
        .exclude(flag=flag, flagged_due=r.due_on)
        .update(flag=flag, flagged_due=r.due_on)
    )


def _notify_referral(r: Referral, kind: str, text: str, *, supervisor: bool) -> int:
    app = r.application
    sent = 0
    targets = [("unit", r.unit), ("window", app.window)]
    for label, unit in targets:
        if label == "window" and unit.pk == r.unit_id:
            continue
        sent += (
            notify(
                key=f"{kind}:{r.pk}:{r.due_on.isoformat()}:{unit.code}",
                kind=kind,
                unit=unit,
                application=app,
                referral=r,
                message=text,
            )
            is not None
        )
    if supervisor:
        sent += (
            notify(
                key=f"{kind}:{r.pk}:{r.due_on.isoformat()}:role:{m.SUPERVISOR}",
                kind=kind,
                role=m.SUPERVISOR,
                application=app,
                referral=r,
                message=text,
            )
            is not None
        )
    return sent


@transaction.atomic
def tick(*, today: date | None = None) -> TickReport:
    today = today or clock.today()
    report = TickReport(today=today)
    running = Referral.objects.filter(state__in=Referral.RUNNING_STATES).select_related(
        "unit", "application", "application__window"
    )
    for r in running.filter(due_on__lt=today).exclude(flag="overdue", flagged_due=F("due_on")):
        if not _mark(r, "overdue"):
            continue
        report.overdue += 1
        text = (
            f"已超期：{r.service_name}（{r.unit.name}，查询码 {r.application.tracking_code}），"
            f"期限 {r.due_on.isoformat()}"
        )
        event(
            r.application,
            "overdue",
            unit=r.unit,
            referral=r,
            note=text,
            data={"due_on": r.due_on.isoformat()},
        )
        report.notifications += _notify_referral(r, "overdue", text, supervisor=True)
    soon = running.filter(due_on__gte=today, due_on__lte=due_soon_until(today))
    for r in soon.exclude(flag="due_soon", flagged_due=F("due_on")):
        if not _mark(r, "due_soon"):
            continue
        report.due_soon += 1
        text = (
            f"临近期限：{r.service_name}（{r.unit.name}，查询码 {r.application.tracking_code}），"
            f"请于 {r.due_on.isoformat()} 前办结"
        )
        event(
            r.application,
            "due_soon",
            unit=r.unit,
            referral=r,
            note=text,
            data={"due_on": r.due_on.isoformat()},
        )
        report.notifications += _notify_referral(r, "due_soon", text, supervisor=False)
    aids = EmergencyAid.objects.filter(state=EmergencyAid.OPEN, file_due_on__lt=today).exclude(flag="overdue")
    for aid in aids.select_related("application", "application__window"):
        if not EmergencyAid.objects.filter(pk=aid.pk).exclude(flag="overdue").update(flag="overdue"):
            continue
        report.emergency_overdue += 1
        app = aid.application
        text = (
            f"先行救助手续逾期未补齐（查询码 {app.tracking_code}，{aid.amount:.2f} 元，"
            f"期限 {aid.file_due_on.isoformat()}）"
        )
        event(app, "overdue", unit=app.window, note=text, data={"emergency_aid": aid.pk})
        for key, kw in (
            (app.window.code, {"unit": app.window}),
            (f"role:{m.SUPERVISOR}", {"role": m.SUPERVISOR}),
        ):
            report.notifications += (
                notify(
                    key=f"emergency_overdue:{aid.pk}:{key}",
                    kind="emergency_overdue",
                    application=app,
                    message=text,
                    **kw,
                )
                is not None
            )
    cutoff = timezone.now() - ATTEMPT_RETENTION  # retention runs on real time
    report.purged_attempts, _ = TrackingAttempt.objects.filter(at__lt=cutoff).delete()
    return report
