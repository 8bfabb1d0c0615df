"""Lifecycle of department entitlements (DOMAIN §7): an education grant per school year ends
with its school year instead of repeating every September; a housing subsidy is reviewed by
its unit when its review date comes — continued, adjusted to the rules' amount, or stopped
when the household no longer qualifies; only the owning unit reviews; the due reviews are on
the department officer's home page and can be done from the screen and the API."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from jiuzhu.common import clock
from jiuzhu.common.errors import IllegalTransition, PermissionDenied
from jiuzhu.decisions.department_reviews import department_review
from jiuzhu.decisions.entitlements import add_months, entitlement_grant, owed_in
from jiuzhu.decisions.models import Entitlement
from jiuzhu.registry.services import income_add

from .test_home_queues import home, queue


def _grant(household, approver, code, amount, start, period="month"):
    head = household.members.get(relation="head")
    return entitlement_grant(
        household=household,
        payee=head,
        service_code=code,
        amount=amount,
        amount_period=period,
        start_month=start,
        actor=approver,
    )


def test_an_education_grant_ends_with_its_school_year(poor_household, approver):
    autumn = _grant(poor_household, approver, "edu_compulsory", "1250", date(2026, 9, 1), period="year")
    spring = _grant(poor_household, approver, "edu_compulsory", "1250", date(2026, 3, 1), period="year")
    assert (autumn.end_month, autumn.next_review_on) == (date(2027, 8, 1), None)
    assert spring.end_month == date(2026, 8, 1)
    assert autumn in owed_in(date(2026, 9, 1)) and spring in owed_in(date(2026, 3, 1))
    # the next September is a new school year: nothing owed without a new decision
    assert not owed_in(date(2027, 9, 1)).filter(service_code="edu_compulsory").exists()
    assert not owed_in(date(2027, 3, 1)).filter(service_code="edu_compulsory").exists()


def test_housing_subsidy_is_reviewed_continued_adjusted_and_stopped(housed, approver, staff):
    rent = _grant(housed, approver, "housing_rent_subsidy", "403.40", date(2026, 3, 1))
    assert rent.next_review_on == date(2027, 3, 1) and rent.end_month is None  # review_months 12
    officer = staff("department_officer", "housing")
    with pytest.raises(IllegalTransition) as exc:
        department_review(actor=officer, entitlement=rent, today=date(2027, 2, 28))
    assert exc.value.code == "review_not_due"
    with pytest.raises(PermissionDenied):
        department_review(
            actor=staff("department_officer", "education"), entitlement=rent, today=date(2027, 3, 1)
        )

    out = department_review(actor=officer, entitlement=rent, today=date(2027, 3, 1))
    assert out.outcome == "continued" and out.entitlement.next_review_on == date(2028, 3, 1)
    assert Entitlement.objects.filter(service_code="housing_rent_subsidy").count() == 1

    housed.dwelling_area = Decimal("30")  # (15 × 3 − 30) × ¥20 = ¥300 a month
    housed.save(update_fields=["dwelling_area"])
    out = department_review(actor=officer, entitlement=rent, today=date(2028, 3, 1))
    new = out.entitlement
    assert (
        out.outcome == "adjusted" and new.amount == Decimal("300.00") and new.start_month == date(2028, 4, 1)
    )
    assert new.previous_id == rent.pk and new.next_review_on == date(2029, 3, 1)
    rent.refresh_from_db()
    assert rent.amount == Decimal("403.40") and rent.end_month == date(2028, 3, 1)  # never changed in place

    head = housed.members.get(relation="head")
    income_add(
        actor=None,
        person=head,
        kind="wages",
        monthly_amount="9000",
        period_start=date(2028, 4, 1),
        period_end=date(2029, 2, 28),
    )
    out = department_review(actor=officer, entitlement=new, today=date(2029, 3, 1))
    new.refresh_from_db()
    assert out.outcome == "stopped" and new.status == Entitlement.ENDED and new.end_month == date(2029, 3, 1)
    assert "复核不再符合条件" in new.ended_reason
    with pytest.raises(IllegalTransition) as exc:
        department_review(actor=officer, entitlement=new, today=date(2029, 3, 2))
    assert exc.value.code == "entitlement_ended"


def test_due_reviews_on_the_officer_home_screen_and_api(housed, approver, staff):
    today = clock.today()
    start = add_months(today, -13)
    rent = _grant(housed, approver, "housing_rent_subsidy", "403.40", start)
    officer = staff("department_officer", "housing")
    n, text = queue(home(officer), "department_reviews")
    assert n == 1 and housed.code in text and "住房租赁补贴" in text
    c = Client()
    c.force_login(officer)
    page = c.get("/decisions/department-reviews/").content.decode()
    assert "按规则复核" in page and housed.code in page
    resp = c.post(f"/api/decisions/entitlements/{rent.pk}/review", content_type="application/json")
    assert resp.status_code == 200 and resp.json()["outcome"] == "continued"
    assert resp.json()["next_review_on"] == add_months(today, 12).isoformat()
    n, _ = queue(home(officer), "department_reviews")
    assert n == 0
    other = Client()
    other.force_login(staff("department_officer", "education"))
    resp = other.post(f"/api/decisions/entitlements/{rent.pk}/review", content_type="application/json")
    assert resp.status_code == 403 and resp.json()["code"] == "out_of_scope"
