"""The platform's own figures, computed from the intake and decisions tables.

Handling time of a referral leg (分办事项) is counted in statutory working days from the day it
was referred to the day it was closed, less the working days it stood paused for missing
material (``paused_days``), as the intake area counts its deadlines. Each figure is additive
per month (counts and a histogram of handling days) so that months merge into any whole-month
period; stocks at the period's end (open, overdue, coverage) take the last month's value.

Coverage (decision, see docs/performance.md): *recipients* are the persons covered by
entitlements of the minimum-living (低保) and extreme-poverty (特困) categories owed in the
month; the *monitored* low-income population is every living member of a household that the
rules flag in the last monitoring run (``monitoring.monitoring_refresh``: dibao, extreme poverty,
low-income marginal, rigid-expenditure hardship), that has applied for either category (a
referral referred by then) or that receives one.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from jiuzhu.common.selectors import holiday_table
from jiuzhu.common.workdays import is_workday

LOW_INCOME = ("minimum_living", "extreme_poverty")
ADDITIVE = (
    "received",
    "new_requests",
    "closed",
    "on_time",
    "late",
    "transfers",
    "granted",
    "refused",
    "charity",
)
STOCKS = ("open_at_end", "open_overdue_at_end", "recipients", "monitored")


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def months(start: date, end: date) -> list[date]:
    out, m = [], month_start(start)
    while m <= end:
        out.append(m)
        m = month_end(m) + timedelta(days=1)
    return out


class WorkdayIndex:
    """Cumulative count of working days, so that working days between two dates is one
    subtraction (the same answer as ``workdays_between``)."""

    def __init__(self, first: date, last: date):
        table = holiday_table()
        self.first = first
        self.cum: list[int] = []
        n, day = 0, first
        while day <= last:
            if is_workday(day, table):
                n += 1
            self.cum.append(n)
            day += timedelta(days=1)

    def between(self, a: date, b: date) -> int:
        if b <= a:
            return 0
        return self.cum[(b - self.first).days] - self.cum[(a - self.first).days]


# Row layout read from the database: (id, unit_id, leg, state, referred_on, due_on, closed_on,
# paused_days, reasons)
FIELDS = ("id", "unit_id", "leg", "state", "referred_on", "due_on", "closed_on", "paused_days", "reasons")


def referral_rows(*, start: date, end: date, unit=None) -> list[tuple]:
    """Legs that touch ``start``–``end``: referred by the end, not closed before the start."""
    from jiuzhu.intake.models import Referral

    qs = Referral.objects.filter(referred_on__lte=end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=start)
    )
    if unit is not None:
        qs = qs.filter(unit=unit)
    return list(qs.order_by().values_list(*FIELDS))


def reason_key(text: str) -> str:
    first = (text or "").strip().splitlines()[0] if (text or "").strip() else "（未写明理由）"
    return first[:40]


def handling_days(row, idx: WorkdayIndex) -> int:
    return max(0, idx.between(row[4], row[6]) - (row[7] or 0))


def figures(rows: Iterable[tuple], *, start: date, end: date, idx: WorkdayIndex) -> dict:
    """Additive figures of ``rows`` for ``start``–``end`` (inclusive) plus the stocks at ``end``."""
    from jiuzhu.intake.models import Referral as R

    out: dict[str, Any] = {k: 0 for k in ADDITIVE}
    hist: Counter = Counter()
    reasons: Counter = Counter()
    open_at_end = overdue_at_end = 0
    for row in rows:
        _id, _unit, leg, state, referred, due, closed, _paused, text = row
        if start <= referred <= end:
            out["received"] += 1
            if leg == 1:
                out["new_requests"] += 1
        if closed is not None and start <= closed <= end:
            if state == R.TRANSFERRED:
                out["transfers"] += 1
            elif state in R.RESULT_STATES:
                out["closed"] += 1
                out[state] += 1
                if closed <= due:
                    out["on_time"] += 1
                else:
                    out["late"] += 1
                hist[handling_days(row, idx)] += 1
                if state == R.REFUSED:
                    reasons[reason_key(text)] += 1
        if referred <= end and (closed is None or closed > end):
            open_at_end += 1
            if due < end:
                overdue_at_end += 1
    out["open_at_end"] = open_at_end
    out["open_overdue_at_end"] = overdue_at_end
    out["days_hist"] = {str(k): v for k, v in sorted(hist.items())}
    out["refusal_reasons"] = dict(reasons.most_common())
    return out


def merge(parts: list[dict]) -> dict:
    """Months (in order) into one period: counts add, histograms add, stocks take the last."""
    out: dict = {k: 0 for k in ADDITIVE}
    hist: Counter = Counter()
    reasons: Counter = Counter()
    for p in parts:
        for k in ADDITIVE:
            out[k] += p.get(k, 0)
        hist.update({k: v for k, v in p.get("days_hist", {}).items()})
        reasons.update(p.get("refusal_reasons", {}))
    for k in STOCKS:
        out[k] = parts[-1].get(k, 0) if parts else 0
    out["days_hist"] = {k: hist[k] for k in sorted(hist, key=int)}
    out["refusal_reasons"] = dict(reasons.most_common())
    return out


def derive(f: dict) -> dict:
    """Rates and handling-time statistics from merged figures (Decimals, one place; None when
    there is nothing to measure)."""
    hist = [(int(k), v) for k, v in f.get("days_hist", {}).items()]
    n = sum(v for _, v in hist)
    f = dict(f)
    f["overdue"] = f.get("late", 0) + f.get("open_overdue_at_end", 0)
    f["avg_days"] = _dec(sum(d * v for d, v in hist) / n) if n else None
    f["p90_days"] = _percentile(hist, 0.9) if n else None
    f["on_time_rate"] = _rate(f.get("on_time", 0), f.get("closed", 0))
    f["overdue_open_rate"] = _rate(f.get("open_overdue_at_end", 0), f.get("open_at_end", 0))
    f["coverage_rate"] = coverage_rate(f.get("recipients", 0), f.get("monitored", 0))
    return f


def _percentile(hist: list[tuple[int, int]], q: float) -> int:
    """Nearest-rank percentile: the smallest value with at least ``q`` of the cases at or
    below it."""
    n = sum(v for _, v in hist)
    rank = math.ceil(q * n)
    seen = 0
    for d, v in sorted(hist):
        seen += v
        if seen >= rank:
            return d
    return sorted(hist)[-1][0]


def _dec(x: float) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.1"))


def _rate(num, den) -> Decimal | None:
    if not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"))


def coverage_rate(recipients, monitored) -> Decimal | None:
    """The coverage rate (%): persons covered by a low-income entitlement owed in the month /
    persons of the monitored low-income households (docs/performance.md). The one formula:
    snapshots, live figures, the dashboard, the agenda and the evaluation all come here."""
    return _rate(recipients, monitored)


# --- coverage and spending ----------------------------------------------------------------
# Read once per refresh (a handful of queries), then counted month by month in Python: the
# entitlement rule is ``decisions.entitlements.owed_in`` (monthly while running; yearly in its
# start month while running; once in its start month).


def _owed_in(row, m: date) -> bool:
    period, start, end = row
    if period == "once":
        return start == m
    running = start <= m and (end is None or end >= m)
    return running and (period == "month" or start.month == m.month)


def monthly_coverage_and_spending(ms: list[date]) -> dict[date, tuple[dict, dict]]:
    """For each month: (coverage per town id, spending per town id and category), None
    being the city. See ``coverage_by_town`` and ``spending_by_town``."""
    from django.db.models import Min

    from jiuzhu.decisions.models import Entitlement
    from jiuzhu.intake.models import Referral
    from jiuzhu.registry.models import Household, Person

    first, last = min(ms), month_end(max(ms))
    ents = {
        pk: (hh, town, cat, amount, (period, start, end))
        for pk, hh, town, cat, amount, period, start, end in Entitlement.objects.filter(start_month__lte=last)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=first))
        .values_list(
            "id",
            "household_id",
            "household__town_id",
            "category",
            "amount",
            "amount_period",
            "start_month",
            "end_month",
        )
    }
    members: dict = defaultdict(list)
    through = Entitlement.members.through
    for eid, pid in through.objects.filter(entitlement_id__in=list(ents)).values_list(
        "entitlement_id", "person_id"
    ):
        members[eid].append(pid)
    applied = dict(
        Referral.objects.filter(category__in=LOW_INCOME, referred_on__lte=last)
        .values("application__household_id")
        .annotate(first=Min("referred_on"))
        .values_list("application__household_id", "first")
    )
    from .models import MonitoredHousehold

    flagged = set(MonitoredHousehold.objects.values_list("household_id", flat=True))
    low_hh = set(applied) | {v[0] for v in ents.values() if v[2] in LOW_INCOME} | flagged
    sizes = (
        dict(
            Person.objects.filter(household_id__in=low_hh, deceased_on__isnull=True)
            .values("household_id")
            .annotate(n=Count("id"))
            .values_list("household_id", "n")
        )
        if low_hh
        else {}
    )
    towns = dict(Household.objects.filter(id__in=low_hh).values_list("id", "town_id")) if low_hh else {}
    out = {}
    for m in ms:
        e = month_end(m)
        owed = [(pk, v) for pk, v in ents.items() if _owed_in(v[4], m)]
        cov: dict = defaultdict(lambda: {"recipients": 0, "monitored": 0})
        seen: set = set()
        receiving = set()
        for pk, (hh, town, cat, _amount, _r) in owed:
            if cat in LOW_INCOME:
                receiving.add(hh)
                for pid in members[pk]:
                    if pid not in seen:
                        seen.add(pid)
                        cov[town]["recipients"] += 1
        for hh in receiving | flagged | {h for h, d in applied.items() if d <= e}:
            cov[towns.get(hh)]["monitored"] += sizes.get(hh, 0)
        cov = dict(cov)
        cov[None] = {
            k: sum(v[k] for t, v in cov.items() if t is not None) for k in ("recipients", "monitored")
        }
        spend: dict = defaultdict(dict)
        persons: dict = defaultdict(set)
        for pk, (_hh, town, cat, amount, _r) in owed:
            c = spend[town].setdefault(cat, {"amount": Decimal(0), "persons": 0})
            c["amount"] += amount
            persons[(town, cat)].update(members[pk])
        city: dict = {}
        for (town, cat), ps in persons.items():
            spend[town][cat]["persons"] = len(ps)
        for cats in list(spend.values()):
            for cat, v in cats.items():
                c = city.setdefault(cat, {"amount": Decimal(0), "persons": 0})
                c["amount"] += v["amount"]
                c["persons"] += v["persons"]
        spend[None] = city
        spend = {
            t: {c: {"amount": str(v["amount"]), "persons": v["persons"]} for c, v in cats.items()}
            for t, cats in spend.items()
        }
        out[m] = (cov, spend)
    return out


def coverage_by_town(month: date) -> dict[int | None, dict]:
    """For the month: per town id (None: the city) recipients and monitored persons."""
    return monthly_coverage_and_spending([month_start(month)])[month_start(month)][0]


def spending_by_town(month: date) -> dict[int | None, dict[str, dict]]:
    """For the month: per town id (None: the city) and category, persons covered and the
    amount owed (yuan, as a string)."""
    return monthly_coverage_and_spending([month_start(month)])[month_start(month)][1]
