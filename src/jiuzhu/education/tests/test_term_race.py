"""Two officers confirm the same school's term list at the same moment: each pupil is granted
once — one school transfer of the term, one family entitlement — never doubled, never a crash.
The school's row is locked first (PostgreSQL: the second waits and finds the pupils granted;
SQLite: the second is told to retry)."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.testing import race
from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.decisions.models import Entitlement
from jiuzhu.education import services
from jiuzhu.education.models import TermGrant
from jiuzhu.payments import institutions
from jiuzhu.payments.models import InstitutionTransfer

SPRING = date(2026, 3, 1)


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_grant_each_pupil_once(units, staff, make_household, policy):
    officer, other = staff("department_officer", "education"), staff("department_officer", "education")
    school = institutions.institution_register(
        actor=officer,
        code="SCH-RACE",
        name="示范市第二中学",
        kind=institutions.Institution.SCHOOL,
        unit=units["education"],
        bank_name="示范市农业银行",
        holder_name="示范市第二中学",
        account="622800001111000002",
    )
    home = make_household(
        members=[
            {"name": "家长甲", "birth": date(1980, 1, 1)},
            {"name": "小学乙", "birth": date(2016, 2, 2), "relation": "child"},
            {"name": "高中丙", "birth": date(2009, 3, 3), "relation": "child"},
        ]
    )
    entitlement_grant(
        household=home,
        payee=home.members.get(name="家长甲"),
        service_code="dibao",
        amount="900",
        start_month=date(2026, 1, 1),
        actor=staff("approver"),
        policy=policy,
        reason="审批同意",
    )
    pupils = []
    for name, stage in (("小学乙", "primary"), ("高中丙", "senior")):
        p = home.members.get(name=name)
        services.enrolment_register(
            actor=officer, school=school, person=p, stage=stage, entered_on=date(2025, 9, 1)
        )
        pupils.append(p.pk)

    def confirm(actor):
        return lambda: services.term_confirm(
            actor=actor, school=school.pk, term=SPRING, confirmed=pupils, policy=policy
        )

    results = race([confirm(officer), confirm(other)])
    assert all(kind in ("ok", "error") for kind, _ in results), results
    assert [kind for kind, _ in results].count("ok") == 1, results
    for kind, value in results:
        if kind == "error":
            assert value.code in ("busy", "nothing_to_grant"), results
    assert TermGrant.objects.filter(term=SPRING).count() == 2
    transfer = InstitutionTransfer.objects.get(institution=school)
    assert transfer.amount == Decimal("1250.00")
    assert Entitlement.objects.filter(service_code="edu_compulsory", start_month=SPRING).count() == 1
