"""Grant control beside the rule's amount (DOMAIN §7): the officer's limit for every service
(policy ``grant.officer_limit``) and the medical yearly cap per person (¥60,000, counting the
one-stop settlements)."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.errors import ValidationFailed
from jiuzhu.decisions import grants
from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.decisions.models import Entitlement, GrantRequest
from jiuzhu.intake import handling
from jiuzhu.intake.models import Referral

from .conftest import D0
from .test_grants import APRIL, _granted, _taken, payable  # noqa: F401 (fixture)

HOSPITAL = "住院自付费用高，按七成救助"


def test_every_service_outside_the_temporary_tiers_has_an_officer_limit(policy):
    from jiuzhu.policy.grants import officer_limit

    for s in policy.services:
        limit = officer_limit(policy, service_code=s.code, category=s.category, on=D0)
        assert (limit is None) == (s.category == "temporary"), s.code
        assert limit is None or limit > 0


# women_children_aid: the rules find the household eligible but set no amount (by need); the
# women's federation officer grants alone up to ¥3,000 (demo policy)


def test_by_need_at_the_officer_limit_is_granted_alone(refer_to, staff, poor_household):
    r, officer = _taken(refer_to, staff, poor_household, "women_children_aid")
    r = handling.referral_grant(
        actor=officer, referral=r, amount="3000", start_month=APRIL, note="孩子重病，家庭急需", today=D0
    )
    assert r.state == Referral.GRANTED and r.held_grant is None
    assert Entitlement.objects.get(referral=r).amount == Decimal("3000.00")


def test_the_referral_page_names_the_officer_limit(refer_to, staff, poor_household, client):
    r, officer = _taken(refer_to, staff, poor_household, "women_children_aid")
    client.force_login(officer)
    page = client.get(f"/intake/r/{r.pk}/").content.decode()
    assert "经办人员单独给予上限 ¥3,000.00，超出须经审批人签批后方可发放" in page


def test_one_yuan_over_the_officer_limit_waits_for_a_second_signature(
    refer_to, staff, poor_household, approver
):
    r, officer = _taken(refer_to, staff, poor_household, "women_children_aid")
    r = handling.referral_grant(
        actor=officer, referral=r, amount="3001", start_month=APRIL, note="孩子重病，家庭急需", today=D0
    )
    held = r.held_grant
    assert r.state == Referral.IN_PROGRESS and held.level == GrantRequest.COUNTY
    assert "超过经办人员单独给予上限 ¥3,000.00" in held.why
    assert not Entitlement.objects.filter(household=poor_household).exists()
    grants.grant_sign(actor=approver, request=held, note="核实同意", today=D0)
    held.refresh_from_db()
    assert held.entitlement.amount == Decimal("3001.00") and held.entitlement.signed_by == approver


# --- the medical yearly cap: ¥60,000 per person, settlements included


@pytest.fixture
def settled_14000(poor_household, approver, policy):
    """The head is a dibao recipient and a one-stop settlement paid ¥14,000 of his stay in
    February (70 % of ¥20,000 out of pocket). Returns a function making the settlement with
    the medical-insurance officer given."""
    head = poor_household.members.get(relation="head")
    entitlement_grant(
        household=poor_household,
        payee=head,
        service_code="dibao",
        amount="2850",
        start_month=date(2026, 1, 1),
        actor=approver,
        policy=policy,
        reason="审批同意",
    )

    def settle(officer, out_of_pocket="20000"):
        from jiuzhu.medical import settlement
        from jiuzhu.payments import institutions

        institutions.institution_register(
            actor=officer,
            code="H001",
            name="示范市人民医院",
            kind=institutions.Institution.HOSPITAL,
            unit=officer.unit,
            bank_name="示范市建设银行",
            holder_name="示范市人民医院",
            account="622700001111222201",
        )
        row = [
            head.name,
            head.id_number,
            "H001",
            "2026-02-01",
            "2026-02-20",
            str(20000 + int(out_of_pocket)),  # total: basic and critical paid 20,000
            "15000",
            "5000",
            out_of_pocket,
        ]
        data = ("\n".join([",".join(settlement.HEADERS), ",".join(row)]) + "\n").encode()
        f = settlement.file_validate(actor=officer, unit=officer.unit, data=data, filename="结算.csv")
        assert f.errors == []
        settlement.file_apply(actor=officer, sfile=f)
        return head

    return settle


def test_medical_cap_reached_exactly_is_granted_one_yuan_over_refused(
    refer_to, staff, poor_household, approver, settled_14000
):
    r, officer = _taken(refer_to, staff, poor_household, "medical_expense")
    head = settled_14000(officer)
    assert r.application.applicant == head
    with pytest.raises(ValidationFailed) as exc:
        handling.referral_grant(
            actor=officer, referral=r, amount="46001", start_month=APRIL, note=HOSPITAL, today=D0
        )
    e = exc.value
    assert (e.code, e.field, e.params["remaining"]) == ("medical_yearly_cap", "amount", "46000.00")
    assert "已救助 ¥14,000.00" in e.message and "尚可给予 ¥46,000.00" in e.message
    assert not GrantRequest.objects.exists() and Referral.objects.get(pk=r.pk).state == Referral.IN_PROGRESS

    r = handling.referral_grant(
        actor=officer, referral=r, amount="46000", start_month=APRIL, note=HOSPITAL, today=D0
    )
    held = r.held_grant  # the cap reached exactly: allowed, above the rule's ¥0 so it waits
    grants.grant_sign(actor=approver, request=held, note="核实同意", today=D0)
    held.refresh_from_db()
    assert held.entitlement.amount == Decimal("46000.00")

    # the cap is used up: nothing is left for him this year
    from jiuzhu.decisions.grant_limits import medical_year_total

    assert medical_year_total(person=head, year=2026) == Decimal("60000.00")


def test_a_waiting_grant_counts_and_the_cap_is_checked_again_at_signature(
    refer_to, staff, poor_household, approver, settled_14000
):
    r, officer = _granted(refer_to, staff, poor_household, "medical_expense", "50000", HOSPITAL)
    held = r.held_grant  # asked before the settlement arrived
    settled_14000(officer)  # meanwhile the hospital stay was settled: ¥14,000
    with pytest.raises(ValidationFailed) as exc:
        grants.grant_sign(actor=approver, request=held, note="核实同意", today=D0)
    assert exc.value.code == "medical_yearly_cap" and exc.value.params["remaining"] == "46000.00"
    held.refresh_from_db()
    assert held.state == GrantRequest.PENDING and not Entitlement.objects.filter(
        service_code="medical_expense"
    )


def test_a_settlement_after_a_grant_is_capped_by_what_the_grant_used(
    refer_to, staff, poor_household, approver, settled_14000
):
    """The cap is one figure: a unit's medical-expense grant counts when a hospital stay is
    settled later in the year (the stay's ¥21,000 share is cut to the ¥14,000 left)."""
    from jiuzhu.medical.models import SettlementLine

    r, officer = _granted(refer_to, staff, poor_household, "medical_expense", "46000", HOSPITAL)
    grants.grant_sign(actor=approver, request=r.held_grant, note="核实同意", today=D0)
    head = settled_14000(officer, out_of_pocket="30000")
    line = SettlementLine.objects.get(person=head)
    assert (line.assistance, line.own_share) == (Decimal("14000.00"), Decimal("16000.00"))


# --- back pay: a grant signed after its start month's roll closed


def test_a_grant_signed_after_its_month_closed_is_paid_the_missed_month_on_the_next_roll(
    request, refer_to, staff, housed, poor_household, policy
):
    from jiuzhu.payments.models import LedgerEntry, PaymentLine
    from jiuzhu.payments.testing import pay_month

    may = date(2026, 5, 1)
    accounts = request.getfixturevalue("payable")  # test_grants' fixture: budgets, bank accounts
    preparer, approver = accounts(housed)
    accounts(poor_household)
    head = poor_household.members.get(relation="head")
    entitlement_grant(
        household=poor_household,
        payee=head,
        service_code="dibao",
        amount="2850",
        start_month=APRIL,
        actor=approver,
        policy=policy,
        reason="审批同意",
    )
    r, officer = _taken(refer_to, staff, housed, "housing_rent_subsidy")
    r = handling.referral_grant(
        actor=officer, referral=r, amount="5000", start_month=APRIL, note="租住危房，需整租", today=D0
    )
    pay_month(APRIL, preparer=preparer, approver=approver)  # April closes while the grant waits
    assert not PaymentLine.objects.filter(household=housed).exists()

    grants.grant_sign(actor=approver, request=r.held_grant, note="经核实同意", today=date(2026, 5, 6))
    pay_month(may, preparer=preparer, approver=approver)
    lines = sorted(PaymentLine.objects.filter(household=housed).values_list("period", "kind", "amount"))
    assert lines == [(APRIL, "back_pay", Decimal("5000.00")), (may, "regular", Decimal("5000.00"))]
    posted = LedgerEntry.objects.filter(line__household=housed).values_list("amount", flat=True)
    assert sorted(posted) == [Decimal("5000.00"), Decimal("5000.00")]
