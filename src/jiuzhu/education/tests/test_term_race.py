"""Two officers confirm the same school's term list at the same moment: each pupil is granted
once — one school transfer of the term, one family entitlement — never doubled, never a crash.
The school's row is locked first (PostgreSQL: the second waits and finds the pupils granted;
SQLite: the second is told to retry)."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.testing import race
from jiuzhu.decisions.models import Entitlement
from jiuzhu.education import services
from jiuzhu.education.models import TermGrant
from jiuzhu.payments.models import InstitutionTransfer

SPRING = date(2026, 3, 1)


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_grant_each_pupil_once(
    officer, staff, register_school, dibao_home, enrol, policy
):
    other = staff("department_officer", "education")
    school = register_school("SCH-RACE", "示范市第二中学", "622800001111000002")
    home = dibao_home(("小学乙", date(2016, 2, 2)), ("高中丙", date(2009, 3, 3)))
    pupils = []
    for name, stage in (("小学乙", "primary"), ("高中丙", "senior")):
        p = home.members.get(name=name)
        enrol(school, p, stage)
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
