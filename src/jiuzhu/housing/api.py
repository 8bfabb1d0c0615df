"""Housing assistance over the API (/api/housing/): which of the three exclusive options a
household holds, the public-rental waiting list in its order, joining it and allocating the next
flat (which ends the rent subsidy), the rural renovations with their grade and their staged
payments against inspections. Thin over ``services``/``selectors`` with the screens' scope rows
(``housing.read`` / ``housing.manage``); households are named by their code, as on the screens.
Errors are ``{"code", "field", "message", "request_id"}``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from ninja import Field, Router, Schema, Status

from jiuzhu.common import clock
from jiuzhu.common.errors import NotFound, ValidationFailed
from jiuzhu.common.schemas import ERRORS
from jiuzhu.common.values import Bounded, Id, PastDate
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Household

from . import selectors, services
from .models import Renovation, WaitingEntry

router = Router(tags=["housing 住房救助"])

Code = Annotated[str, Bounded(40)]
Inspector = Annotated[str, Bounded(50)]
Flat = Annotated[str, Bounded(200)]


def _yuan(v) -> str:
    return f"{v:.2f}"


class OptionsOut(Schema):
    household: str
    on: date
    options: list[str] = Field(
        ...,
        description="已享受的住房救助方式：housing_rent_subsidy / housing_public_rental / housing_rural_repair",
    )
    labels: list[str]


class WaitingOut(Schema):
    id: int
    position: int | None = Field(..., description="在轮候名单中的位次（已配租或退出为空）")
    household: str
    priority: int
    applied_on: date
    state: str
    state_display: str
    allocated_on: date | None
    flat: str


class WaitingIn(Schema):
    household: Code = Field(..., description="家庭编号")
    priority: int = Field(..., ge=1, le=9, description="优先级（1 为最优先）")
    applied_on: PastDate = Field(..., description="登记轮候日期")


class AllocateIn(Schema):
    flat: Flat = Field(..., description="配租房源（地址）")
    on: PastDate = Field(..., description="配租日期")


class StageOut(Schema):
    id: int
    kind: str
    kind_display: str
    inspected_on: date
    inspector: str
    amount: str
    entitlement: int


class RenovationOut(Schema):
    id: int
    household: str
    grade: str
    grade_display: str
    inspected_on: date
    inspector: str
    amount: str = Field(..., description="按等级核定的补助总额（元）")
    state: str
    state_display: str
    stages: list[StageOut]


class RenovationIn(Schema):
    household: Code = Field(..., description="农村家庭编号")
    grade: Literal["C", "D"] = Field(..., description="危险性鉴定等级")
    inspected_on: PastDate = Field(..., description="鉴定日期")
    inspector: Inspector = Field(..., description="鉴定人")


class StageIn(Schema):
    kind: Literal["start", "completion"] = Field(..., description="start=开工验收；completion=竣工验收")
    inspected_on: PastDate = Field(..., description="验收日期")
    inspector: Inspector = Field(..., description="验收人")


def _household(code: str) -> Household:
    h = Household.objects.filter(code=code).first()
    if h is None:
        raise ValidationFailed("家庭不存在", field="household", code="household_not_found")
    return h


def _waiting_out(e: WaitingEntry, position: int | None = None) -> dict:
    return {
        "id": e.pk,
        "position": position,
        "household": e.household.code,
        "priority": e.priority,
        "applied_on": e.applied_on,
        "state": e.state,
        "state_display": e.get_state_display(),
        "allocated_on": e.allocated_on,
        "flat": e.flat,
    }


def _renovation_out(r: Renovation) -> dict:
    return {
        "id": r.pk,
        "household": r.household.code,
        "grade": r.grade,
        "grade_display": r.get_grade_display(),
        "inspected_on": r.inspected_on,
        "inspector": r.inspector,
        "amount": _yuan(r.amount),
        "state": r.state,
        "state_display": r.get_state_display(),
        "stages": [
            {
                "id": s.pk,
                "kind": s.kind,
                "kind_display": s.get_kind_display(),
                "inspected_on": s.inspected_on,
                "inspector": s.inspector,
                "amount": _yuan(s.amount),
                "entitlement": s.entitlement_id,
            }
            for s in r.stages.order_by("pk")
        ],
    }


@router.get("/households/{code}/options", response={200: OptionsOut, **ERRORS})
def household_options(request, code: str):
    """Which of the three exclusive options (rent subsidy, public rental housing, rural
    renovation) the household holds today: a second is refused (``other_housing_option``)."""
    h = Household.objects.filter(code=code).first()
    if h is None:
        raise NotFound("家庭不存在", field="household", code="household_not_found")
    on = clock.today()
    held = sorted(
        selectors.household_options(actor=request.auth, household=h, on=on, policy=current_policy())
    )
    return {
        "household": h.code,
        "on": on,
        "options": held,
        "labels": [selectors.OPTION_LABELS[o] for o in held],
    }


@router.get("/waiting", response={200: list[WaitingOut], **ERRORS})
def waiting_list(request):
    """The public-rental waiting list in its order: priority, then the date of registration."""
    return [_waiting_out(e, n) for n, e in enumerate(selectors.waiting_list(actor=request.auth), start=1)]


@router.post("/waiting", response={201: WaitingOut, **ERRORS})
def waiting_add(request, body: WaitingIn):
    """A household joins the waiting list (it keeps its rent subsidy while it waits; a household
    renovating its house or already allocated a flat does not join)."""
    e = services.waiting_add(
        actor=request.auth,
        household=_household(body.household),
        priority=body.priority,
        applied_on=body.applied_on,
        policy=current_policy(),
    )
    position = [x.pk for x in selectors.waiting_list(actor=request.auth)].index(e.pk) + 1
    return Status(201, _waiting_out(e, position))


@router.post("/allocations", response={201: WaitingOut, **ERRORS})
def allocate_next(request, body: AllocateIn):
    """The flat to the first household of the list; its rent subsidy ends from the next month."""
    e = services.allocate_next(actor=request.auth, flat=body.flat, on=body.on, policy=current_policy())
    return Status(201, _waiting_out(e))


@router.get("/renovations", response={200: list[RenovationOut], **ERRORS})
def renovation_list(request):
    """The rural renovations, latest inspection first, with their stages."""
    return [_renovation_out(r) for r in selectors.renovations(actor=request.auth)]


@router.post("/renovations", response={201: RenovationOut, **ERRORS})
def renovation_register(request, body: RenovationIn):
    """A rural household's dilapidated house inspected and graded: the subsidy by grade."""
    r = services.renovation_register(
        actor=request.auth,
        household=_household(body.household),
        grade=body.grade,
        inspected_on=body.inspected_on,
        inspector=body.inspector,
        policy=current_policy(),
    )
    return Status(201, _renovation_out(r))


