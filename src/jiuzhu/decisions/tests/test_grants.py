"""Grant control (DOMAIN §7): the rule's amount is the default; a different amount needs a
reason; above the rule's or the officer's tier it waits for a second signature and is not paid
until signed; temporary assistance tiers 3 / 6 / 12 × the standard; above 12 × refused."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from jiuzhu.common.errors import IllegalTransition, PermissionDenied, ValidationFailed
from jiuzhu.decisions import grants
from jiuzhu.decisions.models import Entitlement, GrantRequest
from jiuzhu.intake import handling
from jiuzhu.intake import services as intake
from jiuzhu.intake.models import Referral
from jiuzhu.payments.models import PaymentLine
from jiuzhu.payments.services import rolls_generate
from jiuzhu.policy.selectors import current_policy
from jiuzhu.verification.testing import verified

from .conftest import D0

APRIL = date(2026, 4, 1)


def _taken(refer_to, staff, household, code, *, verify=True):
    """The referral of ``code`` accepted by its unit's officer; for a service needing
    verification, with a valid report on file unless ``verify`` is False."""
    r = refer_to(household, code)
    officer = staff("department_officer", r.unit.code)
    handling.referral_accept(actor=officer, referral=r)
    if verify and grants.needs_verification(current_policy(), code):
        verified(household, requester=officer, service_code=code, today=D0)
    return r, officer


def _granted(refer_to, staff, household, code, amount, note, **kw):
    """``(referral, officer)``: the referral of ``code`` taken by its unit's officer, who grants
    ``amount`` from April (held for a second signature when above his limit)."""
    r, officer = _taken(refer_to, staff, household, code)
    r = handling.referral_grant(
        actor=officer, referral=r, amount=amount, start_month=APRIL, note=note, today=D0, **kw
    )
    return r, officer


def _emergency_up_to_top_tier(refer_to, staff, household, amount="50000", note="房屋烧毁，全家无处安身"):
    """A temporary emergency grant of ``amount`` asked up to the top tier: the referral."""
    return _granted(refer_to, staff, household, "temporary_emergency", amount, note, up_to_top_tier=True)[0]


def _lines(household, month=APRIL):
    rolls_generate(month=month)
    return list(
        PaymentLine.objects.filter(household=household, period=month).values_list("amount", flat=True)
    )


def test_the_rule_amount_is_the_default_and_is_paid(refer_to, staff, housed):
    r, officer = _taken(refer_to, staff, housed, "housing_rent_subsidy")
    r = handling.referral_grant(actor=officer, referral=r, amount=None, start_month=APRIL, today=D0)
    assert r.state == Referral.GRANTED and r.amount == Decimal("403.40") and r.amount_period == "month"
    ent = Entitlement.objects.get(referral=r)
    assert ent.amount == ent.rule_amount == Decimal("403.40") and ent.signed_by is None
    assert _lines(housed) == [Decimal("403.40")]


def test_rent_subsidy_of_5000_waits_for_a_second_signature_and_is_paid_only_after(
    refer_to, staff, housed, approver
):
    r, officer = _taken(refer_to, staff, housed, "housing_rent_subsidy")
    with pytest.raises(ValidationFailed) as exc:
        handling.referral_grant(actor=officer, referral=r, amount="5000", start_month=APRIL, today=D0)
    assert exc.value.code == "reason_required" and "¥403.40" in exc.value.message
    r = handling.referral_grant(
        actor=officer, referral=r, amount="5000", start_month=APRIL, note="租住危房，需整租", today=D0
    )
    held = r.held_grant
    assert r.state == Referral.IN_PROGRESS and held.level == GrantRequest.COUNTY
    assert held.amount == Decimal("5000.00") and held.rule_amount == Decimal("403.40")
    assert not Entitlement.objects.filter(household=housed).exists()
    assert _lines(housed) == []  # nothing paid while it waits
    # a second grant while one waits is refused; the maker's own unit cannot sign
    with pytest.raises(Exception) as exc:
        handling.referral_grant(actor=officer, referral=r, amount=None, start_month=APRIL, today=D0)
    assert exc.value.code == "grant_pending"
    with pytest.raises(PermissionDenied) as exc:
        grants.grant_sign(actor=officer, request=held, today=D0)
    assert exc.value.code == "role_not_allowed"

    grants.grant_sign(actor=approver, request=held, note="经核实同意", today=D0)
    held.refresh_from_db()
    ent = held.entitlement
    assert held.state == GrantRequest.SIGNED and ent.amount == Decimal("5000.00")
    assert (
        ent.rule_amount == Decimal("403.40")
        and ent.signed_by == approver
        and ent.reason == "租住危房，需整租"
    )
    assert Referral.objects.get(pk=r.pk).state == Referral.GRANTED
    assert _lines(housed) == [Decimal("5000.00")]
    with pytest.raises(IllegalTransition) as exc:
        grants.grant_sign(actor=staff("approver", "civil_affairs", "approver2"), request=held, today=D0)
    assert exc.value.code == "grant_not_pending"


def test_a_lower_amount_needs_a_reason_but_no_second_signature(refer_to, staff, housed):
    r, officer = _taken(refer_to, staff, housed, "housing_rent_subsidy")
    with pytest.raises(ValidationFailed) as exc:
        handling.referral_grant(actor=officer, referral=r, amount="300", start_month=APRIL, today=D0)
    assert exc.value.code == "reason_required"
    r = handling.referral_grant(
        actor=officer, referral=r, amount="300", start_month=APRIL, note="本人只申请部分面积", today=D0
    )
    assert r.state == Referral.GRANTED and Entitlement.objects.get(referral=r).rule_amount == Decimal(
        "403.40"
    )


def test_an_approver_cannot_sign_his_own_grant(refer_to, staff, housed, approver):
    r, _ = _taken(refer_to, staff, housed, "housing_rent_subsidy")
    own = staff("approver", r.unit.code, "approver_housing")
    r = handling.referral_grant(
        actor=own, referral=r, amount="600", start_month=APRIL, note="面积测量有误", today=D0
    )
    with pytest.raises(PermissionDenied) as exc:
        grants.grant_sign(actor=own, request=r.held_grant, today=D0)
    assert exc.value.code == "same_person"
    req = grants.grant_return(actor=approver, request=r.held_grant, note="按规则金额给予", today=D0)
    assert req.state == GrantRequest.REJECTED and not Entitlement.objects.filter(household=housed).exists()


# --- verification first (DOMAIN §7): a service needing 核对 is granted only on a valid report


def test_a_grant_without_a_valid_report_is_refused_and_writes_nothing(refer_to, staff, housed):
    r, officer = _taken(refer_to, staff, housed, "housing_rent_subsidy", verify=False)
    with pytest.raises(IllegalTransition) as exc:
        handling.referral_grant(actor=officer, referral=r, amount=None, start_month=APRIL, today=D0)
    assert exc.value.code == "verification_report_required" and exc.value.field == "verification"
    assert "住房租赁补贴" in exc.value.message
    assert Referral.objects.get(pk=r.pk).state == Referral.IN_PROGRESS
    assert not Entitlement.objects.exists() and not GrantRequest.objects.exists()
    # nor can it be held for a signature in the meantime
    with pytest.raises(IllegalTransition) as exc:
        handling.referral_grant(
            actor=officer, referral=r, amount="5000", note="租住危房，需整租", start_month=APRIL, today=D0
        )
    assert exc.value.code == "verification_report_required" and not GrantRequest.objects.exists()
    report = verified(housed, requester=officer, service_code="housing_rent_subsidy", today=D0)
    r = handling.referral_grant(actor=officer, referral=r, amount=None, start_month=APRIL, today=D0)
    assert r.state == Referral.GRANTED and report.valid_until >= D0


def test_an_expired_report_does_not_count(refer_to, staff, housed):
    r, officer = _taken(refer_to, staff, housed, "housing_rent_subsidy")
    report = grants.valid_report(household=housed, on=D0)
    after = report.valid_until + timedelta(days=1)
    assert grants.valid_report(household=housed, on=report.valid_until) == report
    with pytest.raises(IllegalTransition) as exc:
        handling.referral_grant(actor=officer, referral=r, amount=None, start_month=APRIL, today=after)
    assert exc.value.code == "verification_report_required" and after.isoformat() in exc.value.message


def test_expenditure_aid_needs_a_report_emergency_aid_does_not(refer_to, staff, poor_household):
    r, officer = _taken(refer_to, staff, poor_household, "temporary_expenditure", verify=False)
    with pytest.raises(IllegalTransition) as exc:
        handling.referral_grant(
            actor=officer, referral=r, amount="1000", note="子女学费支出", start_month=APRIL, today=D0
        )
    assert exc.value.code == "verification_report_required"
    r, officer = _taken(refer_to, staff, poor_household, "temporary_emergency", verify=False)
    r = handling.referral_grant(
        actor=officer, referral=r, amount="1000", note="火灾，急需生活用品", start_month=APRIL, today=D0
    )
    assert r.state == Referral.GRANTED  # 急难型: the report follows within the file limit


# --- temporary assistance tiers: 2026 urban standard ¥950 → 3 × ¥2,850, 6 × ¥5,700, 12 × ¥11,400


@pytest.mark.parametrize(
    ("amount", "level"),
    [
        ("2850", None),  # the town tier: granted at once
        ("2851", "county"),
        ("5700", "county"),
        ("5701", "joint"),
        ("11400", "joint"),
    ],
)
def test_temporary_tiers_at_and_one_yuan_over(refer_to, staff, poor_household, amount, level):
    r, officer = _taken(refer_to, staff, poor_household, "temporary_emergency")
    r = handling.referral_grant(
        actor=officer, referral=r, amount=amount, start_month=APRIL, note="火灾损失，急需生活用品", today=D0
    )
    if level is None:
        assert r.state == Referral.GRANTED and r.held_grant is None
        assert Entitlement.objects.get(referral=r).amount == Decimal(amount)
    else:
        assert r.state == Referral.IN_PROGRESS and r.held_grant.level == level
        assert not Entitlement.objects.filter(referral=r).exists()


@pytest.mark.parametrize("amount", ["11401", "50000"])
def test_temporary_above_twelve_times_is_refused(refer_to, staff, poor_household, amount):
    r, officer = _taken(refer_to, staff, poor_household, "temporary_emergency")
    with pytest.raises(ValidationFailed) as exc:
        handling.referral_grant(
            actor=officer, referral=r, amount=amount, start_month=APRIL, note="重大火灾", today=D0
        )
    assert exc.value.code == "above_top_tier" and "¥11,400.00" in exc.value.message
    assert exc.value.params["limit"] == "11400.00"
    assert not GrantRequest.objects.exists() and not Entitlement.objects.exists()


def test_county_approver_grants_up_to_six_times_alone(refer_to, staff, poor_household):
    r = refer_to(poor_household, "temporary_emergency")
    county = staff("approver", r.unit.code, "county_approver")
    handling.referral_accept(actor=county, referral=r)
    r = handling.referral_grant(
        actor=county, referral=r, amount="5700", start_month=APRIL, note="重病住院", today=D0
    )
    assert r.state == Referral.GRANTED


def test_the_joint_decision_is_recorded_with_the_members_present_then_paid(
    refer_to, staff, poor_household, approver
):
    r, officer = _taken(refer_to, staff, poor_household, "temporary_emergency")
    r = handling.referral_grant(
        actor=officer, referral=r, amount="11400", start_month=APRIL, note="房屋烧毁，全家无处安身", today=D0
    )
    held = r.held_grant
    assert _lines(poor_household) == []
    with pytest.raises(ValidationFailed) as exc:
        grants.grant_sign(
            actor=approver,
            request=held,
            joint_met_on=D0,
            joint_members=["张局长（民政局）"],
            joint_minutes="同意按最高档救助",
            today=D0,
        )
    assert exc.value.code == "joint_members_required"
    grants.grant_sign(
        actor=approver,
        request=held,
        joint_met_on=D0,
        today=D0,
        joint_minutes="同意按最高档救助，余额转介慈善",
        joint_members=["张局长（民政局）", "李主任（财政局）", "王书记（城东街道）"],
    )
    held.refresh_from_db()
    assert held.joint_members == ["张局长（民政局）", "李主任（财政局）", "王书记（城东街道）"]
    assert held.entitlement.amount == Decimal("11400.00") and held.entitlement.signed_by == approver
    assert _lines(poor_household) == [Decimal("11400.00")]


# --- "already receiving" from entitlements; same cause within 12 months


def test_re_referral_of_an_active_service_is_refused(refer_to, staff, housed, clerk, approver):
    r, officer = _taken(refer_to, staff, housed, "housing_rent_subsidy")
    handling.referral_grant(actor=officer, referral=r, amount=None, start_month=APRIL, today=D0)
    with pytest.raises(ValidationFailed) as exc:
        refer_to(housed, "housing_rent_subsidy")
    assert exc.value.code == "already_receiving"
    # an entitlement made by any path (here a decision's) counts, not only granted referrals
    from jiuzhu.decisions.entitlements import entitlement_grant

    head = housed.members.get(relation="head")
    entitlement_grant(
        household=housed, payee=head, service_code="dibao", amount="2850", start_month=APRIL, actor=approver
    )
    with pytest.raises(ValidationFailed) as exc:
        refer_to(housed, "dibao")
    assert exc.value.code == "already_receiving"


def test_a_second_education_grant_on_the_same_application_is_refused(clerk, staff, housed):
    app = intake.application_create(actor=clerk, household=housed, needs=["education", "housing"], today=D0)
    for p in intake.adults(housed, D0):
        intake.authorisation_record(actor=clerk, application=app, person=p, signed_on=D0, today=D0)
    r, _ = intake.refer(
        actor=clerk, application=app, service_codes=["edu_compulsory", "housing_rent_subsidy"], today=D0
    )  # the application stays open while the housing referral runs
    officer = staff("department_officer", r.unit.code)
    handling.referral_accept(actor=officer, referral=r)
    handling.referral_grant(actor=officer, referral=r, amount=None, start_month=date(2026, 9, 1), today=D0)
    assert Entitlement.objects.get(referral=r).amount == Decimal("1250.00")  # junior secondary
    with pytest.raises(ValidationFailed) as exc:
        intake.refer(actor=clerk, application=app, service_codes=["edu_compulsory"], today=D0)
    assert exc.value.code == "already_receiving"


def test_same_cause_within_twelve_months_is_refused_at_referral(
    clerk, staff, poor_household, approver, policy
):
    from django.utils import timezone

    head = poor_household.members.get(relation="head")
    from jiuzhu.decisions.entitlements import entitlement_grant

    ent = entitlement_grant(
        household=poor_household,
        payee=head,
        service_code="temporary_emergency",
        amount="1000",
        start_month=date(2024, 2, 1),
        actor=approver,
        cause="fire",
    )
    Entitlement.objects.filter(pk=ent.pk).update(
        created_at=timezone.make_aware(timezone.datetime(2024, 2, 29, 10, 0)), status=Entitlement.ENDED
    )
    app = intake.application_create(actor=clerk, household=poor_household, needs=["emergency"], today=D0)
    with pytest.raises(IllegalTransition) as exc:
        intake.refer(
            actor=clerk,
            application=app,
            service_codes=["temporary_emergency"],
            cause="fire",
            today=date(2025, 2, 27),
        )
    assert exc.value.code == "same_cause_within_12_months" and "2025-02-28" in exc.value.message
    # month-end clamping: aid on 2024-02-29 allows the same cause from 2025-02-28
    (r,) = intake.refer(
        actor=clerk,
        application=app,
        service_codes=["temporary_emergency"],
        cause="fire",
        today=date(2025, 2, 28),
    )
    assert r.cause == "fire"
    # another cause is not the same cause
    grants.check_same_cause(household=poor_household, cause="illness", on=date(2025, 2, 27), policy=policy)


# --- a held grant is in no roll and no ledger until the second signature, then paid in both


@pytest.fixture
def payable(staff, policy):
    """The year's budgets synced and ``payable(household)``: a confirmed bank account for its
    head (recorded by one civil-affairs officer, confirmed by another); returns the preparer
    and approver of the payment rolls."""
    from jiuzhu.payments import services as payments

    payments.budgets_sync(policy=policy)
    preparer = staff("approver", "civil_affairs", "roll_preparer")
    approver = staff("approver", "civil_affairs", "roll_approver")

    def make(household):
        head = household.members.get(relation="head")
        change = payments.bank_account_set(
            actor=preparer, person=head, number=f"62220000{head.pk:011d}", bank_name="示范市农商银行"
        )
        payments.bank_account_confirm(actor=approver, change=change)
        return preparer, approver

    return make


def _paid(household):
    """(roll lines, ledger postings) of the household, as amounts."""
    from jiuzhu.payments.models import LedgerEntry

    lines = list(PaymentLine.objects.filter(household=household).values_list("amount", flat=True))
    posted = list(LedgerEntry.objects.filter(line__household=household).values_list("amount", flat=True))
    return lines, posted


@pytest.mark.parametrize(
    ("fixture", "code", "amount", "reason", "rule"),
    [
        # the rent subsidy: the rule computes ¥403.40 a month on the facts on file
        ("housed", "housing_rent_subsidy", "5000", "租住危房，需整租", Decimal("403.40")),
        # a ¥50,000 medical-expense grant (within the ¥60,000 yearly cap; no medical costs on
        # file, so the rule finds nothing: ¥0): the medical-insurance officer cannot pay it alone
        ("poor_household", "medical_expense", "50000", "住院自付七万二千元，按七成救助", Decimal("0.00")),
    ],
)
def test_the_5000_and_50000_grants_are_paid_only_after_the_second_signature(
    request, refer_to, staff, payable, fixture, code, amount, reason, rule
):
    from jiuzhu.payments.testing import pay_month

    household = request.getfixturevalue(fixture)
    preparer, approver = payable(household)
    r, officer = _taken(refer_to, staff, household, code)
    r = handling.referral_grant(
        actor=officer, referral=r, amount=amount, start_month=APRIL, note=reason, today=D0
    )
    held = r.held_grant
    assert r.state == Referral.IN_PROGRESS and held.level == GrantRequest.COUNTY
    assert (held.amount, held.rule_amount) == (Decimal(amount), rule)
    rolls_generate(month=APRIL)  # the April roll prepared while the grant waits
    assert _paid(household) == ([], [])  # neither in a roll nor in the ledger
    # the officer who asked cannot sign it himself
    with pytest.raises(PermissionDenied):
        grants.grant_sign(actor=officer, request=held, today=D0)
    assert _paid(household) == ([], [])

    grants.grant_sign(actor=approver, request=held, note="经核实同意", today=D0)
    pay_month(APRIL, preparer=preparer, approver=approver)
    assert _paid(household) == ([Decimal(amount)], [Decimal(amount)])  # in the roll, paid, posted


def test_a_50000_need_is_met_up_to_the_top_tier_by_the_joint_decision_and_the_rest_goes_to_charity(
    refer_to, staff, poor_household, payable
):
    """DOMAIN §7: no temporary grant above 12 × (¥11,400); a larger need found by the unit is
    met up to it by the joint decision (held, not paid until signed), the rest referred to
    charity."""
    from jiuzhu.payments.testing import pay_month

    preparer, approver = payable(poor_household)
    held = _emergency_up_to_top_tier(refer_to, staff, poor_household).held_grant
    assert (held.level, held.amount, held.need_amount, held.rest_to_charity) == (
        GrantRequest.JOINT,
        Decimal("11400.00"),
        Decimal("50000.00"),
        Decimal("38600.00"),
    )
    assert "其余 ¥38,600.00 转介慈善救助" in held.why[0] and "联席会议" in held.why[-1]
    rolls_generate(month=APRIL)
    assert _paid(poor_household) == ([], [])
    grants.grant_sign(
        actor=approver,
        request=held,
        joint_met_on=D0,
        today=D0,
        joint_minutes="同意按最高档救助",
        joint_members=["张局长（民政局）", "李主任（财政局）", "王书记（城东街道）"],
    )
    pay_month(APRIL, preparer=preparer, approver=approver)
    assert _paid(poor_household) == ([Decimal("11400.00")], [Decimal("11400.00")])
    held.refresh_from_db()
    assert "其余 ¥38,600.00 转介慈善救助" in held.entitlement.reason


def test_within_the_top_tier_the_need_is_granted_as_typed(refer_to, staff, poor_household):
    r = _emergency_up_to_top_tier(refer_to, staff, poor_household, "2850", "火灾损失，急需生活用品")
    assert r.state == Referral.GRANTED and Entitlement.objects.get(referral=r).amount == Decimal("2850.00")


def test_above_the_top_tier_through_the_screen_and_the_api(refer_to, staff, poor_household, approver):
    from django.test import Client

    r, officer = _taken(refer_to, staff, poor_household, "temporary_emergency")
    c = Client()
    c.force_login(officer)
    assert "按最高档提请联席会议“一事一议”，其余转介慈善救助" in c.get(f"/intake/r/{r.pk}/").content.decode()
    body = {"amount": "50000", "start_month": "2026-04-01", "note": "房屋烧毁，全家无处安身"}
    url = f"/api/intake/referrals/{r.pk}/grant"
    res = c.post(url, body, content_type="application/json")
    assert (
        res.status_code == 400 and res.json()["code"] == "above_top_tier" and res.json()["field"] == "amount"
    )
    assert not GrantRequest.objects.exists()
    res = c.post(url, {**body, "up_to_top_tier": True}, content_type="application/json")
    held = res.json()["held_grant"]
    assert res.status_code == 200 and res.json()["state"] == "in_progress"
    assert (held["amount"], held["level"], held["rest_to_charity"]) == ("11400.00", "joint", "38600.00")
    signer = Client()
    signer.force_login(approver)
    page = signer.get(f"/decisions/grants/{held['id']}/").content.decode()
    assert "其余 ¥38,600.00 转介慈善救助" in page and "¥11,400.00" in page
