"""Reads: KPIs per unit and for the city for any period, the cases behind a figure, the
dashboard's series and the public disclosure tables.

``city_kpis(*, start, end)`` and ``unit_kpis(*, unit, start, end)`` return a dict:

- ``intake``: figures of referral legs (see ``kpis``): ``received``, ``new_requests``,
  ``closed``, ``on_time``, ``late``, ``overdue`` (late closures + open past due at the end),
  ``transfers``, ``granted``, ``refused``, ``refusal_reasons`` {reason: n}, ``avg_days``,
  ``p90_days`` (working days), ``on_time_rate`` (%), ``recipients``, ``monitored``,
  ``coverage_rate`` (%), ``open_at_end``, ``open_overdue_at_end``
- ``alerts``, ``funds``, ``decisions``, ``supervision``, ``charity``: the other areas' KPI
  dicts, or None where the area is not installed
- ``indicators``: the rates the evaluation scores (None: nothing to measure)
- ``source``: "snapshot" (whole months, precomputed) or "live"
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q

from jiuzhu.charity.selectors import kpi_charity
from jiuzhu.common import clock
from jiuzhu.decisions.selectors import kpi_decisions
from jiuzhu.payments.selectors import kpi_funds
from jiuzhu.registry.models import Unit
from jiuzhu.screening.selectors import kpi_alerts

from . import evaluation, kpis
from .evaluation import Evaluation
from .models import KpiSnapshot

# The other areas' KPI readers. Supervision sits above performance (its meetings read these
# figures), so it hands its reader in at start-up (``register``, from SupervisionConfig.ready)
# instead of being imported from here.
PROVIDERS: dict[str, Callable[..., dict] | None] = {
    "alerts": kpi_alerts,
    "funds": kpi_funds,
    "decisions": kpi_decisions,
    "supervision": None,
    "charity": kpi_charity,
}


def register(name: str, reader: Callable[..., dict]) -> None:
    """An area above performance provides its KPI dict ``reader(*, start, end, unit=None)``."""
    PROVIDERS[name] = reader


# Group labels for readers that flatten the dict (supervision's meeting agenda).
KPI_LABELS = {
    "intake": "受理办理",
    "alerts": "筛查预警",
    "funds": "资金发放",
    "decisions": "审核确认",
    "supervision": "监督",
    "charity": "社会力量",
    "indicators": "评价指标",
    "source": "数据来源",
}

FIGURES = {
    "received": "收到分办事项",
    "new_requests": "新申请事项",
    "closed": "办结",
    "on_time": "按时办结",
    "late": "超期办结",
    "overdue": "超期（含未办结）",
    "open_overdue": "期末超期未办结",
    "transfers": "转办",
    "granted": "给予救助",
    "refused": "不予救助",
}


def provider(name: str, *, start: date, end: date, unit=None) -> dict | None:
    fn = PROVIDERS[name]
    return None if fn is None else fn(start=start, end=end, unit=unit)


def _whole_months(start: date, end: date) -> bool:
    return start.day == 1 and end == kpis.month_end(end) and start <= end


def intake_figures(*, start: date, end: date, unit=None) -> tuple[dict, str]:
    """Merged figures for the period: from snapshots when the period is whole months and
    every month has one, live otherwise."""
    if _whole_months(start, end):
        ms = kpis.months(start, end)
        qs = KpiSnapshot.objects.filter(month__in=ms)
        qs = qs.filter(unit=unit) if unit is not None else qs.filter(unit__isnull=True)
        snaps = {s.month: s.data for s in qs}
        if len(snaps) == len(ms):
            return kpis.derive(kpis.merge([snaps[m] for m in ms])), "snapshot"
    return kpis.derive(live_figures(start=start, end=end, unit=unit)), "live"


def coverage(*, month: date, unit=None) -> dict:
    """Coverage of the low-income population, the one definition every screen reads (dashboard,
    live figures, meeting agenda, evaluation): ``{"recipients", "monitored", "rate"}`` for the
    city (``unit`` None) or a town, as of ``month`` — a month still to come is counted as of
    the current one (coverage is a stock: nobody is covered yet in a month not begun)."""
    m = kpis.month_start(min(month, clock.today()))
    cov = kpis.coverage_by_town(m).get(
        unit.pk if unit is not None else None, {"recipients": 0, "monitored": 0}
    )
    return {"recipients": cov["recipients"], "monitored": cov["monitored"], "rate": kpis.coverage_rate(**cov)}


def live_figures(*, start: date, end: date, unit=None) -> dict:
    rows = kpis.referral_rows(start=start, end=end, unit=unit)
    last = max([end, *(r[6] for r in rows if r[6] is not None)])
    first = min([start, *(r[4] for r in rows)])
    f = kpis.figures(rows, start=start, end=end, idx=kpis.WorkdayIndex(first, last))
    cov = coverage(month=end, unit=unit)
    f.update(recipients=cov["recipients"], monitored=cov["monitored"])
    return f


def today_figures(*, today: date | None = None) -> dict:
    """The bureau's live figures, read now (not from the snapshots): today's applications and
    referrals, coverage now (city and per town), this month's spending by programme and by
    paying unit, and the cases overdue today by unit (referrals and 低保/特困 decisions)."""
    from django.db.models import Count, Sum

    from jiuzhu.decisions.entitlements import owed_in
    from jiuzhu.decisions.models import Case
    from jiuzhu.intake.models import Application, Referral
    from jiuzhu.registry.models import Unit

    today = today or clock.today()
    month = kpis.month_start(today)
    towns = list(Unit.objects.filter(kind=Unit.Kind.TOWN).order_by("sort_order", "id"))
    # the month's coverage and spending in one read (each scans the month's entitlements)
    by_town, spending_by_town = kpis.monthly_coverage_and_spending([month])[month]
    zero = {"recipients": 0, "monitored": 0}
    spending = spending_by_town.get(None, {})
    city = by_town.get(None, zero)
    if kpis.month_start(min(today, clock.today())) != month:  # coverage() counts a month to come as now
        city_coverage = coverage(month=today)
    else:
        city_coverage = {**city, "rate": kpis.coverage_rate(**city)}
    by_unit = (
        owed_in(month)
        .values("unit__name", "unit__sort_order")
        .annotate(amount=Sum("amount"), n=Count("id"))
        .order_by("unit__sort_order", "unit__name")
    )
    overdue: dict[str, int] = {}
    for name, n in (
        Referral.objects.filter(state__in=Referral.RUNNING_STATES, due_on__lt=today)
        .values_list("unit__name")
        .annotate(n=Count("id"))
    ):
        overdue[name] = overdue.get(name, 0) + n
    for name, n in (
        Case.objects.filter(state__in=Case.OPEN_STATES, due_on__lt=today)
        .values_list("town__name")
        .annotate(n=Count("id"))
    ):
        overdue[name] = overdue.get(name, 0) + n
    return {
        "today": today,
        "at": clock.now(),
        "applications": Application.objects.filter(received_on=today).count(),
        "referrals": Referral.objects.filter(referred_on=today).count(),
        "coverage": city_coverage,
        "coverage_by_town": [
            (t, {**by_town.get(t.pk, zero), "rate": kpis.coverage_rate(**by_town.get(t.pk, zero))})
            for t in towns
        ],
        "spending_by_programme": sorted(
            ((cat, Decimal(v["amount"]), v["persons"]) for cat, v in spending.items()), key=lambda x: -x[1]
        ),
        "spending_by_unit": [(r["unit__name"], r["amount"] or Decimal(0), r["n"]) for r in by_unit],
        "overdue_by_unit": sorted(overdue.items(), key=lambda x: -x[1]),
    }


def _rate(num, den) -> Decimal | None:
    if num is None or not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"))


def indicators(k: dict) -> dict:
    i = k["intake"]
    a, f, d, s = (
        k.get("alerts") or {},
        k.get("funds") or {},
        k.get("decisions") or {},
        k.get("supervision") or {},
    )
    return {
        "on_time_rate": i["on_time_rate"],
        "p90_days": i["p90_days"],
        "overdue_open_rate": i["overdue_open_rate"],
        "coverage_rate": i["coverage_rate"],
        "alerts_on_time_rate": _rate(a.get("alerts_resolved_on_time"), a.get("alerts_resolved")),
        "objections_upheld_rate": _rate(d.get("objections_upheld"), d.get("objections_received")),
        "funds_on_time_rate": _rate(f.get("paid_on_time"), f.get("paid_lines")),
        "execution_rate": f.get("execution_rate") if f.get("budget") else None,
        "complaints_on_time_rate": _rate(s.get("complaints_closed_on_time"), s.get("complaints_closed")),
        "directives_on_time_rate": _rate(s.get("directives_closed_on_time"), s.get("directives_closed")),
    }


def unit_kpis(*, unit, start: date, end: date) -> dict:
    intake, source = intake_figures(start=start, end=end, unit=unit)
    out: dict[str, Any] = {"intake": intake, "source": source}
    for name in PROVIDERS:
        out[name] = provider(name, start=start, end=end, unit=unit)
    out["indicators"] = indicators(out)
    return out


def evaluate_unit(*, unit, start: date, end: date) -> Evaluation:
    """The unit's performance evaluation for the period (its KPIs scored; see ``evaluation``)."""
    k = unit_kpis(unit=unit, start=start, end=end)
    return evaluation.evaluate(unit=unit, start=start, end=end, indicators=k["indicators"])


