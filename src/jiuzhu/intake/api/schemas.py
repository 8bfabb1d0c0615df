"""Request and response schemas of the intake API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

from jiuzhu.common.values import Bounded, Id, Note, Phone
from jiuzhu.registry.api import HouseholdIn

from ..models import CAUSE_NOTE_MAX, NEEDS

# declared once, beside the read model that fills them
from ..selectors.read_models import ReferralOut as ReferralOut
from ..selectors.read_models import ResultOut as ResultOut


class ApplicationIn(Schema):
    household: str | None = Field(None, description="已登记家庭的编号；与 new_household 二选一")
    new_household: HouseholdIn | None = Field(None, description="未登记的家庭：在受理时一并登记")
    applicant_id_number: str | None = Field(None, description="申请人身份证号码（须为家庭成员）；默认户主")
    needs: list[str] = Field(..., description="救助需求：" + "；".join(f"{k}={v}" for k, v in NEEDS))
    description: Note = Field("", description="困难情况")
    requester_kind: str = Field("self", description="提出人：self/member/agent/committee/proactive")
    requester_name: Annotated[str, Bounded(50, required=False)] = ""
    requester_phone: Phone = ""
    promise_signed: bool = Field(False, description="已签署承诺书")
    emergency_cause: str = Field(
        "",
        description="急难原因（需求含 emergency 时），从列表选择：fire/accident/illness/disaster/medical_costs/education_costs/other",
    )
    emergency_cause_note: Annotated[str, Bounded(CAUSE_NOTE_MAX, required=False)] = Field(
        "", description="急难原因说明（自由文字，写在所选原因旁边）"
    )
    emergency_need: str | None = Field(None, description="急难所需金额（元），规则据此核定先行救助金额")


class ApplicantOut(Schema):
    name: str
    id_number: str


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
    document: Id | None


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
    emergency_cause: str = ""
    emergency_cause_display: str = ""
    emergency_cause_note: str = ""
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
    document: Id | None = Field(None, description="已上传的授权书文件编号")


class ReferIn(Schema):
    services: list[str] = Field(..., description="确认分办的事项代码", examples=[["dibao", "education_aid"]])
    note: Note = ""
    cause: str = Field(
        "",
        description="临时救助的事由，从列表选择：fire/accident/illness/disaster/medical_costs/education_costs/other（同一事由12个月内只救助一次）",
    )
    cause_note: Annotated[str, Bounded(CAUSE_NOTE_MAX, required=False)] = Field(
        "", description="事由说明（自由文字，写在所选事由旁边）"
    )


class VersionIn(Schema):
    version: int | None = Field(None, description="看到的版本；不一致时返回 409 stale_version")
    note: Note = ""


class SupplementIn(VersionIn):
    missing: Note = Field(..., description="一次性告知需补正的全部材料")


class SupplementReceivedIn(VersionIn):
    documents: list[Id] = Field(default_factory=list, description="随附的补正材料文件编号")


class TransferIn(VersionIn):
    to_unit: Annotated[str, Bounded(40)] = Field(..., description="接收单位代码", examples=["civil_affairs"])
    reason: Note


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
    reasons: Note = Field(..., description="理由（比较的数字）")
    basis: Note = Field(..., description="政策依据（文件及条款）")
    alternatives: Note = Field(..., description="可申请的其他救助或慈善帮扶")


class CharityIn(VersionIn):
    charity_name: Annotated[str, Bounded(100)]


class EmergencyIn(Schema):
    amount: str | None = Field(
        None, examples=["1500.00"], description="omitted: the rule's amount on the declared need"
    )
    cause: str = Field(
        "",
        description="fire/accident/illness/disaster/medical_costs/education_costs/other; omitted: the declared cause",
    )
    note: Note = ""


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
    code: Annotated[str, Bounded(20)] = Field(
        ..., description="查询码（10位，可含连字符）", examples=["7KQ2M-X9D4T"]
    )
    id_tail: Annotated[str, Bounded(18)] = Field(..., description="申请人身份证号码后4位", examples=["001X"])
