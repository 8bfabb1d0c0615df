"""Decisions JSON API, mounted at /api/decisions/. Thin: parse, call one service or selector,
shape. Staff endpoints need a session; the public notices and the objection form do not.
Errors are ``{"code", "field", "message"}`` (e.g. ``notice_running``, ``objection_open``,
``relative_signoff_required``, ``refusal_figures_required``, ``too_many_objections``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.db import transaction
from ninja import Field, Query, Router, Schema, Status

from jiuzhu.common import clock
from jiuzhu.common import masking as m
from jiuzhu.common.errors import NotFound
from jiuzhu.common.schemas import ErrorOut
from jiuzhu.common.services import log_access
from jiuzhu.common.signin import client_ip
from jiuzhu.common.values import Bounded, DateParam, Id, IdNumber, Note, OptionalAmount, PastDate, Phone

from . import cases, grants, notices, reviews, selectors
from .models import Case
from .views import _ensure_reader

router = Router(tags=["decisions 审核确认、公示、动态管理"])


class CaseOut(Schema):
    id: int
    household: str
    service_code: str
    service_name: str
    town: str
    state: str
    state_display: str
    received_on: date
    due_on: date
    flag: str
    extension_ground: str
    close_relative: bool
    amount: str | None
    eligible: bool | None
    reasons: list[dict] = []
    entitlement_id: int | None


def _case_out(c: Case, role: str, today: date | None = None) -> dict:
    return {
        "id": c.pk,
        "household": c.household.code,
        "service_code": c.service_code,
        "service_name": c.service_name,
        "town": c.town.code,
        "state": c.state,
        "state_display": c.get_state_display(),
        "received_on": c.received_on,
        "due_on": c.due_on,
        "flag": selectors.case_flag(c, today or clock.today()),
        "extension_ground": c.extension_ground,
        "close_relative": c.close_relative,
        "amount": None if c.amount is None else f"{c.amount:.2f}",
        "eligible": c.result.get("eligible"),
        "reasons": c.result.get("reasons", []) if m.sees("income", role) else [],
        "entitlement_id": c.entitlement_id,
    }


def _load(request, pk: int) -> tuple[Case, str]:
    c = Case.objects.select_related("household", "town").filter(pk=pk).first()
    if c is None:
        raise NotFound("审核确认案件不存在", field="case")
    return c, _ensure_reader(request.user, c)


@router.get("/cases", response={200: list[CaseOut], 403: ErrorOut}, summary="案件列表（按角色）")
def case_list(
    request,
    state: str = Query(
        "open", description="open / investigating / notice / decision / approved / refused / 空=全部"
    ),
):
    role = _ensure_reader(request.user)
    return [_case_out(c, role) for c in selectors.cases_for(request.user, state=state or None)]


@router.get("/cases/{pk}", response={200: CaseOut, 403: ErrorOut, 404: ErrorOut}, summary="案件详情")
def case_detail(request, pk: Id):
    with transaction.atomic():
        c, role = _load(request, pk)
        log_access(
            user=request.user,
            action="view",
            object_type="decisions.case",
            object_id=c.pk,
            household_code=c.household.code,
            purpose="审核确认（API）",
        )
    return _case_out(c, role)


class OpenIn(Schema):
    referral_id: Id


@router.post(
    "/cases",
    response={201: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="镇街启动审核确认（由分办事项）",
)
def case_open(request, payload: OpenIn):
    c = cases.case_open(actor=request.user, referral=payload.referral_id)
    return Status(201, _case_out(c, m.TOWN_CASEWORKER))


class InvestigationIn(Schema):
    kind: Annotated[str, Bounded(20)] = Field(
        ..., description="home_visit / neighbourhood / appraisal / county_visit"
    )
    done_on: PastDate = Field(..., description="调查日期，不晚于今天")
    staff_names: list[Annotated[str, Bounded(50)]] = Field(
        ..., max_length=50, description="调查人员姓名，至少2人"
    )
    findings: Note = Field(..., description="调查情况")


@router.post(
    "/cases/{pk}/investigations",
    response={201: dict, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="登记调查记录",
)
def investigation_add(request, pk: Id, payload: InvestigationIn):
    inv = cases.investigation_record(actor=request.user, case=pk, **payload.dict())
    return Status(201, {"id": inv.pk, "kind": inv.kind})


class OpinionIn(Schema):
    recommend: Annotated[str, Bounded(10)] = Field(..., description="approve（进入公示）/ refuse（报审批）")
    note: Note = ""
    version: int | None = None


@router.post(
    "/cases/{pk}/opinion",
    response={200: CaseOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="镇街初审意见（冻结政策规则测算结果）",
)
def opinion(request, pk: Id, payload: OpinionIn):
    c = cases.opinion_give(
        actor=request.user, case=pk, recommend=payload.recommend, note=payload.note, version=payload.version
    )
    return _case_out(c, m.TOWN_CASEWORKER)


class DecideIn(Schema):
    note: Note = ""
    reasons: Note = Field("", description="不予批准时：审批人补充的理由（须含核算数额）")
    alternatives: list[Annotated[str, Bounded(200)]] = Field([], max_length=20, description="其他救助途径")
    without_account: bool = Field(
        False, description="批准时：领取人尚无经复核的收款银行账户，审批人确认仍予批准（首月发放暂停）"
    )
    version: int | None = None


@router.post(
    "/cases/{pk}/approve",
    response={200: CaseOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="批准（生成待遇与决定书）",
)
def approve(request, pk: Id, payload: DecideIn):
    return _case_out(
        cases.case_approve(
            actor=request.user,
            case=pk,
            note=payload.note,
            version=payload.version,
            without_account=payload.without_account,
        ),
        m.APPROVER,
    )


@router.post(
    "/cases/{pk}/refuse",
    response={200: CaseOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="不予批准（决定书须含理由与数额、依据、其他救助途径、救济权利）",
)
def refuse(request, pk: Id, payload: DecideIn):
    c = cases.case_refuse(
        actor=request.user,
        case=pk,
        reasons=payload.reasons,
        alternatives=payload.alternatives,
        version=payload.version,
    )
    return _case_out(c, m.APPROVER)


class ReviewIn(Schema):
    outcome: str | None = Field(None, description="continue / adjust / gradual_exit / stop；默认按规则建议")
    amount: OptionalAmount = Field(None, description="金额（元），字符串；不填 = 按规则建议")
    note: Note = ""


@router.post(
    "/reviews/{pk}/confirm",
    response={200: dict, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="镇街确认复核结论",
)
def review_confirm(request, pk: Id, payload: ReviewIn):
    r = reviews.review_confirm(
        actor=request.user, review=pk, outcome=payload.outcome, amount=payload.amount, note=payload.note
    )
    return {"id": r.pk, "state": r.state, "outcome": r.outcome}


@router.post(
    "/reviews/{pk}/sign",
    response={200: dict, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="审批复核结论（出具决定书）",
)
def review_sign(request, pk: Id):
    r = reviews.review_sign(actor=request.user, review=pk)
    return {"id": r.pk, "state": r.state, "outcome": r.outcome, "letter": r.letters.get().number}


class GrantRequestOut(Schema):
    id: int
    referral: int
    household: str
    service_code: str
    service_name: str
    unit: str
    amount: str
    amount_period: str
    start_month: date
    rule_amount: str | None = Field(None, description="规则测算金额；null = 按需核定")
    level: str = Field(..., description="county = 县级民政审批；joint = 联席会议一事一议")
    reason: str
    why: list[str]
    state: str = Field(..., description="pending / signed / rejected")
    state_display: str
    signed_on: date | None
    entitlement: int | None
    close_relative: bool = Field(False, description="工作人员近亲属（或工作人员本人家庭）")


def _grant_out(g) -> dict:
    return {
        "id": g.pk,
        "referral": g.referral_id,
        "household": g.household.code,
        "service_code": g.service_code,
        "service_name": g.service_name,
        "unit": g.unit.code,
        "amount": f"{g.amount:.2f}",
        "amount_period": g.amount_period,
        "start_month": g.start_month,
        "rule_amount": None if g.rule_amount is None else f"{g.rule_amount:.2f}",
        "level": g.level,
        "reason": g.reason,
        "why": g.why,
        "state": g.state,
        "state_display": g.get_state_display(),
        "signed_on": g.signed_on,
        "entitlement": g.entitlement_id,
        "close_relative": g.close_relative,
    }


@router.get("/grants", response={200: list[GrantRequestOut], 403: ErrorOut}, summary="待签批给付（发放签批）")
def grant_list(request, state: str = "pending"):
    from .views import _grant_reader

    _grant_reader(request.user)
    return [_grant_out(g) for g in selectors.grant_requests_for(request.user, state=state or None)]


class GrantSignIn(Schema):
    note: Note = ""
    joint_met_on: PastDate | None = Field(None, description="一事一议：会议日期（不晚于今天）")
    joint_members: list[Annotated[str, Bounded(100)]] = Field(
        default_factory=list, max_length=50, description="一事一议：出席成员（姓名、单位）"
    )
    joint_minutes: Note = Field("", description="一事一议：会议纪要")


@router.post(
    "/grants/{pk}/sign",
    response={200: GrantRequestOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="第二人签批给付（签批后生效并纳入发放）",
)
def grant_sign(request, pk: Id, payload: GrantSignIn):
    g = grants.grant_sign(
        actor=request.user,
        request=pk,
        note=payload.note,
        joint_met_on=payload.joint_met_on,
        joint_members=payload.joint_members,
        joint_minutes=payload.joint_minutes,
    )
    return _grant_out(g)


class GrantReturnIn(Schema):
    note: Note


@router.post(
    "/grants/{pk}/return",
    response={200: GrantRequestOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="退回待签批给付",
)
def grant_return(request, pk: Id, payload: GrantReturnIn):
    return _grant_out(grants.grant_return(actor=request.user, request=pk, note=payload.note))


# --- fraud decisions and close relatives of staff ------------------------------------------------


class FraudIn(Schema):
    from_month: date = Field(..., description="骗取起始月份（该月起停止并追回）")
    facts: Note = Field(..., description="查明的骗取事实")
    fine_multiple: Annotated[str, Bounded(10, required=False)] | None = Field(
        None, description="罚款倍数 1–3；不填 = 不处罚款"
    )


class FraudOut(Schema):
    id: int
    entitlement: int
    from_month: date
    obtained: str
    fine_multiple: str | None
    fine: str
    letter: str | None

    # filled from the FraudDecision the service returns
    @staticmethod
    def resolve_entitlement(d) -> int:
        return d.entitlement_id

    @staticmethod
    def resolve_obtained(d) -> str:
        return f"{d.obtained:.2f}"

    @staticmethod
    def resolve_fine_multiple(d) -> str | None:
        return None if d.fine_multiple is None else f"{d.fine_multiple:g}"

    @staticmethod
    def resolve_fine(d) -> str:
        return f"{d.fine:.2f}"

    @staticmethod
    def resolve_letter(d) -> str | None:
        return d.letter.number if d.letter else None


@router.post(
    "/entitlements/{pk}/fraud",
    response={201: FraudOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="骗取救助处理决定（停止、追回、罚款）",
)
def fraud_decide(request, pk: Id, payload: FraudIn):
    from .fraud import fraud_decide as decide

    d = decide(
        actor=request.user,
        entitlement=pk,
        from_month=payload.from_month,
        facts=payload.facts,
        fine_multiple=payload.fine_multiple,
    )
    return Status(201, d)


class DepartmentReviewOut(Schema):
    outcome: str = Field(..., description="continued（继续）/ adjusted（按规则金额调整）/ stopped（停止）")
    entitlement: int = Field(..., description="复核后的待遇（调整时为新的待遇）")
    next_review_on: date | None
    end_month: date | None
    message: str


@router.post(
    "/entitlements/{pk}/review",
    response={200: DepartmentReviewOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="部门待遇到期复核（按规则继续、调整或停止）",
)
def department_review(request, pk: Id):
    from .department_reviews import department_review as review

    out = review(actor=request.user, entitlement=pk)
    e = out.entitlement
    return {
        "outcome": out.outcome,
        "entitlement": e.pk,
        "next_review_on": e.next_review_on,
        "end_month": e.end_month,
        "message": out.text,
    }


class RelativeIn(Schema):
    name: Annotated[str, Bounded(50)]
    id_number: IdNumber
    relation: str = Field(
        ..., description="spouse / parent / child / sibling / grandparent / grandchild / in_law"
    )
    staff: Id | None = Field(None, description="为其他工作人员申报（仅系统管理员）；不填 = 本人")


class RelativeOut(Schema):
    id: int
    staff: Id | None
    declarant: str
    relation: str
    declared_on: date

    # filled from the StaffRelative the service returns
    @staticmethod
    def resolve_staff(x) -> int | None:
        return x.staff_id

    @staticmethod
    def resolve_declarant(x) -> str:
        return x.declarant_name

    @staticmethod
    def resolve_relation(x) -> str:
        return x.get_relation_display()


@router.post(
    "/relatives",
    response={201: RelativeOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="申报工作人员近亲属",
)
def relative_declare(request, payload: RelativeIn):
    from jiuzhu.registry.models import User

    from .relatives import relative_declare as declare

    staff = None
    if payload.staff is not None:
        staff = User.objects.filter(pk=payload.staff).first()
        if staff is None:
            raise NotFound("工作人员不存在", field="staff")
    x = declare(
        actor=request.user,
        staff=staff,
        name=payload.name,
        id_number=payload.id_number,
        relation=payload.relation,
    )
    return Status(201, x)


class StaffIdIn(Schema):
    id_number: IdNumber


@router.post(
    "/staff/id-number",
    response={200: dict, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="工作人员登记本人身份证号码",
)
def staff_id_number(request, payload: StaffIdIn):
    from .relatives import staff_id_number_set

    u = staff_id_number_set(actor=request.user, id_number=payload.id_number)
    return {"staff": u.pk, "id_number": m.mask_id_number(u.id_number)}


@router.get("/kpi", response={200: dict, 403: ErrorOut}, summary="审核确认指标")
def kpi(request, start: DateParam, end: DateParam):
    _ensure_reader(request.user)
    out = selectors.kpi_decisions(start=start, end=end)
    return {k: (str(v) if not isinstance(v, int) else v) for k, v in out.items()}


# --- public -----------------------------------------------------------------------------------


class NoticeOut(Schema):
    id: int
    kind: str = Field(..., description="grant（拟批准）/ termination（拟终止特困供养）")
    name: str = Field(..., description="公示姓名（按政策脱敏）")
    town: str
    community: str
    household_size: int
    service: str
    amount: str
    starts_on: date
    ends_on: date


@router.get("/notices", auth=None, response={200: list[NoticeOut]}, summary="公示（免登录）")
def notice_list(request, community: str = "", past: bool = False):
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "name": n.shown_name,
            "town": n.town.name,
            "community": n.community,
            "household_size": n.household_size,
            "service": n.service_name,
            "amount": f"{n.amount:.2f}",
            "starts_on": n.starts_on,
            "ends_on": n.ends_on,
        }
        for n in notices.public_notices(community=community, past=past)[:1000]
    ]


class ObjectionIn(Schema):
    text: Note = Field(..., description="异议内容（5 至 2000 字）")
    contact_name: Annotated[str, Bounded(50, required=False)] = ""
    contact_phone: Phone = ""


@router.post(
    "/notices/{pk}/objections",
    auth=None,
    response={201: dict, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    summary="对公示提出异议（免登录，按来源限制频次）",
)
def objection_add(request, pk: Id, payload: ObjectionIn):
    obj = notices.objection_lodge(notice=pk, ip=client_ip(request), **payload.dict())
    return Status(201, {"id": obj.pk, "state": obj.state})
