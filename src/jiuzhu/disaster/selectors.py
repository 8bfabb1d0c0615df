"""Reads of the disaster app, checked against the scope table (``disaster.read``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from jiuzhu.common import scope
from jiuzhu.common.masking import present
from jiuzhu.common.roles import role_of
from jiuzhu.payments.models import PaymentLine
from jiuzhu.registry.models import User

from .models import AffectedHousehold, DisasterEvent, TransitionalDays, VillageList


def events_for(actor: User):
    """The events the actor may read (a department officer: his own unit's)."""
    scope.require(actor, "disaster.read")
    qs = DisasterEvent.objects.select_related("unit").prefetch_related("towns")
    if scope.scope_of(actor, "disaster.read") == scope.UNIT:
        # a unit-scoped officer without a unit reads nothing (an event always has its unit)
        qs = qs.filter(unit_id=actor.unit_id) if actor.unit_id is not None else qs.none()
    return qs


def event_get(*, actor: User, pk: int) -> DisasterEvent:
    event = DisasterEvent.objects.select_related("unit").get(pk=pk)
    scope.require(actor, "disaster.read", unit=event.unit)
    return event


def list_get(*, actor: User, pk: int) -> VillageList:
    vlist = VillageList.objects.select_related("event__unit").get(pk=pk)
    scope.require(actor, "disaster.read", unit=vlist.event.unit)
    return vlist


@dataclass
class EventReport:
    households: int
    new_households: int
    persons: int
    displaced: int
    deaths: int
    injuries: int
    crop_loss_mu: Decimal
    damage: dict[str, int]  # damage label -> households
    aid_households: int
    resettled: int
    person_days: int
    settled: Decimal
    paid: Decimal
    fund: Decimal

    @property
    def fund_left(self) -> Decimal:
        return self.fund - self.settled


def event_report(*, actor: User, event: DisasterEvent) -> EventReport:
    """The event's figures: households and persons registered, damage (read from the households'
    disaster facts the registration recorded), person-days settled, amounts granted and
    actually paid by the rolls (lines marked paid)."""
    scope.require(actor, "disaster.read", unit=event.unit)
    hh = AffectedHousehold.objects.filter(event=event)
    totals = hh.aggregate(
        n=Count("pk"),
        new=Count("pk", filter=Q(new_household=True)),
        deaths=Sum("deaths"),
        injuries=Sum("injuries"),
        crops=Sum("crop_loss_mu"),
        aids=Count("aid"),
        resettled=Count("aid", filter=Q(aid__end_on__isnull=False)),
    )
    labels = dict(AffectedHousehold.Damage.choices)
    damage = {labels[code]: 0 for code in AffectedHousehold.Damage.values}
    persons = displaced = 0
    for data in hh.values_list("fact__data", flat=True).iterator(chunk_size=5000):  # the registry's facts
        persons += data.get("persons_affected", 0)
        displaced += data.get("persons_displaced", 0)
        damage[labels[data.get("house_damage", AffectedHousehold.Damage.NONE)]] += 1
    days = TransitionalDays.objects.filter(aid__affected__event=event)
    settled = days.aggregate(pd=Sum("person_days"), amount=Sum("amount"))
    paid = PaymentLine.objects.filter(
        entitlement_id__in=days.values("entitlement_id"), state=PaymentLine.PAID
    ).aggregate(s=Sum("amount"))["s"]
    zero = Decimal("0.00")
    return EventReport(
        households=totals["n"],
        new_households=totals["new"],
        persons=persons,
        displaced=displaced,
        deaths=totals["deaths"] or 0,
        injuries=totals["injuries"] or 0,
        crop_loss_mu=totals["crops"] or zero,
        damage=damage,
        aid_households=totals["aids"],
        resettled=totals["resettled"],
        person_days=settled["pd"] or 0,
        settled=settled["amount"] or zero,
        paid=paid or zero,
        fund=event.fund,
    )


def affected_rows(*, actor: User, event: DisasterEvent, limit: int = 200) -> list[dict]:
    """The first registered households, names masked for the actor's role."""
    scope.require(actor, "disaster.read", unit=event.unit)
    role = role_of(actor)
    qs = (
        AffectedHousehold.objects.filter(event=event)
        .select_related("household", "person", "aid", "fact")
        .order_by("pk")[:limit]
    )
    return [
        {
            "code": a.household.code,
            "name": present("name", a.person.name, role),
            "village": a.village,
            "persons": a.persons,
            "displaced": a.displaced,
            "damage": a.get_house_damage_display(),
            "new": a.new_household,
            "aid": getattr(a, "aid", None),
        }
        for a in qs
    ]
