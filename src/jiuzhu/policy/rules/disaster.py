"""Disaster relief (受灾人员救助), DOMAIN §3: transitional living aid per person per day up to a
maximum of days; house rebuilding and winter/spring relief by need. 社会救助暂行办法 第二十条至
第二十六条. Pure: no Django import."""

from __future__ import annotations

from .base import MEASURES, Reason, yuan
from .registry import formula, make


@formula("disaster_transitional")
def transitional(hh, svc):
    d, p = hh.facts.disaster, hh.p
    basis = f"{MEASURES} 第二十四条"
    if d is None or d.persons <= 0 or d.days <= 0:
        return make(
            svc, False, None, [Reason("disaster.transitional", basis, False, "未登记需过渡期安置的受灾人员")]
        )
    days = min(d.days, p.disaster_max_days)
    amount = p.disaster_daily * d.persons * days
    text = (
        f"{yuan(p.disaster_daily)}/人·天 × {d.persons} 人 × {days} 天"
        + (f"（申报 {d.days} 天，最长 {p.disaster_max_days} 天）" if d.days > days else "")
        + f" = {yuan(amount)}"
    )
    return make(svc, True, amount, [Reason("disaster.transitional", basis, True, text)])


@formula("disaster_rebuild")
def rebuild(hh, svc):
    d = hh.facts.disaster
    ok = d is not None and d.house_destroyed
    text = "住房因灾倒塌或严重损坏，按需给予恢复重建补助" if ok else "未登记因灾倒损住房"
    return make(svc, ok, None, [Reason("disaster.rebuild", f"{MEASURES} 第二十五条", ok, text)])


@formula("disaster_winter")
def winter(hh, svc):
    d = hh.facts.disaster
    ok = d is not None and d.winter_hardship
    text = "因当年冬寒或次年春荒遇到生活困难" if ok else "未登记冬春生活困难"
    return make(svc, ok, None, [Reason("disaster.winter", f"{MEASURES} 第二十六条", ok, text)])
