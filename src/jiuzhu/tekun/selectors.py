"""Reads of extreme-poverty support, checked against the scope table (``tekun.read``)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from jiuzhu.common import scope
from jiuzhu.decisions.entitlements import add_months, month_start, owed_in

from .models import Placement, SupportHome

CENTRALISED = "tekun_institutional"
SUPPORT_CATEGORY = "extreme_poverty"


def homes_for(actor):
    scope.require(actor, "tekun.read")
    qs = SupportHome.objects.select_related("institution")
    if scope.scope_of(actor, "tekun.read") == scope.UNIT:
        qs = qs.filter(institution__unit_id=actor.unit_id)
    return qs.order_by("institution__name")


def home_get(*, actor, pk: int) -> SupportHome:
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


def support_owed(person_ids, month: date, *, service_codes=(CENTRALISED,)) -> dict[int, object]:
    """``{person_id: [entitlement, ...]}``: the support entitlements owed for ``month`` whose
    payee is the person."""
    out: dict[int, list] = {}
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
