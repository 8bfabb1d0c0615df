"""Caseload import and change requests over HTTP (mounted at /api/caseload/). Thin: each
endpoint calls one service or selector; errors are the platform's {"code","field","message"}."""

from __future__ import annotations

from typing import Annotated

from django.http import FileResponse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from jiuzhu.common import values
from jiuzhu.common.api import JobAcceptedOut
from jiuzhu.common.errors import NotFound
from jiuzhu.common.exports import download
from jiuzhu.common.schemas import ERRORS, ErrorOut
from jiuzhu.common.values import Bounded, Id, Note
from jiuzhu.intake.documents import open_stored
from jiuzhu.registry.models import Household, Person

from . import changes, imports, selectors, sheets
from .models import ChangeRequest, ImportBatch, ImportDuplicate

router = Router(tags=["caseload 存量导入与变更审核"])


def _batch_out(b: ImportBatch) -> dict:
    return {
        "id": b.pk,
        "file": b.original_name,
        "state": b.state,
        "state_display": b.get_state_display(),
        "uploaded_by": str(b.uploaded_by),
        "approved_by": str(b.approved_by) if b.approved_by_id else None,
        "rows": b.rows,
        "error_count": b.error_count,
        "errors": b.errors,
        "summary": b.summary,
        "duplicates": [
            {
                "id": d.pk,
                "row": d.row,
                "name": d.name,
                "registry_household": d.person.household.code,
                "probability": d.probability,
                "levels": d.levels,
                "decision": d.decision,
            }
            for d in b.duplicates.select_related("person__household")
        ],
        "job": int(b.job_id) if b.job_id else None,
        "message": b.message,
        "result": b.result,
    }


@router.get("/template.xlsx", summary="下载存量数据导入模板（含填写示例）")
def template(request, example: bool = True):
    return download(sheets.template_xlsx(values.today(), example=example), "存量数据导入模板.xlsx")


@router.post(
    "/imports",
    response={202: JobAcceptedOut, 413: ErrorOut, **ERRORS},
    summary="上传存量数据（后台校验、比对，出具报告，不导入）",
)
def upload(request, file: File[UploadedFile]):
    """The file is kept and checked by a background job (202): poll ``url``; when it is done its
    ``result.batch`` names the report (``GET /imports/{batch_id}``)."""
    from jiuzhu.common import jobs, scope, uploads

    from . import applying  # noqa: F401  (registers the job kinds)

    scope.require(request.user, "caseload.import")
    job = uploads.queue(
        file, kind="caseload.validate", actor=request.user, suffixes=(".xlsx", ".csv", ".zip")
    )
    return Status(202, jobs.accepted(job))


@router.get("/imports/{batch_id}", response={200: dict, **ERRORS}, summary="校验与比对报告")
def report(request, batch_id: Id):
    return _batch_out(imports.get_batch(actor=request.user, batch_id=batch_id))


class DecisionIn(Schema):
    decision: str = Field(..., description="same（同一人，不新增）或 new（不同人，新增）")


@router.post(
    "/imports/{batch_id}/duplicates/{dup_id}", response={200: dict, **ERRORS}, summary="确认疑似重复人员"
)
def decide(request, batch_id: Id, dup_id: Id, payload: DecisionIn):
    d = ImportDuplicate.objects.filter(pk=dup_id, batch_id=batch_id).first()
    if d is None:
        raise NotFound("没有这条疑似重复记录", field="duplicate", code="duplicate_not_found")
    d = imports.duplicate_decide(actor=request.user, duplicate=d, decision=payload.decision)
    return {"id": d.pk, "decision": d.decision}


class NoteIn(Schema):
    note: Note = ""


@router.post(
    "/imports/{batch_id}/approve", response={200: dict, **ERRORS}, summary="审核通过并导入（后台任务）"
)
def approve(request, batch_id: Id, payload: NoteIn):
    imports.get_batch(actor=request.user, batch_id=batch_id)
    return _batch_out(imports.batch_approve(actor=request.user, batch=batch_id, note=payload.note))


@router.post("/imports/{batch_id}/reject", response={200: dict, **ERRORS}, summary="退回")
def reject(request, batch_id: Id, payload: NoteIn):
    imports.get_batch(actor=request.user, batch_id=batch_id)
    return _batch_out(imports.batch_reject(actor=request.user, batch=batch_id, note=payload.note))


