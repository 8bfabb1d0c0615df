"""Dibao (最低生活保障): eligibility, amount with classified add-on, employment duty, gradual
exit, single-person coverage; and the low-income recognitions (low-income marginal,
rigid-expenditure hardship). DOMAIN §3. Pure: no Django import."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from . import criteria as cr
from .base import DIBAO_RULES, MEASURES, RIGID_RULES, Reason, months_between, num, pct, up, yuan
from .means import per_capita
from .registry import formula, make

AREA_TEXT = {"urban": "城市", "rural": "农村"}
INCOME_BASIS = f"{MEASURES} 第九条"
MARGINAL_BASIS = f"{DIBAO_RULES} 第八条第二款"


@dataclass
class DibaoCheck:
    eligible: bool
    mode: str | None = None  # "normal" | "gradual_exit"
    amount: Decimal | None = None
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class SingleCheck:
    eligible: bool
    covered: dict[int, Decimal] = field(default_factory=dict)  # member index -> amount
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class StatusCheck:
    eligible: bool
    reasons: list[Reason] = field(default_factory=list)


def _income_line(hh, multiple: Decimal | None = None) -> tuple[bool, str]:
    """Per-capita income of the dibao unit strictly below ``multiple`` × standard."""
    n, total, standard = len(hh.dibao_unit), hh.unit_income, hh.standard
    if multiple is None:
        line, what = standard, f"低保标准 {yuan(standard)}（{AREA_TEXT[hh.facts.area]}）"
    else:
        line = standard * multiple
        what = f"{num(multiple)} × 低保标准 {yuan(standard)} = {yuan(line)}"
    ok = total < line * n
    return (
        ok,
        f"家庭人均月收入 {yuan(per_capita(total, n))}（{n} 人合计 {yuan(total)}）{'<' if ok else '≥'} {what}",
    )


def _tekun_exclusion(hh) -> list[Reason]:
    if not hh.tekun_members:
        return []
    names = "、".join(m.label for m in hh.tekun_members)
    return [
        Reason(
            "dibao.exclusive_tekun",
            f"{MEASURES} 第十五条",
            bool(hh.dibao_unit),
            f"{names}符合特困人员救助供养条件，不再享受低保份额，不计入低保家庭人口和收入",
        )
    ]


def _amount(hh) -> tuple[Decimal, list[Reason]]:
    """Gap × (members − refusers)/members + classified add-on, rounded up to whole yuan."""
    p, standard, unit = hh.p, hh.standard, hh.dibao_unit
    n = len(unit)
    gap = max(Decimal(0), standard * n - hh.unit_income)
    reasons = []
    refusers = []
    for m in unit:
        r = m.facts.work_refusals
        if r <= 0 or not hh.able_to_work(m):
            continue
        if r >= p.refusals_limit:
            refusers.append(m)
            reasons.append(
                Reason(
                    "dibao.employment_duty",
                    f"{MEASURES} 第四十五条",
                    False,
                    f"{m.label}有劳动能力，无正当理由连续 {r} 次拒绝介绍的工作（≥ {p.refusals_limit} 次），停发本人份额",
                )
            )
        else:
            reasons.append(
                Reason(
                    "dibao.employment_duty",
                    f"{MEASURES} 第四十五条",
                    True,
                    f"{m.label}拒绝介绍的工作 {r} 次，未达 {p.refusals_limit} 次，不影响",
                )
            )
    out = {m.index for m in refusers}
    addon = [
        m
        for m in unit
        if m.index not in out and (m.age >= p.addon_age or m.severe_disability or m.facts.serious_illness)
    ]
    k, a = len(refusers), len(addon)
    amount = Decimal(int(cr.dibao_amount(p, cr.cents(standard), n, cr.cents(hh.unit_income), k, a))).scaleb(
        -2
    )
    parts = [f"差额 {yuan(gap)}（低保标准 {yuan(standard)} × {n} 人 − 家庭月收入 {yuan(hh.unit_income)}）"]
    if k:
        parts.append(f"停发 {k} 人份额 {yuan(gap * k / n)}")
    if a:
        parts.append(
            f"分类施保 {a} 人 × {pct(p.addon_rate)} × {yuan(standard)} = {yuan(p.addon_rate * standard * a)}"
            f"（年满 {p.addon_age} 周岁、1–2 级残疾或重特大疾病）"
        )
    parts.append(f"合计向上取整到元 {yuan(amount)}/月")
    basis = f"{DIBAO_RULES} 第二十七条" if a else f"{MEASURES} 第十二条"
    reasons.append(Reason("dibao.amount", basis, True, "；".join(parts)))
    return amount, reasons


def _gradual_exit(hh, income_ok: bool) -> tuple[bool, list[Reason]]:
    st, p = hh.facts.dibao_status, hh.p
    if not st.receiving or income_ok or not hh.assets_ok:
        return False, []
    basis = f"{DIBAO_RULES} 第三十三条"
    if not st.rose_through_employment or st.income_rose_on is None or st.income_rose_on > hh.as_of:
        return False, [Reason("dibao.gradual_exit", basis, False, "收入增加并非因就业，不适用渐退")]
    below, text = _income_line(hh, p.exit_multiple)
    if not below:
        return False, [Reason("dibao.gradual_exit", basis, False, f"{text}，不适用渐退，停发")]
    elapsed = months_between(st.income_rose_on, hh.as_of)
    ok = elapsed < p.exit_months
    detail = f"因就业收入自 {st.income_rose_on} 起达到低保标准，{text}；渐退期 {p.exit_months} 个月，" + (
        f"现为第 {elapsed + 1} 个月，继续发放" if ok else f"已满 {elapsed} 个月，停发"
    )
    return ok, [Reason("dibao.gradual_exit", basis, ok, detail)]


def dibao(hh) -> DibaoCheck:
    reasons = _tekun_exclusion(hh)
    if not hh.dibao_unit:
        return DibaoCheck(False, reasons=reasons)
    income_ok, text = _income_line(hh)
    reasons.append(Reason("dibao.income", INCOME_BASIS, income_ok, text))
    reasons.extend(hh.assets[1])
    if income_ok and hh.assets_ok:
        amount, more = _amount(hh)
        return DibaoCheck(True, "normal", amount, reasons + more + [_review(hh)])
    exiting, more = _gradual_exit(hh, income_ok)
    reasons.extend(more)
    if not exiting:
        return DibaoCheck(False, reasons=reasons)
    st = hh.facts.dibao_status
    if st.monthly_amount is not None:
        amount = st.monthly_amount
        reasons.append(
            Reason(
                "dibao.amount",
                f"{DIBAO_RULES} 第三十三条",
                True,
                f"渐退期内按原低保金 {yuan(amount)}/月 发放",
            )
        )
    else:
        amount, more = _amount(hh)
        reasons.extend(more)
    return DibaoCheck(True, "gradual_exit", amount, reasons + [_review(hh)])


def _irregular(hh) -> bool:
    return any(hh.able_to_work(m) for m in hh.dibao_unit)


def review_months(hh) -> int:
    """Months between reviews of this household's dibao: households with able members of
    working age every 6 months, the others yearly (demo values)."""
    return hh.p.review_months["irregular" if _irregular(hh) else "stable"]


def _review(hh) -> Reason:
    why = "家庭有劳动年龄内有劳动能力成员" if _irregular(hh) else "家庭收入状况相对稳定"
    return Reason(
        "dibao.review", f"{DIBAO_RULES} 第三十一条", True, f"复核周期 {review_months(hh)} 个月（{why}）"
    )


def single(hh) -> SingleCheck:
    basis = f"{DIBAO_RULES} 第八条"
    if hh.dibao.eligible:
        return SingleCheck(
            False,
            reasons=[
                Reason(
                    "dibao_single.household", basis, False, "全家已符合低保，重度残疾人、重病患者随家庭纳入"
                )
            ],
        )
    if not hh.dibao_unit:
        return SingleCheck(False, reasons=_tekun_exclusion(hh))
    ok, text = _income_line(hh, hh.p.single_multiple)
    reasons = _tekun_exclusion(hh) + [Reason("dibao_single.household", basis, ok, text + "（低保边缘家庭）")]
    reasons.extend(hh.assets[1])
    covered = {}
    for m in hh.dibao_unit:
        f = m.facts
        mental3 = f.disability_kind in ("intellectual", "mental") and f.disability_grade == 3
        if not (m.severe_disability or mental3 or f.serious_illness):
            continue
        why = "患重特大疾病" if f.serious_illness else f"残疾 {f.disability_grade} 级"
        own_ok = m.income < hh.standard
        if own_ok:
            covered[m.index] = up(hh.standard - m.income)
        reasons.append(
            Reason(
                "dibao_single.member",
                basis,
                own_ok,
                f"{m.label}{why}，本人月收入 {yuan(m.income)} {'<' if own_ok else '≥'} 低保标准；"
                + (
                    f"单独纳入，低保金 {yuan(covered[m.index])}/月（标准减本人收入，向上取整）"
                    if own_ok
                    else "不能单独纳入"
                ),
            )
        )
    if not covered and not any(r.rule == "dibao_single.member" for r in reasons):
        reasons.append(
            Reason(
                "dibao_single.member",
                basis,
                False,
                "家庭中没有 1–2 级残疾、3 级智力或精神残疾或重特大疾病患者",
            )
        )
    if not (ok and hh.assets_ok):
        covered = {}
    return SingleCheck(bool(covered), covered, reasons)


def marginal(hh) -> StatusCheck:
    if not hh.dibao_unit:
        return StatusCheck(False, _tekun_exclusion(hh))
    if hh.dibao.eligible:
        return StatusCheck(False, [Reason("low_income.marginal", MARGINAL_BASIS, False, "家庭已符合低保")])
    ok, text = _income_line(hh, hh.p.marginal_multiple)
    reasons = [
        Reason("low_income.marginal", MARGINAL_BASIS, True, "家庭不符合低保"),
        Reason("low_income.marginal_income", MARGINAL_BASIS, ok, text),
    ] + list(hh.assets[1])
    return StatusCheck(ok and hh.assets_ok, reasons)


def rigid(hh) -> StatusCheck:
    p = hh.p
    basis = f"{RIGID_RULES} 第四条"
    if not hh.dibao_unit:
        return StatusCheck(False, _tekun_exclusion(hh))
    if hh.dibao.eligible or hh.marginal.eligible:
        which = "低保" if hh.dibao.eligible else "低保边缘家庭"
        return StatusCheck(False, [Reason("low_income.rigid", basis, False, f"家庭已符合{which}")])
    n, total = len(hh.dibao_unit), hh.unit_income
    income_ok = total < p.disposable_income * n
    spend = hh.facts.rigid_expenditure
    line = p.rigid_ratio * total * 12
    spend_ok = spend.total > line
    reasons = [
        Reason(
            "low_income.rigid_income",
            basis,
            income_ok,
            f"家庭人均月收入 {yuan(per_capita(total, n))} {'<' if income_ok else '≥'} 上年度当地居民人均可支配收入 "
            f"{yuan(p.disposable_income)}/月",
        ),
        *hh.assets[1],
        Reason(
            "low_income.rigid_spending",
            f"{RIGID_RULES} 第五条",
            spend_ok,
            f"近12个月医疗、教育、康复刚性支出 {yuan(spend.total)} {'>' if spend_ok else '≤'} 家庭年收入 "
            f"{yuan(total * 12)} 的 {pct(p.rigid_ratio)}（{yuan(line)}）",
        ),
    ]
    ok = income_ok and hh.assets_ok and spend_ok
    if ok:
        reasons.append(
            Reason(
                "low_income.rigid_validity",
                f"{RIGID_RULES} 第十条",
                True,
                f"认定有效期 {p.rigid_validity} 个月",
            )
        )
    return StatusCheck(ok, reasons)


@formula("dibao")
def dibao_result(hh, svc):
    c = hh.dibao
    return make(
        svc,
        c.eligible,
        c.amount,
        list(hh.income_reasons) + c.reasons,
        [m.index for m in hh.dibao_unit] if c.eligible else [],
    )


@formula("dibao_single")
def dibao_single_result(hh, svc):
    c = hh.single
    return make(
        svc,
        c.eligible,
        sum(c.covered.values(), Decimal(0)),
        list(hh.income_reasons) + c.reasons,
        sorted(c.covered),
    )


@formula("marginal")
def marginal_result(hh, svc):
    c = hh.marginal
    return make(
        svc,
        c.eligible,
        None,
        list(hh.income_reasons) + c.reasons,
        [m.index for m in hh.dibao_unit] if c.eligible else [],
    )


@formula("rigid_expenditure")
def rigid_result(hh, svc):
    c = hh.rigid
    return make(
        svc,
        c.eligible,
        None,
        list(hh.income_reasons) + c.reasons,
        [m.index for m in hh.dibao_unit] if c.eligible else [],
    )
