"""Intake and decisions: dibao/tekun referrals are answered only by a decision; any other
granted referral becomes an entitlement payments can pay."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.errors import IllegalTransition
from jiuzhu.decisions.models import Entitlement
from jiuzhu.decisions.scope import decision_codes
from jiuzhu.intake import handling
from jiuzhu.intake import services as intake
from jiuzhu.intake.models import Referral


def test_decision_services_come_from_the_catalogue(policy):
    assert decision_codes(policy) == {"dibao", "dibao_single", "tekun_dispersed", "tekun_institutional"}


def test_dibao_referral_cannot_be_granted_or_refused_by_plain_feedback(refer_to, poor_household, staff):
    r = refer_to(poor_household, "dibao")
    officer = staff("department_officer", r.unit.code)
    handling.referral_accept(actor=officer, referral=r)
    r.refresh_from_db()
    assert "grant" not in handling.allowed_actions(r, officer)
    assert "refuse" not in handling.allowed_actions(r, officer)
    assert "transfer" in handling.allowed_actions(r, officer)
    with pytest.raises(IllegalTransition) as exc:
        handling.referral_grant(actor=officer, referral=r, amount="100", start_month=date(2026, 4, 1))
    assert exc.value.code == "decision_required"
    with pytest.raises(IllegalTransition) as exc:
        handling.referral_refuse(actor=officer, referral=r, reasons="x", basis="y", alternatives="z")
    assert exc.value.code == "decision_required"
    r.refresh_from_db()
    assert r.state == Referral.IN_PROGRESS and not Entitlement.objects.exists()


def test_granted_referral_becomes_an_entitlement_once(clerk, poor_household, staff, policy):
    app = intake.application_create(actor=clerk, household=poor_household, needs=["emergency"])
    code = next(s.code for s in policy.services if s.category == "temporary" and not s.needs_verification)
    r = intake.refer(actor=clerk, application=app, service_codes=[code])[0]
    officer = staff("department_officer" if r.unit.kind == "department" else "town_caseworker", r.unit.code)
    handling.referral_accept(actor=officer, referral=r)
    handling.referral_grant(
        actor=officer,
        referral=r,
        amount="1500",
        period="once",
        start_month=date(2026, 4, 9),
        note="火灾后急需",
    )
    ent = Entitlement.objects.get(referral=r)
    assert ent.amount == Decimal("1500.00") and ent.amount_period == "once"
    assert ent.start_month == date(2026, 4, 1) and ent.unit == r.unit
    assert ent.payee == app.applicant and ent.service_code == code
