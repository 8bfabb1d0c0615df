"""Writing and reading entitlements — the contract between decisions, payments, screening,
supervision and charity.

Writes (each one transaction):
- ``entitlement_grant(...)`` — a new entitlement from ``start_month``.
- ``entitlement_change(entitlement=, amount=, from_month=, ...)`` — a new amount from a month
  (may be in the past: payments then owes back pay or recovers an overpayment).
- ``entitlement_stop(entitlement=, from_month=, ...)`` — nothing owed from that month on.

Reads:
- ``owed_in(month)`` — the entitlements owed for a month (monthly ones running in it, yearly
  ones in their start month's month of each year, one-off ones in their start month).
- ``amount_owed(payee, service_code, month)`` — what is owed for one payee, service and month.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, QuerySet

from jiuzhu.common.errors import IllegalTransition, ValidationFailed
from jiuzhu.common.money import money
from jiuzhu.registry.models import Unit, User

from .models import Entitlement, EntitlementPeriod
from .scope import DECISION_CATEGORIES


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    """The 1st of the month ``n`` months after ``d``'s month (n may be negative)."""
    k = d.year * 12 + (d.month - 1) + n
    return date(k // 12, k % 12 + 1, 1)


def _service(policy, code: str):
    try:
        return policy.service(code)
    except Exception as exc:  # UnknownService
        raise ValidationFailed(
            f"未知的救助事项：{code}", field="service_code", code="unknown_service"
        ) from exc


@transaction.atomic
def entitlement_grant(
    *,
    household,
    payee,
    service_code: str,
    amount,
    start_month: date,
    actor: User,
    policy=None,
    members=None,
    unit: Unit | None = None,
    amount_period: str | None = None,
    next_review_on: date | None = None,
    end_month: date | None = None,
    status: str = Entitlement.ACTIVE,
    referral=None,
    origin: str = "",
    reason: str = "",
    rule_amount=None,
    signed_by=None,
    signed_on: date | None = None,
    cause: str = "",
    cause_note: str = "",
) -> Entitlement:
    if cause:
        from jiuzhu.intake.models import Cause

        if cause not in Cause.values:
            raise ValidationFailed("救助事由不是有效取值", field="cause", code="invalid_choice")
    if policy is None:
        from jiuzhu.policy.selectors import current_policy

        policy = current_policy()
    spec = _service(policy, service_code)
    amount = money(amount)
    if amount < 0:
        raise ValidationFailed("金额不能为负数", field="amount", code="negative_amount")
    if payee.household_id != household.pk:
        raise ValidationFailed("领取人不是该家庭成员", field="payee", code="payee_not_member")
    period = amount_period or spec.amount_period or "month"
    if period not in EntitlementPeriod.values:
        raise ValidationFailed(f"未知的金额周期：{period}", field="amount_period", code="bad_period")
    if unit is None:
        unit = Unit.objects.get(code=spec.owner_unit)
    if end_month is None and next_review_on is None:
        end_month, next_review_on = lifecycle(spec, month_start(start_month), period)
    ent = Entitlement.objects.create(
        household=household,
        payee=payee,
        service_code=service_code,
        category=spec.category,
        unit=unit,
        amount=amount,
        amount_period=period,
        start_month=month_start(start_month),
        end_month=month_start(end_month) if end_month else None,
        status=status,
        next_review_on=next_review_on,
        referral=referral,
        origin=origin,
        reason=reason,
        rule_amount=None if rule_amount is None else money(rule_amount),
        signed_by=signed_by,
        signed_on=signed_on,
        cause=cause or "",
        cause_note=(cause_note or "").strip()[:200],
        created_by=actor,
    )
    ent.members.set(members if members is not None else [payee])
    return ent


# DOMAIN §3 Education: amounts are per school year (学年, September to August).
SCHOOL_YEAR_FIRST_MONTH = 9


def school_year_end(month: date) -> date:
    """The last month (August) of the school year ``month`` falls in."""
    year = month.year + 1 if month.month >= SCHOOL_YEAR_FIRST_MONTH else month.year
    return date(year, SCHOOL_YEAR_FIRST_MONTH - 1, 1)


def lifecycle(spec, start: date, period: str) -> tuple[date | None, date | None]:
    """``(end_month, next_review_on)`` of a department entitlement granted without either
    (DOMAIN §7 "Lifecycle": every entitlement has a review cycle or an end): an education
    grant per school year ends with its school year (a new year is a new decision, never a
    repeat every September); a monthly or yearly one is reviewed after the service's
    ``review_months``; a one-off one needs neither. Dibao and extreme-poverty decisions set
    their own review date (``cases``, ``reviews``)."""
    if spec.category in DECISION_CATEGORIES or period == EntitlementPeriod.ONCE:
        return None, None
    if spec.category == "education" and period == EntitlementPeriod.YEAR:
        return school_year_end(start), None
    if spec.review_months:
        return None, add_months(start, spec.review_months)
    return None, None


def _lock(entitlement: Entitlement) -> Entitlement:
    ent = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    if ent.status == Entitlement.ENDED:
        raise IllegalTransition("该待遇已终止，不能再变更", field="entitlement", code="entitlement_ended")
    if hasattr(ent, "next"):
        raise IllegalTransition(
            "该待遇已被变更，请对最新的待遇操作", field="entitlement", code="entitlement_superseded"
        )
    return ent


@transaction.atomic
def entitlement_change(
    *,
    entitlement: Entitlement,
    amount,
    from_month: date,
    actor: User,
    reason: str,
    origin: str = "",
    status: str | None = None,
    end_month: date | None = None,
    next_review_on: date | None = None,
    rule_amount=None,
    signed_by=None,
    signed_on: date | None = None,
) -> Entitlement:
    """End ``entitlement`` before ``from_month`` and continue with ``amount`` from it.
    ``rule_amount`` is the rules' amount the change was checked against (grant control);
    ``signed_by`` the second person who signed an amount other than it."""
    if not reason.strip():
        raise ValidationFailed("变更待遇须写明理由", field="reason", code="reason_required")
    old = _lock(entitlement)
    from_month = month_start(from_month)
    if from_month < old.start_month:
        raise ValidationFailed("变更月份早于待遇起始月份", field="from_month", code="before_start")
    amount = money(amount)
    if amount < 0:
        raise ValidationFailed("金额不能为负数", field="amount", code="negative_amount")
    carried_status = old.status
    old.end_month = add_months(from_month, -1)
    old.status = Entitlement.ENDED
    old.ended_reason = reason
    old.save(update_fields=["end_month", "status", "ended_reason"])
    new = Entitlement.objects.create(
        household=old.household,
        payee=old.payee,
        service_code=old.service_code,
        category=old.category,
        unit=old.unit,
        amount=amount,
        amount_period=old.amount_period,
        start_month=from_month,
        end_month=month_start(end_month) if end_month else None,
        status=status or carried_status,
        next_review_on=next_review_on or old.next_review_on,
        previous=old,
        referral=old.referral,
        origin=origin or old.origin,
        reason=reason,
        rule_amount=None if rule_amount is None else money(rule_amount),
        signed_by=signed_by,
        signed_on=signed_on if signed_by is not None else None,
        cause=old.cause,
        cause_note=old.cause_note,
        created_by=actor,
    )
    new.members.set(old.members.all())
    return new


@transaction.atomic
def entitlement_stop(*, entitlement: Entitlement, from_month: date, actor: User, reason: str) -> Entitlement:
    """Nothing is owed from ``from_month`` on (may be in the past: payments recovers)."""
    if not reason.strip():
        raise ValidationFailed("终止待遇须写明理由", field="reason", code="reason_required")
    ent = _lock(entitlement)
    ent.end_month = add_months(month_start(from_month), -1)
    ent.status = Entitlement.ENDED
    ent.ended_reason = reason
    ent.save(update_fields=["end_month", "status", "ended_reason"])
    flag_dependents(ent, reason=reason)
    return ent


# DOMAIN §7 "Lifecycle": education, housing and medical help are given to dibao / extreme-poverty
# households; when the household leaves both, those entitlements are flagged to their units.
QUALIFYING = ("minimum_living", "extreme_poverty")
DEPENDENT = ("education", "housing", "medical")


def flag_dependents(ended: Entitlement, *, reason: str = "") -> list[Entitlement]:
    """(Inside the stopping transaction.) When ``ended`` was the household's last running
    dibao/extreme-poverty entitlement, notify the unit of each running dependent entitlement
    the same day (one notice per dependent and ending). Returns the dependents flagged."""
    if ended.category not in QUALIFYING:
        return []
    running = Q(end_month__isnull=True) | Q(end_month__gt=ended.end_month)
    base = Entitlement.objects.filter(household_id=ended.household_id).exclude(status=Entitlement.ENDED)
    if base.filter(category__in=QUALIFYING).filter(running).exclude(pk=ended.pk).exists():
        return []
    from jiuzhu.common.labels import label
    from jiuzhu.intake.notify import notify

    deps = list(base.filter(category__in=DEPENDENT).filter(running).select_related("unit", "referral"))
    for dep in deps:
        notify(
            key=f"dependent:{dep.pk}:{ended.pk}",
            kind="dependent_flagged",
            unit=dep.unit,
            referral=dep.referral,
            message=f"户 {ended.household.code} 已停止“{label('service', ended.service_code)}”"
            f"（最后享受月份 {ended.end_month:%Y年%m月}），"
            f"其“{label('service', dep.service_code)}”以该资格为前提，请复核是否继续"
            + (f"。停止理由：{reason}" if reason else ""),
        )
    return deps


def owed_in(month: date) -> QuerySet[Entitlement]:
    """Entitlements owed for ``month``, whatever their status now (an ended entitlement is
    still owed for the months before its end)."""
    m = month_start(month)
    running = Q(start_month__lte=m) & (Q(end_month__isnull=True) | Q(end_month__gte=m))
    return Entitlement.objects.filter(
        (Q(amount_period=EntitlementPeriod.MONTH) & running)
        | (Q(amount_period=EntitlementPeriod.ONCE) & Q(start_month=m))
        | (Q(amount_period=EntitlementPeriod.YEAR) & running & Q(start_month__month=m.month))
    )


def amount_owed(*, payee, service_code: str, month: date) -> Decimal:
    total = Decimal("0.00")
    for ent in owed_in(month).filter(payee=payee, service_code=service_code):
        total += ent.amount
    return total
