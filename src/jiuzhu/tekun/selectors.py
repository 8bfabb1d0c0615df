"""Reads of extreme-poverty support, checked against the scope table (``tekun.read``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Q

from jiuzhu.common import scope
from jiuzhu.decisions.entitlements import add_months, month_start, owed_in

from .models import LeftReason, Placement, SupportHome

if TYPE_CHECKING:
    from jiuzhu.decisions.models import Entitlement
    from jiuzhu.registry.models import User

CENTRALISED = "tekun_institutional"
SUPPORT_CATEGORY = "extreme_poverty"


def homes_for(actor: User):
    scope.require(actor, "tekun.read")
    qs = SupportHome.objects.select_related("institution")
    if scope.scope_of(actor, "tekun.read") == scope.UNIT:
        qs = qs.filter(institution__unit=actor.unit_id)
    return qs.order_by("institution__name")


def home_get(*, actor: User, pk: int) -> SupportHome:
    h = SupportHome.objects.select_related("institution").get(pk=pk)
    scope.require(actor, "tekun.read", unit=h.institution.unit_id)
    return h


def occupied(home: SupportHome, on: date) -> int:
    return (
        Placement.objects.filter(home=home, entered_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .count()
    )


def residents_in(home: SupportHome, month: date):
    """Placements of ``home`` running at some day of ``month``."""
    m = month_start(month)
    return (
        Placement.objects.filter(home=home, entered_on__lt=add_months(m, 1))
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=m))
        .select_related("person")
        .order_by("entered_on", "pk")
    )


def support_owed(person_ids, month: date, *, service_codes=(CENTRALISED,)) -> dict[int, list[Entitlement]]:
    """``{person_id: [entitlement, ...]}``: the support entitlements owed for ``month`` whose
    payee is the person."""
    out: dict[int, list[Entitlement]] = {}
    for e in owed_in(month_start(month)).filter(
        service_code__in=service_codes, payee_id__in=list(person_ids)
    ):
        out.setdefault(e.payee_id, []).append(e)
    return out


def supported_at(person, on: date) -> str | None:
    """The support service (tekun_dispersed / tekun_institutional) the person was a member of
    in ``on``'s month, or ``None``."""
    e = (
        owed_in(month_start(on))
        .filter(category=SUPPORT_CATEGORY, amount_period="month", members=person)
        .order_by("-start_month", "-pk")
        .first()
    )
    return e.service_code if e else None


def support_owed_payees(month: date) -> list[int]:
    """The payees of the centralised-support entitlements owed for ``month``."""
    return list(
        owed_in(month_start(month))
        .filter(service_code=CENTRALISED)
        .values_list("payee_id", flat=True)
        .distinct()
    )


def _managed_entitlements(actor: User):
    """Support entitlements of the units whose homes and benefits the actor manages."""
    from jiuzhu.decisions.models import Entitlement

    scope.require(actor, "tekun.manage")
    qs = Entitlement.objects.filter(category=SUPPORT_CATEGORY, amount_period="month")
    if scope.scope_of(actor, "tekun.manage") == scope.UNIT:
        qs = qs.filter(unit=actor.unit_id)
    return qs


def placement_candidates(*, actor: User, on: date, limit: int = 500):
    """Living persons with centralised support running in ``on``'s month and no open placement:
    those a home may admit (``placement_create`` checks each again)."""
    from jiuzhu.registry.models import Person

    m = month_start(on)
    running = (
        _managed_entitlements(actor)
        .filter(service_code=CENTRALISED, start_month__lte=m)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=m))
    )
    return (
        Person.objects.filter(entitlements__in=running, deceased_on__isnull=True)
        .exclude(pk__in=Placement.objects.filter(left_on__isnull=True).values("person_id"))
        .select_related("household")
        .distinct()
        .order_by("household__code", "pk")[:limit]
    )


def homes_with_free_beds(*, actor: User, on: date) -> list[tuple[SupportHome, int]]:
    """``[(home, free beds)]`` of the homes the actor manages that have a free bed on ``on``."""
    scope.require(actor, "tekun.manage")
    out = []
    for h in homes_for(actor):
        if scope.allows(actor, "tekun.manage", unit=h.institution.unit_id):
            free = h.beds - h.placements.filter(left_on__isnull=True).count()
            if free > 0:
                out.append((h, free))
    return out


def funeral_candidates(*, actor: User, limit: int = 200):
    """Dead persons who were in (dispersed or centralised) support in the month they died and
    have no funeral benefit yet, newest death first."""
    from jiuzhu.registry.models import Person

    ents = _managed_entitlements(actor).filter(members__deceased_on__isnull=False)
    out = []
    for p in (
        Person.objects.filter(entitlements__in=ents, funeral_benefit__isnull=True, deceased_on__isnull=False)
        .select_related("household")
        .distinct()
        .order_by("-deceased_on", "pk")[: limit * 2]
    ):
        if p.deceased_on is not None and supported_at(p, p.deceased_on) is not None:
            out.append(p)
        if len(out) >= limit:
            break
    return out


def funeral_payees(person) -> tuple[list, list, object | None]:
    """The choices for a funeral benefit: the active support institutions, the living members of
    the dead person's household; and the default institution (the home he died in)."""
    from jiuzhu.payments.models import Institution
    from jiuzhu.registry.models import Person

    institutions = list(Institution.objects.filter(kind=Institution.SUPPORT, active=True).order_by("name"))
    members = list(
        Person.objects.filter(household_id=person.household_id, deceased_on__isnull=True).order_by("pk")
    )
    placed = (
        Placement.objects.filter(person=person).select_related("home__institution").order_by("-entered_on")
    )
    last = placed.first()
    default = (
        last.home.institution
        if last and (last.left_on is None or last.left_reason == LeftReason.DIED)
        else None
    )
    return institutions, members, default
