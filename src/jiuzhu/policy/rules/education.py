"""Education assistance (教育救助), DOMAIN §3: per school year by stage for members of
dibao and extreme-poverty households; university entrants once. 社会救助暂行办法 第三十三条至
第三十六条. Pure: no Django import."""

from __future__ import annotations

from decimal import Decimal

from .base import MEASURES, Reason, yuan
from .registry import formula, make

STAGE_TEXT = {
    "preschool": "学前教育",
    "primary": "小学",
    "junior": "初中",
    "senior": "普通高中",
    "vocational": "中等职业教育",
    "university": "高等教育",
}


def _grants(hh, svc, stages: tuple[str, ...], *, entrants_only: bool = False, note: str = ""):
    p = hh.p
    reasons, total, who = [], Decimal(0), []
    for m in hh.counted:
        f = m.facts
        if f.school_stage not in stages or (entrants_only and not f.university_entrant):
            continue
        group = hh.groups[m.index]
        if group not in ("extreme_poverty", "dibao"):
            reasons.append(
                Reason(
                    "education.target",
                    f"{MEASURES} 第三十三条",
                    False,
                    f"{m.label}在读{STAGE_TEXT[f.school_stage]}，但不是低保家庭成员或特困人员",
                )
            )
            continue
        amount = p.education_grant[f.school_stage]
        total += amount
        who.append(m.index)
        reasons.append(
            Reason(
                "education.grant",
                f"{MEASURES} 第三十五条",
                True,
                f"{m.label}在读{STAGE_TEXT[f.school_stage]}，资助 {yuan(amount)}{note}",
            )
        )
    if not reasons:
        what = "大学新生" if entrants_only else "、".join(STAGE_TEXT[s] for s in stages) + "在读学生"
        reasons.append(Reason("education.target", f"{MEASURES} 第三十三条", False, f"家庭中没有{what}"))
    return make(svc, bool(who), total, reasons, who)


@formula("edu_preschool")
def edu_preschool(hh, svc):
    return _grants(hh, svc, ("preschool",), note="/学年")


@formula("edu_compulsory")
def edu_compulsory(hh, svc):
    return _grants(hh, svc, ("primary", "junior"), note="/学年")


@formula("edu_senior")
def edu_senior(hh, svc):
    return _grants(hh, svc, ("senior", "vocational"), note="/学年，并免除学费")


@formula("edu_university")
def edu_university(hh, svc):
    return _grants(hh, svc, ("university",), entrants_only=True, note="（新生入学一次性）")
