"""Performance over the API (/api/performance/): KPIs for a unit (or the city) and a period, a
unit's evaluation score with its items, and the ranking of the conference's member units. Thin
over ``selectors``/``evaluation``; read by the roles ``performance.read`` names in the scope table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status

from jiuzhu.common import clock, jobs, scope, values
from jiuzhu.common.api import JobAcceptedOut
from jiuzhu.common.errors import NotFound, ValidationFailed
from jiuzhu.common.schemas import ERRORS
from jiuzhu.common.values import DateParam, YearParam
from jiuzhu.registry.models import Unit

from . import refresh, selectors

router = Router(tags=["performance 绩效考核"])


class PeriodQuery(Schema):
    start: DateParam | None = Field(None, description="期间开始（默认本年 1 月 1 日）")
    end: DateParam | None = Field(None, description="期间结束（默认本年 12 月 31 日）")


class KpiQuery(PeriodQuery):
    unit: str | None = Field(None, max_length=40, description="单位代码；不填为全市")


class KpisOut(Schema):
    unit: str | None
    start: date
    end: date
    kpis: dict = Field(..., description="各领域指标（见 performance.selectors 说明）；金额与比率为字符串")


class LineOut(Schema):
    group: str
    code: str
    name: str
    value: str | None
    max_points: Decimal
    points: Decimal
    note: str


class EvaluationOut(Schema):
    unit: str
    unit_name: str
    start: date
    end: date
    score: Decimal
    grade: str
    grade_label: str
    deducted: Decimal
    lines: list[LineOut]
    deductions: list[dict]


class RankOut(Schema):
    rank: int
    unit: str
    unit_name: str
    score: Decimal
    grade: str
    grade_label: str


def _period(q: PeriodQuery) -> tuple[date, date]:
    today = clock.today()
    start = q.start or date(today.year, 1, 1)
    end = q.end or date(today.year, 12, 31)
    first, last = values.month_window()
    for name, day in (("start", start), ("end", end)):
        if not first <= date(day.year, day.month, 1) <= last:
            raise ValidationFailed(
                f"日期 {day} 不在可查询范围（{first:%Y-%m} 至 {last:%Y-%m}）内",
                field=name,
                code="date_out_of_range",
            )
    if end < start:
        raise ValidationFailed("结束日期不能早于开始日期", field="end", code="bad_period")
    return start, end


def _unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise NotFound("没有这个单位", field="unit", code="unit_not_found")
    return unit


def _evaluation(ev) -> dict:
    return {
        "unit": ev.unit.code,
        "unit_name": ev.unit.name,
        "start": ev.start,
        "end": ev.end,
        "score": ev.score,
        "grade": ev.grade,
        "grade_label": ev.grade_label,
        "deducted": ev.deducted,
        "lines": [
            {**line.__dict__, "value": None if line.value is None else str(line.value)} for line in ev.lines
        ],
        "deductions": ev.deductions,
    }


@router.get("/kpis", response=KpisOut, summary="单位或全市某期间的绩效指标")
def kpis(request, q: Query[KpiQuery]):
    scope.require(request.auth, "performance.read")
    start, end = _period(q)
    unit = _unit(q.unit) if q.unit else None
    return {
        "unit": unit.code if unit else None,
        "start": start,
        "end": end,
        "kpis": selectors.unit_kpis(unit=unit, start=start, end=end),
    }


@router.get("/evaluations/{code}", response=EvaluationOut, summary="单位考核评分及各项得分")
def evaluation(request, code: str, q: Query[PeriodQuery]):
    scope.require(request.auth, "performance.read")
    start, end = _period(q)
    return _evaluation(selectors.evaluate_unit(unit=_unit(code), start=start, end=end))


@router.get("/ranking", response=list[RankOut], summary="联席会议成员单位考核排名")
def ranking(request, q: Query[PeriodQuery]):
    scope.require(request.auth, "performance.read")
    start, end = _period(q)
    return [
        {
            "rank": i,
            "unit": ev.unit.code,
            "unit_name": ev.unit.name,
            "score": ev.score,
            "grade": ev.grade,
            "grade_label": ev.grade_label,
        }
        for i, ev in enumerate(selectors.ranking_rows(start=start, end=end), start=1)
    ]


class RefreshIn(Schema):
    year: YearParam = Field(..., description="要刷新指标快照的年度")


@router.post("/refresh", response={202: JobAcceptedOut, **ERRORS}, summary="刷新年度绩效指标快照（后台任务）")
def refresh_snapshots(request, payload: RefreshIn):
    """Queue the recomputation of the year's monthly KPI snapshots as a background job (202;
    poll ``url``); 409 ``refresh_running`` while another refresh waits or runs. The roles of
    ``performance.refresh`` in the scope table."""
    return Status(202, jobs.accepted(refresh.refresh_queue(actor=request.auth, year=payload.year)))
