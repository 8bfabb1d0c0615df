"""Intake JSON API, mounted at /api/intake/. Thin: parse, call one service or selector, shape.
Every step of the window and the unit is here with the same rules as the screens; the public
tracking look-up and the published results need no log-in.

Errors are ``{"code", "field", "message"}``: 400 rule broken, 401 not logged in, 403 not
allowed (e.g. ``not_your_unit``), 404 unknown, 409 illegal move or lost race
(``illegal_transition`` codes such as ``referral_closed``, ``stale_version``), 422 malformed
request, 429 too many failed tracking look-ups."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.db import transaction
from django.http import FileResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from jiuzhu.common.errors import NotFound, PermissionDenied, ValidationFailed
from jiuzhu.common.roles import role_of
from jiuzhu.common.schemas import ERRORS, ErrorOut
from jiuzhu.common.scope import RoleNotAllowed
from jiuzhu.common.services import log_access
from jiuzhu.common.signin import client_ip
from jiuzhu.common.values import MonthParam
from jiuzhu.registry.api import HouseholdIn
from jiuzhu.registry.models import Unit
from jiuzhu.registry.selectors import get_household, get_person

from . import documents, handling, selectors, services
from .models import NEEDS, Document, EmergencyAid, Referral

router = Router(tags=["intake 一门受理与协同办理"])


# --- schemas --------------------------------------------------------------------------------


class ApplicationIn(Schema):
    household: str | None = Field(None, description="已登记家庭的编号；与 new_household 二选一")
    new_household: HouseholdIn | None = Field(None, description="未登记的家庭：在受理时一并登记")
    applicant_id_number: str | None = Field(None, description="申请人身份证号码（须为家庭成员）；默认户主")
    needs: list[str] = Field(..., description="救助需求：" + "；".join(f"{k}={v}" for k, v in NEEDS))
    description: str = Field("", description="困难情况")
    requester_kind: str = Field("self", description="提出人：self/member/agent/committee/proactive")
    requester_name: str = ""
    requester_phone: str = ""
    promise_signed: bool = Field(False, description="已签署承诺书")
    emergency_cause: str = Field(
        "", description="急难原因（需求含 emergency 时）：fire/accident/illness/disaster/other"
    )
    emergency_need: str | None = Field(None, description="急难所需金额（元），规则据此核定先行救助金额")


class ApplicantOut(Schema):
    name: str
    id_number: str


class ResultOut(Schema):
    kind: str
    amount: str | None = None
    period: str | None = None
    period_display: str | None = None
    start_month: str | None = None
    note: str | None = None
    reasons: str | None = None
    basis: str | None = None
    alternatives: str | None = None
    charity: str | None = None


class ReferralOut(Schema):
    id: int
    version: int = Field(..., description="乐观锁版本：操作时回传，可防止覆盖他人的处理")
    application: str
    service_code: str
    service_name: str
    category: str
    unit: str
    unit_name: str
    leg: int
    chain_root: int | None
    transferred_from: int | None
    state: str
    state_display: str
    referred_on: date
    limit_days: int
    due_on: date
    due_warning: str
    paused_since: date | None
    paused_days: int
    missing_material: str
    closed_on: date | None
    transfer_reason: str
    result: ResultOut | None
    proposal: dict
    flag: str
    actions: list[str] = Field(..., description="当前用户此刻可执行的操作")
    held_grant: dict | None = Field(
        None,
        description="待第二人签批的给付（id, amount, level, rest_to_charity: 超过最高档转介慈善的金额）；签批前不发放",
    )


class DocumentOut(Schema):
    id: int
    kind: str
    kind_display: str
    title: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    referral: int | None
    uploaded_at: datetime


class AuthorisationOut(Schema):
    id: int
    person: str
    scope: str
    service_code: str
    signed_on: date
    valid_until: date | None
    revoked_on: date | None
    document: int | None


class PersonRef(Schema):
    person_id: int
    name: str


class EmergencyOut(Schema):
    id: int
    version: int
    amount: str
    cause: str
    cause_display: str
    granted_on: date
    file_due_on: date
    state: str
    state_display: str
    completed_on: date | None


class EventOut(Schema):
    at: datetime
    kind: str
    kind_display: str
    actor: str
    unit: str
    referral: int | None
    note: str


class ApplicationOut(Schema):
    tracking_code: str
    household: str
    window: str
    window_name: str
    applicant: ApplicantOut
    requester_kind: str
    requester_kind_display: str
    requester_name: str
    needs: list[str]
    needs_display: list[str]
    description: str
    promise_signed: bool
    received_at: datetime
    received_on: date
    status: str
    status_display: str
    referrals: list[ReferralOut]
    documents: list[DocumentOut]
    authorisations: list[AuthorisationOut]
    missing_authorisations: list[PersonRef]
    emergency_aid: list[EmergencyOut]
    events: list[EventOut]


class ApplicationCreated(Schema):
    tracking_code: str = Field(..., description="查询码（10位 Crockford base32）", examples=["7KQ2MX9D4T"])
    household: str
    window: str
    window_name: str
    applicant: ApplicantOut
    needs: list[str]
    received_on: date
    status: str


class ApplicationBrief(Schema):
    tracking_code: str
    household: str
    received_on: date
    needs: list[str]
    status: str


class ProposalOut(Schema):
    service_code: str
    service_name: str
    category: str
    unit: str
    limit_days: int
    eligible: bool | None = Field(..., description="规则预审结果；null 表示未能预审")
    amount: str | None = Field(..., description="规则预审的金额（元）；周期见 amount_period")
    amount_period: str | None = Field(..., description="month=每月, year=每年, once=一次性")
    reasons: list[str]
    asked: bool = Field(..., description="属于申请的救助需求")
    already_received: bool
    conflicts_with: list[str] = Field(..., description="与已享受的哪些事项不可兼得")
    recommended: bool


class AuthorisationIn(Schema):
    person_id_number: str
    service_code: str = Field(
        ..., min_length=1, description="授权书所为的救助事项代码（本市政策文件中的事项）", examples=["dibao"]
    )
    signed_on: date
    valid_until: date | None = None
    document: int | None = Field(None, description="已上传的授权书文件编号")


class ReferIn(Schema):
    services: list[str] = Field(..., description="确认分办的事项代码", examples=[["dibao", "education_aid"]])
    note: str = ""
    cause: str = Field(
        "", description="临时救助的事由 fire/accident/illness/disaster/other（同一事由12个月内只救助一次）"
    )


class VersionIn(Schema):
    version: int | None = Field(None, description="看到的版本；不一致时返回 409 stale_version")
    note: str = ""


class SupplementIn(VersionIn):
    missing: str = Field(..., description="一次性告知需补正的全部材料")


class SupplementReceivedIn(VersionIn):
    documents: list[int] = Field(default_factory=list, description="随附的补正材料文件编号")


class TransferIn(VersionIn):
    to_unit: str = Field(..., description="接收单位代码", examples=["civil_affairs"])
    reason: str


class GrantIn(VersionIn):
    amount: str | None = Field(
        None, description="不填则按规则测算金额；与规则不同须在 note 写明理由", examples=["500.00"]
    )
    period: str | None = Field(None, description="month=每月；once=一次性；year=每学年/每年；不填按规则")
    start_month: date = Field(..., description="起始月份（取当月1日）", examples=["2026-11-01"])
    up_to_top_tier: bool = Field(
        False,
        description="临时救助：amount 为核定所需金额且超过最高档时，按最高档提请联席会议“一事一议”，"
        "其余转介慈善救助（不选则超过最高档不予给予，错误码 above_top_tier）",
    )


class RefuseIn(VersionIn):
    reasons: str = Field(..., description="理由（比较的数字）")
    basis: str = Field(..., description="政策依据（文件及条款）")
    alternatives: str = Field(..., description="可申请的其他救助或慈善帮扶")


class CharityIn(VersionIn):
    charity_name: str


class EmergencyIn(Schema):
    amount: str | None = Field(
        None, examples=["1500.00"], description="omitted: the rule's amount on the declared need"
    )
    cause: str = Field("", description="fire/accident/illness/disaster/other; omitted: the declared cause")
    note: str = ""


class DeadlinesOut(Schema):
    today: date
    due_soon: list[ReferralOut]
    overdue: list[ReferralOut]
    emergency_overdue: list[dict]


class NotificationOut(Schema):
    id: int
    kind: str
    message: str
    created_at: datetime
    application: str | None
    read: bool


class TransferOut(Schema):
    from_: str = Field(..., alias="from")
    to: str
    on: date | None
    reason: str


class TrackServiceOut(Schema):
    service: str
    service_code: str
    unit: str
    state: str
    state_display: str
    referred_on: date
    due_on: date | None
    missing_material: str
    transfers: list[TransferOut]
    closed_on: date | None
    result: ResultOut | None


class TrackOut(Schema):
    tracking_code: str
    received_on: date
    window: str
    status: str
    status_display: str
    services: list[TrackServiceOut]
    emergency_aid: list[dict]


class TrackIn(Schema):
    code: str = Field(..., description="查询码（10位，可含连字符）", examples=["7KQ2M-X9D4T"])
    id_tail: str = Field(..., description="申请人身份证号码后4位", examples=["001X"])


# --- helpers --------------------------------------------------------------------------------


def _app(code: str, user):
    app = services.get_application(code)
    selectors.ensure_can_view(user, app)
    return app


def _app_out(app, user) -> dict:
    log_access(
        user=user,
        action="view",
        object_type="intake.application",
        object_id=app.tracking_code,
        household_code=app.household.code,
        purpose="一门受理办理",
    )
    return selectors.application_view(app, user)


def _referral(pk: int) -> Referral:
    r = Referral.objects.select_related("application", "application__window", "unit").filter(pk=pk).first()
    if r is None:
        raise NotFound("分办事项不存在", field="referral")
    return r


def _ref_out(r: Referral, user) -> dict:
    r = _referral(r.pk)
    return selectors.referral_view(r, user)


def _ip(request) -> str:
    return client_ip(request)


# --- window ---------------------------------------------------------------------------------


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
    referral: Form[int | None] = None,
):
    app = services.get_application(code)
    ref = _referral(referral) if referral else None
    if ref is not None and ref.application_id != app.pk:
        raise ValidationFailed("该事项不属于本申请", field="referral")
    doc = services.document_add(
        actor=request.user, application=app, file=file, name=file.name, kind=kind, title=title, referral=ref
    )
    return Status(201, {**doc.__dict__, "kind_display": doc.get_kind_display(), "referral": doc.referral_id})


@router.get("/documents/{doc_id}", response={200: None, **ERRORS}, summary="下载材料（记录访问）")
def document_download(request, doc_id: int):
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
def emergency_complete(request, aid_id: int, payload: VersionIn):
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


# --- unit handling ----------------------------------------------------------------------------


@router.get("/inbox", response={200: list[ReferralOut], **ERRORS}, summary="本单位待办（按期限排序）")
def inbox(request, include_closed: bool = False):
    user = request.user
    if user.unit is None:
        raise PermissionDenied("您没有所属单位", code="no_unit")
    return [
        selectors.referral_view(r, user) for r in selectors.inbox(user.unit, include_closed=include_closed)
    ]


@router.get("/referrals/{ref_id}", response={200: ReferralOut, **ERRORS}, summary="分办事项")
def referral_read(request, ref_id: int):
    r = _referral(ref_id)
    selectors.ensure_can_view(request.user, r.application)
    return selectors.referral_view(r, request.user)


@router.post("/referrals/{ref_id}/accept", response={200: ReferralOut, **ERRORS}, summary="签收")
def referral_accept(request, ref_id: int, payload: VersionIn):
    r = handling.referral_accept(
        actor=request.user, referral=ref_id, version=payload.version, note=payload.note
    )
    return _ref_out(r, request.user)


@router.post(
    "/referrals/{ref_id}/supplement-request",
    response={200: ReferralOut, **ERRORS},
    summary="要求补正（停止计时）",
)
def referral_supplement(request, ref_id: int, payload: SupplementIn):
    r = handling.referral_request_supplement(
        actor=request.user, referral=ref_id, missing=payload.missing, version=payload.version
    )
    return _ref_out(r, request.user)


@router.post(
    "/referrals/{ref_id}/supplement-received",
    response={200: ReferralOut, **ERRORS},
    summary="补正材料送达（恢复计时）",
)
def referral_supplement_received(request, ref_id: int, payload: SupplementReceivedIn):
    docs = list(Document.objects.filter(pk__in=payload.documents))
    if len(docs) != len(set(payload.documents)):
        raise NotFound("补正材料文件不存在", field="documents")
    r = handling.referral_receive_supplement(
        actor=request.user, referral=ref_id, note=payload.note, documents=docs, version=payload.version
    )
    return _ref_out(r, request.user)


@router.post(
    "/referrals/{ref_id}/transfer", response={200: ReferralOut, **ERRORS}, summary="转办（返回新的分办事项）"
)
def referral_transfer(request, ref_id: int, payload: TransferIn):
    r = handling.referral_transfer(
        actor=request.user,
        referral=ref_id,
        to_unit=payload.to_unit,
        reason=payload.reason,
        version=payload.version,
    )
    return _ref_out(r, request.user)


@router.post("/referrals/{ref_id}/grant", response={200: ReferralOut, **ERRORS}, summary="反馈：给予救助")
def referral_grant(request, ref_id: int, payload: GrantIn):
    r = handling.referral_grant(
        actor=request.user,
        referral=ref_id,
        amount=payload.amount,
        period=payload.period,
        start_month=payload.start_month,
        note=payload.note,
        version=payload.version,
        up_to_top_tier=payload.up_to_top_tier,
    )
    return _ref_out(r, request.user)


@router.post(
    "/referrals/{ref_id}/refuse",
    response={200: ReferralOut, **ERRORS},
    summary="反馈：不予救助（须有理由、依据和替代救助）",
)
def referral_refuse(request, ref_id: int, payload: RefuseIn):
    r = handling.referral_refuse(
        actor=request.user,
        referral=ref_id,
        reasons=payload.reasons,
        basis=payload.basis,
        alternatives=payload.alternatives,
        version=payload.version,
    )
    return _ref_out(r, request.user)


@router.post(
    "/referrals/{ref_id}/charity", response={200: ReferralOut, **ERRORS}, summary="反馈：转介慈善力量"
)
def referral_charity(request, ref_id: int, payload: CharityIn):
    r = handling.referral_charity(
        actor=request.user,
        referral=ref_id,
        charity_name=payload.charity_name,
        note=payload.note,
        version=payload.version,
    )
    return _ref_out(r, request.user)


# --- deadlines and notices --------------------------------------------------------------------


@router.get("/deadlines", response={200: DeadlinesOut, **ERRORS}, summary="临近期限与超期事项")
def deadlines(
    request,
    scope: Literal["unit", "window", "all"] = Query(
        "unit", description="unit=本单位承办；window=本窗口受理；all=全市（监督）"
    ),
):
    user = request.user
    if scope == "all":
        if not selectors.reads_city_wide(user):
            raise RoleNotAllowed("只有监督、审批和管理角色可以查看全市情况", field="scope")
        lists = selectors.deadline_lists()
    elif scope == "window":
        lists = selectors.deadline_lists(window=services.ensure_window_staff(user))
    elif scope == "unit":
        if user.unit is None:
            raise PermissionDenied("您没有所属单位", code="no_unit")
        lists = selectors.deadline_lists(unit=user.unit)
    else:
        raise ValidationFailed("scope 应为 unit、window 或 all", field="scope")
    return {
        "today": lists.today,
        "due_soon": [selectors.referral_view(r, user) for r in lists.due_soon],
        "overdue": [selectors.referral_view(r, user) for r in lists.overdue],
        "emergency_overdue": [
            {
                "id": a.pk,
                "application": a.application.tracking_code,
                "amount": f"{a.amount:.2f}",
                "file_due_on": a.file_due_on.isoformat(),
            }
            for a in lists.emergency_overdue
        ],
    }


@router.get("/notifications", response={200: list[NotificationOut], **ERRORS}, summary="站内通知")
def notifications(request):
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "message": n.message,
            "created_at": n.created_at,
            "application": n.application.tracking_code if n.application_id else None,
            "read": n.read_at is not None,
        }
        for n in selectors.notifications_for(request.user)
    ]


# --- public -----------------------------------------------------------------------------------


@router.post(
    "/track",
    auth=None,
    response={200: TrackOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
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
