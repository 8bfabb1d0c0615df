"""Home-page queues of the one window and the handling units (``jiuzhu.common.worklist``)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from jiuzhu.common import labels
from jiuzhu.common import masking as m
from jiuzhu.common.worklist import SHOWN, Item, Queue, due_counts

from .models import Application, EmergencyAid, Referral


def _referral_item(r: Referral) -> Item:
    return Item(
        title=f"{r.service_name} · {r.application.tracking_code}",
        url=reverse("intake:referral", args=[r.pk]),
        detail=r.missing_material[:60] if r.state == Referral.PAUSED else r.application.household.code,
        due_on=r.due_on if r.state != Referral.PAUSED else None,
        state=labels.label("intake.referral.state", r.state),
    )


def _referrals(qs, today: date, *, key: str, title: str, order: int, url: str) -> Queue:
    rows = list(qs.select_related("application__household").order_by("due_on", "id"))
    soon, over = due_counts((r.due_on for r in rows if r.state in Referral.RUNNING_STATES), today)
    return Queue(
        key=key,
        title=title,
        count=len(rows),
        items=[_referral_item(r) for r in rows[:SHOWN]],
        url=url,
        due_soon=soon,
        overdue=over,
        order=order,
    )


def _todays(window, today: date) -> Queue:
    rows = list(
        Application.objects.filter(window=window, received_on=today)
        .select_related("household")
        .order_by("-received_at")
    )
    return Queue(
        key="applications_today",
        title="今日受理的申请",
        count=len(rows),
        items=[
            Item(
                title=f"{a.tracking_code} · {a.household.code}",
                url=reverse("intake:application", args=[a.tracking_code]),
                detail="、".join(a.needs_display),
                state=a.get_status_display(),
            )
            for a in rows[:SHOWN]
        ],
        url=reverse("intake:window"),
        empty="今天还没有受理申请",
        order=10,
    )


def _emergency(window, today: date) -> Queue:
    aids = list(
        EmergencyAid.objects.filter(application__window=window, state=EmergencyAid.OPEN)
        .select_related("application")
        .order_by("file_due_on")
    )
    soon, over = due_counts((a.file_due_on for a in aids), today)
    return Queue(
        key="emergency_files",
        title="先行救助待补齐手续",
        count=len(aids),
        items=[
            Item(
                title=f"{a.application.tracking_code} · {labels.yuan(a.amount)}",
                url=reverse("intake:application", args=[a.application.tracking_code]),
                detail=a.get_cause_display(),
                due_on=a.file_due_on,
                state=a.get_state_display(),
            )
            for a in aids[:SHOWN]
        ],
        url=reverse("intake:window"),
        due_soon=soon,
        overdue=over,
        order=30,
    )


def _paused(qs, today: date, *, url: str) -> Queue:
    return _referrals(
        qs.filter(state=Referral.PAUSED),
        today,
        key="supplements_awaited",
        title="待申请人补正材料",
        order=40,
        url=url,
    )


def queues(*, user, role: str, today: date) -> list[Queue]:
    unit = user.unit
    if unit is None:
        return []
    if role == m.WINDOW_CLERK:
        window = reverse("intake:window")
        return [
            _todays(unit, today),
            _paused(Referral.objects.filter(application__window=unit), today, url=window),
            _emergency(unit, today),
        ]
    if role == m.TOWN_CASEWORKER:
        return [
            _paused(
                Referral.objects.filter(application__household__town=unit),
                today,
                url=reverse("intake:window"),
            ),
            _emergency(unit, today),
        ]
    if role == m.DEPARTMENT_OFFICER:
        mine = Referral.objects.filter(unit=unit)
        return [
            _referrals(
                mine.filter(state__in=Referral.RUNNING_STATES),
                today,
                key="unit_referrals",
                title="本单位分办事项（按办理期限）",
                order=10,
                url=reverse("intake:inbox"),
            ),
            _paused(mine, today, url=reverse("intake:inbox")),
        ]
    return []
