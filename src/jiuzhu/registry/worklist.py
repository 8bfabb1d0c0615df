"""Home-page queue of the administrator (``jiuzhu.common.worklist``): staff accounts that work
without a role (their home would be empty and every page refused)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from jiuzhu.common import masking as m
from jiuzhu.common.worklist import SHOWN, Item, Queue

from .models import User


def queues(*, user, role: str, today: date) -> list[Queue]:
    if role != m.ADMIN:
        return []
    rows = list(User.objects.filter(is_active=True, role="", is_superuser=False).order_by("username"))
    return [
        Queue(
            key="accounts_without_role",
            title="未分配角色的工作人员账号",
            count=len(rows),
            items=[
                Item(title=str(u), url=reverse("admin:registry_user_change", args=[u.pk]), detail=u.username)
                for u in rows[:SHOWN]
            ],
            url=reverse("admin:registry_user_changelist") + "?role__exact=",
            order=60,
        )
    ]