# --- change requests -----------------------------------------------------------------------------


def _change_out(c: ChangeRequest, effects=None) -> dict:
    return {
        "id": c.pk,
        "kind": c.kind,
        "kind_display": c.get_kind_display(),
        "channel": c.channel,
        "channel_display": c.get_channel_display(),
        "household": c.household.code,
        "person": c.person.name if c.person is not None else None,
        "summary": c.summary,
        "reason": c.reason,
        "state": c.state,
        "state_display": c.get_state_display(),
        "raised_by": str(c.raised_by) if c.raised_by_id else "数据比对",
        "raised_at": c.raised_at.isoformat(),
        "reviewed_by": str(c.reviewed_by) if c.reviewed_by_id else None,
        "review_note": c.review_note,
        "effects": effects if effects is not None else c.effects,
        "result": c.result,
        "documents": [
            {
                "id": d.pk,
                "title": d.title,
                "size": d.size,
                "content_type": d.content_type,
                "url": f"/api/caseload/changes/{c.pk}/documents/{d.pk}",
            }
            for d in c.documents.all()
        ],
    }


class ChangeIn(Schema):
    household: Annotated[str, Bounded(40)] = Field(..., description="家庭编号")
    kind: str = Field(
        ..., description="变更事项：" + "、".join(f"{k}（{v}）" for k, v in ChangeRequest.Kind.choices)
    )
    person: Annotated[str, Bounded(18, required=False)] | None = Field(
        None, description="成员身份证号码（与成员有关的事项必填）"
    )
    payload: dict = Field(default_factory=dict, description="变更内容，按事项填写")
    reason: Annotated[str, Bounded(500, required=False, multiline=True)] = ""
    channel: str | None = Field(None, description="window：申请人到窗口申报")


@router.post("/changes", response={201: dict, **ERRORS}, summary="提出变更申请")
def change_create(request, payload: ChangeIn):
    hh = Household.objects.filter(code=payload.household).first()
    if hh is None:
        raise NotFound("家庭不存在", field="household", code="household_not_found")
    person = None
    if payload.person:
        person = Person.objects.filter(id_number=payload.person.strip().upper(), household=hh).first()
        if person is None:
            raise NotFound("该家庭没有这名成员", field="person", code="person_not_found")
    c = changes.change_raise(
        actor=request.user,
        household=hh,
        kind=payload.kind,
        person=person,
        payload=payload.payload,
        reason=payload.reason,
        channel=payload.channel,
    )
    return Status(201, _change_out(c))


@router.get("/changes", response={200: list[dict], **ERRORS}, summary="变更申请列表")
def change_list(request, state: str | None = None):
    return [_change_out(c) for c in selectors.change_requests(actor=request.user, state=state)[:200]]


@router.get("/changes/{change_id}", response={200: dict, **ERRORS}, summary="变更申请（含对待遇的影响）")
def change_detail(request, change_id: Id):
    c = selectors.change_request(actor=request.user, pk=change_id)
    return _change_out(c, changes.change_effects(actor=request.user, change=c))


@router.post("/changes/{change_id}/approve", response={200: dict, **ERRORS}, summary="复核通过并生效")
def change_approve(request, change_id: Id, payload: NoteIn):
    return _change_out(changes.change_approve(actor=request.user, change=change_id, note=payload.note))


@router.post("/changes/{change_id}/reject", response={200: dict, **ERRORS}, summary="退回变更申请")
def change_reject(request, change_id: Id, payload: NoteIn):
    return _change_out(changes.change_reject(actor=request.user, change=change_id, note=payload.note))


@router.post(
    "/changes/{change_id}/documents",
    response={201: dict, **ERRORS},
    summary="为待复核的变更申请添加证明材料（PDF、JPG、PNG）",
)
def change_document_add(request, change_id: Id, file: File[UploadedFile], title: Form[str] = "证明材料"):
    d = changes.document_add(actor=request.user, change=change_id, file=file, title=title)
    return Status(201, {"id": d.pk, "title": d.title, "size": d.size, "content_type": d.content_type})


@router.get("/changes/{change_id}/documents/{doc_id}", response={200: None, **ERRORS}, summary="查阅证明材料")
def change_document(request, change_id: Id, doc_id: Id):
    d = selectors.change_document(actor=request.user, change_id=change_id, doc_id=doc_id)
    return FileResponse(open_stored(d.path), content_type=d.content_type)
