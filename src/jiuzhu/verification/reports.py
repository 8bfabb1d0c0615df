"""The verification report's content, computed once and frozen (DOMAIN §6): each member's
income items and assets with source, record date and match kind; the household totals on
the rules' basis; the comparison with the thresholds of the service asked, from
``jiuzhu.policy.rules``. Pure: plain dicts in, a JSON-ready dict out; no Django.

Income on the rules' basis is the monthly average of the 12 full calendar months before the
month of the date asked (DOMAIN §3): a record's monthly amount counts for the months of that
window its period touches, divided by 12. Assets are the latest records' values.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from jiuzhu.common.money import CENT
from jiuzhu.policy.facts import Assets, House, HouseholdFacts, Income, MemberFacts, Vehicle, from_dict
from jiuzhu.policy.rules import assess, evaluate

from .sources import ITEM_NAMES, ITEMS

FORMAT = 1
MATCH_NAMES = {"exact": "身份证号码一致", "fuzzy": "概率匹配", "reviewed": "核对员确认"}
INCOME_FIELDS = ("wages", "business", "property", "transfer", "pension_basic", "excluded")


def window(as_of: date) -> tuple[date, date]:
    """The 12 full calendar months before the month of ``as_of``: (first day, last day)."""
    first_of_month = as_of.replace(day=1)
    return first_of_month.replace(year=as_of.year - 1), first_of_month - timedelta(days=1)


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def months_in_window(start: date | None, end: date | None, as_of: date) -> int:
    """Months of the window the period [start, end] touches (a record without a period:
    the whole window)."""
    w0, w1 = window(as_of)
    a = _month_index(max(start or w0, w0))
    b = _month_index(min(end or w1, w1))
    return max(0, b - a + 1)


def _money(v) -> str | None:
    return None if v is None else str(Decimal(v).quantize(CENT, rounding=ROUND_HALF_UP))


def _d(v) -> str | None:
    return None if v is None else v.isoformat()


def item_line(rec: dict, match: dict, *, as_of: date, pension_excluded: bool, source_name: str) -> dict:
    """One record as a report line: what it is, its figure, whether the rules count it."""
    item = rec["item"]
    category = ITEMS[item]
    amount = None if rec.get("amount") is None else Decimal(rec["amount"])
    line = {
        "record": rec["id"],
        "source": rec["source"],
        "source_name": source_name,
        "item": item,
        "item_name": ITEM_NAMES[item],
        "category": category,
        "amount": _money(amount),
        "unit": "元/月"
        if category == "income" or item == "employment"
        else ("元" if amount is not None else ""),
        "floor_area": _money(rec.get("floor_area")),
        "vehicle_purpose": rec.get("vehicle_purpose") or "",
        "ref": rec.get("ref") or "",
        "fingerprint": rec.get("fingerprint") or "",
        "record_date": _d(rec.get("record_date")),
        "period": [_d(rec.get("period_start")), _d(rec.get("period_end"))]
        if rec.get("period_start")
        else None,
        "match": {
            "kind": match["kind"],
            "name": MATCH_NAMES[match["kind"]],
            "probability": round(float(match.get("probability", 1.0)), 4),
            "levels": match.get("levels") or {},
        },
        "counted": None,
        "note": "",
        "in_window": None,
    }
    if category == "income":
        months = months_in_window(rec.get("period_start"), rec.get("period_end"), as_of)
        line["months_in_window"] = months
        line["in_window"] = _money((amount or Decimal(0)) * months / 12)
        if months == 0:
            line.update(counted=False, note="不在统计期（前12个月）内")
        elif item == "excluded" or (item == "pension_basic" and pension_excluded):
            line.update(counted=False, note="按规定不计入家庭收入")
        else:
            line["counted"] = True
    elif category == "asset":
        line["counted"] = bool(rec.get("active", True))
        if not line["counted"]:
            line["note"] = "已注销或吊销，不计入"
    return line


def _member_facts(m: dict, lines: list[dict], as_of: date) -> MemberFacts:
    sums = dict.fromkeys(INCOME_FIELDS, Decimal(0))
    for ln in lines:
        if ln["category"] == "income" and ln["months_in_window"]:
            sums[ln["item"]] += Decimal(ln["in_window"])
    evidence = any(
        ln["item"] == "employment" and ln["period"] and ln["period"][1] >= window(as_of)[0].isoformat()
        for ln in lines
    )
    grade = m.get("disability_grade") if m.get("disability_kind") else None
    return MemberFacts(
        relation=m["relation"],
        birth_date=m["birth_date"],
        gender=m["gender"],
        labour_capacity=m.get("labour_capacity") or "full",
        disability_kind=(m.get("disability_kind") or "") if grade else "",
        disability_grade=grade,
        serious_illness=bool(m.get("serious_illness")),
        self_care=m.get("self_care") or "full",
        school_stage=m.get("school_stage") or "",
        employed=m.get("employment_status") in ("employed", "flexible") or sums["wages"] > 0 or evidence,
        income=Income(**{k: v.quantize(CENT, rounding=ROUND_HALF_UP) for k, v in sums.items()}),
        has_capable_supporter=bool(m.get("has_capable_supporter", True)),
    )


def _assets(lines: list[dict], dwelling_area) -> Assets:
    fin, biz = Decimal(0), Decimal(0)
    vehicles, houses = [], []
    for ln in lines:
        if ln["category"] != "asset" or not ln["counted"]:
            continue
        value = Decimal(ln["amount"] or 0)
        if ln["item"] == "financial":
            fin += value
        elif ln["item"] == "vehicle":
            vehicles.append(Vehicle(value=value, purpose=ln["vehicle_purpose"] or "other"))
        elif ln["item"] == "house":
            houses.append(House(floor_area=Decimal(ln["floor_area"] or 0)))
        elif ln["item"] == "business_capital":
            biz = max(biz, value)
    return Assets(
        financial=fin,
        vehicles=tuple(vehicles),
        houses=tuple(houses),
        business_capital=biz,
        current_floor_area=None if dwelling_area is None else Decimal(dwelling_area),
    )


def facts_to_dict(facts: HouseholdFacts) -> dict:
    """The facts in ``policy.facts.from_dict``'s shape, so a served report can be compared
    with another service's thresholds without asking the sources again."""
    members = []
    for m in facts.members:
        members.append(
            {
                "relation": m.relation,
                "birth_date": _d(m.birth_date),
                "gender": m.gender,
                "labour_capacity": m.labour_capacity,
                "disability_kind": m.disability_kind,
                "disability_grade": m.disability_grade,
                "serious_illness": m.serious_illness,
                "self_care": m.self_care,
                "school_stage": m.school_stage,
                "employed": m.employed,
                "income": {k: _money(getattr(m.income, k)) for k in INCOME_FIELDS},
                "has_capable_supporter": m.has_capable_supporter,
            }
        )
    a = facts.assets
    return {
        "area": facts.area,
        "members": members,
        "assets": {
            "financial_assets": _money(a.financial),
            "vehicles": [{"value": _money(v.value), "purpose": v.purpose} for v in a.vehicles],
            "houses": [{"floor_area": _money(h.floor_area)} for h in a.houses],
            "business_capital": _money(a.business_capital),
            "current_floor_area": _money(a.current_floor_area),
        },
    }


