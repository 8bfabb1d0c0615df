"""The unit's endpoints: its inbox and each step of a referral; deadlines and notices."""

from __future__ import annotations

from typing import Literal

from ninja import Query

from jiuzhu.common.errors import NotFound, PermissionDenied, ValidationFailed
from jiuzhu.common.schemas import ERRORS
from jiuzhu.common.scope import RoleNotAllowed
from jiuzhu.common.values import Id

from .. import handling, selectors, services
from ..models import Document
from .base import _ref_out, _referral, router
from .schemas import (
    CharityIn,
    DeadlinesOut,
    GrantIn,
    NotificationOut,
    ReferralOut,
    RefuseIn,
    SupplementIn,
    SupplementReceivedIn,
    TransferIn,
    VersionIn,
)


@router.get("/inbox", response={200: list[ReferralOut], **ERRORS}, summary="本单位待办（按期限排序）")
def inbox(request, include_closed: bool = False):
    user = request.user
    if user.unit is None:
        raise PermissionDenied("您没有所属单位", code="no_unit")
    return [
        selectors.referral_view(r, user) for r in selectors.inbox(user.unit, include_closed=include_closed)
    ]


@router.get("/referrals/{ref_id}", response={200: ReferralOut, **ERRORS}, summary="分办事项")
def referral_read(request, ref_id: Id):
    r = _referral(ref_id)
    selectors.ensure_can_view(request.user, r.application)
    return selectors.referral_view(r, request.user)


@router.post("/referrals/{ref_id}/accept", response={200: ReferralOut, **ERRORS}, summary="签收")
def referral_accept(request, ref_id: Id, payload: VersionIn):
    r = handling.referral_accept(
        actor=request.user, referral=ref_id, version=payload.version, note=payload.note
    )
    return _ref_out(r, request.user)


@router.post(
    "/referrals/{ref_id}/supplement-request",
    response={200: ReferralOut, **ERRORS},
    summary="要求补正（停止计时）",
)
def referral_supplement(request, ref_id: Id, payload: SupplementIn):
    r = handling.referral_request_supplement(
        actor=request.user, referral=ref_id, missing=payload.missing, version=payload.version
    )
    return _ref_out(r, request.user)


@router.post(
    "/referrals/{ref_id}/supplement-received",
    response={200: ReferralOut, **ERRORS},
    summary="补正材料送达（恢复计时）",
)
def referral_supplement_received(request, ref_id: Id, payload: SupplementReceivedIn):
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
def referral_transfer(request, ref_id: Id, payload: TransferIn):
    r = handling.referral_transfer(
        actor=request.user,
        referral=ref_id,
        to_unit=payload.to_unit,
        reason=payload.reason,
        version=payload.version,
    )
    return _ref_out(r, request.user)


@router.post("/referrals/{ref_id}/grant", response={200: ReferralOut, **ERRORS}, summary="反馈：给予救助")
def referral_grant(request, ref_id: Id, payload: GrantIn):
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
def referral_refuse(request, ref_id: Id, payload: RefuseIn):
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
def referral_charity(request, ref_id: Id, payload: CharityIn):
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
