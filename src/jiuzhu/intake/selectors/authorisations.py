"""Authorisations to verify (授权书): which are signed and in force, who is missing (read by
verification)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q

from jiuzhu.common import idnumber
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Household, Person

from ..models import Authorisation, Referral


def authorisation_months(on: date) -> int:
    """How long a signed authorisation lasts (policy ``verification.authorisation_months``)."""
    return int(current_policy().param("verification.authorisation_months", on))


def authorisation_expiry(signed_on: date, *, months: int) -> date:
    """The last day an authorisation signed on ``signed_on`` is in force."""
    from jiuzhu.policy.rules.base import add_months_clamped

    return add_months_clamped(signed_on, months) - timedelta(days=1)


def _not_expired(on: date) -> Q:
    """In force on ``on`` by its date: its own ``valid_until``, or (recorded before every
    authorisation carried one) ``verification.authorisation_months`` after signing."""
    from jiuzhu.policy.rules.base import add_months_clamped

    oldest = add_months_clamped(on, -authorisation_months(on))
    return Q(valid_until__gte=on) | Q(valid_until__isnull=True, signed_on__gt=oldest)


def signed_authorisations(household: Household, *, on: date, scope: str = Authorisation.VERIFICATION):
    """Authorisations of current members signed on or before ``on`` and not revoked by then
    (expired or not)."""
    return (
        Authorisation.objects.filter(
            household=household, scope=scope, signed_on__lte=on, person__household=household
        )
        .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=on))
        .select_related("application")
    )


def authorised_persons(
    household: Household, *, on: date, scope: str = Authorisation.VERIFICATION
) -> list[Person]:
    """Members of ``household`` whose signed authorisation for ``scope`` is in force on
    ``on``: signed on or before it, not expired, not revoked by then."""
    valid = signed_authorisations(household, on=on, scope=scope).filter(_not_expired(on))
    return list(Person.objects.filter(pk__in=valid.values("person_id")).order_by("id"))


def authorisation_covers(auth: Authorisation, *, unit_id, service: str, any_unit: bool = False) -> bool:
    """Whether ``auth`` lets ``unit_id`` ask a verification for ``service``. The unit it names
    (the window) may ask for its service, or any service when it names none; a unit its
    application was referred to (分办) acts under it for the services referred. ``any_unit``:
    the city's verification centre and approvers (periodic review), for whom the authorisation
    is signed (the form names the civil-affairs verification body), still within its service."""
    referred = set()
    if auth.application_id is not None:
        referred = set(
            Referral.objects.filter(application_id=auth.application_id).values_list("unit_id", "service_code")
        )
    own = any_unit or auth.unit_id is None or auth.unit_id == unit_id
    if auth.service_code:
        return auth.service_code == service and (own or any(u == unit_id for u, _ in referred))
    return own or (unit_id, service) in referred


def authorisation_gaps(
    household: Household, *, on: date, unit_id, service: str, any_unit: bool = False
) -> dict[int, str]:
    """Living adult members whose authorisation does not let ``unit_id`` ask for ``service``
    on ``on``, each with why: ``missing`` (none signed), ``expired`` (one that would cover it
    has expired), ``out_of_scope`` (those in force name another unit or service)."""
    by_person: dict[int, list[Authorisation]] = {}
    for a in signed_authorisations(household, on=on):
        by_person.setdefault(a.person_id, []).append(a)
    months = authorisation_months(on)
    gaps = {}
    for p in household.members.order_by("id"):
        if p.deceased_on or idnumber.age_on(p.birth_date, on) < 18:
            continue
        signed = by_person.get(p.pk, [])
        covering = [
            a for a in signed if authorisation_covers(a, unit_id=unit_id, service=service, any_unit=any_unit)
        ]
        in_force = [
            a for a in covering if (a.valid_until or authorisation_expiry(a.signed_on, months=months)) >= on
        ]
        if in_force:
            continue
        gaps[p.pk] = "missing" if not signed else "expired" if covering else "out_of_scope"
    return gaps


def missing_authorisations(household: Household, *, on: date) -> list[Person]:
    """Living adult members (18 or over on ``on``) without an authorisation in force."""
    have = {p.pk for p in authorised_persons(household, on=on)}
    return [
        p
        for p in household.members.order_by("id")
        if p.pk not in have and not p.deceased_on and idnumber.age_on(p.birth_date, on) >= 18
    ]
