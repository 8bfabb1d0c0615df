"""Public endpoints (no log-in): tracking look-up, published results, the unit list."""

from __future__ import annotations

from ninja import Query

from jiuzhu.common.schemas import ErrorOut
from jiuzhu.common.values import MonthParam
from jiuzhu.registry.models import Unit

from .. import selectors, services
from .base import _ip, router
from .schemas import TrackIn, TrackOut


@router.post(
    "/track",
    auth=None,
    response={200: TrackOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="申请人查询办理进度（免登录，限制失败次数）",
)
def track(request, payload: TrackIn):
    return services.track_lookup(ip=_ip(request), code=payload.code, id_tail=payload.id_tail)


@router.get(
    "/results", auth=None, response={200: list[dict], 422: ErrorOut}, summary="办理结果公开（按单位、月份）"
)
def published(request, month: MonthParam = Query(..., examples=["2026-10"])):
    return selectors.published_results(month)


@router.get("/units", response={200: list[dict]}, summary="可转办的单位")
def unit_list(request):
    return [
        {"code": u.code, "name": u.name, "kind": u.kind} for u in Unit.objects.order_by("kind", "sort_order")
    ]
