"""Referrals to partners: from a refused intake referral to a delivered charity payment visible
in the assistance chain and the window's feedback; a unit handing its referral to charity;
goods issued from stock; the partner limited to its own referrals; overdue flags."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from jiuzhu.charity import referrals, selectors, services
from jiuzhu.charity.models import CharityReferral, Disbursement
from jiuzhu.common.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from jiuzhu.intake import handling
from jiuzhu.intake import services as intake
from jiuzhu.intake.models import Notification, Referral

from .conftest import D0

SERVICE = "medical_emergency"  # owned by the health commission, no verification needed


@pytest.fixture
def clerk(staff):
    return staff("window_clerk", "town_chengdong")


@pytest.fixture
def intake_referral(clerk, household):
    app = intake.application_create(
        actor=clerk, household=household, needs=["medical"], description="突发重病，医疗费用高", today=D0
    )
    (r,) = intake.refer(actor=clerk, application=app, service_codes=[SERVICE], today=D0)
    return r


@pytest.fixture
def health_officer(staff):
    return staff("department_officer", "health")


def _refuse(r, officer):
    handling.referral_accept(actor=officer, referral=r)
    return handling.referral_refuse(
        actor=officer,
        referral=r,
        reasons="不符合疾病应急救助条件",
        basis="疾病应急救助管理办法",
        alternatives="可申请慈善医疗救助",
        today=D0,
    )


def test_refusal_referred_to_charity_and_delivered_shows_in_chain_and_feedback(
    setup, caseworker, red_user, intake_referral, health_officer
):
    _refuse(intake_referral, health_officer)
    cr = referrals.refer_from_intake(
        actor=caseworker,
        intake_referral=intake_referral,
        offer=setup["cash"],
        consent_by="王建国",
        consent_on=D0,
        amount="1500",
        today=D0,
    )
    assert cr.source_kind == "intake_refused" and cr.need == "medical"
    assert cr.state == CharityReferral.REFERRED and cr.answer_due_on > D0 and cr.due_on > cr.answer_due_on
    # the partner is told only what it needs, masked for its role
    assert cr.shared["name"] == "王*国" and "13812345678" not in str(cr.shared)

    referrals.accept(actor=red_user, referral=cr, today=D0)
    referrals.deliver(actor=red_user, referral=cr, result="已转账至户主银行卡", today=date(2026, 10, 9))
    cr.refresh_from_db()
    assert cr.state == CharityReferral.DELIVERED and cr.delivered_amount == Decimal("1500.00")

    app = intake_referral.application
    notes = list(app.events.filter(kind="charity").values_list("note", flat=True))
    assert any("示范市红十字会已资助 1500.00 元" in n for n in notes)
    feedback = Notification.objects.filter(unit=app.window, application=app, kind="feedback")
    assert any("已资助 1500.00 元" in n.message for n in feedback)
    # the money came out of the fund, oldest donation first, and the ledger still balances
    setup["fund"].refresh_from_db()
    assert setup["fund"].balance == Decimal("3500.00")
    rec = selectors.fund_reconciliation(setup["fund"])
    assert rec["reconciled"] and rec["paid"] == Decimal("1500.00")
    first = setup["fund"].donations.order_by("id").first()
    trail = selectors.donation_trail(first, "partner")
    assert trail[0]["size"] == Decimal("1500.00") and trail[0]["recipient"] == "王*国"


def test_unit_hands_its_referral_to_a_charity(setup, intake_referral, health_officer, red_user):
    handling.referral_accept(actor=health_officer, referral=intake_referral)
    cr = referrals.refer_from_intake(
        actor=health_officer,
        intake_referral=intake_referral,
        offer=setup["cash"],
        consent_by="王建国",
        consent_on=D0,
        amount="800",
        note="超出应急救助范围，转慈善医疗",
        today=D0,
    )
    intake_referral.refresh_from_db()
    assert intake_referral.state == Referral.CHARITY and intake_referral.charity_name == "示范市红十字会"
    assert cr.source_kind == "intake_charity" and cr.unit.code == "health"
    # a second hand-over of the same case is refused
    with pytest.raises(Conflict) as exc:
        referrals.refer_from_intake(
            actor=health_officer,
            intake_referral=intake_referral,
            offer=setup["cash"],
            consent_by="王建国",
            consent_on=D0,
            amount="100",
            today=D0,
        )
    assert exc.value.code == "already_referred"


def test_goods_donation_issued_from_stock(setup, caseworker, grain_user, household):
    cr = referrals.refer(
        actor=caseworker,
        household=household,
        offer=setup["goods"],
        need="living",
        consent_by="王建国",
        consent_on=D0,
        quantity="4",
        source_kind="emergency",
        today=D0,
    )
    referrals.accept(actor=grain_user, referral=cr, today=D0)
    referrals.deliver(actor=grain_user, referral=cr, result="已送米上门", today=D0)
    rice = setup["rice"]
    rice.refresh_from_db()
    assert rice.on_hand == Decimal("96.00")
    rec = selectors.stock_reconciliation(rice)
    assert rec["reconciled"] and rec["issued"] == Decimal("4.00")
    donation = rice.donations.get()
    assert [u["size"] for u in selectors.donation_trail(donation, "partner")] == [Decimal("4.00")]
    # issuing more than is left is refused and changes nothing
    with pytest.raises(ValidationFailed) as exc:
        services.stock_issue(actor=grain_user, item=rice, quantity="97", note="社区活动")
    assert exc.value.code == "stock_insufficient"
    rice.refresh_from_db()
    assert rice.on_hand == Decimal("96.00")


def test_fund_ledger_reconciles_and_reports_a_difference(setup, caseworker, red_user, household):
    cr = referrals.refer(
        actor=caseworker,
        household=household,
        offer=setup["cash"],
        need="medical",
        consent_by="王建国",
        consent_on=D0,
        amount="2000",
        today=D0,
    )
    referrals.accept(actor=red_user, referral=cr, today=D0)
    referrals.deliver(actor=red_user, referral=cr, result="已支付", amount="1200", today=D0)
    fund = setup["fund"]
    fund.refresh_from_db()
    rec = selectors.fund_reconciliation(fund)
    assert rec == {
        **rec,
        "received": Decimal("5000.00"),
        "paid": Decimal("1200.00"),
        "balance": Decimal("3800.00"),
    }
    assert rec["reconciled"] and rec["differences"] == []
    # a balance edited behind the ledger's back is reported with the figures
    type(fund).objects.filter(pk=fund.pk).update(balance=Decimal("3900.00"))
    fund.refresh_from_db()
    rec = selectors.fund_reconciliation(fund)
    assert not rec["reconciled"] and "3900.00" in rec["differences"][0] and "3800.00" in rec["differences"][0]


def test_partner_cannot_handle_or_read_another_partners_referral(
    setup, caseworker, red_user, grain_user, household
):
    cr = referrals.refer(
        actor=caseworker,
        household=household,
        offer=setup["cash"],
        need="medical",
        consent_by="王建国",
        consent_on=D0,
        amount="500",
        today=D0,
    )
    with pytest.raises(PermissionDenied) as exc:
        referrals.accept(actor=grain_user, referral=cr, today=D0)
    assert exc.value.code == "not_your_partner"
    with pytest.raises(PermissionDenied):
        referrals.get_for(grain_user, cr.pk)
    assert selectors.referrals_for(grain_user) == []
    assert selectors.referrals_for(red_user) == [cr]
    cr.refresh_from_db()
    assert cr.state == CharityReferral.REFERRED


def test_referral_needs_consent_fit_and_capacity(setup, caseworker, household, make_household, staff):
    base = dict(actor=caseworker, household=household, consent_on=D0, today=D0)
    with pytest.raises(ValidationFailed) as exc:
        referrals.refer(**base, offer=setup["cash"], need="medical", consent_by=" ", amount="100")
    assert exc.value.code == "consent_required"
    with pytest.raises(ValidationFailed) as exc:
        referrals.refer(**base, offer=setup["cash"], need="education", consent_by="王建国", amount="100")
    assert exc.value.code == "offer_need_mismatch"
    with pytest.raises(ValidationFailed) as exc:
        referrals.refer(**base, offer=setup["cash"], need="medical", consent_by="王建国", amount="2500")
    assert exc.value.code == "over_offer_max"
    far = make_household(members=[{"name": "赵六", "birth": date(1960, 1, 1)}], town="town_chengxi")
    # the household of another town is that town's to refer (scope table: charity.refer)
    with pytest.raises(PermissionDenied) as exc:
        referrals.refer(
            **{**base, "household": far}, offer=setup["tutoring"], need="education", consent_by="赵六"
        )
    assert exc.value.code == "out_of_scope"
    far_base = {**base, "household": far, "actor": staff("town_caseworker", "town_chengxi")}
    with pytest.raises(ValidationFailed) as exc:
        referrals.refer(**far_base, offer=setup["goods"], need="living", consent_by="赵六", quantity="1")
    assert exc.value.code == "offer_outside_area"
    referrals.refer(**base, offer=setup["tutoring"], need="education", consent_by="王建国")
    with pytest.raises(Conflict) as exc:
        referrals.refer(**far_base, offer=setup["tutoring"], need="education", consent_by="赵六")
    assert exc.value.code == "offer_full"
    assert CharityReferral.objects.count() == 1


def test_decline_is_fed_back_and_overdue_is_flagged_once(setup, caseworker, red_user, household):
    cr = referrals.refer(
        actor=caseworker,
        household=household,
        offer=setup["cash"],
        need="medical",
        consent_by="王建国",
        consent_on=D0,
        amount="500",
        today=D0,
    )
    late = cr.answer_due_on
    assert referrals.tick(today=late) == 0

    assert referrals.tick(today=late + timedelta(days=1)) == 1
    assert referrals.tick(today=late + timedelta(days=2)) == 0
    assert Notification.objects.filter(kind="overdue", unit=caseworker.unit).count() == 1
    assert selectors.kpi_charity(start=D0, end=late + timedelta(days=1))["referrals_overdue"] == 1
    with pytest.raises(ValidationFailed):
        referrals.decline(actor=red_user, referral=cr, reason="")
    referrals.decline(actor=red_user, referral=cr, reason="本月资金已用完", today=late)
    assert Notification.objects.filter(kind="charity_declined", unit=caseworker.unit).exists()
    with pytest.raises(IllegalTransition):
        referrals.accept(actor=red_user, referral=cr)
    assert not Disbursement.objects.exists()


def test_waiver_and_service_are_reported_with_their_worth_and_stale_answers_refused(
    setup, caseworker, household, admin
):
    from jiuzhu.charity.models import Offer
    from jiuzhu.charity.testing import make_partner_user

    hospital = services.partner_save(actor=admin, code="hosp", name="示范市仁爱医院", kind="enterprise")
    waiver = services.offer_save(
        partner=hospital,
        code="fees",
        name="住院费用减免",
        kind=Offer.WAIVER,
        subkind="hospital",
        needs=["medical"],
    )
    staff_user = make_partner_user(hospital, "hosp_staff")
    cr = referrals.refer(
        actor=caseworker,
        household=household,
        offer=waiver,
        need="medical",
        consent_by="王建国",
        consent_on=D0,
        today=D0,
    )
    referrals.accept(actor=staff_user, referral=cr, today=D0)
    with pytest.raises(Conflict) as exc:
        referrals.deliver(actor=staff_user, referral=cr, result="减免", amount="300", version=cr.version - 1)
    assert exc.value.code == "stale_version"
    cr.refresh_from_db()
    referrals.deliver(
        actor=staff_user, referral=cr, result="住院费减免", amount="860", version=cr.version, today=D0
    )
    cr.refresh_from_db()
    assert cr.state == "delivered" and cr.delivered_amount == Decimal("860.00")
    chain = selectors.chain_entries(household=household, role="town_caseworker")
    assert chain[-1]["detail"] == "860.00 元；住院费减免"
    # no cash moved: nothing for screening's cash rows
    assert list(selectors.cash_aid_rows()) == []
