"""Employment assistance over the API (/api/employment/): the unemployment registrations, the
job and public-welfare post offers with the person's answers (the third refusal in a row without
good reason issues the duty letter), the outcome, the training and post subsidies, and the
zero-employment households due a public-welfare post. Thin over ``services``/``selectors``, with
the screens' scope rows (``employment.read`` / ``employment.manage``) and masking; every read of
one registration is logged. Errors are ``{"code", "field", "message", "request_id"}``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from django.db import transaction
from ninja import Field, Router, Schema, Status

from jiuzhu.common import clock
from jiuzhu.common.errors import NotFound, ValidationFailed
from jiuzhu.common.masking import present
from jiuzhu.common.roles import role_of
from jiuzhu.common.schemas import ERRORS
from jiuzhu.common.services import log_access
from jiuzhu.common.values import Bounded, Id, IdNumber, Money, Month, PastDate
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Person, User

from . import selectors, services
from .models import DutyLetter, Offer, Registration, Subsidy

router = Router(tags=["employment 就业救助"])

Name = Annotated[str, Bounded(100)]
Reason = Annotated[str, Bounded(200, required=False)]


class OfferOut(Schema):
    id: int
    registration: int
    kind: str
    kind_display: str
    employer: str
    position: str
    monthly_wage: str = Field(..., description="月工资（元，两位小数）")
    offered_on: date
    answer: str
    answer_display: str
    answered_on: date | None
    refusal_reason: str
    good_reason: bool
    duty_letter: str | None = Field(None, description="此次拒绝出具的就业义务告知书文号")


class LetterOut(Schema):
    id: int
    number: str
    issued_on: date
    pdf: str = Field(..., description="告知书 PDF 的地址")


class SubsidyOut(Schema):
    id: int
    registration: int
    kind: str
    kind_display: str
    amount: str = Field(..., description="金额（元，两位小数）")
    start_month: date
    paid_to: Literal["person", "employer"]
    employer: str | None


class RegistrationOut(Schema):
    id: int
    household: str
    name: str = Field(..., description="姓名（按角色脱敏）")
    id_number: str = Field(..., description="身份证号码（按角色脱敏）")
    unit: str
    registered_on: date
    ended_on: date | None
    ended_reason: str
    employer: str
    monthly_wage: str | None = Field(..., description="就业后月工资（元）")
    refusals_in_a_row: int = Field(..., description="连续无正当理由拒绝推荐岗位的次数")


class RegistrationDetailOut(RegistrationOut):
    offers: list[OfferOut]
    duty_letters: list[LetterOut]
    subsidies: list[SubsidyOut]


class PostDueOut(Schema):
    registration: int
    household: str
    name: str
    due_on: date = Field(..., description="应提供公益性岗位的期限")
    overdue: bool


class RegistrationIn(Schema):
    id_number: IdNumber = Field(..., description="失业人员身份证号码（须在户籍档案中）")
    registered_on: PastDate = Field(..., description="失业登记日期")


class OfferIn(Schema):
    kind: Literal["job", "public_post"] = Field("job", description="job=推荐岗位；public_post=公益性岗位")
    employer: Name = Field(..., description="用人单位")
    position: Name = Field(..., description="岗位")
    monthly_wage: Money = Field(..., description="月工资（元）")
    offered_on: PastDate = Field(..., description="推荐日期")


class AnswerIn(Schema):
    answer: Literal["accepted", "refused"]
    answered_on: PastDate = Field(..., description="答复日期")
    reason: Reason = Field("", description="拒绝理由（拒绝时必填）")
    good_reason: bool = Field(False, description="拒绝理由经认定为正当（不计入连续拒绝次数）")


class OutcomeIn(Schema):
    employed_on: PastDate = Field(..., description="就业日期")
    employer: Name = Field(..., description="就业单位")
    monthly_wage: Money = Field(..., description="月工资（元）")


class SubsidyIn(Schema):
    kind: Literal["training", "post"] = Field(..., description="training=职业培训补贴；post=公益性岗位补贴")
    start_month: Month = Field(..., description="起始月份 YYYY-MM")
    employer: Id | None = Field(None, description="拨付给用人单位（本单位登记的收款机构编号）；不填发给本人")


def _yuan(v) -> str | None:
    return None if v is None else f"{v:.2f}"


def _registration(actor: User, pk: int) -> Registration:
    if not Registration.objects.filter(pk=pk).exists():
        raise NotFound("失业登记不存在", field="registration", code="registration_not_found")
    return selectors.registration_get(actor=actor, pk=pk)


def _reg_out(r: Registration, role: str) -> dict:
    return {
        "id": r.pk,
        "household": r.person.household.code,
        "name": present("name", r.person.name, role),
        "id_number": present("id_number", r.person.id_number, role),
        "unit": r.unit.code,
        "registered_on": r.registered_on,
        "ended_on": r.ended_on,
        "ended_reason": r.ended_reason,
        "employer": r.employer,
        "monthly_wage": _yuan(r.monthly_wage),
        "refusals_in_a_row": selectors.refusals_in_a_row(r.offers.all()),
    }


def _offer_out(o: Offer) -> dict:
    letter = DutyLetter.objects.filter(last_offer=o).values_list("number", flat=True).first()
    return {
        "id": o.pk,
        "registration": o.registration_id,
        "kind": o.kind,
        "kind_display": o.get_kind_display(),
        "employer": o.employer,
        "position": o.position,
        "monthly_wage": _yuan(o.monthly_wage),
        "offered_on": o.offered_on,
        "answer": o.answer,
        "answer_display": o.get_answer_display(),
        "answered_on": o.answered_on,
        "refusal_reason": o.refusal_reason,
        "good_reason": o.good_reason,
        "duty_letter": letter,
    }


def _subsidy_out(s: Subsidy) -> dict:
    return {
        "id": s.pk,
        "registration": s.registration_id,
        "kind": s.kind,
        "kind_display": s.get_kind_display(),
        "amount": _yuan(s.amount),
        "start_month": s.start_month,
        "paid_to": "employer" if s.employer_id else "person",
        "employer": s.employer.name if s.employer else None,
    }


def _detail(r: Registration, actor: User) -> dict:
    return {
        **_reg_out(r, role_of(actor)),
        "offers": [_offer_out(o) for o in r.offers.all()],
        "duty_letters": [
            {
                "id": d.pk,
                "number": d.number,
                "issued_on": d.issued_on,
                "pdf": f"/employment/letters/{d.pk}.pdf",
            }
            for d in r.duty_letters.order_by("pk")
        ],
        "subsidies": [_subsidy_out(s) for s in r.subsidies.select_related("employer").order_by("pk")],
    }


@router.get("/registrations", response={200: list[RegistrationOut], **ERRORS})
def registration_list(request, open_only: bool = True):
    """The registrations of the officer's unit (the city for city roles), oldest first; names
    and ID numbers masked for the reader's role."""
    role = role_of(request.auth)
    rows = selectors.registrations_for(request.auth, open_only=open_only).select_related("unit")
    return [_reg_out(r, role) for r in rows]


