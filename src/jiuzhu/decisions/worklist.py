"""Home-page queues of the decision workflow (``jiuzhu.common.worklist``): the caseworker's
referrals to start, investigations, notices ending and reviews to confirm; the approver's cases
ready to approve and reviews to sign."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse

from jiuzhu.common import labels
from jiuzhu.common import masking as m
from jiuzhu.common.worklist import DUE_SOON_DAYS, SHOWN, Item, Queue, due_counts

from . import selectors
from .models import Case, Notice, Review


def _case_item(c: Case, today: date, *, due_on: date | None = None) -> Item:
    return Item(
        title=f"{c.service_name} · {c.household.code}",
        url=reverse("decisions:case", args=[c.pk]),
        detail=c.household.community,
        due_on=due_on or c.due_on,
        state=selectors.stage(c, today),
    )


def _cases(rows, today, *, key, title, order, empty="暂无事项", due=lambda c: c.due_on) -> Queue:
    rows = list(rows)
    soon, over = due_counts((due(c) for c in rows), today)
    return Queue(
        key=key,
        title=title,
        count=len(rows),
        items=[_case_item(c, today, due_on=due(c)) for c in rows[:SHOWN]],
        url=reverse("decisions:home"),
        due_soon=soon,
        overdue=over,
        empty=empty,
        order=order,
    )


def _reviews(rows, today, *, key, title, order) -> Queue:
    rows = list(rows)
    soon, over = due_counts((r.due_on for r in rows), today)
    return Queue(
        key=key,
        title=title,
        count=len(rows),
        items=[
            Item(
                title=f"{r.household.code} · {r.get_reason_display()}",
                url=reverse("decisions:review", args=[r.pk]),
                due_on=r.due_on,
                state=r.get_state_display(),
            )
            for r in rows[:SHOWN]
        ],
        url=reverse("decisions:home"),
        due_soon=soon,
        overdue=over,
        order=order,
    )


def _investigation_overdue(user, today: date) -> Queue:
    rows = selectors.investigation_overdue(user, today=today)
    items = []
    for x, due, what in rows[:SHOWN]:
        if isinstance(x, Case):
            items.append(
                Item(
                    title=f"{x.service_name} · {x.household.code}",
                    url=reverse("decisions:case", args=[x.pk]),
                    detail=x.household.community,
                    due_on=due,
                    state=what,
                )
            )
        else:
            items.append(
                Item(
                    title=f"{x.service_name} · {x.application.household.code}",
                    url=reverse("decisions:home") + "#open-h",
                    detail=x.application.tracking_code,
                    due_on=due,
                    state=what,
                )
            )
    return Queue(
        key="investigation_overdue",
        title="调查未按时启动的申请（低保、特困）",
        count=len(rows),
        items=items,
        url=reverse("decisions:home"),
        overdue=len(rows),
        empty="暂无调查逾期的申请",
        order=15,
    )


def _verification_overdue(user, today: date) -> Queue:
    rows = selectors.verification_overdue(user, today=today)
    return Queue(
        key="verification_overdue",
        title="核对逾期的案件（无有效核对报告不能审批）",
        count=len(rows),
        items=[
            Item(
                title=f"{c.service_name} · {c.household.code}",
                url=reverse("decisions:case", args=[c.pk]),
                detail=c.household.community,
                due_on=due,
                state=what,
            )
            for c, due, what in rows[:SHOWN]
        ],
        url=reverse("decisions:home"),
        overdue=len(rows),
        empty="暂无核对逾期的案件",
        order=25,
    )


def _caseworker(user, today: date) -> list[Queue]:
    to_open = selectors.referrals_to_open(user)
    soon, over = due_counts((r.due_on for r in to_open), today)
    mine = Case.objects.filter(town_id=user.unit_id).select_related("household")
    ending = list(
        mine.filter(state=Case.NOTICE, notices__state=Notice.RUNNING)
        .order_by("notices__ends_on", "id")
        .distinct()
    )
    ends = {
        n.case_id: n.ends_on
        for n in Notice.objects.filter(case__in=ending, state=Notice.RUNNING).order_by("starts_on")
    }
    ending = [c for c in ending if ends.get(c.pk) and ends[c.pk] <= today + timedelta(days=DUE_SOON_DAYS)]
    return [
        Queue(
            key="referrals_to_start",
            title="待启动审核确认的申请（低保、特困）",
            count=len(to_open),
            items=[
                Item(
                    title=f"{r.service_name} · {r.application.household.code}",
                    url=reverse("decisions:home") + "#open-h",
                    detail=r.application.tracking_code,
                    due_on=r.due_on,
                    state="待启动调查",
                )
                for r in to_open[:SHOWN]
            ],
            url=reverse("decisions:home"),
            due_soon=soon,
            overdue=over,
            order=10,
        ),
        _cases(
            mine.filter(state=Case.INVESTIGATING).order_by("due_on", "id"),
            today,
            key="investigations",
            title="调查核实中的案件",
            order=20,
        ),
        _cases(
            ending,
            today,
            key="notices_ending",
            title="公示即将结束或已期满",
            order=30,
            due=lambda c: ends.get(c.pk),
        ),
        _investigation_overdue(user, today),
        _verification_overdue(user, today),
        _reviews(
            selectors.reviews_for(user, state=Review.PROPOSED),
            today,
            key="reviews_to_confirm",
            title="定期复核待镇街确认",
            order=45,
        ),
    ]


def _approver(user, today: date) -> list[Queue]:
    return [
        _cases(
            selectors.ready_to_approve(today=today),
            today,
            key="cases_ready",
            title="可审批的案件（公示期满、无异议）",
            order=10,
            empty="暂无待审批案件",
        ),
        _reviews(
            selectors.reviews_for(user, state=Review.CONFIRMED),
            today,
            key="reviews_to_sign",
            title="定期复核待审批",
            order=40,
        ),
    ]


def _department(user, today: date) -> list[Queue]:
    from .department_reviews import due

    rows = list(due(unit=user.unit, today=today))
    return [
        Queue(
            key="department_reviews",
            title="到期待复核的救助待遇",
            count=len(rows),
            items=[
                Item(
                    title=f"{labels.label('service', e.service_code)} · {e.household.code}",
                    url=reverse("decisions:department_reviews"),
                    detail=f"¥{e.amount:,.2f}",
                    due_on=e.next_review_on,
                    state="待复核",
                )
                for e in rows[:SHOWN]
            ],
            url=reverse("decisions:department_reviews"),
            overdue=sum(1 for e in rows if e.next_review_on < today),
            empty="暂无到期复核的待遇",
            order=35,
        )
    ]


def queues(*, user, role: str, today: date) -> list[Queue]:
    if role == m.TOWN_CASEWORKER and user.unit_id:
        return _caseworker(user, today)
    if role == m.APPROVER:
        return _approver(user, today)
    if role == m.DEPARTMENT_OFFICER and user.unit_id:
        return _department(user, today)
    return []
