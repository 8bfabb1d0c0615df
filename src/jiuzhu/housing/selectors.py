"""Reads of housing assistance, checked against the scope table (``housing.read``)."""

from __future__ import annotations

from datetime import date

from jiuzhu.common import scope
from jiuzhu.decisions.entitlements import month_start, owed_in
from jiuzhu.registry.models import Unit, User

from .models import Renovation, WaitingEntry

RENT, RENTAL, REPAIR = "housing_rent_subsidy", "housing_public_rental", "housing_rural_repair"
OPTION_LABELS = {RENT: "住房租赁补贴", RENTAL: "公共租赁住房", REPAIR: "农村危房改造"}


def owner_unit(policy) -> Unit:
    return Unit.objects.get(code=policy.service(RENTAL).owner_unit)


def rent_subsidies(household_id: int, on: date):
    """The household's rent-subsidy entitlements running in ``on``'s month and not ended."""
    return (
        owed_in(month_start(on)).filter(household_id=household_id, service_code=RENT).exclude(status="ended")
    )


def options_held(household_id: int, on: date) -> set[str]:
    """Which of the three exclusive options the household holds on ``on``."""
    held = set()
    if rent_subsidies(household_id, on).exists():
        held.add(RENT)
    if WaitingEntry.objects.filter(household_id=household_id, state=WaitingEntry.State.ALLOCATED).exists():
        held.add(RENTAL)
    if Renovation.objects.filter(household_id=household_id).exists():
        held.add(REPAIR)
    return held


def _scoped(actor: User, qs):
    scope.require(actor, "housing.read")
    if scope.scope_of(actor, "housing.read") == scope.UNIT:
        qs = qs.filter(unit_id=actor.unit_id)
    return qs


def waiting_list(*, actor: User):
    """The waiting list in its order: priority, then the date of registration."""
    return list(
        _scoped(actor, WaitingEntry.objects.filter(state=WaitingEntry.State.WAITING)).select_related(
            "household"
        )
    )


def renovations(*, actor: User):
    return list(
        _scoped(actor, Renovation.objects.select_related("household")).order_by("-inspected_on", "pk")
    )


def household_options(*, actor: User, household, on: date, policy) -> set[str]:
    """The exclusive options ``household`` holds on ``on``, for the housing unit (or a city role)."""
    scope.require(actor, "housing.read", unit=owner_unit(policy))
    return options_held(household.pk, on)


def renovation_get(*, actor: User, pk: int) -> Renovation:
    r = Renovation.objects.select_related("household").get(pk=pk)
    scope.require(actor, "housing.read", unit=r.unit_id)
    return r