def ranking_rows(*, start: date, end: date) -> list[Evaluation]:
    """Every conference member unit's evaluation, best score first (ties by the units' order)."""
    evs = [
        evaluate_unit(unit=u, start=start, end=end)
        for u in Unit.objects.filter(is_conference_member=True).order_by("sort_order", "id")
    ]
    return sorted(evs, key=lambda e: (-e.score, e.unit.sort_order, e.unit.pk))


def city_kpis(*, start: date, end: date) -> dict:
    return unit_kpis(unit=None, start=start, end=end)


def figure_cases(*, figure: str, start: date, end: date, unit=None):
    """The referral legs behind one intake figure (a queryset, newest first)."""
    from django.db.models import F

    from jiuzhu.intake.models import Referral as R

    qs = R.objects.select_related("application", "unit")
    if unit is not None:
        qs = qs.filter(unit=unit)
    closed_in = Q(closed_on__gte=start, closed_on__lte=end)
    open_at_end = Q(referred_on__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=end))
    filters = {
        "received": Q(referred_on__gte=start, referred_on__lte=end),
        "new_requests": Q(referred_on__gte=start, referred_on__lte=end, leg=1),
        "closed": closed_in & Q(state__in=R.RESULT_STATES),
        "on_time": closed_in & Q(state__in=R.RESULT_STATES, closed_on__lte=F("due_on")),
        "late": closed_in & Q(state__in=R.RESULT_STATES, closed_on__gt=F("due_on")),
        "open_overdue": open_at_end & Q(due_on__lt=end),
        "overdue": (closed_in & Q(state__in=R.RESULT_STATES, closed_on__gt=F("due_on")))
        | (open_at_end & Q(due_on__lt=end)),
        "transfers": closed_in & Q(state=R.TRANSFERRED),
        "granted": closed_in & Q(state=R.GRANTED),
        "refused": closed_in & Q(state=R.REFUSED),
    }
    if figure not in filters:
        return None
    return qs.filter(filters[figure]).order_by("-referred_on", "-id")


# --- dashboard and disclosure --------------------------------------------------------------


def year_snapshots(year: int) -> dict:
    """{(unit_id or None, month): data} for the year."""
    qs = KpiSnapshot.objects.filter(month__year=year).values_list("unit_id", "month", "data")
    return {(u, m): d for u, m, d in qs}


def last_refresh(year: int):
    s = KpiSnapshot.objects.filter(month__year=year).order_by("-refreshed_at").first()
    return s.refreshed_at if s else None
