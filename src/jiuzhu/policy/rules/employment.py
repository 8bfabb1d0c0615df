"""Employment assistance (就业救助), DOMAIN §3: able unemployed members of dibao (and other
low-income) households; a public-welfare post where no able member works. 社会救助暂行办法
第四十二条至第四十五条. Pure: no Django import."""

from __future__ import annotations

from .base import MEASURES, Reason
from .registry import formula, make

LOW_INCOME = ("dibao", "low_income_marginal", "rigid_expenditure")


def _unemployed(hh) -> list:
    return [m for m in hh.counted if hh.able_to_work(m) and not m.facts.employed]


def _assist(hh, svc, basis: str):
    who = [m for m in _unemployed(hh) if hh.groups[m.index] in LOW_INCOME]
    if who:
        text = "、".join(m.label for m in who) + "有劳动能力、处于失业状态，属低收入家庭成员"
    elif _unemployed(hh):
        text = "有劳动能力的失业成员不属于低保、低保边缘或刚性支出困难家庭"
    else:
        text = "家庭中没有劳动年龄内有劳动能力的失业成员"
    return make(
        svc, bool(who), None, [Reason("employment.target", basis, bool(who), text)], [m.index for m in who]
    )


@formula("employment_services")
def services(hh, svc):
    return _assist(hh, svc, f"{MEASURES} 第四十四条")


@formula("employment_training")
def training(hh, svc):
    return _assist(hh, svc, f"{MEASURES} 第四十二条")


@formula("employment_public_post")
def public_post(hh, svc):
    basis = f"{MEASURES} 第四十三条"
    able = [m for m in hh.dibao_unit if hh.able_to_work(m)]
    if not hh.dibao.eligible:
        ok, text = False, "不是最低生活保障家庭"
    elif not able:
        ok, text = False, "家庭中没有劳动年龄内有劳动能力的成员"
    else:
        ok = not any(m.facts.employed for m in able)
        text = (
            f"低保家庭 {len(able)} 名有劳动能力成员均处于失业状态（零就业家庭），确保至少一人就业"
            if ok
            else "家庭已有有劳动能力成员就业"
        )
    return make(
        svc,
        ok,
        None,
        [Reason("employment.zero_employment", basis, ok, text)],
        [m.index for m in able] if ok else [],
    )
