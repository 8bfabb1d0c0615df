"""信息公开: aggregate figures per month and town, read from the snapshots. Counts and sums
only: no name, ID number, address or household code ever enters this context."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from jiuzhu.common import clock
from jiuzhu.registry.models import Unit

from . import kpis, selectors

CATEGORY_LABELS = {
    "minimum_living": "最低生活保障",
    "extreme_poverty": "特困人员救助供养",
    "medical": "医疗救助",
    "education": "教育救助",
    "housing": "住房救助",
    "employment": "就业救助",
    "temporary": "临时救助",
    "disaster": "受灾人员救助",
    "social": "社会力量参与",
}


def context(*, year: int) -> dict:
    snaps = selectors.year_snapshots(year)
    today = clock.today()
    ms = [m for m in kpis.months(date(year, 1, 1), date(year, 12, 31)) if m <= today] or [date(year, 1, 1)]
    towns = list(Unit.objects.filter(kind=Unit.Kind.TOWN).order_by("sort_order", "id"))
    months = []
    for m in ms:
        rows = []
        for t in towns:
            d = snaps.get((t.pk, m))
            if d is None:
                continue
            cats = [
                {"label": CATEGORY_LABELS.get(c, c), "persons": v["persons"], "amount": Decimal(v["amount"])}
                for c, v in sorted(d.get("spending", {}).items())
            ]
            rows.append({"town": t, "cats": cats})
        city = snaps.get((None, m))
        handling = None
        if city:
            handling = {
                k: city.get(k, 0)
                for k in ("new_requests", "closed", "granted", "refused", "transfers", "on_time")
            }
        months.append({"month": m, "rows": rows, "handling": handling})
    grades = _grades(year)
    return {"year": year, "months": list(reversed(months)), "grades": grades, "has_data": bool(snaps)}


def _grades(year: int) -> list[dict]:
    """Evaluation grades of the year's units (only when the year is over or a snapshot exists)."""
    from .evaluation import GRADE_LABELS, evaluate

    if not selectors.year_snapshots(year):
        return []
    start, end = date(year, 1, 1), date(year, 12, 31)
    out = []
    for u in Unit.objects.filter(is_conference_member=True).order_by("sort_order", "id"):
        k = selectors.unit_kpis(unit=u, start=start, end=end)
        ev = evaluate(unit=u, start=start, end=end, indicators=k["indicators"])
        out.append({"unit": u.name, "score": ev.score, "grade": GRADE_LABELS[ev.grade]})
    return out
