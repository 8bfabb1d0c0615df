"""Home-page queues of the payments area (``jiuzhu.common.worklist``): payees without a bank
account and lines to deal with (the town's caseworker), rolls to review and approve (approver)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from jiuzhu.common import labels
from jiuzhu.common import masking as m
from jiuzhu.common.worklist import SHOWN, Item, Queue
from jiuzhu.decisions.models import Entitlement

from . import selectors
from .models import PaymentRoll


def missing_accounts(*, town=None):
    """Entitlements being paid whose payee has no bank account: the next roll would hold them."""
    qs = Entitlement.objects.filter(
        status__in=(Entitlement.ACTIVE, Entitlement.GRADUAL_EXIT), payee__bank_account__isnull=True
    ).select_related("household", "payee")
    if town is not None:
        qs = qs.filter(household__town=town)
    return qs.order_by("start_month", "id")


def _accounts(town) -> Queue:
    rows = list(missing_accounts(town=town))
    return Queue(
        key="accounts_missing",
        title="待登记银行账户（否则首月发放暂停）",
        count=len(rows),
        items=[
            Item(
                title=f"{e.household.code} · {labels.label('service', e.service_code)}",
                url=reverse("registry:household", args=[e.household.code]) + "#bank",  # 银行账户 panel
                detail=f"{e.start_month:%Y-%m} 起每月 {labels.yuan(e.amount)}",
                state="未登记银行账户",
            )
            for e in rows[:SHOWN]
        ],
        url=reverse("payments:attention"),
        order=35,
    )


def queues(*, user, role: str, today: date) -> list[Queue]:
    if role == m.TOWN_CASEWORKER and user.unit_id:
        lines = list(selectors.attention(town=user.unit, limit=200))
        return [
            _accounts(user.unit),
            Queue(
                key="lines_attention",
                title="发放失败或暂停待处理",
                count=len(lines),
                items=[
                    Item(
                        title=f"{ln.household.code} · {labels.yuan(ln.amount)}",
                        url=reverse("payments:attention"),
                        detail=f"{ln.roll.month:%Y-%m}",
                        state=ln.get_state_display(),
                    )
                    for ln in lines[:SHOWN]
                ],
                url=reverse("payments:attention"),
                order=50,
            ),
        ]
    if role == m.APPROVER:
        rolls = list(
            PaymentRoll.objects.filter(state__in=(PaymentRoll.DRAFT, PaymentRoll.REVIEWED))
            .select_related("unit")
            .order_by("month", "id")
        )
        return [
            Queue(
                key="rolls_to_approve",
                title="待审核、审批的发放名册",
                count=len(rolls),
                items=[
                    Item(
                        title=f"{r.month:%Y-%m} {labels.label('service', r.service_code)}",
                        url=reverse("payments:roll", args=[r.pk]),
                        detail=f"{r.unit.name} · {r.lines_count} 笔 · {labels.yuan(r.total)}",
                        state=r.get_state_display(),
                    )
                    for r in rolls[:SHOWN]
                ],
                url=reverse("payments:home"),
                order=20,
            ),
            _accounts(None),
        ]
    return []
