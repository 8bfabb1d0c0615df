"""The registry read set-based into the rules' facts and the batch path's frames: one query
per table (values only, no model instances). ``registry_facts`` is the one reader of a
household's facts for the rules — decisions, screening, the window's pre-check, grant control
and monitoring all take it: living members, incomes overlapping the 12 months before the date,
recorded assets, the members already in extreme-poverty support, and the programme facts in
force (``registry.programme_read``: disaster, temporary need with the last aid for its cause,
medical costs, support mode, orphan choice, self-care assessment, rigid spending, dwelling,
university admission) with the facts the programme areas hand in
(``registry.programme_facts``: the employment unit's refusals in a row and employment found)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from jiuzhu.policy.facts import (
    _INCOME_KINDS,
    GENDERS,
    RELATIONS,
    VEHICLE_PURPOSES,
    Assets,
    House,
    HouseholdFacts,
    Income,
    MemberFacts,
    Vehicle,
)
from jiuzhu.policy.frames import Frames, from_facts
from jiuzhu.registry import programme_read
from jiuzhu.registry.models import Asset, Household, IncomeItem, Person

from .models import Entitlement

ITEMS = ("wages", "business", "property", "transfer", "pension_basic", "excluded")


def in_tekun_support(on: date, *, household_ids) -> set[int]:
    """Ids of the persons of ``household_ids`` covered by an extreme-poverty entitlement
    running in the month of ``on`` (the rules keep a minor in support to 18, DOMAIN §3)."""
    month = on.replace(day=1)
    return set(
        Entitlement.objects.filter(
            household_id__in=list(household_ids), category="extreme_poverty", start_month__lte=month
        )
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=month))
        .values_list("members__id", flat=True)
    ) - {None}


# Households read per round: their ids, their members' ids (at most six each) and the facts'
# look-ups go into ``IN (...)`` lists, which SQLite and PostgreSQL cap at 32,766 and 65,535
# parameters; the whole city (monitoring, the demo) is read in rounds of this size.
ROUND = 5_000


def registry_facts(on: date, household_ids=None) -> tuple[dict[int, HouseholdFacts], dict[int, list[int]]]:
    """``({household id: facts}, {household id: living member ids in facts order})`` for
    ``household_ids`` (every household when ``None``), in rounds of ``ROUND`` households."""
    if household_ids is None:
        household_ids = Household.objects.order_by("pk").values_list("pk", flat=True)
    ids = list(household_ids)
    facts: dict[int, HouseholdFacts] = {}
    members: dict[int, list[int]] = {}
    for start in range(0, len(ids), ROUND):
        f, m = _registry_facts(on, ids[start : start + ROUND])
        facts.update(f)
        members.update(m)
    return facts, members


def _registry_facts(
    on: date, household_ids: list[int]
) -> tuple[dict[int, HouseholdFacts], dict[int, list[int]]]:
    hh = Household.objects.filter(pk__in=household_ids)
    households = dict(hh.values_list("id", "area"))
    dwelling = dict(hh.values_list("id", "dwelling_area"))
    persons = list(
        Person.objects.filter(household_id__in=households.keys(), birth_date__lte=on)
        .exclude(deceased_on__lte=on)
        .order_by("household_id", "id")
        .values_list(
            "id",
            "household_id",
            "relation",
            "birth_date",
            "gender",
            "labour_capacity",
            "disability_kind",
            "disability_grade",
            "serious_illness",
            "self_care",
            "school_stage",
            "employment_status",
            "has_capable_supporter",
        )
    )
    since = on - timedelta(days=365)
    income: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(ITEMS, Decimal(0)))
    for pid, kind, amount in IncomeItem.objects.filter(
        person__household_id__in=households.keys(), period_end__gte=since, period_start__lte=on
    ).values_list("person_id", "kind", "monthly_amount"):
        income[pid][_INCOME_KINDS.get(kind, "transfer")] += Decimal(amount)
    assets: dict[int, dict] = defaultdict(
        lambda: {"financial": Decimal(0), "business": Decimal(0), "v": [], "h": []}
    )
    for hid, kind, value, area, purpose in Asset.objects.filter(
        household_id__in=households.keys()
    ).values_list("household_id", "kind", "value", "floor_area", "vehicle_purpose"):
        a = assets[hid]
        if kind == "financial":
            a["financial"] += Decimal(value)
        elif kind == "vehicle":
            a["v"].append(
                Vehicle(value=Decimal(value), purpose=purpose if purpose in VEHICLE_PURPOSES else "other")
            )
        elif kind == "house":
            a["h"].append(House(floor_area=Decimal(area or 0)))
        elif kind == "business":
            a["business"] = max(a["business"], Decimal(value))
    in_support = in_tekun_support(on, household_ids=households.keys())
    extra_hh, extra_member = programme_read.current(on, households.keys(), [p[0] for p in persons])
    members: dict[int, list[MemberFacts]] = defaultdict(list)
    ids: dict[int, list[int]] = defaultdict(list)
    for pid, hid, rel, birth, gender, labour, dkind, dgrade, ill, care, school, emp, supporter in persons:
        grade = dgrade if dkind and dgrade in (1, 2, 3, 4) else None
        members[hid].append(
            MemberFacts(
                relation=rel if rel in RELATIONS else "other",
                birth_date=birth,
                gender=gender if gender in GENDERS else None,
                labour_capacity=labour,
                disability_kind=dkind if grade else "",
                disability_grade=grade,
                serious_illness=bool(ill),
                self_care=care,
                school_stage=school or "",
                employed=emp in ("employed", "flexible")
                or bool(extra_member.get(pid, {}).pop("employed", False)),
                income=Income(**(income.get(pid) or dict.fromkeys(ITEMS, Decimal(0)))),
                has_capable_supporter=bool(supporter),
                in_tekun_support=pid in in_support,
                **extra_member.get(pid, {}),
            )
        )
        ids[hid].append(pid)
    out = {}
    for hid, hh_area in households.items():
        if not members.get(hid):
            continue
        a = assets.get(hid) or {"financial": Decimal(0), "business": Decimal(0), "v": [], "h": []}
        d = dwelling.get(hid)
        extra = _with_last_same_cause(hid, extra_hh.get(hid, {}), on)
        out[hid] = HouseholdFacts(
            area=hh_area,
            members=tuple(members[hid]),
            assets=Assets(
                financial=a["financial"],
                vehicles=tuple(a["v"]),
                houses=tuple(a["h"]),
                business_capital=a["business"],
                current_floor_area=None if d is None else Decimal(d),
            ),
            **extra,
        )
    return out, dict(ids)


def _with_last_same_cause(hid: int, extra: dict, on: date) -> dict:
    """A temporary need on file carries the last aid for the same cause (once in 12 months)."""
    need = extra.get("temporary")
    if need is None:
        return extra
    from .grants import last_same_cause

    last = last_same_cause(household=hid, cause=need.cause, on=on)
    return {**extra, "temporary": replace(need, last_same_cause_on=last)}


def household_facts(household, on: date) -> HouseholdFacts | None:
    """One household's facts on ``on`` (``registry_facts`` for it alone); ``None`` when no
    member is alive and born by then."""
    pk = getattr(household, "pk", household)
    return registry_facts(on, [pk])[0].get(pk)


def registry_frames(on: date, household_ids=None) -> tuple[Frames, dict[int, list[int]]]:
    facts, ids = registry_facts(on, household_ids)
    keys = sorted(facts)
    return from_facts([facts[k] for k in keys], ids=keys), ids
