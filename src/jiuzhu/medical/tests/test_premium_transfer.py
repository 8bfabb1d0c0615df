"""The premium subsidy goes to the medical-insurance fund as one yearly transfer with its
member list, at each group's rate; creating it again adds nothing."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.errors import ValidationFailed
from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.medical.services import premium_transfer_create
from jiuzhu.payments import institutions


def test_one_yearly_transfer_to_the_fund_with_its_members(units, staff, make_household, policy):
    officer = staff("department_officer", "medical_insurance")
    fund = institutions.institution_register(
        actor=officer,
        code="MIF",
        name="示范市医保基金",
        kind=institutions.Institution.MEDICAL_FUND,
        unit=units["medical_insurance"],
        bank_name="示范市工商银行",
        holder_name="示范市医保基金专户",
        account="955880001234567890",
    )
    approver = staff("approver")
    dibao = make_household(
        members=[{"name": "甲", "birth": date(1960, 1, 1)}, {"name": "乙", "birth": date(2010, 2, 2)}]
    )
    tekun = make_household(members=[{"name": "丙", "birth": date(1940, 3, 3)}])
    make_household(members=[{"name": "丁", "birth": date(1970, 4, 4)}])  # no assistance: not a member
    for hh, code in ((dibao, "dibao"), (tekun, "tekun_dispersed")):
        entitlement_grant(
            household=hh,
            payee=hh.members.order_by("pk").first(),
            service_code=code,
            amount="800",
            start_month=date(2025, 6, 1),
            actor=approver,
            policy=policy,
            reason="审批同意",
        )

    t = premium_transfer_create(actor=officer, fund=fund, year=2026, policy=policy)
    # resident premium ¥400: dibao 70 % for both members, tekun 100 %
    assert t.amount == Decimal("960.00") and t.lines_count == 3
    assert sorted(t.lines.values_list("person__name", "amount")) == [
        ("丙", Decimal("400.00")),
        ("乙", Decimal("280.00")),
        ("甲", Decimal("280.00")),
    ]
    assert (t.institution_id, t.service_code, t.period) == (fund.pk, "medical_premium", date(2026, 1, 1))
    assert premium_transfer_create(actor=officer, fund=fund, year=2026, policy=policy).pk == t.pk
    assert fund.transfers.count() == 1
    with pytest.raises(ValidationFailed) as err:
        premium_transfer_create(actor=officer, fund=fund, year=2024, policy=policy)
    assert err.value.code == "no_members"


def test_demo_seed_pays_the_fund_once(units, staff, make_household, policy):
    from django.db.models import Sum

    from jiuzhu.medical import demo
    from jiuzhu.payments.models import LedgerEntry

    hh = make_household(members=[{"name": "甲", "birth": date(1960, 1, 1)}])
    entitlement_grant(
        household=hh,
        payee=hh.members.get(),
        service_code="dibao",
        amount="800",
        start_month=date(2026, 1, 1),
        actor=staff("approver"),
        policy=policy,
        reason="审批同意",
    )
    staff("department_officer", "medical_insurance")
    demo.seed(policy=policy, today=date(2026, 6, 1))
    demo.seed(policy=policy, today=date(2026, 6, 1))
    paid = LedgerEntry.objects.filter(unit__code="medical_insurance", service_code="medical_premium")
    assert paid.aggregate(s=Sum("amount"))["s"] == Decimal("280.00") and paid.count() == 1
    # May's stay of the dibao member, settled once and paid to the hospital (dibao 70 % of ¥800)
    settled = LedgerEntry.objects.filter(unit__code="medical_insurance", service_code="medical_expense")
    assert [e.amount for e in settled] == [Decimal("560.00")]
    assert settled.get().transfer.institution.kind == "hospital"
