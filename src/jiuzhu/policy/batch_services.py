"""The service formulas of ``batch`` (one per formula id of ``rules``): each takes the batch's
arrays and returns ``(eligible, amount cents or None)`` per household. Mirrors the modules of
``rules`` line by line. Pure: no Django import."""

from __future__ import annotations

import numpy as np

from .batch import NEED, _c, _codes, _frac, _half_up_div, _months_between

AT_SCHOOL_WIDE = (2, 3, 4, 5, 6)  # primary … university
STAGES = ("preschool", "primary", "junior", "senior", "vocational", "university")


def _tekun(mode_institutional: bool):
    def run(b):
        chosen = b.tekun & (b.institutional == mode_institutional)
        return b.any(chosen), b.total(b.tekun_amount, chosen)

    return run


def _medical_expense(b):
    p = b.p
    t, d, m, _ = b.groups
    oop = b.col("out_of_pocket")
    paid = b.col("medical_paid_this_year")
    room = np.maximum(0, _c(p.medical_cap) - paid)
    pay = np.zeros_like(oop)
    for mask, group in ((t, "extreme_poverty"), (d, "dibao"), (m, "low_income_marginal")):
        rn, rd = _frac(p.medical_rate[group])
        # rules.medical.assistance_share: the deductible counts until assistance was paid this year
        left = np.where(paid > 0, 0, np.minimum(_c(p.medical_deductible[group]), oop))
        pay = np.where(mask, np.minimum(_half_up_div((oop - left) * rn, rd), room), pay)
    pay = np.where(b.counted & (oop > 0), pay, 0)
    total = b.total(pay)
    return total > 0, total


def _medical_premium(b):
    p = b.p
    t, d, _, _ = b.groups
    each = np.zeros(len(t), dtype=np.int64)
    for mask, group in ((t, "extreme_poverty"), (d, "dibao")):
        rn, rd = _frac(p.premium_rate[group])
        each = np.where(mask, _half_up_div(_c(p.premium) * rn, rd), each)
    return b.any(t | d), b.total(each, t | d)


def _education(stages: tuple[str, ...], entrants_only: bool = False):
    from .batch import SCHOOL

    codes = [SCHOOL[s] for s in stages]

    def run(b):
        t, d, _, _ = b.groups
        who = (t | d) & np.isin(b.school, codes)
        if entrants_only:
            who &= b.flag("university_entrant")
        grant = np.zeros(8, dtype=np.int64)
        for s in STAGES:
            grant[SCHOOL[s]] = _c(b.p.education_grant[s])
        return b.any(who), b.total(grant[b.school], who)

    return run


def _housing(b):
    """(target, area below the line, missing area as a numerator over 100·q, q); once per batch."""
    if "housing" not in b._cache:
        b._cache["housing"] = _housing_now(b)
    return b._cache["housing"]


def _housing_now(b):
    p = b.p
    residents = b.counted & ~(b.tekun & b.institutional)
    r = b.count(residents)
    dispersed = b.any(b.tekun & ~b.institutional)
    target = b.dibao[0] | dispersed
    area = b.h["current_floor_area"]
    known = area.is_not_null().to_numpy()
    a = area.fill_null(0).to_numpy().astype(np.int64)
    hn, hd = _frac(p.housing_area)
    short = known & (r > 0) & (a * hd < hn * 100 * r)
    return target, short, hn * 100 * r - a * hd, hd


def _rent_subsidy(b):
    target, short, missing, hd = _housing(b)
    ok = target & short
    return ok, _half_up_div(np.maximum(missing, 0) * _c(b.p.rent_per_m2), 100 * hd)


def _public_rental(b):
    target, short, _, _ = _housing(b)
    return target & short, None


def _rural_repair(b):
    target = _housing(b)[0] | b.marginal
    return target & ~b.urban & b.flag("dwelling_unsafe", "h"), None


