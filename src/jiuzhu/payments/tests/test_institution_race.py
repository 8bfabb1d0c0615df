"""Two signatures, or a signature and the bank's confirmation, at the same moment on the same
institution transfer: it is approved once and posted to the ledger once — never a doubled
payment, never a crash. SQLite (IMMEDIATE transactions) and PostgreSQL (SELECT … FOR UPDATE)."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.testing import race
from jiuzhu.payments import institutions
from jiuzhu.payments.models import InstitutionTransfer, LedgerEntry


@pytest.fixture
def transfer(units, staff, make_household):
    officer = staff("department_officer", "medical_insurance")
    fund = institutions.institution_register(
        actor=officer,
        code="MIF-RACE",
        name="示范市医疗保障基金",
        kind=institutions.Institution.MEDICAL_FUND,
        unit=units["medical_insurance"],
        bank_name="示范市工商银行",
        holder_name="示范市医疗保障基金专户",
        account="955880001234567800",
    )
    person = make_household(members=[{"name": "参保甲", "birth": date(1960, 1, 1)}]).members.get()
    return institutions.transfer_create(
        actor=officer,
        institution=fund,
        amount="400.00",
        purpose="medical_premium",
        period=date(2026, 1, 1),
        lines=[{"person": person, "amount": "400.00"}],
        key="race-2026",
    )


def _no_crash(results):
    """Each click did the work, found it done, was refused for the state, or was told to retry."""
    for kind, value in results:
        assert kind in ("ok", "error"), results
        if kind == "error":
            assert value.code in ("busy", "transfer_not_approved"), results


@pytest.mark.django_db(transaction=True)
def test_two_approvers_sign_once(transfer, staff):
    a, b = staff("approver"), staff("approver")
    results = race(
        [
            lambda: institutions.transfer_approve(actor=a, transfer=transfer.pk),
            lambda: institutions.transfer_approve(actor=b, transfer=transfer.pk),
        ]
    )
    _no_crash(results)
    transfer.refresh_from_db()
    assert transfer.state == InstitutionTransfer.APPROVED and transfer.approved_by_id in (a.pk, b.pk)
    assert transfer.history.filter(state=InstitutionTransfer.APPROVED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_approve_racing_two_confirmations_pays_once(transfer, staff):
    a, b = staff("approver"), staff("approver")
    paid_on = date(2026, 1, 20)
    results = race(
        [
            lambda: institutions.transfer_approve(actor=a, transfer=transfer.pk),
            lambda: institutions.transfer_paid(actor=b, transfer=transfer.pk, paid_on=paid_on),
            lambda: institutions.transfer_paid(actor=a, transfer=transfer.pk, paid_on=paid_on),
        ]
    )
    _no_crash(results)
    if results[0][0] == "error":  # told to retry (busy under load): the approver clicks again
        institutions.transfer_approve(actor=a, transfer=transfer.pk)
    institutions.transfer_paid(actor=b, transfer=transfer.pk, paid_on=paid_on)  # the bank's file, once more
    transfer.refresh_from_db()
    assert transfer.state == InstitutionTransfer.PAID
    assert [e.amount for e in LedgerEntry.objects.all()] == [Decimal("400.00")]


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_of_an_approved_transfer_post_once(transfer, staff):
    a, b = staff("approver"), staff("approver")
    institutions.transfer_approve(actor=a, transfer=transfer)
    paid_on = date(2026, 1, 20)
    results = race(
        [
            lambda u=u: institutions.transfer_paid(actor=u, transfer=transfer.pk, paid_on=paid_on)
            for u in (a, b)
        ]
    )
    _no_crash(results)
    assert LedgerEntry.objects.filter(transfer=transfer).count() == 1
    assert transfer.history.filter(state=InstitutionTransfer.PAID).count() == 1
