"""Verification JSON API, mounted at /api/verification/. Thin: parse, call one service or
selector, shape. Reports and source records are read through ``selectors`` (role decides
detail or summary, IDs masked, every read logged).

Errors are ``{"code", "field", "message"}``: 400 rule broken (``authorisation_missing``
names the members), 403 not allowed (``role_not_allowed``, ``out_of_scope``: the scope table),
404 unknown, 409 illegal move (``not_ready``, ``upload_decided`` …), 422 malformed."""

from __future__ import annotations

from datetime import date

from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from jiuzhu.common import clock, jobs, scope
from jiuzhu.common.api import JobAcceptedOut
from jiuzhu.common.errors import NotFound
from jiuzhu.common.exports import download
from jiuzhu.common.schemas import ERRORS, ErrorOut
from jiuzhu.common.values import DateParam, Id
from jiuzhu.registry.selectors import get_household

from . import access, background, selectors, services
from .models import DatasetUpload, Match, SourceTask, VerificationRequest
from .sources import catalogue

router = Router(tags=["verification 家庭经济状况核对"])


def _get(model, pk: int, what: str):
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"{what}不存在", code="not_found")
    return obj


# --- sources and datasets ------------------------------------------------------------------------


@router.get("/sources", summary="数据来源及其记录结构")
def sources_list(request):
    latest = {d["source"].code: d["latest"] for d in selectors.datasets_overview()}
    return [
        {
            "code": s.code,
            "name": s.name,
            "unit": s.unit,
            "items": list(s.items),
            "person_keys": list(s.person_keys),
            "columns": [
                {
                    "name": c.name,
                    "label": c.label,
                    "type": c.type,
                    "required": c.required,
                    "choices": list(c.choices),
                }
                for c in s.columns
            ],
            "latest_version": None
            if latest.get(s.code) is None
            else {
                "number": latest[s.code].number,
                "as_of": latest[s.code].as_of,
                "rows": latest[s.code].rows,
            },
        }
        for s in catalogue().sources
    ]


def _upload_out(u: DatasetUpload) -> dict:
    v = getattr(u, "version", None) if u.state == DatasetUpload.APPLIED else None
    return {
        "id": u.pk,
        "source": u.source,
        "as_of": u.as_of,
        "file": u.original_name,
        "state": u.state,
        "rows_total": u.rows_total,
        "rows_bad": u.rows_bad,
        "error_count": u.error_count,
        "errors": u.errors,
        "mode": u.mode,
        "version": None if v is None else {"number": v.number, "rows": v.rows, "quarantined": v.quarantined},
    }


@router.post(
    "/datasets",
    response={202: JobAcceptedOut, 413: ErrorOut, **ERRORS},
    summary="上传数据集（后台校验，出具错误报告，不导入）",
)
def dataset_upload(request, file: File[UploadedFile], source: Form[str], as_of: Form[date]):
    """The file is kept and validated by a background job (202): poll ``url``; when it is done its
    ``result.upload_id`` names the report (``GET /datasets/{upload_id}``). A file over the upload
    cap is 413 ``upload_too_large``; nothing is kept."""
    return Status(202, jobs.accepted(background.queue(file, actor=request.user, source=source, as_of=as_of)))


@router.get("/datasets/{upload_id}", response={200: dict, **ERRORS}, summary="校验报告")
def dataset_report(request, upload_id: Id):
    u = _get(DatasetUpload, upload_id, "上传")
    access.ensure_provider(request.user, catalogue().get(u.source))
    return _upload_out(u)


class ApplyIn(Schema):
    mode: str = Field(..., description="whole：有错误即整体拒收；quarantine：隔离错误行，导入其余")


@router.post(
    "/datasets/{upload_id}/apply",
    response={202: JobAcceptedOut, **ERRORS},
    summary="确认导入或拒收（后台任务）",
)
def dataset_apply(request, upload_id: Id, payload: ApplyIn):
    """The choice is checked at once (403, 409 ``upload_decided`` / ``upload_applying``, 422 mode);
    the load runs as a background job (202): when done, ``GET /datasets/{upload_id}`` shows the
    version."""
    job = background.apply_queue(
        actor=request.user, upload=_get(DatasetUpload, upload_id, "上传"), mode=payload.mode
    )
    return Status(202, jobs.accepted(job))


@router.get(
    "/sources/{code}/export.csv",
    response={202: JobAcceptedOut, **ERRORS},
    summary="来源数据批量导出（限该来源管理员）",
)
def source_export(request, code: str, purpose: str, on: DateParam | None = None):
    """Built by a background job (202): when it is done, the CSV is downloaded from
    ``/api/jobs/{id}/file`` by the same administrator; the export and the download are logged."""
    job = background.source_export_queue(actor=request.user, source_code=code, on=on, purpose=purpose)
    return Status(202, jobs.accepted(job))


@router.get("/records/{record_id}", response={200: dict, **ERRORS}, summary="查看来源记录（记录访问）")
def record_view(request, record_id: Id, purpose: str = ""):
    return selectors.record_read(user=request.user, record_id=record_id, purpose=purpose)


# --- tasks --------------------------------------------------------------------------------------


def _task_out(t: SourceTask, today: date | None = None) -> dict:
    return {
        "id": t.pk,
        "source": t.source,
        "unit": t.unit.code,
        "request": t.request_id,
        "due_on": t.due_on,
        "state": t.state,
        "flag": selectors.task_flag(t, today or clock.today()),
        "no_records": t.no_records,
    }


