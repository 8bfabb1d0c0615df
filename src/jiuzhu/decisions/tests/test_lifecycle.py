"""Lifecycle (DOMAIN §7): when a household leaves dibao / extreme-poverty support, the
education, housing and medical entitlements that depended on it are flagged to their units
the same day; while another qualifying entitlement still runs, nothing is flagged."""

from datetime import date

from jiuzhu.decisions.entitlements import entitlement_grant, entitlement_stop
from jiuzhu.intake.models import Notification

MARCH, JUNE = date(2026, 3, 1), date(2026, 6, 1)


def _grant(household, approver, code, amount, period="month"):
    head = household.members.get(relation="head")
    return entitlement_grant(
        household=household,
        payee=head,
        service_code=code,
        amount=amount,
        amount_period=period,
        start_month=MARCH,
        actor=approver,
    )


def test_dependent_entitlements_are_flagged_to_their_units_when_dibao_stops(poor_household, approver):
    dibao = _grant(poor_household, approver, "dibao", "2850")
    rent = _grant(poor_household, approver, "housing_rent_subsidy", "403.40")
    school = _grant(poor_household, approver, "edu_compulsory", "1250", period="year")
    _grant(poor_household, approver, "temporary_emergency", "1000", period="once")  # not dependent
    entitlement_stop(entitlement=dibao, from_month=JUNE, actor=approver, reason="家庭收入超过标准")
    flagged = Notification.objects.filter(kind="dependent_flagged").order_by("unit__code")
    assert sorted(n.unit_id for n in flagged) == sorted([rent.unit_id, school.unit_id])
    text = flagged.get(unit=rent.unit).message
    assert "住房租赁补贴" in text and "最低生活保障" in text and "2026年05月" in text
    assert "家庭收入超过标准" in text and "housing" not in text


def test_nothing_is_flagged_while_another_qualifying_entitlement_runs(poor_household, approver):
    dibao = _grant(poor_household, approver, "dibao", "2850")
    _grant(poor_household, approver, "tekun_dispersed", "1235")
    _grant(poor_household, approver, "housing_rent_subsidy", "403.40")
    entitlement_stop(entitlement=dibao, from_month=JUNE, actor=approver, reason="转为特困供养")
    assert not Notification.objects.filter(kind="dependent_flagged").exists()
