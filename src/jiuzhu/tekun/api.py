"""Extreme-poverty support over the API (/api/tekun/): support institutions with their beds and
residents, a resident's placement and leaving, the month's centralised support as one transfer
to the institution, and the funeral benefit on a supported person's death. Thin over
``services``/``selectors`` with the screens' scope rows (``tekun.read`` / ``tekun.manage``);
names masked for the reader's role, and the read of a home's residents logged. Errors are
``{"code", "field", "message", "request_id"}``."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.db import transaction
from ninja import Field, Router, Schema, Status

from jiuzhu.common import clock
from jiuzhu.common.errors import NotFound, ValidationFailed
from jiuzhu.common.masking import present
from jiuzhu.common.roles import role_of
from jiuzhu.common.schemas import ERRORS
from jiuzhu.common.services import log_access
from jiuzhu.common.values import Id, IdNumber, Month, PastDate
from jiuzhu.decisions.entitlements import month_start
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Person

from . import selectors, services
from .models import FuneralBenefit, Placement, SupportHome

router = Router(tags=["tekun 特困人员供养"])


def _yuan(v) -> str | None:
    return None if v is None else f"{v:.2f}"


class HomeOut(Schema):
    id: int
    institution: int = Field(..., description="收款机构编号")
    code: str
    name: str
    unit: str
    beds: int
    occupied: int = Field(..., description="今天在住人数")
    free: int


class PlacementOut(Schema):
    id: int
    home: int
    household: str
    name: str = Field(..., description="姓名（按角色脱敏）")
    entered_on: date
    left_on: date | None
    left_reason: str
    left_reason_display: str


class HomeDetailOut(HomeOut):
    month: date = Field(..., description="在住名单所属月份（本月）")
    residents: list[PlacementOut]


class HomeIn(Schema):
    institution: Id = Field(..., description="供养服务机构类收款机构的编号")
    beds: int = Field(..., ge=1, le=100000, description="床位数（已登记的机构为调整床位数）")


class PlacementIn(Schema):
    id_number: IdNumber = Field(..., description="选择集中供养的特困人员身份证号码")
    entered_on: PastDate = Field(..., description="入住日期")


class LeaveIn(Schema):
    on: PastDate = Field(..., description="离开日期")
    reason: Literal["died", "home", "moved"] = Field(
        ..., description="died=死亡；home=转为分散供养；moved=转到其他机构"
    )


class TransferIn(Schema):
    month: Month = Field(..., description="拨付月份 YYYY-MM")


class LeftOutOut(Schema):
    person: int
    reason: str


class SupportTransferOut(Schema):
    transfer: int = Field(..., description="机构拨付单编号（待另一人审批）")
    amount: str
    state: str
    residents: int
    left_out: list[LeftOutOut] = Field(..., description="未列入本次拨付的在住人员及原因")


class FuneralIn(Schema):
    id_number: IdNumber = Field(..., description="死亡的特困供养人员身份证号码")
    institution: Id | None = Field(
        None, description="办理丧葬事宜的机构编号；与 payee_id_number 都不填时为其死亡时所在机构"
    )
    payee_id_number: IdNumber | None = Field(None, description="办理丧葬事宜的本户家庭成员身份证号码")


class FuneralOut(Schema):
    id: int
    household: str
    name: str
    service_code: str
    amount: str
    paid_to: Literal["institution", "member"]
    institution: str | None
    transfer: int | None
    entitlement: int | None


def _home(actor, pk: int) -> SupportHome:
    if not SupportHome.objects.filter(pk=pk).exists():
        raise NotFound("供养服务机构不存在", field="home", code="home_not_found")
    return selectors.home_get(actor=actor, pk=pk)


def _home_out(h: SupportHome) -> dict:
    occupied = selectors.occupied(h, clock.today())
    return {
        "id": h.pk,
        "institution": h.institution_id,
        "code": h.institution.code,
        "name": h.institution.name,
        "unit": h.institution.unit.code,
        "beds": h.beds,
        "occupied": occupied,
        "free": max(h.beds - occupied, 0),
    }


def _placement_out(pl: Placement, role: str) -> dict:
    return {
        "id": pl.pk,
        "home": pl.home_id,
        "household": pl.person.household.code,
        "name": present("name", pl.person.name, role),
        "entered_on": pl.entered_on,
        "left_on": pl.left_on,
        "left_reason": pl.left_reason,
        "left_reason_display": pl.get_left_reason_display() if pl.left_reason else "",
    }


def _person(id_number: str, field: str) -> Person:
    p = Person.objects.filter(id_number=id_number).first()
    if p is None:
        raise ValidationFailed("户籍档案中没有该身份证号码的人员", field=field, code="person_not_found")
    return p


@router.get("/homes", response={200: list[HomeOut], **ERRORS})
def home_list(request):
    """The support institutions of the reader's unit (the city for city roles) with beds taken
    and free today."""
    return [_home_out(h) for h in selectors.homes_for(request.auth).select_related("institution__unit")]


@router.post("/homes", response={201: HomeOut, **ERRORS})
def home_register(request, body: HomeIn):
    """Register a support institution's beds (or change them: never below its residents)."""
    h = services.home_register(actor=request.auth, institution=body.institution, beds=body.beds)
    return Status(201, _home_out(h))


