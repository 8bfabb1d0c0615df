"""Home-page queue of the change requests (``jiuzhu.common.worklist``): those waiting for this
person's review — pending, in the scope of ``change.review``, raised by someone else."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from jiuzhu.common import scope
from jiuzhu.common.worklist import SHOWN, Item, Queue

from . import selectors


def queues(*, user, role: str, today: date) -> list[Queue]:
    if not scope.allows(user, "change.review"):
        return []
    rows = selectors.changes_to_review(actor=user).order_by("raised_at", "pk")
    count = rows.count()
    return [
        Queue(
            key="changes_to_review",
            title="待复核的变更申请",
            count=count,
            items=[
                Item(
                    title=f"{c.household.code} · {c.get_kind_display()}",
                    url=reverse("caseload:change", args=[c.pk]),
                    detail=c.summary,
                    state=c.get_channel_display(),
                )
                for c in rows[:SHOWN]
            ],
            url=reverse("caseload:home") + "#chg-h",
            order=40,
        )
    ]
