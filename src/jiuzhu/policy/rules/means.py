"""Income on the rules' basis and the asset tests (DOMAIN §3, 最低生活保障审核确认办法
第十三条、第十四条). Shared by every means-tested service. Pure: no Django import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..facts import HouseholdFacts, MemberFacts
from .base import DIBAO_RULES, Params, Reason, half_up, num, pct, yuan

RELATION_NAMES = {
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "grandchild": "孙子女",
    "grandparent": "祖父母",
    "sibling": "兄弟姐妹",
    "other": "其他成员",
}
NOT_COUNTED_NAMES = {
    "prison": "服刑",
    "drug_rehab": "强制隔离戒毒",
    "missing": "宣告失踪",
    "clergy": "宗教教职人员离家3年以上",
}
INCOME_BASIS = f"{DIBAO_RULES} 第十三条"
ASSET_BASIS = f"{DIBAO_RULES} 第十四条"
HOUSEHOLD_BASIS = f"{DIBAO_RULES} 第七条"


@dataclass(frozen=True)
class Member:
    """A member as the rules see him on ``as_of``."""

    index: int
    facts: MemberFacts
    age: int
    label: str
    counted: bool  # a member of the household for the rules (最低生活保障审核确认办法 第七条)
    employment_cost: Decimal
    income: Decimal  # counted monthly income
    uncounted: Decimal  # monthly income the rules do not count

    @property
    def severe_disability(self) -> bool:
        """Grade 1–2 of any kind."""
        return bool(self.facts.disability_kind) and self.facts.disability_grade in (1, 2)


def employment_cost(m: MemberFacts, p: Params) -> Decimal:
    """Employment cost deducted from an employed member's wages: rate × wages, at most the cap
    (DOMAIN §3, demo 20% / ¥300), to the cent."""
    if not m.employed or m.income.wages <= 0:
        return Decimal("0.00")
    return min(half_up(m.income.wages * p.employment_cost_rate), p.employment_cost_cap)


def members(facts: HouseholdFacts, p: Params, as_of: date) -> list[Member]:
    out = []
    for i, m in enumerate(facts.members):
        cost = employment_cost(m, p)
        inc = m.income
        pension_counted = not p.basic_pension_excluded
        counted_income = (
            inc.wages
            - cost
            + inc.business
            + inc.property
            + inc.transfer
            + (inc.pension_basic if pension_counted else 0)
        )
        uncounted = inc.excluded + (0 if pension_counted else inc.pension_basic)
        age = m.age_on(as_of)
        out.append(
            Member(
                index=i,
                facts=m,
                age=age,
                label=f"成员{i + 1}（{RELATION_NAMES[m.relation]}，{age}岁）",
                counted=m.not_counted is None,
                employment_cost=cost,
                income=counted_income,
                uncounted=uncounted,
            )
        )
    return out


def income_reasons(ms: list[Member], p: Params) -> list[Reason]:
    """What was deducted and left out, so the figure compared can be checked by hand."""
    out = []
    for m in ms:
        if not m.counted:
            out.append(
                Reason(
                    "household.not_counted",
                    HOUSEHOLD_BASIS,
                    True,
                    f"{m.label}{NOT_COUNTED_NAMES.get(m.facts.not_counted or '', '')}，不计入家庭成员和家庭收入",
                )
            )
    costs = [m for m in ms if m.counted and m.employment_cost > 0]
    if costs:
        parts = "；".join(
            f"{m.label}工资 {yuan(m.facts.income.wages)} 扣除 {yuan(m.employment_cost)}" for m in costs
        )
        out.append(
            Reason(
                "income.employment_cost",
                INCOME_BASIS,
                True,
                f"就业成本按工资的 {pct(p.employment_cost_rate)}、每人每月最多 "
                f"{yuan(p.employment_cost_cap)} 扣除：{parts}",
            )
        )
    left_out = sum((m.uncounted for m in ms if m.counted), Decimal(0))
    if left_out > 0:
        what = "优待抚恤金、计划生育奖励扶助金、奖学金和见义勇为奖励、社会救助金"
        if p.basic_pension_excluded:
            what += "、城乡居民基本养老保险基础养老金"
        out.append(
            Reason("income.excluded", INCOME_BASIS, True, f"不计入家庭收入的{what}共 {yuan(left_out)}/月")
        )
    return out


def per_capita(total: Decimal, n: int) -> Decimal:
    return half_up(total / n) if n else Decimal("0.00")


def asset_check(facts: HouseholdFacts, n: int, standard: Decimal, p: Params) -> tuple[bool, list[Reason]]:
    """The four asset criteria, each its own reason; "≤ limit" passes at the limit."""
    a = facts.assets
    reasons = []
    limit = p.financial_months * standard
    ok_fin = a.financial <= limit * n
    reasons.append(
        Reason(
            "assets.financial",
            ASSET_BASIS,
            ok_fin,
            f"人均金融资产 {yuan(per_capita(a.financial, n))}（合计 {yuan(a.financial)} ÷ {n} 人）"
            f"{'≤' if ok_fin else '>'} 上限 {yuan(limit)}（{num(p.financial_months)} × 低保标准 "
            f"{yuan(standard)}）",
        )
    )
    vs = a.vehicles
    if not vs:
        ok_car, text = True, "无机动车辆"
    elif len(vs) > 1:
        ok_car, text = False, f"有 {len(vs)} 辆机动车，至多可保留 1 辆残疾人代步或维持生计用车"
    elif vs[0].purpose == "disability":
        ok_car, text = True, f"1 辆残疾人功能性补偿代步车（{yuan(vs[0].value)}），不影响"
    elif vs[0].purpose == "livelihood":
        ok_car = vs[0].value <= p.vehicle_livelihood_max
        text = (
            f"1 辆维持生计用车，价值 {yuan(vs[0].value)} {'≤' if ok_car else '>'} 上限 "
            f"{yuan(p.vehicle_livelihood_max)}"
        )
    else:
        ok_car, text = False, f"有 1 辆非代步、非生计用机动车（{yuan(vs[0].value)}）"
    reasons.append(Reason("assets.vehicle", ASSET_BASIS, ok_car, text))
    hs = a.houses
    total_area = sum((h.floor_area for h in hs), Decimal(0))
    if len(hs) <= p.max_houses:
        ok_house, text = True, f"住房 {len(hs)} 套，不超过 {p.max_houses} 套"
    else:
        ok_house = total_area <= p.house_area_per_capita * n
        text = (
            f"住房 {len(hs)} 套，人均建筑面积 {num(per_capita(total_area, n))} ㎡（合计 {num(total_area)} ㎡ ÷ {n} 人）"
            f"{'≤' if ok_house else '>'} {num(p.house_area_per_capita)} ㎡"
        )
    reasons.append(Reason("assets.house", ASSET_BASIS, ok_house, text))
    ok_biz = a.business_capital <= p.business_capital_max
    text = (
        "无工商登记"
        if a.business_capital == 0
        else f"工商登记注册资本 {yuan(a.business_capital)} {'≤' if ok_biz else '>'} {yuan(p.business_capital_max)}"
    )
    reasons.append(Reason("assets.business", ASSET_BASIS, ok_biz, text))
    return ok_fin and ok_car and ok_house and ok_biz, reasons
