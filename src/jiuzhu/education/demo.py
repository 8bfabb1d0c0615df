"""Demo data for education assistance: a school of the education bureau, the pupils of the
demo's dibao and tekun households enrolled at it by their registry stage, and the latest term's
list confirmed (school-paid grants in one transfer approved by a civil-affairs approver and paid;
family-paid grants as one-off entitlements the demo's rolls pay). Idempotent: a pupil is enrolled
once and a term granted once."""

from __future__ import annotations

from datetime import date

from jiuzhu.common.errors import ValidationFailed
from jiuzhu.decisions.entitlements import owed_in
from jiuzhu.medical.services import GROUPS
from jiuzhu.payments import institutions
from jiuzhu.payments.models import InstitutionTransfer
from jiuzhu.registry.demo_staff import demo_scaled, maker_and_checker
from jiuzhu.registry.models import Person, Unit

from . import services
from .models import Enrolment

PUPILS = 120  # pupils enrolled by the default demo (fewer in a smaller demo)


def seed(*, policy, today: date) -> str | None:
    unit = Unit.objects.filter(code="education").first()
    staff = maker_and_checker(unit)
    if staff is None:
        return None
    maker, checker = staff
    school = institutions.institution_register(
        actor=maker,
        code="SCH-DEMO-1",
        name="示范市第一中学",
        kind=institutions.Institution.SCHOOL,
        unit=unit,
        bank_name="示范市农业银行",
        holder_name="示范市第一中学",
        account="622800000000000021",
    )
    term = date(today.year, 9, 1) if today.month >= 9 else date(today.year, 3, 1)
    if term > today:
        term = date(today.year - 1, 9, 1)
    entered = date(term.year if term.month == 9 else term.year - 1, 9, 1)
    homes = owed_in(term).filter(service_code__in=GROUPS).values_list("household_id", flat=True)
    stages = dict(Enrolment.STAGES)
    pupils = (
        Person.objects.filter(household_id__in=list(homes), school_stage__in=stages, deceased_on__isnull=True)
        .exclude(pk__in=Enrolment.objects.filter(left_on__isnull=True).values("person_id"))
        .order_by("pk")[: demo_scaled(PUPILS)]
    )
    for p in pupils:
        services.enrolment_register(
            actor=maker, school=school, person=p, stage=p.school_stage, entered_on=entered
        )
    try:
        result = services.term_confirm(
            actor=maker,
            school=school,
            term=term,
            policy=policy,
            confirmed=list(
                Enrolment.objects.filter(school=school, left_on__isnull=True).values_list(
                    "person_id", flat=True
                )
            ),
        )
    except ValidationFailed:
        return f"教育救助：{school.name}本学期没有待确认的学生（已确认或无在读学生）"
    for t in InstitutionTransfer.objects.filter(pk__in=result["transfers"]):
        t = institutions.transfer_approve(actor=checker, transfer=t)
        institutions.transfer_paid(
            actor=checker, transfer=t, paid_on=min(today, date(term.year, term.month, 20))
        )
    return (
        f"教育救助：{school.name}确认 {result['granted']} 名学生，"
        f"拨付学校 {result['to_school']} 元，发给家庭 {result['to_family']} 元"
    )