def _unemployed_low_income(b):
    _, d, m, r = b.groups
    return b.any(b.able & ~b.flag("employed") & (d | m | r)), None


def _public_post(b):
    able = b.unit & b.able
    return b.dibao[0] & b.any(able) & ~b.any(able & b.flag("employed")), None


def _temporary(kind: str):
    def run(b):
        p, h = b.p, b.h
        need_kind = _codes(h["temp_kind"], NEED)
        amount = b.col("temp_amount", "h")
        months, valid = _months_between(h["temp_last_on"], b.as_of)
        blocked = valid & (months < p.same_cause_months)
        ok = (need_kind == NEED[kind]) & (amount > 0) & ~blocked
        if kind == "expenditure":
            ok &= (b.total_income < _c(p.disposable_income) * b.n) & b.assets_ok
        jn, jd = _frac(p.temp_multiple["joint"])
        cap = _half_up_div(b.S * jn, jd)
        return ok, np.minimum(amount, cap)

    return run


def _transitional(b):
    p = b.p
    persons, days = b.col("disaster_persons", "h"), b.col("disaster_days", "h")
    ok = b.flag("disaster", "h") & (persons > 0) & (days > 0)
    return ok, _c(p.disaster_daily) * persons * np.minimum(days, p.disaster_max_days)


def _hh_flag(*names):
    def run(b):
        ok = b.flag("disaster", "h") if names[0] != "homeless" else np.ones(b.H, dtype=bool)
        for n in names:
            ok = ok & b.flag(n, "h")
        return ok, None

    return run


def _social(member_mask, *, need_low_income: bool = True):
    def run(b):
        ok = b.any(b.counted & member_mask(b))
        return (ok & b.low_income) if need_low_income else ok, None

    return run


def _disabled_in_groups(b):
    t, d, m, _ = b.groups
    return (b.disability > 0) & (t | d | m)


FORMULAS = {
    "dibao": lambda b: b.dibao,
    "dibao_single": lambda b: (b.single[1], b.single[2]),
    "marginal": lambda b: (b.marginal, None),
    "rigid_expenditure": lambda b: (b.rigid, None),
    "tekun_dispersed": _tekun(False),
    "tekun_institutional": _tekun(True),
    "disaster_transitional": _transitional,
    "disaster_rebuild": _hh_flag("house_destroyed"),
    "disaster_winter": _hh_flag("winter_hardship"),
    "medical_premium": _medical_premium,
    "medical_expense": _medical_expense,
    "medical_emergency": lambda b: (b.any(b.counted & b.flag("emergency_unpaid")), None),
    "medical_first_treatment": lambda b: (b.any(b.groups[0] | b.groups[1]), None),
    "edu_preschool": _education(("preschool",)),
    "edu_compulsory": _education(("primary", "junior")),
    "edu_senior": _education(("senior", "vocational")),
    "edu_university": _education(("university",), entrants_only=True),
    "housing_rent_subsidy": _rent_subsidy,
    "housing_public_rental": _public_rental,
    "housing_rural_repair": _rural_repair,
    "employment_services": _unemployed_low_income,
    "employment_training": _unemployed_low_income,
    "employment_public_post": _public_post,
    "temporary_emergency": _temporary("emergency"),
    "temporary_expenditure": _temporary("expenditure"),
    "vagrant_aid": _hh_flag("homeless"),
    "disabled_living_allowance": _social(_disabled_in_groups, need_low_income=False),
    "disabled_rehab": _social(lambda b: b.disability > 0),
    "worker_hardship": _social(lambda b: b.flag("employed")),
    "women_children_aid": _social(lambda b: (b.age < 18) | (b.gender_f & b.flag("serious_illness"))),
    "youth_education_aid": _social(lambda b: np.isin(b.school, AT_SCHOOL_WIDE)),
    "charity_aid": lambda b: (b.low_income, None),
    "charity_medical": _social(lambda b: b.flag("serious_illness") & (b.col("out_of_pocket") > 0)),
}
