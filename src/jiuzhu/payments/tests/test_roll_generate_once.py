"""Held in issue 13: two generations of the same month at the same moment pay each line once."""

from datetime import date

import pytest

from jiuzhu.common.testing import race
from jiuzhu.payments import services
from jiuzhu.payments.models import PaymentLine, PaymentRoll

MARCH = date(2026, 3, 1)


@pytest.mark.django_db(transaction=True)
def test_two_generations_at_once_make_each_line_once(grant):
    grant("许一", "950")
    grant("何二", "800")
    results = race([lambda: services.rolls_generate(month=MARCH)] * 2)
    for kind, value in results:
        assert kind == "ok" or (kind == "error" and value.code == "busy"), results
    assert PaymentRoll.objects.filter(month=MARCH, service_code="dibao").count() == 1
    assert PaymentLine.objects.filter(roll__month=MARCH).count() == 2
