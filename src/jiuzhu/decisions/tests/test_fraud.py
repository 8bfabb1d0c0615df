"""Fraud (骗取, 社会救助暂行办法 第六十八条; DOMAIN §7): the decision stops the entitlement,
recovers what was paid since the fraud began (recovery lines in the next roll) and may fine
1–3 × that amount; a multiple outside the range is refused and writes nothing."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.errors import PermissionDenied, ValidationFailed
from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.decisions.fraud import fraud_decide
from jiuzhu.decisions.models import Entitlement, FraudDecision, Letter
from jiuzhu.payments import services as payments
from jiuzhu.payments.models import PaymentLine
from jiuzhu.payments.testing import pay_month

MARCH, APRIL, MAY, JUNE = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)


@pytest.fixture
def paid(make_household, staff, policy, units):
    """A one-person dibao household paid ¥950 for March, April and May (rolls approved,
    exported and returned paid by the bank)."""
    payments.budgets_sync(policy=policy)
    officer, approver = staff("approver", "civil_affairs"), staff("approver", "civil_affairs")
    hh = make_household(members=[{"name": "钱多多", "birth": date(1960, 5, 5)}])
    head = hh.members.get()
    change = payments.bank_account_set(
        actor=officer, person=head, number=f"62220000{head.pk:011d}", bank_name="示范市农商银行"
    )
    payments.bank_account_confirm(actor=approver, change=change)
    ent = entitlement_grant(
        household=hh,
        payee=head,
        service_code="dibao",
        amount="950",
        start_month=MARCH,
        actor=approver,
        policy=policy,
        reason="审批同意",
    )
    for month in (MARCH, APRIL, MAY):
        pay_month(month, preparer=officer, approver=approver)
    return ent, approver


def test_a_fraud_decision_with_a_2x_fine_stops_recovers_and_fines_exactly(paid):
    ent, approver = paid
    d = fraud_decide(
        actor=approver,
        entitlement=ent,
        from_month=APRIL,
        fine_multiple="2",
        facts="隐瞒在外务工收入每月3200元",
        today=date(2026, 5, 20),
    )
    assert d.obtained == Decimal("1900.00")  # April and May paid, March before the fraud
    assert d.fine == Decimal("3800.00") and d.fine_multiple == 2
    ent.refresh_from_db()
    assert (
        ent.status == Entitlement.ENDED and ent.end_month == MARCH and "隐瞒在外务工收入" in ent.ended_reason
    )
    # the next roll recovers exactly what was obtained, and pays nothing more
    payments.rolls_generate(month=JUNE)
    june = PaymentLine.objects.filter(roll__month=JUNE, household=ent.household)
    assert sorted((x.period, x.amount, x.kind) for x in june) == [
        (APRIL, Decimal("-950.00"), PaymentLine.RECOVERY),
        (MAY, Decimal("-950.00"), PaymentLine.RECOVERY),
    ]
    letter = d.letter
    assert letter.kind == "fraud" and letter.household == ent.household
    c = letter.content
    assert c["recovery"] == "1900.00" and c["fine"] == "3800.00"
    assert "第六十八条" in c["basis"] and c["appeal"]["review_days"] == 60
    assert any("罚款 3800.00 元" in x for x in c["decisions"])


def test_no_fine_is_a_choice(paid):
    ent, approver = paid
    d = fraud_decide(
        actor=approver, entitlement=ent, from_month=MAY, facts="伪造离婚证明", today=date(2026, 5, 20)
    )
    assert (d.obtained, d.fine, d.fine_multiple) == (Decimal("950.00"), Decimal("0.00"), None)


@pytest.mark.parametrize("multiple", ["0.5", "3.01", "4"])
def test_a_fine_outside_one_to_three_times_is_refused_and_writes_nothing(paid, multiple):
    ent, approver = paid
    with pytest.raises(ValidationFailed) as exc:
        fraud_decide(
            actor=approver,
            entitlement=ent,
            from_month=APRIL,
            fine_multiple=multiple,
            facts="隐瞒收入",
            today=date(2026, 5, 20),
        )
    assert exc.value.code == "fine_out_of_range" and exc.value.field == "fine_multiple"
    assert "¥1,900.00 至 ¥5,700.00" in exc.value.message
    ent.refresh_from_db()
    assert ent.status == Entitlement.ACTIVE and not FraudDecision.objects.exists()
    assert not Letter.objects.filter(kind="fraud").exists()


@pytest.mark.parametrize("multiple", ["1", "3"])
def test_the_bounds_themselves_are_allowed(paid, multiple):
    ent, approver = paid
    d = fraud_decide(
        actor=approver,
        entitlement=ent,
        from_month=APRIL,
        fine_multiple=multiple,
        facts="隐瞒收入",
        today=date(2026, 5, 20),
    )
    assert d.fine == Decimal("1900.00") * int(multiple)


def test_only_an_approver_decides_fraud(paid, staff):
    ent, _ = paid
    with pytest.raises(PermissionDenied):
        fraud_decide(
            actor=staff("town_caseworker", "town_chengdong"),
            entitlement=ent,
            from_month=APRIL,
            facts="隐瞒收入",
            today=date(2026, 5, 20),
        )
    assert not FraudDecision.objects.exists()


def test_api_fraud_decision(paid):
    import json

    from django.test import Client

    ent, approver = paid
    c = Client()
    c.force_login(approver)
    url = f"/api/decisions/entitlements/{ent.pk}/fraud"
    resp = c.post(
        url,
        json.dumps({"from_month": "2026-04-01", "facts": "隐瞒收入", "fine_multiple": "3.5"}),
        content_type="application/json",
    )
    assert resp.status_code == 400 and resp.json()["code"] == "fine_out_of_range"
    resp = c.post(
        url,
        json.dumps({"from_month": "2026-04-01", "facts": "隐瞒收入", "fine_multiple": "1.5"}),
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    assert (resp.json()["obtained"], resp.json()["fine"]) == ("1900.00", "2850.00")
    assert (resp.json()["entitlement"], resp.json()["fine_multiple"]) == (ent.pk, "1.5")
