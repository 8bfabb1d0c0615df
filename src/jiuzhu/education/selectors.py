"""Reads of education assistance, checked against the scope table (``education.read``)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from jiuzhu.common import scope
from jiuzhu.common.masking import present
from jiuzhu.common.roles import role_of
from jiuzhu.decisions.entitlements import add_months, owed_in
from jiuzhu.medical.services import GROUPS  # the entitlements that make a dibao or tekun household
from jiuzhu.payments.models import Institution
from jiuzhu.policy.rules.base import Params
from jiuzhu.policy.rules.education import term_grant
from jiuzhu.registry.models import User

from .models import Enrolment, TermGrant


def term_name(term: date) -> str:
    return f"{term.year}年{'秋季' if term.month >= 8 else '春季'}学期"


def schools_for(actor: User):
    scope.require(actor, "education.read")
    qs = Institution.objects.filter(kind=Institution.SCHOOL)
    if scope.scope_of(actor, "education.read") == scope.UNIT:
        qs = qs.filter(unit=actor.unit_id)
    return qs


def school_get(*, actor: User, pk: int) -> Institution:
    s = Institution.objects.get(pk=pk, kind=Institution.SCHOOL)
    scope.require(actor, "education.read", unit=s.unit_id)
    return s


def term_eligible(*, actor: User, school, term: date, policy) -> list[dict]:
    """The school's pupils eligible for ``term`` (the list the bureau exports to the school):
    enrolled by the end of the term's first month and not left before it, in a household with
    a dibao or tekun entitlement running that month, not yet granted this term; a university
    student only in his entrance year and once. Each row carries the grant by the rule."""
    scope.require(actor, "education.read", unit=school.unit_id)
    term = term.replace(day=1)
    homes = set(owed_in(term).filter(service_code__in=GROUPS).values_list("household_id", flat=True))
    granted = set(TermGrant.objects.filter(term=term).values_list("person_id", flat=True))
    had_entrance = set(TermGrant.objects.filter(stage="university").values_list("person_id", flat=True))
    p = Params.at(policy, term)
    role = role_of(actor)
    rows = []
    pupils = (
        Enrolment.objects.filter(
            school=school, entered_on__lt=add_months(term, 1), person__deceased_on__isnull=True
        )
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=term))
        .select_related("person")
        .order_by("stage", "person__name", "pk")
    )
    for e in pupils:
        if e.person.household_id not in homes or e.person_id in granted:
            continue
        entrant = e.entered_on.year == term.year and e.person_id not in had_entrance
        g = term_grant(stage=e.stage, p=p, entrant=entrant)
        if g is None:
            continue
        rows.append(
            {
                "person_id": e.person_id,
                "enrolment_id": e.pk,
                "stage": e.stage,
                "stage_label": e.get_stage_display(),
                "name": present("name", e.person.name, role),
                "id_number": present("id_number", e.person.id_number, role),
                "grant": g,
            }
        )
    return rows


def term_granted(*, actor: User, school, term: date) -> list[TermGrant]:
    scope.require(actor, "education.read", unit=school.unit_id)
    return list(
        TermGrant.objects.filter(enrolment__school=school, term=term.replace(day=1))
        .select_related("person")
        .order_by("pk")
    )
