"""Education assistance (教育救助), DOMAIN §3: per school year by stage for members of
dibao and extreme-poverty households; university entrants once. 社会救助暂行办法 第三十三条至
第三十六条. Pure: no Django import."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .base import MEASURES, Reason, num, yuan
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


# service of the catalogue that pays each stage (the budget line a term's grant is booked on)
STAGE_SERVICE = {
    "preschool": "edu_preschool",
    "primary": "edu_compulsory",
    "junior": "edu_compulsory",
    "senior": "edu_senior",
    "vocational": "edu_senior",
    "university": "edu_university",
}


@dataclass(frozen=True)
class TermGrant:
    """One pupil's grant for one term: the amount, the service it is booked on, and whether it
    goes to the school or to the family."""

    amount: Decimal
    service_code: str
    to_school: bool
    reason: str


def term_grant(*, stage: str, p, entrant: bool = False) -> TermGrant | None:
    """The grant of one term for a pupil at ``stage`` (DOMAIN §7 教育): the school year's
    amount divided over its terms (``education.terms_per_year``), paid to the school or the
    family by stage (``education.paid_to_school``); a university student only as an entrant, the
    whole entrance grant once. ``None`` when nothing is due."""
    if stage == "university":
        if not entrant:
            return None
        amount, note = p.education_grant[stage].quantize(Decimal("0.01")), "大学新生入学一次性资助"
    else:
        terms = Decimal(p.education_terms)
        amount = (p.education_grant[stage] / terms).quantize(Decimal("0.01"))
        note = f"学年标准 {yuan(p.education_grant[stage])} ÷ {num(terms)} 个学期"
    to_school = bool(p.education_to_school[stage])
    where = "拨付学校" if to_school else "发给家庭"
    return TermGrant(
        amount, STAGE_SERVICE[stage], to_school, f"{STAGE_TEXT[stage]}：{note} = {yuan(amount)}，{where}"
    )
