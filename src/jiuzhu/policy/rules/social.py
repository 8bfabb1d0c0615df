"""Social forces (社会力量参与), DOMAIN §2: programmes of the disabled persons' federation, the
trade union, the women's federation, the youth league and the charity federation. Each
pre-checks its target group among the low-income population; amounts are set by need by the
owning unit. 社会救助暂行办法 第五十二条. Pure: no Django import."""

from __future__ import annotations

from .base import MEASURES, Reason
from .registry import formula, make

BASIS = f"{MEASURES} 第五十二条"
AT_SCHOOL = ("primary", "junior", "senior", "vocational", "university")


def _low_income(hh) -> Reason:
    return Reason(
        "social.low_income",
        BASIS,
        hh.low_income,
        "属低收入人口（低保、特困、低保边缘或刚性支出困难家庭）" if hh.low_income else "不属于低收入人口",
    )


def _members(hh, svc, who, found: str, missing: str, *, need_low_income: bool = True):
    ok_li = hh.low_income or not need_low_income
    ok = ok_li and bool(who)
    reasons = [_low_income(hh)] if need_low_income else []
    reasons.append(
        Reason(
            f"social.{svc.formula}",
            BASIS,
            bool(who),
            ("、".join(m.label for m in who) + found) if who else missing,
        )
    )
    return make(svc, ok, None, reasons, [m.index for m in who] if ok else [])


@formula("disabled_living_allowance")
def disabled_living_allowance(hh, svc):
    who = [
        m
        for m in hh.counted
        if m.facts.disability_kind
        and hh.groups[m.index] in ("extreme_poverty", "dibao", "low_income_marginal")
    ]
    return _members(
        hh,
        svc,
        who,
        "持残疾人证，属低保、特困或低保边缘家庭成员",
        "家庭中没有属低保、特困或低保边缘家庭成员的残疾人",
        need_low_income=False,
    )


@formula("disabled_rehab")
def disabled_rehab(hh, svc):
    who = [m for m in hh.counted if m.facts.disability_kind]
    return _members(hh, svc, who, "持残疾人证，可申请康复救助", "家庭中没有残疾人")


@formula("worker_hardship")
def worker_hardship(hh, svc):
    who = [m for m in hh.counted if m.facts.employed]
    return _members(hh, svc, who, "为在职职工", "家庭中没有在职职工")


@formula("women_children_aid")
def women_children_aid(hh, svc):
    who = [m for m in hh.counted if m.age < 18 or (m.facts.gender == "F" and m.facts.serious_illness)]
    return _members(hh, svc, who, "为未成年人或患重病妇女", "家庭中没有未成年人或患重病妇女")


@formula("youth_education_aid")
def youth_education_aid(hh, svc):
    who = [m for m in hh.counted if m.facts.school_stage in AT_SCHOOL]
    return _members(hh, svc, who, "在读（小学至大学）", "家庭中没有在读学生")


@formula("charity_aid")
def charity_aid(hh, svc):
    return make(svc, hh.low_income, None, [_low_income(hh)])


@formula("charity_medical")
def charity_medical(hh, svc):
    who = [m for m in hh.counted if m.facts.serious_illness and m.facts.out_of_pocket > 0]
    return _members(hh, svc, who, "患重特大疾病且有自付医疗费用", "家庭中没有有自付医疗费用的重特大疾病患者")
