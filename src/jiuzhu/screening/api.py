"""Thin API: the alerts a user may see, one alert, resolve it, the KPI figures."""

from __future__ import annotations

from django.db import transaction
from ninja import Query, Router, Schema

from jiuzhu.common import scope
from jiuzhu.common.errors import NotFound
from jiuzhu.common.services import log_access
from jiuzhu.common.values import DateParam, Id

from . import selectors, services

router = Router(tags=["screening"])


class ResolveIn(Schema):
    status: str
    action: str = ""
    note: str = ""


def _reader(request):
    user = request.user
    scope.require(user, "screening.read")
    return user


def _plain(v: dict) -> dict:
    out = {k: v[k] for k in v if k not in ("evidence_items",)}
    for k in ("raised_on", "due_on", "resolved_on"):
        out[k] = out[k].isoformat() if out[k] else None
    return out


@router.get("/alerts")
def list_alerts(
    request,
    kind: str = Query("", max_length=20),
    status: str = Query("", max_length=20),
    unit: str = Query("", max_length=40),
    limit: int = Query(200, ge=1, le=1000, description="最多返回条数（1–1000）"),
):
    user = _reader(request)
    role = user.effective_role
    qs = selectors.alerts_for(user, kind=kind, status=status, unit=unit)[:limit]
    return [_plain(selectors.alert_view(a, role)) for a in qs]


@router.get("/alerts/{pk}")
def get_alert(request, pk: Id):
    user = _reader(request)
    with transaction.atomic():
        a = selectors.alerts_for(user).filter(pk=pk).first()
        if a is None:
            raise NotFound("预警不存在或不属于本单位", field="alert", code="alert_not_found")
        log_access(
            user=user,
            action="view",
            object_type="screening.alert",
            object_id=a.pk,
            household_code=a.household.code if a.household_id else "",
            purpose="API",
        )
    return _plain(selectors.alert_view(a, user.effective_role))


@router.post("/alerts/{pk}/resolve")
def resolve_alert(request, pk: Id, payload: ResolveIn):
    user = _reader(request)
    if not selectors.alerts_for(user).filter(pk=pk).exists():
        raise NotFound("预警不存在或不属于本单位", field="alert", code="alert_not_found")
    a = services.alert_resolve(
        alert_id=pk, actor=user, status=payload.status, action=payload.action, note=payload.note
    )
    a = selectors.alerts_for(user).get(pk=a.pk)
    return _plain(selectors.alert_view(a, user.effective_role))


@router.get("/kpi")
def kpi(request, start: DateParam, end: DateParam, unit: str = ""):
    _reader(request)
    return selectors.kpi_alerts(start=start, end=end, unit=unit or None)