@router.get("/tasks", summary="核对任务（本单位；核对中心看全部）")
def task_list(request):
    unit = None if scope.allows(request.user, "verification.review") else request.user.unit
    return [_task_out(t) for t in selectors.task_inbox(unit=unit)]


class AnswerIn(Schema):
    records: list[dict] = Field(default_factory=list, description="按来源数据结构填写的记录（列代码为键）")
    no_records: bool = Field(False, description="查无记录")
    note: str = ""


@router.post("/tasks/{task_id}/answer", response={200: dict, **ERRORS}, summary="数据来源单位反馈")
def task_answer(request, task_id: Id, payload: AnswerIn):
    t = services.task_answer(
        actor=request.user,
        task=_get(SourceTask, task_id, "任务"),
        rows=payload.records,
        no_records=payload.no_records,
        note=payload.note,
    )
    return _task_out(t)


# --- requests, reviews, reports ---------------------------------------------------------------------


class RequestIn(Schema):
    household: str = Field(..., description="家庭编号")
    service: str = Field(..., description="救助事项代码，如 dibao")
    purpose: str = Field(
        "",
        description="用途即所申请的救助事项（可省略；填写时只能是该事项的名称或代码，否则 purpose_not_service）",
    )
    channel: str = Field("intake", description="intake / department / periodic")
    case_ref: str = ""
    fresh: bool = Field(False, description="不使用仍有效的报告，重新核对")


def _request_out(r: VerificationRequest) -> dict:
    report = getattr(r, "report", None) if r.state in (r.ISSUED, r.SERVED) else None
    return {
        "id": r.pk,
        "household": r.household.code,
        "service": r.service_code,
        "state": r.state,
        "as_of": r.as_of,
        "served_from": r.served_from_id,
        "report": None if report is None else report.pk,
        "sources": r.sources_used,
        "open_tasks": r.tasks.filter(state=SourceTask.OPEN).count(),
        "pending_matches": r.matches.filter(state=Match.PENDING).count(),
    }


@router.post("/requests", response={201: dict, **ERRORS}, summary="申请核对（须全体成年成员授权）")
def request_create(request, payload: RequestIn):
    r = services.request_create(
        actor=request.user,
        household=get_household(payload.household),
        service_code=payload.service,
        purpose=payload.purpose,
        channel=payload.channel,
        case_ref=payload.case_ref,
        fresh=payload.fresh,
    )
    return Status(201, _request_out(r))


@router.get("/requests/{request_id}", response={200: dict, **ERRORS}, summary="核对请求")
def request_detail(request, request_id: Id):
    r = _get(VerificationRequest, request_id, "核对请求")
    if not access.may_open_request(request.user, r):
        raise NotFound("核对请求不存在", code="not_found")
    return _request_out(r)


@router.get("/reviews", response={200: list[dict], **ERRORS}, summary="待确认的概率匹配（核对员）")
def review_list(request):
    access.ensure_officer(request.user)
    return [
        {
            "match": mt.pk,
            "request": mt.request_id,
            "person": mt.person.name,
            "record": mt.record_id,
            "record_name": mt.record.name,
            "source": mt.record.source,
            "probability": mt.probability,
            "levels": mt.levels,
            # why the ladder did not use it, and each field's values and weight side by side
            "reason": r["reason"],
            "evidence": [
                {k: e[k] for k in ("field", "label", "member", "record", "level", "stance", "stance_label")}
                for e in r["evidence"]
            ],
        }
        for r in selectors.review_queue(user=request.user)
        for mt in [r["match"]]
    ]


class DecisionIn(Schema):
    accept: bool
    reason: str = ""


@router.post("/reviews/{match_id}", response={200: dict, **ERRORS}, summary="确认或否定一条匹配（记住决定）")
def review_decide(request, match_id: Id, payload: DecisionIn):
    mt = services.review_decide(
        actor=request.user, match=_get(Match, match_id, "匹配"), accept=payload.accept, reason=payload.reason
    )
    return {"match": mt.pk, "state": mt.state, "kind": mt.kind}


@router.post("/requests/{request_id}/report", response={201: dict, **ERRORS}, summary="出具核对报告（冻结）")
def report_issue(request, request_id: Id):
    rep = services.report_issue(actor=request.user, request=_get(VerificationRequest, request_id, "核对请求"))
    return Status(201, {"id": rep.pk, "valid_until": rep.valid_until, "eligible": rep.eligible})


@router.get(
    "/reports/{report_id}", response={200: dict, **ERRORS}, summary="查阅核对报告（按角色脱敏，记录访问）"
)
def report_view(request, report_id: Id, purpose: str = ""):
    v = selectors.report_read(user=request.user, report_id=report_id, purpose=purpose)
    return {"id": v.report.pk, "detail": v.detail, "valid_until": v.report.valid_until, "content": v.content}


@router.get(
    "/reports/{report_id}/export.csv", response={200: None, **ERRORS}, summary="导出核对报告（记录访问）"
)
def report_export(request, report_id: Id, purpose: str = ""):
    v = selectors.report_read(user=request.user, report_id=report_id, purpose=purpose, action="export")
    return download(selectors.report_csv(v), f"核对报告-{report_id}.csv")


@router.get("/alerts", summary="复核变更预警")
def alert_list(request, household: str | None = None):
    access.ensure_officer(request.user)
    hh = get_household(household) if household else None
    return [
        {
            "id": a.pk,
            "household": a.household.code,
            "service": a.service_code,
            "kind": a.kind,
            "detail": a.detail,
            "report": a.report_id,
            "raised_at": a.raised_at,
        }
        for a in selectors.alerts(household=hh)
    ]
