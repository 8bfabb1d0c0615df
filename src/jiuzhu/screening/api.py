"""Thin API: the alerts a user may see, one alert, resolve it, the KPI figures."""

from __future__ import annotations

from django.db import transaction
from ninja import Field, Query, Router, Schema, Status

from jiuzhu.common import clock, jobs, scope
from jiuzhu.common.api import JobAcceptedOut
from jiuzhu.common.errors import NotFound
from jiuzhu.common.schemas import ERRORS
from jiuzhu.common.services import log_access
from jiuzhu.common.values import DateParam, Id

from . import background, selectors, services

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
            household_code=a.household.code if a.household is not None else "",
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


class ReportIn(Schema):
    kind: str = Field("", max_length=20, description="预警类型（空：全部）")
    status: str = Field("", max_length=20, description="处理状态（空：全部）")
    unit: str = Field("", max_length=40, description="单位代码（空：全部可见单位）")


@router.post("/report", response={202: JobAcceptedOut, **ERRORS}, summary="导出预警报告（后台生成 Excel）")
def report(request, payload: ReportIn):
    """The alerts the caller may see under these filters, as the screening page's button builds
    them (masked for the caller's role, the export logged when built), by a background job
    (202): poll ``url``; the file is the caller's (or an administrator's)."""
    job = background.report_queue(
        actor=request.user, kind=payload.kind, status=payload.status, unit=payload.unit
    )
    return Status(202, jobs.accepted(job))


@router.post("/run", response={202: JobAcceptedOut, **ERRORS}, summary="立即发起一次筛查（后台运行）")
def run(request):
    """A screening run as of today by a background job, as the page's button (approver or
    administrator; 403 otherwise). One run at a time: while one waits or runs, that job is
    answered again (202) and no second is queued."""
    scope.require(request.user, "screening.run")
    return Status(202, jobs.accepted(background.run_queue(actor=request.user, as_of=clock.today())))