@router.post("/registrations", response={201: RegistrationDetailOut, **ERRORS})
def registration_create(request, body: RegistrationIn):
    """Register an able member unemployed (labour age, full capacity, not at school), once while
    open."""
    person = Person.objects.filter(id_number=body.id_number).first()
    if person is None:
        raise ValidationFailed("户籍档案中没有该身份证号码的人员", field="id_number", code="person_not_found")
    r = services.registration_create(
        actor=request.auth, person=person, registered_on=body.registered_on, policy=current_policy()
    )
    return Status(201, _detail(r, request.auth))


@router.get("/registrations/{reg_id}", response={200: RegistrationDetailOut, **ERRORS})
def registration_read(request, reg_id: Id):
    """One registration with its offers and answers, duty letters and subsidies (the read is
    logged)."""
    with transaction.atomic():
        r = _registration(request.auth, reg_id)
        log_access(
            user=request.auth,
            action="view",
            object_type="employment.registration",
            object_id=r.pk,
            household_code=r.person.household.code,
            purpose="就业救助办理（API）",
        )
    return _detail(r, request.auth)


@router.post("/registrations/{reg_id}/offers", response={201: OfferOut, **ERRORS})
def offer_create(request, reg_id: Id, body: OfferIn):
    """A job offer, or a public-welfare post for a zero-employment dibao household; one
    unanswered offer at a time."""
    _registration(request.auth, reg_id)
    o = services.offer_create(
        actor=request.auth,
        registration=reg_id,
        kind=body.kind,
        employer=body.employer,
        position=body.position,
        monthly_wage=body.monthly_wage,
        offered_on=body.offered_on,
    )
    return Status(201, _offer_out(o))


@router.post("/offers/{offer_id}/answer", response={200: OfferOut, **ERRORS})
def offer_answer(request, offer_id: Id, body: AnswerIn):
    """The person's answer. Accepted ends the registration in employment; the refusal that
    reaches the limit without good reason issues the duty letter (``duty_letter``) and puts the
    household's dibao to review."""
    o = Offer.objects.filter(pk=offer_id).first()
    if o is None:
        raise NotFound("岗位推荐不存在", field="offer", code="offer_not_found")
    o = services.offer_answer(
        actor=request.auth,
        offer=o,
        answer=body.answer,
        answered_on=body.answered_on,
        reason=body.reason,
        good_reason=body.good_reason,
        policy=current_policy(),
    )
    return _offer_out(o)


@router.post("/registrations/{reg_id}/outcome", response={200: RegistrationDetailOut, **ERRORS})
def outcome_record(request, reg_id: Id, body: OutcomeIn):
    """Employment found otherwise: the registration ends, the household's dibao is reviewed."""
    _registration(request.auth, reg_id)
    r = services.outcome_record(
        actor=request.auth,
        registration=reg_id,
        employed_on=body.employed_on,
        employer=body.employer,
        monthly_wage=body.monthly_wage,
        policy=current_policy(),
    )
    return _detail(selectors.registration_get(actor=request.auth, pk=r.pk), request.auth)


@router.post("/registrations/{reg_id}/subsidies", response={201: SubsidyOut, **ERRORS})
def subsidy_grant(request, reg_id: Id, body: SubsidyIn):
    """The training subsidy (once) or the public-welfare post subsidy (monthly, on an accepted
    post) at the policy file's amount: to the person by the roll, or to the employer as a
    transfer."""
    _registration(request.auth, reg_id)
    s = services.subsidy_grant(
        actor=request.auth,
        registration=reg_id,
        kind=body.kind,
        start_month=body.start_month,
        employer=body.employer,
        policy=current_policy(),
    )
    return Status(201, _subsidy_out(s))


@router.get("/public-posts/due", response={200: list[PostDueOut], **ERRORS})
def public_posts_due(request):
    """Zero-employment dibao households without a public-welfare post offer yet, with the day
    the offer is due and whether it has passed."""
    role = role_of(request.auth)
    rows = selectors.public_post_due(actor=request.auth, on=clock.today(), policy=current_policy())
    return [
        {
            "registration": row["registration"].pk,
            "household": row["household"].code,
            "name": present("name", row["registration"].person.name, role),
            "due_on": row["due_on"],
            "overdue": row["overdue"],
        }
        for row in rows
    ]
