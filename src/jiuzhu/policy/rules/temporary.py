"""Temporary assistance (临时救助), DOMAIN §3: emergency or expenditure need; amount up to 3 /
6 / 12 × the standard by approval level, small emergency aid paid first, the same cause at
most once in 12 months; and aid to people living on the street. 社会救助暂行办法 第四十七条至
第五十一条. Pure: no Django import."""

from __future__ import annotations

from decimal import Decimal

from ..facts import TEMPORARY_CAUSES
from .base import MEASURES, Reason, half_up, months_between, num, yuan
from .means import per_capita
from .registry import formula, make

LEVEL_TEXT = {"town": "镇街审批", "county": "县级民政部门审批", "joint": "联席会议“一事一议”"}
KIND_TEXT = {"emergency": "急难型", "expenditure": "支出型"}
CAUSE_TEXT = dict(TEMPORARY_CAUSES)


def _once_a_year(hh, need) -> Reason | None:
    if need.last_same_cause_on is None:
        return None
    p = hh.p
    elapsed = months_between(need.last_same_cause_on, hh.as_of)
    ok = elapsed >= p.same_cause_months
    return Reason(
        "temporary.same_cause",
        f"{MEASURES} 第四十九条",
        ok,
        f"同一原因上次救助于 {need.last_same_cause_on}，距今 {max(elapsed, 0)} 个月"
        f"{'≥' if ok else '<'} {p.same_cause_months} 个月",
    )


def _amount(hh, need) -> tuple[Decimal, list[Reason]]:
    p, standard = hh.p, hh.standard
    cap = half_up(p.temp_multiple["joint"] * standard)
    amount = min(need.amount, cap)
    level = next(lv for lv in ("town", "county", "joint") if amount <= p.temp_multiple[lv] * standard)
    text = (
        f"需救助 {yuan(need.amount)}，核定 {yuan(amount)}（上限 {num(p.temp_multiple['joint'])} × 低保标准 "
        f"{yuan(standard)} = {yuan(cap)}）；{LEVEL_TEXT[level]}（≤ {num(p.temp_multiple[level])} × 低保标准）"
    )
    if need.amount > cap:
        text += "；超出部分可转介慈善救助"
    reasons = [Reason("temporary.amount", f"{MEASURES} 第四十九条", True, text)]
    if need.kind == "emergency" and amount <= p.first_aid_limit:
        reasons.append(
            Reason(
                "temporary.first_aid",
                f"{MEASURES} 第四十八条",
                True,
                f"{yuan(amount)} ≤ {yuan(p.first_aid_limit)}，可先行救助，事后补齐手续",
            )
        )
    return amount, reasons


def _temporary(hh, svc, kind: str):
    need = hh.facts.temporary
    basis = f"{MEASURES} 第四十七条"
    if need is None or need.amount <= 0:
        return make(svc, False, None, [Reason("temporary.need", basis, False, "未申报临时困难及所需金额")])
    if need.kind != kind:
        return make(
            svc,
            False,
            None,
            [
                Reason(
                    "temporary.need",
                    basis,
                    False,
                    f"申报的是{KIND_TEXT[need.kind]}困难，不是{KIND_TEXT[kind]}",
                )
            ],
        )
    reasons = [
        Reason(
            "temporary.need",
            basis,
            True,
            f"{KIND_TEXT[kind]}困难{('（' + CAUSE_TEXT.get(need.cause, '其他') + '）') if need.cause else ''}",
        )
    ]
    ok = True
    once = _once_a_year(hh, need)
    if once is not None:
        reasons.append(once)
        ok = once.passed
    if kind == "expenditure":
        n, total, line = len(hh.counted), hh.total_income, hh.p.disposable_income
        income_ok = total < line * n
        reasons.append(
            Reason(
                "temporary.income",
                "关于进一步加强和改进临时救助工作的意见（民发〔2018〕23号）",
                income_ok,
                f"家庭人均月收入 {yuan(per_capita(total, n))} {'<' if income_ok else '≥'} 上年度当地居民人均"
                f"可支配收入 {yuan(line)}/月",
            )
        )
        reasons.extend(hh.assets[1])
        ok = ok and income_ok and hh.assets_ok
    amount = None
    if ok:
        amount, more = _amount(hh, need)
        reasons.extend(more)
    return make(svc, ok, amount, reasons)


@formula("temporary_emergency")
def emergency(hh, svc):
    return _temporary(hh, svc, "emergency")


@formula("temporary_expenditure")
def expenditure(hh, svc):
    return _temporary(hh, svc, "expenditure")


@formula("vagrant_aid")
def vagrant(hh, svc):
    ok = hh.facts.homeless
    text = (
        "生活无着的流浪、乞讨人员：提供临时食宿、急病救治、协助返回" if ok else "不是生活无着的流浪、乞讨人员"
    )
    return make(svc, ok, None, [Reason("temporary.vagrant", f"{MEASURES} 第五十条", ok, text)])
