"""Housing assistance writes (DOMAIN §7 住房), each one transaction, each checked against the
scope table (``housing.manage``). A household holds at most one of the three options
(``selectors.options_held``): a second is refused with ``other_housing_option``.

- ``waiting_add`` — a household joins the public-rental waiting list (priority, date); it may
  keep its rent subsidy while it waits; a household renovating its house does not join;
- ``allocate_next`` — the first of the list (priority, then date) gets the flat; its rent
  subsidy is ended the same day (paid for the month of allocation, nothing from the next;
  ``decisions.entitlements.entitlement_stop``), in the same transaction;
- ``renovation_register`` — a rural household's dilapidated house inspected and graded (C/D):
  the subsidy by grade (``housing.renovation_subsidy``);
- ``renovation_stage`` — paid in stages against an inspection: at the start inspection the
  first share (``housing.renovation_first_stage_rate``), at the completion inspection the rest,
  each a one-off entitlement of the household head paid by the roll; each stage once.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from jiuzhu.common import scope, values
from jiuzhu.common.errors import IllegalTransition, ValidationFailed
from jiuzhu.common.params import parameter
from jiuzhu.decisions.entitlements import add_months, entitlement_grant, entitlement_stop, month_start
from jiuzhu.registry.models import Household, Person, User

from . import selectors
from .models import Renovation, RenovationStage, WaitingEntry


def _household(pk) -> Household:
    h = Household.objects.select_for_update().filter(pk=getattr(pk, "pk", pk)).first()
    if h is None:
        raise ValidationFailed("家庭不存在", field="household", code="household_not_found")
    return h


def _refuse_other(household: Household, on, wanted: str, allowed: frozenset = frozenset()) -> None:
    other = selectors.options_held(household.pk, on) - {wanted} - allowed
    if other:
        names = "、".join(selectors.OPTION_LABELS[o] for o in sorted(other))
        raise ValidationFailed(
            f"该家庭已享受{names}，住房救助三种方式只能选择一种",
            field="household",
            code="other_housing_option",
        )


def refuse_other_option(*, household, on) -> None:
    """The rent subsidy granted at the window's referral (``intake.grant_checks``): refused
    while the household holds public rental housing or a rural renovation."""
    _refuse_other(household, on, selectors.RENT)


@transaction.atomic
def waiting_add(*, actor: User, household, priority, applied_on, policy) -> WaitingEntry:
    unit = selectors.owner_unit(policy)
    scope.require(actor, "housing.manage", unit=unit)
    h = _household(household)
    on = values.past_date(applied_on, field="applied_on", label="登记轮候日期")
    try:
        prio = int(str(priority).strip())
    except ValueError:
        prio = 0
    if not 1 <= prio <= 9:
        raise ValidationFailed("优先级应为1至9的整数（1为最优先）", field="priority", code="bad_priority")
    _refuse_other(h, on, selectors.RENTAL, allowed=frozenset({selectors.RENT}))  # waits with its subsidy
    if WaitingEntry.objects.filter(
        household=h, state__in=(WaitingEntry.State.WAITING, WaitingEntry.State.ALLOCATED)
    ).exists():
        raise ValidationFailed("该家庭已在轮候或已配租", field="household", code="already_waiting")
    return WaitingEntry.objects.create(household=h, unit=unit, priority=prio, applied_on=on, created_by=actor)


@transaction.atomic
def allocate_next(*, actor: User, flat: str, on, policy) -> WaitingEntry:
    """The flat to the first household of the waiting list; its rent subsidy ends the same day."""
    unit = selectors.owner_unit(policy)
    scope.require(actor, "housing.manage", unit=unit)
    day = values.past_date(on, field="on", label="配租日期")
    address = values.text(flat, field="flat", max_length=200, label="配租房源")
    entry = (
        WaitingEntry.objects.select_for_update()
        .filter(unit=unit, state=WaitingEntry.State.WAITING, applied_on__lte=day)
        .order_by("priority", "applied_on", "pk")
        .first()
    )
    if entry is None:
        raise ValidationFailed("轮候名单中没有家庭", field="flat", code="waiting_list_empty")
    _household(entry.household_id)
    for ent in selectors.rent_subsidies(entry.household_id, day):
        entitlement_stop(
            entitlement=ent,
            from_month=add_months(month_start(day), 1),
            actor=actor,
            reason=f"{day:%Y年%m月%d日}配租公共租赁住房（{address}），住房租赁补贴自下月起停发",
        )
    entry.state, entry.allocated_on, entry.flat = WaitingEntry.State.ALLOCATED, day, address
    entry.save(update_fields=["state", "allocated_on", "flat"])
    return entry


@transaction.atomic
def renovation_register(
    *, actor: User, household, grade: str, inspected_on, inspector: str, policy
) -> Renovation:
    unit = selectors.owner_unit(policy)
    scope.require(actor, "housing.manage", unit=unit)
    h = _household(household)
    if h.area != Household.Area.RURAL:
        raise ValidationFailed("农村危房改造只适用于农村家庭", field="household", code="not_rural")
    if grade not in Renovation.Grade.values:
        raise ValidationFailed("危房等级应为C级或D级", field="grade", code="bad_grade")
    on = values.past_date(inspected_on, field="inspected_on", label="鉴定日期")
    _refuse_other(h, on, selectors.REPAIR)
    if WaitingEntry.objects.filter(household=h, state=WaitingEntry.State.WAITING).exists():
        raise ValidationFailed("该家庭正在轮候公共租赁住房", field="household", code="other_housing_option")
    if Renovation.objects.filter(household=h).exists():
        raise ValidationFailed("该家庭已登记危房改造", field="household", code="already_registered")
    amount = Decimal(parameter(policy, "housing.renovation_subsidy", on, grade=grade)).quantize(
        Decimal("0.01")
    )
    return Renovation.objects.create(
        household=h,
        unit=unit,
        grade=grade,
        inspected_on=on,
        amount=amount,
        created_by=actor,
        inspector=values.text(inspector, field="inspector", max_length=50, label="鉴定人"),
    )


@transaction.atomic
def renovation_stage(
    *, actor: User, renovation, kind: str, inspected_on, inspector: str, policy
) -> RenovationStage:
    r = (
        Renovation.objects.select_for_update()
        .select_related("household")
        .get(pk=getattr(renovation, "pk", renovation))
    )
    scope.require(actor, "housing.manage", unit=r.unit_id)
    expected: dict[str, str] = {
        Renovation.State.INSPECTED: RenovationStage.Kind.START,
        Renovation.State.STARTED: RenovationStage.Kind.COMPLETION,
    }
    if kind not in RenovationStage.Kind.values:
        raise ValidationFailed("验收阶段无效", field="kind", code="bad_kind")
    if expected.get(r.state) != kind:
        raise IllegalTransition("须先开工验收，再竣工验收，每阶段一次", field="kind", code="wrong_stage")
    on = values.past_date(inspected_on, field="inspected_on", label="验收日期")
    if on < r.inspected_on:
        raise ValidationFailed("验收日期早于鉴定日期", field="inspected_on", code="before_inspection")
    rate = Decimal(str(parameter(policy, "housing.renovation_first_stage_rate", r.inspected_on)))
    first = (r.amount * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
    amount = first if kind == RenovationStage.Kind.START else r.amount - first
    head = Person.objects.filter(
        household=r.household, relation=Person.Relation.HEAD, deceased_on__isnull=True
    ).first()
    if head is None:
        raise ValidationFailed("该家庭没有在世的户主，无法发放", field="renovation", code="no_payee")
    label = RenovationStage.Kind(kind).label
    ent = entitlement_grant(
        household=r.household,
        payee=head,
        service_code=selectors.REPAIR,
        amount=amount,
        start_month=on,
        amount_period="once",
        actor=actor,
        policy=policy,
        unit=r.unit,
        origin="危房改造分期拨付",
        reason=f"{r.get_grade_display()}补助 {r.amount} 元，{label}后拨付 {amount} 元",
        rule_amount=amount,
    )
    r.state = Renovation.State.STARTED if kind == RenovationStage.Kind.START else Renovation.State.COMPLETED
    r.save(update_fields=["state"])
    return RenovationStage.objects.create(
        renovation=r,
        kind=kind,
        inspected_on=on,
        amount=amount,
        entitlement=ent,
        created_by=actor,
        inspector=values.text(inspector, field="inspector", max_length=50, label="验收人"),
    )
