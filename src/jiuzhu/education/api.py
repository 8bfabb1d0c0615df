"""Education assistance over the API (/api/education/): the bureau's schools, a school's pupils
(enrolment at a stage, leaving), and the term batch — the eligible pupils the bureau sends the
school with the grant by the rule, and the school's confirmation, which grants each confirmed
pupil once per term (to the school as a transfer, or to the family by the roll). Thin over
``services``/``selectors`` with the screens' scope rows (``education.read`` /
``education.manage``); names and ID numbers masked for the reader's role, and the read of a
school's list logged. Errors are ``{"code", "field", "message", "request_id"}``."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.db import transaction
from ninja import Field, Query, Router, Schema, Status

from jiuzhu.common import clock
from jiuzhu.common.errors import NotFound, ValidationFailed
from jiuzhu.common.masking import present
from jiuzhu.common.roles import role_of
from jiuzhu.common.schemas import ERRORS
from jiuzhu.common.services import log_access
from jiuzhu.common.values import Id, IdNumber, Month, MonthParam, PastDate
from jiuzhu.payments.models import Institution
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Person, User

from . import selectors, services
from .models import Enrolment

router = Router(tags=["education 教育救助"])

STAGES = Literal["preschool", "primary", "junior", "senior", "vocational", "university"]


def _yuan(v) -> str:
    return f"{v:.2f}"


class SchoolOut(Schema):
    id: int
    code: str
    name: str
    unit: str
    pupils: int = Field(..., description="在读学生数")


class PupilOut(Schema):
    id: int = Field(..., description="在校记录编号")
    person: int
    household: str
    name: str = Field(..., description="姓名（按角色脱敏）")
    id_number: str = Field(..., description="身份证号码（按角色脱敏）")
    school: int
    stage: str
    stage_display: str
    entered_on: date
    year_in_stage: int
    left_on: date | None
    left_reason: str


class EnrolIn(Schema):
    id_number: IdNumber = Field(..., description="学生身份证号码（须在户籍档案中）")
    stage: STAGES = Field(..., description="学段")
    entered_on: PastDate = Field(..., description="入学日期")
    year_in_stage: int = Field(1, ge=1, le=6, description="入学时在该学段的第几年（学年升级据此计算）")


class LeaveIn(Schema):
    on: PastDate = Field(..., description="离校日期")
    reason: Literal["graduated", "left"] = Field(..., description="graduated=毕业；left=退学、转出或不再在读")


class TermQuery(Schema):
    term: MonthParam = Field(..., description="学期起始月（秋季学期 YYYY-09，春季学期 YYYY-03）")


class EligibleOut(Schema):
    person: int
    enrolment: int
    name: str
    id_number: str
    stage: str
    stage_display: str
    service_code: str
    amount: str
    to_school: bool = Field(..., description="拨付学校（否则发给家庭）")
    reason: str


class GrantedOut(Schema):
    person: int
    name: str
    stage: str
    service_code: str
    amount: str
    to_school: bool
    transfer: int | None
    entitlement: int | None


class TermOut(Schema):
    school: int
    term: date
    term_name: str
    eligible: list[EligibleOut] = Field(..., description="本学期可资助、尚未确认的学生（发给学校核对的名单）")
    granted: list[GrantedOut] = Field(..., description="本学期已确认资助的学生")


class ConfirmIn(Schema):
    term: Month = Field(..., description="学期起始月 YYYY-MM")
    confirmed: list[Id] = Field(
        ..., max_length=10000, description="学校确认在读的学生（人员编号，来自名单的 person）"
    )


class ConfirmOut(Schema):
    granted: int
    to_school: str
    to_family: str
    transfers: list[int]
    refused: list[int] = Field(..., description="确认名单中不在本学期可资助名单的人员编号")


class AdvanceOut(Schema):
    school_year: date = Field(..., description="本学年开始日期")
    advanced: int = Field(..., description="升入下一学段的学生数")
    graduated: int = Field(..., description="学业结束（毕业）的学生数")


def _school(actor: User, pk: int) -> Institution:
    if not Institution.objects.filter(pk=pk, kind=Institution.SCHOOL).exists():
        raise NotFound("学校不存在", field="school", code="school_not_found")
    return selectors.school_get(actor=actor, pk=pk)


def _pupil_out(e: Enrolment, role: str) -> dict:
    return {
        "id": e.pk,
        "person": e.person_id,
        "household": e.person.household.code,
        "name": present("name", e.person.name, role),
        "id_number": present("id_number", e.person.id_number, role),
        "school": e.school_id,
        "stage": e.stage,
        "stage_display": e.get_stage_display(),
        "entered_on": e.entered_on,
        "year_in_stage": e.year_in_stage,
        "left_on": e.left_on,
        "left_reason": e.left_reason,
    }


@router.get("/schools", response={200: list[SchoolOut], **ERRORS})
def school_list(request):
    """The schools of the reader's bureau (every school for city roles)."""
    return [
        {
            "id": s.pk,
            "code": s.code,
            "name": s.name,
            "unit": s.unit.code,
            "pupils": Enrolment.objects.filter(school=s, left_on__isnull=True).count(),
        }
        for s in selectors.schools_for(request.auth).select_related("unit").order_by("code")
    ]


