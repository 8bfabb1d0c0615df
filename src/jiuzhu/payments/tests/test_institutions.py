"""Institution payees: a transfer to the medical-insurance fund is created from a member list,
approved by a second person, paid to the fund's account (never a person's) and posted to the
ledger under the paying unit once."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from jiuzhu.common.errors import PermissionDenied, ValidationFailed
from jiuzhu.payments import institutions, selectors
from jiuzhu.payments.models import BankAccount, LedgerEntry


@pytest.fixture
def fund(units, staff):
    officer = staff("department_officer", "medical_insurance")
    inst = institutions.institution_register(
        actor=officer,
        code="MIF-01",
        name="示范市医疗保障基金",
        kind=institutions.Institution.MEDICAL_FUND,
        unit=units["medical_insurance"],
        bank_name="示范市工商银行",
        holder_name="示范市医疗保障基金专户",
        account="9558 8000 1234 5678 901",
    )
    return inst, officer


def _members(make_household, n):
    return [
        make_household(members=[{"name": f"参保{i}", "birth": date(1960, 1, i + 1)}]).members.get()
        for i in range(n)
    ]


def test_a_transfer_is_paid_to_the_fund_after_a_second_signature(fund, staff, make_household, units):
    inst, officer = fund
    people = _members(make_household, 2)
    lines = [{"person": p, "amount": "280.00"} for p in people]
    t = institutions.transfer_create(
        actor=officer,
        institution=inst,
        amount="560.00",
        purpose="medical_premium",
        period=date(2026, 1, 15),
        lines=lines,
        key="premium-2026",
    )
    assert (t.period, t.category, t.lines_count) == (date(2026, 1, 1), "medical", 2)
    again = institutions.transfer_create(
        actor=officer,
        institution=inst,
        amount="560.00",
        purpose="medical_premium",
        period=date(2026, 1, 1),
        lines=lines,
        key="premium-2026",
    )
    assert again.pk == t.pk and inst.transfers.count() == 1

    with pytest.raises(PermissionDenied) as err:
        institutions.transfer_approve(actor=officer, transfer=t)
    assert err.value.code == "same_person"
    colleague = staff("department_officer", "medical_insurance")
    t = institutions.transfer_approve(actor=colleague, transfer=t)
    assert institutions.transfer_bank_rows(t)[1][:4] == [
        "示范市医疗保障基金专户",
        "示范市工商银行",
        "9558800012345678901",
        Decimal("560.00"),
    ]
    institutions.transfer_paid(actor=colleague, transfer=t, paid_on=date(2026, 1, 20))
    institutions.transfer_paid(actor=colleague, transfer=t, paid_on=date(2026, 1, 21))  # second click

    assert LedgerEntry.objects.aggregate(s=Sum("amount"))["s"] == Decimal("560.00")
    assert not BankAccount.objects.exists()  # no person was paid
    row = {r["key"]: r for r in selectors.balances(year=2026, by="unit")}["medical_insurance"]
    assert row["paid"] == Decimal("560.00")


def test_lines_must_add_up_and_another_unit_cannot_pay_the_fund(fund, staff, make_household):
    inst, officer = fund
    (p,) = _members(make_household, 1)
    with pytest.raises(ValidationFailed) as err:
        institutions.transfer_create(
            actor=officer,
            institution=inst,
            amount="300",
            purpose="medical_premium",
            period=date(2026, 1, 1),
            lines=[{"person": p, "amount": "280"}],
        )
    assert (err.value.code, err.value.field) == ("lines_total_mismatch", "lines")
    with pytest.raises(PermissionDenied) as err:
        institutions.transfer_create(
            actor=staff("department_officer", "education"),
            institution=inst,
            amount="280",
            purpose="medical_premium",
            period=date(2026, 1, 1),
            lines=[{"person": p, "amount": "280"}],
        )
    assert err.value.code == "out_of_scope"
    assert not inst.transfers.exists()
