"""Caseload fixtures: a dibao household receiving its rule's amount."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jiuzhu.common import clock
from jiuzhu.decisions import snapshot
from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.registry.services import income_add

TODAY = clock.today()


@pytest.fixture
def recipient(make_household, staff, policy):
    """A dibao household of two elderly people with a small pension, at the rule's amount."""
    hh = make_household(
        members=[
            {
                "name": "郑大爷",
                "birth": date(1948, 2, 3),
                "gender": "M",
                "relation": "head",
                "labour_capacity": "none",
            },
            {
                "name": "冯大妈",
                "birth": date(1950, 9, 9),
                "gender": "F",
                "relation": "spouse",
                "labour_capacity": "none",
            },
        ]
    )
    head = hh.members.get(relation="head")
    pension = income_add(
        actor=None,
        person=head,
        kind="pension_basic",
        monthly_amount="150",
        period_start=TODAY - timedelta(days=300),
        period_end=TODAY,
    )
    _, result = snapshot.take(hh, "dibao", TODAY, policy)
    assert result["eligible"]
    ent = entitlement_grant(
        household=hh,
        payee=head,
        service_code="dibao",
        amount=result["amount"],
        start_month=TODAY.replace(day=1),
        actor=staff("approver"),
        policy=policy,
        members=list(hh.members.all()),
        next_review_on=TODAY + timedelta(days=300),
    )
    return hh, head, pension, ent
