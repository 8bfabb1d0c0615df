"""Extreme poverty support (特困人员救助供养), DOMAIN §3 and 特困人员认定办法: all three
conditions, basic living standard and care allowance. Pure: no Django import."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .. import facts
from . import criteria as cr
from .base import MEASURES, Reason, num, yuan
from .registry import formula, make

SELF_CARE_TEXT = {
    "full": "具备生活自理能力",
    "partial": "部分丧失生活自理能力",
    "none": "完全丧失生活自理能力",
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


def care_level(hh, m) -> str:
    """Self-care level of member ``m`` (``criteria.care_level``)."""
    return facts.SELF_CARE[int(cr.care_level(cr.One(hh, m)))]


def check(hh, m) -> TekunCheck:
    """The three conditions of ``criteria.TEKUN_CONDITIONS`` for member ``m``, with reasons,
    and his amount (``criteria.tekun_basic`` + ``criteria.tekun_care``)."""
    x = cr.One(hh, m)
    reasons = [c.explain(x) for c in cr.TEKUN_CONDITIONS]
    eligible = all(r.passed for r in reasons)
    if not bool(cr.TEKUN_ORPHAN_CHOICE(x)):
        reasons.append(cr.TEKUN_ORPHAN_CHOICE.explain(x))
        eligible = False
    out = TekunCheck(eligible, reasons, level=facts.SELF_CARE[int(cr.care_level(x))])
    if eligible:
        out.basic = Decimal(int(cr.tekun_basic(x))).scaleb(-2)
        out.care = Decimal(int(cr.tekun_care(x))).scaleb(-2)
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
