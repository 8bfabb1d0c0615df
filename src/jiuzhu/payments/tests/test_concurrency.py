"""Two approvers clicking "approve" on the same roll at the same moment, and two imports of
the same return file: the work is done once. SQLite (IMMEDIATE transactions) and PostgreSQL
(SELECT … FOR UPDATE)."""

from datetime import date

import pytest

from jiuzhu.common.testing import race
from jiuzhu.payments import bankfiles, services
from jiuzhu.payments.models import LedgerEntry, PaymentRoll, RollEvent

MARCH = date(2026, 3, 1)


def _allowed(results):
    """Each click either did the work, found it done, or was told to retry (busy)."""
    for kind, value in results:
        assert kind == "ok" or (kind == "error" and value.code == "busy"), results


@pytest.mark.django_db(transaction=True)
def test_double_approve_approves_once(grant, actors, staff):
    grant("许一", "950")
    grant("何二", "800")
    services.rolls_generate(month=MARCH)
    roll = PaymentRoll.objects.get(month=MARCH, service_code="dibao")
    services.roll_review(actor=actors["payments"], roll=roll)
    a, b = actors["approver"], staff("approver")
    results = race(
        [
            lambda: services.roll_approve(actor=a, roll=roll.pk),
            lambda: services.roll_approve(actor=b, roll=roll.pk),
        ]
    )
    _allowed(results)
    roll.refresh_from_db()
    assert roll.state == PaymentRoll.APPROVED and roll.approved_by_id in (a.pk, b.pk)
    assert RollEvent.objects.filter(roll=roll, kind="approved").count() == 1
    assert roll.history.filter(state=PaymentRoll.APPROVED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_double_return_import_posts_once(grant, actors):
    grant("吕三", "950")
    services.rolls_generate(month=MARCH)
    roll = PaymentRoll.objects.get(month=MARCH, service_code="dibao")
    services.roll_review(actor=actors["payments"], roll=roll)
    services.roll_approve(actor=actors["approver"], roll=roll)
    bankfiles.roll_export(actor=actors["approver"], roll=roll)
    roll.refresh_from_db()
    data = bankfiles.return_template(roll)
    cw = actors["payments"]
    results = race([lambda: bankfiles.roll_return_import(actor=cw, roll=roll.pk, data=data)] * 2)
    _allowed(results)
    assert LedgerEntry.objects.count() == 1
    assert RollEvent.objects.filter(roll=roll, kind="returned").count() == 1
