"""Writes: the KPI snapshot refresh and the evaluator's manual items."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import transaction

from jiuzhu.common import clock, values
from jiuzhu.common.errors import PermissionDenied, ValidationFailed
from jiuzhu.common.masking import ADMIN, CONVENER
from jiuzhu.registry.models import User

from . import kpis
from .models import KpiSnapshot, ManualItem

EVALUATORS = {CONVENER, ADMIN}


def _blank() -> dict:
    d: dict[str, Any] = {k: 0 for k in (*kpis.ADDITIVE, "open_at_end", "open_overdue_at_end")}
    d["days_hist"] = Counter()
    d["refusal_reasons"] = Counter()
    return d


def _bucket_year(rows: list[tuple], year: int, idx: kpis.WorkdayIndex) -> dict:
    """One pass over the legs: (unit_id, month) -> additive figures and stocks, the same
    numbers ``kpis.figures`` gives month by month."""
    from jiuzhu.intake.models import Referral as R

    ms = kpis.months(date(year, 1, 1), date(year, 12, 31))
    ends = [kpis.month_end(m) for m in ms]
    out: dict = defaultdict(_blank)
    for row in rows:
        _id, unit, leg, state, referred, due, closed, _paused, text = row
        if referred.year == year:
            b = out[(unit, referred.replace(day=1))]
            b["received"] += 1
            if leg == 1:
                b["new_requests"] += 1
        if closed is not None and closed.year == year:
            b = out[(unit, closed.replace(day=1))]
            if state == R.TRANSFERRED:
                b["transfers"] += 1
            elif state in R.RESULT_STATES:
                b["closed"] += 1
                b[state] += 1
                b["on_time" if closed <= due else "late"] += 1
                b["days_hist"][kpis.handling_days(row, idx)] += 1
                if state == R.REFUSED:
                    b["refusal_reasons"][kpis.reason_key(text)] += 1
        # open at each month's end from the month it was referred until the month it closed
        for i in range(referred.month - 1 if referred.year == year else 0, 12):
            m, e = ms[i], ends[i]
            if closed is not None and closed <= e:
                break
            b = out[(unit, m)]
            b["open_at_end"] += 1
            if due < e:
                b["open_overdue_at_end"] += 1
    return out


def _jsonable(b: dict) -> dict:
    d = dict(b)
    d["days_hist"] = {str(k): v for k, v in sorted(b["days_hist"].items())}
    d["refusal_reasons"] = dict(b["refusal_reasons"].most_common())
    return d


REFRESH_STEPS = ("读取分办事项", "按月按单位汇总", "计算覆盖率与资金", "写入快照")


def snapshot_refresh(
    *, year: int, progress: bool = False, step: Callable[[int, str], None] | None = None
) -> int:
    """Recompute the year's monthly snapshots for every unit and the city in one transaction.
    Returns the number of snapshot rows written. ``progress`` draws a bar on the terminal;
    ``step(done, message)`` is told each of the ``REFRESH_STEPS`` as it starts (the job's
    progress)."""
    from tqdm import tqdm

    from jiuzhu.registry.models import Unit

    bar = tqdm(total=4, desc=f"{year} 年指标", unit="步", disable=not progress)

    def say(done: int) -> None:
        if step is not None:
            step(done, REFRESH_STEPS[done])

    say(0)
    start, end = date(year, 1, 1), date(year, 12, 31)
    rows = kpis.referral_rows(start=start, end=end)
    bar.update()
    say(1)
    first = min([r[4] for r in rows], default=start)
    last = max([end, *(r[6] for r in rows if r[6] is not None)])
    idx = kpis.WorkdayIndex(min(first, start), last)
    buckets = _bucket_year(rows, year, idx)
    bar.update()
    say(2)
    ms = kpis.months(start, end)
    units = list(Unit.objects.values_list("id", "kind"))
    cov_spend = kpis.monthly_coverage_and_spending(ms)
    coverage = {m: v[0] for m, v in cov_spend.items()}
    spending = {m: v[1] for m, v in cov_spend.items()}
    bar.update()
    say(3)
    now = clock.now()
    objs = []
    for m in ms:
        city = _blank()
        for uid, _kind in units:
            b = buckets.get((uid, m)) or _blank()
            for k in (*kpis.ADDITIVE, "open_at_end", "open_overdue_at_end"):
                city[k] += b[k]
            city["days_hist"].update(b["days_hist"])
            city["refusal_reasons"].update(b["refusal_reasons"])
            data = _jsonable(b)
            data.update(coverage[m].get(uid, {"recipients": 0, "monitored": 0}))
            data["spending"] = spending[m].get(uid, {})
            objs.append(KpiSnapshot(month=m, unit_id=uid, data=data, refreshed_at=now))
        data = _jsonable(city)
        data.update(coverage[m].get(None, {"recipients": 0, "monitored": 0}))
        data["spending"] = spending[m].get(None, {})
        objs.append(KpiSnapshot(month=m, unit=None, data=data, refreshed_at=now))
    with transaction.atomic():
        KpiSnapshot.objects.filter(month__gte=start, month__lte=end).delete()
        KpiSnapshot.objects.bulk_create(objs, batch_size=500)
    bar.update()
    bar.close()
    return len(objs)


@transaction.atomic
def manual_item_record(
    *, actor: User, unit, start: date, end: date, indicator: str, points, evidence: str
) -> ManualItem:
    """The evaluator's points for a manual indicator, with the evidence relied on."""
    from .evaluation import manual_indicators

    if getattr(actor, "role", None) not in EVALUATORS:
        raise PermissionDenied("只有联席会议召集人或管理员可以录入评价分", code="not_evaluator")
    spec = manual_indicators().get(indicator)
    if spec is None:
        raise ValidationFailed("没有这个人工评分指标", field="indicator", code="unknown_indicator")
    if end < start:
        raise ValidationFailed("评价期止不能早于评价期起", field="end", code="bad_period")
    value = values.score(points, field="points", maximum=spec["points"], label="得分")
    evidence = values.note(evidence, field="evidence", label="佐证材料说明")
    if not evidence:
        raise ValidationFailed("请写明佐证材料", field="evidence", code="evidence_required")
    return ManualItem.objects.create(
        unit=unit,
        start=start,
        end=end,
        indicator=indicator,
        points=value,
        evidence=evidence,
        entered_by=actor,
    )
