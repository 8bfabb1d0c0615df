"""Home-page queues of verification (``jiuzhu.common.worklist``): the verification centre's
open requests and matches to review; a data-source unit's tasks to answer."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from jiuzhu.common import labels
from jiuzhu.common import masking as m
from jiuzhu.common.worklist import SHOWN, Item, Queue, due_counts

from . import selectors
from .models import VerificationRequest

OPEN_REQUESTS = (VerificationRequest.COLLECTING, VerificationRequest.REVIEW, VerificationRequest.READY)


def queues(*, user, role: str, today: date) -> list[Queue]:
    if role == m.VERIFICATION_OFFICER:
        open_requests = list(
            VerificationRequest.objects.filter(state__in=OPEN_REQUESTS)
            .select_related("household", "requesting_unit")
            .order_by("created_at", "id")
        )
        reviews = selectors.pending_reviews()
        return [
            Queue(
                key="verification_requests",
                title="办理中的核对请求",
                count=len(open_requests),
                items=[
                    Item(
                        title=f"#{r.pk} {r.household.code} · {labels.label('service', r.service_code)}",
                        url=reverse("verification:request", args=[r.pk]),
                        detail=r.requesting_unit.name,
                        state=r.get_state_display(),
                    )
                    for r in open_requests[:SHOWN]
                ],
                url=reverse("verification:home"),
                order=10,
            ),
            Queue(
                key="matches_to_review",
                title="待确认的疑似匹配",
                count=len(reviews),
                items=[
                    Item(
                        title=f"核对请求 #{mt.request_id} · {labels.label('source', mt.record.source)}",
                        url=reverse("verification:request", args=[mt.request_id]),
                        state=mt.get_state_display(),
                    )
                    for mt in reviews[:SHOWN]
                ],
                url=reverse("verification:home"),
                order=20,
            ),
        ]
    if role == m.DATA_PROVIDER and user.unit_id:
        tasks = selectors.task_inbox(unit=user.unit, today=today)
        soon, over = due_counts((t.due_on for t in tasks), today)
        return [
            Queue(
                key="source_tasks",
                title="待答复的核对任务",
                count=len(tasks),
                items=[
                    Item(
                        title=f"任务 #{t.pk} · {labels.label('source', t.source)}",
                        url=reverse("verification:task", args=[t.pk]),
                        due_on=t.due_on,
                        state=t.get_state_display(),
                    )
                    for t in tasks[:SHOWN]
                ],
                url=reverse("verification:home"),
                due_soon=soon,
                overdue=over,
                order=10,
            )
        ]
    return []
