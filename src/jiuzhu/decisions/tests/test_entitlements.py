"""The entitlement contract: a change or a stop never rewrites a past month."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.errors import IllegalTransition, ValidationFailed
from jiuzhu.decisions.entitlements import (
    amount_owed,
    entitlement_change,
    entitlement_grant,
    entitlement_stop,
    owed_in,
)


@pytest.fixture
def dibao(make_household, staff, policy):
    hh = make_household(
        members=[{"name": "王芳", "birth": date(1960, 3, 1)}, {"name": "王小", "birth": date(2012, 1, 1)}]
    )
    head = hh.members.get(relation="head")
    actor = staff("approver")
    ent = entitlement_grant(
        household=hh,
        payee=head,
        members=list(hh.members.all()),
        service_code="dibao",
        amount="1200",
        start_month=date(2026, 3, 15),
        actor=actor,
        policy=policy,
        reason="审批同意",
    )
    return ent, head, actor


def test_grant_owed_from_start_month(dibao):
    ent, head, _ = dibao
    assert ent.start_month == date(2026, 3, 1) and ent.category == "minimum_living"
    assert ent.members.count() == 2
    assert amount_owed(payee=head, service_code="dibao", month=date(2026, 2, 1)) == 0
    assert amount_owed(payee=head, service_code="dibao", month=date(2026, 3, 1)) == Decimal("1200.00")


def test_change_keeps_past_months_and_refuses_stale_copy(dibao):
    ent, head, actor = dibao
    new = entitlement_change(
        entitlement=ent, amount="800", from_month=date(2026, 5, 1), actor=actor, reason="收入增加"
    )
    assert amount_owed(payee=head, service_code="dibao", month=date(2026, 4, 1)) == Decimal("1200.00")
    assert amount_owed(payee=head, service_code="dibao", month=date(2026, 5, 1)) == Decimal("800.00")
    assert new.previous_id == ent.pk and new.status == "active"
    with pytest.raises(IllegalTransition):
        entitlement_change(
            entitlement=ent, amount="700", from_month=date(2026, 6, 1), actor=actor, reason="x"
        )


def test_stop_before_first_month_owes_nothing(dibao):
    ent, head, actor = dibao
    entitlement_stop(entitlement=ent, from_month=date(2026, 3, 1), actor=actor, reason="死亡")
    assert not owed_in(date(2026, 3, 1)).filter(payee=head).exists()
    with pytest.raises(ValidationFailed):
        entitlement_change(entitlement=ent, amount="1", from_month=date(2026, 4, 1), actor=actor, reason=" ")