def comparison(facts_dict: dict | None, *, as_of: date, service_code: str, policy) -> dict:
    """Pass/fail per criterion of the service, with the figures (policy rules)."""
    spec = policy.service(service_code)
    if facts_dict is None:
        return {
            "service": spec.code,
            "service_name": spec.name,
            "eligible": False,
            "amount": None,
            "amount_period": None,
            "as_of": _d(as_of),
            "reasons": [
                {
                    "rule": "household.none_living",
                    "basis": "",
                    "passed": False,
                    "detail": "家庭无在世成员",
                    "text": "不符合：家庭无在世成员",
                }
            ],
        }
    result = evaluate(from_dict(facts_dict), as_of, policy, [spec.code])[0]
    return {
        "service": spec.code,
        "service_name": spec.name,
        "eligible": result.eligible,
        "amount": _money(result.monthly_amount),
        "amount_period": result.amount_period,
        "as_of": _d(as_of),
        "reasons": [
            {"rule": r.rule, "basis": r.basis, "passed": r.passed, "detail": r.detail, "text": r.text}
            for r in result.reasons
        ],
    }


def build(
    *,
    household: dict,
    members: list[dict],
    matched: list[dict],
    as_of: date,
    service_code: str,
    policy,
    sources_used: list[dict],
    matching: dict,
    source_names: dict[str, str],
) -> dict:
    """The snapshot. ``members``: registry persons as dicts; ``matched``: ``{"person_id",
    "record": {...}, "match": {"kind", "probability", "levels"}}`` for accepted matches."""
    pension_excluded = bool(policy.param("income.basic_pension_excluded", as_of))
    by_person: dict[int, list[dict]] = {}
    for mt in sorted(matched, key=lambda x: (x["record"]["source"], x["record"]["id"])):
        rec = mt["record"]
        by_person.setdefault(mt["person_id"], []).append(
            item_line(
                rec,
                mt["match"],
                as_of=as_of,
                pension_excluded=pension_excluded,
                source_name=source_names.get(rec["source"], rec["source"]),
            )
        )
    out_members, living, all_lines = [], [], []
    for m in members:
        lines = by_person.get(m["person_id"], [])
        death = min(
            (ln["record_date"] for ln in lines if ln["item"] == "death" and ln["record_date"]), default=None
        )
        deceased = _d(m.get("deceased_on")) or death
        alive = (deceased is None or deceased > as_of.isoformat()) and m["birth_date"] <= as_of
        entry = {
            "person_id": m["person_id"],
            "name": m["name"],
            "id_number": m["id_number"],
            "relation": m["relation"],
            "birth_date": _d(m["birth_date"]),
            "gender": m["gender"],
            "deceased_on": deceased,
            "counted": alive,
            "items": lines,
        }
        out_members.append(entry)
        if alive:
            living.append((entry, _member_facts(m, lines, as_of)))
            all_lines.extend(lines)
    facts_dict = None
    totals: dict = {"members": 0}
    if living:
        facts = HouseholdFacts(
            area=household["area"],
            members=tuple(f for _, f in living),
            assets=_assets(all_lines, household.get("dwelling_area")),
        )
        facts_dict = facts_to_dict(facts)
        hh = assess(facts, as_of, policy)
        for (entry, _), rm in zip(living, hh.members, strict=True):
            entry["income_counted"] = _money(rm.income)
            entry["employment_cost"] = _money(rm.employment_cost)
            entry["income_excluded"] = _money(rm.uncounted)
        n = len(hh.counted)
        a = facts.assets
        totals = {
            "members": n,
            "income_counted": _money(hh.total_income),
            "income_per_capita": _money(hh.total_income / n) if n else None,
            "income_excluded": _money(sum((rm.uncounted for rm in hh.members), Decimal(0))),
            "employment_cost": _money(sum((rm.employment_cost for rm in hh.members), Decimal(0))),
            "financial": _money(a.financial),
            "vehicles": len(a.vehicles),
            "houses": len(a.houses),
            "house_area": _money(sum((h.floor_area for h in a.houses), Decimal(0))),
            "business_capital": _money(a.business_capital),
        }
    w0, w1 = window(as_of)
    return {
        "format": FORMAT,
        "household": {k: household.get(k) for k in ("code", "area", "town", "community")},
        "as_of": _d(as_of),
        "income_window": [_d(w0), _d(w1)],
        "members": out_members,
        "totals": totals,
        "facts": facts_dict,
        "comparison": comparison(facts_dict, as_of=as_of, service_code=service_code, policy=policy),
        "sources": sources_used,
        "matching": matching,
    }


def digest(snapshot: dict) -> str:
    return hashlib.sha256(
        json.dumps(snapshot, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()
