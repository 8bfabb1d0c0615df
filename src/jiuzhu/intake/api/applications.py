"""The window's endpoints: applications, documents, authorisations, proposals, referring,
emergency aid first (先行救助)."""

from __future__ import annotations

from django.db import transaction
from django.http import FileResponse
from ninja import File, Form, Query, Status
from ninja.files import UploadedFile

from jiuzhu.common.errors import NotFound, ValidationFailed
from jiuzhu.common.roles import role_of
from jiuzhu.common.schemas import ERRORS
from jiuzhu.common.values import Id
from jiuzhu.registry.selectors import get_household, get_person

from .. import documents, selectors, services
from ..models import Document, EmergencyAid
from .base import _app, _app_out, _ref_out, _referral, router
from .schemas import (
    ApplicationBrief,
    ApplicationCreated,
    ApplicationIn,
    ApplicationOut,
    AuthorisationIn,
    AuthorisationOut,
    DocumentOut,
    EmergencyIn,
    EmergencyOut,
    ProposalOut,
    ReferIn,
    ReferralOut,
    VersionIn,
)


@router.post(
    "/applications",
    response={201: ApplicationCreated, 200: ApplicationCreated, **ERRORS},
    summary="受理申请（可同时登记新家庭；同一家庭同样需求已有办理中的申请时返回该申请，200）",
)
def application_create(request, payload: ApplicationIn):
    user = request.user
    kwargs = payload.dict(
        include={
            "needs",
            "description",
            "requester_kind",
            "requester_name",
            "requester_phone",
            "promise_signed",
            "emergency_cause",
            "emergency_cause_note",
            "emergency_need",
        }
    )
    if payload.new_household is not None:
        data = payload.new_household.dict(exclude_none=True)
        members = [dict(mb) for mb in data.pop("members", [])]
        app = services.application_create_with_household(
            actor=user,
            household_data=data,
            members=members,
            applicant_id_number=payload.applicant_id_number,
            **kwargs,
        )
    else:
        if not payload.household:
            raise ValidationFailed("请填写家庭编号或登记新家庭", field="household", code="required")
        household = get_household(payload.household)
        applicant = None
        if payload.applicant_id_number:
            applicant = get_person(payload.applicant_id_number)
        app = services.application_create(actor=user, household=household, applicant=applicant, **kwargs)
    # The clerk just entered these facts: the short answer needs no access-log row; the full
    # file is GET /applications/{code}.
    return Status(
        200 if getattr(app, "reused", False) else 201,
        {
            "tracking_code": app.tracking_code,
            "household": app.household.code,
            "window": app.window.code,
            "window_name": app.window.name,
            "applicant": selectors.masked_applicant(app, role_of(user)),
            "needs": app.needs,
            "received_on": app.received_on,
            "status": app.status,
        },
    )


@router.get("/applications", response={200: list[ApplicationBrief], **ERRORS}, summary="本窗口受理的申请")
def application_list(request, limit: int = Query(50, ge=1, le=200, description="最多返回条数（1–200）")):
    window = services.ensure_window_staff(request.user)
    return [
        {
            "tracking_code": a.tracking_code,
            "household": a.household.code,
            "received_on": a.received_on,
            "needs": a.needs,
            "status": a.status,
        }
        for a in selectors.window_applications(window, limit=limit)
    ]


@router.get("/applications/{code}", response={200: ApplicationOut, **ERRORS}, summary="申请详情与办理记录")
def application_read(request, code: str):
    with transaction.atomic():
        return _app_out(_app(code, request.user), request.user)


@router.post(
    "/applications/{code}/documents", response={201: DocumentOut, **ERRORS}, summary="上传材料（PDF/JPG/PNG）"
)
def document_upload(
    request,
    code: str,
    file: File[UploadedFile],
    kind: Form[str] = "other",
    title: Form[str] = "",
    referral: Form[Id | None] = None,
):
    app = services.get_application(code)
    ref = _referral(referral) if referral else None
    if ref is not None and ref.application_id != app.pk:
        raise ValidationFailed("该事项不属于本申请", field="referral")
    doc = services.document_add(
        actor=request.user,
        application=app,
        file=file,
        name=file.name or "",
        kind=kind,
        title=title,
        referral=ref,
    )
    return Status(201, {**doc.__dict__, "kind_display": doc.get_kind_display(), "referral": doc.referral_id})