@router.get("/renovations/{renovation_id}", response={200: RenovationOut, **ERRORS})
def renovation_read(request, renovation_id: Id):
    if not Renovation.objects.filter(pk=renovation_id).exists():
        raise NotFound("危房改造记录不存在", field="renovation", code="renovation_not_found")
    return _renovation_out(selectors.renovation_get(actor=request.auth, pk=renovation_id))


@router.post("/renovations/{renovation_id}/stages", response={201: StageOut, **ERRORS})
def renovation_stage(request, renovation_id: Id, body: StageIn):
    """A stage paid against its inspection: the first share at the start, the rest at
    completion, each once and in that order (409 ``wrong_stage``)."""
    if not Renovation.objects.filter(pk=renovation_id).exists():
        raise NotFound("危房改造记录不存在", field="renovation", code="renovation_not_found")
    s = services.renovation_stage(
        actor=request.auth,
        renovation=renovation_id,
        kind=body.kind,
        inspected_on=body.inspected_on,
        inspector=body.inspector,
        policy=current_policy(),
    )
    return Status(
        201,
        {
            "id": s.pk,
            "kind": s.kind,
            "kind_display": s.get_kind_display(),
            "inspected_on": s.inspected_on,
            "inspector": s.inspector,
            "amount": _yuan(s.amount),
            "entitlement": s.entitlement_id,
        },
    )
