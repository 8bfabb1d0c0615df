"""先行救助 in one click at the window: the urgent request's declared need, the rule's amount
(capped at the 先行救助 limit), the receiving town's window only (scope row emergency.grant)."""

from decimal import Decimal

import pytest
from django.test import Client

from jiuzhu.common.errors import PermissionDenied, ValidationFailed
from jiuzhu.decisions.models import Entitlement
from jiuzhu.intake import services
from jiuzhu.intake.models import Application, EmergencyAid


def _as(user):
    c = Client()
    c.force_login(user)
    return c


def _urgent(clerk, household, need="1500"):
    return services.application_create(
        actor=clerk, household=household, needs=["emergency"], emergency_cause="fire", emergency_need=need
    )


def test_the_window_pays_first_in_one_click_on_the_rules_amount(clerk, household, policy):
    app = _urgent(clerk, household)
    c = _as(clerk)
    page = c.get("/intake/").content.decode()
    assert "急难求助 · 先行救助（1）" in page and "先行救助 ¥1,500.00" in page
    r = c.post(f"/intake/a/{app.tracking_code}/emergency/", {"from": "window"})
    assert r.status_code == 302 and r["Location"] == "/intake/"
    aid = EmergencyAid.objects.get(application=app)
    assert (aid.amount, aid.cause, aid.granted_by) == (Decimal("1500.00"), "fire", clerk)
    ent = Entitlement.objects.get(household=household, category="temporary")
    assert ent.amount == Decimal("1500.00") and ent.origin.startswith("先行救助")
    after = c.get("/intake/").content.decode()
    assert "先行救助 ¥1,500.00" not in after and "先行救助待补齐手续" in after
    # a second click for the same cause within 12 months pays nothing
    c.post(f"/intake/a/{app.tracking_code}/emergency/", {"from": "window"})
    assert EmergencyAid.objects.filter(application=app).count() == 1


def test_a_need_above_the_limit_is_paid_first_up_to_the_limit(clerk, household, policy):
    app = _urgent(clerk, household, need="5000")
    assert "先行救助 ¥2,000.00" in _as(clerk).get("/intake/").content.decode()
    with pytest.raises(ValidationFailed) as exc:
        services.emergency_grant(actor=clerk, application=app, amount="2000.01")
    assert exc.value.code == "above_rule_amount"
    aid = services.emergency_grant(actor=clerk, application=app)
    assert aid.amount == Decimal("2000.00")


def test_only_the_receiving_towns_window_pays_first(clerk, household, policy, staff):
    app = _urgent(clerk, household)
    for other in (staff("window_clerk", "town_chengxi"), staff("town_caseworker", "town_chengxi")):
        c = _as(other)
        assert "先行救助 ¥" not in c.get("/intake/").content.decode()
        r = c.post(f"/intake/a/{app.tracking_code}/emergency/", {"from": "window"}, follow=True)
        assert "只能先行救助本镇街的事项" in r.content.decode()
        assert not EmergencyAid.objects.filter(application=app).exists()
    with pytest.raises(PermissionDenied) as exc:
        services.emergency_grant(actor=staff("department_officer", "civil_affairs"), application=app)
    assert exc.value.code == "role_not_allowed"


def test_the_declared_need_is_checked_at_the_window(clerk, household, policy):
    with pytest.raises(ValidationFailed) as exc:
        services.application_create(
            actor=clerk, household=household, needs=["emergency"], emergency_need="800"
        )
    assert exc.value.field == "emergency_cause"
    with pytest.raises(ValidationFailed) as exc:
        services.application_create(
            actor=clerk, household=household, needs=["emergency"], emergency_cause="fire", emergency_need="-5"
        )
    assert exc.value.field == "emergency_need"
    assert not Application.objects.filter(household=household).exists()
    # by the form: the cause and the amount travel with the request
    head = household.members.get(relation="head")
    r = _as(clerk).post(
        f"/intake/new/{household.code}/",
        {"applicant": head.pk, "needs": ["emergency"], "emergency_cause": "illness", "emergency_need": "900"},
    )
    app = Application.objects.get(household=household)
    assert r.status_code == 302 and (app.emergency_cause, app.emergency_need) == (
        "illness",
        Decimal("900.00"),
    )


def test_emergency_aid_first_is_paid_and_posted_in_the_ledger(clerk, household, policy, staff):
    """DOMAIN §7: 先行救助 is money paid — the month's roll carries it and, once the bank
    returns it paid, the fund ledger posts it under the paying town and 临时救助."""
    from datetime import date

    from jiuzhu.payments import services as payments
    from jiuzhu.payments.models import LedgerEntry
    from jiuzhu.payments.testing import pay_month

    on = date(2026, 9, 29)
    preparer, approver = staff("approver", "civil_affairs"), staff("approver", "civil_affairs")
    # the town's reserve for aid first (备用金, demo policy ¥50,000 under 临时救助): the town's
    # roll is within it, so it is approved with no overrun confirmation (pay_month asks none)
    from jiuzhu.payments.models import Budget

    payments.budgets_sync(policy=policy)
    reserve = Budget.objects.get(year=2026, unit=clerk.unit, service_code="temporary_emergency")
    assert reserve.amount == Decimal("50000.00")
    head = household.members.get(relation="head")
    change = payments.bank_account_set(
        actor=preparer, person=head, number=f"62220000{head.pk:011d}", bank_name="示范市农商银行"
    )
    payments.bank_account_confirm(actor=approver, change=change)
    app = services.application_create(
        actor=clerk,
        household=household,
        needs=["emergency"],
        emergency_cause="fire",
        emergency_need="1500",
        today=on,
    )
    services.emergency_grant(actor=clerk, application=app, today=on)
    assert not LedgerEntry.objects.exists()
    pay_month(on.replace(day=1), preparer=preparer, approver=approver)
    entry = LedgerEntry.objects.get(line__household=household)
    assert (entry.amount, entry.category, entry.service_code, entry.town, entry.unit) == (
        Decimal("1500.00"),
        "temporary",
        "temporary_emergency",
        clerk.unit,
        clerk.unit,
    )
    assert entry.line.entitlement.origin.startswith("先行救助") and entry.month == date(2026, 9, 1)
    roll = entry.line.roll
    assert roll.unit == clerk.unit and not roll.overrun_confirmed and roll.overrun_note == ""
