"""The data-frame form of households for the batch path (``jiuzhu.policy.batch``): four polars
frames joined by ``hh_id``. Money is ``Int64`` cents and floor areas ``Int64`` hundredths of
a m², so the batch computes in exact integers; categorical fields are the same strings as in
``facts``. ``from_facts`` and ``to_facts`` convert both ways. Pure: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl

from .facts import (
    Assets,
    DibaoStatus,
    DisasterFacts,
    House,
    HouseholdFacts,
    Income,
    MemberFacts,
    RigidExpenditure,
    TemporaryNeed,
    Vehicle,
)

HOUSEHOLD_SCHEMA = {
    "hh_id": pl.Int64,
    "area": pl.Utf8,  # urban | rural
    "financial": pl.Int64,  # cents
    "business_capital": pl.Int64,
    "current_floor_area": pl.Int64,  # 0.01 m²; null when unknown
    "dwelling_unsafe": pl.Boolean,
    "homeless": pl.Boolean,
    "dibao_receiving": pl.Boolean,
    "dibao_amount": pl.Int64,  # null when unknown
    "income_rose_on": pl.Date,
    "rose_through_employment": pl.Boolean,
    "temp_kind": pl.Utf8,  # null | emergency | expenditure
    "temp_cause": pl.Utf8,
    "temp_amount": pl.Int64,
    "temp_last_on": pl.Date,
    "disaster": pl.Boolean,  # disaster facts given
    "disaster_persons": pl.Int64,
    "disaster_days": pl.Int64,
    "house_destroyed": pl.Boolean,
    "winter_hardship": pl.Boolean,
    "rigid_medical": pl.Int64,
    "rigid_education": pl.Int64,
    "rigid_rehabilitation": pl.Int64,
}
PERSON_SCHEMA = {
    "hh_id": pl.Int64,
    "relation": pl.Utf8,
    "birth_date": pl.Date,  # null: use age
    "age": pl.Int64,
    "gender": pl.Utf8,  # M | F | null
    "labour_capacity": pl.Utf8,
    "disability_kind": pl.Utf8,  # "" for none
    "disability_grade": pl.Int64,  # null for none
    "serious_illness": pl.Boolean,
    "self_care": pl.Utf8,
    "self_care_items_failed": pl.Int64,  # null: use self_care
    "school_stage": pl.Utf8,
    "university_entrant": pl.Boolean,
    "employed": pl.Boolean,
    "wages": pl.Int64,
    "business": pl.Int64,
    "property": pl.Int64,
    "transfer": pl.Int64,
    "pension_basic": pl.Int64,
    "excluded": pl.Int64,
    "has_capable_supporter": pl.Boolean,
    "supporter_unable": pl.Utf8,
    "not_counted": pl.Utf8,  # null when counted
    "work_refusals": pl.Int64,
    "tekun_mode": pl.Utf8,
    "in_tekun_support": pl.Boolean,
    "orphan_support": pl.Boolean,
    "out_of_pocket": pl.Int64,
    "medical_paid_this_year": pl.Int64,
    "emergency_unpaid": pl.Boolean,
}
VEHICLE_SCHEMA = {"hh_id": pl.Int64, "value": pl.Int64, "purpose": pl.Utf8}
HOUSE_SCHEMA = {"hh_id": pl.Int64, "floor_area": pl.Int64}


@dataclass
class Frames:
    households: pl.DataFrame
    persons: pl.DataFrame
    vehicles: pl.DataFrame
    houses: pl.DataFrame

    def __len__(self) -> int:
        return self.households.height


def cents(value) -> int | None:
    return None if value is None else int(Decimal(value) * 100)


def from_facts(households: list[HouseholdFacts], ids: list[int] | None = None) -> Frames:
    """Frames for a list of facts (``hh_id`` = position unless ``ids`` given)."""
    ids = list(range(len(households))) if ids is None else list(ids)
    hh: dict[str, list] = {k: [] for k in HOUSEHOLD_SCHEMA}
    ps: dict[str, list] = {k: [] for k in PERSON_SCHEMA}
    vs: dict[str, list] = {k: [] for k in VEHICLE_SCHEMA}
    hs: dict[str, list] = {k: [] for k in HOUSE_SCHEMA}
    for hid, f in zip(ids, households, strict=True):
        a, st, t, d, r = f.assets, f.dibao_status, f.temporary, f.disaster, f.rigid_expenditure
        row = {
            "hh_id": hid,
            "area": f.area,
            "financial": cents(a.financial),
            "business_capital": cents(a.business_capital),
            "current_floor_area": cents(a.current_floor_area),
            "dwelling_unsafe": f.dwelling_unsafe,
            "homeless": f.homeless,
            "dibao_receiving": st.receiving,
            "dibao_amount": cents(st.monthly_amount),
            "income_rose_on": st.income_rose_on,
            "rose_through_employment": st.rose_through_employment,
            "temp_kind": t.kind if t else None,
            "temp_cause": t.cause if t else None,
            "temp_amount": cents(t.amount) if t else 0,
            "temp_last_on": t.last_same_cause_on if t else None,
            "disaster": d is not None,
            "disaster_persons": d.persons if d else 0,
            "disaster_days": d.days if d else 0,
            "house_destroyed": bool(d and d.house_destroyed),
            "winter_hardship": bool(d and d.winter_hardship),
            "rigid_medical": cents(r.medical),
            "rigid_education": cents(r.education),
            "rigid_rehabilitation": cents(r.rehabilitation),
        }
        for k, v in row.items():
            hh[k].append(v)
        for m in f.members:
            inc = m.income
            prow = {
                "hh_id": hid,
                "relation": m.relation,
                "birth_date": m.birth_date,
                "age": m.age,
                "gender": m.gender,
                "labour_capacity": m.labour_capacity,
                "disability_kind": m.disability_kind,
                "disability_grade": m.disability_grade,
                "serious_illness": m.serious_illness,
                "self_care": m.self_care,
                "self_care_items_failed": m.self_care_items_failed,
                "school_stage": m.school_stage,
                "university_entrant": m.university_entrant,
                "employed": m.employed,
                "wages": cents(inc.wages),
                "business": cents(inc.business),
                "property": cents(inc.property),
                "transfer": cents(inc.transfer),
                "pension_basic": cents(inc.pension_basic),
                "excluded": cents(inc.excluded),
                "has_capable_supporter": m.has_capable_supporter,
                "supporter_unable": m.supporter_unable,
                "not_counted": m.not_counted,
                "work_refusals": m.work_refusals,
                "tekun_mode": m.tekun_mode,
                "in_tekun_support": m.in_tekun_support,
                "orphan_support": m.orphan_support,
                "out_of_pocket": cents(m.out_of_pocket),
                "medical_paid_this_year": cents(m.medical_paid_this_year),
                "emergency_unpaid": m.emergency_unpaid,
            }
            for k, v in prow.items():
                ps[k].append(v)
        for v in a.vehicles:
            vs["hh_id"].append(hid)
            vs["value"].append(cents(v.value))
            vs["purpose"].append(v.purpose)
        for h in a.houses:
            hs["hh_id"].append(hid)
            hs["floor_area"].append(cents(h.floor_area))
    return Frames(
        pl.DataFrame(hh, schema=HOUSEHOLD_SCHEMA),
        pl.DataFrame(ps, schema=PERSON_SCHEMA),
        pl.DataFrame(vs, schema=VEHICLE_SCHEMA),
        pl.DataFrame(hs, schema=HOUSE_SCHEMA),
    )


def _yuan(c) -> Decimal:
    return Decimal(int(c)) / 100


def to_facts(frames: Frames, hh_ids=None) -> dict[int, HouseholdFacts]:
    """Facts for the households ``hh_ids`` (default all) — the bench's per-household loop
    and the tests compare the two paths with it."""
    hh = frames.households
    ps, vs, hs = frames.persons, frames.vehicles, frames.houses
    if hh_ids is not None:
        keep = [int(i) for i in hh_ids]
        hh, ps = hh.filter(pl.col("hh_id").is_in(keep)), ps.filter(pl.col("hh_id").is_in(keep))
        vs, hs = vs.filter(pl.col("hh_id").is_in(keep)), hs.filter(pl.col("hh_id").is_in(keep))
    by_hh: dict[int, list] = {}
    for p in ps.iter_rows(named=True):
        by_hh.setdefault(p["hh_id"], []).append(p)
    cars: dict[int, list] = {}
    for v in vs.iter_rows(named=True):
        cars.setdefault(v["hh_id"], []).append(Vehicle(_yuan(v["value"]), v["purpose"]))
    homes: dict[int, list] = {}
    for h in hs.iter_rows(named=True):
        homes.setdefault(h["hh_id"], []).append(House(_yuan(h["floor_area"])))
    out = {}
    for r in hh.iter_rows(named=True):
        hid = r["hh_id"]
        members = tuple(_member(p) for p in by_hh.get(hid, []))
        area = r["current_floor_area"]
        out[hid] = HouseholdFacts(
            area=r["area"],
            members=members,
            assets=Assets(
                financial=_yuan(r["financial"]),
                vehicles=tuple(cars.get(hid, ())),
                houses=tuple(homes.get(hid, ())),
                business_capital=_yuan(r["business_capital"]),
                current_floor_area=None if area is None else _yuan(area),
            ),
            dibao_status=DibaoStatus(
                receiving=r["dibao_receiving"],
                monthly_amount=None if r["dibao_amount"] is None else _yuan(r["dibao_amount"]),
                income_rose_on=r["income_rose_on"],
                rose_through_employment=r["rose_through_employment"],
            ),
            temporary=None
            if r["temp_kind"] is None
            else TemporaryNeed(
                kind=r["temp_kind"],
                cause=r["temp_cause"] or "",
                amount=_yuan(r["temp_amount"]),
                last_same_cause_on=r["temp_last_on"],
            ),
            disaster=DisasterFacts(
                r["disaster_persons"], r["disaster_days"], r["house_destroyed"], r["winter_hardship"]
            )
            if r["disaster"]
            else None,
            rigid_expenditure=RigidExpenditure(
                _yuan(r["rigid_medical"]), _yuan(r["rigid_education"]), _yuan(r["rigid_rehabilitation"])
            ),
            dwelling_unsafe=r["dwelling_unsafe"],
            homeless=r["homeless"],
        )
    return out


def _member(p: dict) -> MemberFacts:
    birth: date | None = p["birth_date"]
    return MemberFacts(
        relation=p["relation"],
        birth_date=birth,
        age=None if birth is not None else p["age"],
        gender=p["gender"],
        labour_capacity=p["labour_capacity"],
        disability_kind=p["disability_kind"] or "",
        disability_grade=p["disability_grade"],
        serious_illness=p["serious_illness"],
        self_care=p["self_care"],
        self_care_items_failed=p["self_care_items_failed"],
        school_stage=p["school_stage"] or "",
        university_entrant=p["university_entrant"],
        employed=p["employed"],
        income=Income(
            _yuan(p["wages"]),
            _yuan(p["business"]),
            _yuan(p["property"]),
            _yuan(p["transfer"]),
            _yuan(p["pension_basic"]),
            _yuan(p["excluded"]),
        ),
        has_capable_supporter=p["has_capable_supporter"],
        supporter_unable=p["supporter_unable"],
        not_counted=p["not_counted"],
        work_refusals=p["work_refusals"],
        tekun_mode=p["tekun_mode"],
        in_tekun_support=p["in_tekun_support"],
        orphan_support=p["orphan_support"],
        out_of_pocket=_yuan(p["out_of_pocket"]),
        medical_paid_this_year=_yuan(p["medical_paid_this_year"]),
        emergency_unpaid=p["emergency_unpaid"],
    )
