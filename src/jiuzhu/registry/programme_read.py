"""The current programme facts of households on a date, in the rules' terms: what
``decisions.frames.registry_facts`` (the one registry facts reader) adds to the facts it builds
from the core record. One query; the latest row of each kind (per member for member facts) on
or before the date wins; medical costs and a university admission count only in their calendar
year. Job offers and their answers are the employment unit's (``jiuzhu.employment``), the
medical assistance paid this year the medical unit's (``jiuzhu.medical``: settled stays and
grants, counted as at least the figure typed at the window), handed in through
``registry.programme_facts``."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from jiuzhu.policy.facts import (
    AT_LEAST_FACTS,
    PROGRAMME_FACTS,
    DisasterFacts,
    RigidExpenditure,
    TemporaryNeed,
)

from . import programme_facts
from .models import ProgrammeFact
from .programme import SELF_CARE_ITEMS


def _household(kind: str, d: dict) -> dict:
    if kind == "disaster":
        return {
            "disaster": DisasterFacts(
                persons=d.get("persons_displaced", 0),
                days=d.get("displaced_days", 0) if d.get("persons_displaced") else 0,
                house_destroyed=d.get("house_damage") in ("destroyed", "severe"),
                winter_hardship=bool(d.get("winter_hardship")),
            )
        }
    if kind == "temporary_need":
        return {
            "temporary": TemporaryNeed(kind=d["need_kind"], cause=d["cause"], amount=Decimal(d["amount"]))
        }
    if kind == "rigid_spending":
        return {
            "rigid_expenditure": RigidExpenditure(
                medical=Decimal(d["medical"]),
                education=Decimal(d["education"]),
                rehabilitation=Decimal(d["rehabilitation"]),
            )
        }
    if kind == "dwelling":
        return {"dwelling_unsafe": bool(d.get("dwelling_unsafe")), "homeless": bool(d.get("homeless"))}
    return {}


def _member(kind: str, d: dict, effective_on: date, on: date) -> dict:
    if kind == "medical_costs":
        if effective_on.year != on.year:  # last year's costs and payments do not count
            return {}
        return {
            "out_of_pocket": Decimal(d["out_of_pocket"]),
            "medical_paid_this_year": Decimal(d["paid_this_year"]),
            "emergency_unpaid": bool(d.get("emergency_unpaid")),
        }
    if kind == "support_mode":
        return {"tekun_mode": d["mode"]}
    if kind == "orphan":
        return {"orphan_support": bool(d.get("orphan_support"))}
    if kind == "university_admission":  # an entrant in the year of admission only
        return {"university_entrant": effective_on.year == on.year}
    if kind == "self_care":
        return {"self_care_items_failed": sum(1 for k, _ in SELF_CARE_ITEMS if d.get(k))}
    return {}


def current(on: date, household_ids, person_ids=()) -> tuple[dict[int, dict], dict[int, dict]]:
    """``({household id: HouseholdFacts fields}, {person id: MemberFacts fields})`` from the
    programme facts in force on ``on``: the registry's own rows, and for ``person_ids`` what
    the programme areas hand in (``programme_facts``: the employment unit's job offers)."""
    rows = (
        ProgrammeFact.objects.filter(household_id__in=list(household_ids), effective_on__lte=on)
        .order_by("effective_on", "id")
        .values_list("household_id", "person_id", "kind", "effective_on", "data")
    )
    latest: dict[tuple, tuple] = {}
    for hid, pid, kind, eff, data in rows:
        latest[(hid, pid, kind)] = (eff, data)
    households: dict[int, dict] = defaultdict(dict)
    members: dict[int, dict] = defaultdict(dict)
    for (hid, pid, kind), (eff, data) in latest.items():
        if pid is None:
            households[hid].update(_household(kind, data))
        else:
            members[pid].update(_member(kind, data, eff, on))
    for pid, kept in programme_facts.member_facts(person_ids, on).items():
        for k, v in kept.items():
            if k not in PROGRAMME_FACTS:
                continue
            if k in AT_LEAST_FACTS and k in members[pid]:  # a higher figure typed at the window wins
                v = max(v, members[pid][k])
            members[pid][k] = v
    return dict(households), dict(members)


def current_ids(household_id: int, on: date) -> set[int]:
    """Ids of the household's programme facts the rules read on ``on``."""
    latest: dict[tuple, int] = {}
    for pk, pid, kind in (
        ProgrammeFact.objects.filter(household_id=household_id, effective_on__lte=on)
        .order_by("effective_on", "id")
        .values_list("id", "person_id", "kind")
    ):
        latest[(pid, kind)] = pk
    return set(latest.values())
