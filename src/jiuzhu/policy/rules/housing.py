"""Housing assistance (住房救助), DOMAIN §3: dibao households and dispersed extreme-poverty
persons below the per-capita floor area get a rent subsidy or public rental housing; rural
dangerous houses are repaired. 社会救助暂行办法 第三十七条至第四十一条. Pure: no Django import."""

from __future__ import annotations

from decimal import Decimal

from .base import MEASURES, Reason, half_up, num, yuan
from .means import per_capita
from .registry import formula, make

TARGETS = f"{MEASURES} 第三十七条"


def _residents(hh):
    """Members living in the dwelling: all but persons in institutional extreme-poverty care."""
    return [
        m for m in hh.counted if not (hh.tekun[m.index].eligible and m.facts.tekun_mode == "institutional")
    ]


def _target(hh) -> tuple[bool, Reason]:
    dispersed = [m for m in hh.tekun_members if m.facts.tekun_mode == "dispersed"]
    ok = hh.dibao.eligible or bool(dispersed)
    text = (
        ("最低生活保障家庭" if hh.dibao.eligible else "分散供养特困人员")
        if ok
        else "不是最低生活保障家庭或分散供养特困人员"
    )
    return ok, Reason("housing.target", TARGETS, ok, text)


def _shortfall(hh) -> tuple[bool, Decimal, list[Reason]]:
    """Whether per-capita floor area is below the line, and the missing m²."""
    p = hh.p
    residents = _residents(hh)
    area = hh.facts.assets.current_floor_area
    r = len(residents)
    if area is None or r == 0:
        text = "未提供现住房建筑面积" if r else "全部成员集中供养"
        return False, Decimal(0), [Reason("housing.area", f"{MEASURES} 第三十九条", False, text)]
    line = p.housing_area * r
    ok = area < line
    text = (
        f"人均住房建筑面积 {num(per_capita(area, r))} ㎡（{num(area)} ㎡ ÷ {r} 人）"
        f"{'<' if ok else '≥'} {num(p.housing_area)} ㎡"
    )
    return ok, line - area, [Reason("housing.area", f"{MEASURES} 第三十九条", ok, text)]


@formula("housing_rent_subsidy")
def rent_subsidy(hh, svc):
    ok_t, why = _target(hh)
    ok_a, missing, reasons = _shortfall(hh)
    amount = None
    if ok_t and ok_a:
        amount = half_up(missing * hh.p.rent_per_m2)
        reasons.append(
            Reason(
                "housing.rent_subsidy",
                f"{MEASURES} 第三十八条",
                True,
                f"租赁补贴 =（{num(hh.p.housing_area)} ㎡ × {len(_residents(hh))} 人 − "
                f"{num(hh.facts.assets.current_floor_area)} ㎡）× {yuan(hh.p.rent_per_m2)} = {yuan(amount)}/月",
            )
        )
    return make(
        svc,
        ok_t and ok_a,
        amount,
        [why, *reasons],
        [m.index for m in _residents(hh)] if ok_t and ok_a else [],
    )


@formula("housing_public_rental")
def public_rental(hh, svc):
    ok_t, why = _target(hh)
    ok_a, _, reasons = _shortfall(hh)
    return make(svc, ok_t and ok_a, None, [why, *reasons])


@formula("housing_rural_repair")
def rural_repair(hh, svc):
    ok_t, why = _target(hh)
    if not ok_t and hh.marginal.eligible:
        ok_t, why = True, Reason("housing.target", TARGETS, True, "低保边缘家庭")
    rural = hh.facts.area == "rural"
    unsafe = hh.facts.dwelling_unsafe
    reasons = [
        why,
        Reason(
            "housing.rural",
            f"{MEASURES} 第四十条第二款",
            rural,
            "农村家庭" if rural else "城市家庭，不适用农村危房改造",
        ),
        Reason(
            "housing.unsafe",
            f"{MEASURES} 第三十八条",
            unsafe,
            "现住房经鉴定为危房" if unsafe else "现住房未鉴定为危房",
        ),
    ]
    return make(svc, ok_t and rural and unsafe, None, reasons)
