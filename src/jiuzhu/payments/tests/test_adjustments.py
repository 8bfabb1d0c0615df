"""A change of amount after a month was locked: back pay (补发) or recovery (追回) in the next
roll, with its reason and the entitlement it follows from; the deceased are held out."""

from datetime import date
from decimal import Decimal

from django.db.models import Sum

from jiuzhu.decisions.entitlements import entitlement_change, entitlement_stop
from jiuzhu.payments import bankfiles, services
from jiuzhu.payments.models import LedgerEntry, PaymentLine, PaymentRoll
from jiuzhu.verification.testing import load_dataset

MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)


def _pay(month, actors, failures=None):
    """Generate, review, approve, export and return every roll of ``month`` (all paid)."""
    services.rolls_generate(month=month)
    for roll in PaymentRoll.objects.filter(month=month):
        services.roll_review(actor=actors["payments"], roll=roll)
        services.roll_approve(actor=actors["approver"], roll=roll)
        bankfiles.roll_export(actor=actors["approver"], roll=roll)
        roll.refresh_from_db()
        bankfiles.roll_return_import(
            actor=actors["payments"], roll=roll, data=bankfiles.return_template(roll, failures)
        )


def test_back_pay_after_a_raise_from_a_paid_month(grant, actors, staff):
    ent = grant("孙七", "800")
    _pay(MARCH, actors)
    _pay(APRIL, actors)
    new = entitlement_change(
        entitlement=ent, amount="950", from_month=MARCH, actor=actors["approver"], reason="复核发现收入下降"
    )
    services.rolls_generate(month=MAY)
    may = PaymentRoll.objects.get(month=MAY, service_code="dibao")
    back = may.lines.filter(kind=PaymentLine.BACK_PAY).order_by("period")
    assert [(x.period, x.amount) for x in back] == [(MARCH, Decimal("150.00")), (APRIL, Decimal("150.00"))]
    assert all(x.entitlement_id == new.pk for x in back)
    assert all("复核发现收入下降" in x.reason and "补发150.00元" in x.reason for x in back)
    assert may.lines.get(kind=PaymentLine.REGULAR).amount == Decimal("950.00")
    assert may.total == Decimal("1250.00")
    # generating May again adds no second back pay
    services.rolls_generate(month=MAY)
    assert may.lines.filter(kind=PaymentLine.BACK_PAY).count() == 2


def test_recovery_after_a_stop_from_a_paid_month(grant, actors, staff):
    ent = grant("周八", "950")
    _pay(MARCH, actors)
    _pay(APRIL, actors)
    entitlement_stop(entitlement=ent, from_month=APRIL, actor=actors["approver"], reason="家庭收入超过标准")
    services.rolls_generate(month=MAY)
    may = PaymentRoll.objects.get(month=MAY, service_code="dibao")
    rec = may.lines.get()
    assert rec.kind == PaymentLine.RECOVERY and rec.amount == Decimal("-950.00") and rec.period == APRIL
    assert rec.entitlement_id == ent.pk and "家庭收入超过标准" in rec.reason
    assert may.total == 0  # nothing goes to the bank
    services.roll_review(actor=actors["payments"], roll=may)
    services.roll_approve(actor=actors["approver"], roll=may)
    services.recovery_record(actor=actors["caseworker"], line=rec, note="本人退回")
    # the ledger holds what was paid less what was recovered
    assert LedgerEntry.objects.aggregate(s=Sum("amount"))["s"] == Decimal("950.00")


def test_ledger_equals_paid_lines(grant, actors, staff):
    grant("吴九", "950")
    grant("郑十", "1300", service="tekun_dispersed")
    grant("冯一", "300", service="housing_rent_subsidy", town="town_xishan")
    grant("陈二", "1000", service="edu_compulsory")
    _pay(MARCH, actors)
    services.rolls_generate(month=APRIL)
    fail_line = PaymentLine.objects.get(roll__month=APRIL, payee__name="冯一")
    for roll in PaymentRoll.objects.filter(month=APRIL):
        services.roll_review(actor=actors["payments"], roll=roll)
        services.roll_approve(actor=actors["approver"], roll=roll)
        bankfiles.roll_export(actor=actors["approver"], roll=roll)
        roll.refresh_from_db()
        bankfiles.roll_return_import(
            actor=actors["payments"],
            roll=roll,
            data=bankfiles.return_template(roll, {fail_line.pk: "户名不符"}),
        )
    paid = PaymentLine.objects.filter(state=PaymentLine.PAID).aggregate(s=Sum("amount"))["s"]
    assert paid == Decimal("950") * 2 + Decimal("1300") * 2 + Decimal("300") + Decimal("1000")
    assert LedgerEntry.objects.aggregate(s=Sum("amount"))["s"] == paid
    assert LedgerEntry.objects.count() == PaymentLine.objects.filter(state=PaymentLine.PAID).count()
    by_town = dict(LedgerEntry.objects.values_list("town__code").annotate(s=Sum("amount")))
    assert by_town["town_xishan"] == Decimal("300.00")


def test_deceased_are_held_out_and_flagged(grant, actors, staff, make_household):
    dead = grant("蒋三", "950")
    reported = grant("沈四", "950")
    alive = grant("韩五", "950")
    person = dead.payee
    person.deceased_on = date(2026, 2, 20)
    person.save()
    provider = staff("data_provider", "police")
    load_dataset(
        provider,
        "deaths",
        [{"id_number": reported.payee.id_number, "name": "沈四", "death_date": "2026-03-10"}],
        as_of=date(2026, 3, 20),
    )
    services.rolls_generate(month=MARCH)
    roll = PaymentRoll.objects.get(month=MARCH, service_code="dibao")
    states = {ln.payee_id: (ln.state, ln.hold_reason) for ln in roll.lines.all()}
    assert states[dead.payee_id] == (PaymentLine.HELD, PaymentLine.DECEASED)
    assert states[reported.payee_id] == (PaymentLine.HELD, PaymentLine.DEATH_RECORD)
    assert states[alive.payee_id] == (PaymentLine.PENDING, "")
    assert roll.lines_count == 1 and roll.held_count == 2 and roll.total == Decimal("950.00")
    services.roll_review(actor=actors["payments"], roll=roll)
    services.roll_approve(actor=actors["approver"], roll=roll)
    text = bankfiles.roll_export(actor=actors["approver"], roll=roll)[1].decode("utf-8-sig")
    assert "韩五" in text and "蒋三" not in text and "沈四" not in text
    # the held months do not come back as back pay
    services.rolls_generate(month=APRIL)
    assert not PaymentLine.objects.filter(kind=PaymentLine.BACK_PAY).exists()
