"""Medical assistance (医疗救助), DOMAIN §3: out-of-pocket in-policy costs reimbursed by group
within the annual cap; premiums subsidised; emergency aid and treatment before payment.
社会救助暂行办法 第二十八条至第三十二条. Pure: no Django import."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .base import MEASURES, Reason, half_up, pct, yuan
from .registry import formula, make

GROUP_TEXT = {
    "extreme_poverty": "特困人员",
    "dibao": "低保对象",
    "low_income_marginal": "低保边缘家庭成员",
    "rigid_expenditure": "刚性支出困难家庭成员",
}
TARGETS = f"{MEASURES} 第二十八条"


@dataclass(frozen=True)
class Share:
    """One stay's (or one claim's) out-of-pocket split: what assistance pays, what the person
    keeps paying, and why."""

    assistance: Decimal
    own: Decimal
    due: Decimal  # before the cap: (out-of-pocket − deductible left) × rate
    reason: Reason


def assistance_share(
    *, out_of_pocket, group: str, p, paid_this_year=Decimal(0), deductible_left=None, label: str = ""
) -> Share:
    """The medical assistance share of ``out_of_pocket`` (in-policy costs left after basic and
    critical-illness insurance), declared once for the household path (``medical_expense``) and
    the settlement files (``jiuzhu.medical.settlement``): the out-of-pocket above the year's
    deductible still to be met (``deductible_left``; the group's full deductible when not
    given) × the group's rate, within the yearly cap per person counted on the assistance
    already paid this year. Rounded half-up to the fen. ``group`` is ``extreme_poverty``,
    ``dibao`` or ``low_income_marginal`` (``KeyError`` for another: not a target)."""
    oop = Decimal(out_of_pocket)
    rate = p.medical_rate[group]
    left = p.medical_deductible[group] if deductible_left is None else Decimal(deductible_left)
    left = max(Decimal(0), min(left, oop))
    due = half_up((oop - left) * rate)
    room = max(Decimal(0), p.medical_cap - Decimal(paid_this_year))
    pay = min(due, room)
    text = f"{label}（{GROUP_TEXT[group]}）政策范围内自付 {yuan(oop)}"
    text += f" − 起付 {yuan(left)}" if left else ""
    text += f" × {pct(rate)} = {yuan(due)}"
    if pay < due:
        text += f"，年度限额 {yuan(p.medical_cap)} 已用 {yuan(paid_this_year)}，可救助 {yuan(pay)}"
    return Share(
        pay, half_up(oop - pay), due, Reason("medical.expense", f"{MEASURES} 第二十九条", pay > 0, text)
    )


def _not_target(m) -> Reason:
    return Reason(
        "medical.target",
        TARGETS,
        False,
        f"{m.label}不属于医疗救助对象（特困人员、低保对象、低保边缘家庭成员）",
    )


@formula("medical_expense")
def medical_expense(hh, svc):
    p = hh.p
    reasons, total, who = [], Decimal(0), []
    for m in hh.counted:
        oop = m.facts.out_of_pocket
        if oop <= 0:
            continue
        group = hh.groups[m.index]
        if group not in p.medical_rate:
            reasons.append(_not_target(m))
            continue
        # the household path knows only what was paid this year: a deductible is met once
        share = assistance_share(
            out_of_pocket=oop,
            group=group,
            p=p,
            paid_this_year=m.facts.medical_paid_this_year,
            deductible_left=0 if m.facts.medical_paid_this_year > 0 else None,
            label=m.label,
        )
        pay = share.assistance
        reasons.append(share.reason)
        if pay > 0:
            total += pay
            who.append(m.index)
    if not reasons:
        reasons.append(
            Reason(
                "medical.expense",
                f"{MEASURES} 第二十九条",
                False,
                "未申报经基本医保、大病保险支付后的自付费用",
            )
        )
    return make(svc, total > 0, total, reasons, who)


@formula("medical_premium")
def medical_premium(hh, svc):
    p = hh.p
    reasons, total, who = [], Decimal(0), []
    for m in hh.counted:
        group = hh.groups[m.index]
        if group not in p.premium_rate:
            continue
        rate = p.premium_rate[group]
        pay = half_up(p.premium * rate)
        total += pay
        who.append(m.index)
        reasons.append(
            Reason(
                "medical.premium",
                f"{MEASURES} 第二十九条",
                True,
                f"{m.label}（{GROUP_TEXT[group]}）个人缴费 {yuan(p.premium)} × {pct(rate)} = {yuan(pay)}/年",
            )
        )
    if not who:
        reasons.append(
            Reason("medical.premium", f"{MEASURES} 第二十九条", False, "家庭中没有特困人员或低保对象")
        )
    return make(svc, bool(who), total, reasons, who)


@formula("medical_emergency")
def medical_emergency(hh, svc):
    who = [m.index for m in hh.counted if m.facts.emergency_unpaid]
    text = (
        ("、".join(hh.members[i].label for i in who) + "需要急救但身份不明或无力支付急救费用")
        if who
        else "没有身份不明或无力支付急救费用的急重危伤病患者"
    )
    return make(
        svc, bool(who), None, [Reason("medical.emergency", f"{MEASURES} 第三十二条", bool(who), text)], who
    )


@formula("medical_first_treatment")
def medical_first_treatment(hh, svc):
    who = [m.index for m in hh.counted if hh.groups[m.index] in ("extreme_poverty", "dibao")]
    text = (
        f"{len(who)} 名特困人员或低保对象住院可先诊疗后付费、免交押金"
        if who
        else "家庭中没有特困人员或低保对象"
    )
    return make(
        svc,
        bool(who),
        None,
        [Reason("medical.first_treatment", f"{MEASURES} 第三十一条", bool(who), text)],
        who,
    )