@router.get("/homes/{home_id}", response={200: HomeDetailOut, **ERRORS})
def home_read(request, home_id: Id):
    """A home with this month's residents (the read of their names is logged)."""
    month = month_start(clock.today())
    with transaction.atomic():
        h = _home(request.auth, home_id)
        log_access(
            user=request.auth,
            action="view",
            object_type="tekun.home",
            object_id=h.pk,
            purpose="特困人员集中供养在住名单（API）",
        )
        role = role_of(request.auth)
        residents = [
            _placement_out(pl, role)
            for pl in selectors.residents_in(h, month).select_related("person__household")
        ]
    return {**_home_out(h), "month": month, "residents": residents}


@router.post("/homes/{home_id}/placements", response={201: PlacementOut, **ERRORS})
def placement_create(request, home_id: Id, body: PlacementIn):
    """A supported person who chose centralised support enters the home (a free bed needed)."""
    _home(request.auth, home_id)
    pl = services.placement_create(
        actor=request.auth,
        home=home_id,
        person=_person(body.id_number, "id_number"),
        entered_on=body.entered_on,
    )
    return Status(201, _placement_out(pl, role_of(request.auth)))


@router.post("/placements/{placement_id}/leave", response={200: PlacementOut, **ERRORS})
def placement_leave(request, placement_id: Id, body: LeaveIn):
    """The resident leaves: died, back to dispersed support, or moved to another home."""
    if not Placement.objects.filter(pk=placement_id).exists():
        raise NotFound("入住记录不存在", field="placement", code="placement_not_found")
    pl = services.placement_leave(actor=request.auth, placement=placement_id, on=body.on, reason=body.reason)
    return _placement_out(pl, role_of(request.auth))


@router.post("/homes/{home_id}/transfers", response={201: SupportTransferOut, **ERRORS})
def support_transfer(request, home_id: Id, body: TransferIn):
    """The month's centralised support of the home's residents as one transfer to the
    institution (approved by a second person); residents already paid by the roll are left out
    and reported."""
    h = _home(request.auth, home_id)
    out = services.support_transfer_create(actor=request.auth, home=h, month=body.month)
    t = out["transfer"]
    return Status(
        201,
        {
            "transfer": t.pk,
            "amount": _yuan(t.amount),
            "state": t.state,
            "residents": out["residents"],
            "left_out": out["left_out"],
        },
    )


@router.post("/funeral-benefits", response={201: FuneralOut, **ERRORS})
def funeral_grant(request, body: FuneralIn):
    """The funeral benefit, once, on a supported person's death: to the institution that arranged
    the funeral (a transfer) or to the member of his household who did (paid by the roll)."""
    person = _person(body.id_number, "id_number")
    payee = _person(body.payee_id_number, "payee_id_number") if body.payee_id_number else None
    fb: FuneralBenefit = services.funeral_grant(
        actor=request.auth,
        person=person,
        policy=current_policy(),
        institution=body.institution,
        payee=payee,
    )
    return Status(
        201,
        {
            "id": fb.pk,
            "household": person.household.code,
            "name": present("name", person.name, role_of(request.auth)),
            "service_code": fb.service_code,
            "amount": _yuan(fb.amount),
            "paid_to": "institution" if fb.institution_id else "member",
            "institution": fb.institution.name if fb.institution is not None else None,
            "transfer": fb.transfer_id,
            "entitlement": fb.entitlement_id,
        },
    )
