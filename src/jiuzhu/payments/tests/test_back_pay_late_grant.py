"""Back pay of a grant signed after its start month's roll closed (issue 16): the missed months
come on the next roll as one back-pay line each, never twice — not when a later month is
generated too, not when two months are generated at once, not when the missed month is
generated late."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.testing import race
from jiuzhu.payments import services
from jiuzhu.payments.models import PaymentLine
from jiuzhu.payments.testing import pay_month

MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)


def _lines(ent):
    return sorted(
        PaymentLine.objects.filter(payee=ent.payee).values_list("roll__month", "period", "kind", "amount")
    )


def _late_grants(grant, actors):
    """March closed (a dibao roll paid); then a monthly rent subsidy and a one-off temporary
    grant, both from March, are signed: the first of their services, so March had no roll of
    theirs."""
    grant("甲一", "950")
    pay_month(MARCH, preparer=actors["payments"], approver=actors["approver"])
    rent = grant("乙二", "403.40", service="housing_rent_subsidy", signed_by=actors["approver"])
    once = grant("丙三", "2850", service="temporary_emergency", amount_period="once")
    return rent, once


def test_a_late_grant_gets_the_missed_month_on_the_next_roll_once(grant, actors):
    rent, once = _late_grants(grant, actors)
    services.rolls_generate(month=APRIL)
    assert _lines(rent) == [
        (APRIL, MARCH, PaymentLine.BACK_PAY, Decimal("403.40")),
        (APRIL, APRIL, PaymentLine.REGULAR, Decimal("403.40")),
    ]
    back = PaymentLine.objects.get(payee=rent.payee, kind=PaymentLine.BACK_PAY)
    assert back.reason.startswith("2026年03月应发403.40元，已发0.00元，补发403.40元")
    assert _lines(once) == [(APRIL, MARCH, PaymentLine.BACK_PAY, Decimal("2850.00"))]

    # May generated while April is still a draft: March is not paid twice
    services.rolls_generate(month=MAY)
    assert PaymentLine.objects.filter(payee=rent.payee, period=MARCH).count() == 1
    assert PaymentLine.objects.filter(payee=once.payee).count() == 1
    # nor when March itself is generated again late: the back pay stands for it
    services.rolls_generate(month=MARCH)
    assert PaymentLine.objects.filter(payee=rent.payee, period=MARCH).count() == 1
    assert PaymentLine.objects.filter(payee=once.payee).count() == 1

    # April paid: the back pay is in the ledger once, and May carries no more of it
    pay_month(APRIL, preparer=actors["payments"], approver=actors["approver"])
    services.rolls_generate(month=MAY)
    assert _lines(rent)[-1] == (MAY, MAY, PaymentLine.REGULAR, Decimal("403.40"))
    assert PaymentLine.objects.filter(payee=rent.payee, period=MARCH).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_months_generated_at_once_pay_the_back_pay_once(grant, actors):
    rent, once = _late_grants(grant, actors)
    results = race([lambda: services.rolls_generate(month=APRIL), lambda: services.rolls_generate(month=MAY)])
    for kind, value in results:
        assert kind == "ok" or (kind == "error" and value.code == "busy"), results
    for month in (APRIL, MAY):  # the one refused as busy is generated again afterwards
        services.rolls_generate(month=month)
    assert PaymentLine.objects.filter(payee=rent.payee, period=MARCH).count() == 1
    assert PaymentLine.objects.filter(payee=once.payee).count() == 1