@router.get("/documents/{doc_id}", response={200: None, **ERRORS}, summary="下载材料（记录访问）")
def document_download(request, doc_id: Id):
    doc = selectors.document_for(request.user, doc_id)
    ext = doc.path.rsplit(".", 1)[-1]
    return FileResponse(
        documents.open_stored(doc.path),
        content_type=doc.content_type,
        filename=f"{doc.application.tracking_code}-{doc.pk}.{ext}",
    )


@router.post(
    "/applications/{code}/authorisations", response={201: AuthorisationOut, **ERRORS}, summary="登记核对授权"
)
def authorisation_create(request, code: str, payload: AuthorisationIn):
    app = services.get_application(code)
    person = get_person(payload.person_id_number)
    doc = None
    if payload.document:
        doc = Document.objects.filter(pk=payload.document).first()
        if doc is None:
            raise NotFound("授权书文件不存在", field="document")
    a = services.authorisation_record(
        actor=request.user,
        application=app,
        person=person,
        signed_on=payload.signed_on,
        valid_until=payload.valid_until,
        document=doc,
        service_code=payload.service_code.strip(),
    )
    return Status(
        201,
        {
            "id": a.pk,
            "person": person.name,
            "scope": a.scope,
            "service_code": a.service_code,
            "signed_on": a.signed_on,
            "valid_until": a.valid_until,
            "revoked_on": None,
            "document": a.document_id,
        },
    )


@router.get(
    "/applications/{code}/proposals", response={200: list[ProposalOut], **ERRORS}, summary="救助事项预审建议"
)
def application_proposals(request, code: str):
    app = services.get_application(code)
    services.ensure_window_of(request.user, app)
    return [
        {
            "service_code": p.service.code,
            "service_name": p.service.name,
            "category": p.service.category,
            "unit": p.service.unit_code,
            "limit_days": p.service.limit_days,
            "recommended": p.recommended,
            **p.snapshot(),
        }
        for p in selectors.proposals(app)
    ]


@router.post(
    "/applications/{code}/referrals", response={201: list[ReferralOut], **ERRORS}, summary="确认分办"
)
def application_refer(request, code: str, payload: ReferIn):
    app = services.get_application(code)
    made = services.refer(
        actor=request.user,
        application=app,
        service_codes=payload.services,
        note=payload.note,
        cause=payload.cause,
        cause_note=payload.cause_note,
    )
    return Status(201, [_ref_out(r, request.user) for r in made])


@router.post("/applications/{code}/emergency-aid", response={201: EmergencyOut, **ERRORS}, summary="先行救助")
def emergency_create(request, code: str, payload: EmergencyIn):
    app = services.get_application(code)
    aid = services.emergency_grant(
        actor=request.user, application=app, amount=payload.amount, cause=payload.cause, note=payload.note
    )
    return Status(201, _aid_out(aid))


@router.post(
    "/emergency-aid/{aid_id}/complete", response={200: EmergencyOut, **ERRORS}, summary="先行救助补齐手续"
)
def emergency_complete(request, aid_id: Id, payload: VersionIn):
    aid = EmergencyAid.objects.filter(pk=aid_id).first()
    if aid is None:
        raise NotFound("先行救助记录不存在", field="aid")
    aid = services.emergency_complete(actor=request.user, aid=aid, note=payload.note, version=payload.version)
    return _aid_out(aid)


def _aid_out(aid: EmergencyAid) -> dict:
    return {
        "id": aid.pk,
        "version": aid.version,
        "amount": f"{aid.amount:.2f}",
        "cause": aid.cause,
        "cause_display": aid.get_cause_display(),
        "granted_on": aid.granted_on,
        "file_due_on": aid.file_due_on,
        "state": aid.state,
        "state_display": aid.get_state_display(),
        "completed_on": aid.completed_on,
    }
