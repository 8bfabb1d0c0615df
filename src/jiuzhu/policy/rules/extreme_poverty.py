"""Extreme poverty support (特困人员救助供养), DOMAIN §3 and 特困人员认定办法: all three
conditions, basic living standard and care allowance. Pure: no Django import."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .base import MEASURES, TEKUN_RULES, Reason, num, up, yuan
from .registry import formula, make

AT_SCHOOL = ("primary", "junior", "senior", "vocational")  # compulsory and senior secondary
SUPPORTER_TEXT = {
    "tekun": "法定义务人本人为特困人员",
    "dibao_60": "法定义务人为60周岁以上的最低生活保障对象",
    "aged_70_low_income": "法定义务人年满70周岁且收入低于上年度人均可支配收入、财产符合低收入家庭规定",
    "severely_disabled_low_income": "法定义务人为重度残疾人且收入、财产符合低收入家庭规定",
    "imprisoned": "法定义务人在服刑且财产符合低收入家庭规定",
    "missing": "法定义务人被宣告失踪",
    "no_civil_capacity": "法定义务人无民事行为能力",
    "none_exists": "无法定赡养、抚养、扶养义务人",
}
SELF_CARE_TEXT = {
    "full": "具备生活自理能力",
    "partial": "部分丧失生活自理能力",
    "none": "完全丧失生活自理能力",
}
KIND_TEXT = {
    "visual": "视力",
    "hearing": "听力",
    "speech": "言语",
    "physical": "肢体",
    "intellectual": "智力",
    "mental": "精神",
    "multiple": "多重",
}


@dataclass
class TekunCheck:
    eligible: bool
    reasons: list[Reason] = field(default_factory=list)
    level: str = "full"
    basic: Decimal = Decimal(0)
    care: Decimal = Decimal(0)

    @property
    def amount(self) -> Decimal:
        return self.basic + self.care


def disability_qualifies(kind: str, grade: int | None) -> bool:
    """特困人员认定办法 第五条: intellectual/mental 1–3, physical 1–2, visual 1 (multiple
    disability is read as physical: grade 1–2 — demo choice)."""
    if not kind or grade is None:
        return False
    if kind in ("intellectual", "mental"):
        return grade <= 3
    if kind in ("physical", "multiple"):
        return grade <= 2
    return kind == "visual" and grade == 1


def no_labour_capacity(hh, m) -> tuple[bool, str]:
    p, f = hh.p, m.facts
    if m.age >= p.age_elderly:
        return True, f"{m.label}年满 {p.age_elderly} 周岁，无劳动能力"
    if m.age < p.age_minor:
        return True, f"{m.label}未满 {p.age_minor} 周岁，无劳动能力"
    if f.school_stage in AT_SCHOOL and m.age < p.age_minor_extended:
        return (
            True,
            f"{m.label}未满 {p.age_minor_extended} 周岁且在义务教育或高中阶段就读，保障至 {p.age_minor_extended} 周岁",
        )
    if f.school_stage in AT_SCHOOL and f.in_tekun_support:
        return (
            True,
            f"{m.label}已在特困供养，年满 {p.age_minor_extended} 周岁后仍在义务教育或高中阶段就读，继续供养",
        )
    if disability_qualifies(f.disability_kind, f.disability_grade):
        return True, f"{m.label}{KIND_TEXT[f.disability_kind]}残疾 {f.disability_grade} 级，无劳动能力"
    dis = f"{KIND_TEXT[f.disability_kind]}残疾 {f.disability_grade} 级" if f.disability_kind else "无残疾"
    return False, (
        f"{m.label}{dis}，不属于无劳动能力（年满 {p.age_elderly} 周岁、未满 {p.age_minor} 周岁，"
        "或智力、精神残疾 1–3 级，肢体残疾 1–2 级，视力残疾 1 级）"
    )


def care_level(hh, m) -> str:
    """Self-care level: from the number of the 6 daily-living items failed when assessed
    (0 → self-caring, 1–3 → partly, ≥ 4 → fully dependent), else as recorded."""
    failed = m.facts.self_care_items_failed
    if failed is None:
        return m.facts.self_care
    if failed >= hh.p.self_care_none_from:
        return "none"
    if failed >= hh.p.self_care_partial_from:
        return "partial"
    return "full"


def check(hh, m) -> TekunCheck:
    p, f, standard = hh.p, m.facts, hh.standard
    reasons = []
    ok1, text = no_labour_capacity(hh, m)
    reasons.append(Reason("tekun.no_labour_capacity", f"{TEKUN_RULES} 第五条", ok1, text))
    ok2 = m.income < standard and hh.assets_ok
    reasons.append(
        Reason(
            "tekun.no_means",
            f"{TEKUN_RULES} 第六条",
            ok2,
            f"{m.label}本人月收入 {yuan(m.income)} {'<' if m.income < standard else '≥'} 低保标准 {yuan(standard)}"
            f"{'' if hh.assets_ok else '；家庭财产不符合规定'}",
        )
    )
    ok3 = not f.has_capable_supporter
    text = (
        f"{m.label}：{SUPPORTER_TEXT.get(f.supporter_unable, '无法定义务人或法定义务人无履行义务能力')}"
        if ok3
        else f"{m.label}有具备赡养、抚养、扶养能力的法定义务人"
    )
    reasons.append(Reason("tekun.no_supporter", f"{TEKUN_RULES} 第八条", ok3, text))
    eligible = ok1 and ok2 and ok3
    if f.orphan_support:
        reasons.append(
            Reason(
                "tekun.orphan_choice",
                f"{TEKUN_RULES} 第九条",
                False,
                f"{m.label}已选择孤儿（事实无人抚养儿童）基本生活保障，不再认定为特困人员",
            )
        )
        eligible = False
    out = TekunCheck(eligible, reasons, level=care_level(hh, m))
    if eligible:
        out.basic = up(standard * p.tekun_multiple)
        out.care = p.care_allowance[out.level]
    return out


def _support(hh, svc, mode: str):
    other = {"dispersed": "集中供养", "institutional": "分散供养"}[mode]
    reasons = list(hh.income_reasons) + list(hh.assets[1])
    chosen, total = [], Decimal(0)
    for m in hh.counted:
        c = hh.tekun[m.index]
        # a member who is able to work: one reason says why, the others would be noise
        reasons.extend(c.reasons if c.reasons[0].passed else c.reasons[:1])
        if not c.eligible:
            continue
        if m.facts.tekun_mode != mode:
            reasons.append(
                Reason(
                    "tekun.mode", f"{MEASURES} 第十九条", False, f"{m.label}符合特困供养条件，本人选择{other}"
                )
            )
            continue
        chosen.append(m.index)
        total += c.amount
        reasons.append(
            Reason(
                "tekun.amount",
                f"{MEASURES} 第十五条",
                True,
                f"{m.label}基本生活费 {yuan(c.basic)}（{num(hh.p.tekun_multiple)} × 低保标准 {yuan(hh.standard)}，向上取整到元）"
                f" + 照料护理补贴 {yuan(c.care)}（{SELF_CARE_TEXT[c.level]}）= {yuan(c.amount)}/月",
            )
        )
    return make(svc, bool(chosen), total, reasons, chosen)


@formula("tekun_dispersed")
def tekun_dispersed(hh, svc):
    return _support(hh, svc, "dispersed")


@formula("tekun_institutional")
def tekun_institutional(hh, svc):
    return _support(hh, svc, "institutional")
