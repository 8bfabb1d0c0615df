"""Home-page queue of a charity partner (``jiuzhu.common.worklist``): its open referrals, those
to accept by their answer date, those accepted by their delivery date."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from jiuzhu.common import masking as m
from jiuzhu.common.worklist import SHOWN, Item, Queue, due_counts

from . import selectors
from .models import CharityReferral


def _due(r: CharityReferral) -> date:
    return r.answer_due_on if r.state == CharityReferral.REFERRED else r.due_on


def queues(*, user, role: str, today: date) -> list[Queue]:
    if role != m.PARTNER:
        return []
    rows = [r for r in selectors.referrals_for(user) if r.state in CharityReferral.OPEN_STATES]
    rows.sort(key=lambda r: (_due(r), r.pk))
    soon, over = due_counts((_due(r) for r in rows), today)
    return [
        Queue(
            key="partner_referrals",
            title="转介给本机构、待接收或办理中的求助",
            count=len(rows),
            items=[
                Item(
                    title=f"{r.offer.name} · {r.get_need_display()}",
                    url=reverse("charity:referral", args=[r.pk]),
                    detail=r.get_source_kind_display(),
                    due_on=_due(r),
                    state=r.get_state_display(),
                )
                for r in rows[:SHOWN]
            ],
            url=reverse("charity:home"),
            due_soon=soon,
            overdue=over,
            order=10,
        )
    ]