@router.get("/schools/{school_id}/pupils", response={200: list[PupilOut], **ERRORS})
def pupil_list(request, school_id: Id, current: bool = True):
    """The school's pupils (``current``: those not left); the read is logged."""
    with transaction.atomic():
        s = _school(request.auth, school_id)
        log_access(
            user=request.auth,
            action="view",
            object_type="education.school",
            object_id=s.pk,
            purpose="教育救助在校学生名单（API）",
        )
        qs = Enrolment.objects.filter(school=s).select_related("person__household").order_by("stage", "pk")
        if current:
            qs = qs.filter(left_on__isnull=True)
        role = role_of(request.auth)
        return [_pupil_out(e, role) for e in qs]


@router.post("/schools/{school_id}/pupils", response={201: PupilOut, **ERRORS})
def enrolment_register(request, school_id: Id, body: EnrolIn):
    """A pupil at the school at a stage (one open enrolment per person)."""
    s = _school(request.auth, school_id)
    person = Person.objects.filter(id_number=body.id_number).first()
    if person is None:
        raise ValidationFailed("户籍档案中没有该身份证号码的人员", field="id_number", code="person_not_found")
    e = services.enrolment_register(
        actor=request.auth,
        school=s,
        person=person,
        stage=body.stage,
        entered_on=body.entered_on,
        year_in_stage=body.year_in_stage,
    )
    return Status(201, _pupil_out(e, role_of(request.auth)))


@router.post("/pupils/{enrolment_id}/leave", response={200: PupilOut, **ERRORS})
def pupil_leave(request, enrolment_id: Id, body: LeaveIn):
    """The pupil graduated or left: no term after that day is granted."""
    if not Enrolment.objects.filter(pk=enrolment_id).exists():
        raise NotFound("在校记录不存在", field="enrolment", code="enrolment_not_found")
    e = services.pupil_leave(actor=request.auth, enrolment=enrolment_id, on=body.on, reason=body.reason)
    return _pupil_out(e, role_of(request.auth))


@router.get("/schools/{school_id}/term", response={200: TermOut, **ERRORS})
def term_batch(request, school_id: Id, q: Query[TermQuery]):
    """The term batch of a school: the eligible pupils (dibao/tekun households, enrolled, not yet
    granted this term) with the grant by the rule, and those already granted. The read is
    logged."""
    policy = current_policy()
    role = role_of(request.auth)
    with transaction.atomic():
        s = _school(request.auth, school_id)
        log_access(
            user=request.auth,
            action="view",
            object_type="education.term",
            object_id=f"{s.pk}:{q.term:%Y-%m}",
            purpose="教育救助学期名单（API）",
        )
        eligible = selectors.term_eligible(actor=request.auth, school=s, term=q.term, policy=policy)
        granted = selectors.term_granted(actor=request.auth, school=s, term=q.term)
    return {
        "school": s.pk,
        "term": q.term,
        "term_name": selectors.term_name(q.term),
        "eligible": [
            {
                "person": r["person_id"],
                "enrolment": r["enrolment_id"],
                "name": r["name"],
                "id_number": r["id_number"],
                "stage": r["stage"],
                "stage_display": r["stage_label"],
                "service_code": r["grant"].service_code,
                "amount": _yuan(r["grant"].amount),
                "to_school": r["grant"].to_school,
                "reason": r["grant"].reason,
            }
            for r in eligible
        ],
        "granted": [
            {
                "person": g.person_id,
                "name": present("name", g.person.name, role),
                "stage": g.stage,
                "service_code": g.service_code,
                "amount": _yuan(g.amount),
                "to_school": g.to_school,
                "transfer": g.transfer_id,
                "entitlement": g.entitlement_id,
            }
            for g in granted
        ],
    }


@router.post("/schools/{school_id}/term/confirm", response={200: ConfirmOut, **ERRORS})
def term_confirm(request, school_id: Id, body: ConfirmIn):
    """The school's confirmed list for the term: each confirmed pupil still eligible is granted,
    once per term; the others are reported in ``refused``."""
    s = _school(request.auth, school_id)
    out = services.term_confirm(
        actor=request.auth, school=s, term=body.term, confirmed=body.confirmed, policy=current_policy()
    )
    return {
        "granted": out["granted"],
        "to_school": _yuan(out["to_school"]),
        "to_family": _yuan(out["to_family"]),
        "transfers": out["transfers"],
        "refused": out["refused"],
    }


@router.post("/stages/advance", response={200: AdvanceOut, **ERRORS})
def stages_advance(request):
    """The school year's advance for the bureau's schools: pupils whose stage's years are done
    go on to the next stage (or graduate after senior, vocational or university, which ends the
    grant); the registry's school stage follows. Again in the same school year: nothing."""
    return services.stages_advance(actor=request.auth, on=clock.today(), policy=current_policy())
