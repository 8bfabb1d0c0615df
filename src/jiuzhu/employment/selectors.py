"""Reads of employment assistance, checked against the scope table (``employment.read``), and
the member facts the registry hands to the dibao rules (``member_facts``)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q

from jiuzhu.common import scope
from jiuzhu.common.masking import present
from jiuzhu.common.params import parameter
from jiuzhu.common.roles import role_of
from jiuzhu.decisions.entitlements import owed_in
from jiuzhu.registry.models import Person, Unit, User

from .models import EndedReason, Offer, Registration

SERVICE = "employment_services"  # the catalogue entry whose owner unit keeps the registrations


def owner_unit(policy) -> Unit:
    return Unit.objects.get(code=policy.service(SERVICE).owner_unit)


def refusals_in_a_row(offers) -> int:
    """Consecutive refusals of suitable work without good reason, counted over the answered
    ``offers`` in the order answered: an acceptance starts the count again; a refusal with a
    good reason (illness, care of a family member…) neither counts nor breaks the row."""
    n = 0
    for o in sorted(offers, key=lambda o: (o.answered_on, o.pk)):
        if o.answer == Offer.ACCEPTED:
            n = 0
        elif o.answer == Offer.REFUSED and not o.good_reason:
            n += 1
    return n


def member_facts(person_ids: list[int], on: date) -> dict[int, dict]:
    """The programme facts of ``person_ids`` on ``on`` (``policy.facts.PROGRAMME_FACTS``): the
    refusals in a row answered by then, and ``employed`` when the latest registration ended
    in employment by then."""
    out: dict[int, dict] = {}
    answered = Offer.objects.filter(
        registration__person_id__in=person_ids,
        answered_on__lte=on,
        answer__in=(Offer.ACCEPTED, Offer.REFUSED),
    ).values("pk", "registration__person_id", "answer", "answered_on", "good_reason")
    rows: dict[int, list] = {}
    for o in answered:
        rows.setdefault(o["registration__person_id"], []).append(
            Offer(pk=o["pk"], answer=o["answer"], answered_on=o["answered_on"], good_reason=o["good_reason"])
        )
    for pid, offers in rows.items():
        n = refusals_in_a_row(offers)
        if n:
            out.setdefault(pid, {})["work_refusals"] = n
    latest = (
        Registration.objects.filter(person_id__in=person_ids, registered_on__lte=on)
        .order_by("person_id", "-registered_on", "-pk")
        .values("person_id", "ended_on", "ended_reason")
    )
    seen = set()
    for r in latest:
        if r["person_id"] in seen:
            continue
        seen.add(r["person_id"])
        if r["ended_reason"] == EndedReason.EMPLOYED and r["ended_on"] and r["ended_on"] <= on:
            out.setdefault(r["person_id"], {})["employed"] = True
    return out


def _in_scope(actor: User, qs):
    scope.require(actor, "employment.read")
    if scope.scope_of(actor, "employment.read") == scope.UNIT:
        qs = qs.filter(unit_id=actor.unit_id)
    return qs


def registrations_for(actor: User, *, open_only: bool = True):
    qs = _in_scope(actor, Registration.objects.select_related("person", "person__household"))
    if open_only:
        qs = qs.filter(ended_on__isnull=True)
    return qs.order_by("registered_on", "pk")


def registration_get(*, actor: User, pk: int) -> Registration:
    r = Registration.objects.select_related("person", "person__household").get(pk=pk)
    scope.require(actor, "employment.read", unit=r.unit_id)
    return r


def rows_for(actor: User, registrations) -> list[dict]:
    """Registrations as a person may see them (names and ID numbers masked per role)."""
    role = role_of(actor)
    return [
        {
            "r": r,
            "name": present("name", r.person.name, role),
            "id_number": present("id_number", r.person.id_number, role),
            "refusals": refusals_in_a_row(r.offers.all()),
        }
        for r in registrations
    ]


def zero_employment(household_id: int, on: date) -> bool:
    """No member of the household works (registry status, or a registration ended in
    employment by ``on``) while at least one is registered unemployed."""
    members = list(Person.objects.filter(household_id=household_id, deceased_on__isnull=True))
    if any(p.employment_status in ("employed", "flexible") for p in members):
        return False
    facts = member_facts([p.pk for p in members], on)
    if any(f.get("employed") for f in facts.values()):
        return False
    return Registration.objects.filter(person__household_id=household_id, ended_on__isnull=True).exists()


def dibao_households(on: date) -> set[int]:
    return set(owed_in(on).filter(service_code="dibao").values_list("household_id", flat=True))


def public_post_due(*, actor: User, on: date, policy) -> list[dict]:
    """Zero-employment dibao households without a public-welfare post offer yet, each with the
    day the offer is due (the earliest open registration + ``employment.public_post_days``)
    and whether that day has passed (社会救助暂行办法 第四十三条)."""
    days = int(parameter(policy, "employment.public_post_days", on))
    dibao = dibao_households(on)
    offered = set(
        Offer.objects.filter(kind=Offer.PUBLIC_POST)
        .filter(Q(answer=Offer.PENDING) | Q(answer=Offer.ACCEPTED))
        .values_list("registration__person__household_id", flat=True)
    )
    first: dict[int, Registration] = {}
    for r in registrations_for(actor):
        hid = r.person.household_id
        if hid in dibao and hid not in offered and hid not in first:
            first[hid] = r
    out = []
    for hid, r in first.items():
        if not zero_employment(hid, on):
            continue
        due = r.registered_on + timedelta(days=days)
        out.append({"registration": r, "household": r.person.household, "due_on": due, "overdue": due < on})
    return out
